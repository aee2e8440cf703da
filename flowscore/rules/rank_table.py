"""``rank_table``: points by a rank someone else gave (the city's ranking of the district's
departments, 市对区考核排名), looked up in a ``[tables]`` points table; units tied at a rank
share the positions they hold (the median of their points, or the best, as the table says)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

from flowscore.numbers import fmt_plain, fmt_signed
from flowscore.rules.base import (
    EvalContext,
    LoadContext,
    PartResult,
    PointsTableLike,
    Rule,
    median_points,
    signed_plain,
)


@dataclass(frozen=True, kw_only=True)
class RankTable(Rule):
    """Points by an externally given rank (the city's ranking of the district), from ``table``."""

    kind: ClassVar[str] = "rank_table"
    title: ClassVar[str] = "外部排名折算"

    table: str

    @classmethod
    def check(cls, params: dict[str, Any], ctx: LoadContext, where: str) -> bool:
        if "table" in params and params["table"] not in ctx.tables:
            ctx.error(
                "rubric-unknown-ref",
                f"{where}.table",
                f"引用了不存在的排名折算表“{params['table']}”",
                "在 [tables] 中定义它",
            )
            return False
        return True

    def evaluate(self, ctx: EvalContext) -> PartResult:
        table = ctx.tables[self.table]
        if ctx.city_rank is None:
            reason = f"缺少{table.name}"
            return PartResult(None, reason, problem=reason, problem_code="missing-rank")
        position, tied = ctx.city_rank
        pts = table_points(table, position, tied)
        if isinstance(pts, str):
            return PartResult(None, pts, problem=pts, problem_code="bad-rank")
        amount = Fraction(pts)
        if tied > 1:
            shared = "、".join(
                fmt_signed(p, 0) if p == p.to_integral_value() else fmt_signed(p)
                for p in table.points[position - 1 : position + tied - 1]
            )
            rule = "取中位数" if table.tie == "median" else "取最高档"
            return PartResult(
                amount,
                f"{table.name}第{position}名（{tied}个单位并列，第{position}–"
                f"{position + tied - 1}名），{rule}（{shared}）计"
                f"{signed_plain(pts)}分",
            )
        return PartResult(amount, f"{table.name}第{position}名，计{signed_plain(pts)}分")

    def describe(self, tables: Mapping[str, PointsTableLike]) -> str:
        table = tables.get(self.table)
        if table is None:
            return f"按排名折算表“{self.table}”计分"
        pts = "、".join(
            f"第{i}名{'+' if p > 0 else ''}{fmt_plain(p)}" for i, p in enumerate(table.points, 1)
        )
        tie = "并列取中位数" if table.tie == "median" else "并列按最高名次计"
        return f"按{table.name}计分：{pts}；{tie}"

    def table_ref(self) -> str:
        return self.table


def table_points(table: PointsTableLike, rank: int, tied: int) -> Decimal | str:
    """Points for an externally given rank shared by ``tied`` units, or why there are none."""
    last = rank + tied - 1
    if last > len(table.points):
        return f"排名第{rank}名（{tied}个并列）超出{table.name}的{len(table.points)}个名次"
    pts = list(table.points[rank - 1 : last])
    return median_points(pts) if table.tie == "median" else pts[0]
