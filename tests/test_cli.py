"""compute, check, rank and explain through Typer's CliRunner: exit codes and output."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowscore.cli import app

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "haishu-2019"
runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Tables as on a wide terminal, so a cell's text is not folded across lines."""
    from flowscore.cli import console as ui

    monkeypatch.setattr(ui.console, "width", 240)


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def computed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "result"
    r = run("compute", str(SAMPLE), "--out", str(out), "--quiet", "--text")
    assert r.exit_code == 0, r.output
    return out


def test_compute_writes_every_output_and_summarises(computed):
    assert (computed / "results.json").is_file()
    assert (computed / "考核汇总.xlsx").is_file()
    assert (computed / "考核结果通报（草稿）.docx").is_file()
    assert len(list((computed / "反馈单").glob("*.docx"))) == 26
    assert (computed / "考核报告.md").is_file()  # --text
    assert len(list((computed / "reports").glob("*.txt"))) == 26


def test_compute_summary_text(tmp_path):
    r = run("compute", str(SAMPLE), "--out", str(tmp_path / "o"))
    assert r.exit_code == 0
    assert "读取文件 29 个；单位 26 个：已定 25、暂定 1、未报送 0" in r.output
    # the register (核定登记表): rank-moved (warning); register-used ×3, register-repeated
    assert "问题：错误 0、警告 4、提示 7" in r.output
    assert f"结果已写入 {tmp_path / 'o'}" in r.output
    assert "自评分 16 高于分值 15" in r.output  # warnings are listed with where they are


def test_strict_fails_on_pending_items(tmp_path):
    r = run("compute", str(SAMPLE), "--out", str(tmp_path / "o"), "--strict", "--quiet")
    assert r.exit_code == 1


def test_existing_output_needs_force(computed, tmp_path):
    out = tmp_path / "o"
    assert run("compute", str(SAMPLE), "--out", str(out), "-q").exit_code == 0
    before = (out / "results.json").read_bytes()
    r = run("compute", str(SAMPLE), "--out", str(out), "-q")
    assert r.exit_code == 1 and "--force" in r.output
    assert (out / "results.json").read_bytes() == before
    assert run("compute", str(SAMPLE), "--out", str(out), "-q", "--force").exit_code == 0


def test_rerun_gives_identical_outputs(computed, tmp_path):
    out = tmp_path / "again"
    assert run("compute", str(SAMPLE), "--out", str(out), "-q", "--text").exit_code == 0
    for name in ("results.json", "考核报告.md", "考核汇总.xlsx", "考核结果通报（草稿）.docx"):
        assert (out / name).read_bytes() == (computed / name).read_bytes(), name
    for folder, suffix in (("reports", "*.txt"), ("反馈单", "*.docx")):
        for report in (computed / folder).glob(suffix):
            assert (out / folder / report.name).read_bytes() == report.read_bytes()


def test_input_folder_is_unchanged(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)

    def digest():
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*")
            if p.is_file()
        }

    before = digest()
    assert run("compute", str(folder), "--out", str(tmp_path / "o"), "-q").exit_code == 0
    assert run("check", str(folder)).exit_code == 0
    assert digest() == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in SAMPLE.iterdir())


