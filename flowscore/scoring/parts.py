"""An item's computed value: every part of its rule evaluated for one unit, then combined —
start (the max for deduction items, 0 for award items) + Σ amounts, kept in [min, max] — with
the explanation that adds up to it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flowscore.numbers import fmt, fmt_plain, q
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
    start = item.max if item.start == "max" else Decimal(0)
    raw = start + sum((r.amount for r in results if r.amount is not None), Decimal(0))
    value = min(max(raw, item.min), item.max)
    total_change = raw - start
    if item.start == "max":
        summary = (
            f"得分 {fmt_plain(item.max)} − {fmt(-total_change, places)} = {fmt(raw, places)}"
            if total_change < 0
            else f"得分 {fmt(raw, places)}"
        )
    else:
        summary = (
            "得分 "
            + " + ".join(fmt(r.amount, places) for r in results if r.amount is not None)
            + f" = {fmt(raw, places)}"
        )
        if len(results) == 1:
            summary = f"得分 {fmt(raw, places)}"
    if raw < item.min:
        summary += f"，低于下限按{fmt(item.min, places)}分计"
    elif raw > item.max:
        summary += f"，超过分值按{fmt(item.max, places)}分计"
    return ItemComputation(q(value, places), f"{lines}。{summary}", ())
