"""Issue 14, a clerk's whole year: last year's outputs among the materials are not read (1), a
pending item says what its 核定分 cell holds (3), forms that are not this year's annex are
named (4). Fixtures are cases of ``scripts/make_bad_inputs.py``: the good part (月湖街道, 93.25)
beside one case each."""

from __future__ import annotations

import io
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flowscore.cli import app
from flowscore.compute import compute_folder
from flowscore.inputs.own_outputs import earlier_output
from flowscore.results import BatchResult

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import make_bad_inputs as bad  # noqa: E402

RUBRIC = "haishu-2019"
A = bad.BAD_ANNEX
runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """A finding on one line, as piped output prints it."""
    from flowscore.cli import console as ui

    monkeypatch.setattr(ui.console, "width", 240)


def case(tmp_path: Path, name: str) -> BatchResult:
    return compute_folder(bad.make_case(name, tmp_path / name), rubric=RUBRIC)


def of(result: BatchResult, code: str) -> list:
    return [f for f in result.report if f.code == code]


def good_unit_scored(result: BatchResult) -> None:
    u = result.unit(bad.GOOD_UNIT)
    assert (str(u.total), u.status) == (bad.GOOD_TOTAL, "final")


def items(result: BatchResult, unit: str) -> dict[str, object]:
    return {str(i.no): i for i in result.unit(unit).items}


# -- 1. last year's outputs ----------------------------------------------------------------------


def test_last_years_outputs_renamed_in_a_subfolder_are_not_read(tmp_path):
    result = case(tmp_path, "old_outputs")
    good_unit_scored(result)  # last year's 8 and its 5 unreported documents did not win
    notes = {f.file: f for f in of(result, "output-file-skipped")}
    assert set(notes) == set(bad.OLD_FILES.values())
    summary = notes[bad.OLD_SUMMARY]
    assert summary.level.value == "info" and (summary.sheet, summary.cell) == ("", "")
    assert summary.message == "这是 flowscore 以前写出的考核汇总，不作为本次的材料读取"
    assert "考核汇总" in summary.hint and "移出材料文件夹" in summary.hint
    assert "反馈单" in notes[f"{bad.OLD}/{bad.GOOD_UNIT}反馈单.docx"].message
    assert "通报" in notes[f"{bad.OLD}/通报.docx"].message
    assert "results.json" in notes[f"{bad.OLD}/结果.json"].message
    # nothing of them was read: no second 月湖街道 sheet, no indicator or ranking met twice
    assert not [f for f in result.report if f.level.value != "info" and f.file.startswith("去年")]
    assert not of(result, "duplicate-unit") and not of(result, "conflicting-indicator")
    kinds = {i.path: i.kind for i in result.inputs}
    assert kinds[bad.OLD_SUMMARY] == "skipped"


def test_an_old_summary_in_the_sample_folder_changes_no_score(tmp_path, scored_sample):
    last = bad.make_case("old_outputs", tmp_path / "last")
    folder = tmp_path / "haishu"
    shutil.copytree(ROOT / "sample_data" / "haishu-2019", folder)
    (folder / "材料备份" / "2018").mkdir(parents=True)
    shutil.copyfile(last / bad.OLD_SUMMARY, folder / "材料备份" / "2018" / "汇总表.xlsx")
    before, after = scored_sample("haishu-2019"), compute_folder(folder)
    assert [(u.unit, u.total, u.contribution, u.rank, u.status) for u in after.units] == [
        (u.unit, u.total, u.contribution, u.rank, u.status) for u in before.units
    ]
    assert [u.items for u in after.units] == [u.items for u in before.units]
    new = [f for f in after.report if f not in set(before.report)]
    assert [(f.code, f.file) for f in new] == [("output-file-skipped", "材料备份/2018/汇总表.xlsx")]


def test_the_cli_prints_the_note_in_chinese(tmp_path):
    folder = bad.make_case("old_outputs", tmp_path / "in")
    r = runner.invoke(app, ["check", str(folder), "-r", RUBRIC, "--verbose"])
    lines = r.output.splitlines()
    at = lines.index(bad.OLD_SUMMARY)
    assert (
        lines[at + 1]
        == "  提示 跳过以前的输出文件：这是 flowscore 以前写出的考核汇总，不作为本次的材料读取"
    )


def _summary_bytes(tmp_path: Path) -> bytes:
    return (bad.make_case("old_outputs", tmp_path / "o") / bad.OLD_SUMMARY).read_bytes()


def _with_core(data: bytes, edit) -> bytes:
    return bad.rewrite_zip(data, {"docProps/core.xml": lambda old: edit(old.decode()).encode()})


