"""Ranks moved by the office's own decisions: the assessor's register (核定登记表) and the
overrides written on the sheets (核定改写, a 核定分 with a reason that replaces a computed value
or goes above a computed ceiling).

When any of them changes a unit's rank in its tier compared with the same run without them,
one warning per tier names the units that moved and by how many places. Only the units that
have such an entry are scored again (from the sheets alone, no override counting), so a run
without register entries or overrides costs nothing here."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flowscore.catalog import finding
from flowscore.findings import Report
from flowscore.results import UnitResult


def decided_by_office(u: UnitResult) -> bool:
    """Whether a unit has an item the register or an override decided."""
    return any(
        it.source == "override" or (it.register is not None and it.register.used) for it in u.items
    )


def report_rank_moves(
    ranked: Sequence[UnitResult],
    plain: Callable[[UnitResult], UnitResult],
    rank: Callable[[list[UnitResult]], list[UnitResult]],
    tier_labels: dict[str, str],
    report: Report,
) -> None:
    """``ranked``: the run's units with their ranks; ``plain(u)``: unit ``u`` scored without
    the register and without overrides; ``rank``: the batch's ranking of a list of units."""
    if not any(decided_by_office(u) for u in ranked):
        return
    without = {u.unit: u for u in rank([plain(u) if decided_by_office(u) else u for u in ranked])}
    moves: dict[str, list[str]] = {}
    for u in ranked:
        before = without[u.unit].rank
        if u.rank is None or before is None or before == u.rank:
            continue
        places = before - u.rank
        way = f"上升{places}名" if places > 0 else f"下降{-places}名"
        moves.setdefault(u.tier, []).append(f"{u.unit} 第{before}名→第{u.rank}名（{way}）")
    for tier, texts in moves.items():
        report.add(finding("rank-moved", tier=tier_labels.get(tier, tier), moves="、".join(texts)))
