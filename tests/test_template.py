"""The blank workbooks: every unit's annex sheet read back cell by cell, and the indicator
workbook. The layout checked here is the contract the sheet reader relies on."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from flowscore import TEMPLATE_VERSION
from flowscore.errors import OutputError, UsageError
from flowscore.rubric import load_rubric
from flowscore.template import (
    ANNEX_HEADERS,
    ANNEX_SHEET,
    INDICATOR_FILENAME,
    annex_filename,
    annex_layout,
    build_annex_workbook,
    build_indicator_workbook,
    write_templates,
)

SCHEME, _ = load_rubric("haishu-2019")
ALL_UNITS = [u.name for u in SCHEME.units]


def _roundtrip(wb: openpyxl.Workbook, tmp_path: Path, name: str = "t.xlsx") -> openpyxl.Workbook:
    path = tmp_path / name
    wb.save(path)
    return openpyxl.load_workbook(path)


def _props(wb: openpyxl.Workbook) -> dict[str, str]:
    return {p.name: p.value for p in wb.custom_doc_props.props}


def _validations(ws) -> dict[str, object]:
    """Cell reference -> its data validation (each annex input cell has its own)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[rng.coord] = dv
    return out


@pytest.fixture(scope="module")
def annexes(tmp_path_factory) -> dict[str, openpyxl.Workbook]:
    """Every unit's sheet, built, saved and read back once for the module."""
    tmp = tmp_path_factory.mktemp("annex")
    return {
        name: _roundtrip(build_annex_workbook(SCHEME, name), tmp, f"{i}.xlsx")
        for i, name in enumerate(ALL_UNITS)
    }


def test_roster_has_26_units():
    assert len(ALL_UNITS) == 26


@pytest.mark.parametrize("unit", ALL_UNITS)
def test_annex_layout_contract(annexes, unit):
    wb = annexes[unit]
    u = SCHEME.unit(unit)
    sheet = SCHEME.sheet(u.sheet)
    layout = annex_layout(sheet)
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] == [ANNEX_SHEET]
    ws = wb[ANNEX_SHEET]
    assert ws["A1"].value == sheet.annex
    assert ws["A2"].value == sheet.title
    assert "A2:F2" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A3"].value == f"{sheet.seal_label}：{unit}"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A3:C3", "D3:E3"} <= merged
    # row 3 totals only what the sheet can honestly total: the 自评分 (the 合计 row's D)
    assert ws["D3"].value == "自评分合计："
    assert tuple(c.value for c in ws[4][:6]) == ANNEX_HEADERS
    for n, item in enumerate(sheet.items):
        row = 5 + n
        assert layout.item_rows[str(item.no)] == row
        assert ws.cell(row=row, column=1).value == item.no
        assert ws.cell(row=row, column=2).value == item.text
        c = ws.cell(row=row, column=3).value
        if item.is_adjustment:
            assert c == "±20"
        else:
            assert Decimal(str(c)) == item.max
        assert all(ws.cell(row=row, column=col).value is None for col in (4, 5, 6))
    assert ws.cell(row=layout.bonus_row, column=1).value == "加分项目"
    assert ws.cell(row=layout.bonus_row, column=2).value == sheet.bonus.text
    assert ws.cell(row=layout.bonus_row, column=3).value == "+5～15"
    assert ws.cell(row=layout.penalty_row, column=1).value == "减分项目"
    assert ws.cell(row=layout.penalty_row, column=2).value == sheet.penalty.text
    assert ws.cell(row=layout.penalty_row, column=3).value == "-5～10"
    assert layout.penalty_row == layout.bonus_row + 1 == 5 + len(sheet.items) + 1
    tot = layout.total_row
    assert ws.cell(row=tot, column=1).value == "合计"
    assert ws[f"D{tot}"].value == f"=SUM(D5:D{layout.bonus_row})-SUM(D{layout.penalty_row})"
    assert ws[f"E{tot}"].value is None  # no live 核定分 total: it would be a wrong score
    assert ws["F3"].value == f"=D{tot}"
    notes = [ws.cell(row=r, column=1).value for r in layout.footnote_rows]
    assert notes[0] == "备注：" + sheet.footnotes[0]
    assert notes[1:] == list(sheet.footnotes[1:])
    assert layout.note_row == layout.footnote_rows[-1] + 1
    note = ws.cell(row=layout.note_row, column=1).value
    assert note.startswith("说明：") and "“自评分合计”" in note and "评价得分由区流管办核定" in note
    assert [ws.cell(row=r, column=1).value for r in layout.signoff_rows] == [
        "填表人：",
        "联系电话：",
        "填报日期：",
    ]
    assert layout.signoff_rows[0] == layout.note_row + 1
    assert {f"A{r}:D{r}" for r in layout.signoff_rows} <= merged
    assert {f"E{r}:F{r}" for r in layout.signoff_rows} <= merged
    assert ws.print_area == f"'{ANNEX_SHEET}'!$A$1:$F${layout.signoff_rows[-1]}"
    assert _props(wb) == {
        "flowscore.scheme": "haishu-2019",
        "flowscore.unit": unit,
        "flowscore.sheet": sheet.id,
        "flowscore.template_version": TEMPLATE_VERSION,
        "flowscore.rubric_sha256": SCHEME.digest,  # which version of the rubric made it
    }
    assert wb.properties.creator == "flowscore"
    assert sheet.title in wb.properties.title


