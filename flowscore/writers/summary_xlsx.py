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
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from flowscore.catalog import name_of
from flowscore.contract import SUMMARY_NAME
from flowscore.findings import Finding
from flowscore.labels import ENTRY_KIND_LABELS, SOURCE_LABELS, STATUS_LABELS
from flowscore.numbers import fmt_plain
from flowscore.results import BatchResult, Entry, IndicatorRow, ItemResult, UnitResult
from flowscore.writers import xlsx_raw
from flowscore.writers.results_json import ordered_units
from flowscore.writers.safe import excel_text, looks_like_formula
from flowscore.writers.xlsx_raw import Text

if TYPE_CHECKING:
    from flowscore.compare import UnitComparison

FILE_NAME = SUMMARY_NAME
SHEETS = ("排名", "图表", "明细", "指标", "加减分", "问题清单")

# A fixed document date: nothing about the run's time goes into the file.
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)

CHART_MAX_BARS = 200  # a bar chart of thousands of units is unreadable; the table has them all
BARS_PER_CHART = 20  # one chart per printed page, 20 bars at most (room for the labels)

# The 图表 sheet prints at 100 % on A4 landscape, one chart per page: a page is a block of
# PAGE_ROWS rows of the default height (15 pt) with a page break after it, and a chart is a
# little smaller than the block. With 0.5″ side and 0.6″ top/bottom margins the printable
# area is 27.2 × 18.0 cm; 32 rows are 16.9 cm.
PAGE_ROWS = 32
CHART_WIDTH_CM = 25.0
CHART_HEIGHT_CM = 15.5
CHART_PAGE = xlsx_raw.Page(orientation="landscape", fit_width=False, margins=(0.5, 0.5, 0.6, 0.6))
# A sheet whose columns add up to more than this (Excel's width units, about one Latin
# character) prints landscape; all print one page wide.
PORTRAIT_MAX_WIDTH = 95
PROVISIONAL_MARK = "（暂定）"

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
        return len(xlsx_raw.decimal_text(value)) + 1
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


def _sheet(
    title: str,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Any]],
    *,
    preamble: Sequence[str] = (),
) -> xlsx_raw.Sheet:
    """One table: a styled header row (under the ``preamble`` lines), frozen, with an
    autofilter over all rows; printed one page wide, landscape when the table is wide."""
    widths = _widths(cols, rows)
    columns = [
        xlsx_raw.Column(width, _number_style(c), c.wrap)
        for c, width in zip(cols, widths, strict=True)
    ]
    # Header texts (indicator names come from a rubric file) are inline strings as well.
    headers = [excel_text(c.header) for c in cols]
    wide = sum(widths) > PORTRAIT_MAX_WIDTH
    page = xlsx_raw.Page(orientation="landscape" if wide else "portrait")
    return xlsx_raw.Sheet(
        title,
        headers,
        columns,
        rows,
        text=_text,
        preamble=[excel_text(t) for t in preamble],
        page=page,
    )


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


def _rank_sheet(result: BatchResult, *, date: dt.date | None) -> xlsx_raw.Sheet:
    units = ordered_units(result)
    # Category subtotals (北仑: 基础工作 / 管理工作 / 服务工作) as columns after the status.
    cats = list(dict.fromkeys(c for u in units for c, _v, _m in u.categories))
    cols = RANK_COLS + tuple(Col(f"{c}（{_max_of(units, c)}）", SCORE) for c in cats)
    cmp = result.comparison
    if cmp is not None:  # last year beside this year (compute --compare)
        cols += COMPARE_COLS
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
            *(_compare_cells(cmp.unit(u.unit)) if cmp is not None else ()),
        ]
        for u in units
    ]
    preamble = (f"{result.scheme_title} 各类别排名", f"制表日期：{_date_text(date)}")
    return _sheet("排名", cols, rows, preamble=preamble)