def test_a_summary_saved_again_by_a_person_is_skipped_with_a_warning(tmp_path):
    data = _with_core(
        _summary_bytes(tmp_path),
        lambda x: x.replace(
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z',
            "<cp:lastModifiedBy>张三</cp:lastModifiedBy>"
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2020-03-02T08:00:00Z',
        ),
    )
    found = earlier_output(data)
    assert found is not None and found.resaved
    f = found.finding("汇总（改过）.xlsx")
    assert f.level.value == "warning" and "修改保存过" in f.message
    assert "flowscore template --indicators" in f.hint


@pytest.mark.parametrize(
    "edit",
    [
        lambda x: x.replace("<dc:creator>flowscore</dc:creator>", "<dc:creator>张三</dc:creator>"),
        lambda x: x.replace("2000-01-01T00:00:00Z", "2019-12-20T08:00:00Z"),
        lambda x: x.replace("考核汇总</dc:title>", "考核汇总表（区流管办）</dc:title>"),
    ],
    ids=["another creator", "another time", "another title"],
)
def test_a_clerks_workbook_is_never_taken_for_an_output(tmp_path, edit):
    assert earlier_output(_with_core(_summary_bytes(tmp_path), edit)) is None


def test_flowscores_own_templates_are_this_years_data(tmp_path):
    for path in (ROOT / "sample_data").rglob("*.*"):
        if path.suffix in (".xlsx", ".docx"):
            assert earlier_output(path.read_bytes()) is None, path
    # a template made at the outputs' fixed time is still a template (its custom properties)
    template = ROOT / "sample_data" / "haishu-2019" / "附件1-月湖街道.xlsx"
    data = _with_core(
        template.read_bytes(), lambda x: x.replace("2019-12-10T09:00:00Z", "2000-01-01T00:00:00Z")
    )
    data = _with_core(data, lambda x: x.replace("附件1 ", "").replace("评分表<", "考核汇总<"))
    assert earlier_output(data) is None


@pytest.mark.parametrize(
    "data",
    [b"", b"PK", b"PK\x03\x04" + b"\0" * 40, b"PK" + b"docProps/core.xml" * 3],
    ids=["empty", "two bytes", "a local header only", "names only"],
)
def test_damaged_zips_are_left_to_the_checks(data):
    assert earlier_output(data) is None


def _cut_local_header() -> bytes:
    """A central directory entry for core.xml pointing at a local header cut short."""
    import struct

    name = b"docProps/core.xml"
    entry = struct.Struct("<4s6xH8xIIHHH8xI")
    data = bytearray(b"PK" + b"\0" * 10)
    at = len(data)
    data += entry.pack(b"PK\x01\x02", 8, 10, 100, len(name), 0, 0, 0) + name
    local = len(data)
    data += b"PK\x03\x04"
    data[at : at + entry.size] = entry.pack(b"PK\x01\x02", 8, 10, 100, len(name), 0, 0, local)
    return bytes(data)


def test_a_local_header_cut_short_is_left_to_the_checks():
    assert earlier_output(_cut_local_header()) is None  # it raised struct.error


@pytest.fixture(scope="module")
def summary_bytes(tmp_path_factory) -> bytes:
    return _summary_bytes(tmp_path_factory.mktemp("summary"))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_no_damage_to_an_output_makes_the_look_raise(summary_bytes, data):
    """Whatever is cut from or changed in a real output, looking at it returns an answer."""
    whole = summary_bytes
    cut = data.draw(st.integers(0, len(whole)))
    spoilt = bytearray(whole[:cut] if data.draw(st.booleans()) else whole)
    for _ in range(data.draw(st.integers(0, 8))):
        if spoilt:
            spoilt[data.draw(st.integers(0, len(spoilt) - 1))] = data.draw(st.integers(0, 255))
    earlier_output(bytes(spoilt))  # no exception


def test_a_declared_size_is_never_exceeded():
    """An output's core.xml whose stamp lies past its declared size: never inflated that far."""
    head = "<dc:creator>flowscore</dc:creator><dc:title>x 考核汇总</dc:title>".encode()
    stamp = b"<dcterms:created>2000-01-01T00:00:00Z</dcterms:created>"

    def zipped(core: bytes, declared: int | None = None) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("docProps/core.xml", core)
        data = bytearray(buf.getvalue())
        if declared is not None:  # the central directory's inflated size
            central = data.rfind(b"PK\x01\x02")
            data[central + 24 : central + 28] = declared.to_bytes(4, "little")
        return bytes(data)

    assert earlier_output(zipped(head + stamp)) is not None
    assert earlier_output(zipped(head + b" " * 10_000_000 + stamp)) is None  # too big to look at
    assert earlier_output(zipped(head + b" " * 10_000_000 + stamp, declared=200)) is None


# -- 3. what a pending item's 核定分 cell holds ---------------------------------------------------


