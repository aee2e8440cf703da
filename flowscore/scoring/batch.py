"""Scoring a batch: from the records reading produced to a BatchResult.

Per unit and item (``item.py``); rankings across units prepared once (the rule kinds that rank
units); bonus and penalty entries (``entries.py``); a unit's sheets merged (``assessors.py``);
then the total, the contribution by base points and the rank within the tier. Every choice
follows the rubric's [decisions] (DOMAIN.md §5).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowscore.catalog import finding
from flowscore.findings import Finding, Level, Report
from flowscore.inputs.records import AnnexRecord, Inputs, RankRow
from flowscore.names import roster_of
from flowscore.numbers import HUNDRED, q
from flowscore.results import BatchResult, Entry, IndicatorRow, ItemResult, UnitResult
from flowscore.rubric.model import PointsTable, Scheme, Sheet, Tier, Unit
from flowscore.rules.base import Values, to_decimal
from flowscore.scoring import register as reg
from flowscore.scoring.assessors import annexes_by_unit
from flowscore.scoring.entries import check_entries, pool_sum
from flowscore.scoring.item import ItemInput, score_item, shared_value
from flowscore.scoring.moves import report_rank_moves

if TYPE_CHECKING:
    from flowscore.scoring.memo import ScoreMemo

_DERIVED_BOUND = 10**15  # a derived indicator past this is a data error, not a count

# (sheet id, item no, part index) → unit → what the ranking part prepared for it
Prepared = dict[tuple[str, str, int], Mapping[str, Any]]


def score(
    scheme: Scheme,
    inputs: Inputs,
    *,
    folder: str = "",
    as_of: dt.date | None = None,
    memo: ScoreMemo | None = None,
    jobs: int = 1,
) -> BatchResult:
    """The batch's result; ``memo``: units whose inputs are as a previous run's take its
    result from there (``scoring.memo``), the others are scored and kept in it. ``jobs`` > 1:
    a large batch's units are scored in that many worker processes (``scoring.spread``; the
    same result)."""
    report = Report(inputs.findings)
    # Each unit's values once: the rankings, the items and the indicator table all read them.
    values_of = {u.name: unit_values(scheme, inputs, u.name) for u in scheme.units}
    entries_by_unit = check_entries(scheme, inputs.entries, report)
    if not inputs.saw_indicator_sheet and any(
        it.mode != "assessor" for s in scheme.sheets for it in s.items
    ):
        report.add(finding("no-indicators"))
    # The assessor's register first: the items it decides settle member departments'
    # disagreements when the sheets are merged (precedence: scoring/register.py).
    registered = reg.resolve_register(scheme, inputs.register, report)
    annex_by_unit = annexes_by_unit(scheme, inputs.annexes, report, reg.settled(registered))
    batch = _Batch(
        scheme=scheme,
        inputs=inputs,
        annex_by_unit=annex_by_unit,
        values_of=values_of,
        prepared=_prepare_rankings(scheme, values_of),
        tables={t.id: t for t in scheme.tables},
        entries_by_unit=entries_by_unit,
        refused=_refused_files(scheme, inputs),
        register=reg.by_unit(scheme, registered, annex_by_unit, report),
        shared={},
    )
    results = _score_units(batch, report, memo, jobs)
    ranked = _rank_tiers(results)
    units_by_name = {u.name: u for u in scheme.units}
    report_rank_moves(
        ranked,
        lambda u: _score_unit(
            batch, unit_inputs(batch, units_by_name[u.unit]), Report(), plain=True
        ),
        _rank_tiers,
        {t.id: t.label for t in scheme.tiers},
        report,
    )
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
        scheme_year=scheme.year,
        document=scheme.document,
        as_of=as_of,
        scheme_digest=scheme.digest,
    )


@dataclass(frozen=True, kw_only=True)
class Basis:
    """What ``_score_unit`` reads besides a unit's ``UnitInputs``: the rubric, its points
    tables, and the table of values results share (``item.shared_value``). A worker process
    builds its own (``scoring.spread``)."""

    scheme: Scheme
    tables: dict[str, PointsTable]
    shared: dict[Any, Any]  # ItemInput.share's values, one table for the batch (or worker)

    @classmethod
    def of(cls, scheme: Scheme) -> Basis:
        return cls(scheme=scheme, tables={t.id: t for t in scheme.tables}, shared={})


@dataclass(frozen=True, kw_only=True)
class _Batch(Basis):
    """What scoring a unit reads besides the unit: the batch's records, prepared once."""

    inputs: Inputs
    annex_by_unit: dict[str, AnnexRecord | None]
    values_of: dict[str, dict[str, Any]]
    prepared: Prepared
    entries_by_unit: dict[str, list[Entry]]
    refused: dict[str, tuple[str, str, str]]  # unit -> (its file that gave no sheet, why, variant)
    register: dict[str, dict[str, reg.Registered]]  # unit → item no → the register's word

    @property
    def ranking_sheet(self) -> tuple[str, str, str] | None:
        """The 市考排名 sheet a unit's row is missing from (None: the materials have none)."""
        row = next(iter(self.inputs.ranking.values()), None)
        return (row.file, row.sheet, "") if row is not None else None


