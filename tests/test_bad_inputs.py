"""Issue #4: bad input never crashes flowscore and never costs data.

Every case of the corpus (``scripts/make_bad_inputs.py``) is a folder holding the good part of a
batch (月湖街道, which scores exactly 93.25, and the indicator workbook) and the bad file(s).
Each test asserts the exact finding — code, level, file, sheet and cell where there is one, the
Chinese message — and that 月湖街道 is still scored correctly beside it. Then the outputs: text
that Excel would run as a formula stays text, the input folder never changes, an interrupted
run leaves the old outputs whole, an existing output folder needs --force.
"""

from __future__ import annotations

import hashlib
import resource
import sys
import time
import zipfile
from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowscore.cli import app
from flowscore.compute import compute_folder
from flowscore.findings import Level
from flowscore.inputs.safety import MB, Limits

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import make_bad_inputs as bad  # noqa: E402

RUBRIC = "haishu-2019"


# Dev extras the makers use; without one, its cases are skipped with the reason.
NEEDS = {
    "encrypted": "msoffcrypto",
    "legacy_xls": "xlwt",
    "wps_et": "xlwt",
    "xls_named_xlsx": "xlwt",
    "xls_sheet_bomb": "xlwt",
    "ods": "odf",
}


def make(name: str, folder: Path) -> Path:
    if name in NEEDS:
        pytest.importorskip(NEEDS[name], reason=f"{NEEDS[name]}（开发依赖）未安装，无法生成该样例")
    return bad.make_case(name, folder)


def run_case(tmp_path: Path, name: str, **kw):
    folder = make(name, tmp_path / name)
    return compute_folder(folder, rubric=RUBRIC, **kw)


def assert_good_unit_scored(result) -> None:
    u = result.unit(bad.GOOD_UNIT)
    assert u.total == D(bad.GOOD_TOTAL) and u.status == "final", (u.total, u.status)
    assert not [f for f in result.report if f.file == bad.GOOD_FILE and f.level is Level.ERROR]


def only(result, code: str):
    found = [f for f in result.report if f.code == code]
    assert len(found) == 1, [(f.code, f.file, f.message) for f in result.report]
    return found[0]


def check(f, *, level: str, file: str, sheet: str = "", cell: str = "", says: tuple[str, ...]):
    assert f.level.value == level
    assert f.file == file
    assert f.sheet == sheet
    assert f.cell == cell
    for words in says:
        assert words in f.message, f.message
    assert f.hint, "every finding says what to do"


# ----------------------------------------------------------------------------------------------
# One test per bad input: (case, code, level, file, sheet, cell, words of the message)

