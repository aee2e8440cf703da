"""Scoring a batch: from the records ``reading.py`` produced to a BatchResult.

Per unit and item: computed items from the indicators, assessor items from the 核定分, items
that combine both; then bonus and penalty entries, the total, the contribution by base points,
and the rank within the tier. Every choice follows the rubric's [decisions] (DOMAIN.md §5).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from flowscore.findings import Finding, Level, Report
from flowscore.inputs.records import AnnexRecord, AnnexSheet, Inputs, ItemEntry
from flowscore.numbers import HUNDRED, fmt, fmt_plain, q
from flowscore.results import BatchResult, Entry, IndicatorRow, ItemResult, UnitResult
from flowscore.rubric.model import (
    Item,
    Pool,
    RankPoints,
    RateShortfall,
    Scheme,
    Sheet,
    Threshold,
    Tier,
    Unit,
)
from flowscore.rules import RankPlace, compute_item, rank_places, ratio, to_decimal


def score(scheme: Scheme, inputs: Inputs, *, folder: str = "") -> BatchResult:
    report = Report(inputs.findings)
    d = scheme.decisions
    places = d.item_places
    annex_by_unit = _annexes_by_unit(scheme, inputs.annexes, report)
    # Each unit's values once: the rankings, the items and the indicator table all read them.
    values_of = {u.name: unit_values(scheme, inputs, u.name) for u in scheme.units}
    places_by_part = _rank_all(scheme, values_of)
    tables = {t.id: t for t in scheme.tables}
    entries_by_unit = _entries(scheme, inputs, report)

    if not inputs.saw_indicator_sheet and any(
        it.mode != "assessor" for s in scheme.sheets for it in s.items
    ):
        report.add(
            Finding(
                code="no-indicators",
                level=Level.ERROR,
                message="文件夹中没有找到指标数据表（表头含“单位”和指标名称）",
                hint="用 flowscore template --indicators 生成指标数据工作簿，填好后放入文件夹",
            )
        )

    batch = _Batch(
        scheme=scheme,
        inputs=inputs,
        places=places,
        annex_by_unit=annex_by_unit,
        values_of=values_of,
        places_by_part=places_by_part,
        tables=tables,
        entries_by_unit=entries_by_unit,
    )
    results = [_score_unit(batch, unit, report) for unit in scheme.units]

    ranked = _rank_tiers(results)
    return BatchResult(
        scheme_id=scheme.id,
        scheme_title=scheme.title,
        folder=folder,
        units=tuple(ranked),
        report=report,
        indicators=_indicator_rows(scheme, inputs, values_of),
        entries=tuple(e for u in scheme.units for e in entries_by_unit.get(u.name, [])),
        inputs=tuple(inputs.files),
        tiers=tuple((t.id, t.label, t.base) for t in scheme.tiers),
    )


@dataclass(frozen=True, kw_only=True)
class _Batch:
    """What scoring a unit reads besides the unit: the batch's records, prepared once."""

    scheme: Scheme
    inputs: Inputs
    places: int
    annex_by_unit: dict[str, AnnexRecord | None]
    values_of: dict[str, dict]
    places_by_part: dict[tuple[str, str, int], dict[str, RankPlace]]
    tables: dict
    entries_by_unit: dict[str, list[Entry]]


def _unit_head(unit: Unit, tier: Tier, sheet: Sheet) -> dict:
    """The fields every unit's result starts with, scored or not."""
    return {
        "unit": unit.name,
        "tier": tier.id,
        "tier_label": tier.label,
        "base": tier.base,
        "sheet": sheet.id,
    }


