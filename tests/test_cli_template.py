"""``flowscore template`` through the command line, as a user runs it."""

from __future__ import annotations

import openpyxl
from typer.testing import CliRunner

from flowscore.cli import app

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["template", *args])


def _flat(text: str) -> str:
    """Output without the line breaks rich adds at the terminal width."""
    return "".join(text.split())


def test_one_unit(tmp_path):
    result = _run("--unit", "月湖街道", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    path = tmp_path / "附件1-月湖街道.xlsx"
    assert path.is_file()
    assert "附件1-月湖街道.xlsx" in _flat(result.output)
    ws = openpyxl.load_workbook(path)["评分表"]
    assert ws["A3"].value == "镇（乡）街道(盖章)：月湖街道"


def test_what_a_killed_run_left_is_removed_once_stale(tmp_path):
    """A run killed outright while writing a template leaves its temporary file; the next run
    writing that template removes it once it is an hour old, and nothing else."""
    import os
    import time

    from flowscore import atomic

    stale = tmp_path / ".附件1-月湖街道.xlsx.k1lled_0.tmp"
    fresh = tmp_path / ".附件1-月湖街道.xlsx.writing1.tmp"  # perhaps being written right now
    others = [tmp_path / ".附件1-南门街道.xlsx.k1lled_0.tmp", tmp_path / ".mine.k1lled_0.tmp"]
    hour_ago = time.time() - atomic.STALE_AFTER - 60
    for p in (stale, fresh, *others):
        p.write_bytes(b"half a workbook")
        if p is not fresh:
            os.utime(p, (hour_ago, hour_ago))
    assert _run("--unit", "月湖街道", "--out", str(tmp_path)).exit_code == 0
    assert not stale.exists() and fresh.exists() and all(p.exists() for p in others)


def test_repeated_unit_and_alias(tmp_path):
    result = _run("-u", "月湖街道", "-u", "海曙区教育局", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "附件1-月湖街道.xlsx",
        "附件2-区教育局.xlsx",
    ]


def test_all_units(tmp_path):
    result = _run("--all", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 26
    assert sum(n.startswith("附件1-") for n in names) == 17
    assert sum(n.startswith("附件2-") for n in names) == 9


def test_indicators(tmp_path):
    out = tmp_path / "sub"
    result = _run("--indicators", "--out", str(out))
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out / "指标数据.xlsx")
    assert wb.sheetnames == ["指标", "加减分", "市考排名"]


def test_unknown_unit_exit_2_with_suggestion(tmp_path):
    result = _run("--unit", "月胡街道", "--out", str(tmp_path))
    assert result.exit_code == 2
    flat = _flat(result.output)
    assert "月胡街道" in flat and "月湖街道" in flat
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_existing_file_refused_then_forced(tmp_path):
    target = tmp_path / "附件2-区教育局.xlsx"
    target.write_bytes(b"filled in by hand")
    result = _run("--unit", "区教育局", "--unit", "月湖街道", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "附件2-区教育局.xlsx" in _flat(result.output)
    assert "--force" in result.output
    assert target.read_bytes() == b"filled in by hand"
    assert not (tmp_path / "附件1-月湖街道.xlsx").exists()
    result = _run("--unit", "区教育局", "--out", str(tmp_path), "--force")
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(target)["评分表"]["A3"].value == "部门(盖章)：区教育局"


def test_no_option_is_usage_error(tmp_path):
    result = _run("--out", str(tmp_path))
    assert result.exit_code == 2
    assert "--unit" in result.output


def test_says_the_sheets_are_protected_and_how_to_lift_it(tmp_path):
    result = _run("--unit", "月湖街道", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        "  评分表设有工作表保护（不设密码），只有要填的格子可以输入，灰色格子不必填写。"
        "区流管办改写计算项的核定分，登记在核定登记表中即可；确需在表上改写时，"
        "在 Excel、WPS 中点“审阅 › 撤销工作表保护”，在 LibreOffice 中点“工具 › 保护工作表”。"
    ]
    ws = openpyxl.load_workbook(tmp_path / "附件1-月湖街道.xlsx")["评分表"]
    assert ws.protection.sheet and ws.protection.password is None
    # a Word template has no protection, and the indicator workbook is no score sheet
    for args in (("--unit", "月湖街道", "--format", "docx"), ("--indicators",)):
        result = _run(*args, "--out", str(tmp_path / args[-1]))
        assert result.exit_code == 0, result.output
        assert "工作表保护" not in result.output


def test_protection_note_names_the_schemes_office(tmp_path):
    result = _run("-r", "province-2013", "--unit", "济南市", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "专项组办公室改写计算项的核定分，登记在核定登记表中即可" in _flat(result.output)
