"""``rate_shortfall``: a rate (numerator ÷ denominator) against a target percentage, so many
points for each percentage point it falls short, up to a cap — 居住证申领数 ÷ 居住半年以上流动人口数
≥ 30%, −1 per point, at most −10; 协管员 against the required number, −0.1 per point."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, Literal

from flowscore.numbers import fmt_exact, fmt_pct, fmt_plain
from flowscore.rules.base import (
    EvalContext,
    PartResult,
    PointsTableLike,
    Rule,
    Values,
    integer_ratio,
    problem,
    rate_value,
    ratio,
    to_decimal,
)

Rounding = Literal["proportional", "floor", "ceil"]


@dataclass(frozen=True, kw_only=True)
class RateShortfall(Rule):
    """``per_point`` deducted for each percentage point the rate numerator/denominator falls
    below ``target`` (a percentage), up to ``cap``. ``rounding`` says how a fractional shortfall
    counts: proportional (default), or whole points rounded down or up."""

    kind: ClassVar[str] = "rate_shortfall"
    title: ClassVar[str] = "比率差额扣分"
    indicator_fields: ClassVar[tuple[str, ...]] = ("numerator", "denominator")

    rate_name: str
    numerator: str
    denominator: str
    target: Decimal
    per_point: Decimal
    cap: Decimal | None = None
    rounding: Rounding = "proportional"

    @classmethod
    def defaults(cls, decisions: Any) -> dict[str, Any]:
        return {"rounding": decisions.shortfall_rounding}

    def evaluate(self, ctx: EvalContext) -> PartResult:
        values, places = ctx.values, ctx.places
        r = ratio(values, self.numerator, self.denominator)
        if isinstance(r, str):
            return problem(f"{self.rate_name}无法计算：{r}")
        shown = (
            f"{self.rate_name} {fmt_pct(to_decimal(r))}（{fmt_plain(_num(values, self.numerator))}/"
            f"{fmt_plain(_num(values, self.denominator))}）"
        )
        # target − 100·r in integers (r = n/d, d > 0; target = tn/td): exact, and ~5× faster
        # than Fraction arithmetic over a province of units.
        tn, td = integer_ratio(self.target)
        gap = tn * r.denominator - 100 * r.numerator * td
        if gap <= 0:
            return PartResult(Fraction(0), f"{shown}，达到{fmt_plain(self.target)}%目标，不扣分")
        short = Fraction(gap, td * r.denominator)  # percentage points below the target, exact
        counted: Fraction | int = short
        if self.rounding == "floor":
            counted = math.floor(short)
        elif self.rounding == "ceil":
            counted = math.ceil(short)
        amount = counted * Fraction(self.per_point)
        capped = self.cap is not None and amount > self.cap
        if capped and self.cap is not None:
            amount = Fraction(self.cap)
        how = {"floor": "（按整百分点向下取整）", "ceil": "（按整百分点向上取整）"}.get(
            self.rounding, ""
        )
        tail = f"（最多扣{fmt_plain(self.cap)}分）" if capped else ""
        return PartResult(
            -amount,
            f"{shown}，低于{fmt_plain(self.target)}%目标{fmt_exact(short, places)}个百分点"
            f"{how}，扣{fmt_exact(amount, places)}分{tail}",
        )

    def describe(self, tables: Mapping[str, PointsTableLike]) -> str:
        how = {"floor": "（不足1个百分点的不计）", "ceil": "（不足1个百分点的按1个计）"}.get(
            self.rounding, ""
        )
        text = (
            f"{self.rate_name} = “{self.numerator}” ÷ “{self.denominator}”，低于"
            f"{fmt_plain(self.target)}%的每1个百分点扣{fmt_plain(self.per_point)}分{how}"
        )
        if self.cap is not None:
            text += f"，最多扣{fmt_plain(self.cap)}分"
        return text

    def judged(self) -> tuple[object, ...]:
        return (None, self.numerator, self.denominator)

    def rate(self, values: Values) -> tuple[str, Decimal | None]:
        return self.rate_name, rate_value(values, self.numerator, self.denominator)


def _num(values: Values, name: str) -> Decimal:
    v = values[name]
    assert isinstance(v, Decimal)  # ratio() checked it
    return v
