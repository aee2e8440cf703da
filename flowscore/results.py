"""The results of one scoring run, as frozen data: what every writer and renderer reads.

Nothing here computes; ``scoring.py`` builds these, ``writers/`` and the CLI render them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from flowscore.findings import Report
from flowscore.inputs.records import InputFile
from flowscore.rubric.document import DocumentStyle

if TYPE_CHECKING:
    from flowscore.compare import Comparison

Source = Literal["computed", "assessor", "override", "pending"]
Status = Literal["final", "provisional", "missing", "rejected"]
# no score: no sheet arrived (missing), or the one that arrived could not be read (rejected)
NO_SHEET: tuple[Status, ...] = ("missing", "rejected")


@dataclass(frozen=True, kw_only=True, slots=True)
class RegisterNote:
    """Where an item's score came from when the assessor's register (核定登记表) had an entry for
    it: who entered it, when and why, what it replaced, and whether it was used."""

    score: Decimal  # as registered
    who: str  # 核定人
    date: str  # ISO (2019-12-16), or "" when not given or unreadable
    reason: str  # 理由
    file: str
    sheet: str
    row: int  # 1-based
    cell: str
    used: bool  # False: refused (the item's explanation and a finding say why)
    before: Decimal | None  # the score without the register (None: it was pending)
    before_source: str  # the source it had without the register (computed / assessor / …)


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemResult:
    no: int | str
    short: str
    text: str
    max: Decimal
    min: Decimal
    max_label: str  # "40" or "±20"
    mode: str  # computed / assessor / ceiling_assessor
    self_score: Decimal | None
    entered: Decimal | None  # the 核定分 typed on the sheet, if any
    remark: str
    verified: Decimal | None  # None while pending
    computed: Decimal | None  # what the rule gives (the ceiling for ceiling_assessor)
    source: Source
    explanation: str  # Chinese, with the numbers
    category: str = ""
    cell: str = ""  # where the 核定分 is (or would be) on the sheet
    extra_item: bool = False  # a bonus item outside the stated total (创新工作)
    capped: bool = True  # False: a bonus item the document sets no cap for (max is not shown)
    assessor: str = ""  # who entered the 核定分 when assessors' sheets were merged
    register: RegisterNote | None = None  # the register's entry for this item, if any

    @property
    def difference(self) -> Decimal | None:
        """核定分 − 自评分, when both exist."""
        if self.verified is None or self.self_score is None:
            return None
        return self.verified - self.self_score

    @property
    def lost(self) -> Decimal:
        """Points below max (0 while pending, and for a bonus item outside the total)."""
        if self.verified is None or self.extra_item:
            return Decimal(0)
        return max(Decimal(0), self.max - self.verified)


@dataclass(frozen=True, kw_only=True, slots=True)
class Entry:
    """One bonus (加分) or penalty (减分) entry from the 加减分 sheet."""

    unit: str
    kind: Literal["bonus", "penalty"]
    topic: str
    points: Decimal  # signed: bonus positive, penalty negative
    note: str
    counted: bool
    reason: str  # why it counted or not (同专题取最高 ...)
    file: str = ""
    sheet: str = ""
    row: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class UnitResult:
    unit: str
    tier: str
    tier_label: str
    base: Decimal
    sheet: str  # sheet id
    status: Status
    items: tuple[ItemResult, ...]
    bonus: Decimal
    penalty: Decimal  # <= 0
    subtotal: Decimal  # items only
    total: Decimal | None  # 评价得分 (None when missing)
    contribution: Decimal | None  # 折算得分
    rank: int | None  # within tier
    file: str = ""  # the annex sheet it came from
    self_total: Decimal | None = None
    entries: tuple[Entry, ...] = ()
    categories: tuple[tuple[str, Decimal, Decimal], ...] = ()  # (category, verified, max)

    @property
    def pending(self) -> tuple[ItemResult, ...]:
        return tuple(i for i in self.items if i.source == "pending")

    @property
    def no_sheet(self) -> bool:
        """Not scored: no sheet arrived, or the one that did could not be read."""
        return self.status in NO_SHEET


@dataclass(frozen=True, kw_only=True, slots=True)
class IndicatorRow:
    unit: str
    values: dict[str, Decimal | bool | None]
    rates: dict[str, Decimal | None]  # rate name -> fraction
    file: str = ""
    sheet: str = ""
    row: int = 0


@dataclass(kw_only=True)
class BatchResult:
    scheme_id: str
    scheme_title: str
    folder: str
    units: tuple[UnitResult, ...]
    report: Report
    indicators: tuple[IndicatorRow, ...] = ()
    entries: tuple[Entry, ...] = ()
    inputs: tuple[InputFile, ...] = ()
    tiers: tuple[tuple[str, str, Decimal], ...] = ()  # (id, label, base) in rubric order
    scheme_year: int | None = None
    document: DocumentStyle = field(default_factory=DocumentStyle)  # the Word outputs' look
    # the date printed on the documents: the newest input file's (a rerun on the same files
    # prints the same), or the one the user gives
    as_of: dt.date | None = None
    scheme_digest: str = ""  # sha256 of the rubric file (the run's manifest)
    # last year beside this year (compute --compare): set by the CLI after scoring
    comparison: Comparison | None = None

    def unit(self, name: str) -> UnitResult | None:
        for u in self.units:
            if u.unit == name:
                return u
        return None

    def tier_units(self, tier: str) -> list[UnitResult]:
        """Units of a tier in rank order (missing last)."""
        us = [u for u in self.units if u.tier == tier]
        return sorted(us, key=lambda u: (u.rank is None, u.rank or 0, u.unit))

    @property
    def complete(self) -> bool:
        return all(u.status == "final" for u in self.units)