COMPARE_COLS = (
    Col("上年评价得分", SCORE),
    Col("增减", SIGNED),
    Col("上年名次"),
    Col("名次变化"),
    Col("比较说明", wrap=True, width=30),
)


def _compare_cells(c: UnitComparison | None) -> list[Any]:
    """上年评价得分, 增减, 上年名次, 名次变化 and the note: a number where there is one, else
    the reason in words (上年无此单位)."""
    if c is None:
        return [None, None, None, None, None]
    return [
        c.previous_total if c.previous_total is not None else c.note or None,
        c.delta if c.delta is not None else None,
        c.previous_rank,
        c.rank_text,
        c.note or None,
    ]


def _date_text(date: dt.date | None) -> str:
    """``2026年1月5日``, or a blank to fill in by hand: nothing of the run's clock is written."""
    return "____年__月__日" if date is None else f"{date.year}年{date.month}月{date.day}日"


def _chart_label(u: UnitResult) -> str:
    """A bar's label: the unit, marked when its score is provisional."""
    return u.unit + PROVISIONAL_MARK if u.status == "provisional" else u.unit


def _chart_sheet(units: Sequence[Any]) -> xlsx_raw.Sheet:
    """Sheet 图表: per tier, bar charts of 评价得分 of at most ``BARS_PER_CHART`` units each
    (the first ``CHART_MAX_BARS`` units of a tier), one chart per printed page.

    The charts plot the sheet's own two hidden columns (label, score): a provisional unit's
    label says so (白云街道（暂定）), which the 排名 table's unit column must not. Each chart's
    data sits in the rows of its own page block, so the sheet needs no other layout."""
    rows: list[list[Any]] = []
    charts: list[xlsx_raw.BarChart] = []
    for tier_units in _tiers(units):
        scored = [u for u in tier_units if u.total is not None][:CHART_MAX_BARS]
        label = tier_units[0].tier_label
        for first in range(0, len(scored), BARS_PER_CHART):
            chunk = scored[first : first + BARS_PER_CHART]
            block = len(charts) * PAGE_ROWS  # zero-based first row of the page block
            # Rows 2.. of the sheet are rows[0..]: a block's data starts at its second row.
            rows.extend([[None, None]] * (block - len(rows)))
            rows.extend([_chart_label(u), u.total] for u in chunk)
            top, last = block + 2, block + 1 + len(chunk)
            part = (
                f"（第{first + 1}–{first + len(chunk)}名）" if len(scored) > BARS_PER_CHART else ""
            )
            charts.append(
                xlsx_raw.BarChart(
                    title=excel_text(f"{label} 评价得分{part}"),
                    values=xlsx_raw.sheet_range("图表", 1, top, last),
                    categories=xlsx_raw.sheet_range("图表", 0, top, last),
                    x_title="单位",
                    y_title="评价得分",
                    width_cm=CHART_WIDTH_CM,
                    height_cm=CHART_HEIGHT_CM,
                    anchor=(2, block + 1),  # clear of the page break above
                    hidden_data=True,
                )
            )
    columns = [
        xlsx_raw.Column(30, xlsx_raw.DEFAULT, hidden=True),
        xlsx_raw.Column(10, xlsx_raw.NUMBER_STYLES[SCORE], hidden=True),
    ]
    if not charts:  # nothing scored yet: say so where the charts would be
        columns = [xlsx_raw.Column(40)]
        return xlsx_raw.Sheet(
            "图表",
            ["尚无评价得分，没有图表"],
            columns,
            [],
            text=_text,
            page=CHART_PAGE,
            table=False,
        )
    breaks = [PAGE_ROWS * (i + 1) for i in range(len(charts) - 1)]
    sheet = xlsx_raw.Sheet(
        "图表",
        ["图表标签", "评价得分"],
        columns,
        rows,
        text=_text,
        page=CHART_PAGE,
        table=False,
        row_breaks=breaks,
    )
    sheet.charts = charts
    return sheet