A = bad.BAD_ANNEX
REFUSED = [
    (
        "not_spreadsheet",
        "file-not-spreadsheet",
        "error",
        A,
        "",
        "",
        ("扩展名是 .xlsx", "不是电子表格", "纯文本"),
    ),
    ("truncated_zip", "file-unreadable", "error", A, "", "", ("文件已损坏", "没有完整下载")),
    ("corrupt_zip", "file-unreadable", "error", A, "", "", ("文件已损坏",)),
    ("encrypted", "file-encrypted", "error", A, "", "", ("设有打开密码",)),
    ("empty_file", "file-empty", "error", A, "", "", ("文件是空的",)),
    ("empty_workbook", "empty-workbook", "error", A, "", "", ("工作簿是空的",)),
    ("no_header", "unrecognised-file", "warning", A, "", "", ("没有识别出", "文件已忽略")),
    (
        "wps_et_garbage",
        "file-not-spreadsheet",
        "error",
        "附件1-西门街道.et",
        "",
        "",
        ("扩展名是 .et", "不是电子表格"),
    ),
    (
        "html_named_xls",
        "unsupported-format",
        "error",
        "西门街道导出.xls",
        "",
        "",
        ("网页（HTML）格式的表格",),
    ),
    (
        "csv_file",
        "unsupported-format",
        "error",
        "指标补充.csv",
        "",
        "",
        ("CSV", "不读取这种格式", "数据未采用"),
    ),
    ("xlsb_file", "unsupported-format", "error", "附件1-西门街道.xlsb", "", "", (".xlsb",)),
    ("numbers_file", "unsupported-format", "error", "附件1-西门街道.numbers", "", "", ("Numbers",)),
    ("lock_file", "lock-file", "info", "~$附件1-月湖街道.xlsx", "", "", ("锁文件", "已跳过")),
    ("unknown_item", "unknown-item", "error", A, "Sheet1", "A11", ("序号 7 不在",)),
    ("duplicate_item", "duplicate-item", "error", A, "Sheet1", "A9", ("序号 4 出现了两次",)),
    (
        "unknown_unit",
        "unknown-unit",
        "error",
        "附件1-西门.xlsx",
        "Sheet1",
        "A3",
        ("西门镇街道办", "不在考核名单中"),
    ),
    (
        "score_out_of_range",
        "score-out-of-range",
        "error",
        A,
        "Sheet1",
        "E8",
        ("核定分 16 超出范围 0～15",),
    ),
    ("score_negative", "bad-score", "error", A, "Sheet1", "E8", ("-3 为负数",)),
    ("score_not_numeric", "bad-score", "error", A, "Sheet1", "E8", ("“良好”不是数字",)),
    ("score_with_unit", "bad-score", "error", A, "Sheet1", "E8", ("“35分”不是数字",)),
    (
        "lol_in_sheet",
        "file-unsafe",
        "error",
        A,
        "",
        "",
        ("xl/worksheets/sheet1.xml", "DTD/实体声明", "拒绝读取"),
    ),
    (
        "lol_in_shared_strings",
        "file-unsafe",
        "error",
        A,
        "",
        "",
        ("xl/sharedStrings.xml", "DTD/实体声明"),
    ),
    ("xxe_in_sheet", "file-unsafe", "error", A, "", "", ("xl/worksheets/sheet1.xml", "外部实体")),
    ("xxe_in_custom_props", "file-unsafe", "error", A, "", "", ("docProps/custom.xml",)),
    (
        "far_cell",
        "sheet-too-large",
        "error",
        A,
        "备用",
        "",
        ("1,048,576 行", "超过上限 200,000 行"),
    ),
    (
        "ods_repeat_bomb",
        "sheet-too-large",
        "error",
        "指标补充.ods",
        "指标",
        "",
        ("1,000,000 行", "整个文件未读取"),
    ),
    (
        "xls_sheet_bomb",
        "sheet-too-large",
        "error",
        "指标补充.xls",
        "表1",
        "",
        ("65,536 行 × 256 列", "整个文件未读取"),
    ),
]


@pytest.mark.parametrize(
    ("case", "code", "level", "file", "sheet", "cell", "says"), REFUSED, ids=[c[0] for c in REFUSED]
)
def test_bad_input_is_a_finding(tmp_path, case, code, level, file, sheet, cell, says):
    result = run_case(tmp_path, case)
    check(only(result, code), level=level, file=file, sheet=sheet, cell=cell, says=says)
    assert_good_unit_scored(result)


@pytest.mark.parametrize("spelling", sorted(bad.FAR_SPELLINGS))
def test_far_cell_in_any_spelling_is_refused_not_allocated(tmp_path, spelling):
    bad.make_good(tmp_path / "in")
    path = bad.far_cell_spelled(tmp_path / "in", spelling)
    result = compute_folder(tmp_path / "in", rubric=RUBRIC)
    check(
        only(result, "sheet-too-large"),
        level="error",
        file=path.name,
        sheet="Sheet1",
        says=("超过上限",),
    )
    assert_good_unit_scored(result)


def test_two_files_for_one_unit(tmp_path):
    result = run_case(tmp_path, "two_files_one_unit")
    f = only(result, "duplicate-unit")
    check(
        f,
        level="error",
        file="附件1-西门街道（修改后）.xlsx",
        sheet="Sheet1",
        says=("附件1-西门街道.xlsx", "附件1-西门街道（修改后）.xlsx", "暂不计分"),
    )
    assert result.unit(bad.OTHER).status == "provisional"
    assert_good_unit_scored(result)


def test_formula_error_values_in_score_and_indicator_cells(tmp_path):
    """calamine reads an error cell as empty; flowscore puts the error text back, so the cell
    is reported as what it is, not as a blank."""
    result = run_case(tmp_path, "formula_errors")
    check(
        only(result, "bad-score"),
        level="error",
        file=bad.BAD_ANNEX,
        sheet="Sheet1",
        cell="E8",
        says=("公式错误值 #DIV/0!",),
    )
    check(
        only(result, "bad-indicator"),
        level="error",
        file=bad.INDICATORS,
        sheet="指标",
        cell="K3",
        says=("持证数", "公式错误值 #REF!"),
    )
    other = result.unit(bad.OTHER)
    assert other.status == "provisional"  # item 4 and item 3 pending, never a guessed value
    assert_good_unit_scored(result)