def _refused_files(scheme: Scheme, inputs: Inputs) -> dict[str, tuple[str, str, str]]:
    """Files a unit sent that gave no score sheet: unreadable, holding nothing usable (with an
    error), or a score sheet refused whole with an error (another assessment's template), by
    the unit the error or the file's name names. That unit sent its sheet: it is not 未报送.
    The value: (file, the first error's message, ``submission-unreadable``'s variant)."""
    first_error: dict[str, Finding] = {}
    for f in inputs.findings:
        if f.level is Level.ERROR and f.file and f.file not in first_error:
            first_error[f.file] = f
    read = {a.file for a in inputs.annexes}
    roster = roster_of(scheme)
    out: dict[str, tuple[str, str, str]] = {}
    for record in inputs.files:
        error = first_error.get(record.path)
        if record.kind == "unreadable" or (record.kind == "unknown" and error is not None):
            variant = ""
        elif record.kind == "annex" and error is not None and record.path not in read:
            variant = "refused"
        else:
            continue
        unit = (error.unit if error is not None and variant else "") or roster.find_in(
            Path(record.path).stem
        )
        if unit and unit not in out:
            out[unit] = (record.path, error.message if error else "文件无法读取", variant)
    return out


def _unit_head(unit: Unit, tier: Tier, sheet: Sheet) -> dict[str, Any]:
    """The fields every unit's result starts with, scored or not."""
    return {
        "unit": unit.name,
        "tier": tier.id,
        "tier_label": tier.label,
        "base": tier.base,
        "sheet": sheet.id,
    }


@dataclass(frozen=True, kw_only=True)
class UnitInputs:
    """Everything of the batch one unit is scored from, besides the rubric: its ``repr`` is the
    unit's key in the score memo (``scoring.memo``), so ``_score_unit`` reads nothing else."""

    unit: Unit
    record: AnnexRecord | None  # its sheet's records (None: none, or conflicting sheets)
    sent: bool  # a sheet of it was read (``record`` None then: conflicting sheets)
    refused: tuple[str, str, str] | None  # its file that gave no sheet, why, and the variant
    entries: tuple[Entry, ...]
    city: RankRow | None
    registered: dict[str, reg.Registered]
    values: dict[str, Any]
    prepared: tuple[dict[int, Any], ...]  # per item: what its ranking parts prepared for it
    indicator_source: tuple[str, str, int] | None
    ranking_source: tuple[str, str, str] | None


def unit_inputs(b: _Batch, unit: Unit) -> UnitInputs:
    sheet = b.scheme.sheet(unit.sheet)
    city = b.inputs.ranking.get(unit.name)
    return UnitInputs(
        unit=unit,
        record=b.annex_by_unit.get(unit.name),
        sent=unit.name in b.annex_by_unit,
        refused=b.refused.get(unit.name),
        entries=tuple(b.entries_by_unit.get(unit.name, [])),
        city=city,
        registered=b.register.get(unit.name, {}),
        values=b.values_of[unit.name],
        prepared=tuple(
            {
                i: b.prepared[(sheet.id, str(item.no), i)].get(unit.name)
                for i, p in enumerate(item.parts)
                if p.ranks_units
            }
            for item in sheet.items
        ),
        indicator_source=b.inputs.indicator_sources.get(unit.name),
        ranking_source=(city.file, city.sheet, city.cell) if city else b.ranking_sheet,
    )


