"""A minimal xlsx (SpreadsheetML) writer: worksheets of inline-string and number cells, a fixed
style sheet, frozen header rows, autofilters and simple bar charts.

Why not openpyxl: it builds an object per cell and serialises it through an XML library, which
made the 10,000-unit summary take 12–16 s. The summary needs only a handful of fixed styles and
two cell kinds, so here each cell is one formatted string and the parts are streamed into the zip.

What the writer guarantees, whatever text it is given:

- a text cell is always ``t="inlineStr"``: no ``<f>`` (formula) element is ever written, and a
  caller marks text a spreadsheet would read as a formula with a quote-prefix style;
- text is XML-escaped, and characters XML 1.0 cannot carry are removed (``Text`` for cells,
  ``_encode`` for the other parts);
- the output depends only on the input: fixed document dates, fixed zip timestamps and modes, so
  reruns are byte-identical.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

# Style indexes into cellXfs of STYLES_XML below; a cell's look is chosen from this fixed list.
DEFAULT, HEADER, WRAP, QUOTED, WRAP_QUOTED = 0, 1, 2, 3, 4
NUMBER_STYLES = {"0.00": 5, "0.0000": 6, "0.00%": 7, "+0.00;-0.00;0.00": 8}
TITLE, NOTE = 9, 10  # a sheet's title line (large, bold, centred) and the line under it

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
_CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_SS_DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_CT = "application/vnd.openxmlformats-officedocument."
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time zip can store: no trace of the run
_ROWS_PER_CHUNK = 2000  # rows joined before a write to the zip stream: bounded memory
# The worksheets (tens of MB of XML for a province) are deflated at level 1: on this machine
# 44 MB in ~0.15 s instead of ~0.47 s at zlib's default 6, for a file about a third larger
# (docs/benchmark.md); the small parts keep the default.
SHEET_LEVEL = 1
_EMU_PER_CM = 360000  # drawing sizes are in English Metric Units

# Characters XML 1.0 cannot carry: C0 controls but tab, LF and CR (the caller's excel_text has
# removed them already; this is the writer's own guarantee), lone surrogates (possible in text
# read back from results.json, and unencodable) and the non-characters U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

STYLES_XML = (
    f'{_DECL}<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="0.0000"/>'
    '<numFmt numFmtId="165" formatCode="+0.00;-0.00;0.00"/></numFmts>'
    '<fonts count="3">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="16"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="11">'
    # 0 DEFAULT
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    # 1 HEADER: bold on light blue, centred, wrapped
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"'
    ' applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    # 2 WRAP: long explanations
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    # 3 QUOTED: text that looks like a formula stays text even when edited in Excel
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    # 4 WRAP_QUOTED
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"'
    ' applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    # 5–8 the number formats of NUMBER_STYLES (2 and 10 are Excel's built-in 0.00 and 0.00%)
    '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    # 9 TITLE, 10 NOTE
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"'
    ' applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment horizontal="right" vertical="center"/></xf>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


@dataclass(frozen=True)
class Column:
    """How one column's cells look: the style of its numbers and whether its text wraps."""

    width: float
    number_style: int = DEFAULT
    wrap: bool = False
    hidden: bool = False  # not shown and not printed (a chart may still plot it)


@dataclass(frozen=True)
class BarChart:
    """A clustered column chart of one cell range against the category labels next to it.

    ``values``/``categories`` are range references such as ``'排名'!$D$2:$D$9``; the anchor is
    the zero-based (column, row) of the chart's top-left corner."""

    title: str
    values: str
    categories: str
    x_title: str
    y_title: str
    width_cm: float
    height_cm: float
    anchor: tuple[int, int]
    label_format: str = "0.00"  # the number format of the value printed on each bar
    hidden_data: bool = False  # plot the ranges even though their columns are hidden


