"""``考核汇总.xlsx``: the summary workbook (排名, 明细, 指标, 加减分, 问题清单).

This module decides what goes in (sheets, columns, rows, charts); ``xlsx_raw`` writes the
SpreadsheetML directly. openpyxl took 12–16 s for a batch of 10,000 units (about 920,000 cells),
since it builds and serialises an object per cell; the summary needs only inline-string and
number cells in a fixed set of styles, one per column, so each cell is one formatted string.

Numbers go into cells as the already-rounded ``Decimal``, written with its exact digits: no
float conversion happens on the way, and 93.25 stays 93.25.

Text cells and formula injection: every text is an inline string (``t="inlineStr"``), never a
``<f>`` formula element. Text a spreadsheet would read as a formula or an error code (``=``,
``+``, ``-``, ``@``, tab, CR, LF, ``#``) also gets Excel's quote-prefix style, so it stays text
even when someone edits the cell in Excel. See ``_text``.

Reruns give byte-identical files: document dates and zip timestamps are fixed (``xlsx_raw``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.cells import cell_len

from flowscore.contract import SUMMARY_NAME
from flowscore.findings import Finding
from flowscore.labels import ENTRY_KIND_LABELS, SOURCE_LABELS, STATUS_LABELS
from flowscore.results import BatchResult, Entry, IndicatorRow
from flowscore.writers import xlsx_raw
from flowscore.writers.results_json import ordered_units
from flowscore.writers.safe import excel_text, looks_like_formula
from flowscore.writers.xlsx_raw import Text

FILE_NAME = SUMMARY_NAME
SHEETS = ("排名", "明细", "指标", "加减分", "问题清单")

# A fixed document date: nothing about the run's time goes into the file.
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)

CHART_MAX_BARS = 200  # a bar chart of thousands of units is unreadable; the table has them all

SCORE = "0.00"
CONTRIB = "0.0000"
PCT = "0.00%"
SIGNED = "+0.00;-0.00;0.00"


@dataclass(frozen=True)
class Col:
    header: str
    number_format: str | None = None  # for numeric cells
    wrap: bool = False  # long text: fixed width, wrapped
    width: float | None = None  # fixed width (characters); else from the content


_YES, _NO = Text("是"), Text("否")


def _text(value: Any) -> Text:
    """A text cell that can never become a formula or an error value: text a spreadsheet would
    read as one keeps its characters and gets the quote prefix. Booleans read 是/否."""
    if isinstance(value, bool):
        return _YES if value else _NO
    text = excel_text(value)
    return Text(text, quoted=looks_like_formula(text) or text.startswith("#"))


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


def _number_style(col: Col) -> int:
    # A KeyError here means a format xlsx_raw's fixed style sheet does not have: add it there.
    return xlsx_raw.NUMBER_STYLES[col.number_format] if col.number_format else xlsx_raw.DEFAULT


def _sheet(title: str, cols: Sequence[Col], rows: Sequence[Sequence[Any]]) -> xlsx_raw.Sheet:
    """One table: a styled header row, frozen, with an autofilter over all rows."""
    columns = [
        xlsx_raw.Column(width, _number_style(c), c.wrap)
        for c, width in zip(cols, _widths(cols, rows), strict=True)
    ]
    # Header texts (indicator names come from a rubric file) are inline strings as well.
    headers = [excel_text(c.header) for c in cols]
    return xlsx_raw.Sheet(title, headers, columns, rows, text=_text)


# ---------------------------------------------------------------------------------------------
# the sheets


RANK_COLS = (
    Col("类别"),
    Col("名次"),
    Col("单位"),
    Col("评价得分", SCORE),
    Col("基本分"),
    Col("折算得分", CONTRIB),
    Col("状态"),
)


def _rank_sheet(result: BatchResult) -> xlsx_raw.Sheet:
    units = ordered_units(result)
    # Category subtotals (北仑: 基础工作 / 管理工作 / 服务工作) as columns after the status.
    cats = list(dict.fromkeys(c for u in units for c, _v, _m in u.categories))
    cols = RANK_COLS + tuple(Col(f"{c}（{_max_of(units, c)}）", SCORE) for c in cats)
    rows = [
        [
            u.tier_label,
            u.rank,
            u.unit,
            u.total,
            u.base,
            u.contribution,
            STATUS_LABELS.get(u.status, u.status),
            *({c: v for c, v, _m in u.categories}.get(c) for c in cats),
        ]
        for u in units
    ]
    sheet = _sheet("排名", cols, rows)
    sheet.charts = _tier_charts(units, chart_column=len(cols) + 1)
    return sheet


def _tier_charts(units: Sequence[Any], *, chart_column: int) -> list[xlsx_raw.BarChart]:
    """One bar chart of 评价得分 per tier, referencing the 排名 table's cells (rows of a tier are
    contiguous, ranked units first), stacked to the right of the table, one blank column
    between (``chart_column`` is zero-based)."""
    charts = []
    start = 2  # the tier's first table row
    for tier_id in dict.fromkeys(u.tier for u in units):
        tier_units = [u for u in units if u.tier == tier_id]
        # the leading rows with a score (unscored units sort last within their tier)
        ranked = next((i for i, u in enumerate(tier_units) if u.total is None), len(tier_units))
        if ranked:
            shown = min(ranked, CHART_MAX_BARS)
            last = start + shown - 1
            title = f"{tier_units[0].tier_label} 评价得分" + (
                f"（前{shown}名）" if shown < ranked else ""
            )
            charts.append(
                xlsx_raw.BarChart(
                    title=excel_text(title),
                    values=xlsx_raw.sheet_range("排名", 3, start, last),  # 评价得分
                    categories=xlsx_raw.sheet_range("排名", 2, start, last),  # 单位
                    x_title="单位",
                    y_title="评价得分",
                    width_cm=min(max(15.0, 1.2 * shown), 60.0),
                    height_cm=7.5,
                    anchor=(chart_column, 16 * len(charts)),
                )
            )
        start += len(tier_units)
    return charts


def _max_of(units: Sequence[Any], category: str) -> str:
    """A category's max as printed in a header (基础工作（30）)."""
    from flowscore.numbers import fmt_plain

    return next((fmt_plain(m) for u in units for c, _v, m in u.categories if c == category), "")