def _score_units(b: _Batch, report: Report, memo: ScoreMemo | None, jobs: int) -> list[UnitResult]:
    """Every unit's result, in roster order, its findings added to ``report`` in that order
    whoever scored it: taken from the memo, scored by workers (``scoring.spread``, when there
    are enough units to pay for them), or scored here. What was scored is kept in the memo."""
    from flowscore.scoring import spread

    units = b.scheme.units
    done: list[tuple[UnitResult, Sequence[Finding]] | None] = [None] * len(units)
    keys: dict[int, bytes] = {}  # unit index → its memo key
    # each unit's inputs, made once: for its key, then for whoever scores it
    made: list[UnitInputs | None] = [None] * len(units)

    def inputs_of(i: int) -> UnitInputs:
        x = made[i]
        if x is None:
            x = made[i] = unit_inputs(b, units[i])
        return x

    if memo is not None and memo.entries:  # (an empty memo has nothing to take)
        for i, unit in enumerate(units):
            sheet = b.scheme.sheet(unit.sheet)
            keys[i] = memo.key(inputs_of(i))
            done[i] = memo.take(keys[i], _unit_head(unit, b.scheme.tier(unit.tier), sheet), sheet)
            if done[i] is not None:
                made[i] = None  # taken: not scored
    taken = {i for i, got in enumerate(done) if got is not None}
    todo = [i for i in range(len(units)) if i not in taken]
    if spread.worth_it(jobs, len(todo)):
        xs = [inputs_of(i) for i in todo]
        got = spread.score_elsewhere(
            b.scheme,
            xs,
            jobs=jobs,
            codec=memo.codec if memo else None,
            salt=memo.salt if memo is not None and not keys else None,
        )
        for i, elsewhere in zip(todo, got, strict=True):
            if elsewhere is not None:  # else not packable: scored here
                done[i] = elsewhere[:2]
                if elsewhere[2] is not None:
                    keys[i] = elsewhere[2]
        del xs
    results = []
    for i in range(len(units)):
        one = done[i]
        if one is None and memo is None:
            results.append(_score_unit(b, inputs_of(i), report))
            made[i] = None
            continue
        if one is None:
            own = Report()
            one = (_score_unit(b, inputs_of(i), own), own.in_order())
        report.extend(one[1])
        results.append(one[0])
        if memo is not None and i not in taken:
            # packed when saved, not kept as a worker packed it: holding 10,000 units' packed
            # results until then raised a first run's peak memory by ~14 MB
            key = keys[i] if i in keys else memo.key(inputs_of(i))
            memo.keep(key, one[0], b.scheme.sheet(units[i].sheet), one[1])
        made[i] = None  # let go of once scored (its sheet's records)
    return results


def _score_unit(b: Basis, x: UnitInputs, report: Report, *, plain: bool = False) -> UnitResult:
    """One unit of the roster: its items, bonus and penalty, total and contribution (rank is
    given later, across the tier). ``plain``: from the sheets alone, without the register
    and without overrides (what ``rank-moved`` compares with)."""
    scheme, d, unit = b.scheme, b.scheme.decisions, x.unit
    places = d.item_places
    sheet = scheme.sheet(unit.sheet)
    tier = scheme.tier(unit.tier)
    unit_entries = x.entries
    record = x.record
    if record is None and not x.sent:  # None: conflicting sheets, reported
        refused = x.refused
        if refused is not None:
            report.add(
                finding(
                    "submission-unreadable",
                    refused[2],
                    file=refused[0],
                    unit=unit.name,
                    reason=refused[1],
                    annex=sheet.annex or "评分表",
                )
            )
        else:
            report.add(
                finding(
                    "missing-submission",
                    unit=unit.name,
                    deadline=_deadline(scheme),
                    annex=sheet.annex or "评分表",
                )
            )
        return UnitResult(
            **_unit_head(unit, tier, sheet),
            status="missing" if refused is None else "rejected",
            file=refused[0] if refused is not None else "",
            items=(),
            bonus=Decimal(0),
            penalty=Decimal(0),
            subtotal=Decimal(0),
            total=None,
            contribution=None,
            rank=None,
            entries=unit_entries,
        )
    annex = record.unpacked() if record is not None else None  # let go of once scored
    city = x.city
    registered = x.registered
    items = []
    for item, prepared in zip(sheet.items, x.prepared, strict=True):
        items.append(
            score_item(
                ItemInput(
                    scheme=scheme,
                    unit=unit,
                    item=item,
                    annex=annex,
                    entry=annex.items.get(str(item.no)) if annex else None,
                    values=x.values,
                    tables=b.tables,
                    city_rank=(city.rank, city.tied) if city else None,
                    batch=prepared,
                    indicator_source=x.indicator_source,
                    ranking_source=x.ranking_source,
                    report=report,
                    register=registered.get(str(item.no)),
                    plain=plain,
                    shared=b.shared,
                )
            )
        )
    subtotal = _subtotal(sheet, items)
    if d.rescale_to_100 and sheet.items_max_sum != sheet.total:
        subtotal = subtotal * sheet.total / sheet.items_max_sum
    bonus = pool_sum(sheet.bonus, [e for e in unit_entries if e.kind == "bonus" and e.counted])
    if d.bonus_cap is not None:
        bonus = min(bonus, d.bonus_cap)
    penalty = -pool_sum(
        sheet.penalty, [e for e in unit_entries if e.kind == "penalty" and e.counted]
    )
    total = subtotal + bonus + penalty
    if d.total_floor is not None:
        total = max(total, d.total_floor)
    if d.total_cap is not None:
        total = min(total, d.total_cap)
    total = q(total, places)
    pending = any(i.source == "pending" for i in items)
    self_vals = [i.self_score for i in items if i.self_score is not None]
    same = functools.partial(shared_value, b.shared)
    return UnitResult(
        **_unit_head(unit, tier, sheet),
        status="provisional" if pending or annex is None else "final",
        items=tuple(items),
        bonus=same(q(bonus, places)),
        penalty=same(q(penalty, places)),
        subtotal=same(q(subtotal, places)),
        total=same(total),
        contribution=same(q(tier.base * total / HUNDRED, d.contribution_places)),
        rank=None,
        file=annex.file if annex else "",
        self_total=same(sum(self_vals, Decimal(0))) if self_vals else None,
        entries=unit_entries,
        categories=_categories(items, sheet),
    )