@dataclass
class Sheet:
    """A table: one header row (frozen, with an autofilter over the table) and data rows.

    A row value of None is no cell; a finite Decimal or an int is a number; anything else is
    text, made into a cell by ``text`` (the caller's policy: cleaning, what gets the quote
    prefix). Header texts must be clean already."""

    title: str
    headers: Sequence[str]
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    text: Callable[[Any], Text]
    charts: list[BarChart] = field(default_factory=list)
    # Lines above the header row, each merged across the table: the first is the sheet's
    # title (TITLE style), the others notes such as a date (NOTE style). Clean text.
    preamble: Sequence[str] = ()
    page: Page = field(default_factory=lambda: Page())
    table: bool = True  # frozen header row, autofilter, header repeated on printed pages
    row_breaks: Sequence[int] = ()  # page breaks after these (1-based) rows

    @property
    def header_row(self) -> int:
        """The 1-based row of the header."""
        return len(self.preamble) + 1

    @property
    def last_row(self) -> int:
        return self.header_row + len(self.rows)


@dataclass(frozen=True)
class Page:
    """How a sheet prints: A4 in ``orientation``, fitted to one page wide (any number of
    pages tall) unless ``fit_width`` is off (then at 100 %, where manual page breaks hold:
    Excel ignores them in fit-to-page mode). Margins in inches, Excel's unit."""

    orientation: str = "portrait"  # or "landscape"
    fit_width: bool = True
    margins: tuple[float, float, float, float] = (0.5, 0.5, 0.75, 0.75)  # left right top bottom
    header_footer: float = 0.3  # inches from the edge to the page header and footer


class Text:
    """A text cell's content and whether it must carry the quote prefix.

    The XML is made once here, so a text repeated down a column (a tier label, a unit name on
    each of its item rows) is escaped and cleaned once, not once per cell. Cleaning here rather
    than in the worksheet's whole XML scans the distinct texts only, a few per cent of it."""

    __slots__ = ("quoted", "tail")

    def __init__(self, text: str, *, quoted: bool = False) -> None:
        # ``tail`` is the cell's XML after ``<c r=… s=…``. An empty text is a cell with its
        # style but no value: Excel would otherwise count an empty string as content.
        if not text:
            self.tail = "/>"
        else:
            # Leading or trailing spaces and line breaks survive only with xml:space="preserve".
            # Decided before the cleaning below, as it always was (\x1c–\x1f strip as spaces).
            space = ' xml:space="preserve"' if text != text.strip() else ""
            xml = escape(text)
            if not text.isprintable():  # a check in C: all that _NOT_XML removes is unprintable
                xml = _NOT_XML.sub("", xml)
            self.tail = f' t="inlineStr"><is><t{space}>{xml}</t></is></c>'
        self.quoted = quoted


# ---------------------------------------------------------------------------------------------
# cells


def escape(text: str) -> str:
    """Text as XML character data (and attribute values: quotes are escaped too). CR becomes a
    character reference because a parser would otherwise turn it into LF. Characters XML cannot
    carry at all are removed apart (``Text``, ``_encode``)."""
    if not ("&" in text or "<" in text or ">" in text or '"' in text or "\r" in text):
        return text  # the usual case: five scans cost half of five replace calls
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#13;")
    )


def decimal_text(value: Decimal) -> str:
    """``format(value, "f")``: a Decimal's exact digits, no exponent, nothing rounded on the
    way. ``str()`` gives the same unless it writes an exponent, and is four times faster."""
    text = str(value)
    return format(value, "f") if "E" in text or "e" in text else text  # e: capitals=0


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _style(index: int) -> str:
    return f' s="{index}"' if index else ""


