"""One annex sheet per unit: a unit's own sheets (two of them is an error naming both, and the
unit is then not scored from a guess), with the 核定分 of every member department's
field-inspection sheet (检查单位：…) merged in — an item scored by a department that does not own
it is reported and not used; two different scores for one item are a conflict and leave the
item pending."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Set
from dataclasses import replace

from flowscore.catalog import finding
from flowscore.findings import Report
from flowscore.inputs.records import AnnexRecord, AnnexSheet, ItemEntry
from flowscore.numbers import fmt_plain
from flowscore.rubric.model import Scheme


def annexes_by_unit(
    scheme: Scheme,
    annexes: list[AnnexRecord],
    report: Report,
    settled: Set[tuple[str, str]] = frozenset(),
) -> dict[str, AnnexRecord | None]:
    """unit → its sheet (None: conflicting sheets, reported). A sheet read in a worker stays
    packed here; it is unpacked when its unit is scored. ``settled``: the (unit, item) the
    assessor's register decides (``scoring/register.py``) — two departments disagreeing there
    is said, not an error: the register's entry stands above every sheet's 核定分."""
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
                finding(
                    "duplicate-unit",
                    unit=unit,
                    file=own[1].file,
                    sheet=own[1].sheet,
                    count=len(own),
                    files=names,
                )
            )
            out[unit] = None
            continue
        if not checks and not _has_owners(scheme, unit):
            out[unit] = own[0]  # nothing to merge or to check: stays packed until scored
            continue
        out[unit] = merge_assessors(
            scheme,
            unit,
            own[0].unpacked() if own else None,
            [a.unpacked() for a in checks],
            report,
            settled,
        )
    return out


def merge_assessors(
    scheme: Scheme,
    unit: str,
    own: AnnexSheet | None,
    checks: list[AnnexSheet],
    report: Report,
    settled: Set[tuple[str, str]] = frozenset(),
) -> AnnexSheet:
    """The unit's sheet with every member department's 核定分 merged in. The 核定分 on the
    unit's own sheet are ``decisions.own_sheet_assessor``'s: they count for items without an
    owner and for that department's items, never for another department's."""
    base = own or replace(checks[0], items={}, assessor="")
    if own is None:
        report.add(finding("no-self-check", unit=unit, file=checks[0].file))
    u = scheme.unit(unit)
    sheet = scheme.sheet(u.sheet) if u else None
    office = scheme.decisions.own_sheet_assessor
    items = dict(base.items)
    conflicts: dict[str, str] = {}
    for no in sorted({n for a in [base, *checks] for n in a.items}, key=_no_key):
        item = sheet.item(no) if sheet else None
        scored: list[tuple[str, ItemEntry, AnnexSheet]] = []
        mine = base.items.get(no) if own is not None else None
        if mine is not None and mine.entered is not None:
            if item is not None and item.owner and item.owner != office:
                report.add(
                    finding(
                        "scored-by-non-owner",
                        "own",
                        unit=unit,
                        file=base.file,
                        sheet=base.sheet,
                        cell=mine.verified_cell,
                        no=no,
                        owner=item.owner,
                        entered=fmt_plain(mine.entered),
                    )
                )
                items[no] = replace(mine, entered=None)
            else:
                scored.append((office, mine, base))
        for a in checks:
            e = a.items.get(no)
            if e is None or e.entered is None:
                continue
            if item is not None and item.owner and a.assessor != item.owner:
                report.add(
                    finding(
                        "scored-by-non-owner",
                        unit=unit,
                        file=a.file,
                        sheet=a.sheet,
                        cell=e.verified_cell,
                        no=no,
                        owner=item.owner,
                        assessor=a.assessor,
                        entered=fmt_plain(e.entered),
                    )
                )
                continue
            scored.append((a.assessor, e, a))
        values = {e.entered for _, e, _ in scored}
        if len(values) > 1:
            who = "、".join(
                f"{name if a is not base else (name or '自查表')} {fmt_plain(e.entered)}"
                f"（{a.file} › {e.verified_cell}）"
                for name, e, a in scored
            )
            report.add(
                finding(
                    "assessor-conflict",
                    "settled" if (unit, no) in settled else "",
                    unit=unit,
                    file=scored[1][2].file,
                    sheet=scored[1][2].sheet,
                    cell=scored[1][1].verified_cell,
                    no=no,
                    who=who,
                )
            )
            conflicts[no] = f"待核定：核定分不一致（{who}）"
            continue
        if scored:
            name, e, _ = scored[-1]
            mine = items.get(no)
            items[no] = replace(
                mine or e,
                entered=e.entered,
                verified_cell=e.verified_cell,
                assessor=name,
                remark=(mine.remark if mine else "") or e.remark,
            )
    return replace(base, items=items, conflicts=conflicts)


def _has_owners(scheme: Scheme, unit: str) -> bool:
    u = scheme.unit(unit)
    return u is not None and any(it.owner for it in scheme.sheet(u.sheet).items)


def _no_key(no: str) -> tuple[int | str, ...]:
    return tuple(int(x) if x.isdigit() else x for x in re.split(r"[.、]", no))