def _score_unit(b: _Batch, unit: Unit, report: Report) -> UnitResult:
    """One unit of the roster: its items, bonus and penalty, total and contribution (rank is
    given later, across the tier)."""
    scheme, inputs, d, places = b.scheme, b.inputs, b.scheme.decisions, b.places
    annex_by_unit, values_of, places_by_part = b.annex_by_unit, b.values_of, b.places_by_part
    tables, entries_by_unit = b.tables, b.entries_by_unit
    sheet = scheme.sheet(unit.sheet)
    tier = scheme.tier(unit.tier)
    unit_entries = entries_by_unit.get(unit.name, [])
    annex = annex_by_unit.get(unit.name)
    if annex is None:
        if unit.name not in annex_by_unit:  # None means two conflicting files: reported
            report.add(
                Finding(
                    code="missing-submission",
                    level=Level.ERROR,
                    unit=unit.name,
                    message=f"“{unit.name}”没有提交评分表（未报送）",
                    hint=f"请该单位{_deadline(scheme)}报送{sheet.annex or '评分表'}",
                )
            )
            return UnitResult(
                **_unit_head(unit, tier, sheet),
                status="missing",
                items=(),
                bonus=Decimal(0),
                penalty=Decimal(0),
                subtotal=Decimal(0),
                total=None,
                contribution=None,
                rank=None,
                entries=tuple(unit_entries),
            )
    if annex is not None:
        annex = annex.unpacked()  # this unit's item records, let go of once it is scored
    values = values_of[unit.name]
    city = inputs.ranking.get(unit.name)
    items = []
    for item in sheet.items:
        entry = annex.items.get(str(item.no)) if annex else None
        rp = {
            i: places_by_part.get((sheet.id, str(item.no), i), {}).get(unit.name)
            for i, p in enumerate(item.parts)
            if isinstance(p, RankPoints)
        }
        items.append(
            _score_item(
                scheme,
                unit,
                item,
                entry,
                values,
                rp,
                tables,
                (city.rank, city.tied) if city else None,
                annex,
                report,
                places,
                inputs,
            )
        )
    subtotal = _subtotal(sheet, items)
    if d.rescale_to_100 and sheet.items_max_sum != sheet.total:
        subtotal = subtotal * sheet.total / sheet.items_max_sum
    bonus = _pool_sum(sheet.bonus, [e for e in unit_entries if e.kind == "bonus" and e.counted])
    penalty = -_pool_sum(
        sheet.penalty, [e for e in unit_entries if e.kind == "penalty" and e.counted]
    )
    total = subtotal + bonus + penalty
    if d.total_floor is not None:
        total = max(total, d.total_floor)
    if d.total_cap is not None:
        total = min(total, d.total_cap)
    total = q(total, places)
    pending = any(i.source == "pending" for i in items)
    status = "provisional" if pending or annex is None else "final"
    self_vals = [i.self_score for i in items if i.self_score is not None]
    return UnitResult(
        **_unit_head(unit, tier, sheet),
        status=status,
        items=tuple(items),
        bonus=q(bonus, places),
        penalty=q(penalty, places),
        subtotal=q(subtotal, places),
        total=total,
        contribution=q(tier.base * total / HUNDRED, d.contribution_places),
        rank=None,
        file=annex.file if annex else "",
        self_total=sum(self_vals, Decimal(0)) if self_vals else None,
        entries=tuple(unit_entries),
        categories=_categories(items, sheet),
    )


def unit_values(scheme: Scheme, inputs: Inputs, unit: str) -> dict:
    """A unit's indicator values, with the rubric's derived indicators computed from them
    (a derived value that cannot be computed is simply absent: the rule then says why)."""
    from flowscore.formula import evaluate

    values: dict = {k: v.value for k, v in inputs.indicators.get(unit, {}).items()}
    for d in scheme.derived:
        r = evaluate(d.formula, values)
        if isinstance(r, Fraction):
            values[d.name] = to_decimal(r, 10)
    return values


def _deadline(scheme: Scheme) -> str:
    return f"{scheme.deadline}前" if scheme.deadline else "在截止日期前"


def _annexes_by_unit(
    scheme: Scheme, annexes: list[AnnexRecord], report: Report
) -> dict[str, AnnexRecord | None]:
    """One sheet per unit. A unit's own sheets: two of them is an error naming both, and the
    unit's items are then pending rather than taken from a guess (a value of None). Sheets
    that member departments filled in the field inspection (检查单位：…) are merged into it."""
    groups: dict[str, list[AnnexRecord]] = defaultdict(list)
    for a in annexes:
        groups[a.unit].append(a)
    out: dict[str, AnnexRecord | None] = {}
    for unit, group in groups.items():
        own = [a for a in group if not a.assessor]
        checks = [a for a in group if a.assessor]
        if len(own) > 1:
            names = "、".join(f"{a.file}（{a.sheet}）" for a in own)
            report.add(
                Finding(
                    code="duplicate-unit",
                    level=Level.ERROR,
                    unit=unit,
                    file=own[1].file,
                    sheet=own[1].sheet,
                    message=f"“{unit}”有{len(own)}份评分表：{names}，无法确定以哪份为准，该单位暂不计分",
                    hint="只保留正确的一份，删去或移走其他的",
                )
            )
            out[unit] = None
            continue
        if not checks:
            out[unit] = own[0]  # unpacked when the unit is scored
            continue
        out[unit] = _merge_assessors(
            scheme,
            unit,
            own[0].unpacked() if own else None,
            [a.unpacked() for a in checks],
            report,
        )
    return out