def _rows_xml(sheet: Sheet, letters: Sequence[str], made: dict[str, Text]) -> Iterator[str]:
    """The rows as XML, one string per row. ``made``: the text cells ``sheet.text`` has made,
    kept for the workbook's other sheets with the same ``text`` (a unit's name is in three).

    This loop runs once per cell (about a million for a large batch), hence one flat loop with
    each column's pieces of XML worked out beforehand and its text cells cached."""
    h = sheet.header_row
    for r, line in enumerate(sheet.preamble, start=1):
        look = TITLE if r == 1 else NOTE
        height = ' ht="30" customHeight="1"' if r == 1 else ""
        yield f'<row r="{r}"{height}><c r="A{r}" s="{look}"{Text(line).tail}</row>'
    header = "".join(
        f'<c r="{letter}{h}" s="{HEADER}"{Text(text).tail}'
        for letter, text in zip(letters, sheet.headers, strict=True)
    )
    yield f'<row r="{h}">{header}</row>'
    # Per column: a cell's opening up to its row number, the rest of a number cell's opening,
    # the text styles, and the column's text cells by text (the XML after the row number): most
    # texts repeat down a column (labels, a unit's name on each of its item rows).
    specs: list[tuple[str, str, str, str, dict[str, str]]] = [
        (
            f'<c r="{letter}',
            f'"{_style(c.number_style)}><v>',
            f'"{_style(WRAP if c.wrap else DEFAULT)}',
            f'"{_style(WRAP_QUOTED if c.wrap else QUOTED)}',
            {},
        )
        for letter, c in zip(letters, sheet.columns, strict=True)
    ]
    make_text = sheet.text
    for r, row in enumerate(sheet.rows, start=h + 1):
        n = str(r)  # once per row, not in each cell
        cells = [f'<row r="{n}">']
        for (opening, number_open, text_style, quoted_style, texts), value in zip(
            specs, row, strict=True
        ):
            if value is None:
                continue
            kind = type(value)  # str first: the most frequent kind
            if kind is str:
                tail = texts.get(value)
                if tail is None:
                    cell = made.get(value)
                    if cell is None:
                        cell = made[value] = make_text(value)
                    tail = texts[value] = (quoted_style if cell.quoted else text_style) + cell.tail
                cells.append(f"{opening}{n}{tail}")
            # NaN and infinities are no spreadsheet number: they go to the text branch.
            elif kind is Decimal and value.is_finite():
                number = str(value)  # decimal_text, inline: the call would cost more than it
                if "E" in number or "e" in number:
                    number = format(value, "f")
                cells.append(f"{opening}{n}{number_open}{number}</v></c>")
            elif kind is int:
                cells.append(f"{opening}{n}{number_open}{value}</v></c>")
            else:
                cell = make_text(value)
                style = quoted_style if cell.quoted else text_style
                cells.append(f"{opening}{n}{style}{cell.tail}")
        cells.append("</row>")
        yield "".join(cells)


# ---------------------------------------------------------------------------------------------
# parts


_HIDDEN = {False: "", True: ' hidden="1"'}


def _page_xml(sheet: Sheet) -> str:
    """Margins, A4 paper, orientation and scaling, the page header (the sheet's name) and
    footer (第 1 页，共 N 页), and manual page breaks."""
    page = sheet.page
    left, right, top, bottom = page.margins
    hf = page.header_footer
    fit = ' fitToWidth="1" fitToHeight="0"' if page.fit_width else ' scale="100"'
    xml = (
        f'<pageMargins left="{left:g}" right="{right:g}" top="{top:g}" bottom="{bottom:g}"'
        f' header="{hf:g}" footer="{hf:g}"/>'
        f'<pageSetup paperSize="9" orientation="{page.orientation}"{fit}/>'
        "<headerFooter><oddHeader>&amp;C&amp;A</oddHeader>"
        "<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>"
    )
    if sheet.row_breaks:
        breaks = "".join(f'<brk id="{r}" max="16383" man="1"/>' for r in sheet.row_breaks)
        n = len(sheet.row_breaks)
        xml += f'<rowBreaks count="{n}" manualBreakCount="{n}">{breaks}</rowBreaks>'
    return xml


