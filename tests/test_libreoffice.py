"""A blank annex sheet made by ``flowscore.template`` is filled in a real LibreOffice Calc, saved
there as xlsx, and read back: by openpyxl (what LibreOffice wrote) and by ``compute_folder``.

The typing is done by ``tests/libreoffice_fill.py`` under Debian's ``/usr/bin/python3`` (the only
Python that can ``import uno``): it selects each cell and types the text with the same dispatch
the input line uses, so Calc parses it as it parses a person's typing. One LibreOffice run serves
every test here: the cells a clerk and the office fill (自评分, 核定分 of the assessor items, 备注,
填表人/联系电话/填报日期), then cells the sheet protection must refuse. Skipped, with the reason,
where LibreOffice or python3-uno is not installed (``.ci/run`` installs both when it can).
"""

from __future__ import annotations

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
from openpyxl.cell.cell import MergedCell

from flowscore.rubric import load_rubric
from flowscore.template import (
    ANNEX_SHEET,
    FIRST_ITEM_ROW,
    PROP_SCHEME,
    PROP_UNIT,
    SIGNOFF_LABELS,
    annex_filename,
    annex_layout,
    build_annex_workbook,
)

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"  # not the venv's, not pyenv's python3 on PATH
FILLER = Path(__file__).with_name("libreoffice_fill.py")
FILLER_TIMEOUT = 60  # the filler's own watchdog; subprocess.run gets a margin on top
UNIT = "月湖街道"
YEAR_DATA = ("指标数据.xlsx", "加减分登记.xlsx")  # the sample year's statistics and entries

# What a person types, by item number: 自评分 for every item, 核定分 for the assessor items 4–6
# (the office, into the returned sheet), a 备注, and the line below the table.
SELF = {"1": "5", "2": "35.5", "3": "28", "4": "12", "5": "4.5", "6": "5"}
VERIFIED = {"4": "13", "5": "4", "6": "4.5"}
REMARKS = {"2": "电子居住证申领已整改"}
SIGNOFF = dict(zip(SIGNOFF_LABELS, ("张晓燕", "0574-87291234", "2019-12-10"), strict=True))

CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


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


def _cells(layout) -> dict[str, str]:
    """Cell address -> text to type, from the template's own layout."""
    rows = layout.item_rows
    cells = {f"D{rows[no]}": text for no, text in SELF.items()}
    cells |= {f"E{rows[no]}": text for no, text in VERIFIED.items()}
    cells |= {f"F{rows[no]}": text for no, text in REMARKS.items()}
    for row, label in zip(layout.signoff_rows, SIGNOFF_LABELS, strict=True):
        cells[f"E{row}"] = SIGNOFF[label]
    return cells


def _locked(layout) -> list[str]:
    """Cells the protection must refuse: the computed items' 核定分, the totals, the seal line,
    an item's text, the bonus row's 核定分 and a label of the line below the table."""
    rows = layout.item_rows
    tot = layout.total_row
    return [
        *(f"E{rows[no]}" for no in ("1", "2", "3")),
        f"D{tot}",
        f"E{tot}",
        "F3",
        "A3",
        f"B{FIRST_ITEM_ROW}",
        f"E{layout.bonus_row}",
        f"A{layout.signoff_rows[0]}",
    ]


def run_filler(
    src: Path, dst: Path, cells: dict[str, str], locked: list[str] | None = None
) -> dict:
    """Fill ``src`` in LibreOffice and save as ``dst``; the filler's JSON report."""
    proc = subprocess.run(
        [
            SYSTEM_PYTHON,
            str(FILLER),
            str(src),
            str(dst),
            json.dumps(cells, ensure_ascii=False),
            "--try-locked",
            ",".join(locked or ()),
        ],
        capture_output=True,
        text=True,
        timeout=FILLER_TIMEOUT + 15,
        env=_clean_env(),
    )
    assert proc.returncode == 0, (
        f"LibreOffice 填写失败（退出码 {proc.returncode}）：\n{proc.stderr}\n{proc.stdout}"
    )
    return json.loads(proc.stdout)


def _typed_by_openpyxl(scheme, path: Path, cells: dict[str, str]) -> None:
    """The same sheet with the same cells written by openpyxl: what the LibreOffice file must
    score like."""
    wb = build_annex_workbook(scheme, UNIT)
    ws = wb.active
    for addr, text in cells.items():
        try:
            ws[addr] = float(text)
        except ValueError:
            ws[addr] = text
    wb.save(path)


def _year_folder(root: Path, name: str, sheet: Path) -> Path:
    folder = root / name
    folder.mkdir()
    shutil.copyfile(sheet, folder / sheet.name)
    for data in YEAR_DATA:
        shutil.copyfile(ROOT / "sample_data" / "haishu-2019" / data, folder / data)
    return folder