def unit_values(scheme: Scheme, inputs: Inputs, unit: str) -> dict[str, Any]:
    """A unit's indicator values, with the rubric's derived indicators computed from them
    (a derived value that cannot be computed is simply absent: the rule then says why)."""
    from flowscore.formula import evaluate

    values: dict[str, Any] = {k: v.value for k, v in inputs.indicators.get(unit, {}).items()}
    for d in scheme.derived:
        r = evaluate(d.formula, values)
        if isinstance(r, Fraction) and abs(r) <= _DERIVED_BOUND:  # past it: absent, rule says so
            values[d.name] = to_decimal(r, 10)
    return values


def _deadline(scheme: Scheme) -> str:
    return f"{scheme.deadline}前" if scheme.deadline else "在截止日期前"


def _prepare_rankings(scheme: Scheme, values_of: Mapping[str, Values]) -> Prepared:
    """Every part that ranks units, prepared once: across all units of its sheet kind, or of
    each tier (``decisions.rank_scope``)."""
    out: Prepared = {}
    for sheet in scheme.sheets:
        for item in sheet.items:
            for index, part in enumerate(item.parts):
                if not part.ranks_units:
                    continue
                groups: dict[str, dict[str, Values]] = defaultdict(dict)
                for unit in scheme.units_of_sheet(sheet.id):
                    key = unit.tier if scheme.decisions.rank_scope == "tier" else sheet.id
                    groups[key][unit.name] = values_of[unit.name]
                merged: dict[str, Any] = {}
                for group in groups.values():
                    merged.update(part.prepare(group))
                out[(sheet.id, str(item.no), index)] = merged
    return out


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
    out: dict[str, UnitResult] = {u.unit: u for u in units}
    tiers: dict[str, list[tuple[Decimal, UnitResult]]] = defaultdict(list)
    for u in units:
        if u.total is not None:
            tiers[u.tier].append((u.total, u))
    for group in tiers.values():
        group.sort(key=lambda tu: (-tu[0], tu[1].unit))
        rank = 0
        prev: Decimal | None = None
        for i, (total, u) in enumerate(group, 1):
            if total != prev:
                rank, prev = i, total
            out[u.unit] = replace(u, rank=rank)
    return [out[u.unit] for u in units]


def _indicator_rows(
    scheme: Scheme, inputs: Inputs, values_of: dict[str, dict[str, Any]]
) -> tuple[IndicatorRow, ...]:
    rows = []
    for unit in scheme.units:
        if unit.name not in inputs.indicators:
            continue
        values = values_of[unit.name]
        rates: dict[str, Decimal | None] = {}
        for item in scheme.sheet(unit.sheet).items:
            for part in item.parts:
                rate = part.rate(values)
                if rate is not None:
                    rates[rate[0]] = rate[1]
        src = inputs.indicator_sources.get(unit.name, ("", "", 0))
        rows.append(
            IndicatorRow(
                unit=unit.name, values=values, rates=rates, file=src[0], sheet=src[1], row=src[2]
            )
        )
    return tuple(rows)
