"""The rule kinds: each part of an item's rule turns indicator data into a signed amount of
points with a Chinese explanation carrying its numbers. No part knows about sheets or files.

Amounts are exact; each part's amount is rounded half-up to the item's places (so the
explanation adds up exactly to the item score), and rates compare as exact fractions.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Context, Decimal
from fractions import Fraction

from flowscore.numbers import HUNDRED, fmt, fmt_pct, fmt_plain, fmt_signed, q, round_whole
from flowscore.rubric.model import (
    Item,
    Part,
    PerCount,
    PointsTable,
    RankPoints,
    RankTable,
    RateShortfall,
    Threshold,
    YesNo,
)


@dataclass(frozen=True, slots=True)
class PartResult:
    amount: Decimal | None  # signed; None when it cannot be computed (pending)
    explanation: str
    problem: str = ""  # why it is pending (Chinese), empty when computed
    problem_code: str = ""  # missing-indicator / zero-denominator / missing-rank


@dataclass(frozen=True, slots=True)
class RankPlace:
    """Where one unit stands in a rank_points ranking."""

    position: int  # best position of its tie group (1-based)
    tied: int  # size of its tie group
    count: int  # units ranked
    points: Decimal
    rate: Fraction
    others: tuple[str, ...] = ()  # the units it ties with


Values = dict[str, Decimal | bool | None]


def ratio(values: Values, numerator: str, denominator: str | None) -> Fraction | str:
    """numerator ÷ denominator as an exact fraction, or the Chinese reason it has none."""
    num = values.get(numerator)
    if num is None or isinstance(num, bool):
        return f"缺少指标“{numerator}”"
    if denominator is None:
        return Fraction(num)
    den = values.get(denominator)
    if den is None or isinstance(den, bool):
        return f"缺少指标“{denominator}”"
    if den == 0:
        return f"“{denominator}”为0，无法计算比率"
    # One Fraction from two ints (its fast path), not two Fractions from Decimals and a
    # division: the same exact value, a third of the time on a province of units.
    n1, d1 = num.as_integer_ratio()
    n2, d2 = den.as_integer_ratio()
    return Fraction(n1 * d2, d1 * n2)


_WIDE = Context(prec=60)  # enough digits that rounding to 10 places is exact half-up


@functools.lru_cache(maxsize=256)
def _integer_ratio(d: Decimal) -> tuple[int, int]:
    return d.as_integer_ratio()


def to_decimal(f: Fraction, places: int = 10) -> Decimal:
    return q(_WIDE.divide(Decimal(f.numerator), Decimal(f.denominator)), places)


def _problem(reason: str) -> PartResult:
    code = "zero-denominator" if "为0" in reason else "missing-indicator"
    return PartResult(None, reason, problem=reason, problem_code=code)


def per_count(part: PerCount, values: Values, places: int) -> PartResult:
    raw = values.get(part.indicator)
    if raw is None or isinstance(raw, bool):
        return _problem(f"缺少指标“{part.indicator}”")
    if part.required is not None:
        count = max(Decimal(0), part.required - raw)
        what = f"{part.label} {fmt_plain(raw)} 次，要求 {fmt_plain(part.required)} 次，少 {fmt_plain(count)} 次"
    else:
        count = raw
        what = f"{part.label} {fmt_plain(raw)} 件"
    amount = count * part.points
    capped = part.cap is not None and abs(amount) > part.cap
    if capped:
        amount = part.cap if amount > 0 else -part.cap
    amount = q(amount, places)
    verb = "加" if part.points > 0 else "扣"
    each = f"每件{verb}{fmt_plain(abs(part.points))}分"
    if count == 0:
        return PartResult(Decimal(0), f"{what}，不{verb}分")
    tail = f"（最多{verb}{fmt_plain(part.cap)}分）" if capped and part.cap is not None else ""
    return PartResult(amount, f"{what}，{each}，{verb}{fmt(abs(amount), places)}分{tail}")


def rate_shortfall(part: RateShortfall, values: Values, places: int) -> PartResult:
    r = ratio(values, part.numerator, part.denominator)
    if isinstance(r, str):
        return _problem(f"{part.rate_name}无法计算：{r}")
    shown = (
        f"{part.rate_name} {fmt_pct(to_decimal(r))}（{fmt_plain(values[part.numerator])}/"
        f"{fmt_plain(values[part.denominator])}）"
    )  # type: ignore[arg-type]
    # target − 100·r in integers (r = n/d, d > 0; target = tn/td): exact, and ~5× faster than
    # Fraction arithmetic over a province of units.
    tn, td = _integer_ratio(part.target)
    gap = tn * r.denominator - 100 * r.numerator * td
    if gap <= 0:
        return PartResult(Decimal(0), f"{shown}，达到{fmt_plain(part.target)}%目标，不扣分")
    short = q(_WIDE.divide(Decimal(gap), Decimal(td * r.denominator)), 10)
    counted = round_whole(short, part.rounding)
    amount = counted * part.per_point
    capped = part.cap is not None and amount > part.cap
    if capped:
        amount = part.cap  # type: ignore[assignment]
    amount = q(amount, places)
    how = {"floor": "（按整百分点向下取整）", "ceil": "（按整百分点向上取整）"}.get(
        part.rounding, ""
    )
    tail = f"（最多扣{fmt_plain(part.cap)}分）" if capped else ""
    return PartResult(
        -amount,
        f"{shown}，低于{fmt_plain(part.target)}%目标{fmt(short, places)}个百分点"
        f"{how}，扣{fmt(amount, places)}分{tail}",
    )


def yes_no(part: YesNo, values: Values, places: int) -> PartResult:
    v = values.get(part.indicator)
    if v is None or not isinstance(v, bool):
        return _problem(f"缺少指标“{part.indicator}”（是/否）")
    amount = q(part.if_yes if v else part.if_no, places)
    answer = "是" if v else "否"
    if amount == 0:
        return PartResult(Decimal(0), f"{part.label}：{answer}，不计分")
    verb = "计" if amount > 0 else "扣"
    return PartResult(amount, f"{part.label}：{answer}，{verb}{fmt_plain(abs(amount))}分")


def threshold(part: Threshold, values: Values, places: int) -> PartResult:
    if part.numerator:
        r = ratio(values, part.numerator, part.denominator)
        if isinstance(r, str):
            return _problem(f"{part.value_name}无法计算：{r}")
        value, shown = r * 100, fmt_pct(to_decimal(r))
    else:
        raw = values.get(part.indicator or "")
        if raw is None or isinstance(raw, bool):
            return _problem(f"缺少指标“{part.indicator}”")
        value, shown = Fraction(raw), fmt_plain(raw)
    if part.compare_to:
        other = values.get(part.compare_to)
        if other is None or isinstance(other, bool):
            return _problem(f"缺少指标“{part.compare_to}”")
        target, target_shown = Fraction(other), f"{part.compare_to} {fmt_plain(other)}"
    else:
        target = Fraction(part.target)
        target_shown = fmt_plain(part.target) + ("%" if part.numerator else "")
    if value >= target:
        return PartResult(Decimal(0), f"{part.value_name} {shown}，不低于{target_shown}，不扣分")
    amount = q(part.points, places)
    return PartResult(
        amount,
        f"{part.value_name} {shown}，低于{target_shown}，"
        f"{'扣' if amount < 0 else '计'}{fmt_plain(abs(amount))}分",
    )


def median_points(points: list[Decimal]) -> Decimal:
    """The median of the points of the positions a tie group shares (DOMAIN.md §2)."""
    s = sorted(points)
    n = len(s)
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2


def rank_places(part: RankPoints, rates: dict[str, Fraction]) -> dict[str, RankPlace]:
    """Rank units by exact rate (best first) and give each its points; ties share by policy."""
    order = sorted(rates.items(), key=lambda kv: (-kv[1] if part.descending else kv[1], kv[0]))
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
        positions = list(range(i + 1, j + 2))
        pts = [points_at(p) for p in positions]
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


def rank_points(
    part: RankPoints, values: Values, places: int, place: RankPlace | None
) -> PartResult:
    r = ratio(values, part.numerator, part.denominator)
    if isinstance(r, str) or place is None:
        reason = r if isinstance(r, str) else "没有参与排名的数据"
        return _problem(f"{part.rate_name}无法计算：{reason}，不参与排名")
    amount = q(place.points, places)
    shown = (
        f"{part.rate_name} {fmt_pct(to_decimal(r))}"
        if part.denominator
        else f"{part.rate_name} {fmt_plain(values[part.numerator])}"
    )  # type: ignore[arg-type]
    if place.tied > 1:
        last = place.position + place.tied - 1
        rule = "取中位数" if part.tie == "median" else "取最高档"
        return PartResult(
            amount,
            f"{shown}，在{place.count}个单位中与{'、'.join(place.others)}并列"
            f"第{place.position}名（第{place.position}–{last}名），"
            f"{rule}计{fmt_plain(amount)}分",
        )
    return PartResult(
        amount, f"{shown}，在{place.count}个单位中排第{place.position}名，计{fmt_plain(amount)}分"
    )


def table_points(table: PointsTable, rank: int, tied: int) -> Decimal | str:
    """Points for an externally given rank shared by ``tied`` units, or why there are none."""
    last = rank + tied - 1
    if last > len(table.points):
        return f"排名第{rank}名（{tied}个并列）超出{table.name}的{len(table.points)}个名次"
    pts = list(table.points[rank - 1 : last])
    return median_points(pts) if table.tie == "median" else pts[0]


def rank_table(
    part: RankTable, table: PointsTable, rank: tuple[int, int] | None, places: int
) -> PartResult:
    if rank is None:
        reason = f"缺少{table.name}"
        return PartResult(None, reason, problem=reason, problem_code="missing-rank")
    position, tied = rank
    pts = table_points(table, position, tied)
    if isinstance(pts, str):
        return PartResult(None, pts, problem=pts, problem_code="bad-rank")
    amount = q(pts, places)
    if tied > 1:
        shared = "、".join(
            fmt_signed(p, 0) if p == p.to_integral_value() else fmt_signed(p)
            for p in table.points[position - 1 : position + tied - 1]
        )
        return PartResult(
            amount,
            f"{table.name}第{position}名（{tied}个单位并列，第{position}–"
            f"{position + tied - 1}名），取中位数（{shared}）计"
            f"{_signed_plain(amount)}分",
        )
    return PartResult(amount, f"{table.name}第{position}名，计{_signed_plain(amount)}分")


def _signed_plain(v: Decimal) -> str:
    s = fmt_plain(v)
    return s if v < 0 else "+" + s


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
    rank_place: dict[int, RankPlace | None],
    tables: dict[str, PointsTable],
    city_rank: tuple[int, int] | None,
) -> ItemComputation:
    """Evaluate every part of an item and combine them: start + Σ amounts, kept in [min, max]."""
    results: list[PartResult] = []
    for index, part in enumerate(item.parts):
        results.append(
            evaluate(
                part,
                values,
                places=places,
                place=rank_place.get(index),
                tables=tables,
                city_rank=city_rank,
            )
        )
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


def evaluate(
    part: Part,
    values: Values,
    *,
    places: int,
    place: RankPlace | None,
    tables: dict[str, PointsTable],
    city_rank: tuple[int, int] | None,
) -> PartResult:
    kind = type(part)
    if kind is RateShortfall:  # the usual part, first
        return rate_shortfall(part, values, places)  # type: ignore[arg-type]
    if kind is PerCount:
        return per_count(part, values, places)  # type: ignore[arg-type]
    if kind is YesNo:
        return yes_no(part, values, places)  # type: ignore[arg-type]
    if kind is Threshold:
        return threshold(part, values, places)  # type: ignore[arg-type]
    if kind is RankPoints:
        return rank_points(part, values, places, place)  # type: ignore[arg-type]
    if kind is RankTable:
        return rank_table(part, tables[part.table], city_rank, places)  # type: ignore[union-attr]
    raise TypeError(f"unknown part {part!r}")  # the loader admits only the kinds above


__all__ = [
    "HUNDRED",
    "ItemComputation",
    "PartResult",
    "RankPlace",
    "compute_item",
    "evaluate",
    "median_points",
    "rank_places",
    "table_points",
]
