"""Word documents for tests and sample data, made by code (python-docx), never by hand.

``fill_docx_template`` types scores into a ``flowscore template --format docx`` document the
way a clerk does in Word: into the cells of the item's row. The ``published_*`` builders lay a
document out as the seed's Word tables are (``seeds/000`` 附件1 and 附件2, ``seeds/001``):
title paragraphs, the seal line, spaced header labels, merged cells, the 加分项目 / 减分项目
rows, the 备注 lines below, and, when asked, the table broken across a page with its header
typed again at the top of the second part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import docx
from docx.enum.text import WD_BREAK

from flowscore.rubric.model import Scheme, Sheet, Unit

Score = object  # what is typed: "35", " 4.5 ", "１４", None for nothing

TOWN_HEADER = ("序号", "考    核    内    容", "分值", "自评分", "核定分")
DEPT_HEADER = ("考核部门", "考    核    内    容", "得分", "自评分", "核定分")
BEILUN_HEADER = ("考核内容", "分值", None, "评分标准", "自查\n分", "考核\n分")


def _unit(scheme: Scheme, name: str) -> Unit:
    unit = scheme.unit(name)
    assert unit is not None, name
    return unit


def _text(value: Score) -> str:
    return "" if value is None else str(value)


def fill_docx_template(
    path: Path,
    scores: Mapping[str, tuple[Score, Score]],
    *,
    bonus: tuple[Score, Score] = (None, None),
    penalty: tuple[Score, Score] = (None, None),
    remarks: dict[str, str] | None = None,
    out: Path | None = None,
) -> Path:
    """Type (自评分, 核定分) into the rows of a Word template by their 序号, the bonus and
    penalty rows by their label; save to ``out`` (default: in place)."""
    d = docx.Document(str(path))
    table = d.tables[0]
    header = [c.text for c in table.rows[0].cells]
    self_col = next(i for i, h in enumerate(header) if h in ("自评分", "自查分"))
    verified_col = next(i for i, h in enumerate(header) if h in ("核定分", "考核分"))
    remark_col = header.index("备注") if "备注" in header else None
    for row in table.rows[1:]:
        cells = row.cells
        key = cells[0].text.strip()
        if key == "加分项目":
            wanted: tuple[Score, Score] | None = bonus
        elif key == "减分项目":
            wanted = penalty
        else:
            wanted = scores.get(key)
        if wanted is None:
            continue
        for col, value in ((self_col, wanted[0]), (verified_col, wanted[1])):
            if value is not None:
                cells[col].text = _text(value)
        if remarks and key in remarks and remark_col is not None:
            cells[remark_col].text = remarks[key]
    target = out or path
    d.save(str(target))
    return target


def _page_break(d: Any) -> None:
    d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _heading(d: Any, sheet: Sheet, seal: str) -> None:
    d.add_paragraph(sheet.annex)
    d.add_paragraph(sheet.title)
    d.add_paragraph("")
    d.add_paragraph(f"{seal}{' ' * 40}评价得分：")


def _table(d: Any, header: Sequence[str | None], rows: Sequence[Sequence[str]]) -> Any:
    table = d.add_table(rows=1 + len(rows), cols=len(header))
    table.style = d.styles["Table Grid"]
    texts: list[Sequence[str | None]] = [header, *rows]
    # Row by row: table.cell(r, c) lays the whole grid out again on every call.
    for row, values in zip(table.rows, texts, strict=True):
        for cell, value in zip(row.cells, values, strict=False):
            if value:
                cell.text = value
    return table


def _footnotes(d: Any, sheet: Sheet) -> None:
    for i, note in enumerate(sheet.footnotes):
        d.add_paragraph(("备注：" if i == 0 else "") + note)


def published_town_docx(
    path: Path,
    scheme: Scheme,
    unit: str,
    scores: Mapping[str, tuple[Score, Score]],
    *,
    bonus: tuple[Score, Score] = (None, None),
    penalty: tuple[Score, Score] = (None, None),
    seal_unit: bool = True,
    split_before: str | None = None,
) -> Path:
    """附件1 as the seed prints it: 序号 · 考核内容 · 分值 · 自评分 · 核定分, ``减分\\n项目``
    broken over two lines; ``split_before``: the item whose row starts page 2 (the table
    ends, a page break, the header typed again, the rest of the rows)."""
    d = docx.Document()
    _town_into(d, scheme, unit, scores, bonus, penalty, seal_unit, split_before)
    d.save(str(path))
    return path


def _town_into(d, scheme, unit, scores, bonus, penalty, seal_unit, split_before) -> None:
    sheet = scheme.sheet(_unit(scheme, unit).sheet)
    _heading(d, sheet, f"{sheet.seal_label}：{unit if seal_unit else ''}")
    rows = [
        [str(it.no), it.text, it.max_label, *map(_text, scores.get(str(it.no), (None, None)))]
        for it in sheet.items
    ]
    assert sheet.bonus and sheet.penalty
    rows.append(["加分项目", sheet.bonus.text, "", _text(bonus[0]), _text(bonus[1])])
    rows.append(["减分\n项目", sheet.penalty.text, "", _text(penalty[0]), _text(penalty[1])])
    cut = next((i for i, r in enumerate(rows) if r[0] == split_before), len(rows))
    _table(d, TOWN_HEADER, rows[:cut])
    if cut < len(rows):
        _page_break(d)
        _table(d, TOWN_HEADER, rows[cut:])
    d.add_paragraph("")
    _footnotes(d, sheet)


def published_dept_docx(
    path: Path,
    scheme: Scheme,
    unit: str,
    scores: Mapping[str, tuple[Score, Score]],
    *,
    bonus: tuple[Score, Score] = (None, None),
    penalty: tuple[Score, Score] = (None, None),
    whole: bool = True,
    split_before: str | None = None,
) -> Path:
    """附件2 as the seed prints it: 考核部门 (each department named once, one character per
    line, down a vertically merged cell), no 序号, 得分 over the points, ``±20`` rows, the
    加分项目 / 减分项目 rows; ``whole``: all nine departments in one table, as published, with
    only ``unit``'s rows filled; ``split_before``: ``unit``'s item whose row starts page 2."""
    d = docx.Document()
    _dept_into(d, scheme, unit, scores, bonus, penalty, whole, split_before)
    d.save(str(path))
    return path


def _dept_into(d, scheme, unit, scores, bonus, penalty, whole, split_before) -> None:
    """附件2 appended to ``d``; ``unit`` may be a town (the table then stays blank)."""
    sheet = scheme.sheet("dept-police")
    own = scheme.unit(unit)
    seal = unit if own is not None and own.tier == "部门" else ""
    _heading(d, sheet, f"{sheet.seal_label}：{seal}")
    departments = [u for u in scheme.units if u.tier == "部门"] if whole else [own]
    parts: list[list[tuple[str, list[str]]]] = [[]]  # (department shown, row) per table part
    for dept in departments:
        for i, it in enumerate(scheme.sheet(dept.sheet).items):
            mine = dept.name == unit
            if mine and split_before == str(it.no):
                parts.append([])
            typed = scores.get(str(it.no), (None, None)) if mine else (None, None)
            name = "\n".join(dept.name) if i == 0 or not parts[-1] else ""
            parts[-1].append((dept.name, [name, it.text, it.max_label, *map(_text, typed)]))
    assert sheet.bonus and sheet.penalty
    parts[-1].append(("", ["加分\n项目", sheet.bonus.text, "", _text(bonus[0]), _text(bonus[1])]))
    parts[-1].append(
        ("", ["减分\n项目", sheet.penalty.text, "", _text(penalty[0]), _text(penalty[1])])
    )
    for k, part in enumerate(parts):
        if k:
            _page_break(d)
        table = _table(d, DEPT_HEADER, [row for _, row in part])
        _merge_down(table, [dept for dept, _ in part], column=0)
    d.add_paragraph("")
    _footnotes(d, sheet)


def published_whole_document(
    path: Path, scheme: Scheme, unit: str, scores: Mapping[str, tuple[Score, Score]]
) -> Path:
    """The whole published document a unit may return: the 考核办法's text, 附件1 and 附件2,
    with only ``unit``'s annex filled in."""
    d = docx.Document()
    d.add_paragraph("2019年度海曙区")
    d.add_paragraph("流动人口服务管理项目目标管理考核办法")
    for text in (
        "一、考核对象",
        "流动人口服务管理工作考核对象为各镇（乡）街道和……",
        "四、有关要求",
    ):
        d.add_paragraph(text)
    d.add_paragraph("附件：1.2019年度镇（乡）街道流动人口服务管理项目考核评分表")
    _page_break(d)
    town = _unit(scheme, unit).tier != "部门"
    _town_into(
        d,
        scheme,
        unit if town else "月湖街道",
        scores if town else {},
        (None, None),
        (None, None),
        town,
        None,
    )
    _page_break(d)
    _dept_into(d, scheme, unit, {} if town else scores, (None, None), (None, None), True, None)
    d.save(str(path))
    return path


