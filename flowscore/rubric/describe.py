"""Rules in Chinese words, from their parameters: what ``rubric show`` prints and an office
compares with the published document. Each rule kind describes its own parts
(``Rule.describe``); this module says how an item combines them."""

from __future__ import annotations

from flowscore.numbers import fmt_plain
from flowscore.rubric.model import Item, Part, Scheme


def describe_part(part: Part, scheme: Scheme | None = None) -> str:
    """One rule in words, from its parameters: ``“未报备发文数”每1个扣2分``."""
    tables = {t.id: t for t in scheme.tables} if scheme is not None else {}
    return part.describe(tables)


def describe_item(item: Item, scheme: Scheme | None = None) -> str:
    """How an item is scored, in words: mode, start, rules, bounds, allowed scores."""
    lines: list[str] = []
    if item.mode == "assessor":
        if item.assessor_optional:
            lines.append("考核组核定；空白按0分计（不加分、不扣分）")
        else:
            lines.append("考核组核定（未填为待核定）")
    else:
        if item.parts:
            start = "从满分起扣" if item.start == "max" else "从0分起加"
            lines.append(f"{start}：")
            lines.extend(f"· {describe_part(p, scheme)}" for p in item.parts)
        if item.mode == "ceiling_assessor":
            lines.append(
                "考核组另行核定，不高于计算值"
                + ("；空白即采用计算值" if item.assessor_optional else "；空白为待核定")
            )
    if item.is_adjustment:
        lines.append(f"得分在 {fmt_plain(item.min)}～{fmt_plain(item.max)} 分之间")
    elif not item.capped:
        lines.append("不封顶")
    elif item.mode != "assessor" and item.parts:
        lines.append(f"得分在 0～{fmt_plain(item.max)} 分之间")
    if item.allowed:
        lines.append("允许的核定分：" + "、".join(fmt_plain(a) for a in item.allowed))
    if item.extra:
        lines.append("加分项，不计入分值合计")
    return "\n".join(lines)
