"""The assessor's register (核定登记表) before the items are scored: which entry stands for each
unit's item, and which are refused.

Precedence, as README's 一年的工作流程 documents it:

- a register entry overrides the 核定分 on the unit's sheet (and a member department's, and
  settles two departments that disagree);
- it must name who entered it (核定人: refused when reading otherwise) and be within the item's
  range and allowed scores (otherwise it is refused and the item is pending: the office meant
  to change it, so the sheet's old score is not silently kept);
- on an item a member department owns (the provincial scheme) it counts as the office's
  consolidation and needs a 理由, like an override; without one it is refused and the owner's
  score stands;
- on a computed item, or above a computed ceiling, it needs a 理由 like the sheet's 核定分
  (``scoring/item.py`` decides that, where the computed value is known);
- two entries for one unit and item with different scores are an error naming both rows and
  the item is pending; the same score twice is fine (info) and counts once — the first row;
- a unit that sent no sheet (or several) is not scored because of the register: its entries
  are reported and not counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowscore.catalog import finding
from flowscore.findings import Report
from flowscore.inputs.records import AnnexRecord, RegisterEntry
from flowscore.numbers import fmt_plain
from flowscore.rubric.model import Item, Scheme


@dataclass(frozen=True, kw_only=True, slots=True)
class Registered:
    """The register's word on one unit's item: the entry that stands, or why the item is
    pending (``pending``: two different scores, or a refused one)."""

    entry: RegisterEntry
    pending: str = ""


Key = tuple[str, str]  # (unit, item no)


def item_label(item: Item) -> str:
    return f"序号{item.no}（{item.short or item.text[:10]}）"


def entry_where(e: RegisterEntry) -> str:
    """``第5行 14（王敏，2019-12-16）``: one entry as a message names it."""
    return f"第{e.row}行 {fmt_plain(e.score)}（{e.who}，{e.date or '日期未填'}）"


def resolve_register(
    scheme: Scheme, entries: list[RegisterEntry], report: Report
) -> dict[Key, Registered]:
    """(unit, item no) → the register's word on it, for every unit and item it names."""
    groups: dict[Key, list[RegisterEntry]] = {}
    refused: dict[Key, RegisterEntry] = {}
    for e in entries:
        unit = scheme.unit(e.unit)
        item = scheme.sheet(unit.sheet).item(e.no) if unit else None
        if item is None:  # the reader resolved both; a rubric changed under it is no entry
            continue
        problem = _refusal(scheme, item, e)
        if problem is not None:
            code, variant, fields = problem
            _report(report, code, variant, e, item, **fields)
            if code == "register-bad-entry":  # a score it cannot have: the item waits
                refused.setdefault((e.unit, e.no), e)
            continue
        groups.setdefault((e.unit, e.no), []).append(e)
    out: dict[Key, Registered] = {}
    for key, e in refused.items():
        if key not in groups:
            out[key] = Registered(
                entry=e,
                pending=f"待核定：核定登记表第{e.row}行登记的核定分 {fmt_plain(e.score)} 未采用"
                "（见问题清单）",
            )
    for key, group in groups.items():
        first = group[0]
        unit = scheme.unit(first.unit)
        assert unit is not None
        item = scheme.sheet(unit.sheet).item(first.no)
        assert item is not None
        others = [e for e in group[1:] if e.score != first.score]
        if others:
            second = "；".join(entry_where(e) for e in others)
            _report(
                report,
                "register-conflict",
                "",
                others[0],
                item,
                first=entry_where(first),
                second=second,
            )
            out[key] = Registered(
                entry=first,
                pending=f"待核定：核定登记表中有不同的核定分（{entry_where(first)}；{second}）",
            )
            continue
        if len(group) > 1:
            _report(
                report,
                "register-repeated",
                "",
                group[1],
                item,
                rows="、".join(f"第{e.row}行" for e in group),
            )
        out[key] = Registered(entry=first)
    return out


def _refusal(
    scheme: Scheme, item: Item, e: RegisterEntry
) -> tuple[str, str, dict[str, Any]] | None:
    """Why the entry cannot stand whatever the sheets say, as (code, variant, fields): a score
    the item cannot have, or an owned item without a reason; None when it can stand."""
    if not item.min <= e.score <= item.max:
        bounds: dict[str, Any] = {"low": fmt_plain(item.min), "high": fmt_plain(item.max)}
        return "register-bad-entry", "range", bounds
    if item.allowed and e.score not in item.allowed:
        allowed: dict[str, Any] = {"allowed": "、".join(fmt_plain(a) for a in item.allowed)}
        return "register-bad-entry", "allowed", allowed
    office = scheme.decisions.own_sheet_assessor
    if item.owner and item.owner != office and not e.reason:
        return "register-no-reason", "owner", {"owner": item.owner}
    return None


def _report(
    report: Report, code: str, variant: str, e: RegisterEntry, item: Item, **fields: Any
) -> None:
    report.add(
        finding(
            code,
            variant,
            file=e.file,
            sheet=e.sheet,
            cell=e.cell,
            unit=e.unit,
            label=item_label(item),
            row=e.row,
            entered=fmt_plain(e.score),
            **fields,
        )
    )


def settled(register: Mapping[Key, Registered]) -> frozenset[Key]:
    """The items whose score the register decides (a member departments' disagreement there
    is settled by it)."""
    return frozenset(k for k, r in register.items() if not r.pending)


def by_unit(
    scheme: Scheme,
    register: Mapping[Key, Registered],
    annex_by_unit: Mapping[str, AnnexRecord | None],
    report: Report,
) -> dict[str, dict[str, Registered]]:
    """unit → item no → the register's word, for units that are scored from a sheet. Entries
    for a unit with no sheet (missing) or several (not scored) are reported and dropped: the
    register never makes such a unit scored."""
    out: dict[str, dict[str, Registered]] = {}
    dropped: dict[str, list[Registered]] = {}
    for (unit, no), r in register.items():
        if annex_by_unit.get(unit) is None:
            dropped.setdefault(unit, []).append(r)
            continue
        out.setdefault(unit, {})[no] = r
    for unit, rs in dropped.items():
        first = rs[0].entry
        report.add(
            finding(
                "register-unit-unscored",
                "missing" if unit not in annex_by_unit else "duplicate",
                file=first.file,
                sheet=first.sheet,
                cell=first.cell,
                unit=unit,
                count=len(rs),
                items="、".join(f"序号{r.entry.no}" for r in rs),
            )
        )
    return out