def test_a_percent_in_the_verified_cell_is_not_a_score(tmp_path):
    result = case(tmp_path, "verified_percent")
    (refused,) = of(result, "bad-score")
    assert (refused.file, refused.sheet, refused.cell) == (A, "Sheet1", "E8")
    assert refused.message == "核定分“90%”不是分数（分数不应带百分号），未采用"
    (pending,) = of(result, "pending")
    assert pending.cell == "E8"
    assert pending.message == "序号4（出租房屋管理）尚未核定（核定分“90%”不是分数），该单位得分暂定"
    assert items(result, bad.OTHER)["4"].explanation == "待核定：核定分“90%”不是分数"
    assert not [f for f in result.report if "为空" in f.message]
    good_unit_scored(result)


def test_a_deleted_row_is_said_to_be_missing(tmp_path):
    result = case(tmp_path, "row_deleted")
    (pending,) = of(result, "pending")
    assert (pending.file, pending.sheet, pending.cell) == (A, "Sheet1", "")
    assert "评分表中没有这一项" in pending.message and "为空" not in pending.message
    assert "补上这一行（序号 5）" in pending.hint
    assert items(result, bad.OTHER)["5"].explanation.startswith("待核定：评分表中没有这一项")
    assert [f.message for f in of(result, "item-missing")] == ["评分表中找不到序号 5（公共服务）"]


def test_a_merged_verified_cell_names_the_cell_it_is_part_of(tmp_path):
    result = case(tmp_path, "verified_merged")
    (pending,) = of(result, "pending")
    assert (pending.file, pending.cell) == (A, "E9")
    assert pending.message == (
        "序号5（公共服务）尚未核定：核定分单元格与 E8 合并为一格，分数只记在 E8，该单位得分暂定"
    )
    assert "取消合并单元格" in pending.hint
    got = items(result, bad.OTHER)
    assert str(got["4"].verified) == "12.00"  # the merged cell's value is item 4's only
    assert got["5"].verified is None and "与 E8 合并" in got["5"].explanation


def test_a_merged_cell_in_a_word_table_too(tmp_path):
    import make_bad_docx as bad_docx

    folder = bad_docx.make_case("docx_verified_merged", tmp_path / "in")
    result = compute_folder(folder, rubric=RUBRIC)
    (pending,) = of(result, "pending")
    assert (pending.file, pending.sheet, pending.cell) == (
        bad_docx.BAD_DOCX,
        "表1",
        "第6行 › 核定分",
    )
    assert "与 第5行 › 核定分 合并为一格" in pending.message
    assert str(items(result, bad.OTHER)["4"].verified) == "12.00"


def test_a_percent_and_a_deleted_row_in_a_word_table(tmp_path):
    import make_bad_docx as bad_docx

    result = compute_folder(
        bad_docx.make_case("docx_verified_percent", tmp_path / "pct"), rubric=RUBRIC
    )
    (pending,) = of(result, "pending")
    assert (pending.file, pending.sheet, pending.cell) == (
        bad_docx.BAD_DOCX,
        "表1",
        "第5行 › 核定分",
    )
    assert pending.message == "序号4（出租房屋管理）尚未核定（核定分“90%”不是分数），该单位得分暂定"
    result = compute_folder(bad_docx.make_case("docx_row_deleted", tmp_path / "row"), rubric=RUBRIC)
    (pending,) = of(result, "pending")
    assert (pending.file, pending.sheet) == (bad_docx.BAD_DOCX, "表1")
    assert pending.message == (
        "序号5（公共服务）尚未核定：评分表中没有这一项（删掉了这一行或序号写错），该单位得分暂定"
    )
    assert not [f for f in result.report if "为空" in f.message]


def test_a_blank_verified_cell_is_still_blank(tmp_path):
    result = case(tmp_path, "blank_form")
    assert {f.message for f in of(result, "pending")} == {
        f"序号{n}尚未核定（核定分为空），该单位得分暂定"
        for n in ("4（出租房屋管理）", "5（公共服务）", "6（社会整合）")
    }


def test_the_cli_prints_what_the_cell_holds(tmp_path):
    folder = bad.make_case("verified_percent", tmp_path / "in")
    r = runner.invoke(app, ["compute", str(folder), "-r", RUBRIC, "--out", str(tmp_path / "o")])
    assert r.exit_code == 1, r.output
    assert (
        "  警告 待核定：Sheet1 › E8 › 西门街道 序号4（出租房屋管理）尚未核定（核定分“90%”不是分数），"
        "该单位得分暂定" in r.output.splitlines()
    )


# -- 4. forms that are not this year's annex ----------------------------------------------------


