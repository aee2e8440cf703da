"""A district clerk's year at the terminal (issue 14): every word Chinese, nothing cut at 80
columns, each message true and followed by the next step. Exact output where it matters."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from flowscore import __version__
from flowscore.catalog import CATALOG
from flowscore.cli import app
from flowscore.cli import console as ui

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def terminal(monkeypatch):
    """An 80-column terminal (the output is still captured)."""
    monkeypatch.setattr(ui.console, "width", 80)
    monkeypatch.setattr(ui.console, "_force_terminal", True)
    monkeypatch.setattr(ui.err_console, "width", 80)
    monkeypatch.setattr(ui.err_console, "_force_terminal", True)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("years")
    done = {}
    for name in ("haishu-2019", "province-2013", "beilun"):
        out = base / name
        r = run("compute", str(SAMPLES / name), "--out", str(out), "-q", "--no-reports")
        assert r.exit_code in (0, 1), r.output
        done[name] = out
    return done


def _widest(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.splitlines()), default=0)


# -- getting to a working command ----------------------------------------------------------------


def test_version_alone_prints_the_version():
    r = run("--version")
    assert (r.exit_code, r.output) == (0, f"flowscore {__version__}\n")


def test_a_mistyped_command_is_answered_in_chinese():
    r = run("comput")
    assert r.exit_code == 2
    assert "没有命令“comput”。是不是要用“compute”？" in r.output
    assert "No such command" not in r.output and "Did you mean" not in r.output


# -- nothing the user needs is cut ---------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        (),
        ("compute",),
        ("check",),
        ("template",),
        ("rank",),
        ("explain",),
        ("rubric",),
        ("rubric", "show"),
        ("rubric", "list"),
        ("rubric", "check"),
    ],
)
def test_help_pages_wrap_instead_of_cutting(terminal, command):
    r = run(*command, "--help")
    assert r.exit_code == 0
    assert "…" not in r.output and _widest(r.output) <= 80


def test_rank_of_the_provincial_scheme_fits_80_columns(terminal, outputs):
    r = run("rank", str(outputs["province-2013"]))
    assert r.exit_code == 0
    assert "…" not in r.output and _widest(r.output) <= 80
    lines = r.output.splitlines()
    assert "设区市  基本分 14" in lines
    assert "   1  日照市     98.00   13.7200  已定  15.00 35.00 20.00   0.00 17.00 11.00" in lines
    assert "  17  临沂市     80.00   11.2000  已定  12.00 30.00 20.00 -10.00 17.00 11.00" in lines
    assert lines[-3:] == [
        "分类：①实有人口专项组日常工作  ②流动人口服务管理工作",
        "      ③户籍制度改革和居住证制度  ④来华人员服务管理情况",
        "      ⑤实有人口专项组成员单位履职情况  ⑥实有人口专项组其他工作",
    ]


def test_rank_on_a_narrow_terminal_puts_the_sections_under_each_unit(
    terminal, outputs, monkeypatch
):
    monkeypatch.setattr(ui.console, "width", 60)
    r = run("rank", str(outputs["province-2013"]))
    lines = r.output.splitlines()
    at = lines.index("   1  日照市     98.00   13.7200  已定")
    assert lines[at + 1] == "      ①15.00  ②35.00  ③20.00  ④0.00  ⑤17.00  ⑥11.00"
    assert _widest(r.output) <= 60


def test_rank_piped_keeps_category_names_when_they_fit(outputs):
    r = run("rank", str(outputs["beilun"]))
    assert "名次  单位        评价得分  折算得分  状态  基础工作  管理工作  服务工作" in r.output


def test_explain_shows_every_explanation_whole_at_80_columns(terminal, outputs):
    r = run("explain", "龙观乡", str(outputs["haishu-2019"]))
    assert r.exit_code == 0
    assert "…" not in r.output and _widest(r.output) <= 80
    assert r.output.splitlines()[5:9] == [
        "      居住证申领率 27.30%（1447/5300），低于30%目标约2.6981个百分点，扣约2.6981",
        "      分；电子居住证申领率 7.23%（34/470），低于10%目标约2.7660个百分点，扣约",
        "      2.7660分；电子居住登记凭证申领率 26.97%（431/1598），低于30%目标约3.0288个",
        "      百分点，扣约3.0288分。得分 40 − 约8.4929 = 约31.5071，四舍五入为 31.51",
    ]


def test_explain_piped_keeps_each_explanation_on_one_line(outputs):
    r = run("explain", "龙观乡", str(outputs["haishu-2019"]))
    assert (
        "      居住证申领率 27.30%（1447/5300），低于30%目标约2.6981个百分点，扣约2.6981分；"
        "电子居住证申领率 7.23%（34/470），低于10%目标约2.7660个百分点，扣约2.7660分；"
        "电子居住登记凭证申领率 26.97%（431/1598），低于30%目标约3.0288个百分点，扣约3.0288分。"
        "得分 40 − 约8.4929 = 约31.5071，四舍五入为 31.51"
    ) in r.output.splitlines()


def test_explain_lists_the_units_own_problems_and_who_decided(outputs):
    r = run("explain", "白云街道", str(outputs["haishu-2019"]))
    assert r.output.splitlines()[-3:] == [
        "  这个单位的问题",
        "    警告 待核定：序号6（社会整合）尚未核定（核定分为空），该单位得分暂定"
        "（附件1-白云街道.xlsx 评分表 E10）",
        "      提示：考核组在核定分栏填写分数；--strict 时视为错误",
    ]
    r = run("explain", "区医保局", str(outputs["haishu-2019"]))
    assert (
        "考核组改写为 8.00 分（理由：经核查，1份医保政策发文报备材料不全，酌情扣2分）" in r.output
    )


def test_a_counted_bonus_says_counted_once(outputs):
    r = run("explain", "望春街道", str(outputs["haishu-2019"]))
    assert "加分 8.00  量化积分申评服务：积分申评“一窗通办”获区级创新项目奖；计入" in r.output
    assert "计入（计入）" not in r.output


def test_rubric_show_and_list_wrap_and_print_titles(terminal):
    for args in (("rubric", "show", "province-2013"), ("rubric", "list")):
        r = run(*args)
        assert r.exit_code == 0
        assert "…" not in r.output and _widest(r.output) <= 80
        assert ".txt" not in r.output and "seeds" not in r.output
    r = run("rubric", "show", "haishu-2019")
    assert "附件2 2019年度职能部门流动人口服务管理项目考核评分表" in r.output
    assert "dept-market" not in r.output and "towns" not in r.output


def test_long_finding_lines_hang_under_their_text(terminal):
    r = run("check", str(SAMPLES / "haishu-2019"))
    lines = r.output.splitlines()
    at = lines.index("附件1-西门街道.xlsx")
    assert lines[at + 1 : at + 4] == [
        "  警告 自评分高于分值：评分表 › D8 › 西门街道 序号4（出租房屋管理）自评分 16 高",
        "       于分值 15，且未说明理由",
        "       提示：自评分一般不高于分值标准；高于时须在备注中说明加分理由",
    ]


# -- every word a clerk reads is Chinese ---------------------------------------------------------


def test_the_terminal_names_problem_kinds_in_chinese_never_by_code():
    r = run("check", str(SAMPLES / "province-2013"))
    assert r.exit_code == 1
    for kind in CATALOG.values():
        assert f" {kind.code}" not in r.output and f"{kind.code}：" not in r.output
    assert "  错误 核定分不一致：青岛市 › G34 › 青岛市 序号 六.1 有不同的核定分" in r.output


# -- each message tells the truth and the next step ----------------------------------------------


def test_the_published_105_points_is_not_a_warning_on_every_run():
    r = run("check", str(SAMPLES / "haishu-2019"))
    assert "haishu-2019.toml" not in r.output and "105" not in r.output
    # 29 files with the register (核定登记表): rank-moved (warning); register-used ×3, repeated
    assert "检查了 29 个文件：错误 0、警告 4、提示 7" in r.output


def test_after_a_run_the_next_steps(tmp_path):
    r = run("compute", str(SAMPLES / "province-2013"), "--out", str(tmp_path / "o"), "-q")
    assert r.exit_code == 1
    assert r.output.split("下一步\n")[1].splitlines() == [
        "  · 填写待核定的 2 项核定分，再重新计算：",
        "      评分表-青岛市.xlsx G34：青岛市 序号六.1（完成部署任务）",
        "      评分表-济宁市.xlsx G7：济宁市 序号一.2（机制和职责）",
        "  · 改正 2 处错误（见上面标“错误”的行），在 2 个文件中：",
        "      实地检查评分表（市人社局）.xlsx：1 处",
        "      评分表-济宁市.xlsx：1 处",
    ]


def test_next_steps_name_the_units_to_chase(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES / "haishu-2019", folder)
    (folder / "附件1-龙观乡.xlsx").unlink()
    (folder / "附件2-区总工会.xlsx").unlink()
    r = run("check", str(folder), "-q")
    assert "  · 催报 2 个单位（未报送评分表）：龙观乡、区总工会" in r.output


def test_strict_says_which_pending_items_made_it_fail(tmp_path):
    r = run("compute", str(SAMPLES / "haishu-2019"), "--out", str(tmp_path / "o"), "--strict")
    assert r.exit_code == 1
    steps = r.output.split("下一步\n")[1].splitlines()
    assert steps[:2] == [
        "  · 填写待核定的 1 项核定分，再重新计算（--strict：有待核定项目，本次运行视为失败）：",
        "      附件1-白云街道.xlsx E10：白云街道 序号6（社会整合）",
    ]


def test_a_complete_run_says_so(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES / "haishu-2019", folder)
    book = openpyxl.load_workbook(folder / "附件1-白云街道.xlsx")
    book.worksheets[0]["E10"] = 5
    book.save(folder / "附件1-白云街道.xlsx")
    r = run("check", str(folder), "-q")
    assert r.output.endswith(
        "下一步\n  结果已完整：没有待核定的项目，名单中的单位都已报送，没有错误。\n"
    )


def test_an_empty_folder_is_an_error_and_writes_nothing(tmp_path):
    (tmp_path / "空").mkdir()
    r = run("compute", str(tmp_path / "空"), "--out", str(tmp_path / "o"))
    assert r.exit_code == 1
    assert r.output.startswith(
        f"错误：文件夹 {tmp_path / '空'} 中没有可读取的评分表或指标数据文件\n"
    )
    assert not (tmp_path / "o").exists()


def test_a_folder_without_a_score_sheet_is_an_error_and_writes_nothing(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "haishu-2019" / "指标数据.xlsx", folder)
    r = run("compute", str(folder), "--out", str(tmp_path / "o"))
    assert r.exit_code == 1
    assert "中的 1 个文件里没有任何单位的评分表，没有计算，也没有写出结果" in r.output
    assert not (tmp_path / "o").exists()


def test_tier_by_its_printed_label_and_check_quiet(outputs):
    by_label = run("rank", str(outputs["haishu-2019"]), "--tier", "A类街道")
    by_id = run("rank", str(outputs["haishu-2019"]), "--tier", "A")
    assert by_label.exit_code == 0 and by_label.output == by_id.output
    r = run("rank", str(outputs["haishu-2019"]), "--tier", "D类")
    assert r.exit_code == 2
    assert (
        "可用的类别：A（A类街道）、B（B类镇、街道）、C（C类镇、乡）、部门（区级部门）" in r.output
    )
    r = run("check", str(SAMPLES / "haishu-2019"), "-q")
    assert r.exit_code == 0 and "附件1-西门街道.xlsx" not in r.output
    assert r.output.startswith("检查了 29 个文件：错误 0、警告 4、提示 7\n")


def test_a_missing_city_rank_points_at_the_ranking_sheet(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES / "haishu-2019", folder)
    book = openpyxl.load_workbook(folder / "指标数据.xlsx")
    book["市考排名"].delete_rows(7)  # 区总工会
    book.save(folder / "指标数据.xlsx")
    r = run("check", str(folder))
    lines = r.output.splitlines()
    at = lines.index("指标数据.xlsx")
    assert lines[at + 1].startswith("  错误 缺少市考排名：市考排名 › 区总工会 序号")
    assert "“市考排名”表中没有这个单位" in lines[at + 1]
    assert lines[at + 2] == "       提示：在“市考排名”表中加一行：单位、排名、并列数"


def test_no_ranking_sheet_at_all_says_where_to_get_one(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES / "haishu-2019", folder)
    book = openpyxl.load_workbook(folder / "指标数据.xlsx")
    del book["市考排名"]
    book.save(folder / "指标数据.xlsx")
    r = run("check", str(folder))
    assert "材料中没有“市考排名”表" in r.output
    assert "用 flowscore template --indicators 生成的指标数据工作簿里有“市考排名”表" in r.output


def test_a_unit_whose_file_could_not_be_read_is_not_listed_as_missing(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES / "haishu-2019", folder)
    (folder / "附件1-龙观乡.xlsx").write_bytes(b"PK\x03\x04 not a workbook at all")
    r = run("compute", str(folder), "--out", str(tmp_path / "o"), "-q")
    assert "读取文件 29 个；单位 26 个：已定 24、暂定 1、未报送 0、文件无法读取 1" in r.output
    assert "  · 请 1 个单位重新报送（评分表无法读取）：龙观乡（附件1-龙观乡.xlsx）" in r.output
    assert "催报" not in r.output
    r = run("explain", "龙观乡", str(tmp_path / "o"))
    assert (
        "  收到的评分表（附件1-龙观乡.xlsx）无法读取，不计得分、不参加排名；请重新报送。"
        in r.output
    )
    assert "    错误 评分表无法读取：“龙观乡”报送的评分表无法读取（" in r.output
    data = json.loads((tmp_path / "o" / "results.json").read_text("utf-8"))
    unit = next(u for u in data["units"] if u["unit"] == "龙观乡")
    assert (unit["status"], unit["status_label"]) == ("rejected", "文件无法读取")
    codes = {f["code"] for f in data["findings"] if f["unit"] == "龙观乡"}
    assert "submission-unreadable" in codes and "missing-submission" not in codes


def test_outputs_name_problem_kinds_in_chinese_and_feedback_names_no_option(tmp_path):
    out = tmp_path / "out"
    r = run("compute", str(SAMPLES / "haishu-2019"), "--out", str(out), "-q", "--text")
    assert r.exit_code == 0, r.output
    codes = {kind.code for kind in CATALOG.values()}

    sheet = openpyxl.load_workbook(out / "考核汇总.xlsx", read_only=True)["问题清单"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["级别", "问题类别", "文件"]
    kinds = {row[1] for row in rows[1:]}
    assert "待核定" in kinds and "按核定登记表采用" in kinds and not kinds & codes

    report = (out / "考核报告.md").read_text(encoding="utf-8")
    assert "- 材料文件夹：" + str(SAMPLES / "haishu-2019") in report  # no sample\_data
    assert "\\_" not in report
    assert (
        "| 白云街道 | 待核定 | 序号6（社会整合）尚未核定（核定分为空），该单位得分暂定 |" in report
    )

    feedback = (out / "reports" / "西门街道.txt").read_text(encoding="utf-8")
    assert "[警告] 自评分高于分值 附件1-西门街道.xlsx › 评分表 › D8：" in feedback
    for text in (p.read_text(encoding="utf-8") for p in (out / "reports").iterdir()):
        assert not re.search(r"--[a-z]", text)  # no program option
        assert not any(f"] {code}" in text for code in codes)
        assert "核定登记表" not in text.split("五、数据问题")[1]  # the office's own register


def test_out_given_as_a_file_name_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["template", "--unit", "月湖街道", "-o", "月湖.xlsx"])
    assert r.exit_code == 2
    assert r.output == (
        "错误：--out 要的是文件夹，“月湖.xlsx”像是一个文件名\n"
        "提示：文件名由 flowscore 按单位取（如 附件1-月湖街道.xlsx），以便认出报送的单位；"
        "请给出文件夹，如 --out 月湖\n"
    )
    assert list(tmp_path.iterdir()) == []
    r = runner.invoke(app, ["compute", str(SAMPLES / "haishu-2019"), "-o", "结果.xlsx"])
    assert r.exit_code == 2 and r.output.startswith("错误：--out 要的是文件夹，“结果.xlsx”像是")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "旧.xlsx").mkdir()  # a folder that really is called so is used as it is
    assert run("template", "--unit", "月湖街道", "-o", "旧.xlsx").exit_code == 0
    assert (tmp_path / "旧.xlsx" / "附件1-月湖街道.xlsx").is_file()
