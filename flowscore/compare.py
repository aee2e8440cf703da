"""Last year beside this year (``compute --compare 上年结果/``): each unit's 评价得分 and rank
against the previous results.json (of an earlier rubric version, perhaps), and its items where
they can be compared.

An item is compared with last year's only where both mean the same thing: the same 分值 and the
same rule text (评分标准), under the same 序号 or — renumbered — another one with that text. A
rubric may map a renamed item to its earlier 序号 (``previous = "3"`` on the item, validated by
the loader): the mapping vouches for the meaning, so only the 分值 must match. Where an item
cannot be compared the comparison says why (分值由 25 改为 30, 评分标准有修改, 上年没有这一项,
待核定 …) instead of showing a number. Units are matched by name or by any alias the rubric
lists (a renamed unit); the 评价得分 are compared whatever the items, with a caveat when some
items could not be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flowscore.catalog import finding
from flowscore.names import label, norm
from flowscore.numbers import fmt, fmt_plain
from flowscore.results import BatchResult, ItemResult, UnitResult
from flowscore.rubric.model import Scheme


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemComparison:
    no: str
    short: str
    verified: Decimal | None
    previous_no: str  # the item's 序号 last year ("" when none was found)
    previous: Decimal | None
    why: str  # "" when compared; else why not, in Chinese

    @property
    def delta(self) -> Decimal | None:
        if self.why or self.verified is None or self.previous is None:
            return None
        return self.verified - self.previous

    def to_dict(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "short": self.short,
            "verified": self.verified,
            "previous_no": self.previous_no or None,
            "previous": self.previous if not self.why else None,
            "delta": self.delta,
            "comparable": not self.why,
            "why": self.why,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class UnitComparison:
    unit: str
    previous_unit: str  # its name last year ("" when it was not in last year's results)
    total: Decimal | None
    previous_total: Decimal | None
    rank: int | None
    previous_rank: int | None
    note: str  # why there is no number, or a caveat
    items: tuple[ItemComparison, ...] = ()

    @property
    def delta(self) -> Decimal | None:
        if self.total is None or self.previous_total is None:
            return None
        return self.total - self.previous_total

    @property
    def rank_change(self) -> int | None:
        """Places gained in the tier (positive: up), when both years have a rank there."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def rank_text(self) -> str:
        """``上升2名`` / ``下降1名`` / ``不变``, or why there is none."""
        change = self.rank_change
        if change is None:
            return self.note or "无法比较"
        if change > 0:
            return f"上升{change}名"
        if change < 0:
            return f"下降{-change}名"
        return "不变"

    @property
    def delta_text(self) -> str:
        """``+2.50`` / ``-1.00`` / ``0.00``, or why there is none."""
        d = self.delta
        if d is None:
            return self.note or "无法比较"
        return fmt(d) if d == 0 else (fmt(d) if d < 0 else "+" + fmt(d))

    @property
    def uncompared(self) -> tuple[ItemComparison, ...]:
        return tuple(i for i in self.items if i.why)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "previous_unit": self.previous_unit or None,
            "total": self.total,
            "previous_total": self.previous_total,
            "delta": self.delta,
            "rank": self.rank,
            "previous_rank": self.previous_rank,
            "rank_change": self.rank_change,
            "rank_text": self.rank_text,
            "note": self.note,
            "items": [i.to_dict() for i in self.items],
        }


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """This run against the previous one."""

    source: str  # the previous results as given (a path, as the user wrote it)
    scheme_id: str
    scheme_title: str
    digest: str  # the previous rubric's content hash ("" when its results do not say)
    same_rubric: bool
    units: Mapping[str, UnitComparison]

    def unit(self, name: str) -> UnitComparison | None:
        return self.units.get(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "previous": {
                "source": self.source,
                "scheme": {"id": self.scheme_id, "title": self.scheme_title},
                "rubric_sha256": self.digest or None,
                "same_rubric": self.same_rubric,
            },
            "units": [u.to_dict() for u in self.units.values()],
        }


def compare(
    result: BatchResult, previous: Mapping[str, Any], scheme: Scheme, *, source: str
) -> Comparison:
    """``result`` beside ``previous`` (a results.json as ``load_results`` reads it). A finding
    in ``result.report`` says so when last year's rubric was another."""
    prev_scheme = previous.get("scheme") or {}
    prev_rubric = (previous.get("manifest") or {}).get("rubric") or {}
    digest = str(prev_rubric.get("sha256") or "")
    same = prev_scheme.get("id") == result.scheme_id and (
        not digest or not result.scheme_digest or digest == result.scheme_digest
    )
    if not same:
        old = str(prev_scheme.get("id", "?"))
        if old == result.scheme_id:
            old += "（另一版本）"
        result.report.add(finding("compare-rubric", old=old, new=result.scheme_id))
    by_name = {norm(str(u.get("unit", ""))): u for u in previous.get("units", [])}
    units: dict[str, UnitComparison] = {}
    for u in result.units:
        units[u.unit] = _unit(u, _previous_unit(u.unit, scheme, by_name), scheme, same)
    return Comparison(
        source=source,
        scheme_id=str(prev_scheme.get("id", "")),
        scheme_title=str(prev_scheme.get("title", "")),
        digest=digest,
        same_rubric=same,
        units=units,
    )


