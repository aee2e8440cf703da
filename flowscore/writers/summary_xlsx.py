"""``考核汇总.xlsx``: the summary workbook (排名, 明细, 指标, 加减分, 问题清单).

Written in openpyxl's write-only mode, which streams rows to disk: a batch of 10,000 units has
tens of thousands of item rows. Styles are a handful of shared Font/Fill/Alignment objects and
number-format strings, never new style objects per cell.

Numbers go into cells as the already-rounded ``Decimal``: openpyxl writes a Decimal as
``"%.16g" % value``, which is exact for every value flowscore produces (scores have 2 decimals,
contributions 4), so no float conversion happens in flowscore code.

Text cells and formula injection: openpyxl stores a string starting with ``=`` as a formula
(``<f>``) and one like ``#N/A`` as an error value. Every string that could be read that way is
written as a cell whose data type is forced to string (an inline string, no ``<f>`` element) and
whose style carries Excel's quote prefix, so the text shows exactly as typed and stays text even
when someone edits the cell in Excel. See ``_text``.

Reruns give byte-identical files: document dates are fixed, and the zip entries get a fixed
timestamp (``_normalise_zip``), since both would otherwise carry the time of writing.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter
from rich.cells import cell_len

from flowscore.findings import Finding
from flowscore.results import SOURCE_LABELS, STATUS_LABELS, BatchResult, Entry, IndicatorRow
from flowscore.writers.results_json import ordered_units
from flowscore.writers.safe import excel_text, looks_like_formula

FILE_NAME = "考核汇总.xlsx"
SHEETS = ("排名", "明细", "指标", "加减分", "问题清单")

# A fixed document date: nothing about the run's time goes into the file.
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

CHART_MAX_BARS = 200  # a bar chart of thousands of units is unreadable; the table has them all

SCORE = "0.00"
CONTRIB = "0.0000"
PCT = "0.00%"
SIGNED = "+0.00;-0.00;0.00"

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_KIND_LABELS = {"bonus": "加分", "penalty": "减分"}


@dataclass(frozen=True)
class Col:
    header: str
    number_format: str | None = None  # for numeric cells
    wrap: bool = False  # long text: fixed width, wrapped
    width: float | None = None  # fixed width (characters); else from the content


def _text(ws: Any, value: str, *, wrap: bool = False) -> Cell | str:
    """A text cell that can never become a formula or an error value.

    Plain text passes through as a str (openpyxl stores it as a string). Text a spreadsheet
    would read as a formula or an error code becomes a cell with data type forced to ``s``
    after assignment (openpyxl has already classified it as ``f``/``e`` by then) and Excel's
    quote prefix: the visible text is unchanged."""
    text = excel_text(value)
    risky = looks_like_formula(text) or text.startswith("#")
    if not risky and not wrap:
        return text
    cell = WriteOnlyCell(ws, text)
    cell.data_type = "s"
    if risky:
        cell.quotePrefix = True
    if wrap:
        cell.alignment = _WRAP
    return cell


def _value(ws: Any, value: Any, col: Col) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return _text(ws, value, wrap=col.wrap)
    if isinstance(value, Decimal | int):
        if col.number_format is None:
            return value
        cell = WriteOnlyCell(ws, value)
        cell.number_format = col.number_format
        return cell
    return _text(ws, str(value), wrap=col.wrap)


def _display_len(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, Decimal):
        return len(format(value, "f")) + 1
    return cell_len(str(value))


def _widths(cols: Sequence[Col], rows: Sequence[Sequence[Any]]) -> list[float]:
    # Excel's width unit is about one Latin character; a CJK character takes two (cell_len).
    # The first rows suffice to size a column: a batch of 10,000 units need not be measured.
    widths = []
    for i, col in enumerate(cols):
        if col.width is not None:
            widths.append(col.width)
            continue
        longest = max([cell_len(col.header), *(_display_len(r[i]) for r in rows[:2000])])
        widths.append(min(max(longest + 2, 6), 50))
    return widths


def _add_sheet(wb: Workbook, title: str, cols: Sequence[Col],
               rows: Sequence[Sequence[Any]]) -> Any:
    """One table: a styled header row, frozen, with an autofilter over all rows."""
    ws = wb.create_sheet(title)
    for i, width in enumerate(_widths(cols, rows), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    last = get_column_letter(len(cols))
    ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    header = []
    for col in cols:
        cell = WriteOnlyCell(ws, excel_text(col.header))
        cell.data_type = "s"  # indicator names come from a rubric file: text, never a formula
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGN
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append([_value(ws, v, c) for v, c in zip(row, cols, strict=True)])
    return ws


# ---------------------------------------------------------------------------------------------
# the sheets


RANK_COLS = (
    Col("类别"), Col("名次"), Col("单位"), Col("评价得分", SCORE), Col("基本分"),
    Col("折算得分", CONTRIB), Col("状态"),
)


def _rank_sheet(wb: Workbook, result: BatchResult) -> None:
    units = ordered_units(result)
    # Category subtotals (北仑: 基础工作 / 管理工作 / 服务工作) as columns after the status.
    cats = list(dict.fromkeys(c for u in units for c, _v, _m in u.categories))
    cols = RANK_COLS + tuple(Col(f"{c}（{_max_of(units, c)}）", SCORE) for c in cats)
    rows = [[u.tier_label, u.rank, u.unit, u.total, u.base, u.contribution,
             STATUS_LABELS.get(u.status, u.status),
             *({c: v for c, v, _m in u.categories}.get(c) for c in cats)] for u in units]
    ws = _add_sheet(wb, "排名", cols, rows)
    # One bar chart of 评价得分 per tier, referencing the table's cells (rows of a tier are
    # contiguous, ranked units first), stacked to the right of the table.
    start = 2
    anchor_row = 1
    for tier_id in dict.fromkeys(u.tier for u in units):
        tier_units = [u for u in units if u.tier == tier_id]
        # the leading rows with a score (unscored units sort last within their tier)
        ranked = next((i for i, u in enumerate(tier_units) if u.total is None), len(tier_units))
        if ranked:
            shown = min(ranked, CHART_MAX_BARS)
            chart = BarChart()
            chart.type = "col"
            label = tier_units[0].tier_label
            chart.title = f"{label} 评价得分" + (f"（前{shown}名）" if shown < ranked else "")
            chart.y_axis.title = "评价得分"
            chart.x_axis.title = "单位"
            chart.x_axis.delete = False  # newer Excel hides axes unless told otherwise
            chart.y_axis.delete = False
            chart.legend = None
            chart.width = min(max(15.0, 1.2 * shown), 60.0)
            chart.height = 7.5
            data = Reference(ws, min_col=4, min_row=start, max_row=start + shown - 1)
            cats = Reference(ws, min_col=3, min_row=start, max_row=start + shown - 1)
            chart.add_data(data, titles_from_data=False)
            chart.set_categories(cats)
            chart.series[0].tx = None
            ws.add_chart(chart, f"{get_column_letter(len(cols) + 2)}{anchor_row}")
            anchor_row += 16
        start += len(tier_units)


def _max_of(units: Sequence[Any], category: str) -> str:
    """A category's max as printed in a header (基础工作（30）)."""
    from flowscore.numbers import fmt_plain

    return next((fmt_plain(m) for u in units for c, _v, m in u.categories if c == category), "")


