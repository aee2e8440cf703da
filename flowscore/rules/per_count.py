"""``per_count``: points for each counted occurrence — ``-2`` per unreported document, ``+0.5``
per accepted article (capped), or per occurrence short of a requirement (two trainings a year
required, ``-2`` per missing one)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

from flowscore.numbers import fmt_exact, fmt_plain
from flowscore.rules.base import EvalContext, PartResult, PointsTableLike, Rule, number, problem


@dataclass(frozen=True, kw_only=True)
class PerCount(Rule):
    """``points`` for each counted occurrence. With ``required`` the count is the shortfall
    ``max(0, required - value)``. ``cap`` bounds the part's total (magnitude)."""

    kind: ClassVar[str] = "per_count"
    title: ClassVar[str] = "按次数扣分/加分"
    indicator_fields: ClassVar[tuple[str, ...]] = ("indicator",)

    indicator: str
    points: Decimal
    required: Decimal | None = None
    cap: Decimal | None = None

    def evaluate(self, ctx: EvalContext) -> PartResult:
        raw = number(ctx.values, self.indicator)
        if raw is None:
            return problem(f"缺少指标“{self.indicator}”")
        if self.required is not None:
            count = max(Decimal(0), self.required - raw)
            what = (
                f"{self.label} {fmt_plain(raw)} 次，要求 {fmt_plain(self.required)} 次，"
                f"少 {fmt_plain(count)} 次"
            )
        else:
            count = raw
            what = f"{self.label} {fmt_plain(raw)} 件"
        amount = Fraction(count) * Fraction(self.points)
        capped = self.cap is not None and abs(amount) > self.cap
        if capped and self.cap is not None:
            amount = Fraction(self.cap) if amount > 0 else -Fraction(self.cap)
        verb = "加" if self.points > 0 else "扣"
        each = f"每件{verb}{fmt_plain(abs(self.points))}分"
        if count == 0:
            return PartResult(Fraction(0), f"{what}，不{verb}分")
        tail = f"（最多{verb}{fmt_plain(self.cap)}分）" if capped and self.cap is not None else ""
        shown = fmt_exact(abs(amount), ctx.places)
        return PartResult(amount, f"{what}，{each}，{verb}{shown}分{tail}")

    def describe(self, tables: Mapping[str, PointsTableLike]) -> str:
        verb = "加" if self.points > 0 else "扣"
        each = f"{verb}{fmt_plain(abs(self.points))}分"
        if self.required is not None:
            text = f"“{self.indicator}”要求不少于{fmt_plain(self.required)}，每少1个{each}"
        else:
            text = f"“{self.indicator}”每1个{each}"
        if self.cap is not None:
            text += f"，最多{verb}{fmt_plain(self.cap)}分"
        return text