def _sheet_xml(sheet: Sheet, made: dict[str, Text], *, has_drawing: bool) -> Iterator[str]:
    letters = [column_letter(i) for i in range(len(sheet.columns))]
    h = sheet.header_row
    ref = f"A{h}:{letters[-1]}{sheet.last_row}"
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{c.width:g}" customWidth="1"{_HIDDEN[c.hidden]}/>'
        for i, c in enumerate(sheet.columns, start=1)
    )
    fit = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if sheet.page.fit_width else ""
    view = '<sheetView workbookViewId="0"/>'
    if sheet.table:
        view = (
            '<sheetView workbookViewId="0">'
            f'<pane ySplit="{h}" topLeftCell="A{h + 1}" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft" activeCell="A{h + 1}" sqref="A{h + 1}"/></sheetView>'
        )
    yield (
        f'{_DECL}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">{fit}'
        f'<dimension ref="A1:{letters[-1]}{sheet.last_row}"/>'
        f"<sheetViews>{view}</sheetViews>"
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
    )
    yield from _rows_xml(sheet, letters, made)
    tail = "</sheetData>"
    if sheet.table:
        tail += f'<autoFilter ref="{ref}"/>'
    if sheet.preamble:
        merges = "".join(
            f'<mergeCell ref="A{r}:{letters[-1]}{r}"/>' for r in range(1, len(sheet.preamble) + 1)
        )
        tail += f'<mergeCells count="{len(sheet.preamble)}">{merges}</mergeCells>'
    tail += _page_xml(sheet)
    if has_drawing:
        tail += '<drawing r:id="rId1"/>'
    yield tail + "</worksheet>"


def _rich(text: str) -> str:
    return (
        f"<c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr/></a:pPr><a:r><a:t>{escape(text)}"
        "</a:t></a:r></a:p></c:rich></c:tx>"
    )


def _line(rgb: str) -> str:
    """A thin line (an axis, a gridline) of colour ``rgb``."""
    fill = f'<a:solidFill><a:srgbClr val="{rgb}"/></a:solidFill>'
    return f'<c:spPr><a:ln w="9525">{fill}</a:ln></c:spPr>'


def _labels_xml(chart: BarChart) -> str:
    """Each bar's value printed above it, in ``label_format``."""
    return (
        f'<c:dLbls><c:numFmt formatCode="{escape(chart.label_format)}" sourceLinked="0"/>'
        "<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>"
        '<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="800"/></a:pPr>'
        '<a:endParaRPr lang="zh-CN"/></a:p></c:txPr><c:dLblPos val="outEnd"/><c:showLegendKey val="0"/><c:showVal val="1"/>'
        '<c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="0"/>'
        '<c:showBubbleSize val="0"/></c:dLbls>'
    )


def _chart_xml(chart: BarChart) -> str:
    # Colours are explicit: the package has no theme part, and LibreOffice draws theme-coloured
    # bars and gridlines without one as invisible. Axis ids only need to match between the chart
    # and its axes; ``delete val=0`` because newer Excel hides axes that do not say so. Unit
    # names are text, hence strRef for the categories.
    return (
        f'{_DECL}<c:chartSpace xmlns:c="{_CHART_NS}" xmlns:a="{_DRAWING_NS}" xmlns:r="{_REL_NS}">'
        f'<c:chart><c:title>{_rich(chart.title)}<c:overlay val="0"/></c:title>'
        '<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/><c:barChart>'
        '<c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
        '<c:ser><c:idx val="0"/><c:order val="0"/>'
        '<c:spPr><a:solidFill><a:srgbClr val="4F81BD"/></a:solidFill></c:spPr>'
        '<c:invertIfNegative val="0"/>'
        f"{_labels_xml(chart)}<c:cat><c:strRef><c:f>{escape(chart.categories)}</c:f></c:strRef></c:cat>"
        f"<c:val><c:numRef><c:f>{escape(chart.values)}</c:f></c:numRef></c:val></c:ser>"
        '<c:gapWidth val="150"/><c:axId val="10"/><c:axId val="100"/></c:barChart>'
        '<c:catAx><c:axId val="10"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="b"/><c:title>{_rich(chart.x_title)}'
        '<c:overlay val="0"/></c:title><c:majorTickMark val="none"/>'
        f'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{_line("808080")}'
        '<c:crossAx val="100"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/></c:catAx>'
        # Scores are never below 0: an axis from 0 keeps bars in proportion.
        '<c:valAx><c:axId val="100"/><c:scaling><c:orientation val="minMax"/>'
        '<c:min val="0"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="l"/><c:majorGridlines>{_line("D9D9D9")}'
        f'</c:majorGridlines><c:title>{_rich(chart.y_title)}<c:overlay val="0"/></c:title>'
        '<c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'{_line("808080")}<c:crossAx val="10"/><c:crosses val="autoZero"/>'
        '<c:crossBetween val="between"/></c:valAx></c:plotArea>'
        f'<c:plotVisOnly val="{0 if chart.hidden_data else 1}"/><c:dispBlanksAs val="gap"/>'
        "</c:chart></c:chartSpace>"
    )


