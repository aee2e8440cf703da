"""An item's computed value: every part of its rule evaluated for one unit, then combined —
start (the max for deduction items, 0 for award items) + Σ exact amounts, kept in [min, max],
rounded half-up once — with the explanation that adds up to it (``得分 5 − 0.875 = 4.125，
四舍五入为 4.13``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flowscore.numbers import fmt, fmt_exact, fmt_plain, is_rounded, round_half_up
from flowscore.rubric.model import Item
from flowscore.rules.base import EvalContext, PartResult, PointsTableLike, Values


@dataclass(frozen=True, slots=True)
class ItemComputation:
    value: Decimal | None  # within [min, max]; None when a part is pending
    explanation: str
    problems: tuple[tuple[str, str], ...]  # (code, message)


def compute_item(
    item: Item,
    values: Values,
    *,
    places: int,
    batch: Mapping[int, Any] | None = None,
    tables: Mapping[str, PointsTableLike] | None = None,
    city_rank: tuple[int, int] | None = None,
) -> ItemComputation:
    """Evaluate every part of an item and combine them. ``batch``: what each ranking part
    (by its index) prepared for this unit."""
    batch = batch or {}
    results: list[PartResult] = [
        part.evaluate(
            EvalContext(
                values=values,
                places=places,
                tables=tables or {},
                city_rank=city_rank,
                batch=batch.get(index),
            )
        )
        for index, part in enumerate(item.parts)
    ]
    problems = tuple((r.problem_code, r.problem) for r in results if r.problem)
    lines = "；".join(r.explanation for r in results)
    if problems:
        return ItemComputation(None, lines, problems)
    start = Fraction(item.max if item.start == "max" else 0)
    raw = start + sum((r.amount for r in results if r.amount is not None), Fraction(0))
    low, high = Fraction(item.min), Fraction(item.max)
    kept = min(max(raw, low), high)
    value = round_half_up(kept, places)  # the one rounding (DOMAIN.md §5)
    change = raw - start
    if item.start == "max":
        summary = (
            f"得分 {fmt_plain(item.max)} − {fmt_exact(-change, places)} = {fmt_exact(raw, places)}"
            if change < 0
            else f"得分 {fmt_exact(raw, places)}"
        )
    else:
        amounts = [r.amount for r in results if r.amount is not None]
        summary = f"得分 {fmt_exact(raw, places)}"
        if len(amounts) > 1:
            summary = (
                "得分 "
                + " + ".join(fmt_exact(a, places) for a in amounts)
                + f" = {fmt_exact(raw, places)}"
            )
    if raw < low:
        summary += f"，低于下限按{fmt(item.min, places)}分计"
    elif raw > high:
        summary += f"，超过分值按{fmt(item.max, places)}分计"
    elif is_rounded(raw, places):
        summary += f"，四舍五入为 {fmt(value, places)}"
    return ItemComputation(value, f"{lines}。{summary}", ())