DETAIL_COLS = (
    Col("单位"),
    Col("类别"),
    Col("序号"),
    Col("考核项目"),
    Col("分值"),
    Col("自评分", SCORE),
    Col("核定分", SCORE),
    Col("差额", SIGNED),
    Col("来源"),
    Col("说明", wrap=True, width=60),
    Col("备注", wrap=True, width=30),
)


def _detail_rows(result: BatchResult) -> Iterable[list[Any]]:
    for u in ordered_units(result):
        for it in u.items:
            # A ± row (city ranking) shows its label; other maxima stay numbers for sorting.
            max_value: Any = it.max_label if it.min < 0 else it.max
            yield [
                u.unit,
                u.tier_label,
                it.no,
                it.short or it.text,
                max_value,
                it.self_score,
                it.verified,
                it.difference,
                SOURCE_LABELS.get(it.source, it.source),
                it.explanation,
                it.remark or None,
            ]


def _indicator_sheet(rows_in: Sequence[IndicatorRow]) -> xlsx_raw.Sheet:
    value_names: list[str] = list(dict.fromkeys(k for r in rows_in for k in r.values))
    rate_names: list[str] = list(dict.fromkeys(k for r in rows_in for k in r.rates))
    rate_headers = [f"{n}（率）" if n in value_names else n for n in rate_names]
    cols = [
        Col("单位"),
        *(Col(n) for n in value_names),
        *(Col(h, PCT) for h in rate_headers),
        Col("来源文件"),
        Col("工作表"),
        Col("行号"),
    ]
    rows = [
        [
            r.unit,
            *(r.values.get(n) for n in value_names),
            *(r.rates.get(n) for n in rate_names),
            r.file or None,
            r.sheet or None,
            r.row or None,
        ]
        for r in rows_in
    ]
    return _sheet("指标", cols, rows)


ENTRY_COLS = (
    Col("单位"),
    Col("类型"),
    Col("专题"),
    Col("分值", SIGNED),
    Col("说明", wrap=True, width=40),
    Col("是否计入"),
    Col("原因", wrap=True, width=30),
    Col("来源文件"),
    Col("工作表"),
    Col("行号"),
)


def _entry_rows(entries: Iterable[Entry]) -> list[list[Any]]:
    return [
        [
            e.unit,
            ENTRY_KIND_LABELS.get(e.kind, e.kind),
            e.topic,
            e.points,
            e.note,
            e.counted,
            e.reason,
            e.file or None,
            e.sheet or None,
            e.row or None,
        ]
        for e in entries
    ]


FINDING_COLS = (
    Col("级别"),
    Col("代码"),
    Col("文件"),
    Col("工作表"),
    Col("单元格"),
    Col("单位"),
    Col("问题", wrap=True, width=60),
    Col("提示", wrap=True, width=40),
)


def _finding_rows(findings: Iterable[Finding]) -> list[list[Any]]:
    return [
        [f.level.label, f.code, f.file, f.sheet, f.cell or f.key, f.unit, f.message, f.hint]
        for f in findings
    ]


def build_sheets(result: BatchResult) -> list[xlsx_raw.Sheet]:
    """The five sheets of ``SHEETS``, in order."""
    # The batch's own entry list has every entry read (also for units not on the roster);
    # without it, the units' entries are all there is.
    entries = result.entries or tuple(e for u in ordered_units(result) for e in u.entries)
    return [
        _rank_sheet(result),
        _sheet("明细", DETAIL_COLS, list(_detail_rows(result))),
        _indicator_sheet(result.indicators),
        _sheet("加减分", ENTRY_COLS, _entry_rows(entries)),
        _sheet("问题清单", FINDING_COLS, _finding_rows(result.report.sorted())),
    ]


def write_summary(result: BatchResult, path: Path) -> None:
    """Write ``考核汇总.xlsx`` to ``path``."""
    xlsx_raw.write_workbook(
        path,
        build_sheets(result),
        title=excel_text(f"{result.scheme_title} 考核汇总"),
        creator="flowscore",
        timestamp=FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
