"""The blank assessor's register (核定登记表.xlsx, ``flowscore template --register``): where the
office records verified scores for any unit and item over the days of checking, each with its
reason, who entered it and when.

Layout (the reader, ``inputs/kinds/register.py``, finds it by its header, not by position):

- sheet ``核定登记``: row 1 the instruction (merged A1:F1); row 2 the header
  ``单位 · 序号/项目 · 核定分 · 理由 · 核定人 · 日期``; rows 3.. blank entry rows, styled and
  validated, the header frozen and repeated on every printed page;
- sheet ``清单`` (hidden): every unit's items, one row each — A the unit, B the item as the
  list shows it (``4 群租房/出租房屋管理（15分）``) — and in D the roster.

Validation: 单位 from the roster (stop); 序号/项目 from the chosen unit's items (a list that
follows the unit: ``OFFSET`` over the unit's rows of 清单; a warning only, so a 序号 typed by
hand is accepted too); 核定分 a number within the rubric's range of item scores (stop);
日期 a date (warning: a date typed as text is read too). Every column has a Chinese input
message. The workbook carries the identification properties of every template
(``flowscore.scheme``, ``flowscore.template_version``, the rubric's content hash) and
``flowscore.kind = register``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from flowscore.contract import PROP_KIND, REGISTER_KIND, REGISTER_LABELS, REGISTER_NAME
from flowscore.numbers import fmt_plain
from flowscore.rubric.model import Item, Scheme
from flowscore.template import (
    _BODY,
    _BOX,
    _CENTER,
    _LEFT,
    _header,
    _identify,
    _instruction,
    _messages,
    _page,
    _refuse_existing,
    _save,
)

REGISTER_SHEET = "核定登记"
LIST_SHEET = "清单"
REGISTER_ROWS = 300  # blank entry rows prepared and validated
HEADERS = tuple(REGISTER_LABELS[role][0] for role in REGISTER_LABELS)  # 单位 序号/项目 核定分 …
WIDTHS = (16, 38, 9, 44, 10, 12)
DATE_FORMAT = "yyyy-mm-dd"

INSTRUCTION = (
    "填写说明：每一行登记一个单位一个项目的核定分。“单位”“序号/项目”从下拉列表选择（项目列表随单位变化，"
    "也可以直接填序号，如 4）；“核定分”填数字；“核定人”必填，没有核定人的登记不采用；“日期”填核定的日期，"
    "如 2019-12-16。登记的核定分优先于单位评分表上的核定分。按指标计算的项目改写计算值、高于计算上限，"
    "以及改动成员单位负责的项目，必须在“理由”栏写明理由，否则不采用。同一单位同一项目只登记一次："
    "登记了两个不同的分数时，该项待核定。"
)


def item_choice(item: Item) -> str:
    """An item as the list shows it: ``4 群租房/出租房屋管理（15分）`` (the reader takes the
    leading 序号)."""
    points = item.max_label if item.max_label[-1:].isdigit() else ""
    return (
        f"{item.no} {item.short or item.text[:16]}（{points + '分' if points else item.max_label}）"
    )


def build_register_workbook(scheme: Scheme) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = REGISTER_SHEET
    lists = wb.create_sheet(LIST_SHEET)
    units = _list_sheet(lists, scheme)
    _register_sheet(ws, scheme, units)
    lists.sheet_state = "hidden"
    _identify(
        wb,
        scheme,
        title=f"{scheme.title} 核定登记表",
        extra={PROP_KIND: REGISTER_KIND},
        subject="核定登记表",
    )
    return wb


def refuse_existing(out_dir: Path, *, force: bool) -> None:
    """Refuse (OutputError) when ``out_dir`` already holds a register, unless ``force``."""
    _refuse_existing([out_dir / REGISTER_NAME], out_dir=out_dir, force=force)


def write_register(scheme: Scheme, *, out_dir: Path, force: bool) -> list[Path]:
    """Write ``核定登记表.xlsx`` into ``out_dir`` (refused when it exists, unless ``force``)."""
    path = out_dir / REGISTER_NAME
    refuse_existing(out_dir, force=force)
    wb = build_register_workbook(scheme)
    _save(wb, path)
    return [path]


def _list_sheet(ws: Worksheet, scheme: Scheme) -> int:
    """Every unit's items (A unit, B item), grouped by unit; the roster in D. Returns the
    number of units."""
    ws.append(["单位", "序号/项目", None, "单位名单"])
    row = 2
    for unit in scheme.units:
        for item in scheme.sheet(unit.sheet).items:
            ws.cell(row=row, column=1, value=unit.name)
            ws.cell(row=row, column=2, value=item_choice(item))
            row += 1
    for i, unit in enumerate(scheme.units, start=2):
        ws.cell(row=i, column=4, value=unit.name)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["D"].width = 16
    return len(scheme.units)


def _register_sheet(ws: Worksheet, scheme: Scheme, units: int) -> None:
    _instruction(ws, INSTRUCTION, len(HEADERS))
    _header(ws, HEADERS, height=24)
    for letter, width in zip("ABCDEF", WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    last = 2 + REGISTER_ROWS
    for r in range(3, last + 1):
        for c in range(1, len(HEADERS) + 1):
            cell = ws.cell(row=r, column=c)
            cell.font = _BODY
            cell.border = _BOX
            cell.alignment = _CENTER if c in (3, 5, 6) else _LEFT
        ws.cell(row=r, column=6).number_format = DATE_FORMAT
    items = [it for s in scheme.sheets for it in s.items]
    lo = fmt_plain(min(it.min for it in items))
    hi = fmt_plain(max(it.max for it in items if it.capped))
    lists = f"'{LIST_SHEET}'"
    checks = (
        (
            "A",
            DataValidation(type="list", formula1=f"{lists}!$D$2:$D${units + 1}", allow_blank=True),
            ("单位", "从下拉列表选择单位（考核名单中的名称）。", "请从下拉列表选择单位。", "stop"),
        ),
        (
            "B",
            DataValidation(
                type="list",
                formula1=(
                    f"OFFSET({lists}!$B$1,MATCH($A3,{lists}!$A:$A,0)-1,0,"
                    f"MAX(1,COUNTIF({lists}!$A:$A,$A3)),1)"
                ),
                allow_blank=True,
            ),
            (
                "序号/项目",
                "先选单位，再从下拉列表选择该单位评分表上的项目；也可以直接填序号，如 4。",
                "列表中没有这个项目：请核对，或直接填该单位评分表上的序号。",
                "warning",
            ),
        ),
        (
            "C",
            DataValidation(
                type="decimal", operator="between", formula1=lo, formula2=hi, allow_blank=True
            ),
            (
                "核定分",
                "填核定分（数字），分值见项目后的括号。登记的核定分优先于评分表上的核定分。",
                f"核定分应为 {lo}～{hi} 之间的数字。",
                "stop",
            ),
        ),
        (
            "D",
            DataValidation(
                type="textLength", operator="lessThanOrEqual", formula1="500", allow_blank=True
            ),
            (
                "理由",
                "写明核定或改动的理由。改写计算项、高于计算上限、改动成员单位负责的项目必须写理由。",
                "理由请写在500字以内。",
                "warning",
            ),
        ),
        (
            "E",
            DataValidation(
                type="textLength", operator="lessThanOrEqual", formula1="50", allow_blank=True
            ),
            (
                "核定人",
                "填写核定人姓名（必填：没有核定人的登记不采用）。",
                "核定人请填姓名。",
                "warning",
            ),
        ),
        (
            "F",
            DataValidation(
                type="date",
                operator="between",
                formula1=str(_serial(dt.date(2000, 1, 1))),
                formula2=str(_serial(dt.date(2099, 12, 31))),
                allow_blank=True,
            ),
            ("日期", "填核定的日期，如 2019-12-16。", "请填日期，如 2019-12-16。", "warning"),
        ),
    )
    for letter, dv, (title, prompt, error, style) in checks:
        _messages(dv, title=title, prompt=prompt, error_title="填写有误", error=error, style=style)
        ws.add_data_validation(dv)
        dv.add(f"{letter}3:{letter}{last}")
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    _page(ws, landscape=True)


def _serial(day: dt.date) -> int:
    """Excel's day number of a date (the 1900 date system)."""
    return (day - dt.date(1899, 12, 30)).days