def _drawing_xml(charts: Sequence[BarChart]) -> str:
    anchors = []
    for i, chart in enumerate(charts, start=1):
        col, row = chart.anchor
        cx, cy = round(chart.width_cm * _EMU_PER_CM), round(chart.height_cm * _EMU_PER_CM)
        anchors.append(
            f"<xdr:oneCellAnchor><xdr:from><xdr:col>{col}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f'<xdr:ext cx="{cx}" cy="{cy}"/><xdr:graphicFrame macro="">'
            f'<xdr:nvGraphicFramePr><xdr:cNvPr id="{i + 1}" name="图表 {i}"/>'
            "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
            '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
            f'<a:graphic><a:graphicData uri="{_CHART_NS}"><c:chart r:id="rId{i}"/>'
            "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>"
            "</xdr:oneCellAnchor>"
        )
    return (
        f'{_DECL}<xdr:wsDr xmlns:xdr="{_SS_DRAWING_NS}" xmlns:a="{_DRAWING_NS}" '
        f'xmlns:c="{_CHART_NS}" xmlns:r="{_REL_NS}">{"".join(anchors)}</xdr:wsDr>'
    )


def _rels_xml(targets: Iterable[tuple[str, str]]) -> str:
    """A relationships part; ``targets`` are (type, relative target), with ids rId1, rId2…"""
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets, start=1)
    )
    return f'{_DECL}<Relationships xmlns="{_PKG_REL_NS}">{rels}</Relationships>'


def _workbook_xml(sheets: Sequence[Sheet]) -> str:
    entries = "".join(
        f'<sheet name="{escape(s.title)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, s in enumerate(sheets, start=1)
    )
    # Excel records each autofilter range as this hidden name as well (as openpyxl did for the
    # earlier version of this file); spreadsheet programs expect to find it. Print_Titles is
    # the header row printed at the top of every page.
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(_quoted(s.title))}!$A${s.header_row}:${column_letter(len(s.columns) - 1)}"
        f"${s.last_row}</definedName>"
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
        f"{escape(_quoted(s.title))}!${s.header_row}:${s.header_row}</definedName>"
        for i, s in enumerate(sheets)
        if s.table
    )
    return (
        f'{_DECL}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><workbookPr/>'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets><definedNames>{names}</definedNames></workbook>"
    )


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def sheet_range(title: str, column: int, first_row: int, last_row: int) -> str:
    """An absolute reference to rows ``first_row``–``last_row`` (1-based) of a zero-based
    column: ``'排名'!$D$2:$D$9``."""
    letter = column_letter(column)
    return f"{_quoted(title)}!${letter}${first_row}:${letter}${last_row}"