def _previous_unit(
    name: str, scheme: Scheme, by_name: Mapping[str, Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    unit = scheme.unit(name)
    for written in (name, *(unit.aliases if unit else ())):
        found = by_name.get(norm(written))
        if found is not None:
            return found
    return None


def _dec(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    return Decimal(str(value))


def _unit(
    u: UnitResult, prev: Mapping[str, Any] | None, scheme: Scheme, same: bool
) -> UnitComparison:
    if prev is None:
        return UnitComparison(
            unit=u.unit,
            previous_unit="",
            total=u.total,
            previous_total=None,
            rank=u.rank,
            previous_rank=None,
            note="上年无此单位",
        )
    prev_name = str(prev["unit"])
    if u.status == "missing":
        note = "本年未报送"
    elif prev.get("status") == "missing":
        note = "上年未报送"
    else:
        note = ""
    items = tuple(_items(u, prev, scheme))
    prev_rank = prev.get("rank") if isinstance(prev.get("rank"), int) else None
    if not note and prev.get("tier") != u.tier:
        note = f"上年在“{prev.get('tier_label', prev.get('tier'))}”类别，名次不可比"
        prev_rank = None
    elif not note and items and any(i.why for i in items) and not same:
        n = sum(1 for i in items if i.why)
        note = f"细则有变化（{n}项不可比），评价得分增减仅供参考"
    return UnitComparison(
        unit=u.unit,
        previous_unit=prev_name,
        total=u.total,
        previous_total=None if note in ("本年未报送", "上年未报送") else _dec(prev.get("total")),
        rank=u.rank,
        previous_rank=None if note in ("本年未报送", "上年未报送") else prev_rank,
        note=note,
        items=items,
    )


def _items(u: UnitResult, prev: Mapping[str, Any], scheme: Scheme) -> list[ItemComparison]:
    prev_items: list[Mapping[str, Any]] = [i for i in prev.get("items", []) if isinstance(i, dict)]
    by_no = {str(i.get("no")): i for i in prev_items}
    unit = scheme.unit(u.unit)
    sheet = scheme.sheet(unit.sheet) if unit else None
    out = []
    for it in u.items:
        rubric_item = sheet.item(it.no) if sheet else None
        mapped = rubric_item.previous if rubric_item else ""
        p, why = _match(it, mapped, by_no, prev_items)
        if not why and it.verified is None:
            why = "本年待核定"
        if not why and p is not None and p.get("verified") is None:
            why = "上年待核定"
        out.append(
            ItemComparison(
                no=str(it.no),
                short=it.short or it.text[:12],
                verified=it.verified,
                previous_no=str(p.get("no")) if p is not None else "",
                previous=_dec(p.get("verified")) if p is not None else None,
                why=why,
            )
        )
    return out


def _max_label(p: Mapping[str, Any]) -> str:
    shown = p.get("max_label")
    if shown:
        return str(shown)
    return fmt_plain(_dec(p.get("max")))


def _same_max(it: ItemResult, p: Mapping[str, Any]) -> bool:
    return _max_label(p) == it.max_label and _dec(p.get("min")) in (None, it.min)


def _same_text(it: ItemResult, p: Mapping[str, Any]) -> bool:
    return label(str(p.get("text", ""))) == label(it.text)


def _match(
    it: ItemResult,
    mapped: str,
    by_no: Mapping[str, Mapping[str, Any]],
    prev_items: list[Mapping[str, Any]],
) -> tuple[Mapping[str, Any] | None, str]:
    """Last year's item for ``it`` and why it is not comparable ('' when it is)."""
    if mapped:
        p = by_no.get(mapped)
        if p is None:
            return None, f"细则注明上年为序号{mapped}，上年结果中没有这一项"
        if not _same_max(it, p):
            return p, f"分值由 {_max_label(p)} 改为 {it.max_label}"
        return p, ""
    p = by_no.get(str(it.no))
    if p is not None and _same_max(it, p) and _same_text(it, p):
        return p, ""
    moved = [q for q in prev_items if _same_max(it, q) and _same_text(it, q)]
    if len(moved) == 1:  # renumbered, same text and 分值
        return moved[0], ""
    if p is None:
        return None, "上年没有这一项"
    if not _same_max(it, p):
        return p, f"分值由 {_max_label(p)} 改为 {it.max_label}"
    return p, "评分标准有修改"