def _tiers(units: Sequence[Any]) -> list[list[Any]]:
    """Units grouped by tier, in their order (one pass)."""
    groups: dict[str, list[Any]] = {}
    for u in units:
        groups.setdefault(u.tier, []).append(u)
    return list(groups.values())


def _max_of(units: Sequence[Any], category: str) -> str:
    """A category's max as printed in a header (基础工作（30）)."""
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
# shown when the run read an assessor's register (核定登记表): who, when, why for each item
REGISTER_COL = Col("核定登记", wrap=True, width=36)


def register_text(it: ItemResult) -> str | None:
    """An item's entry in the assessor's register as the 明细 sheet shows it: who, when, why,
    where, and whether it was used."""
    n = it.register
    if n is None:
        return None
    why = f"；理由：{n.reason}" if n.reason else "；未写理由"
    used = "" if n.used else "（未采用，见问题清单）"
    return (
        f"{n.who}，{n.date or '日期未填'}，登记 {fmt_plain(n.score)} 分{why}"
        f"（{n.file} › {n.sheet} 第{n.row}行）{used}"
    )


def _has_register(result: BatchResult) -> bool:
    return any(it.register is not None for u in result.units for it in u.items)


def _detail_sheet(result: BatchResult) -> xlsx_raw.Sheet:
    """明细: every unit's items; with a 核定登记 column when the register named any."""
    rows = list(_detail_rows(result))
    if not _has_register(result):
        return _sheet("明细", DETAIL_COLS, rows)
    notes = [register_text(it) for u in ordered_units(result) for it in u.items]
    return _sheet(
        "明细",
        (*DETAIL_COLS, REGISTER_COL),
        [[*row, note] for row, note in zip(rows, notes, strict=True)],
    )


def _detail_rows(result: BatchResult) -> Iterable[list[Any]]:
    for u in ordered_units(result):
        for it in u.items:
            # A ± row (city ranking) shows its label; other maxima stay numbers for sorting.
            max_value: Any = it.max_label if it.min < 0 or not it.capped else it.max
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
            *map(r.values.get, value_names),
            *map(r.rates.get, rate_names),
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
    Col("问题类别", width=16),
    Col("文件"),
    Col("工作表"),
    Col("单元格"),
    Col("单位"),
    Col("问题", wrap=True, width=60),
    Col("提示", wrap=True, width=40),
)


def _finding_rows(findings: Iterable[Finding]) -> list[list[Any]]:
    return [
        [
            f.level.label,
            name_of(f.code),
            f.file,
            f.sheet,
            f.cell or f.key,
            f.unit,
            f.message,
            f.hint,
        ]
        for f in findings
    ]


def build_sheets(result: BatchResult, *, date: dt.date | None = None) -> list[xlsx_raw.Sheet]:
    """The sheets of ``SHEETS``, in order."""
    # The batch's own entry list has every entry read (also for units not on the roster);
    # without it, the units' entries are all there is.
    entries = result.entries or tuple(e for u in ordered_units(result) for e in u.entries)
    return [
        _rank_sheet(result, date=date),
        _chart_sheet(ordered_units(result)),
        _detail_sheet(result),
        _indicator_sheet(result.indicators),
        _sheet("加减分", ENTRY_COLS, _entry_rows(entries)),
        _sheet("问题清单", FINDING_COLS, _finding_rows(result.report.sorted())),
    ]


def write_summary(result: BatchResult, path: Path, *, date: dt.date | None = None) -> None:
    """Write ``考核汇总.xlsx`` to ``path``. ``date`` is printed under the ranking's title (a
    blank to fill in when None); it does not change the document's fixed dates."""
    xlsx_raw.write_workbook(
        path,
        build_sheets(result, date=date),
        title=excel_text(f"{result.scheme_title} 考核汇总"),
        creator="flowscore",
        timestamp=FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
