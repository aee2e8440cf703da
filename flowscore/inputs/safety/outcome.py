"""What a pre-check concludes about a file: open it (how, with what bounds) or refuse it (why).

A refusal is plain data; ``inputs/open`` turns it into a Finding naming the file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flowscore.catalog import kind
from flowscore.findings import Level


@dataclass(frozen=True)
class Refusal:
    """Why a file is not opened; ``inputs/open`` turns it into a Finding naming the file. The
    catalog variant and fields it was worded from are kept, so a check shared by several
    formats can be worded again for one of them (``reworded``)."""

    code: str
    message: str
    hint: str
    sheet: str = ""
    level: Level = Level.ERROR
    variant: str = ""
    fields: Mapping[str, object] = field(default_factory=dict, compare=False)

    def reworded(self, family: str) -> Refusal:
        """The same refusal in ``family``'s terms (catalog: ``word:ratio``); one already
        worded for that family is kept."""
        if self.variant == family or self.variant.startswith(family + ":"):
            return self
        variant = f"{family}:{self.variant}" if self.variant else family
        return refusal(self.code, variant, sheet=self.sheet, **self.fields)


@dataclass(frozen=True)
class SheetScan:
    rows: int  # 1-based index of the last row holding a value (0: none)
    cols: int
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 0-based

    @property
    def cells(self) -> int:
        return self.rows * self.cols


@dataclass
class Preflight:
    kind: str = ""  # xlsx, xls, ods: how to open the file
    refusal: Refusal | None = None
    notes: list[Refusal] = field(default_factory=list)  # info: read by content, not extension
    sheets: dict[str, SheetScan] = field(default_factory=dict)  # by sheet name
    worst: SheetScan | None = None  # the largest worksheet part, for a name not matched
    custom_xml: bytes | None = None


class Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def refusal(code: str, variant: str = "", *, sheet: str = "", **fields: object) -> Refusal:
    """A refusal worded from the catalog (``catalog.finding``'s patterns)."""
    k = kind(code)
    return Refusal(
        code,
        k.message(variant, fields),
        k.hint(variant, fields),
        sheet,
        k.level_of(variant),
        variant,
        dict(fields),
    )


def refuse(code: str, variant: str = "", *, sheet: str = "", **fields: object) -> Refused:
    return Refused(refusal(code, variant, sheet=sheet, **fields))


OK_SCAN = SheetScan(rows=0, cols=0)  # a part checked quickly: within every limit


def not_spreadsheet(what: str, suffix: str) -> Refused:
    return refuse("file-not-spreadsheet", suffix=suffix or "（无）", what=what)
