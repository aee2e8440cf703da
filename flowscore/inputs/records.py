"""What reading a submissions folder produces: plain frozen records, one kind per sheet kind,
gathered into ``Inputs`` with the findings. Nothing here reads a file or scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from flowscore.catalog import finding
from flowscore.findings import Finding


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemEntry:
    no: str
    self_score: Decimal | None
    entered: Decimal | None
    remark: str
    row: int  # 0-based
    self_cell: str
    verified_cell: str
    assessor: str = ""  # set when merged from a member department's sheet
    # Why ``entered`` is None although the cell is not simply blank, for the pending item to say
    # what is there: the cell's text when it is no score (``90%``), or the cell a merge covering
    # it starts at (its score, if any, is that cell's).
    verified_text: str = ""
    verified_merged: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class AnnexSheet:
    unit: str
    sheet_id: str
    file: str
    sheet: str
    items: dict[str, ItemEntry]
    scheme_id: str = ""
    assessor: str = ""  # the member department that filled 核定分 (field inspection sheets)
    conflicts: dict[str, str] = field(default_factory=dict)  # item no -> why it is pending
    bonus_self: Decimal | None = None
    penalty_self: Decimal | None = None

    def unpacked(self) -> AnnexSheet:
        return self


class AnnexRecord(Protocol):
    """An annex sheet as the batch holds it until its unit is scored: who and where, and its
    items on request (a sheet read in a worker process keeps them packed until then)."""

    @property
    def unit(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def sheet(self) -> str: ...
    @property
    def assessor(self) -> str: ...

    def unpacked(self) -> AnnexSheet: ...


@dataclass(frozen=True, kw_only=True, slots=True)
class Value:
    value: Decimal | bool | None
    file: str
    sheet: str
    cell: str

    def __reduce__(self) -> tuple[object, ...]:
        # A province's indicator workbook has ~100,000 values to send from a worker process:
        # as (constructor, fields) pickling takes a third of the default's time both ways.
        return (_value, (self.value, self.file, self.sheet, self.cell))


def _value(value: Decimal | bool | None, file: str, sheet: str, cell: str) -> Value:
    return Value(value=value, file=file, sheet=sheet, cell=cell)


@dataclass(frozen=True, kw_only=True, slots=True)
class RawEntry:
    unit: str
    kind: str  # bonus / penalty
    topic: str
    magnitude: Decimal
    note: str
    file: str
    sheet: str
    row: int  # 1-based, as shown in the spreadsheet
    points_cell: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RankRow:
    unit: str
    rank: int
    tied: int
    file: str
    sheet: str
    cell: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RegisterEntry:
    """One row of the assessor's register (核定登记表): the office's verified score for one
    unit's item, with who entered it, when and why. ``date`` is ISO (2019-12-16) or empty when
    it could not be read (``written_date`` keeps what was typed)."""

    unit: str
    no: str  # the item's number on the unit's sheet
    score: Decimal
    reason: str
    who: str
    date: str
    written_date: str
    file: str
    sheet: str
    row: int  # 1-based, as the spreadsheet shows it
    cell: str  # the 核定分 cell


@dataclass(kw_only=True)
class Inputs:
    annexes: list[AnnexRecord] = field(default_factory=list)
    indicators: dict[str, dict[str, Value]] = field(default_factory=dict)
    indicator_sources: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    entries: list[RawEntry] = field(default_factory=list)
    ranking: dict[str, RankRow] = field(default_factory=dict)
    files: list[InputFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    saw_indicator_sheet: bool = False
    saw_ranking_sheet: bool = False
    register: list[RegisterEntry] = field(default_factory=list)  # 核定登记表, in file order

    def report(self, code: str, variant: str = "", **fields: Any) -> None:
        """Record a problem of kind ``code`` (``catalog.finding``: where it is, and the fields
        its message and hint name)."""
        self.findings.append(finding(code, variant, **fields))

    def add_indicator(self, unit: str, name: str, value: Value) -> None:
        """Keep the first value of an indicator; a different second value is an error."""
        values = self.indicators.setdefault(unit, {})
        old = values.get(name)
        if old is None:
            values[name] = value
        elif old.value != value.value:
            self.report(
                "conflicting-indicator",
                file=value.file,
                sheet=value.sheet,
                cell=value.cell,
                unit=unit,
                name=name,
                old=old.value,
                where=f"{old.file} › {old.sheet} › {old.cell}",
                new=value.value,
            )

    def add_rank(self, row: RankRow) -> None:
        if row.unit in self.ranking:
            first = self.ranking[row.unit]
            self.report(
                "duplicate-row",
                "rank",
                file=row.file,
                sheet=row.sheet,
                cell=row.cell,
                unit=row.unit,
                where=f"{first.file} › {first.sheet} › {first.cell}",
            )
            return
        self.ranking[row.unit] = row

    def merge(self, other: Inputs) -> None:
        """Add one file's records (read on its own, perhaps in another process) in file order,
        applying the checks that span files."""
        self.annexes.extend(other.annexes)
        self.findings.extend(other.findings)
        for unit, values in other.indicators.items():
            if unit not in self.indicators:  # the usual case: nothing to check it against
                self.indicators[unit] = dict(values)
                continue
            for name, value in values.items():
                self.add_indicator(unit, name, value)
        for unit, src in other.indicator_sources.items():
            self.indicator_sources.setdefault(unit, src)
        self.entries.extend(other.entries)
        for row in other.ranking.values():
            self.add_rank(row)
        self.files.extend(other.files)
        self.saw_indicator_sheet |= other.saw_indicator_sheet
        self.saw_ranking_sheet |= other.saw_ranking_sheet
        self.register.extend(other.register)


@dataclass(frozen=True, kw_only=True, slots=True)
class InputFile:
    path: str  # relative to the submissions folder
    kind: str  # annex / indicators / entries / ranking / unknown / skipped
    unit: str = ""
    sheets: tuple[str, ...] = ()
    scheme: str = ""  # the scheme id a template carries (flowscore.scheme), if any
    size: int = -1  # bytes read (-1: the file was not read)
    sha256: str = ""  # of the bytes read, for the run's manifest (results.json)
