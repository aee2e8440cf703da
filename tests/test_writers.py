"""Writers: results.json, 考核汇总.xlsx, 考核报告.md and the per-unit reports, from a
BatchResult built by hand (no scoring involved)."""

from __future__ import annotations

import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from batches import EVIL, INJECTED, make_batch
from rich.cells import cell_len

from flowscore.errors import OutputError, UsageError
from flowscore.results import BatchResult
from flowscore.writers import Choices, load_results, result_to_dict, write_outputs
from flowscore.writers.reports import environment, report_names, templates_dir
from flowscore.writers.results_json import json_text
from flowscore.writers.safe import (
    clean_text,
    excel_text,
    md_cell,
    safe_filename,
    unique_filenames,
)
from flowscore.writers.summary_xlsx import SHEETS


@pytest.fixture
def batch() -> BatchResult:
    return make_batch()


D = Decimal
TEXT = Choices(text=True)  # the plain-text outputs too (--text): these tests read them


@pytest.fixture
def written(batch: BatchResult, tmp_path: Path) -> tuple[Path, list[Path]]:
    out = tmp_path / "out"
    return out, list(write_outputs(batch, out_dir=out, force=False, choices=TEXT).paths)


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------------------------
# the folder


def test_all_outputs_written(written, batch):
    out, paths = written
    assert paths == sorted(paths)
    assert all(p.is_absolute() and p.is_file() for p in paths)
    names = {p.relative_to(out.resolve()).as_posix() for p in paths}
    assert {"考核汇总.xlsx", "考核报告.md", "results.json"} <= names
    reports = [n for n in names if n.startswith("reports/")]
    assert len(reports) == len(batch.units)
    assert set(_tree(out)) == names  # nothing else, no temporary leftovers
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


def test_report_names_stay_inside_reports(written, batch):
    out, _ = written
    reports = (out / "reports").resolve()
    files = list(reports.iterdir())
    assert len(files) == len(batch.units)
    for f in files:
        assert f.resolve().parent == reports
        assert not f.name.startswith(".")
        assert "/" not in f.name and "\\" not in f.name and ".." not in f.name
    names = report_names(batch)
    assert len(set(names.values())) == len(names)
    assert (reports / names[EVIL]).is_file()
    assert EVIL in (reports / names[EVIL]).read_text(encoding="utf-8")


def test_rerun_is_byte_identical(written, batch, tmp_path):
    out, _ = written
    out2 = tmp_path / "again"
    write_outputs(batch, out_dir=out2, force=False, choices=TEXT)
    first, second = _tree(out), _tree(out2)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name  # the workbook too: fixed dates and zip times


def test_existing_folder_needs_force(written, batch):
    out, _ = written
    before = _tree(out)
    with pytest.raises(OutputError) as exc:
        write_outputs(batch, out_dir=out, force=False)
    assert str(out) in exc.value.message
    assert "--force" in exc.value.hint
    assert _tree(out) == before


def test_force_replaces_previous_output(written, batch):
    out, _ = written
    (out / "reports" / "旧单位.txt").write_text("old", encoding="utf-8")
    written = write_outputs(
        batch, out_dir=out, force=True, choices=Choices(text=True, unit_feedback=False)
    )
    assert not (out / "reports").exists() and not (out / "反馈单").exists()
    assert {p.name for p in written.paths} == {
        "考核汇总.xlsx",
        "考核报告.md",
        "results.json",
        "考核结果通报（草稿）.docx",
    }


def test_foreign_files_refused_even_with_force(batch, tmp_path):
    out = tmp_path / "work"
    out.mkdir()
    (out / "results.json").write_text("{}", encoding="utf-8")
    (out / "我的笔记.docx").write_bytes(b"precious")
    with pytest.raises(OutputError) as exc:
        write_outputs(batch, out_dir=out, force=True)
    assert "我的笔记.docx" in exc.value.message
    assert (out / "我的笔记.docx").read_bytes() == b"precious"
    assert (out / "results.json").read_text(encoding="utf-8") == "{}"


def test_foreign_file_inside_reports_refused(written, batch):
    out, _ = written
    (out / "reports" / "data.xlsx").write_bytes(b"x")
    with pytest.raises(OutputError):
        write_outputs(batch, out_dir=out, force=True)
    assert (out / "reports" / "data.xlsx").exists()


