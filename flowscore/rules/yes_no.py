"""``yes_no``: points by a 是/否 indicator — +10 for a staffed points window, −2 when a duty was
not carried out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

from flowscore.numbers import fmt_plain
from flowscore.rules.base import EvalContext, PartResult, PointsTableLike, Rule, problem


@dataclass(frozen=True, kw_only=True)
class YesNo(Rule):
    """``if_yes`` or ``if_no`` points by a 是/否 indicator."""

    kind: ClassVar[str] = "yes_no"
    title: ClassVar[str] = "是否项"
    indicator_fields: ClassVar[tuple[str, ...]] = ("indicator",)

    indicator: str
    if_yes: Decimal = Decimal(0)
    if_no: Decimal = Decimal(0)

    def evaluate(self, ctx: EvalContext) -> PartResult:
        v = ctx.values.get(self.indicator)
        if v is None or not isinstance(v, bool):
            return problem(f"缺少指标“{self.indicator}”（是/否）")
        points = self.if_yes if v else self.if_no
        answer = "是" if v else "否"
        if points == 0:
            return PartResult(Fraction(0), f"{self.label}：{answer}，不计分")
        verb = "计" if points > 0 else "扣"
        return PartResult(
            Fraction(points), f"{self.label}：{answer}，{verb}{fmt_plain(abs(points))}分"
        )

    def describe(self, tables: Mapping[str, PointsTableLike]) -> str:
        bits = []
        for answer, pts in (("是", self.if_yes), ("否", self.if_no)):
            if pts:
                bits.append(f"{answer}{'计' if pts > 0 else '扣'}{fmt_plain(abs(pts))}分")
        return f"“{self.indicator}”（是/否）：" + ("，".join(bits) or "不计分")
