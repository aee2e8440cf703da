"""A blank annex sheet made by ``flowscore.template`` is filled in a real LibreOffice Calc, saved
there as xlsx, and read back: by openpyxl (what LibreOffice wrote) and by ``compute_folder``.

The typing is done by ``tests/libreoffice_fill.py`` under Debian's ``/usr/bin/python3`` (the only
Python that can ``import uno``): it selects each cell and types the text with the same dispatch
the input line uses, so Calc parses it as it parses a person's typing. Skipped, with the reason,
where LibreOffice or python3-uno is not installed (``.ci/run`` installs both when it can).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import subprocess
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree

from flowscore.rubric import load_rubric
from flowscore.template import (
    ANNEX_SHEET,
    FIRST_ITEM_ROW,
    PROP_SCHEME,
    PROP_UNIT,
    annex_filename,
    annex_layout,
    build_annex_workbook,
)

SYSTEM_PYTHON = "/usr/bin/python3"  # not the venv's, not pyenv's python3 on PATH
FILLER = Path(__file__).with_name("libreoffice_fill.py")
FILLER_TIMEOUT = 60  # the filler's own watchdog; subprocess.run gets a margin on top
UNIT = "月湖街道"

# What a person types, by item number: 自评分 for every item, 核定分 for the assessor items 4–6.
SELF = {"1": "5", "2": "35.5", "3": "28", "4": "12", "5": "4.5", "6": "5"}
VERIFIED = {"4": "13", "5": "4", "6": "4.5"}

CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for var in ("PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV"):
        env.pop(var, None)
    return env


def _libreoffice_missing() -> str | None:
    """Why LibreOffice can't be driven here, or None when it can."""
    if not os.path.exists(SYSTEM_PYTHON):
        return f"没有 {SYSTEM_PYTHON}"
    if not (shutil.which("soffice") or os.path.exists("/usr/lib/libreoffice/program/soffice")):
        return "找不到 soffice（apt-get install libreoffice-calc-nogui）"
    try:
        probe = subprocess.run(
            [SYSTEM_PYTHON, "-c", "import uno"],
            capture_output=True,
            timeout=30,
            env=_clean_env(),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{SYSTEM_PYTHON} 无法运行：{exc}"
    if probe.returncode != 0:
        return f"{SYSTEM_PYTHON} 无法 import uno（apt-get install python3-uno）"
    return None


@pytest.fixture(scope="module")
def libreoffice() -> None:
    reason = _libreoffice_missing()
    if reason:
        pytest.skip(f"LibreOffice 未安装：{reason}")


def _cells(scheme) -> dict[str, str]:
    """Cell address -> text to type, from the template's own layout."""
    sheet = scheme.sheet(scheme.unit(UNIT).sheet)
    rows = annex_layout(sheet).item_rows
    cells = {f"D{rows[no]}": text for no, text in SELF.items()}
    cells |= {f"E{rows[no]}": text for no, text in VERIFIED.items()}
    return cells


def run_filler(src: Path, dst: Path, cells: dict[str, str]) -> dict:
    """Fill ``src`` in LibreOffice and save as ``dst``; the filler's JSON report."""
    proc = subprocess.run(
        [SYSTEM_PYTHON, str(FILLER), str(src), str(dst), json.dumps(cells, ensure_ascii=False)],
        capture_output=True,
        text=True,
        timeout=FILLER_TIMEOUT + 15,
        env=_clean_env(),
    )
    assert proc.returncode == 0, (
        f"LibreOffice 填写失败（退出码 {proc.returncode}）：\n{proc.stderr}\n{proc.stdout}"
    )
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def filled(libreoffice, tmp_path_factory) -> dict:
    """The blank sheet for 月湖街道, and the same sheet typed into and saved by LibreOffice."""
    scheme, _ = load_rubric()
    name = annex_filename(scheme, UNIT)
    blank = tmp_path_factory.mktemp("blank") / name
    build_annex_workbook(scheme, UNIT).save(blank)
    submissions = tmp_path_factory.mktemp("submissions")
    out = submissions / name
    cells = _cells(scheme)
    started = time.monotonic()
    report = run_filler(blank, out, cells)
    elapsed = time.monotonic() - started
    print(f"\nLibreOffice 填写耗时 {elapsed:.2f} 秒：{report['timings']}")
    return {
        "scheme": scheme,
        "blank": blank,
        "out": out,
        "cells": cells,
        "report": report,
        "layout": annex_layout(scheme.sheet(scheme.unit(UNIT).sheet)),
    }


def _num(value) -> Decimal:
    assert isinstance(value, int | float) and not isinstance(value, bool), repr(value)
    return Decimal(str(value))


def test_layout_matches_the_brief(filled):
    # The addresses typed are the contract's: 自评分 D5..D10, 核定分 of items 4–6 in E8..E10.
    assert FIRST_ITEM_ROW == 5
    assert sorted(filled["cells"]) == sorted([f"D{r}" for r in range(5, 11)] + ["E8", "E9", "E10"])


def test_calc_took_the_typing_as_numbers(filled):
    report = filled["report"]
    assert report["sheet"] == ANNEX_SHEET
    for addr, text in filled["cells"].items():
        got = report["cells"][addr]
        assert got["type"] == "VALUE", f"{addr}：输入 {text!r}，Calc 得到 {got}"
        assert Decimal(str(got["value"])) == Decimal(text)


@pytest.mark.parametrize("data_only", [False, True])
def test_saved_file_holds_typed_numbers(filled, data_only):
    ws = openpyxl.load_workbook(filled["out"], data_only=data_only)[ANNEX_SHEET]
    for addr, text in filled["cells"].items():
        cell = ws[addr]
        assert cell.data_type == "n", f"{addr} 存成了 {cell.data_type}：{cell.value!r}"
        assert _num(cell.value) == Decimal(text), addr
    # Nothing typed elsewhere: 核定分 of the computed items 1–3 stays blank.
    rows = filled["layout"].item_rows
    for no in ("1", "2", "3"):
        assert ws[f"E{rows[no]}"].value is None


def test_custom_properties_survive_libreoffice(filled):
    with zipfile.ZipFile(filled["out"]) as zf:
        root = ElementTree.fromstring(zf.read("docProps/custom.xml"))
    props = {p.get("name"): "".join(p.itertext()) for p in root.iter(f"{CUSTOM_NS}property")}
    assert props.get(PROP_SCHEME) == filled["scheme"].id
    assert props.get(PROP_UNIT) == UNIT


def test_live_totals_recalculated_by_libreoffice(filled):
    layout = filled["layout"]
    total = layout.total_row
    self_sum = sum(Decimal(v) for v in SELF.values())
    verified_sum = sum(Decimal(v) for v in VERIFIED.values())

    # openpyxl writes formulas without cached values: any value read back is LibreOffice's.
    blank = openpyxl.load_workbook(filled["blank"], data_only=True)[ANNEX_SHEET]
    assert blank[f"D{total}"].value is None and blank[f"E{total}"].value is None

    formulas = openpyxl.load_workbook(filled["out"])[ANNEX_SHEET]
    for ref in (f"D{total}", f"E{total}", "F3"):
        value = formulas[ref].value
        assert str(value).startswith("="), f"{ref} 的公式丢失：{value!r}"

    values = openpyxl.load_workbook(filled["out"], data_only=True)[ANNEX_SHEET]
    assert _num(values[f"D{total}"].value) == self_sum
    assert _num(values[f"E{total}"].value) == verified_sum
    # 评价得分 shows the 核定分 total once any 核定分 is typed.
    assert _num(values["F3"].value) == verified_sum


def test_data_validations_survive_libreoffice(filled):
    def rules(path: Path) -> set[tuple]:
        ws = openpyxl.load_workbook(path)[ANNEX_SHEET]
        out = set()
        for dv in ws.data_validations.dataValidation:
            op = dv.operator or "between"
            # LibreOffice writes a formula2 of 0 for one-operand operators (≥ 0): same rule.
            second = dv.formula2 if op in ("between", "notBetween") else None
            out.add(
                (
                    str(dv.sqref),
                    dv.type,
                    op,
                    dv.formula1,
                    second,
                    dv.errorStyle,
                    bool(dv.allow_blank),
                    dv.promptTitle,
                    dv.prompt,
                    dv.errorTitle,
                    dv.error,
                )
            )
        return out

    blank = rules(filled["blank"])
    assert blank, "模板中应有数据有效性"
    assert rules(filled["out"]) == blank


def test_compute_reads_the_libreoffice_file(filled):
    # Skipped only while the module or the function is absent; a broken import still fails.
    if importlib.util.find_spec("flowscore.compute") is None:
        pytest.skip("compute 尚未实现")
    compute_folder = getattr(importlib.import_module("flowscore.compute"), "compute_folder", None)
    if compute_folder is None:
        pytest.skip("compute 尚未实现")

    result = compute_folder(filled["out"].parent)
    unit = result.unit(UNIT)
    assert unit is not None, f"没有读到 {UNIT}"
    assert unit.file.endswith(filled["out"].name)
    items = {str(it.no): it for it in unit.items}
    assert sorted(items) == sorted(SELF)
    for no, text in SELF.items():
        assert items[no].self_score == Decimal(text), f"序号{no} 自评分"
    for no in ("1", "2", "3"):
        assert items[no].entered is None, f"序号{no} 不应有核定分"
    for no, text in VERIFIED.items():
        assert items[no].entered == Decimal(text), f"序号{no} 核定分"
        assert items[no].verified == Decimal(text), f"序号{no} 核定结果"
    # Whatever else the run reports (no indicator workbook, other units missing), nothing is
    # wrong with the file LibreOffice saved.
    about_file = [
        f
        for f in result.report
        if f.file and Path(f.file).name == filled["out"].name and f.level != "info"
    ]
    assert not about_file, [f"{f.where}：{f.message}" for f in about_file]


def test_a_register_typed_in_libreoffice_is_read(libreoffice, tmp_path):
    """The assessor's register (核定登记表) typed in Calc: the unit, a 序号 typed by hand, the
    score, the reason, who and a date Calc takes as a date; its properties and its lists
    survive, and ``compute`` reads the entry with its date."""
    from flowscore.contract import PROP_KIND, REGISTER_NAME
    from flowscore.template_register import REGISTER_SHEET, build_register_workbook

    scheme, _ = load_rubric()
    blank = tmp_path / "blank.xlsx"
    build_register_workbook(scheme).save(blank)
    folder = tmp_path / "材料"
    shutil.copytree(Path(__file__).resolve().parent.parent / "sample_data" / "haishu-2019", folder)
    out = folder / REGISTER_NAME
    cells = {
        "A3": "江厦街道",
        "B3": "4",
        "C3": "13",
        "D3": "复核台账",
        "E3": "李强",
        "F3": "2019-12-18",
    }
    report = run_filler(blank, out, cells)
    assert report["cells"]["F3"]["type"] == "VALUE"  # Calc made the typed date a date
    with zipfile.ZipFile(out) as zf:
        root = ElementTree.fromstring(zf.read("docProps/custom.xml"))
    props = {p.get("name"): "".join(p.itertext()) for p in root.iter(f"{CUSTOM_NS}property")}
    assert props.get(PROP_KIND) == "register" and props.get(PROP_SCHEME) == scheme.id
    ws = openpyxl.load_workbook(out)[REGISTER_SHEET]
    assert any("OFFSET" in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)
    from flowscore.compute import compute_folder

    result = compute_folder(folder)  # the sample's own register replaced by this one
    item = next(i for i in result.unit("江厦街道").items if str(i.no) == "4")
    assert item.verified == Decimal("13.00")
    assert (item.register.who, item.register.date) == ("李强", "2019-12-18")