def test_current_folder_refused(batch, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError):
        write_outputs(batch, out_dir=Path("."), force=True)
    assert list(tmp_path.iterdir()) == []


def test_empty_existing_folder_is_fine(batch, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    write_outputs(batch, out_dir=out, force=False)
    assert (out / "results.json").is_file()


def test_no_unit_reports(batch, tmp_path):
    out = tmp_path / "out"
    written = write_outputs(batch, out_dir=out, force=False, choices=Choices(unit_feedback=False))
    assert not (out / "reports").exists() and not (out / "反馈单").exists()
    assert [p.name for p in written.paths] == [
        "results.json",
        "考核汇总.xlsx",
        "考核结果通报（草稿）.docx",
    ]


def test_default_outputs_are_the_offices_documents(batch, tmp_path):
    """By default: the workbook, results.json, the circular and a Word feedback sheet per unit;
    the Markdown report and plain-text feedback only with --text."""
    out = tmp_path / "out"
    written = write_outputs(batch, out_dir=out, force=False)
    tops = {p.relative_to(out.resolve()).parts[0] for p in written.paths}
    assert tops == {"考核汇总.xlsx", "results.json", "考核结果通报（草稿）.docx", "反馈单"}
    assert len(list((out / "反馈单").glob("*.docx"))) == len(batch.units)


# --------------------------------------------------------------------------------------------
# results.json


def test_results_json_exact_decimals(written):
    out, _ = written
    text = (out / "results.json").read_text(encoding="utf-8")
    assert '"contribution": 0.6528,' in text
    assert '"total": 93.25,' in text
    assert re.search(r'"verified": 35\.00\n', text)
    assert "月湖街道" in text  # ensure_ascii=False
    assert json.loads(text)  # valid JSON
    data = load_results(out / "results.json")
    assert load_results(out) == data  # the folder works too
    units = {u["unit"]: u for u in data["units"]}
    y = units["月湖街道"]
    assert y["contribution"] == Decimal("0.6528")
    assert y["tier"] == "A" and y["tier_label"] == "A类街道" and y["rank"] == 1
    assert y["status"] == "final" and y["base"] == Decimal("0.7")
    assert y["penalty"] == Decimal("-5") and y["bonus"] == Decimal("5")
    item = y["items"][1]
    for key in (
        "no",
        "short",
        "max",
        "min",
        "self_score",
        "verified",
        "computed",
        "entered",
        "difference",
        "source",
        "remark",
        "explanation",
    ):
        assert key in item
    assert item["difference"] == Decimal("-3.00")
    assert [e["counted"] for e in y["entries"]] == [True, False, True]
    assert units["龙观乡"]["status"] == "missing" and units["龙观乡"]["total"] is None
    assert units["区教育局"]["tier"] == "部门"
    assert units[INJECTED]["pending"] == ["4"]
    assert data["scheme"] == {
        "id": "haishu-2019",
        "title": "海曙区2019年度流动人口服务管理目标考核",
    }
    assert data["summary"]["units"] == {"final": 4, "provisional": 1, "missing": 1, "rejected": 0}
    assert data["summary"]["findings"] == {"error": 1, "warning": 2, "info": 1}
    assert data["findings"][0]["file"]
    assert data["indicators"][0]["rates"]["居住证申领率"] == Decimal("0.275")
    # units in tier order, by rank
    assert [u["unit"] for u in data["units"]] == [
        "月湖街道",
        INJECTED,
        "集士港镇",
        EVIL,
        "龙观乡",
        "区教育局",
    ]
    tiers = {t["id"]: t for t in data["tiers"]}
    assert tiers["A"]["contribution_sum"] == Decimal("0.8978")


def test_result_to_dict_has_no_floats(batch):
    def walk(v):
        assert not isinstance(v, float)
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(result_to_dict(batch))


def test_json_text_numbers():
    text = json_text({"b": D("35.00"), "a": [D("0.6528"), D("-0.00"), 3, None, True], "c": "中"})
    assert text == (
        '{\n  "a": [\n    0.6528,\n    0.00,\n    3,\n    null,\n    true\n  ],\n'
        '  "b": 35.00,\n  "c": "中"\n}\n'
    )
    assert json.loads(text, parse_float=Decimal)["b"] == D("35.00")
    with pytest.raises(TypeError):
        json_text({"x": 0.1})


def test_load_results_refuses_other_files(tmp_path):
    with pytest.raises(UsageError):
        load_results(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(UsageError):
        load_results(bad)
    other = tmp_path / "other.json"
    other.write_text('{"units": []}', encoding="utf-8")
    with pytest.raises(UsageError) as exc:
        load_results(other)
    assert "不是 flowscore" in exc.value.message
    newer = tmp_path / "newer.json"
    newer.write_text('{"format": "flowscore-results", "format_version": 99}', encoding="utf-8")
    with pytest.raises(UsageError):
        load_results(newer)


# --------------------------------------------------------------------------------------------
# 考核汇总.xlsx


def _headers(ws, row: int = 1) -> list[str]:
    return [c.value for c in next(ws.iter_rows(min_row=row, max_row=row))]


RANK_HEADER_ROW = 3  # under the title line and the date line


def test_workbook_sheets_and_headers(written):
    out, _ = written
    wb = openpyxl.load_workbook(out / "考核汇总.xlsx")
    assert wb.sheetnames == list(SHEETS)
    assert wb["排名"]["A1"].value == "海曙区2019年度流动人口服务管理目标考核 各类别排名"
    assert wb["排名"]["A2"].value == "制表日期：____年__月__日"  # no date given: a blank
    assert _headers(wb["排名"], RANK_HEADER_ROW) == [
        "类别",
        "名次",
        "单位",
        "评价得分",
        "基本分",
        "折算得分",
        "状态",
    ]
    assert _headers(wb["明细"])[:10] == [
        "单位",
        "类别",
        "序号",
        "考核项目",
        "分值",
        "自评分",
        "核定分",
        "差额",
        "来源",
        "说明",
    ]
    assert _headers(wb["加减分"])[:8] == [
        "单位",
        "类型",
        "专题",
        "分值",
        "说明",
        "是否计入",
        "原因",
        "来源文件",
    ]
    assert _headers(wb["问题清单"]) == [
        "级别",
        "问题类别",
        "文件",
        "工作表",
        "单元格",
        "单位",
        "问题",
        "提示",
    ]
    ind = _headers(wb["指标"])
    assert "居住证申领数" in ind and "居住证申领率" in ind
    for ws in wb.worksheets:
        if ws.title == "图表":
            continue
        first = RANK_HEADER_ROW if ws.title == "排名" else 1
        assert ws.freeze_panes == f"A{first + 1}"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{first}:")

    rank = wb["排名"]
    rows = list(rank.iter_rows(min_row=RANK_HEADER_ROW + 1, values_only=True))
    assert rows[0][:3] == ("A类街道", 1, "月湖街道")
    assert rows[0][3] == pytest.approx(93.25) and rows[0][5] == pytest.approx(0.6528)
    assert rank["D4"].number_format == "0.00" and rank["F4"].number_format == "0.0000"
    assert rows[4][2] == "龙观乡" and rows[4][3] is None and rows[4][6] == "未报送"

    detail = wb["明细"]
    assert detail["J2"].alignment.wrap_text
    sources = {r[8] for r in detail.iter_rows(min_row=2, values_only=True)}
    assert {"计算", "核定", "待核定"} <= sources
    dept = [r for r in detail.iter_rows(min_row=2, values_only=True) if r[0] == "区教育局"]
    assert dept[-1][4] == "±20"

    indicators = wb["指标"]
    col = ind.index("居住证申领率") + 1
    cell = indicators.cell(row=2, column=col)
    assert cell.value == pytest.approx(0.275) and cell.number_format == "0.00%"
    assert "是" in [c.value for c in indicators[2]]

    entries = list(wb["加减分"].iter_rows(min_row=2, values_only=True))
    assert [(e[1], e[5]) for e in entries] == [("加分", "是"), ("加分", "否"), ("减分", "是")]
    assert entries[2][3] == pytest.approx(-5)

    problems = list(wb["问题清单"].iter_rows(min_row=2, values_only=True))
    assert ("错误", "E201", "材料/月湖街道.xlsx", "附件1", "D6", "月湖街道") in [
        p[:6] for p in problems
    ]


def test_workbook_has_one_chart_per_tier(written):
    out, _ = written
    with zipfile.ZipFile(out / "考核汇总.xlsx") as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 4
        xml = z.read(charts[0]).decode("utf-8")
    # The A tier's two scored units, from the 图表 sheet's own (hidden) label and score columns.
    assert "barChart" in xml and "'图表'!$B$2:$B$3" in xml and "'图表'!$A$2:$A$3" in xml
    assert '<c:showVal val="1"/>' in xml and '<c:plotVisOnly val="0"/>' in xml
    wb = openpyxl.load_workbook(out / "考核汇总.xlsx")
    assert len(wb["图表"]._charts) == 4 and not wb["排名"]._charts
    labels = [wb["图表"].cell(row=r, column=1).value for r in (2, 3)]
    assert labels == ["月湖街道", f"{INJECTED}（暂定）"]  # the provisional unit is marked


def test_workbook_text_is_never_a_formula(written):
    out, _ = written
    wb = openpyxl.load_workbook(out / "考核汇总.xlsx")
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value == INJECTED:
                    found.append(c)
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    assert len(found) >= 4  # 排名, 明细 (three items), 问题清单
    assert all(c.data_type == "s" for c in found)
    assert any(c.value == "-1 开头的问题文字" for c in wb["问题清单"]["G"])
    with zipfile.ZipFile(out / "考核汇总.xlsx") as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = z.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name
        rank_xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "=HYPERLINK(&quot;x&quot;)" in rank_xml or '=HYPERLINK("x")' in rank_xml


def test_workbook_dates_are_fixed(written):
    out, _ = written
    wb = openpyxl.load_workbook(out / "考核汇总.xlsx")
    assert wb.properties.modified.year == 2000 and wb.properties.created.year == 2000


# --------------------------------------------------------------------------------------------
# reports


def test_unit_report_content(written, batch):
    out, _ = written
    text = (out / "reports" / report_names(batch)["月湖街道"]).read_text(encoding="utf-8")
    assert "海曙区2019年度流动人口服务管理目标考核" in text
    assert "类别：A类街道（基本分 0.7）" in text
    assert "状态：已定" in text
    assert "评价得分：93.25" in text and "折算得分：0.6528" in text
    assert "A类街道 第1名／共2个" in text
    assert "电子居住证申领率 7.50%" in text  # second line of an explanation
    assert "区级简报刊登" in text and "不计入（同专题已计入更高分值）" in text
    assert "减分 -5.00" in text and "加分 +5.00" in text
    assert "E201" in text and "材料/月湖街道.xlsx › 附件1 › D6" in text
    assert text.endswith("\n") and "\r" not in text

    table = [ln for ln in text.splitlines() if ln.endswith(("计算", "核定", "待核定"))]
    assert len(table) == 3
    starts = {cell_len(ln[: ln.rfind("  ") + 2]) for ln in table}
    assert len(starts) == 1  # the 来源 column lines up despite CJK widths

    pending = (out / "reports" / report_names(batch)[INJECTED]).read_text(encoding="utf-8")
    assert "状态：暂定" in pending and "四、待核定项目" in pending
    assert "4. 群租房管理（核定分单元格 E8）" in pending
    missing = (out / "reports" / report_names(batch)["龙观乡"]).read_text(encoding="utf-8")
    assert "未报送" in missing and "未排名" not in missing.split("类别：")[0]


def test_overall_report_content(written):
    out, _ = written
    md = (out / "考核报告.md").read_text(encoding="utf-8")
    assert md.startswith("# 海曙区2019年度流动人口服务管理目标考核 考核报告\n")
    assert "- 材料文件夹：材料" in md
    assert "### A类街道（基本分 0.7）" in md
    assert "| 1 | 月湖街道 | 93.25 | 0.7 | 0.6528 | 已定 |" in md
    assert "| — | 龙观乡 | — | 0.2 | — | 未报送 |" in md
    assert "A类街道折算得分合计：0.8978" in md
    assert "| 区级部门 | 2 | 1 | 1 | 0 | 0 | 0 | 1.1400 |" in md
    # most lost first: 新型居住证 lost 5 + 10 + 2 = 17 across three units
    lost = md.split("## 三、失分较多的项目")[1].split("## 四")[0]
    first_row = [ln for ln in lost.splitlines() if ln.startswith("| ")][1]
    assert "新型居住证" in first_row and "17.00" in first_row
    assert r"\=HYPERLINK(\"x\")" not in md and '=HYPERLINK("x")' in md
    assert r"../../evil" in md
    assert "### 错误（1）" in md and "| 材料/月湖街道.xlsx | 附件1 | D6 | 月湖街道 | E201 |" in md
    pending = md.split("## 四、待核定项目")[1].split("## 五")[0]
    assert "群租房管理" in pending and "E8" in pending


# --------------------------------------------------------------------------------------------
# text safety


@pytest.mark.parametrize(
    "name",
    [
        "../../evil",
        "..",
        ".",
        "...",
        "/etc/passwd",
        "a\\b",
        "a/b",
        "nul\x00byte",
        "CON",
        "con.txt",
        "LPT1",
        ".hidden",
        "tab\tand\nnewline",
        'x<>:"|?*y',
        "  ",
        "",
        "\u202eevil",
        "区" * 300,
    ],
)
def test_safe_filename(name, tmp_path):
    stem = safe_filename(name)
    assert stem and not stem.startswith((".", " ")) and not stem.endswith((".", " "))
    assert not any(ch in stem for ch in '/\\<>:"|?*\x00\n\t\u202e')
    assert ".." not in stem
    assert stem.split(".")[0].upper() not in {"CON", "NUL", "LPT1"}
    assert len(stem.encode("utf-8")) <= 150
    target = tmp_path / (stem + ".txt")
    target.write_text("x", encoding="utf-8")
    assert target.resolve().parent == tmp_path.resolve()


def test_unique_filenames():
    names = unique_filenames(["a/b", "a\\b", "A_b", "月湖街道", "月湖街道 "], suffix=".txt")
    assert len(set(n.casefold() for n in names.values())) == 5
    assert names["月湖街道"] == "月湖街道.txt" or names["月湖街道"].startswith("月湖街道-")
    # a unit's file name does not depend on its neighbours' order
    again = unique_filenames(["月湖街道 ", "A_b", "a\\b", "月湖街道", "a/b"], suffix=".txt")
    assert again == names
    assert unique_filenames(["西门街道"], suffix=".txt") == {"西门街道": "西门街道.txt"}


def test_text_helpers():
    assert excel_text("a\x01b\x1fc") == "abc"
    assert len(excel_text("x" * 40000)) == 32767
    assert clean_text("a\x1b[31mb\rc") == "a[31mb c"
    assert clean_text("a\nb", multiline=True) == "a\nb"
    assert md_cell("a|b\nc") == r"a\|b c"


def test_templates_found_and_compiled_once():
    assert (templates_dir() / "unit_report.txt.j2").is_file()
    env = environment()
    assert env is environment()
    assert env.get_template("unit_report.txt.j2") is env.get_template("unit_report.txt.j2")


def test_tied_rank_is_marked(batch, tmp_path):
    import dataclasses

    units = tuple(dataclasses.replace(u, rank=1) if u.unit == INJECTED else u for u in batch.units)
    tied = dataclasses.replace(batch, units=units)
    out = tmp_path / "tied"
    write_outputs(tied, out_dir=out, force=False, choices=TEXT)
    text = (out / "reports" / report_names(tied)["月湖街道"]).read_text(encoding="utf-8")
    assert "A类街道 第1名（并列）／共2个" in text
    assert "| 1（并列） | 月湖街道 |" in (out / "考核报告.md").read_text(encoding="utf-8")


def test_formula_like_text_keeps_quote_prefix(written):
    out, _ = written
    wb = openpyxl.load_workbook(out / "考核汇总.xlsx")
    cell = next(c for c in wb["排名"]["C"] if c.value == INJECTED)
    assert cell.quotePrefix and cell.data_type == "s"
    label = next(c for c in wb["图表"]["A"] if c.value == f"{INJECTED}（暂定）")
    assert label.quotePrefix and label.data_type == "s"
    plain = next(c for c in wb["排名"]["C"] if c.value == "月湖街道")
    assert not plain.quotePrefix
