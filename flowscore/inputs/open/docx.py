"""Word documents (.docx, and .doc/.wps/RTF through LibreOffice) opened as plain grids, so the
sheet kinds (``inputs/kinds``) read them exactly as they read a spreadsheet, with no
Word-specific code.

Many units return the annex the way they received it: the Word document, with the table filled
in. Each table (or run of tables that continue one another) becomes one ``WordGrid``:

* **Rows**: first the document's paragraphs just above the table (the last ``MAX_ABOVE`` that
  hold text since the previous table), each a one-cell row, so the title and the seal line
  ``镇（乡）街道(盖章)：月湖街道    评价得分：`` sit above the header as in a sheet; then the
  table's rows. Paragraphs below a table are not rows of it: in a Word file they are more often
  the rest of a report than footnotes, and an indicator or entries recogniser would read every
  one as a data row. (They are the next table's paragraphs above.)
* **A table split across pages** (the header row typed again, or tables parted by nothing but
  blank or ``续表`` paragraphs and as wide) is one grid; the repeated header is dropped.
* **Merged cells give one value in one column**, read from the XML (``w:gridSpan``,
  ``w:vMerge``, old ``w:hMerge``, ``w:gridBefore``): python-docx's ``row.cells`` repeats a merged
  cell's text in every grid cell it covers, which would put the 考核部门 ``海\\n曙\\n公\\n安\\n分\\n局``
  on every row of the department. Continuation cells are empty, as in a spreadsheet's merges.
* **Values are text as typed** (cell paragraphs joined by ``\\n``); ``numbers.parse_number``
  reads ``３５``, `` 4.5 `` and the rest as it does for spreadsheets.
* **Positions**: a Word table has no A1 cells. ``WordGrid.ref`` names a cell by its row in the
  table (1-based from the table's first row, counting every row a person sees, a repeated
  header too) and its column by the header text: ``第5行 › 自评分``; grids are ``表1``, ``表2``…
  in document order, so a finding reads ``附件1-月湖街道.docx › 表1 › 第5行 › 自评分``.
* **Identification**: the custom document properties (``flowscore.scheme``, ``flowscore.unit``…)
  a template made by ``flowscore template --format docx`` carries, as for the xlsx template.

python-docx's parser reads only the main document part, from the bytes that
``safety/docx.py`` checked, and is imported only when a Word file is read. .doc/.wps/RTF go
through LibreOffice first (``convert``): the batch's conversions are made before the files are
read (``folder``) and handed to this opener; a file opened on its own is converted alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowscore.catalog import finding
from flowscore.findings import Finding
from flowscore.inputs.open.files import from_refusal, read_limited
from flowscore.inputs.open.grid import MAX_MERGES, Grid, WorkbookData
from flowscore.inputs.open.props import parse_custom_props
from flowscore.inputs.safety import DEFAULT_LIMITS, Limits, Preflight
from flowscore.inputs.safety.docx import (
    CONVERTED_KINDS,
    KIND_NAMES,
    KINDS,
    WordPreflight,
    preflight_word,
)
from flowscore.inputs.safety.sniff import sniff

if TYPE_CHECKING:
    from flowscore.inputs.open.convert import Conversion

__all__ = ["KINDS", "WordGrid", "build_grids", "conversion_kind", "open_word"]

MAX_ABOVE = 20  # paragraphs kept above a table: title, seal line, 检查单位… (header within 100)
MAX_SPAN = 64  # columns one cell may span (Word allows 63): a hostile gridSpan stays small
HEADER_LOOK = 5  # first table rows searched for the header that names the columns

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BODY, _P, _TBL, _TR, _TC = _W + "body", _W + "p", _W + "tbl", _W + "tr", _W + "tc"
_T, _TAB, _PTAB, _BR, _CR = _W + "t", _W + "tab", _W + "ptab", _W + "br", _W + "cr"
_NOBREAKHYPHEN = _W + "noBreakHyphen"
_VAL = _W + "val"
# Elements whose children may hold a paragraph's runs (w:del, drawings and text boxes do not
# count: deleted text, and text boxes whose copies mc:AlternateContent would give twice).
_INLINE = frozenset(
    _W + t
    for t in (
        *("r", "hyperlink", "ins", "smartTag", "sdt", "sdtContent", "fldSimple", "customXml"),
        *("moveTo", "dir", "bdo"),
    )
)
# Block-level wrappers around paragraphs, tables, rows or cells (content controls, custom XML).
_WRAPPERS = frozenset(_W + t for t in ("sdt", "sdtContent", "customXml"))
_CONTINUED = re.compile(r"^[（(]?(?:续表|续上表|接上表|续)")


@dataclass(frozen=True)
class WordGrid(Grid):
    """A Word table (with the paragraphs above it) as a Grid, naming cells the Word way."""

    row_names: tuple[str, ...] = ()  # per grid row: 表格上方第1段 … 第1行, 第2行 …
    row_numbers: tuple[int, ...] = ()  # per grid row: 0 for a paragraph, the table row else
    col_names: tuple[str, ...] = ()  # per column: the header text without spaces, or 第3列
    first_table_row: int = 0  # grid rows before it are paragraphs

    def ref(self, row: int, col: int) -> str:
        if row < self.first_table_row:
            return self.row_name(row)
        if 0 <= col < len(self.col_names):
            return f"{self.row_name(row)} › {self.col_names[col]}"
        return f"{self.row_name(row)} › 第{col + 1}列"

    def row_name(self, row: int) -> str:
        if 0 <= row < len(self.row_names):
            return self.row_names[row]
        return f"第{self.row_number(row)}行"

    def row_number(self, row: int) -> int:
        if 0 <= row < len(self.row_numbers):
            return self.row_numbers[row]
        return row - self.first_table_row + 1


def open_word(
    path: Path,
    data: bytes,
    pre: Preflight,
    *,
    display: str,
    limits: Limits,
    converted: Conversion | None = None,
) -> tuple[WorkbookData | None, list[Finding]]:
    """Every table of a Word file as a grid (the opener of ``safety/docx.py``'s kinds: the
    contract of ``open.open_file``, whose checks ``pre`` holds; never raises for the file).

    A .doc, .wps, RTF or HTML is read as the .docx LibreOffice makes of it: ``converted`` is
    this file's part of the batch's conversion (``convert.Converter``), else it is converted
    alone."""
    assert isinstance(pre, WordPreflight)
    if pre.kind not in CONVERTED_KINDS:
        return _read_docx(path, pre, display)
    if converted is not None:
        return _read_converted(path, display, limits, pre.kind, converted)
    from flowscore.inputs.open.convert import Converter

    with Converter(limits) as converter:
        one = converter.convert([(str(path), pre.kind)])[str(path)]
        return _read_converted(path, display, limits, pre.kind, one)


def conversion_kind(path: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """The content kind LibreOffice is to convert ``path`` from (``doc``, ``rtf``…), or empty
    when it is not to be converted (a .docx by content, refused, unreadable): decided by the
    checks ``open_file`` applies, which then reports whatever they find. A zip is never
    converted, and is left to the reader (its checks inflate it)."""
    data, _ = read_limited(Path(path), display=path, limits=limits)
    if data is None or sniff(data[:512]) == "zip":
        return ""
    pre = preflight_word(data, Path(path).suffix, limits)
    return pre.kind if pre.refusal is None and pre.kind in CONVERTED_KINDS else ""


def _read_converted(
    path: Path, display: str, limits: Limits, kind: str, conv: Conversion
) -> tuple[WorkbookData | None, list[Finding]]:
    if conv.problem:
        return None, [conversion_finding(display, kind, conv)]
    data, refused = read_limited(Path(conv.docx), display=display, limits=limits)
    if data is None:
        return None, refused
    pre = preflight_word(data, ".docx", limits)  # LibreOffice's output is checked as well
    if pre.refusal is not None:
        return None, [from_refusal(display, pre.refusal)]
    if pre.kind != "docx":
        return None, [conversion_finding(display, kind, replace(conv, problem="failed"))]
    return _read_docx(path, pre, display)


def conversion_finding(display: str, kind: str, conv: Conversion) -> Finding:
    """Why a .doc/.wps was not read. A warning: the folder may hold Word reports as well as
    annexes, and an annex that is not read still shows as 未报送 (missing-submission)."""
    what = "WPS 文字文档（.wps）" if display.lower().endswith(".wps") else KIND_NAMES[kind]
    what = f" {what}" if what[0].isascii() else what  # 这是 Word 97-2003 文档
    if conv.problem == "missing":
        return finding("doc-no-converter", file=display, what=what)
    if conv.problem == "timeout":
        return finding(
            "doc-conversion-failed", "timeout", file=display, what=what, seconds=conv.timeout
        )
    return finding("doc-conversion-failed", file=display, what=what)


def _read_docx(
    path: Path, pre: WordPreflight, display: str
) -> tuple[WorkbookData | None, list[Finding]]:
    # Only the main document is parsed, from the bytes the checks inflated, by python-docx's
    # parser (no entities resolved, no network): 0.3 ms, where docx.Document() takes 7 ms to
    # parse every part (styles, numbering, settings…) that nothing here reads.
    from docx.oxml.parser import parse_xml

    try:
        if pre.document_xml is None:
            raise ValueError("no main document")
        body = parse_xml(pre.document_xml).find(_BODY)
        blocks = list(_blocks(body)) if body is not None else []
        grids = build_grids(blocks)
    except MemoryError:
        raise  # the worker's memory cap: the file is reported as crashing its reader
    except Exception:  # lxml raises many kinds for a damaged part
        return None, [finding("file-unreadable", "word", file=display)]
    if not grids and not any(isinstance(b, str) and b.strip() for b in blocks):
        return None, [finding("empty-workbook", "word", file=display)]
    props = parse_custom_props(pre.custom_xml) if pre.custom_xml else {}
    return WorkbookData(path=path, sheets=tuple(grids), props=props, is_document=True), []


# -- the document's blocks -----------------------------------------------------------------------

Cells = list[list[str | None]]


def _blocks(body: Any) -> Iterator[str | Cells]:
    """The body in order: a paragraph as its text, a table as its rows of cell values."""
    for el in _unwrapped(body):
        if el.tag == _P:
            yield _paragraph_text(el)
        elif el.tag == _TBL:
            yield _table_rows(el)


def _unwrapped(parent: Any) -> Iterator[Any]:
    """Children of ``parent``, looking through content controls and custom XML wrappers."""
    for el in parent:
        if el.tag in _WRAPPERS:
            yield from _unwrapped(el)
        elif isinstance(el.tag, str):  # not a comment or processing instruction
            yield el


def _paragraph_text(p: Any) -> str:
    out: list[str] = []

    def walk(el: Any) -> None:
        for ch in el:
            tag = ch.tag
            if tag == _T:
                out.append(ch.text or "")
            elif tag in (_TAB, _PTAB):
                out.append("\t")
            elif tag in (_BR, _CR):
                out.append("\n")
            elif tag == _NOBREAKHYPHEN:
                out.append("-")
            elif tag in _INLINE:
                walk(ch)

    walk(p)
    return "".join(out)


def _cell_text(tc: Any) -> str | None:
    """The cell's paragraphs joined by ``\\n`` (a nested table's are not its own); None when
    they hold nothing but white space."""
    text = "\n".join(_paragraph_text(el) for el in _unwrapped(tc) if el.tag == _P)
    return text if text.strip() else None


def _int_attr(parent: Any, tag: str, default: int) -> int:
    el = parent.find(_W + tag) if parent is not None else None
    if el is None:
        return default
    try:
        return int(el.get(_VAL, default))
    except ValueError:
        return default


def _merged(tc_pr: Any, tag: str) -> bool:
    """Whether the cell continues a merge (``<w:vMerge/>`` or ``w:val="continue"``)."""
    el = tc_pr.find(_W + tag) if tc_pr is not None else None
    return el is not None and el.get(_VAL, "continue") != "restart"


# A cell continuing a vertical merge: empty as every reader sees it ("" is a spreadsheet's blank
# too), told apart from a blank cell only by ``_Building.grid``, which records the merge.
_BELOW = ""


def _table_rows(tbl: Any) -> Cells:
    """Each row's cells placed on the table grid: a cell spanning columns fills the first and
    leaves the rest empty; a cell continuing a vertical merge is empty (``_BELOW``)."""
    rows: Cells = []
    for tr in _unwrapped(tbl):
        if tr.tag != _TR:
            continue
        before = max(0, min(MAX_SPAN, _int_attr(tr.find(_W + "trPr"), "gridBefore", 0)))
        row: list[str | None] = [None] * before
        for tc in _unwrapped(tr):
            if tc.tag != _TC:
                continue
            pr = tc.find(_W + "tcPr")
            span = max(1, min(MAX_SPAN, _int_attr(pr, "gridSpan", 1)))
            if _merged(pr, "vMerge"):
                row.append(_BELOW)  # empty, and known to be the merged cell above's
            else:
                row.append(None if _merged(pr, "hMerge") else _cell_text(tc))
            row.extend([None] * (span - 1))
        rows.append(row)
    return rows


# -- grids -----------------------------------------------------------------------------------------


def _label(value: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split()) if value else ""


def _key(row: list[str | None]) -> tuple[str, ...]:
    labels = [_label(v) for v in row]
    while labels and not labels[-1]:
        labels.pop()
    return tuple(labels)


def _header_like(row: list[str | None]) -> bool:
    """Two or more filled cells, all short: a header row, not an item row."""
    labels = [x for x in (_label(v) for v in row) if x]
    return len(labels) >= 2 and all(len(x) <= 12 for x in labels)


class _Building:
    """One grid being assembled from a table and the tables that continue it."""

    def __init__(self, above: list[str], rows: Cells) -> None:
        self.above = above
        self.rows = list(rows)
        self.numbers = list(range(1, len(rows) + 1))
        self.width = max((len(r) for r in rows), default=0)
        heads = [r for r in rows[:HEADER_LOOK] if _header_like(r)]
        self.header = heads[0] if heads else (rows[0] if rows else [])
        self.header_keys = {_key(r) for r in heads}

    def continues(self, rows: Cells) -> str:
        """``drop``: ``rows`` continue this table after its header typed again; ``keep``: they
        continue it without one (as wide, no header of their own); else empty."""
        if not rows:
            return ""
        if _header_like(rows[0]):
            return "drop" if _key(rows[0]) in self.header_keys else ""
        return "keep" if max(len(r) for r in rows) == self.width else ""

    def extend(self, rows: Cells, how: str) -> None:
        last = self.numbers[-1] if self.numbers else 0
        for i, row in enumerate(rows):
            if i == 0 and how == "drop":
                continue  # the repeated header: numbered, as the user counts it, but not read
            self.rows.append(row)
            self.numbers.append(last + i + 1)
        self.width = max(self.width, *(len(r) for r in rows))

    def grid(self, n: int) -> WordGrid:
        above: list[list[object]] = [[text] for text in self.above]
        table: list[list[object]] = [[*row, *[None] * (self.width - len(row))] for row in self.rows]
        names = tuple(f"表格上方第{len(above) - i}段" for i in range(len(above)))
        names += tuple(f"第{k}行" for k in self.numbers)
        cols = tuple(
            _label(self.header[c] if c < len(self.header) else None) or f"第{c + 1}列"
            for c in range(self.width)
        )
        return WordGrid(
            name=f"表{n}",
            rows=[*above, *table],
            merges=_vertical_merges(table, len(above)),
            row_names=names,
            row_numbers=(0,) * len(above) + tuple(self.numbers),
            col_names=cols,
            first_table_row=len(above),
        )


def _vertical_merges(
    table: list[list[object]], offset: int
) -> tuple[tuple[int, int, int, int], ...]:
    """Each cell continuing a vertical merge, as a merge from the cell above it that holds the
    merged cell's value (grid rows: the table's, after ``offset`` paragraphs). One pass."""
    out: list[tuple[int, int, int, int]] = []
    top: dict[int, int] = {}  # column → the last row that started a cell in it
    for r, row in enumerate(table):
        for c, v in enumerate(row):
            if v != _BELOW:
                top[c] = r
            elif len(out) < MAX_MERGES:
                out.append((top.get(c, r) + offset, c, r + offset, c))
    return tuple(out)


def build_grids(blocks: list[str | Cells]) -> list[WordGrid]:
    """The document's blocks (paragraph texts and tables, in order) as grids."""
    grids: list[WordGrid] = []
    above: list[str] = []
    current: _Building | None = None
    joinable = False  # only blank or 续表 paragraphs since the current table
    for block in blocks:
        if isinstance(block, str):
            text = block.strip()
            if text:
                above.append(block)
                joinable = joinable and bool(_CONTINUED.match(text)) and len(text) <= 12
            continue
        if not block:
            continue
        how = current.continues(block) if current is not None and joinable else ""
        if current is not None and how:
            current.extend(block, how)
        else:
            if current is not None:
                grids.append(current.grid(len(grids) + 1))
            current = _Building(above[-MAX_ABOVE:], block)
        above = []
        joinable = True
    if current is not None:
        grids.append(current.grid(len(grids) + 1))
    return grids