def _merge_assessors(
    scheme: Scheme, unit: str, own: AnnexSheet | None, checks: list[AnnexSheet], report: Report
) -> AnnexSheet:
    """The unit's sheet with the 核定分 of every member department's sheet merged in: an item
    scored by a department that does not own it is reported and not used; two different
    scores for one item are a conflict and leave the item pending."""
    from dataclasses import replace

    if not checks:
        assert own is not None
        return own
    base = own or replace(checks[0], items={}, assessor="")
    if own is None:
        report.add(
            Finding(
                code="no-self-check",
                level=Level.WARNING,
                unit=unit,
                file=checks[0].file,
                message=f"“{unit}”只有成员单位的检查评分表，没有自查自评表",
                hint="请该单位报送自查自评表（自评分）",
            )
        )
    u = scheme.unit(unit)
    sheet = scheme.sheet(u.sheet) if u else None
    items = dict(base.items)
    conflicts: dict[str, str] = {}
    for no in sorted({n for a in [base, *checks] for n in a.items}, key=_no_key):
        item = sheet.item(no) if sheet else None
        scored: list[tuple[str, ItemEntry, AnnexSheet]] = []
        if no in base.items and base.items[no].entered is not None:
            scored.append(("", base.items[no], base))
        for a in checks:
            e = a.items.get(no)
            if e is None or e.entered is None:
                continue
            if item is not None and item.owner and a.assessor != item.owner:
                report.add(
                    Finding(
                        code="scored-by-non-owner",
                        level=Level.WARNING,
                        unit=unit,
                        file=a.file,
                        sheet=a.sheet,
                        cell=e.verified_cell,
                        message=f"序号 {no} 由{item.owner}负责评分，{a.assessor}填写的核定分 "
                        f"{fmt_plain(e.entered)} 未采用",
                        hint=f"请{a.assessor}只填写本单位负责的项目",
                    )
                )
                continue
            scored.append((a.assessor, e, a))
        values = {e.entered for _, e, _ in scored}
        if len(values) > 1:
            who = "、".join(
                f"{name or '自查表'} {fmt_plain(e.entered)}（{a.file} › {e.verified_cell}）"
                for name, e, a in scored
            )
            report.add(
                Finding(
                    code="assessor-conflict",
                    level=Level.ERROR,
                    unit=unit,
                    file=scored[1][2].file,
                    sheet=scored[1][2].sheet,
                    cell=scored[1][1].verified_cell,
                    message=f"序号 {no} 有不同的核定分：{who}，该项待核定",
                    hint="由负责单位确认后只保留一个核定分",
                )
            )
            conflicts[no] = f"待核定：核定分不一致（{who}）"
            continue
        if scored:
            name, e, a = scored[-1]
            mine = items.get(no)
            items[no] = replace(
                mine or e,
                entered=e.entered,
                verified_cell=e.verified_cell,
                assessor=name,
                remark=(mine.remark if mine else "") or e.remark,
            )
    return replace(base, items=items, conflicts=conflicts)


def _no_key(no: str) -> tuple:
    return tuple(int(x) if x.isdigit() else x for x in re.split(r"[.、]", no))


def _rank_all(
    scheme: Scheme, values_of: dict[str, dict]
) -> dict[tuple[str, str, int], dict[str, RankPlace]]:
    """Every rank_points part ranked once, across all units of its sheet kind (or its tier)."""
    out: dict[tuple[str, str, int], dict[str, RankPlace]] = {}
    for sheet in scheme.sheets:
        for item in sheet.items:
            for index, part in enumerate(item.parts):
                if not isinstance(part, RankPoints):
                    continue
                groups: dict[str, dict[str, Fraction]] = defaultdict(dict)
                for unit in scheme.units_of_sheet(sheet.id):
                    values = values_of[unit.name]
                    r = ratio(values, part.numerator, part.denominator)
                    if isinstance(r, Fraction):
                        key = unit.tier if scheme.decisions.rank_scope == "tier" else sheet.id
                        groups[key][unit.name] = r
                merged: dict[str, RankPlace] = {}
                for rates in groups.values():
                    merged.update(rank_places(part, rates))
                out[(sheet.id, str(item.no), index)] = merged
    return out