@pytest.mark.parametrize("unit", ALL_UNITS)
def test_annex_validations(annexes, unit):
    ws = annexes[unit][ANNEX_SHEET]
    sheet = SCHEME.sheet(SCHEME.unit(unit).sheet)
    layout = annex_layout(sheet)
    dvs = _validations(ws)
    for item in sheet.items:
        row = layout.item_rows[str(item.no)]
        self_dv = dvs[f"D{row}"]
        lo, hi = f"{item.min.normalize():f}", f"{item.max.normalize():f}"
        if item.is_adjustment:
            assert self_dv.type == "decimal" and self_dv.operator == "between"
            assert (Decimal(self_dv.formula1), Decimal(self_dv.formula2)) == (item.min, item.max)
        else:
            # above the max only with a reason in 备注 (F), the sheets' own rule
            assert self_dv.type == "custom"
            assert self_dv.formula1 == (
                f"AND(ISNUMBER(D{row}),D{row}>={lo},OR(D{row}<={hi},LEN(TRIM(F{row}))>0))"
            )
        if item.mode == "computed":
            assert f"E{row}" not in dvs  # locked: computed by flowscore
        else:
            dv = dvs[f"E{row}"]
            assert dv.type == "decimal" and dv.operator == "between"
            assert (Decimal(dv.formula1), Decimal(dv.formula2)) == (item.min, item.max)
        for dv in (dvs[f"D{row}"], dvs.get(f"E{row}")):
            if dv is not None:
                assert dv.allow_blank and dv.errorStyle == "stop"
                assert dv.prompt and dv.promptTitle and dv.error and dv.errorTitle
    for row in (layout.bonus_row, layout.penalty_row):
        dv = dvs[f"D{row}"]
        assert dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"
        assert "正数" in dv.prompt
        assert f"E{row}" not in dvs  # bonus and penalty come from the office's register
    assert "如扣5分填 5" in dvs[f"D{layout.penalty_row}"].prompt


def test_department_sheet_holds_only_its_block(annexes):
    ws = annexes["区教育局"][ANNEX_SHEET]
    assert [ws.cell(row=r, column=1).value for r in range(5, 11)] == [1, 2, 3, 4, 5, 6]
    assert ws["C10"].value == "±20"
    assert "市对区考核排名" in ws["B10"].value
    assert ws["A11"].value == "加分项目"
    assert ws["A3"].value == "部门(盖章)：区教育局"
    ws = annexes["区市场监管局"][ANNEX_SHEET]
    assert [ws.cell(row=r, column=3).value for r in range(5, 9)] == [30, 30, 40, 5]
    assert ws["A9"].value == "加分项目"


def test_town_sheet_values(annexes):
    ws = annexes["月湖街道"][ANNEX_SHEET]
    assert ws["A1"].value == "附件1"
    assert ws["A3"].value == "镇（乡）街道(盖章)：月湖街道"
    assert [ws.cell(row=r, column=3).value for r in range(5, 11)] == [5, 40, 30, 15, 5, 5]
    assert "\n" in ws["B6"].value  # item 2 keeps its line breaks


def test_annex_print_and_view_setup(annexes):
    ws = annexes["月湖街道"][ANNEX_SHEET]
    assert ws.freeze_panes == "A5"
    assert ws.print_title_rows == "$4:$4"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.orientation == "portrait"
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width > 3 * ws.column_dimensions["D"].width
    assert ws["B5"].alignment.wrap_text
    assert ws["B5"].font.name == "宋体"
    assert ws["D5"].border.left.style == "thin"
    assert ws.row_dimensions[10].height > ws.row_dimensions[5].height  # long text, taller row


def test_annex_filename():
    assert annex_filename(SCHEME, "月湖街道") == "附件1-月湖街道.xlsx"
    assert annex_filename(SCHEME, "区教育局") == "附件2-区教育局.xlsx"
    assert annex_filename(SCHEME, "海曙区教育局") == "附件2-区教育局.xlsx"


def test_alias_and_spacing_resolve_to_roster_name(tmp_path):
    wb = build_annex_workbook(SCHEME, "区 卫健局")
    assert wb.active["A3"].value == "部门(盖章)：区卫生健康局"
    assert _props(wb)["flowscore.unit"] == "区卫生健康局"


