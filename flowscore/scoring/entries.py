"""Bonus (加分) and penalty (减分) entries: each checked against its sheet's pool (the kind must
exist, the points lie in the pool's range); per topic only the highest bonus counts (同个专题不重复
计分，按最高分计分) where the pool says so; then each unit's bonus and penalty sums."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flowscore.catalog import finding
from flowscore.findings import Report
from flowscore.inputs.records import RawEntry
from flowscore.labels import ENTRY_KIND_LABELS
from flowscore.names import norm
from flowscore.numbers import fmt_plain
from flowscore.results import Entry
from flowscore.rubric.model import Pool, Scheme


def check_entries(
    scheme: Scheme, entries: list[RawEntry], report: Report
) -> dict[str, list[Entry]]:
    """unit → its entries, each marked counted or not, and why."""
    out: dict[str, list[Entry]] = defaultdict(list)
    by_unit: dict[str, list[RawEntry]] = defaultdict(list)
    for e in entries:
        by_unit[e.unit].append(e)
    for unit_name, raws in by_unit.items():
        unit = scheme.unit(unit_name)
        assert unit is not None  # the reader admits only roster units
        sheet = scheme.sheet(unit.sheet)
        valid: list[tuple[RawEntry, Decimal, Pool]] = []
        for e in raws:
            pool = sheet.bonus if e.kind == "bonus" else sheet.penalty
            kind_label = ENTRY_KIND_LABELS[e.kind]
            signed = e.magnitude if e.kind == "bonus" else -e.magnitude
            where = {"file": e.file, "sheet": e.sheet, "cell": e.points_cell, "unit": unit_name}
            if pool is None:
                report.add(
                    finding("entry-not-allowed", **where, title=sheet.title, kind=kind_label)
                )
                out[unit_name].append(_entry(e, signed, False, f"该表无{kind_label}项目"))
                continue
            if not (pool.min <= e.magnitude <= pool.max):
                report.add(
                    finding(
                        "entry-out-of-range",
                        **where,
                        kind=kind_label,
                        points=fmt_plain(e.magnitude),
                        low=fmt_plain(pool.min),
                        high=fmt_plain(pool.max),
                    )
                )
                out[unit_name].append(_entry(e, signed, False, "超出分值范围"))
                continue
            valid.append((e, signed, pool))
        out[unit_name].extend(_counted(valid))
    return out


def _counted(valid: list[tuple[RawEntry, Decimal, Pool]]) -> list[Entry]:
    """The valid entries in order, each counted or not by its pool's same-topic rule."""
    best: dict[str, RawEntry] = {}
    for e, _signed, pool in valid:
        if pool.same_topic == "highest":
            key = norm(e.topic) or f"#{e.file}:{e.row}"
            if key not in best or e.magnitude > best[key].magnitude:
                best[key] = e
    out = []
    for e, signed, pool in valid:
        if pool.same_topic != "highest":
            out.append(_entry(e, signed, True, ""))
            continue
        winner = best[norm(e.topic) or f"#{e.file}:{e.row}"]
        if winner is e:
            others = sum(
                1
                for x, _s, _p in valid
                if norm(x.topic) == norm(e.topic) and x is not e and e.topic
            )
            why = f"同专题{others + 1}项，按最高分计" if others else ""
            out.append(_entry(e, signed, True, why))
        else:
            out.append(
                _entry(
                    e,
                    signed,
                    False,
                    f"同专题“{e.topic}”已按最高分 {fmt_plain(winner.magnitude)} 计，不重复计分",
                )
            )
    return out


def _entry(e: RawEntry, signed: Decimal, counted: bool, reason: str) -> Entry:
    return Entry(
        unit=e.unit,
        kind="bonus" if e.kind == "bonus" else "penalty",
        topic=e.topic,
        points=signed,
        note=e.note,
        counted=counted,
        reason=reason,
        file=e.file,
        sheet=e.sheet,
        row=e.row,
    )


def pool_sum(pool: Pool | None, entries: list[Entry]) -> Decimal:
    """The magnitude an entry pool adds up to (bounded by its cap)."""
    total = sum((abs(e.points) for e in entries), Decimal(0))
    if pool is not None and pool.cap is not None:
        total = min(total, pool.cap)
    return total