def _score_item(
    scheme: Scheme,
    unit: Unit,
    item: Item,
    entry: ItemEntry | None,
    values: dict,
    rank_place: dict[int, RankPlace | None],
    tables: dict,
    city: tuple[int, int] | None,
    annex: AnnexSheet | None,
    report: Report,
    places: int,
    inputs: Inputs,
) -> ItemResult:
    d = scheme.decisions
    self_score = entry.self_score if entry else None
    entered = entry.entered if entry else None
    remark = entry.remark if entry else ""
    file = annex.file if annex else ""
    sheet_name = annex.sheet if annex else ""
    vcell = entry.verified_cell if entry else ""

    def find(code: str, level: Level, message: str, hint: str, cell: str = vcell) -> None:
        report.add(
            Finding(
                code=code,
                level=level,
                file=file,
                sheet=sheet_name,
                cell=cell,
                unit=unit.name,
                message=message,
                hint=hint,
            )
        )

    label = f"序号{item.no}（{item.short or item.text[:10]}）"
    vlabel = scheme.sheet(unit.sheet).columns.get("verified", "核定分")  # Beilun: 考核分
    if annex is None:
        return _item(
            item, entry, None, None, "pending", "该单位有多份评分表，无法确定以哪份为准，待核定", ""
        )
    if str(item.no) in annex.conflicts:
        return _item(item, entry, None, None, "pending", annex.conflicts[str(item.no)], vcell)
    if entry is not None and self_score is not None:
        if self_score > item.max:
            if remark:
                find(
                    "self-above-max-with-reason",
                    Level.INFO,
                    f"{label}自评分 {fmt_plain(self_score)} 高于分值 {item.max_label}，备注说明：{remark}",
                    "考核组核定时参考该理由",
                    entry.self_cell,
                )
            elif d.self_above_max_needs_reason:
                find(
                    "self-above-max",
                    Level.WARNING,
                    f"{label}自评分 {fmt_plain(self_score)} 高于分值 {item.max_label}，且未说明理由",
                    "自评分一般不高于分值标准；高于时须在备注中说明加分理由",
                    entry.self_cell,
                )
        elif self_score < item.min:
            find(
                "self-out-of-range",
                Level.WARNING,
                f"{label}自评分 {fmt_plain(self_score)} 低于下限 {fmt_plain(item.min)}",
                "核对自评分",
                entry.self_cell,
            )
    if entered is not None and not (item.min <= entered <= item.max):
        find(
            "score-out-of-range",
            Level.ERROR,
            f"{label}核定分 {fmt_plain(entered)} 超出范围 {fmt_plain(item.min)}～{fmt_plain(item.max)}，未采用",
            "核定分应在 0 到分值之间（±项在正负分值之间）",
        )
        entered_ok = None
    elif entered is not None and item.allowed and entered not in item.allowed:
        shown = "、".join(fmt_plain(a) for a in item.allowed)
        find(
            "score-not-allowed",
            Level.ERROR,
            f"{label}核定分 {fmt_plain(entered)} 不是评分标准允许的分数（{shown}），未采用",
            "按评分标准的扣分档次填写",
        )
        entered_ok = None
    else:
        # An assessor's score is an item score like any other: 2 places, half-up.
        entered_ok = q(entered, places) if entered is not None else None

    if item.mode == "assessor":
        if entered_ok is None and entered is None and item.assessor_optional:
            # a discretionary bonus or deduction left blank: nobody gave one (0), not pending
            zero = q(max(item.min, min(item.max, Decimal(0))), places)
            return _item(
                item,
                entry,
                zero,
                None,
                "assessor",
                _assessor_note(
                    item, f"考核组未填写，按 {fmt(zero, places)} 分计（本项空白即不加分、不扣分）"
                ),
                vcell,
            )
        if entered_ok is None:
            if entered is None:  # a rejected score has its own finding already
                find(
                    "pending",
                    Level.WARNING,
                    f"{label}尚未核定（{vlabel}为空），该单位得分暂定",
                    f"考核组在{vlabel}栏填写分数；--strict 时视为错误",
                )
            why = (
                f"待核定：{vlabel}为空"
                if entered is None
                else f"待核定：{vlabel}未采用（见问题清单）"
            )
            return _item(item, entry, None, None, "pending", _assessor_note(item, why), vcell)
        who = entry.assessor if entry and entry.assessor else "考核组"  # 市财政局 (merged)
        return _item(
            item,
            entry,
            entered_ok,
            None,
            "assessor",
            _assessor_note(item, f"{who}核定 {fmt(entered_ok, places)} 分"),
            vcell,
        )

    comp = compute_item(
        item, values, places=places, rank_place=rank_place, tables=tables, city_rank=city
    )
    if comp.value is None:
        for code, message in comp.problems:
            where = inputs.indicator_sources.get(unit.name)
            level = Level.WARNING if code == "zero-denominator" else Level.ERROR
            hints = {
                "missing-indicator": "在指标数据表中补上该单位的这项指标",
                "zero-denominator": "核对指标数据；分母为0时比率无法计算，该项待核定",
                "missing-rank": "在“市考排名”表中填写该单位的排名",
                "bad-rank": "核对排名和并列数",
            }
            report.add(
                Finding(
                    code=code,
                    level=level,
                    unit=unit.name,
                    file=where[0] if where else "",
                    sheet=where[1] if where else "",
                    cell=f"第{where[2]}行" if where else "",
                    message=f"{label}无法计算：{message}，该项待核定",
                    hint=hints.get(code, ""),
                )
            )
        if item.mode == "ceiling_assessor" and entered_ok is not None:
            return _item(
                item,
                entry,
                entered_ok,
                None,
                "assessor",
                f"考核组核定 {fmt(entered_ok, places)} 分；计算上限无法核对：{comp.explanation}",
                vcell,
            )
        return _item(item, entry, None, None, "pending", f"待核定：{comp.explanation}", vcell)

    if item.mode == "ceiling_assessor":
        ceiling = comp.value
        if entered_ok is None and item.assessor_optional:
            return _item(
                item,
                entry,
                ceiling,
                ceiling,
                "computed",
                f"{comp.explanation}（考核组未另行扣分）",
                vcell,
            )
        if entered_ok is None:
            find(
                "pending",
                Level.WARNING,
                f"{label}尚未核定（{vlabel}为空），该单位得分暂定",
                f"考核组在{vlabel}栏填写分数；--strict 时视为错误",
            )
            return _item(
                item,
                entry,
                None,
                ceiling,
                "pending",
                f"待核定：计算上限 {fmt(ceiling, places)} 分（{comp.explanation}）",
                vcell,
            )
        text = f"考核组核定 {fmt(entered_ok, places)} 分；计算上限 {fmt(ceiling, places)} 分（{comp.explanation}）"
        if entered_ok > ceiling:
            find(
                "above-ceiling",
                Level.WARNING,
                f"{label}核定分 {fmt(entered_ok, places)} 高于按报备情况计算的上限 {fmt(ceiling, places)}",
                "核对核定分：报备部分已扣分，核定分一般不应高于上限",
            )
            text += "；核定分高于计算上限，已提示复核"
        return _item(item, entry, entered_ok, ceiling, "assessor", text, vcell)

    # computed
    value = comp.value
    if entered_ok is not None and entered_ok != value:
        if remark and d.computed_override_needs_reason:
            find(
                "override",
                Level.INFO,
                f"{label}核定分 {fmt(entered_ok, places)} 改写了计算值 {fmt(value, places)}，理由：{remark}",
                "改写以考核组填写的理由为准，请确认",
            )
            return _item(
                item,
                entry,
                entered_ok,
                value,
                "override",
                f"考核组改写为 {fmt(entered_ok, places)} 分（理由：{remark}）；"
                f"计算值 {fmt(value, places)} 分：{comp.explanation}",
                vcell,
            )
        find(
            "computed-differs",
            Level.WARNING,
            f"{label}填写的核定分 {fmt(entered_ok, places)} 与计算值 {fmt(value, places)} 不同，以计算值为准",
            "如确需改写，请在备注中写明理由",
        )
        return _item(
            item,
            entry,
            value,
            value,
            "computed",
            f"{comp.explanation}（表上核定分 {fmt(entered_ok, places)} 与计算值不同，未采用）",
            vcell,
        )
    return _item(item, entry, value, value, "computed", comp.explanation, vcell)