def test_default_output_folder_is_not_read_back(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    monkeypatch.chdir(folder)
    assert run("compute", ".", "-q").exit_code == 0
    assert (folder / "flowscore-output" / "results.json").is_file()
    r = run("compute", ".", "-q", "--force")  # its own output inside the folder is skipped
    assert r.exit_code == 0
    assert "读取文件 29 个" in r.output


def test_compute_json(tmp_path):
    r = run("compute", str(SAMPLE), "--out", str(tmp_path / "o"), "--json")
    data = json.loads(r.output)
    units = {u["unit"]: u for u in data["units"]}
    assert units["南门街道"]["items"][1]["verified"] == 35.0
    assert units["白云街道"]["status"] == "provisional"
    assert {
        "unit",
        "tier",
        "base",
        "status",
        "total",
        "contribution",
        "rank",
        "bonus",
        "penalty",
        "items",
        "file",
    } <= set(units["月湖街道"])
    assert {"no", "max", "self_score", "verified", "source", "explanation"} <= set(
        units["月湖街道"]["items"][0]
    )


def test_compute_missing_folder_is_a_usage_error(tmp_path):
    r = run("compute", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert r.exit_code == 2
    assert "找不到文件夹" in r.output


def test_compute_on_a_file_says_it_wants_the_folder(tmp_path):
    sheet = tmp_path / "月湖街道.xlsx"
    shutil.copy(next(SAMPLE.glob("*.xlsx")), sheet)
    r = run("compute", str(sheet), "--out", str(tmp_path / "o"))
    assert r.exit_code == 2
    assert f"{sheet} 是一个文件，不是文件夹" in r.output
    assert f"例如 {tmp_path}" in r.output


def test_compute_without_folder_argument():
    r = runner.invoke(app, ["compute"])
    assert r.exit_code == 2
    assert "缺少参数 文件夹" in r.output


def test_explain_a_folder_without_a_unit_asks_for_the_unit(computed):
    r = runner.invoke(app, ["explain", str(computed)])
    assert r.exit_code == 2
    assert "请给出单位名称" in r.output and "flowscore explain 龙观乡" in r.output


def test_rank_table(computed):
    r = run("rank", str(computed / "results.json"))
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0] == "2019年度海曙区流动人口服务管理项目目标管理考核"
    assert "A类街道（A）  基本分 0.7" in lines
    row = next(line for line in lines if "南门街道" in line)
    assert row == "   3  南门街道     91.50    0.6405  已定"
    assert any("白云街道" in line and "暂定" in line for line in lines)


def test_rank_one_tier_and_json(computed):
    r = run("rank", str(computed), "--tier", "C", "--json")
    rows = json.loads(r.output)
    assert [row["unit"] for row in rows] == ["鄞江镇", "章水镇", "横街镇", "龙观乡"]
    assert [row["rank"] for row in rows] == [1, 2, 3, 4]
    assert {row["tier"] for row in rows} == {"C"}


def test_rank_unknown_tier(computed):
    r = run("rank", str(computed), "--tier", "D")
    assert r.exit_code == 2 and "没有类别“D”" in r.output


def test_rank_from_submissions_folder_scores_in_memory(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    r = run("rank", str(folder), "--tier", "部门")
    assert r.exit_code == 0 and "区总工会" in r.output
    assert not (folder / "flowscore-output").exists()


def test_rank_missing_results_file(tmp_path):
    r = run("rank", str(tmp_path / "results.json"))
    assert r.exit_code == 2 and "找不到结果文件" in r.output


def test_explain_unit(computed):
    r = run("explain", "--unit", "南门街道", str(computed))
    assert r.exit_code == 0
    assert "居住证申领率 27.50%" in r.output
    assert "折算得分 = 0.7 × 91.50 / 100 = 0.6405" in r.output


def test_explain_unknown_unit(computed):
    r = run("explain", "--unit", "南门街", str(computed))
    assert r.exit_code == 2 and "南门街道" in r.output


def test_check_lists_findings_by_file(tmp_path):
    r = run("check", str(SAMPLE))
    assert r.exit_code == 0
    assert "附件1-西门街道.xlsx" in r.output
    assert "检查了 29 个文件：错误 0、警告 4、提示 7" in r.output


def test_check_exits_1_on_errors(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    (folder / "附件1-龙观乡.xlsx").unlink()
    r = run("check", str(folder))
    assert r.exit_code == 1
    assert "“龙观乡”没有提交评分表（未报送）" in r.output


def test_help_is_chinese():
    r = run("--help")
    assert "用法：" in r.output and "命令" in r.output and "显示本帮助并退出" in r.output
    assert "Show this message" not in r.output


@pytest.mark.parametrize(
    "command",
    [
        ("compute",),
        ("check",),
        ("rank",),
        ("explain",),
        ("template",),
        ("rubric", "list"),
        ("rubric", "show"),
        ("rubric", "check"),
    ],
)
def test_every_help_page_has_chinese_type_labels(command):
    import re

    r = run(*command, "--help")
    assert r.exit_code == 0, r.output
    # Typer's own labels (<bool>, <path>, <int range>, x>=0) are translated or dropped
    assert not re.search(r"<[a-z ]+>|x[<>]=|\[required\]|\[default", r.output), r.output
    assert "用法：" in r.output


def test_no_reports_says_what_was_written(tmp_path):
    out = tmp_path / "out"
    r = run("compute", str(SAMPLE), "--out", str(out), "--quiet", "--no-reports")
    assert r.exit_code == 0, r.output
    assert f"结果已写入 {out}（考核汇总.xlsx、results.json、考核结果通报（草稿）.docx）" in r.output
    assert not (out / "反馈单").exists()
    r = run("compute", str(SAMPLE), "--out", str(out), "--quiet", "--force")
    assert (
        f"结果已写入 {out}（考核汇总.xlsx、results.json、考核结果通报（草稿）.docx、反馈单/）"
        in r.output
    )
    r = run("compute", str(SAMPLE), "--out", str(out), "--quiet", "--force", "--text")
    assert (
        f"结果已写入 {out}（考核汇总.xlsx、results.json、考核结果通报（草稿）.docx、反馈单/、"
        "考核报告.md、reports/）" in r.output
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["compute", "a", "b"], "多余的参数：b"),
        (["--bogus"], "没有选项 --bogus"),
        (["frobnicate"], "没有命令“frobnicate”"),
        (["compute", "a", "--jobs"], "选项 --jobs 需要一个值"),
        (["compute", "a", "--jobs", "x"], "'--jobs' / '-j' 的取值无效：应为整数"),
    ],
)
def test_usage_errors_are_chinese(args, says):
    import re

    r = runner.invoke(app, args)
    assert r.exit_code == 2
    assert says in r.output
    # nothing left in English but option names and the words the user typed
    words = set(re.findall(r"[A-Za-z]{3,}", r.output)) - {"flowscore", "compute", "jobs", "bogus"}
    assert words <= {"frobnicate"}, words
