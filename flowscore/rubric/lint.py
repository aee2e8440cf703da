"""``rubric check``: beyond what loading validates (``rubric.load.check_rubric``), what a careful
reader of the file would notice: sums that do not add up, rules that overlap, units left without
a tier, allowed scores that exclude full marks, indicators nobody uses, an id that differs from
the file name. Errors make the file unusable; warnings are for the office to confirm."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from flowscore.catalog import finding, kind
from flowscore.findings import Finding, Level
from flowscore.names import label
from flowscore.numbers import fmt_plain
from flowscore.rubric.describe import describe_part
from flowscore.rubric.load import read_rubric
from flowscore.rubric.model import Item, Part, Scheme, Sheet

Add = Callable[..., None]  # (code, level, key, message, hint="")


def _p(value: Decimal | None) -> str:
    return fmt_plain(value)


def lint_rubric(path: Path) -> tuple[Scheme | None, list[Finding]]:
    """Everything ``check_rubric`` validates, then the checks of a careful reader (module doc).
    Errors make the file unusable; warnings are for the office to confirm."""
    scheme, findings, raw = read_rubric(path)
    out = list(findings)

    def add(code: str, level: Level, key: str, message: str, hint: str = "") -> None:
        assert level is kind(code).level  # the catalog says what each check's level is
        fix = {"fix": hint} if hint else {}
        out.append(finding(code, file=path.name, key=key, detail=message, **fix))

    _units_without_tier(raw, add)
    if scheme is None:
        return None, out
    if scheme.id != path.stem:
        add(
            "rubric-id-filename",
            Level.WARNING,
            "id",
            f"编号“{scheme.id}”与文件名“{path.stem}”不同",
            "flowscore 按评分表中记录的编号找内置细则；把文件名改为“编号.toml”，或把 id 改为文件名",
        )
    for i, tier in enumerate(scheme.tiers):
        if not any(u.tier == tier.id for u in scheme.units):
            add(
                "rubric-tier-empty",
                Level.WARNING,
                f"tiers[{i}]",
                f"类别“{tier.label}”没有任何单位",
                "在该类别的 units 中列出单位，或删去该类别",
            )
    for sheet in scheme.sheets:
        where = f"sheets.{sheet.id}"
        _category_sums(sheet, where, add)
        for j, item in enumerate(sheet.items):
            _item_checks(item, f"{where}.items[{j}]", add, has_assessors=bool(scheme.assessors))
    _unused_indicators(scheme, add)
    _name_clashes(scheme, add)
    return scheme, out


def _units_without_tier(raw: dict[str, Any], add: Add) -> None:
    """Units listed under a tier that did not load (no id or base): they would silently drop
    out of the assessment."""
    tiers = raw.get("tiers")
    if not isinstance(tiers, list):
        return
    for i, t in enumerate(tiers):
        if not isinstance(t, dict):
            continue
        base = t.get("base")
        broken = "id" not in t or isinstance(base, bool) or not isinstance(base, int | Decimal)
        listed = t.get("units")
        units: list[Any] = listed if isinstance(listed, list) else []
        names = [
            u if isinstance(u, str) else str(u.get("name", ""))
            for u in units
            if isinstance(u, str | dict)
        ]
        if broken and names:
            shown = "、".join(names[:5]) + ("等" if len(names) > 5 else "")
            add(
                "rubric-unit-no-tier",
                Level.ERROR,
                f"tiers[{i}].units",
                f"类别 tiers[{i}] 有错误（缺少 id 或基本分），其下 {len(names)} 个单位（{shown}）没有类别，"
                "不会参加考核",
                "补全该类别的 id 和 base",
            )


def _category_sums(sheet: Sheet, where: str, add: Add) -> None:
    for k, c in enumerate(sheet.categories):
        items = [it for it in sheet.items if it.category == c.name]
        if not items:
            continue
        cw = f"{where}.categories[{k}]"
        if c.min is not None and c.min < 0:
            # a deduction-only section: its floor should be reachable by its items
            lowest = sum((it.min for it in items), Decimal(0))
            if lowest > c.min:
                add(
                    "rubric-category-sum",
                    Level.WARNING,
                    cw,
                    f"分类“{c.name}”最多扣 {_p(-c.min)} 分，但各项合计最多只能扣 {_p(-lowest)} 分",
                    "核对各项的 min 和分类的 min",
                )
            continue
        if c.max is None:
            continue
        total = sum((it.max for it in items if not it.extra and not it.is_adjustment), Decimal(0))
        if total != c.max:
            add(
                "rubric-category-sum",
                Level.WARNING,
                cw,
                f"分类“{c.name}”分值 {_p(c.max)}，其下各项分值合计 {_p(total)}，两者不符",
                "如为文件原样公布，保留即可；否则核对各项的 max",
            )


def _same_value(a: Part, b: Part) -> bool:
    """Two rules judging the same value (the same indicator, or the same ratio)."""
    ka = a.judged()
    return ka is not None and ka == b.judged()


def _item_checks(item: Item, where: str, add: Add, *, has_assessors: bool) -> None:
    for x in range(len(item.parts)):
        for y in range(x + 1, len(item.parts)):
            a, b = item.parts[x], item.parts[y]
            if _same_value(a, b):
                add(
                    "rubric-range-overlap",
                    Level.WARNING,
                    f"{where}.parts[{y}]",
                    f"序号 {item.no} 的第{x + 1}、{y + 1}条规则判断同一个指标，"
                    f"低于两个目标时会重复扣分（{describe_part(a)}；{describe_part(b)}）",
                    "分档扣分应写成互不重叠的规则，或确认文件确实要求累计扣分",
                )
    if item.allowed:
        if len(set(item.allowed)) != len(item.allowed):
            add(
                "rubric-allowed-duplicate",
                Level.WARNING,
                f"{where}.allowed",
                f"序号 {item.no} 允许的核定分有重复",
                "删去重复的分数",
            )
        if item.max not in item.allowed:
            add(
                "rubric-allowed-no-max",
                Level.WARNING,
                f"{where}.allowed",
                f"序号 {item.no} 允许的核定分中没有满分 {_p(item.max)}，该项无法得满分",
                "在 allowed 中加上分值，或确认文件如此规定",
            )
    if item.owner and not has_assessors:
        add(
            "rubric-owner-no-assessors",
            Level.WARNING,
            f"{where}.owner",
            f"序号 {item.no} 指定了负责单位“{item.owner}”，但细则没有列出成员单位（assessors）",
            "在顶层 assessors 中列出成员单位，负责单位的名称才能被核对",
        )


def _unused_indicators(scheme: Scheme, add: Add) -> None:
    used: set[str] = set()
    for sheet in scheme.sheets:
        for item in sheet.items:
            used.update(item.indicators)
    derived_inputs: set[str] = set()
    from flowscore.formula import names

    for d in scheme.derived:
        derived_inputs.update(names(d.formula))
    for i, ind in enumerate(scheme.indicators):
        if ind.name not in used and ind.name not in derived_inputs:
            add(
                "rubric-indicator-unused",
                Level.WARNING,
                f"indicators[{i}]",
                f"指标“{ind.name}”没有被任何计分规则使用",
                "删去它，或在计分规则中引用它",
            )
    for k, d in enumerate(scheme.derived):
        if d.name not in used:
            add(
                "rubric-indicator-unused",
                Level.WARNING,
                f"derived[{k}]",
                f"派生指标“{d.name}”没有被任何计分规则使用",
                "删去它，或在计分规则中引用它",
            )


def _name_clashes(scheme: Scheme, add: Add) -> None:
    """A label meaning two things: the first wins when reading, silently."""
    seen: dict[str, str] = {}
    for i, ind in enumerate(scheme.indicators):
        for written in (ind.name, *ind.aliases):
            lab = label(written)
            other = seen.get(lab)
            if other is not None and other != ind.name:
                add(
                    "rubric-alias-clash",
                    Level.WARNING,
                    f"indicators[{i}]",
                    f"“{written}”同时是指标“{other}”和“{ind.name}”的名称或别名，读取时只认前者",
                    "删去或改写其中一个别名",
                )
            seen.setdefault(lab, ind.name)
    for group, table in (
        ("annex", scheme.headers.annex),
        ("entries", scheme.headers.entries),
        ("ranking", scheme.headers.ranking),
    ):
        roles: dict[str, str] = {}
        for role, labels in table.items():
            for written in labels:
                lab = label(written)
                if lab in roles and roles[lab] != role:
                    add(
                        "rubric-header-clash",
                        Level.WARNING,
                        f"headers.{group}.{role}",
                        f"表头“{written}”同时列在 {roles[lab]} 和 {role} 下，读取时只认前者",
                        "一个表头只能表示一种列",
                    )
                roles.setdefault(lab, role)