def test_last_years_form_is_named(tmp_path):
    result = case(tmp_path, "other_year")
    (f,) = of(result, "annex-other-year")
    assert (f.level.value, f.file, f.sheet, f.cell, f.unit) == (
        "warning",
        A,
        "Sheet1",
        "A2",
        bad.OTHER,
    )
    assert f.message == (
        "评分表标题是“2018年度镇（乡）街道流动人口服务管理项目考核评分表”，是 2018 年度的表，"
        "本次考核是 2019 年度"
    )
    assert "2019 年度的评分表" in f.hint
    assert result.unit(bad.OTHER).status == "final"  # still read, by 序号


def test_a_sheet_without_any_self_score_is_named(tmp_path):
    result = case(tmp_path, "no_self_scores")
    (f,) = of(result, "no-self-scores")
    assert (f.level.value, f.file, f.sheet, f.cell) == ("warning", A, "Sheet1", "D4")
    assert f.message == "评分表中全部 6 个项目的自评分都是空的"
    assert "填写自评分" in f.hint
    blank = of(case(tmp_path, "blank_form"), "no-self-scores")
    assert [x.message for x in blank] == [
        "评分表中全部 6 个项目的自评分和核定分都是空的，像是交回了空白的评分表"
    ]


def test_an_item_numbered_in_chinese_is_read_as_its_number(tmp_path):
    result = case(tmp_path, "chinese_numeral")
    (f,) = of(result, "item-numeral")
    assert (f.level.value, f.file, f.cell) == ("info", A, "A7")
    assert f.message == "序号写的是“三”，已按第 3 项（量化积分）读取"
    assert not of(result, "item-missing")
    assert items(result, bad.OTHER)["3"].self_score is not None


def test_section_headings_numbered_in_chinese_are_no_items(tmp_path):
    """一、二 heading rows above items numbered 1, 2, …: not items 1 and 2, and nothing said."""
    result = case(tmp_path, "chinese_headings")
    assert not of(result, "item-numeral") and not of(result, "duplicate-item")
    assert not [f for f in result.report if f.file == A]
    assert str(result.unit(bad.OTHER).items[0].self_score) == "5"


def test_the_samples_say_none_of_this(scored_sample):
    """No sample year's sheet is another year's, unscored by its unit, or numbered in Chinese."""
    codes = {"annex-other-year", "no-self-scores", "item-numeral", "output-file-skipped"}
    for name in ("haishu-2019", "haishu-2019-word", "beilun", "province-2013"):
        result = scored_sample(name)
        assert not [f for f in result.report if f.code in codes], name


@pytest.mark.parametrize(
    ("name", "line"),
    [
        (
            "other_year",
            "  警告 不是本年度的评分表：Sheet1 › A2 › 西门街道 评分表标题是"
            "“2018年度镇（乡）街道流动人口服务管理项目考核评分表”，是 2018 年度的表，本次考核是 2019 年度",
        ),
        (
            "no_self_scores",
            "  警告 没有填写自评分：Sheet1 › D4 › 西门街道 评分表中全部 6 个项目的自评分都是空的",
        ),
        (
            "chinese_numeral",
            "  提示 汉字序号已按数字读取：Sheet1 › A7 › 西门街道 序号写的是“三”，已按第 3 项（量化积分）读取",
        ),
    ],
)
def test_the_cli_names_each_form(tmp_path, name, line):
    folder = bad.make_case(name, tmp_path / "in")
    r = runner.invoke(app, ["check", str(folder), "-r", RUBRIC, "--verbose"])
    lines = r.output.splitlines()
    assert lines[lines.index(A) + 1] == line, r.output


@pytest.mark.parametrize(
    ("written", "n"),
    [("三", 3), ("（三）", 3), ("三、", 3), ("十", 10), ("十二", 12), ("二十", 20), ("九十九", 99)],
)
def test_chinese_numerals(written, n):
    from flowscore.inputs.kinds.annex_check import chinese_number

    assert chinese_number(written) == n


@pytest.mark.parametrize("written", ["三.1", "3", "十十", "百", "三四", "一二三四", ""])
def test_not_chinese_numerals(written):
    from flowscore.inputs.kinds.annex_check import chinese_number

    assert chinese_number(written) is None


def test_a_section_heading_numbered_in_chinese_is_no_item(scored_sample):
    """The provincial form numbers its items 三.1, 三.2: its row 三 is a heading, said nothing."""
    from flowscore.inputs.kinds.annex_check import numbers_sections
    from flowscore.rubric import load_rubric

    province = load_rubric("province-2013")[0]
    assert numbers_sections(province.sheets[0], "三") and numbers_sections(
        province.sheets[0], "（三）"
    )
    haishu = load_rubric("haishu-2019")[0]
    assert not numbers_sections(haishu.sheet("towns"), "三")
    assert not of(scored_sample("province-2013"), "unknown-item")