DETAIL_COLS = (
    Col("单位"), Col("类别"), Col("序号"), Col("考核项目"), Col("分值"), Col("自评分", SCORE),
    Col("核定分", SCORE), Col("差额", SIGNED), Col("来源"), Col("说明", wrap=True, width=60),
    Col("备注", wrap=True, width=30),
)


def _detail_rows(result: BatchResult) -> Iterable[list[Any]]:
    for u in ordered_units(result):
        for it in u.items:
            # A ± row (city ranking) shows its label; other maxima stay numbers for sorting.
            max_value: Any = it.max_label if it.min < 0 else it.max
            yield [u.unit, u.tier_label, it.no, it.short or it.text, max_value, it.self_score,
                   it.verified, it.difference, SOURCE_LABELS.get(it.source, it.source),
                   it.explanation, it.remark or None]


def _indicator_sheet(wb: Workbook, rows_in: Sequence[IndicatorRow]) -> None:
    value_names: list[str] = list(dict.fromkeys(k for r in rows_in for k in r.values))
    rate_names: list[str] = list(dict.fromkeys(k for r in rows_in for k in r.rates))
    rate_headers = [f"{n}（率）" if n in value_names else n for n in rate_names]
    cols = [Col("单位"), *(Col(n) for n in value_names),
            *(Col(h, PCT) for h in rate_headers), Col("来源文件"), Col("工作表"), Col("行号")]
    rows = [[r.unit, *(r.values.get(n) for n in value_names),
             *(r.rates.get(n) for n in rate_names), r.file or None, r.sheet or None,
             r.row or None] for r in rows_in]
    _add_sheet(wb, "指标", cols, rows)


ENTRY_COLS = (
    Col("单位"), Col("类型"), Col("专题"), Col("分值", SIGNED), Col("说明", wrap=True, width=40),
    Col("是否计入"), Col("原因", wrap=True, width=30), Col("来源文件"), Col("工作表"),
    Col("行号"),
)


def _entry_rows(entries: Iterable[Entry]) -> list[list[Any]]:
    return [[e.unit, _KIND_LABELS.get(e.kind, e.kind), e.topic, e.points, e.note, e.counted,
             e.reason, e.file or None, e.sheet or None, e.row or None] for e in entries]


FINDING_COLS = (
    Col("级别"), Col("代码"), Col("文件"), Col("工作表"), Col("单元格"), Col("单位"),
    Col("问题", wrap=True, width=60), Col("提示", wrap=True, width=40),
)


def _finding_rows(findings: Iterable[Finding]) -> list[list[Any]]:
    return [[f.level.label, f.code, f.file, f.sheet, f.cell or f.key, f.unit, f.message,
             f.hint] for f in findings]


def build_workbook(result: BatchResult) -> Workbook:
    wb = Workbook(write_only=True)
    wb.properties.creator = "flowscore"
    wb.properties.title = excel_text(f"{result.scheme_title} 考核汇总")
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    _rank_sheet(wb, result)
    _add_sheet(wb, "明细", DETAIL_COLS, list(_detail_rows(result)))
    _indicator_sheet(wb, result.indicators)
    # The batch's own entry list has every entry read (also for units not on the roster);
    # without it, the units' entries are all there is.
    entries = result.entries or tuple(e for u in ordered_units(result) for e in u.entries)
    _add_sheet(wb, "加减分", ENTRY_COLS, _entry_rows(entries))
    _add_sheet(wb, "问题清单", FINDING_COLS, _finding_rows(result.report.sorted()))
    return wb


def _normalise_zip(data: bytes, path: Path) -> None:
    """Copy the archive entry by entry with a fixed timestamp and file mode: zipfile stamps
    each entry with the time of writing, which alone would make every rerun differ."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))


def write_summary(result: BatchResult, path: Path) -> None:
    """Write ``考核汇总.xlsx`` to ``path``."""
    wb = build_workbook(result)
    buffer = io.BytesIO()
    # ExcelWriter rather than wb.save(): save() stamps the document's modified date with now.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    _normalise_zip(buffer.getvalue(), path)
