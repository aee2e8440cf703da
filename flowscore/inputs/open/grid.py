"""What every opener yields: plain grids of raw cell values with positions, one per sheet.

Values are as the file holds them (str, float, int, bool, datetime or None for empty),
addressed from A1; ``Grid.ref``, ``Grid.row_name`` and ``Grid.row_number`` name a cell and a
row the way its format shows them to a person (``B12``, ``第12行``, 12 in a spreadsheet; a Word
table, which has no A1 cells, answers ``第5行 › 自评分``: ``open.docx.WordGrid``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path


def col_letter(col: int) -> str:
    """0-based column index → ``A``, ``Z``, ``AA``."""
    s = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


@functools.lru_cache(maxsize=4096)
def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) → ``B12``. Cached: every annex sheet names the same few cells."""
    return f"{col_letter(col)}{row + 1}"


MAX_MERGES = 10_000  # merged ranges kept a sheet (a form has a dozen): bounds every look-up


@dataclass(frozen=True)
class Grid:
    name: str
    rows: list[list[object]]
    # Merged cells as (first row, first col, last row, last col), 0-based: the value is in the
    # first cell, the others read empty — a reader says so rather than call them blank.
    merges: tuple[tuple[int, int, int, int], ...] = ()

    def value(self, row: int, col: int) -> object:
        if row >= 0 and col >= 0:
            try:  # a cell inside the grid, the usual case: no length looked up (~80 ns less)
                v = self.rows[row][col]
            except IndexError:
                return None
            return None if v == "" else v
        return None

    def text(self, row: int, col: int) -> str:
        v = self.value(row, col)
        return "" if v is None else str(v).strip()

    def ref(self, row: int, col: int) -> str:
        """Where a cell is, as a person finds it in this format (``B12`` in a spreadsheet)."""
        return cell_ref(row, col)

    def row_name(self, row: int) -> str:
        """The 0-based ``row`` as a message names it (``第12行`` in a spreadsheet)."""
        return f"第{row + 1}行"

    def row_number(self, row: int) -> int:
        """The 0-based ``row`` as the user counts it (1-based), for records that keep a row."""
        return row + 1

    @property
    def height(self) -> int:
        return len(self.rows)

    def merged_into(self, row: int, col: int) -> tuple[int, int] | None:
        """The first cell of the merged cell that covers (``row``, ``col``) when that is
        another cell (where a merged cell's value is), else None."""
        for r0, c0, r1, c1 in self.merges:
            if r0 <= row <= r1 and c0 <= col <= c1 and (row, col) != (r0, c0):
                return r0, c0
        return None


@dataclass(frozen=True)
class WorkbookData:
    path: Path
    sheets: tuple[Grid, ...]
    props: dict[str, str] = field(default_factory=dict)
    skipped: int = 0  # sheets refused by the checks (said in their own findings)
    is_document: bool = False  # a Word document: its grids are its tables (``open.docx``)