def _assessor_note(item: Item, text: str) -> str:
    return f"{text}（{item.note}）" if item.note else text


def _item(
    item: Item,
    entry: ItemEntry | None,
    verified: Decimal | None,
    computed: Decimal | None,
    source: str,
    explanation: str,
    cell: str,
) -> ItemResult:
    return ItemResult(
        no=item.no,
        short=item.short,
        text=item.text,
        max=item.max,
        min=item.min,
        max_label=item.max_label,
        mode=item.mode,
        self_score=entry.self_score if entry else None,
        entered=entry.entered if entry else None,
        remark=entry.remark if entry else "",
        verified=verified,
        computed=computed,
        source=source,
        explanation=explanation,
        category=item.category,
        cell=cell,  # type: ignore[arg-type]
        extra_item=item.extra,
        assessor=entry.assessor if entry else "",
    )


def _entries(scheme: Scheme, inputs: Inputs, report: Report) -> dict[str, list[Entry]]:
    """Check every bonus/penalty entry against its pool; per topic only the highest bonus counts
    (同个专题不重复计分，按最高分计分)."""
    out: dict[str, list[Entry]] = defaultdict(list)
    by_unit: dict[str, list] = defaultdict(list)
    for e in inputs.entries:
        by_unit[e.unit].append(e)
    for unit_name, raws in by_unit.items():
        unit = scheme.unit(unit_name)
        assert unit is not None
        sheet = scheme.sheet(unit.sheet)
        valid = []
        for e in raws:
            pool = sheet.bonus if e.kind == "bonus" else sheet.penalty
            kind_label = "加分" if e.kind == "bonus" else "减分"
            signed = e.magnitude if e.kind == "bonus" else -e.magnitude
            if pool is None:
                report.add(
                    Finding(
                        code="entry-not-allowed",
                        level=Level.ERROR,
                        file=e.file,
                        sheet=e.sheet,
                        cell=e.points_cell,
                        unit=unit_name,
                        message=f"{sheet.title}没有{kind_label}项目，此条未计入",
                        hint="删去这条记录",
                    )
                )
                out[unit_name].append(_entry(e, signed, False, f"该表无{kind_label}项目"))
                continue
            if not (pool.min <= e.magnitude <= pool.max):
                report.add(
                    Finding(
                        code="entry-out-of-range",
                        level=Level.ERROR,
                        file=e.file,
                        sheet=e.sheet,
                        cell=e.points_cell,
                        unit=unit_name,
                        message=f"{kind_label} {fmt_plain(e.magnitude)} 分超出每项 {fmt_plain(pool.min)}～"
                        f"{fmt_plain(pool.max)} 分的范围，此条未计入",
                        hint=f"按考核办法，每项{kind_label}{fmt_plain(pool.min)}～{fmt_plain(pool.max)}分",
                    )
                )
                out[unit_name].append(_entry(e, signed, False, "超出分值范围"))
                continue
            valid.append((e, signed, pool))
        best: dict[str, tuple] = {}
        for e, signed, pool in valid:
            if pool.same_topic == "highest":
                key = _topic_key(e.topic) or f"#{e.file}:{e.row}"
                if key not in best or e.magnitude > best[key][0].magnitude:
                    best[key] = (e, signed)
        for e, signed, pool in valid:
            if pool.same_topic == "highest":
                key = _topic_key(e.topic) or f"#{e.file}:{e.row}"
                winner = best[key][0]
                if winner is e:
                    others = sum(
                        1
                        for x, _s, _p in valid
                        if _topic_key(x.topic) == _topic_key(e.topic) and x is not e and e.topic
                    )
                    why = f"同专题{others + 1}项，按最高分计" if others else "计入"
                    out[unit_name].append(_entry(e, signed, True, why))
                else:
                    out[unit_name].append(
                        _entry(
                            e,
                            signed,
                            False,
                            f"同专题“{e.topic}”已按最高分 {fmt_plain(winner.magnitude)} 计，不重复计分",
                        )
                    )
            else:
                out[unit_name].append(_entry(e, signed, True, "计入"))
    return out


