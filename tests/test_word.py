"""Word annexes read by content, as spreadsheets are (issue "Word annexes in").

Every document here is made by code (``builders_docx``) in the layouts of the seeds' Word
tables: 附件1 with 序号, 附件2 with the 考核部门 column merged down and no 序号, Beilun's 分值 over
two columns, tables broken across a page with the header typed again. Each is scored and
compared with the same scores typed into a spreadsheet."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from builders import EXAMPLE, indicator_book, published_annex
from builders_docx import (
    fill_docx_template,
    published_beilun_docx,
    published_dept_docx,
    published_town_docx,
    published_whole_document,
    report_docx,
)

from flowscore.compute import compute_folder
from flowscore.errors import NothingToScore
from flowscore.inputs.open import Grid, open_file
from flowscore.inputs.open.docx import WordGrid, build_grids
from flowscore.rubric import load_rubric
from flowscore.template import build_annex_workbook, write_templates
from flowscore.template_docx import build_annex_docx

ROOT = Path(__file__).resolve().parent.parent
HAISHU = load_rubric("haishu-2019")[0]
BEILUN = load_rubric("beilun-streets")[0]
TOWN = {
    "1": ("5", None),
    "2": ("40", None),
    "3": ("30", None),
    "4": ("15", "13.25"),
    "5": ("5", "5"),
    "6": ("5", "5"),
}  # 月湖街道 with the worked example's indicators: 5 + 35 + 30 + 13.25 + 5 + 5 = 93.25


def verified(result, unit):
    return [(str(i.no), i.verified, i.source) for i in result.unit(unit).items]


def codes(result, unit=None):
    return sorted(f.code for f in result.report if unit is None or f.unit == unit)


def town_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    indicator_book(folder / "指标.xlsx", {"月湖街道": {**EXAMPLE, "未报备发文数": 0}})
    return folder


# -- the Grid position contract -----------------------------------------------------------------


def test_spreadsheet_grid_names_cells_as_before():
    g = Grid(name="Sheet1", rows=[])
    assert g.ref(11, 1) == "B12" and g.ref(0, 27) == "AB1"
    assert g.row_name(11) == "第12行"


def test_word_grid_names_rows_columns_and_paragraphs():
    blocks = [
        "附件1",
        "镇（乡）街道(盖章)：月湖街道",
        [["序号", "考  核  内  容", "分值", "自评分", None], ["1", "报备", "5", "5", None]],
    ]
    (g,) = build_grids(blocks)
    assert isinstance(g, WordGrid) and g.name == "表1"
    assert g.rows[:2] == [["附件1"], ["镇（乡）街道(盖章)：月湖街道"]]
    assert g.ref(0, 0) == "表格上方第2段" and g.ref(1, 3) == "表格上方第1段"
    assert g.ref(3, 3) == "第2行 › 自评分" and g.ref(3, 1) == "第2行 › 考核内容"
    assert g.ref(3, 4) == "第2行 › 第5列"  # no header text: the column's number
    assert g.row_name(3) == "第2行"


def test_table_continued_across_page_is_one_grid_without_repeated_header():
    head = ["序号", "考核内容", "分值", "自评分", "核定分"]
    blocks = [
        "附件1",
        [head, ["1", "a", "5", "5", None], ["2", "b", "40", "40", None]],
        "",  # the page break's paragraph
        [head, ["3", "c", "30", "30", None]],
        "附件2",
        [head, ["1", "d", "30", None, None]],
    ]
    one, two = build_grids(blocks)
    assert [r[0] for r in one.rows] == ["附件1", "序号", "1", "2", "3"]
    assert one.row_name(4) == "第5行"  # the repeated header is counted, as a person counts
    assert two.name == "表2" and two.rows[0] == ["附件2"]


def test_merged_cells_give_one_value_in_one_column(tmp_path):
    path = published_dept_docx(
        tmp_path / "d.docx", HAISHU, "区医保局", {"1": ("10", None)}, whole=False
    )
    wb, findings = open_file(path, display="d.docx")
    assert wb is not None and not findings
    grid = wb.sheets[0]
    dept = [grid.value(r, 0) for r in range(grid.first_table_row + 1, grid.height)]
    assert dept == ["区\n医\n保\n局", None, None, None, "加分\n项目", "减分\n项目"]
    beilun = published_beilun_docx(tmp_path / "b.docx", BEILUN, "大碶街道", {})
    grid = open_file(beilun, display="b.docx")[0].sheets[0]
    header = grid.rows[grid.first_table_row]
    assert header == ["考核内容", "分值", None, "评分标准", "自查\n分", "考核\n分"]
    assert grid.col_names[4] == "自查分" and grid.col_names[2] == "第3列"
    first = grid.rows[grid.first_table_row + 1]
    assert first[:3] == ["基础工作", "30", "6"]
    second = grid.first_table_row + 2
    assert [grid.value(second, c) for c in range(3)] == [None, None, "8"]  # merged down: once
    assert grid.merged_into(second, 0) == (second - 1, 0)  # and known to be merged
    assert grid.merged_into(second, 2) is None


# -- the seeds' layouts, scored ------------------------------------------------------------------


def test_published_town_layout_split_across_pages_scores_as_spreadsheet(tmp_path):
    word = town_folder(tmp_path / "word")
    published_town_docx(word / "月湖.docx", HAISHU, "月湖街道", TOWN, split_before="4")
    sheet = town_folder(tmp_path / "sheet")
    published_annex(
        sheet / "月湖.xlsx",
        unit="月湖街道",
        rows=[(int(no), "x", 0, s, v) for no, (s, v) in TOWN.items()],
    )
    w, s = compute_folder(word), compute_folder(sheet)
    assert w.unit("月湖街道").total == s.unit("月湖街道").total == D("93.25")
    assert verified(w, "月湖街道") == verified(s, "月湖街道")
    assert codes(w, "月湖街道") == codes(s, "月湖街道") == []


def test_published_department_table_whole_with_merged_department_column(tmp_path):
    """附件2 as published: nine departments in one table, 考核部门 merged down, no 序号, 得分 over
    the points, ±20; 区教育局 filled its own rows (and typed 20 on computed item 1)."""
    scores = {
        "1": ("20", "20"),
        "2": ("20", None),
        "3": ("40", "38"),
        "4": ("15", "14"),
        "5": ("5", "5"),
        "6": ("16", None),
    }
    published_dept_docx(tmp_path / "附件2.docx", HAISHU, "区教育局", scores)
    indicator_book(
        tmp_path / "i.xlsx",
        {"区教育局": {"未报备发文数": 0, "未报送统计数据次数": 1}},
        columns=["未报备发文数", "未报送统计数据次数"],
        ranking=[("区教育局", 2, 2)],
    )
    r = compute_folder(tmp_path)
    got = {no: v for no, v, _ in verified(r, "区教育局")}
    assert got["1"] == D("15.00")  # computed: one statistics report missed (−5)
    assert got["3"] == D(38) and got["6"] == D("14.00")  # tied 2nd: median(16, 12)
    assert codes(r, "区教育局") == ["computed-differs", "pending"]  # item 2: no 核定分
    assert r.unit("区教育局").status == "provisional"


def test_department_table_split_with_header_repeated(tmp_path):
    scores = {no: (str(mx), str(mx)) for no, mx in (("1", 30), ("2", 10), ("4", 15))}
    scores |= {"3": ("30", None), "5": ("10", "9"), "6": ("5", "5"), "7": ("12", None)}
    path = published_dept_docx(
        tmp_path / "公安.docx", HAISHU, "海曙公安分局", scores, whole=False, split_before="5"
    )
    indicator_book(
        tmp_path / "i.xlsx",
        {"海曙公安分局": {**EXAMPLE, "未报备发文数": 0}},
        columns=list(EXAMPLE),
        ranking=[("海曙公安分局", 3, 1)],
    )
    r = compute_folder(tmp_path)
    got = {no: v for no, v, _ in verified(r, "海曙公安分局")}
    assert got["5"] == D(9) and got["7"] == D("12.00")
    assert got["3"] == D("25.00")  # 30 − 2.5 − 2.5 (worked example rates)
    assert r.unit("海曙公安分局").status == "final"
    grid = open_file(path, display="x")[0].sheets[0]
    assert len([r for r in grid.rows if r[0] == "考核部门"]) == 1  # header read once


def test_beilun_published_layout_split_reads_by_criteria(tmp_path):
    scheme = BEILUN
    sheet = scheme.sheet("streets")
    scores = {str(it.no): (str(it.max), str(it.max)) for it in sheet.items if not it.extra}
    word, filled = tmp_path / "word", tmp_path / "xlsx"
    word.mkdir()
    filled.mkdir()
    published_beilun_docx(word / "大碶.docx", scheme, "大碶街道", scores, seal_unit=True)
    wb = build_annex_workbook(scheme, "大碶街道")
    from flowscore.template import annex_layout

    lay = annex_layout(sheet)
    for no, (s, v) in scores.items():
        wb.active[f"{lay.letter('self')}{lay.item_rows[no]}"] = float(s)
        wb.active[f"{lay.letter('verified')}{lay.item_rows[no]}"] = float(v)
    wb.save(filled / "大碶.xlsx")
    w = compute_folder(word, rubric="beilun-streets")
    x = compute_folder(filled, rubric="beilun-streets")
    assert verified(w, "大碶街道") == verified(x, "大碶街道")
    assert not [f for f in w.report if f.code in ("unmatched-row", "duplicate-item")]


@pytest.mark.parametrize("unit", ["月湖街道", "区医保局"])
def test_whole_published_document_returned_with_own_annex_filled(tmp_path, unit):
    """The 考核办法 with 附件1 and 附件2, as the office sent it: the unit's annex is read, the
    other (blank) table is noted and left, not a second sheet of the same unit."""
    folder = town_folder(tmp_path)
    indicator_book(folder / "i2.xlsx", {"区医保局": {"未报备发文数": 1}}, columns=["未报备发文数"])
    scores = TOWN if unit == "月湖街道" else {"1": ("10", None), "2": ("40", "40")}
    scores = scores | ({} if unit == "月湖街道" else {"3": ("25", "25"), "4": ("25", "25")})
    published_whole_document(folder / f"考核办法（{unit}）.docx", HAISHU, unit, scores)
    r = compute_folder(folder)
    expected = D("93.25") if unit == "月湖街道" else D(95)
    assert r.unit(unit).total == expected and r.unit(unit).status == "final"
    (blank,) = [f for f in r.report if f.code == "blank-annex-table"]
    assert blank.level.value == "info" and blank.sheet == ("表2" if unit == "月湖街道" else "表1")
    assert not [f for f in r.report if f.unit == unit and f.code != "computed-differs"]


# -- positions in findings -----------------------------------------------------------------------


def test_bad_score_names_table_row_and_column(tmp_path):
    folder = town_folder(tmp_path)
    path = folder / "附件1-月湖街道.docx"
    build_annex_docx(HAISHU, "月湖街道").save(str(path))
    fill_docx_template(path, {**TOWN, "4": ("35分", "13.25")})
    r = compute_folder(folder)
    (bad,) = [f for f in r.report if f.code == "bad-score"]
    assert (bad.file, bad.sheet, bad.cell) == ("附件1-月湖街道.docx", "表1", "第5行 › 自评分")
    assert bad.where == "附件1-月湖街道.docx › 表1 › 第5行 › 自评分"
    assert r.unit("月湖街道").total == D("93.25")  # the 核定分 stands; the self score is refused
    item = next(i for i in r.unit("月湖街道").items if i.no == 4)
    assert item.cell == "第5行 › 核定分"


def test_seal_line_unit_and_duplicate_rows_named_in_word_terms(tmp_path):
    path = published_town_docx(tmp_path / "x.docx", HAISHU, "月湖街道", TOWN)
    import docx

    d = docx.Document(str(path))
    d.paragraphs[3].text = "镇（乡）街道(盖章)：月湖区"  # not on the roster
    d.save(str(path))
    with pytest.raises(NothingToScore) as info:  # no sheet of a unit on the roster
        compute_folder(town_folder(tmp_path))
    (unknown,) = [f for f in info.value.findings if f.code == "unknown-unit"]
    assert unknown.cell == "表格上方第1段"
    published_town_docx(tmp_path / "x.docx", HAISHU, "月湖街道", TOWN)
    d = docx.Document(str(tmp_path / "x.docx"))
    d.tables[0].rows[2].cells[0].text = "1"  # item 2's row (the 3rd) numbered 1 again
    d.save(str(tmp_path / "x.docx"))
    r = compute_folder(tmp_path)
    (dup,) = [f for f in r.report if f.code == "duplicate-item"]
    assert dup.cell == "第3行 › 序号" and "（第2行和第3行）" in dup.message


# -- the Word template ---------------------------------------------------------------------------


def test_docx_template_filled_scores_like_xlsx_template(tmp_path):
    word = town_folder(tmp_path / "word")
    (docx_path,) = write_templates(
        HAISHU, units=["月湖街道"], indicators=False, out_dir=word, force=False, file_format="docx"
    )
    assert docx_path.name == "附件1-月湖街道.docx"
    fill_docx_template(docx_path, TOWN, bonus=("10", None), remarks={"4": "已整改"})
    sheet = town_folder(tmp_path / "sheet")
    (xlsx_path,) = write_templates(
        HAISHU, units=["月湖街道"], indicators=False, out_dir=sheet, force=False
    )
    import openpyxl

    from flowscore.template import annex_layout

    wb = openpyxl.load_workbook(xlsx_path)
    lay = annex_layout(HAISHU.sheet("towns"))
    for no, (s, v) in TOWN.items():
        wb.active[f"D{lay.item_rows[no]}"] = float(s)
        wb.active[f"E{lay.item_rows[no]}"] = None if v is None else float(v)
    wb.active[f"D{lay.bonus_row}"] = 10
    wb.active[f"F{lay.item_rows['4']}"] = "已整改"
    wb.save(xlsx_path)
    w, x = compute_folder(word), compute_folder(sheet)
    assert verified(w, "月湖街道") == verified(x, "月湖街道")
    for attr in ("total", "contribution", "status", "self_total"):
        assert getattr(w.unit("月湖街道"), attr) == getattr(x.unit("月湖街道"), attr)
    assert next(f for f in w.inputs if f.path.endswith(".docx")).scheme == "haishu-2019"
    assert codes(w, "月湖街道") == codes(x, "月湖街道")


def test_docx_template_identifies_its_scheme(tmp_path):
    """A Beilun Word template in a folder, no --rubric: chosen by its properties, as xlsx."""
    (path,) = write_templates(
        BEILUN,
        units=["大碶街道"],
        indicators=False,
        out_dir=tmp_path,
        force=False,
        file_format="docx",
    )
    sheet = BEILUN.sheet("streets")
    fill_docx_template(path, {str(it.no): (str(it.max), None) for it in sheet.items})
    r = compute_folder(tmp_path)
    assert r.scheme_id == "beilun-streets"
    u = r.unit("大碶街道")
    assert u.status != "missing"
    assert u.self_total == sum(it.max for it in sheet.items)  # every row read by its 序号
    assert not [f for f in r.report if f.code in ("item-missing", "unmatched-row", "bad-score")]


def test_docx_template_layout(tmp_path):
    import docx
    from docx.oxml.ns import qn

    d = build_annex_docx(HAISHU, "区教育局")
    texts = [p.text for p in d.paragraphs]
    assert texts[:3] == [
        "附件2",
        "2019年度职能部门流动人口服务管理项目考核评分表",
        "部门(盖章)：区教育局\t自评分合计：",  # the unit's own sum, written by hand
    ]
    assert texts[3].startswith("备注：1.自评分一般不高于分值标准")
    assert texts[-4].startswith("说明：核定分由区流管办考核组填写")
    assert texts[-3:] == ["填表人：\t", "联系电话：\t", "填报日期：\t"]
    table = d.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "序号",
        "考核内容",
        "分值",
        "自评分",
        "核定分",
        "备注",
    ]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page
    assert [c.text for c in table.rows[6].cells][:3] == ["6", table.rows[6].cells[1].text, "±20"]
    assert [r.cells[0].text for r in table.rows[-2:]] == ["加分项目", "减分项目"]
    section = d.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = d.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    path = tmp_path / "t.docx"
    d.save(str(path))
    wb, _ = open_file(path, display="t.docx")
    assert wb is not None
    assert (
        wb.props["flowscore.scheme"] == "haishu-2019" and wb.props["flowscore.unit"] == "区教育局"
    )
    assert (
        wb.props["flowscore.sheet"] == "dept-education" and "flowscore.template_version" in wb.props
    )
    docx.Document(str(path))  # python-docx opens what it wrote


def test_field_inspection_docx_template(tmp_path):
    scheme = load_rubric("province-2013")[0]
    (path,) = write_templates(
        scheme,
        units=["济南市"],
        indicators=False,
        out_dir=tmp_path,
        force=False,
        assessor="市财政局",
        file_format="docx",
    )
    assert path.name == "评分表-济南市-市财政局.docx"
    wb, _ = open_file(path, display=path.name)
    assert wb is not None and wb.props["flowscore.assessor"] == "市财政局"
    texts = [row[0] for row in wb.sheets[0].rows[: wb.sheets[0].first_table_row]]
    assert "检查单位：市财政局" in texts
    assert "负责单位" in wb.sheets[0].col_names


# -- the folder ----------------------------------------------------------------------------------


def test_word_lock_files_skipped_silently_and_reports_noted(tmp_path):
    folder = town_folder(tmp_path)
    published_town_docx(folder / "附件1-月湖街道.docx", HAISHU, "月湖街道", TOWN)
    (folder / "~$附件1-月湖街道.docx").write_bytes(b"\x05clerk" + b" " * 150)
    report_docx(folder / "月湖街道2019年度工作总结.docx")
    report_docx(folder / "月湖街道统计.docx", table=True)
    r = compute_folder(folder)
    assert not [f for f in r.report if "~$" in f.file]
    notes = sorted((f.file, f.level.value) for f in r.report if f.code == "no-score-table")
    assert notes == [("月湖街道2019年度工作总结.docx", "info"), ("月湖街道统计.docx", "info")]
    assert r.unit("月湖街道").total == D("93.25")


def test_reading_spreadsheets_does_not_import_python_docx(tmp_path):
    town_folder(tmp_path)
    published_annex(tmp_path / "a.xlsx", unit="月湖街道", rows=[(1, "x", 5, 5, None)])
    code = (
        "import sys; from flowscore.compute import compute_folder; "
        f"compute_folder({str(tmp_path)!r}); print('docx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cli_template_format_docx_and_unknown_format(tmp_path):
    from typer.testing import CliRunner

    from flowscore.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["template", "-u", "月湖街道", "--format", "docx", "-o", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "附件1-月湖街道.docx").is_file()
    bad = runner.invoke(app, ["template", "-u", "月湖街道", "--format", "pdf", "-o", str(tmp_path)])
    assert bad.exit_code == 2
    assert "不支持的格式“pdf”" in bad.output and "docx" in bad.output
    assert "Traceback" not in bad.output
    help_text = "".join(runner.invoke(app, ["template", "--help"]).output.split())
    assert "--format" in help_text and "docx（Word文档）" in help_text


@pytest.mark.skipif(
    not any(Path(p, "soffice").exists() for p in ("/usr/bin", "/usr/lib/libreoffice/program")),
    reason="LibreOffice（soffice）未安装",
)
def test_docx_filled_then_saved_by_libreoffice_writer_still_reads(tmp_path):
    """Filled with python-docx, then opened and saved again by LibreOffice Writer (docx →
    docx): what a unit editing the template in LibreOffice or WPS sends back."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_bad_docx import libreoffice_save

    folder = town_folder(tmp_path / "in")
    path = folder / "附件1-月湖街道.docx"
    build_annex_docx(HAISHU, "月湖街道").save(str(path))
    fill_docx_template(path, TOWN)
    before = path.read_bytes()
    libreoffice_save(path, path)
    assert path.read_bytes() != before  # LibreOffice's own package now
    r = compute_folder(folder)
    assert r.unit("月湖街道").total == D("93.25") and r.unit("月湖街道").status == "final"
    assert next(f for f in r.inputs if f.path.endswith(".docx")).unit == "月湖街道"


def test_entries_table_in_word_rows_counted_in_the_table(tmp_path):
    """The office's 加减分登记 typed as a Word table: read as an entries sheet; its rows are
    the table's (the title above is no row of it)."""
    import docx

    folder = town_folder(tmp_path)
    published_town_docx(folder / "月湖.docx", HAISHU, "月湖街道", TOWN)
    d = docx.Document()
    d.add_paragraph("2019年度加减分登记")
    d.add_paragraph("填表：区流管办")
    t = d.add_table(rows=3, cols=5)
    rows = [
        ("单位", "类型", "专题", "分值", "说明"),
        ("月湖街道", "加分", "流动党员服务", "10", "《海曙信息》刊登"),
        ("月湖区", "减分", "群租房", "5", "通报批评"),
    ]
    for row, values in zip(t.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    d.save(str(folder / "加减分登记.docx"))
    r = compute_folder(folder)
    assert r.unit("月湖街道").bonus == D(10)
    (entry,) = [e for e in r.entries if e.unit == "月湖街道"]
    assert (entry.sheet, entry.row) == ("表1", 2)
    (unknown,) = [f for f in r.report if f.code == "unknown-unit"]
    assert (unknown.sheet, unknown.cell) == ("表1", "第3行 › 单位")
