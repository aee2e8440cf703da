"""``duty``: a duty the assessor checks because the office has no figure for it — 建立流动人口电子
健康档案, 未落实的扣2分; or 登记点不规范的酌情扣分 (no fixed points). It adds nothing to the computed
ceiling of a ``ceiling_assessor`` item: it tells the assessor (and the unit) what the 核定分
below that ceiling may take off, and, when every such duty has fixed points, which 核定分 are
possible at all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

from flowscore.numbers import fmt_plain
from flowscore.rules.base import EvalContext, LoadContext, PartResult, PointsTableLike, Rule


@dataclass(frozen=True, kw_only=True)
class Duty(Rule):
    """A duty ``label`` the assessor checks: ``points`` off when it was not carried out
    (negative), or, without ``points``, a discretionary deduction (酌情扣分)."""

    kind: ClassVar[str] = "duty"
    title: ClassVar[str] = "考核组核查的职责"
    checked_by_assessor: ClassVar[bool] = True

    points: Decimal | None = None

    @classmethod
    def check(cls, params: dict[str, Any], ctx: LoadContext, where: str) -> bool:
        points = params.get("points")
        if points is not None and points >= 0:
            ctx.error(
                "rubric-bad-value",
                f"{where}.points",
                "考核组核查的职责的 points 是未落实时扣的分，应为负数",
                "写成负数，如 -2；酌情扣分的职责不写 points",
            )
            return False
        return True

    def evaluate(self, ctx: EvalContext) -> PartResult:
        return PartResult(Fraction(0), f"“{self.label}”由考核组核查（{self._deduction()}）")

    def describe(self, tables: Mapping[str, PointsTableLike]) -> str:
        return f"考核组核查“{self.label}”：{self._deduction()}"

    def _deduction(self) -> str:
        if self.points is None:
            return "未落实的酌情扣分"
        return f"未落实的扣{fmt_plain(abs(self.points))}分"