def _topic_key(topic: str) -> str:
    from flowscore.names import norm

    return norm(topic)


def _entry(e, signed: Decimal, counted: bool, reason: str) -> Entry:
    return Entry(
        unit=e.unit,
        kind=e.kind,
        topic=e.topic,
        points=signed,
        note=e.note,
        counted=counted,
        reason=reason,
        file=e.file,
        sheet=e.sheet,
        row=e.row,
    )


def _pool_sum(pool: Pool | None, entries: list[Entry]) -> Decimal:
    total = sum((abs(e.points) for e in entries), Decimal(0))
    if pool is not None and pool.cap is not None:
        total = min(total, pool.cap)
    return total


def _subtotal(sheet: Sheet, items: list[ItemResult]) -> Decimal:
    """Σ verified item scores; a category with bounds (section 四: at most −10) is clamped as a
    whole."""
    bounds = {c.name: c for c in sheet.categories if c.min is not None or c.max is not None}
    total = Decimal(0)
    per_cat: dict[str, Decimal] = defaultdict(Decimal)
    for i in items:
        if i.verified is None:
            continue
        if i.category in bounds:
            per_cat[i.category] += i.verified
        else:
            total += i.verified
    for name, value in per_cat.items():
        c = bounds[name]
        if c.min is not None:
            value = max(value, c.min)
        if c.max is not None:
            value = min(value, c.max)
        total += value
    return total


