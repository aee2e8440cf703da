"""The committed sample year is what ``scripts/make_sample_data.py`` makes: regenerate it into a
temporary folder and compare every cell value (not bytes) with the committed files."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "haishu-2019"
SCRIPT = ROOT / "scripts" / "make_sample_data.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("make_sample_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the script is being executed
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "haishu-2019"
    _load_script().generate(out)
    return out


def _values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets
    }


def test_same_files(regenerated):
    assert sorted(p.name for p in regenerated.iterdir()) == sorted(p.name for p in SAMPLE.iterdir())


def test_same_cell_values(regenerated):
    for committed in sorted(SAMPLE.glob("*.xlsx")):
        assert _values(regenerated / committed.name) == _values(committed), committed.name


def test_same_readme(regenerated):
    assert (regenerated / "README.md").read_text(encoding="utf-8") == (
        SAMPLE / "README.md"
    ).read_text(encoding="utf-8")


def test_sample_covers_every_unit():
    names = [p.name for p in SAMPLE.glob("*.xlsx")]
    assert len(names) == 29  # 26 units, 指标数据, 加减分登记, 核定登记表
    assert "指标数据.xlsx" in names and "加减分登记.xlsx" in names and "核定登记表.xlsx" in names


def test_worked_example_and_deliberate_problems():
    ind = openpyxl.load_workbook(SAMPLE / "指标数据.xlsx")["指标"]
    header = [c.value for c in ind[2]]
    rows = {
        r[0]: dict(zip(header, r, strict=True)) for r in ind.iter_rows(min_row=3, values_only=True)
    }
    nanmen = rows["南门街道"]
    assert [
        nanmen[k]
        for k in (
            "居住半年以上流动人口数",
            "居住证申领数",
            "本年度居住证新申领数",
            "电子居住证申领数",
            "本年度新登记流动人口数",
            "电子居住登记凭证申领数",
        )
    ] == [10000, 2750, 800, 60, 3000, 1200]
    assert rows["横街镇"]["未报备发文数"] == 3
    assert rows["古林镇"]["居住半年以上流动人口数"] == "41,260"
    assert not str(rows["鼓楼街道"]["电子居住证申领数"]).isascii()
    assert rows["区教育局"]["未报送统计数据次数"] == 1
    ranking = openpyxl.load_workbook(SAMPLE / "指标数据.xlsx")["市考排名"]
    assert ("区教育局", 2, 2) in list(ranking.iter_rows(min_row=3, values_only=True))
    ws = openpyxl.load_workbook(SAMPLE / "附件1-西门街道.xlsx")["评分表"]
    assert (ws["A8"].value, ws["D8"].value, ws["F8"].value) == (4, 16, None)
    ws = openpyxl.load_workbook(SAMPLE / "附件1-白云街道.xlsx")["评分表"]
    assert ws["A10"].value == 6 and ws["E10"].value is None