@pytest.fixture(scope="module")
def filled(libreoffice, tmp_path_factory) -> dict:
    """The blank sheet for 月湖街道, the same sheet typed into and saved by LibreOffice, and the
    same cells written by openpyxl."""
    scheme, _ = load_rubric()
    layout = annex_layout(scheme.sheet(scheme.unit(UNIT).sheet))
    name = annex_filename(scheme, UNIT)
    blank = tmp_path_factory.mktemp("blank") / name
    build_annex_workbook(scheme, UNIT).save(blank)
    out = tmp_path_factory.mktemp("submissions") / name
    cells = _cells(layout)
    started = time.monotonic()
    report = run_filler(blank, out, cells, _locked(layout))
    elapsed = time.monotonic() - started
    print(f"\nLibreOffice 填写耗时 {elapsed:.2f} 秒：{report['timings']}")
    typed = tmp_path_factory.mktemp("openpyxl") / name
    _typed_by_openpyxl(scheme, typed, cells)
    return {
        "scheme": scheme,
        "blank": blank,
        "out": out,
        "typed": typed,
        "cells": cells,
        "report": report,
        "layout": layout,
        "root": tmp_path_factory.mktemp("years"),
    }


def _num(value) -> Decimal:
    assert isinstance(value, int | float) and not isinstance(value, bool), repr(value)
    return Decimal(str(value))


def test_layout_matches_the_brief(filled):
    # The addresses typed are the contract's: 自评分 D5..D10, 核定分 of items 4–6 in E8..E10.
    assert FIRST_ITEM_ROW == 5
    scores = sorted(a for a in filled["cells"] if a[0] in "DE" and int(a[1:]) <= 10)
    assert scores == sorted([f"D{r}" for r in range(5, 11)] + ["E8", "E9", "E10"])


def test_calc_took_the_typing(filled):
    report = filled["report"]
    assert report["sheet"] == ANNEX_SHEET
    layout = filled["layout"]
    date_cell = f"E{layout.signoff_rows[-1]}"
    for addr, text in filled["cells"].items():
        got = report["cells"][addr]
        if addr[0] in "DE" and int(addr[1:]) < layout.total_row:
            assert got["type"] == "VALUE", f"{addr}：输入 {text!r}，Calc 得到 {got}"
            assert Decimal(str(got["value"])) == Decimal(text)
        elif addr == date_cell:
            assert got["type"] == "VALUE" and got["string"] == "2019年12月10日", got
        else:  # 备注, name and phone number: text as typed (the phone is no subtraction)
            assert got["type"] == "TEXT" and got["string"] == text, f"{addr}：{got}"


def test_calc_refuses_the_locked_cells(filled):
    report = filled["report"]
    assert report["protected"] is True
    locked = report["locked"]
    assert list(locked) == _locked(filled["layout"])
    # typed into: a computed item's 核定分 (the filler types into the first cell only)
    first = locked[_locked(filled["layout"])[0]]
    assert first["typed"] == "99" and first["type"] == "EMPTY", first
    # and Calc holds every other one protected, formulas and labels untouched
    blank = openpyxl.load_workbook(filled["blank"])[ANNEX_SHEET]
    for addr, got in locked.items():
        assert got["is_locked"], f"{addr} 应受保护"
        if blank[addr].value is not None:
            assert got["type"] != "EMPTY", f"{addr} 的内容丢失：{got}"
    for addr in filled["cells"]:
        assert addr not in locked


@pytest.mark.parametrize("data_only", [False, True])
def test_saved_file_holds_typed_numbers(filled, data_only):
    ws = openpyxl.load_workbook(filled["out"], data_only=data_only)[ANNEX_SHEET]
    rows = filled["layout"].item_rows
    for no, text in SELF.items():
        cell = ws[f"D{rows[no]}"]
        assert cell.data_type == "n", f"D{rows[no]} 存成了 {cell.data_type}：{cell.value!r}"
        assert _num(cell.value) == Decimal(text)
    for no, text in VERIFIED.items():
        assert _num(ws[f"E{rows[no]}"].value) == Decimal(text)
    # Nothing typed elsewhere: 核定分 of the computed items 1–3 stays blank.
    for no in ("1", "2", "3"):
        assert ws[f"E{rows[no]}"].value is None


def test_protection_survives_libreoffice_without_password(filled):
    def unlocked(ws) -> set[str]:
        return {
            c.coordinate
            for row in ws.iter_rows()
            for c in row
            if c.protection.locked is False and not isinstance(c, MergedCell)
        }

    blank = openpyxl.load_workbook(filled["blank"])[ANNEX_SHEET]
    out = openpyxl.load_workbook(filled["out"])[ANNEX_SHEET]
    assert out.protection.sheet and out.protection.password is None
    assert not out.protection.formatRows and not out.protection.formatColumns  # still allowed
    assert unlocked(out) == unlocked(blank)
    with zipfile.ZipFile(filled["out"]) as zf:
        root = ElementTree.fromstring(zf.read("xl/worksheets/sheet1.xml"))
    (prot,) = root.iter(f"{MAIN_NS}sheetProtection")
    assert not {"password", "hashValue", "saltValue", "algorithmName"} & set(prot.keys())