def _categories(
    items: list[ItemResult], sheet: Sheet | None = None
) -> tuple[tuple[str, Decimal, Decimal], ...]:
    """(category, verified subtotal, max) per category, in item order; clamped like the total."""
    cats: dict[str, list[Decimal]] = {}
    for i in items:
        if i.category:
            acc = cats.setdefault(i.category, [Decimal(0), Decimal(0)])
            acc[0] += i.verified or 0
            acc[1] += i.max if not i.extra_item else 0
    if sheet is not None:
        for c in sheet.categories:
            if c.name in cats:
                v = cats[c.name]
                if c.min is not None:
                    v[0] = max(v[0], c.min)
                if c.max is not None:
                    v[0] = min(v[0], c.max)
                    v[1] = c.max
    return tuple((k, v[0], v[1]) for k, v in cats.items())


def _rank_tiers(units: list[UnitResult]) -> list[UnitResult]:
    """Rank within tier by total, best first; equal totals share a rank (1, 2, 2, 4)."""
    from dataclasses import replace

    out: dict[str, UnitResult] = {u.unit: u for u in units}
    tiers: dict[str, list[UnitResult]] = defaultdict(list)
    for u in units:
        if u.total is not None:
            tiers[u.tier].append(u)
    for group in tiers.values():
        group.sort(key=lambda u: (-u.total, u.unit))  # type: ignore[operator]
        rank = 0
        prev = None
        for i, u in enumerate(group, 1):
            if u.total != prev:
                rank, prev = i, u.total
            out[u.unit] = replace(u, rank=rank)
    return [out[u.unit] for u in units]


def _indicator_rows(
    scheme: Scheme, inputs: Inputs, values_of: dict[str, dict]
) -> tuple[IndicatorRow, ...]:
    rows = []
    for unit in scheme.units:
        if unit.name not in inputs.indicators:
            continue
        values = values_of[unit.name]
        rates: dict[str, Decimal | None] = {}
        for item in scheme.sheet(unit.sheet).items:
            for part in item.parts:
                if isinstance(part, RateShortfall | RankPoints | Threshold) and getattr(
                    part, "numerator", None
                ):
                    name = getattr(part, "rate_name", None) or getattr(part, "value_name", "")
                    r = ratio(values, part.numerator, part.denominator)  # type: ignore[arg-type]
                    rates[name] = to_decimal(r) if isinstance(r, Fraction) else None
        src = inputs.indicator_sources.get(unit.name, ("", "", 0))
        rows.append(
            IndicatorRow(
                unit=unit.name, values=values, rates=rates, file=src[0], sheet=src[1], row=src[2]
            )
        )
    return tuple(rows)


__all__ = ["fmt", "score"]