def test_other_documents_are_noted(tmp_path):
    result = run_case(tmp_path, "other_documents")
    notes = sorted((f.file, f.level.value) for f in result.report if f.code == "not-spreadsheet")
    assert notes == [("西门街道盖章页.pdf", "info")]
    report = only(result, "no-score-table")  # a Word report is read, and found to hold no annex
    check(
        report, level="info", file="西门街道2019年度工作总结.docx", says=("没有评分表", "没有表格")
    )
    assert_good_unit_scored(result)


def test_long_cells_are_clipped_in_messages(tmp_path):
    result = run_case(tmp_path, "long_cells")
    unit = only(result, "unknown-unit")
    check(
        unit,
        level="error",
        file=bad.INDICATORS,
        sheet="指标",
        cell="A4",
        says=("不在考核名单中", "…（共 32,767 字）"),
    )
    assert len(unit.message) < 200 and len(unit.unit) < 100
    score = only(result, "bad-score")
    check(score, level="error", file=bad.BAD_ANNEX, sheet="Sheet1", cell="D8", says=("不是数字",))
    assert len(score.message) < 100
    assert_good_unit_scored(result)


# ----------------------------------------------------------------------------------------------
# Formats read by content: .xls, .ods, .et, a renamed file; a header far down

OTHER_TOTAL = D(85)  # 0 (3 unreported) + 35 + 29 (rank 2: 10 + 19) + 12 + 4 + 5


@pytest.mark.parametrize("case", ["legacy_xls", "ods", "wps_et", "xls_named_xlsx", "header_row_30"])
def test_readable_formats_are_scored(tmp_path, case):
    result = run_case(tmp_path, case)
    other = result.unit(bad.OTHER)
    assert other.total == OTHER_TOTAL and other.status == "final"
    errors = [
        f
        for f in result.report
        if f.level is Level.ERROR and f.unit in ("", bad.OTHER) and f.code != "missing-submission"
    ]
    assert errors == []
    if case == "xls_named_xlsx":
        check(
            only(result, "format-mismatch"),
            level="info",
            file=bad.BAD_ANNEX,
            says=("扩展名是 .xlsx", "实际是 .xls 格式", "已按实际格式读取"),
        )
    assert_good_unit_scored(result)


# ----------------------------------------------------------------------------------------------
# Size: zip bombs refused before expansion, 100,000 rows, the limits as options


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("zip_bomb", ("压缩比异常", "300 MB", "未解压即拒绝")),
        ("zip_bomb_lying", ("解压后超过声明的大小", "已停止解压")),
    ],
)
def test_zip_bomb_refused_before_expansion(tmp_path, case, says):
    folder = make(case, tmp_path / case)
    before = _peak_mb()
    start = time.perf_counter()
    result = compute_folder(folder, rubric=RUBRIC)
    elapsed = time.perf_counter() - start
    check(only(result, "file-unsafe"), level="error", file=bad.BAD_ANNEX, says=says)
    assert elapsed < 5
    assert _peak_mb() - before < 100  # 300 MB never materialised
    assert_good_unit_scored(result)


def test_100000_rows_in_one_sheet(tmp_path):
    folder = make("rows_100k", tmp_path / "rows_100k")
    start = time.perf_counter()
    result = compute_folder(folder, rubric=RUBRIC)
    assert time.perf_counter() - start < 30
    check(
        only(result, "unrecognised-file"),
        level="warning",
        file="西门街道登记明细.xlsx",
        says=("没有识别出",),
    )
    assert_good_unit_scored(result)
    # Under --max-rows 50000 the same sheet is refused, naming it.
    limited = compute_folder(folder, rubric=RUBRIC, limits=Limits(max_rows=50_000))
    check(
        only(limited, "sheet-too-large"),
        level="error",
        file="西门街道登记明细.xlsx",
        sheet="Sheet1",
        says=("100,000 行", "超过上限 50,000 行"),
    )
    assert_good_unit_scored(limited)
    # Under --max-size 1 the file itself is refused (it is 2 MB).
    small = compute_folder(folder, rubric=RUBRIC, limits=Limits(max_size=1 * MB))
    check(
        only(small, "file-too-large"),
        level="error",
        file="西门街道登记明细.xlsx",
        says=("超过上限 1 MB",),
    )
    assert_good_unit_scored(small)


def test_cli_limits_options(tmp_path):
    folder = make("far_cell", tmp_path / "case")
    r = CliRunner().invoke(
        app,
        ["check", str(folder), "--json", "--max-rows", "100", "--max-size", "1", "-r", RUBRIC],
        catch_exceptions=False,
    )
    assert r.exit_code == 1
    assert "sheet-too-large" in r.output and "超过上限 100 行" in r.output  # --json: codes


