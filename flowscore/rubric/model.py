"""The rubric model: a scheme (units, tiers, sheets, items, rules, pools, tables, decisions) as
frozen data. Loading and validation live in ``rubric/load.py``; the rule kinds (the parts of an
item's rule, with their evaluation) in ``rules/``.

Item scoring works the same way for every scheme: an item starts at ``start`` (its max for
deduction items, 0 for award items), each *part* of its rule adds a signed amount (a deduction is
negative), and the result is kept within [min, max]. ``mode`` says who decides the score:
``computed`` (the parts alone), ``assessor`` (the 核定分 typed on the sheet) or
``ceiling_assessor`` (the parts give a ceiling, the assessor gives the score).
"""

from __future__ import annotations

import functools
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from flowscore.rubric.document import DocumentStyle
from flowscore.rules.base import Rule
from flowscore.rules.rank_points import TiePolicy
from flowscore.rules.rate_shortfall import Rounding

Mode = Literal["computed", "assessor", "ceiling_assessor"]
MODES: tuple[str, ...] = typing.get_args(Mode)


Part = Rule  # one part of an item's rule: an instance of a kind in ``rules/``


@dataclass(frozen=True, kw_only=True)
class Item:
    no: int | str
    text: str
    max: Decimal
    min: Decimal = Decimal(0)
    mode: Mode
    start: Literal["max", "zero"] = "max"
    parts: tuple[Part, ...] = ()
    short: str = ""  # a few words naming the item (for tables)
    cite: str = ""
    note: str = ""  # what the assessor looks at (targets stated without a formula)
    category: str = ""  # Beilun-style categories (基础工作 ...)
    allowed: tuple[Decimal, ...] = ()  # assessor scores the document allows (5, 3, 2, 0)
    owner: str = ""  # the member department that scores it in the field inspection
    # a blank 核定分 is no pending item: ceiling_assessor keeps the computed value, assessor
    # counts 0 (a discretionary bonus or deduction nobody gave)
    assessor_optional: bool = False
    extra: bool = False  # a bonus item outside the sheet's stated total (创新工作)
    # False for a bonus item whose document sets no cap (北仑 创新工作): ``max`` is then only
    # a bound no score reaches, never shown
    capped: bool = True
    criteria: str = ""  # 评分标准, where the form prints it apart from 考核内容 (Beilun)
    # the earlier rubric's 序号 of this item, when it was renamed or renumbered: the year
    # comparison (compute --compare) matches the two by it
    previous: str = ""

    @property
    def is_adjustment(self) -> bool:
        """A ± row (city ranking): may go below zero."""
        return self.min < 0

    @functools.cached_property
    def max_label(self) -> str:
        from flowscore.numbers import fmt_plain

        if self.extra and not self.capped:
            return "加分项"
        if self.extra:
            return f"加分项（最高{fmt_plain(self.max)}）"
        if self.is_adjustment and -self.min == self.max:
            return "±" + fmt_plain(self.max)
        if self.is_adjustment:  # deduction only (0 to −5): the range, not a bare "0"
            return f"{fmt_plain(self.min)}～{fmt_plain(self.max)}"
        return fmt_plain(self.max)

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for p in self.parts for n in p.indicators()))


@dataclass(frozen=True, kw_only=True)
class Pool:
    """Bonus (加分) or penalty (减分) entries: each entry's magnitude within [min, max]."""

    kind: Literal["bonus", "penalty"]
    text: str
    min: Decimal
    max: Decimal
    same_topic: Literal["highest", "sum"] = "sum"
    cap: Decimal | None = None
    cite: str = ""


@dataclass(frozen=True, kw_only=True)
class Category:
    """A section of a sheet (基础工作 30); ``min``/``max`` bound its subtotal when given
    (the provincial section 四 is deduction-only, at most −10)."""

    name: str
    max: Decimal | None = None
    min: Decimal | None = None
    cite: str = ""


@dataclass(frozen=True, kw_only=True)
class Sheet:
    id: str
    annex: str  # 附件1
    title: str
    seal_label: str  # 镇（乡）街道(盖章)
    total: Decimal  # the total the sheet states (100)
    items: tuple[Item, ...]
    bonus: Pool | None = None
    penalty: Pool | None = None
    footnotes: tuple[str, ...] = ()
    cite: str = ""
    categories: tuple[Category, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)  # role -> label used in templates
    # the items' sum as the document publishes it, when it differs from the total (105 vs 100):
    # recorded once in the rubric so that it is described, not warned about on every run
    published_sum: Decimal | None = None

    def item(self, no: int | str) -> Item | None:
        """The first item numbered ``no`` (compared as text), or None."""
        index = self.__dict__.get("_by_no")
        if index is None:  # built once: a province's sheets look items up ~30 times each
            index = {}
            for it in self.items:
                index.setdefault(str(it.no), it)
            object.__setattr__(self, "_by_no", index)  # a cache, not state: frozen is kept
        found: Item | None = index.get(str(no))
        return found

    @property
    def items_max_sum(self) -> Decimal:
        return sum(
            (it.max for it in self.items if not it.is_adjustment and not it.extra), Decimal(0)
        )


