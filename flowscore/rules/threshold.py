"""``threshold``: points when a value falls below a target — an indicator (会员数 < 10% of
流动人口数), a rate (信息登记率 below 95%), or another indicator (供应量少于上一年度)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

from flowscore.numbers import fmt_pct, fmt_plain
from flowscore.rules.base import (
    EvalContext,
    LoadContext,
    PartResult,
    PointsTableLike,
    Rule,
    Values,
    number,
    problem,
    rate_value,
    ratio,
    to_decimal,
)


@dataclass(frozen=True, kw_only=True)
class Threshold(Rule):
    """``points`` when a value (an indicator, or the rate numerator/denominator) is below
    ``target`` (a percentage for rates, a plain number otherwise), or below the indicator
    ``compare_to``."""

    kind: ClassVar[str] = "threshold"
    title: ClassVar[str] = "达标判定"
    indicator_fields: ClassVar[tuple[str, ...]] = (
        "indicator",
        "numerator",
        "denominator",
        "compare_to",
    )

    value_name: str
    points: Decimal
    target: Decimal = Decimal(0)  # required unless compare_to is given (``check``)
    indicator: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    compare_to: str | None = None  # another indicator instead of a fixed target

    @classmethod
    def check(cls, params: dict[str, Any], ctx: LoadContext, where: str) -> bool:
        ok = True
        if not (params.get("indicator") or params.get("numerator")):
            ctx.error(
                "rubric-missing-param",
                where,
                "threshold 需要 indicator 或 numerator",
                "补上这个参数",
            )
            ok = False
        if params.get("indicator") in ctx.rate_indicators and not params.get("numerator"):
            # A rate given directly (信息登记率 0.95) compares as a percentage, like a computed
            # rate: it is the numerator of a ratio without denominator.
            params["numerator"] = params.pop("indicator")
        if "target" not in params and not params.get("compare_to"):
            ctx.error(
                "rubric-missing-param",
                f"{where}.target",
                "计分规则 threshold 缺少参数“target”（或用 compare_to 指定比较的指标）",
                "补上这个参数",
            )
            ok = False
        return ok

    def evaluate(self, ctx: EvalContext) -> PartResult:
        values = ctx.values
        if self.numerator:
            r = ratio(values, self.numerator, self.denominator)
            if isinstance(r, str):
                return problem(f"{self.value_name}无法计算：{r}")
            value, shown = r * 100, fmt_pct(to_decimal(r))
        else:
            raw = number(values, self.indicator or "")
            if raw is None:
                return problem(f"缺少指标“{self.indicator}”")
            value, shown = Fraction(raw), fmt_plain(raw)
        if self.compare_to:
            other = number(values, self.compare_to)
            if other is None:
                return problem(f"缺少指标“{self.compare_to}”")
            target, target_shown = Fraction(other), f"{self.compare_to} {fmt_plain(other)}"
        else:
            target = Fraction(self.target)
            target_shown = fmt_plain(self.target) + ("%" if self.numerator else "")
        if value >= target:
            return PartResult(
                Fraction(0), f"{self.value_name} {shown}，不低于{target_shown}，不扣分"
            )
        return PartResult(
            Fraction(self.points),
            f"{self.value_name} {shown}，低于{target_shown}，"
            f"{'扣' if self.points < 0 else '计'}{fmt_plain(abs(self.points))}分",
        )

    def describe(self, tables: Mapping[str, PointsTableLike]) -> str:
        verb = "扣" if self.points < 0 else "计"
        if self.numerator and self.denominator:
            value = f"{self.value_name}（“{self.numerator}” ÷ “{self.denominator}”）"
        elif self.numerator:
            value = f"“{self.numerator}”"
        else:
            value = f"“{self.indicator}”"
        if self.compare_to:
            target = f"“{self.compare_to}”"
        else:
            target = fmt_plain(self.target) + ("%" if self.numerator else "")
        return f"{value}低于{target}的{verb}{fmt_plain(abs(self.points))}分"

    def judged(self) -> tuple[object, ...]:
        return (self.indicator, self.numerator, self.denominator)

    def rate(self, values: Values) -> tuple[str, Decimal | None] | None:
        if not self.numerator:
            return None
        return self.value_name, rate_value(values, self.numerator, self.denominator)
