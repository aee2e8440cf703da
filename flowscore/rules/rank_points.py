"""``rank_points``: rank every unit of the sheet kind by a rate (量化积分参与率 = 年度新增参加量化积分
人数 ÷ 持证数) and give the first so many points, each next position ``step`` fewer; tied units
share the positions they hold (the median of their points, DOMAIN.md §5)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, Literal

from flowscore.numbers import fmt_pct, fmt_plain
from flowscore.rules.base import (
    EvalContext,
    PartResult,
    PointsTableLike,
    Rule,
    Values,
    median_points,
    number,
    problem,
    rate_value,
    ratio,
    to_decimal,
)

TiePolicy = Literal["median", "best"]


@dataclass(frozen=True, slots=True)
class RankPlace:
    """Where one unit stands in a rank_points ranking."""

    position: int  # best position of its tie group (1-based)
    tied: int  # size of its tie group
    count: int  # units ranked
    points: Decimal
    rate: Fraction
    others: tuple[str, ...] = ()  # the units it ties with


@dataclass(frozen=True, kw_only=True)
class RankPoints(Rule):
    """Rank every unit of the sheet kind by a rate (or an indicator) and give ``first`` points to
    the best, ``step`` less to each next position, never below ``floor``; ties by ``tie``."""

    kind: ClassVar[str] = "rank_points"
    title: ClassVar[str] = "排名计分"
    indicator_fields: ClassVar[tuple[str, ...]] = ("numerator", "denominator")
    ranks_units: ClassVar[bool] = True

    rate_name: str
    numerator: str
    denominator: str | None = None
    first: Decimal
    step: Decimal
    floor: Decimal | None = None
    tie: TiePolicy = "median"
    descending: bool = True

    @classmethod
    def defaults(cls, decisions: Any) -> dict[str, Any]:
        return {"tie": decisions.rank_tie}

    def prepare(self, values_of: Mapping[str, Values]) -> dict[str, RankPlace]:
        rates: dict[str, Fraction] = {}
        for unit, values in values_of.items():
            r = ratio(values, self.numerator, self.denominator)
            if isinstance(r, Fraction):
                rates[unit] = r
        return rank_places(self, rates)

    def evaluate(self, ctx: EvalContext) -> PartResult:
        values, place = ctx.values, ctx.batch
        r = ratio(values, self.numerator, self.denominator)
        if isinstance(r, str) or place is None:
            reason = r if isinstance(r, str) else "没有参与排名的数据"
            return problem(f"{self.rate_name}无法计算：{reason}，不参与排名")
        amount = Fraction(place.points)
        pts = fmt_plain(place.points)
        shown = (
            f"{self.rate_name} {fmt_pct(to_decimal(r))}"
            if self.denominator
            else f"{self.rate_name} {fmt_plain(number(values, self.numerator))}"
        )
        if place.tied > 1:
            last = place.position + place.tied - 1
            rule = "取中位数" if self.tie == "median" else "取最高档"
            return PartResult(
                amount,
                f"{shown}，在{place.count}个单位中与{'、'.join(place.others)}并列"
                f"第{place.position}名（第{place.position}–{last}名），"
                f"{rule}计{pts}分",
            )
        return PartResult(
            amount,
            f"{shown}，在{place.count}个单位中排第{place.position}名，计{pts}分",
        )

    def describe(self, tables: Mapping[str, PointsTableLike]) -> str:
        rate = (
            f"{self.rate_name}（“{self.numerator}” ÷ “{self.denominator}”）"
            if self.denominator
            else f"“{self.numerator}”"
        )
        order = "从高到低" if self.descending else "从低到高"
        floor = f"，最低{fmt_plain(self.floor)}分" if self.floor is not None else ""
        tie = "并列取所占名次得分的中位数" if self.tie == "median" else "并列按最高名次计"
        return (
            f"按{rate}{order}排名：第1名{fmt_plain(self.first)}分，每后一名减"
            f"{fmt_plain(self.step)}分{floor}；{tie}"
        )

    def rate(self, values: Values) -> tuple[str, Decimal | None]:
        return self.rate_name, rate_value(values, self.numerator, self.denominator)


def _approx(f: Fraction) -> float:
    try:
        return float(f)
    except OverflowError:  # past 1e308: the exact value decides among these
        return math.inf if f > 0 else -math.inf


def rank_places(part: RankPoints, rates: Mapping[str, Fraction]) -> dict[str, RankPlace]:
    """Rank units by exact rate (best first) and give each its points; ties share by policy."""
    # By name first, then (stable, also reversed) by rate: its float, exact where two floats
    # are equal — a correctly rounded float never orders two values wrongly, only ties them —
    # so Fractions are compared only there (10,000 units: 0.05 s instead of 1 s).
    by_name = sorted(rates.items())
    order = sorted(by_name, key=lambda kv: (_approx(kv[1]), kv[1]), reverse=part.descending)
    count = len(order)

    def points_at(pos: int) -> Decimal:
        p = part.first - part.step * (pos - 1)
        return max(p, part.floor) if part.floor is not None else p

    out: dict[str, RankPlace] = {}
    i = 0
    while i < count:
        j = i
        while j + 1 < count and order[j + 1][1] == order[i][1]:
            j += 1
        group = [u for u, _ in order[i : j + 1]]
        pts = [points_at(p) for p in range(i + 1, j + 2)]
        value = median_points(pts) if part.tie == "median" else pts[0]
        for u in group:
            out[u] = RankPlace(
                position=i + 1,
                tied=len(group),
                count=count,
                points=value,
                rate=order[i][1],
                others=tuple(x for x in group if x != u),
            )
        i = j + 1
    return out


__all__ = ["RankPlace", "RankPoints", "rank_places"]