@dataclass(frozen=True, kw_only=True)
class Tier:
    id: str  # A, B, C, 部门
    label: str
    base: Decimal


@dataclass(frozen=True, kw_only=True)
class Unit:
    name: str
    tier: str
    sheet: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Indicator:
    name: str
    kind: Literal["count", "number", "rate", "yes_no"]
    sheets: tuple[str, ...]  # sheet ids whose units report it
    aliases: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Derived:
    """An indicator computed from others by a formula (应配协管员数 = 城镇流动人口数 / 800 + …):
    + − × ÷, parentheses, numbers and indicator names only."""

    name: str
    formula: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class PointsTable:
    id: str
    name: str
    points: tuple[Decimal, ...]  # points for rank 1, 2, ...
    tie: TiePolicy = "median"
    cite: str = ""


@dataclass(frozen=True, kw_only=True)
class Decisions:
    """Every choice DOMAIN.md §5 makes where the documents are silent, as a visible setting.
    Each changes the result it names (tests/test_decisions.py); what flowscore always does
    (a zero denominator or a blank 核定分 leaves the item pending; equal totals share a rank)
    is no setting."""

    # how a fractional shortfall counts in rate_shortfall rules that do not say (27.5% against
    # 30%: 2.5 points, or 2 rounded down, 3 rounded up)
    shortfall_rounding: Rounding = "proportional"
    item_places: int = 2  # item scores round half-up to this many decimals, once
    contribution_places: int = 4  # 折算得分 = 基本分 × 评价得分 / 100, to this many decimals
    total_floor: Decimal | None = Decimal(0)  # a total never goes below this
    total_cap: Decimal | None = None  # nor above this (none: bonuses may pass 100)
    rank_scope: Literal["sheet", "tier"] = "sheet"  # rank_points among all units, or per tier
    # tied units share their positions' points: the median, or the best (rules and tables
    # that do not say)
    rank_tie: TiePolicy = "median"
    # a 核定分 that departs from a computed value (or goes above a computed ceiling) counts
    # only with a written reason in 备注; false: it always counts, as an override
    computed_override_needs_reason: bool = True
    self_above_max_needs_reason: bool = True  # a 自评分 above the max without a reason warns
    bonus_cap: Decimal | None = None  # a unit's bonus entries together count at most this
    rescale_to_100: bool = False  # a sheet whose items sum to more than its total: rescale
    # whose entries the 核定分 on a unit's own sheet are: they count for items without an
    # owner and for items of this member department (empty: ownerless items only); an item
    # another department owns is scored only on that department's inspection sheet
    own_sheet_assessor: str = ""


@dataclass(frozen=True, kw_only=True)
class Headers:
    """Column labels and their aliases as people write them (spaces are ignored anyway)."""

    annex: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role -> labels
    entries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ranking: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unit: tuple[str, ...] = ("单位",)


@dataclass(frozen=True, kw_only=True)
class Scheme:
    id: str
    title: str
    year: int | None  # None when the document states no year
    source: str  # the document it follows, by title: 《…考核办法》
    tiers: tuple[Tier, ...]
    units: tuple[Unit, ...]
    sheets: tuple[Sheet, ...]
    indicators: tuple[Indicator, ...]
    tables: tuple[PointsTable, ...] = ()
    decisions: Decisions = field(default_factory=Decisions)
    headers: Headers = field(default_factory=Headers)
    path: str = ""  # where it was loaded from
    digest: str = ""  # sha256 of the rubric file's bytes (the run's manifest)
    deadline: str = ""  # the submission deadline the document states (12月10日)
    derived: tuple[Derived, ...] = ()
    assessors: tuple[str, ...] = ()  # member departments that score items (field inspection)
    document: DocumentStyle = field(default_factory=DocumentStyle)  # the Word outputs' look

    # Lookups by key: a province's roster has thousands of units, looked up once per file, so
    # each collection is indexed once (cached_property writes the instance dict directly, which
    # a frozen dataclass allows).
    @functools.cached_property
    def _sheets(self) -> dict[str, Sheet]:
        return {s.id: s for s in self.sheets}

    @functools.cached_property
    def _tiers(self) -> dict[str, Tier]:
        return {t.id: t for t in self.tiers}

    @functools.cached_property
    def _tables(self) -> dict[str, PointsTable]:
        return {t.id: t for t in self.tables}

    @functools.cached_property
    def _units(self) -> dict[str, Unit]:
        return {u.name: u for u in self.units}

    @functools.cached_property
    def _indicators(self) -> dict[str, Indicator]:
        return {i.name: i for i in self.indicators}

    def sheet(self, sheet_id: str) -> Sheet:
        return self._sheets[sheet_id]

    def tier(self, tier_id: str) -> Tier:
        return self._tiers[tier_id]

    def table(self, table_id: str) -> PointsTable:
        return self._tables[table_id]

    def unit(self, name: str) -> Unit | None:
        return self._units.get(name)

    def units_of_sheet(self, sheet_id: str) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.sheet == sheet_id)

    def indicator(self, name: str) -> Indicator | None:
        return self._indicators.get(name)