def test_unknown_unit_suggests_closest():
    with pytest.raises(UsageError) as err:
        build_annex_workbook(SCHEME, "月胡街道")
    assert "月胡街道" in err.value.message
    assert "月湖街道" in err.value.hint
    assert err.value.exit_code == 2


def test_write_templates_creates_out_dir_and_files(tmp_path):
    out = tmp_path / "new" / "dir"
    written = write_templates(
        SCHEME,
        units=["月湖街道", "海曙区教育局", "月湖街道"],
        indicators=True,
        out_dir=out,
        force=False,
    )
    assert [p.name for p in written] == [
        "附件1-月湖街道.xlsx",
        "附件2-区教育局.xlsx",
        INDICATOR_FILENAME,
    ]
    assert all(p.is_file() for p in written)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)


def test_write_templates_checks_all_targets_before_writing(tmp_path):
    existing = tmp_path / "附件2-区教育局.xlsx"
    existing.write_bytes(b"old")
    with pytest.raises(OutputError) as err:
        write_templates(
            SCHEME, units=["月湖街道", "区教育局"], indicators=False, out_dir=tmp_path, force=False
        )
    assert "附件2-区教育局.xlsx" in err.value.message
    assert err.value.exit_code == 1
    assert not (tmp_path / "附件1-月湖街道.xlsx").exists()
    assert existing.read_bytes() == b"old"
    write_templates(SCHEME, units=["区教育局"], indicators=False, out_dir=tmp_path, force=True)
    assert existing.read_bytes() != b"old"


def test_write_templates_unknown_unit_writes_nothing(tmp_path):
    with pytest.raises(UsageError) as err:
        write_templates(
            SCHEME,
            units=["月湖街道", "不存在局", "月胡街道"],
            indicators=True,
            out_dir=tmp_path,
            force=False,
        )
    assert "不存在局" in err.value.message and "月胡街道" in err.value.message
    assert list(tmp_path.iterdir()) == []


# -- the indicator workbook ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def indicator_wb(tmp_path_factory) -> openpyxl.Workbook:
    return _roundtrip(build_indicator_workbook(SCHEME), tmp_path_factory.mktemp("ind"))


def test_indicator_sheet(indicator_wb):
    assert indicator_wb.sheetnames == ["指标", "加减分", "市考排名"]
    ws = indicator_wb["指标"]
    assert "是" in ws["A1"].value and "否" in ws["A1"].value and "整数" in ws["A1"].value
    header = [c.value for c in ws[2]]
    assert header == ["单位", "类别", *(i.name for i in SCHEME.indicators)]
    rows = [
        (ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value)
        for r in range(3, 3 + len(SCHEME.units))
    ]
    assert rows == [(u.name, SCHEME.tier(u.tier).label) for u in SCHEME.units]
    assert ws.cell(row=3 + len(SCHEME.units), column=1).value is None
    # greyed where the indicator does not apply
    col = {name: i for i, name in enumerate(header, start=1)}
    for r, u in enumerate(SCHEME.units, start=3):
        for ind in SCHEME.indicators:
            fill = ws.cell(row=r, column=col[ind.name]).fill
            greyed = fill.fill_type == "solid"
            assert greyed == (u.sheet not in ind.sheets), (u.name, ind.name)
    police = 3 + ALL_UNITS.index("海曙公安分局")
    assert ws.cell(row=police, column=col["居住证申领数"]).fill.fill_type is None
    assert ws.cell(row=police, column=col["持证数"]).fill.fill_type == "solid"


def test_indicator_validations(indicator_wb):
    ws = indicator_wb["指标"]
    header = [c.value for c in ws[2]]
    yes_col = openpyxl.utils.get_column_letter(header.index("量化积分窗口专人负责") + 1)
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and lists[0].formula1 == '"是,否"'
    assert str(lists[0].sqref) == f"{yes_col}3:{yes_col}19"  # the 17 towns


def test_entries_and_ranking_sheets(indicator_wb):
    ws = indicator_wb["加减分"]
    assert "正数" in ws["A1"].value
    assert [c.value for c in ws[2]] == ["单位", "类型", "专题", "分值", "说明"]
    types = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert types[0].formula1 == '"加分,减分"'
    assert str(types[0].sqref).startswith("B3:")
    ws = indicator_wb["市考排名"]
    assert "并列" in ws["A1"].value
    assert [c.value for c in ws[2]] == ["单位", "排名", "并列数"]
    assert [ws.cell(row=r, column=1).value for r in range(3, 9)] == [
        "海曙公安分局",
        "区教育局",
        "区人力社保局",
        "区卫生健康局",
        "区总工会",
        None,
    ]
    assert _props(indicator_wb)["flowscore.scheme"] == "haishu-2019"
