"""Rules in Chinese words, from their parameters: what ``rubric show`` prints and an office
compares with the published document."""

from __future__ import annotations

from decimal import Decimal

from flowscore.numbers import fmt_plain
from flowscore.rubric.model import (
    Item,
    Part,
    PerCount,
    RankPoints,
    RankTable,
    RateShortfall,
    Scheme,
    Threshold,
    YesNo,
)

MODE_TEXT = {
    "computed": "按指标计算",
    "assessor": "考核组核定",
    "ceiling_assessor": "计算上限，考核组核定",
}


def _p(value: Decimal | None) -> str:
    return fmt_plain(value)


def describe_part(part: Part, scheme: Scheme | None = None) -> str:
    """One rule in words, from its parameters: ``未报备发文数 每件扣2分``."""
    if isinstance(part, PerCount):
        verb = "加" if part.points > 0 else "扣"
        each = f"{verb}{_p(abs(part.points))}分"
        if part.required is not None:
            text = f"“{part.indicator}”要求不少于{_p(part.required)}，每少1个{each}"
        else:
            text = f"“{part.indicator}”每1个{each}"
        if part.cap is not None:
            text += f"，最多{verb}{_p(part.cap)}分"
        return text
    if isinstance(part, RateShortfall):
        how = {"floor": "（不足1个百分点的不计）", "ceil": "（不足1个百分点的按1个计）"}.get(
            part.rounding, ""
        )
        text = (
            f"{part.rate_name} = “{part.numerator}” ÷ “{part.denominator}”，低于"
            f"{_p(part.target)}%的每1个百分点扣{_p(part.per_point)}分{how}"
        )
        if part.cap is not None:
            text += f"，最多扣{_p(part.cap)}分"
        return text
    if isinstance(part, YesNo):
        bits = []
        for answer, pts in (("是", part.if_yes), ("否", part.if_no)):
            if pts:
                bits.append(f"{answer}{'计' if pts > 0 else '扣'}{_p(abs(pts))}分")
        return f"“{part.indicator}”（是/否）：" + ("，".join(bits) or "不计分")
    if isinstance(part, Threshold):
        verb = "扣" if part.points < 0 else "计"
        if part.numerator and part.denominator:
            value = f"{part.value_name}（“{part.numerator}” ÷ “{part.denominator}”）"
        elif part.numerator:
            value = f"“{part.numerator}”"
        else:
            value = f"“{part.indicator}”"
        if part.compare_to:
            target = f"“{part.compare_to}”"
        else:
            target = _p(part.target) + ("%" if part.numerator else "")
        return f"{value}低于{target}的{verb}{_p(abs(part.points))}分"
    if isinstance(part, RankPoints):
        rate = (
            f"{part.rate_name}（“{part.numerator}” ÷ “{part.denominator}”）"
            if part.denominator
            else f"“{part.numerator}”"
        )
        order = "从高到低" if part.descending else "从低到高"
        floor = f"，最低{_p(part.floor)}分" if part.floor is not None else ""
        tie = "并列取所占名次得分的中位数" if part.tie == "median" else "并列按最高名次计"
        return (
            f"按{rate}{order}排名：第1名{_p(part.first)}分，每后一名减{_p(part.step)}分"
            f"{floor}；{tie}"
        )
    if isinstance(part, RankTable):
        table = None
        if scheme is not None:
            table = next((t for t in scheme.tables if t.id == part.table), None)
        if table is None:
            return f"按排名折算表“{part.table}”计分"
        pts = "、".join(
            f"第{i}名{'+' if p > 0 else ''}{_p(p)}" for i, p in enumerate(table.points, 1)
        )
        tie = "并列取中位数" if table.tie == "median" else "并列按最高名次计"
        return f"按{table.name}计分：{pts}；{tie}"
    return str(part)  # pragma: no cover - the loader admits only the kinds above


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
        lines.append(f"得分在 {_p(item.min)}～{_p(item.max)} 分之间")
    elif item.mode != "assessor" and item.parts:
        lines.append(f"得分在 0～{_p(item.max)} 分之间")
    if item.allowed:
        lines.append("允许的核定分：" + "、".join(_p(a) for a in item.allowed))
    if item.extra:
        lines.append("加分项，不计入分值合计")
    return "\n".join(lines)