def _core_xml(title: str, creator: str, timestamp: str) -> str:
    return (
        f'{_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(creator)}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{timestamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{timestamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _app_xml(creator: str) -> str:
    return (
        f'{_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'extended-properties"><Application>{escape(creator)}</Application></Properties>'
    )


def _content_types_xml(sheets: Sequence[Sheet], drawings: int, charts: int) -> str:
    parts = [
        ("/xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
        ("/xl/styles.xml", "spreadsheetml.styles+xml"),
        ("/docProps/app.xml", "extended-properties+xml"),
    ]
    parts += [
        (f"/xl/worksheets/sheet{i}.xml", "spreadsheetml.worksheet+xml")
        for i in range(1, len(sheets) + 1)
    ]
    parts += [(f"/xl/drawings/drawing{i}.xml", "drawing+xml") for i in range(1, drawings + 1)]
    parts += [(f"/xl/charts/chart{i}.xml", "drawingml.chart+xml") for i in range(1, charts + 1)]
    overrides = "".join(
        f'<Override PartName="{name}" ContentType="{_CT}{kind}"/>' for name, kind in parts
    )
    core = (
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    )
    return (
        f'{_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{overrides}{core}</Types>'
    )


# ---------------------------------------------------------------------------------------------
# the package


def _entry(name: str) -> zipfile.ZipInfo:
    # zipfile would stamp each entry with the time of writing; a fixed time and mode keep
    # reruns byte-identical.
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return info


def _encode(xml: str) -> bytes:
    return _NOT_XML.sub("", xml).encode("utf-8")


def _encode_sheet(xml: str) -> bytes:
    # A worksheet's text is all in its cells, made by ``Text``, which has removed what XML
    # cannot carry; the rest is markup and numbers: no need to scan its tens of MB again.
    return xml.encode("utf-8")


def _write_stream(archive: zipfile.ZipFile, name: str, chunks: Iterable[str]) -> None:
    info = _entry(name)
    # ZipInfo's level: ``_compresslevel`` until Python 3.12, ``compress_level`` from 3.13.
    setattr(
        info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", SHEET_LEVEL
    )
    with archive.open(info, "w") as out:
        pending: list[str] = []
        for chunk in chunks:
            pending.append(chunk)
            if len(pending) >= _ROWS_PER_CHUNK:
                out.write(_encode_sheet("".join(pending)))
                pending.clear()
        out.write(_encode_sheet("".join(pending)))


def write_workbook(
    path: Path, sheets: Sequence[Sheet], *, title: str, creator: str, timestamp: str
) -> None:
    """Write ``sheets`` as an xlsx file. ``timestamp`` (W3CDTF, e.g. ``2000-01-01T00:00:00Z``)
    is the document's created and modified date."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:

        def put(name: str, text: str) -> None:
            archive.writestr(_entry(name), _encode(text))

        drawings = sum(1 for s in sheets if s.charts)
        charts = sum(len(s.charts) for s in sheets)
        put("[Content_Types].xml", _content_types_xml(sheets, drawings, charts))
        put(
            "_rels/.rels",
            _rels_xml(
                [
                    (f"{_REL_NS}/officeDocument", "xl/workbook.xml"),
                    (f"{_PKG_REL_NS}/metadata/core-properties", "docProps/core.xml"),
                    (f"{_REL_NS}/extended-properties", "docProps/app.xml"),
                ]
            ),
        )
        put("docProps/core.xml", _core_xml(title, creator, timestamp))
        put("docProps/app.xml", _app_xml(creator))
        put("xl/workbook.xml", _workbook_xml(sheets))
        worksheets = [
            (f"{_REL_NS}/worksheet", f"worksheets/sheet{i}.xml") for i in range(1, len(sheets) + 1)
        ]
        put(
            "xl/_rels/workbook.xml.rels",
            _rels_xml([*worksheets, (f"{_REL_NS}/styles", "styles.xml")]),
        )
        put("xl/styles.xml", STYLES_XML)
        drawing = chart_no = 0
        made: dict[Callable[[Any], Text], dict[str, Text]] = {}  # text cells, by sheet.text
        for i, sheet in enumerate(sheets, start=1):
            _write_stream(
                archive,
                f"xl/worksheets/sheet{i}.xml",
                _sheet_xml(sheet, made.setdefault(sheet.text, {}), has_drawing=bool(sheet.charts)),
            )
            if not sheet.charts:
                continue
            drawing += 1
            put(
                f"xl/worksheets/_rels/sheet{i}.xml.rels",
                _rels_xml([(f"{_REL_NS}/drawing", f"../drawings/drawing{drawing}.xml")]),
            )
            put(f"xl/drawings/drawing{drawing}.xml", _drawing_xml(sheet.charts))
            numbers = range(chart_no + 1, chart_no + len(sheet.charts) + 1)
            put(
                f"xl/drawings/_rels/drawing{drawing}.xml.rels",
                _rels_xml([(f"{_REL_NS}/chart", f"../charts/chart{n}.xml") for n in numbers]),
            )
            for n, chart in zip(numbers, sheet.charts, strict=True):
                put(f"xl/charts/chart{n}.xml", _chart_xml(chart))
            chart_no += len(sheet.charts)