def _merge_down(table: Any, owners: list[str], *, column: int, first_row: int = 1) -> None:
    """Merge the cells of ``column`` down each run of rows with the same non-empty owner."""
    start = 0
    for i in range(1, len(owners) + 1):
        if i == len(owners) or owners[i] != owners[start]:
            if owners[start] and i - 1 > start:
                top = table.cell(first_row + start, column)
                text = top.text
                merged = top.merge(table.cell(first_row + i - 1, column))
                merged.text = text  # merge() joins the cells' paragraphs: keep the name only
            start = i


def published_beilun_docx(
    path: Path,
    scheme: Scheme,
    unit: str,
    scores: Mapping[str, tuple[Score, Score]],
    *,
    split_before: str | None = "10",
    seal_unit: bool = False,
) -> Path:
    """The Beilun form as the seed prints it: no 序号, 分值 spanning the category's points and
    the item's, the category name and points merged down its rows, ``自查\\n分``; the table
    broken before ``split_before`` with the header, and the category, typed again."""
    sheet = scheme.sheet(_unit(scheme, unit).sheet)
    d = docx.Document()
    d.add_paragraph(sheet.annex + "：")
    d.add_paragraph(sheet.title)
    if seal_unit:
        d.add_paragraph(f"街道（盖章）：{unit}")
    cats = {c.name: c for c in sheet.categories}
    parts: list[list[tuple[str, list[str]]]] = [[]]
    for it in sheet.items:
        if split_before == str(it.no):
            parts.append([])
        typed = list(map(_text, scores.get(str(it.no), (None, None))))
        group = "创新工作" if it.extra else it.category
        first = not any(g == group for g, _ in parts[-1])
        if it.extra:
            head = ["创新工作" if first else "", "加分项" if first else "", ""]
        else:
            points = str(cats[it.category].max) if first else ""
            head = [it.category if first else "", points, str(it.max)]
        parts[-1].append((group, [*head, it.criteria or it.text, *typed]))
    for k, part in enumerate(parts):
        if k:
            d.add_paragraph("")
        table = _table(d, BEILUN_HEADER, [row for _, row in part])
        table.cell(0, 1).merge(table.cell(0, 2)).text = "分值"
        groups = [g for g, _ in part]
        _merge_down(table, groups, column=0)
        _merge_down(table, [g if g != "创新工作" else "" for g in groups], column=1)
        for r, group in enumerate(groups, start=1):
            if group == "创新工作":  # 加分项 spans the two points columns
                table.cell(r, 1).merge(table.cell(r, 2))
    d.save(str(path))
    return path


def report_docx(path: Path, *, table: bool = False) -> Path:
    """A unit's annual report: headings and text, with a statistics table when asked."""
    d = docx.Document()
    d.add_heading("2019年度流动人口服务管理工作总结", level=1)
    d.add_paragraph("一、基本情况。全年新登记流动人口……")
    if table:
        t = d.add_table(rows=3, cols=3)
        for c, label in enumerate(("月份", "新登记人数", "备注说明")):
            t.cell(0, c).text = label
        t.cell(1, 0).text, t.cell(1, 1).text = "1月", "1,203"
        t.cell(2, 0).text, t.cell(2, 1).text = "2月", "987"
    d.add_paragraph("二、主要做法。推进新型居住证申领……")
    d.save(str(path))
    return path