def test_custom_properties_survive_libreoffice(filled):
    with zipfile.ZipFile(filled["out"]) as zf:
        root = ElementTree.fromstring(zf.read("docProps/custom.xml"))
    props = {p.get("name"): "".join(p.itertext()) for p in root.iter(f"{CUSTOM_NS}property")}
    assert props.get(PROP_SCHEME) == filled["scheme"].id
    assert props.get(PROP_UNIT) == UNIT


def test_live_total_is_the_self_total_and_says_so(filled):
    layout = filled["layout"]
    total = layout.total_row
    self_sum = sum(Decimal(v) for v in SELF.values())

    # openpyxl writes formulas without cached values: any value read back is LibreOffice's.
    blank = openpyxl.load_workbook(filled["blank"], data_only=True)[ANNEX_SHEET]
    assert blank[f"D{total}"].value is None and blank["F3"].value is None

    formulas = openpyxl.load_workbook(filled["out"])[ANNEX_SHEET]
    for ref in (f"D{total}", "F3"):
        value = formulas[ref].value
        assert str(value).startswith("="), f"{ref} 的公式丢失：{value!r}"
    assert formulas[f"E{total}"].value is None  # no 核定分 total, before or after

    values = openpyxl.load_workbook(filled["out"], data_only=True)[ANNEX_SHEET]
    assert _num(values[f"D{total}"].value) == self_sum
    # What the returned sheet shows above the table: the 自评分 total, labelled as such — not a
    # 评价得分 (the office's, 86.5 or 100, never the 核定分 typed so far).
    assert values["D3"].value == "自评分合计："
    assert _num(values["F3"].value) == self_sum
    note = values.cell(row=layout.note_row, column=1).value
    assert "“自评分合计”" in note and "不是评价得分" in note


def test_data_validations_survive_libreoffice(filled):
    def rules(path: Path) -> set[tuple]:
        ws = openpyxl.load_workbook(path)[ANNEX_SHEET]
        out = set()
        for dv in ws.data_validations.dataValidation:
            op = dv.operator or "between"
            # LibreOffice writes an operator and a formula2 of 0 where none applies (≥ 0, a
            # custom formula): same rule.
            ranged = dv.type in ("decimal", "whole") and op in ("between", "notBetween")
            out.add(
                (
                    str(dv.sqref),
                    dv.type,
                    op if dv.type in ("decimal", "whole") else None,
                    dv.formula1,
                    dv.formula2 if ranged else None,
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


def _about(result, name: str) -> list[str]:
    return sorted(
        f"{f.level.value} {f.code} {f.cell}"
        for f in result.report
        if f.file and Path(f.file).name == name and f.level.value != "info"
    )


def test_compute_scores_the_libreoffice_file_as_the_typed_one(filled):
    from flowscore.compute import compute_folder

    root = filled["root"]
    calc = compute_folder(_year_folder(root, "calc", filled["out"]))
    typed = compute_folder(_year_folder(root, "openpyxl", filled["typed"]))
    unit, same = calc.unit(UNIT), typed.unit(UNIT)
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
    assert [(i.no, i.self_score, i.entered, i.verified, i.source) for i in unit.items] == [
        (i.no, i.self_score, i.entered, i.verified, i.source) for i in same.items
    ]
    assert (unit.total, unit.status, unit.bonus) == (same.total, same.status, same.bonus)
    # The 评价得分 is flowscore's: the computed items from the year's statistics (as in the
    # sample year's golden results), the 核定分 typed, the bonus registered — not the 自评分合计
    # the sheet shows, and no figure on the sheet at all.
    golden = json.loads((ROOT / "tests" / "golden" / "haishu-2019.json").read_text("utf-8"))
    year = golden["units"][UNIT]
    computed = sum(Decimal(year["items"][no][0]) for no in ("1", "2", "3"))
    typed_in = sum(Decimal(v) for v in VERIFIED.values())
    expected = computed + typed_in + Decimal(year["bonus"]) - Decimal(year["penalty"])
    assert unit.total == expected
    shown = openpyxl.load_workbook(filled["out"], data_only=True)[ANNEX_SHEET]["F3"].value
    assert _num(shown) == sum(Decimal(v) for v in SELF.values()) != unit.total
    # Whatever else the run reports (other units missing), nothing is wrong with the file
    # LibreOffice saved — its 备注 and the 填表人 line included.
    name = filled["out"].name
    assert _about(calc, name) == _about(typed, name) == []


def test_pasted_text_marks_survive_libreoffice(filled):
    def marks(path: Path) -> dict[str, list]:
        ws = openpyxl.load_workbook(path)[ANNEX_SHEET]
        return {
            str(cf.sqref): sorted(map(str, (r.formula for r in cf.rules)))
            for cf in ws.conditional_formatting
        }

    blank = marks(filled["blank"])
    assert any("ISTEXT" in " ".join(f) for f in blank.values())
    assert marks(filled["out"]) == blank


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