# ----------------------------------------------------------------------------------------------
# The whole corpus in one folder: no exception, inputs untouched, a finding per bad file


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_whole_corpus_never_crashes_and_inputs_never_change(tmp_path):
    root = tmp_path / "corpus"
    for module in set(NEEDS.values()):
        pytest.importorskip(module, reason=f"{module}（开发依赖）未安装")
    names = bad.make_all(root, large=True)
    assert len(names) == len(bad.CASES)
    before = _digest(root)
    out = tmp_path / "out"
    r = CliRunner().invoke(
        app, ["compute", str(root), "--out", str(out), "-r", RUBRIC, "-q"], catch_exceptions=False
    )
    assert r.exit_code == 1, r.output  # errors found, outputs written, no traceback
    assert "Traceback" not in r.output
    assert (out / "考核汇总.xlsx").is_file()
    assert _digest(root) == before
    # The same run again, in memory: every file is read or named by a finding, none ignored.
    result = compute_folder(root, rubric=RUBRIC)
    accounted = {i.path for i in result.inputs} | {f.file for f in result.report}
    assert set(before) <= accounted


# ----------------------------------------------------------------------------------------------
# Outputs


FORMULAS = [
    '=HYPERLINK("http://example.invalid","点击")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
]


def test_formula_like_text_is_written_as_text(tmp_path):
    from builders import indicator_book, published_annex, town_rows

    from flowscore.writers import write_outputs

    folder = tmp_path / "in"
    folder.mkdir()
    published_annex(
        folder / "a.xlsx",
        unit=bad.GOOD_UNIT,
        rows=town_rows(
            verified=(None, None, None, 13.25, 5, 5), remarks=("", "", "", "=1+1", "", "")
        ),
    )
    entries = [(bad.GOOD_UNIT, "加分", f"专题{i}", 5, text) for i, text in enumerate(FORMULAS)]
    entries.append(("=1+2", "加分", "@专题", 5, "-说明"))  # a unit not on the roster
    book = indicator_book(folder / "i.xlsx", bad.indicator_rows(), entries=entries)
    import openpyxl

    wb = openpyxl.load_workbook(book)  # typed text, as Excel stores '=1+2: not formulas
    for row in wb["加减分"].iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.value, cell.data_type = str(cell.value), "s"
    wb.save(book)
    result = compute_folder(folder, rubric=RUBRIC)
    assert any(f.code == "unknown-unit" and f.unit == "=1+2" for f in result.report)
    out = tmp_path / "out"
    write_outputs(result, out_dir=out, force=False)
    with zipfile.ZipFile(out / "考核汇总.xlsx") as zf:
        sheets = {
            n: zf.read(n).decode("utf-8")
            for n in zf.namelist()
            if n.startswith("xl/worksheets/sheet")
        }
    assert sheets and not any("<f>" in x or "<f " in x for x in sheets.values())
    wb = openpyxl.load_workbook(out / "考核汇总.xlsx")
    notes = [row[4] for row in wb["加减分"].iter_rows(min_row=2, values_only=True)]
    for text in FORMULAS:
        assert text in notes
    problems = [c for row in wb["问题清单"].iter_rows(values_only=True) for c in row]
    assert "=1+2" in problems  # the unknown unit's name, in the unit column, as text


def test_interrupted_run_leaves_old_outputs_whole(tmp_path, monkeypatch):
    from flowscore.writers import summary_xlsx, write_outputs

    folder = make("score_with_unit", tmp_path / "in")
    out = tmp_path / "results"
    result = compute_folder(folder, rubric=RUBRIC)
    write_outputs(result, out_dir=out, force=False)
    before = _digest(out)

    real = summary_xlsx.write_summary

    def broken(res, path, **kw):
        real(res, path)  # the file is written, then the run dies
        raise KeyboardInterrupt

    monkeypatch.setattr(summary_xlsx, "write_summary", broken)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(result, out_dir=out, force=True)
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "results"]  # no temp folder left


def test_existing_output_folder_needs_force(tmp_path):
    folder = make("score_negative", tmp_path / "in")
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(app, ["compute", str(folder), "--out", str(out), "-r", RUBRIC, "-q"])
    assert first.exit_code == 1 and (out / "results.json").is_file()  # errors found, written
    before = _digest(out)
    again = runner.invoke(app, ["compute", str(folder), "--out", str(out), "-r", RUBRIC, "-q"])
    assert again.exit_code == 1
    assert "已存在且不为空" in again.output and "--force" in again.output
    assert _digest(out) == before
    forced = runner.invoke(
        app, ["compute", str(folder), "--out", str(out), "-r", RUBRIC, "-q", "--force"]
    )
    assert forced.exit_code == 1 and (out / "results.json").is_file()
