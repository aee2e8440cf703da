"""综治委实有人口专项组 (rubric ``province-2013``, seed 002, DOMAIN.md §4): the rubric against its
source, the staffing ratio and the other rules by hand, the deduction-only section, the 14-point
share, merging member departments' inspection sheets (conflict, non-owner, allowed scores), the
``--assessor`` template, and the sample year."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from builders import filled_template, template_indicators
from typer.testing import CliRunner

from flowscore.cli import app
from flowscore.compute import compute_folder
from flowscore.rubric import load_rubric
from flowscore.rubric.load import RUBRIC_DIR
from flowscore.scoring import unit_values
from flowscore.scoring.parts import compute_item
from flowscore.template import annex_layout, build_annex_workbook

ROOT = Path(__file__).resolve().parent.parent
SEED = Path("/work/shared/seeds/002_685b0bd52d026fde.txt")
SAMPLE = ROOT / "sample_data" / "province-2013"
GOLDEN = ROOT / "tests" / "golden" / "province-2013.json"
SCHEME, WARNINGS = load_rubric("province-2013")
SHEET = SCHEME.sheet("cities")
CITIES = [
    "济南市",
    "青岛市",
    "淄博市",
    "枣庄市",
    "东营市",
    "烟台市",
    "潍坊市",
    "济宁市",
    "泰安市",
    "威海市",
    "日照市",
    "莱芜市",
    "临沂市",
    "德州市",
    "聊城市",
    "滨州市",
    "菏泽市",
]
NUMBERS = [
    "一.1",
    "一.2",
    "一.3",
    "二.1",
    "二.2",
    "二.3",
    "二.4",
    "二.5",
    "二.6",
    "二.7",
    "三.1",
    "三.2",
    "三.3",
    "三.4",
    "三.5",
    "四.1",
    "四.2",
    "五.1",
    "五.2",
    "五.3",
    "五.4",
    "五.5",
    "五.6",
    "六.1",
    "六.2",
    "六.3",
]
runner = CliRunner()


def norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def item(no: str):
    return SHEET.item(no)


# =============================================================================================
# The rubric and its source


@pytest.fixture(scope="module")
def seed() -> str:
    if not SEED.is_file():
        pytest.skip(f"source document {SEED} not available")
    return norm(SEED.read_text(encoding="utf-8"))


def test_loads_cleanly():
    assert WARNINGS == []
    assert (SCHEME.id, SCHEME.year) == ("province-2013", 2013)
    assert (RUBRIC_DIR / "province-2013.toml").is_file()


def test_roster_and_14_point_share():
    assert [u.name for u in SCHEME.units] == CITIES  # Shandong's 17 cities of 2013
    assert [(t.id, t.base) for t in SCHEME.tiers] == [("设区市", 14)]


def test_sections_and_items():
    assert [str(it.no) for it in SHEET.items] == NUMBERS
    sections = [(c.name, c.min, c.max) for c in SHEET.categories]
    assert sections == [
        ("实有人口专项组日常工作", None, 15),
        ("流动人口服务管理工作", None, 35),
        ("户籍制度改革和居住证制度", None, 20),
        ("来华人员服务管理情况", -10, 0),
        ("实有人口专项组成员单位履职情况", None, 18),
        ("实有人口专项组其他工作", None, 12),
    ]
    for name, _lo, hi in sections:
        items = [it for it in SHEET.items if it.category == name]
        if hi:
            assert sum(it.max for it in items) == hi, name
    four = [it for it in SHEET.items if it.category == "来华人员服务管理情况"]
    assert [(it.min, it.max, it.max_label, it.assessor_optional) for it in four] == [
        (-5, 0, "-5～0", True),
        (-5, 0, "-5～0", True),
    ]
    assert SHEET.items_max_sum == 100  # section 四 is outside the 100 (扣分制)
    assert [str(it.no) for it in SHEET.items if it.mode == "computed"] == ["二.6", "三.4"]


def test_every_text_and_criterion_is_copied_from_the_seed_in_order(seed):
    pos = 0
    for it in SHEET.items:
        for part in (it.text, it.criteria):
            t = norm(part)
            assert t and t in seed, f"{it.no}: {part[:20]}"
            found = seed.find(t, pos)
            assert found >= 0, f"{it.no} not after the previous item"
            pos = found + len(t)
    for c in SHEET.categories:
        assert norm(c.cite) in seed


def test_owners_follow_the_document():
    owners = {str(it.no): it.owner for it in SHEET.items}
    marked = {
        "二.3": "市财政局",
        "三.3": "市财政局",
        "五.3": "市教育局",
        "五.4": "市民政局",
        "五.5": "市计生委",
        "五.6": "市人社局",
    }
    for no, dept in marked.items():
        assert owners[no] == dept
    assert owners["六.1"] == owners["六.2"] == ""  # 专项组和各成员单位 jointly
    assert {o for no, o in owners.items() if no not in marked and o} == {"专项组办公室"}
    assert SCHEME.assessors == (
        "专项组办公室",
        "市财政局",
        "市教育局",
        "市民政局",
        "市计生委",
        "市人社局",
    )


def test_allowed_scores_follow_the_stated_deductions():
    allowed = {str(it.no): tuple(int(a) for a in it.allowed) for it in SHEET.items}
    assert allowed["一.2"] == (5, 3, 2, 0)  # −3, −2, both
    assert allowed["一.3"] == (5, 2, 0)  # −5 or −3
    assert allowed["二.5"] == (5, 4, 3, 2, 0)  # 不扣分, 扣1-3分, 扣5分
    assert allowed["二.7"] == (5, 3, 0)
    assert allowed["三.2"] == (4, 1, 0)
    assert allowed["三.3"] == (4, 2, 0)
    assert allowed["四.1"] == (0, -1, -2, -3, -4, -5)
    assert all(allowed[f"五.{n}"] == (3, 2, 1, 0) for n in range(1, 7))
    assert allowed["六.1"] == allowed["六.3"] == ()  # 由…掌握情况考核: any score 0–4


# =============================================================================================
# Rules, by hand


def staffing(staff, town, rural):
    values = {"协管员人数": D(staff), "城镇流动人口数": D(town), "农村流动人口数": D(rural)}
    from flowscore.formula import evaluate
    from flowscore.rules.base import to_decimal

    required = evaluate(SCHEME.derived[0].formula, values)
    values["应配协管员数"] = to_decimal(required, 10)
    return compute_item(item("二.6"), values, places=2, batch={}, tables={}, city_rank=None)


def test_staffing_ratio():
    """应配 = 城镇 ÷ 800 + 农村 ÷ 500; each percentage point short −0.1, at most 5."""
    # 400000/800 + 100000/500 = 500 + 200 = 700; 630/700 = 90% → 10 points short → −1.00
    r = staffing(630, 400000, 100000)
    assert r.value == D("4.00") and "630/700" in r.explanation
    assert staffing(700, 400000, 100000).value == D("5.00")  # exactly 100%
    assert staffing(800, 400000, 100000).value == D("5.00")  # above: no bonus
    # 370/400 = 92.5% → 7.5 points → −0.75
    assert staffing(370, 240000, 50000).value == D("4.25")
    # 104/260 = 40% → −6 → capped at the item's 5
    r = staffing(104, 72000, 85000)
    assert r.value == D("0.00") and "最多扣5分" in r.explanation
    # required 1000/800 + 700/500 = 1.25 + 1.4 = 2.65; 2/2.65 = 75.4717% → 24.5283 points
    # → −2.45283 → −2.45 (half-up, 2 places) → 2.55
    assert staffing(2, 1000, 700).value == D("2.55")


def test_staffing_without_migrants_is_pending():
    r = staffing(5, 0, 0)
    assert r.value is None and r.problems[0][0] == "zero-denominator"


def test_rights_not_implemented_minus_one_each():
    def rights(n):
        return compute_item(
            item("三.4"),
            {"未落实权益项数": D(n)},
            places=2,
            batch={},
            tables={},
            city_rank=None,
        ).value

    assert (rights(0), rights(2), rights(4), rights(5)) == (D(4), D(2), D(0), D(0))


def test_derived_value_is_in_unit_values(tmp_path):
    _indicators(
        tmp_path,
        {
            "济南市": {
                "协管员人数": 630,
                "城镇流动人口数": 400000,
                "农村流动人口数": 100000,
                "未落实权益项数": 0,
            }
        },
    )
    from flowscore.inputs.folder import read_folder

    inputs = read_folder(tmp_path, SCHEME)
    assert unit_values(SCHEME, inputs, "济南市")["应配协管员数"] == D(700)


# =============================================================================================
# Scoring cities, merging member departments' sheets


FULL = {
    no: (it.max if not it.is_adjustment else None)
    for no, it in ((str(i.no), i) for i in SHEET.items)
    if it.mode == "assessor"
}


def _indicators(folder: Path, rows: dict[str, dict]) -> None:
    template_indicators(SCHEME, folder / "指标数据.xlsx", rows)


OK_INDICATORS = {
    "协管员人数": 700,
    "城镇流动人口数": 400000,
    "农村流动人口数": 100000,
    "未落实权益项数": 0,
}


def sheet(
    path: Path,
    unit: str,
    *,
    verified: dict | None = None,
    self_scores: dict | None = None,
    assessor: str | None = None,
) -> Path:
    return filled_template(
        SCHEME, path, unit, verified=verified, self_scores=self_scores, assessor=assessor
    )


def scored(folder: Path, unit: str, verified: dict[str, object]) -> None:
    """A city's own sheet carrying the group office's 核定分 (its items and 六.1/六.2), and each
    member department's inspection sheet with the 核定分 of its own items."""
    office = {no: v for no, v in verified.items() if item(no).owner in ("", "专项组办公室")}
    sheet(folder / "a.xlsx", unit, verified=office)
    for dept in SCHEME.assessors[1:]:
        mine = {no: v for no, v in verified.items() if item(no).owner == dept}
        if mine:
            sheet(folder / f"{dept}.xlsx", unit, verified=mine, assessor=dept)


def by_owner(scores: dict[str, object], owner: str) -> dict[str, object]:
    return {
        no: v
        for no, v in scores.items()
        if (item(no).owner or "专项组办公室") == owner and v is not None
    }


@pytest.fixture
def city(tmp_path) -> Path:
    """济南市: its own sheet (自评分), and every department's inspection sheet."""
    _indicators(tmp_path, {"济南市": {**OK_INDICATORS, "协管员人数": 630, "未落实权益项数": 2}})
    sheet(tmp_path / "self.xlsx", "济南市", self_scores={"一.1": 5, "二.3": 5})
    scores = {**FULL, "二.5": 3, "四.1": -3, "四.2": -4, "五.4": 2}
    for dept in SCHEME.assessors:
        mine = by_owner(scores, dept)
        if mine:
            sheet(tmp_path / f"{dept}.xlsx", "济南市", verified=mine, assessor=dept)
    return tmp_path


def test_city_total_and_14_point_share(city):
    """By hand: 一 15; 二 5+5+5+5+3+4(二.6: 90%)+5 = 32; 三 4+4+4+2(三.4: 2 unimplemented)+4 = 18;
    四 −3 − 4 = −7; 五 3+3+3+2+3+3 = 17; 六 12.  Total 15 + 32 + 18 − 7 + 17 + 12 = 87;
    share 14 × 87 / 100 = 12.18."""
    r = compute_folder(city, rubric="province-2013")
    u = r.unit("济南市")
    assert u.status == "final", [f for f in r.report if f.level.value != "info"]
    assert [v for _c, v, _m in u.categories] == [D(15), D(32), D(18), D(-7), D(17), D(12)]
    assert u.total == D("87.00") and u.contribution == D("12.1800")
    two3 = next(i for i in u.items if i.no == "二.3")
    assert two3.verified == D(5) and "市财政局核定" in two3.explanation
    assert not [f for f in r.report if f.level.value == "error" and f.unit == "济南市"]


def test_section_four_blank_means_no_deduction(tmp_path):
    _indicators(tmp_path, {"济南市": OK_INDICATORS})
    scored(tmp_path, "济南市", FULL)
    r = compute_folder(tmp_path, rubric="province-2013")
    u = r.unit("济南市")
    four = [i for i in u.items if i.category == "来华人员服务管理情况"]
    assert [i.verified for i in four] == [D(0), D(0)]
    assert all(i.source == "assessor" for i in four)
    assert u.total == D("100.00") and u.contribution == D("14.0000")


def test_section_four_bounded_as_a_whole(tmp_path):
    """The section's bound applies to its subtotal: with a bound of −8 (an office's edited
    copy), −5 + −5 = −10 counts −8; the published −10 equals the two items' floor."""
    text = (RUBRIC_DIR / "province-2013.toml").read_text("utf-8")
    edited = text.replace(
        'name = "来华人员服务管理情况"\nmin = -10', 'name = "来华人员服务管理情况"\nmin = -8'
    )
    assert edited != text
    path = tmp_path / "rubric" / "province-2013.toml"
    path.parent.mkdir()
    path.write_text(edited, "utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    _indicators(folder, {"济南市": OK_INDICATORS})
    scored(folder, "济南市", {**FULL, "四.1": -5, "四.2": -5})
    r = compute_folder(folder, rubric=str(path))
    u = r.unit("济南市")
    assert dict((c, v) for c, v, _m in u.categories)["来华人员服务管理情况"] == D(-8)
    assert u.total == D("92.00")
    r = compute_folder(folder, rubric="province-2013")
    assert r.unit("济南市").total == D("90.00")  # −10: the published cap


def test_score_outside_the_allowed_values(tmp_path):
    _indicators(tmp_path, {"济南市": OK_INDICATORS})
    scored(tmp_path, "济南市", {**FULL, "一.2": 4, "四.1": -2.5})
    r = compute_folder(tmp_path, rubric="province-2013")
    bad = [f for f in r.report if f.code == "score-not-allowed"]
    assert len(bad) == 2
    assert "5、3、2、0" in bad[0].message or "5、3、2、0" in bad[1].message
    pending = [str(i.no) for i in r.unit("济南市").items if i.source == "pending"]
    assert pending == ["一.2", "四.1"]


def test_a_citys_own_sheet_never_verifies_a_member_units_item(tmp_path):
    """Seed 002, 考核程序(二): “省综治委实有人口专项组各成员单位结合工作实际,根据职责分工,对有关考核
    项目进行量化评分”. 五.5 is 市计生委's (“(市计生委)”): a 核定分 typed on 济南市's own sheet does
    not verify it, even when 市计生委 left it blank; the office's own items (一.1) and the jointly
    scored 六.1 still take the 核定分 of the own sheet (``own_sheet_assessor``)."""
    _indicators(tmp_path, {"济南市": OK_INDICATORS})
    sheet(tmp_path / "self.xlsx", "济南市", verified={"一.1": 5, "五.5": 3, "六.1": 4})
    r = compute_folder(tmp_path, rubric="province-2013")
    items = {str(i.no): i for i in r.unit("济南市").items}
    assert items["五.5"].source == "pending" and items["五.5"].verified is None
    assert (items["一.1"].verified, items["一.1"].source) == (D(5), "assessor")
    assert "专项组办公室核定" in items["一.1"].explanation
    assert items["六.1"].verified == D(4)
    refused = [f for f in r.report if f.code == "scored-by-non-owner"]
    assert [f.cell for f in refused] == [items["五.5"].cell]
    assert "市计生委" in refused[0].message and "自查表" in refused[0].message


def test_merge_owner_non_owner_and_conflict(tmp_path):
    """市财政局 scores its 二.3 (used); 市教育局 also scores 五.4, 市民政局's (reported, not
    used); the office and 市人社局 give 六.1 4 and 2 (a conflict: pending); both give 六.2 the
    same 4 (no conflict)."""
    _indicators(tmp_path, {"济南市": OK_INDICATORS})
    sheet(tmp_path / "self.xlsx", "济南市", self_scores={"二.3": 5})
    office = {k: v for k, v in by_owner(FULL, "专项组办公室").items()}
    sheet(
        tmp_path / "office.xlsx",
        "济南市",
        verified={**office, "六.1": 4, "六.2": 4},
        assessor="专项组办公室",
    )
    sheet(tmp_path / "fin.xlsx", "济南市", verified={"二.3": 0, "三.3": 2}, assessor="市财政局")
    sheet(tmp_path / "edu.xlsx", "济南市", verified={"五.3": 3, "五.4": 1}, assessor="市教育局")
    sheet(tmp_path / "civ.xlsx", "济南市", verified={"五.4": 2}, assessor="市民政局")
    sheet(tmp_path / "fp.xlsx", "济南市", verified={"五.5": 3}, assessor="市计生委")
    sheet(
        tmp_path / "hr.xlsx",
        "济南市",
        verified={"五.6": 3, "六.1": 2, "六.2": 4},
        assessor="市人社局",
    )
    r = compute_folder(tmp_path, rubric="province-2013")
    u = r.unit("济南市")
    got = {str(i.no): i for i in u.items}
    assert got["二.3"].verified == D(0) and got["三.3"].verified == D(2)
    assert got["二.3"].assessor == "市财政局"
    assert got["五.4"].verified == D(2) and got["五.4"].assessor == "市民政局"
    assert got["六.1"].verified is None and got["六.1"].source == "pending"
    assert "核定分不一致" in got["六.1"].explanation
    assert got["六.2"].verified == D(4)
    codes = {(f.code, f.level.value) for f in r.report if f.unit == "济南市"}
    assert ("scored-by-non-owner", "warning") in codes
    assert ("assessor-conflict", "error") in codes
    non_owner = next(f for f in r.report if f.code == "scored-by-non-owner")
    assert non_owner.file == "edu.xlsx" and "市民政局" in non_owner.message
    conflict = next(f for f in r.report if f.code == "assessor-conflict")
    assert "专项组办公室 4" in conflict.message and "市人社局 2" in conflict.message
    assert u.status == "provisional"


def test_inspection_sheets_without_the_citys_own(tmp_path):
    _indicators(tmp_path, {"济南市": OK_INDICATORS})
    for dept in SCHEME.assessors:
        mine = by_owner(FULL, dept)
        if dept == "专项组办公室":
            mine.update({"六.1": 4, "六.2": 4})
        sheet(tmp_path / f"{dept}.xlsx", "济南市", verified=mine, assessor=dept)
    r = compute_folder(tmp_path, rubric="province-2013")
    assert r.unit("济南市").total == D("100.00")
    assert any(f.code == "no-self-check" for f in r.report)


# =============================================================================================
# The template for a member department


def test_assessor_template(tmp_path):
    result = runner.invoke(
        app,
        [
            "template",
            "--rubric",
            "province-2013",
            "--unit",
            "济南市",
            "--assessor",
            "市财政局",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    path = tmp_path / "评分表-济南市-市财政局.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["评分表"]
    assert ws["F1"].value == "检查单位：市财政局"
    assert [c.value for c in ws[4]] == [
        "序号",
        "考核内容",
        "分值",
        "评分标准",
        "负责单位",
        "自评分",
        "核定分",
        "备注",
    ]
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["flowscore.assessor"] == "市财政局" and props["flowscore.unit"] == "济南市"
    layout = annex_layout(SHEET)
    own, other = layout.item_rows["二.3"], layout.item_rows["二.1"]
    assert ws[f"E{own}"].value == "市财政局" and ws[f"E{other}"].value == "专项组办公室"
    assert ws[f"G{own}"].fill.fgColor.rgb.endswith("FFF9E5")  # to fill in
    assert ws[f"G{other}"].fill.fgColor.rgb.endswith("BFBFBF")  # another department's
    assert ws[f"E{layout.item_rows['六.1']}"].value == "均可评分"
    # the department's filled sheet is read as its own
    ws[f"G{own}"] = 5
    wb.save(path)
    _indicators(tmp_path, {"济南市": OK_INDICATORS})
    r = compute_folder(tmp_path)  # scheme from the template
    assert r.scheme_id == "province-2013"
    assert next(i for i in r.unit("济南市").items if i.no == "二.3").assessor == "市财政局"
    assert any(f.code == "no-self-check" for f in r.report)


def test_assessor_template_unknown_department(tmp_path):
    r = runner.invoke(
        app,
        [
            "template",
            "-r",
            "province-2013",
            "-u",
            "济南市",
            "--assessor",
            "市公安局",
            "-o",
            str(tmp_path),
        ],
    )
    assert r.exit_code == 2
    assert "市公安局" in r.output and "市财政局" in r.output
    assert list(tmp_path.iterdir()) == []
    r = runner.invoke(
        app, ["template", "-u", "月湖街道", "--assessor", "市财政局", "-o", str(tmp_path)]
    )
    assert r.exit_code == 2 and "assessors" in r.output


def test_section_rows_and_bounded_subtotal_formula(tmp_path):
    path = tmp_path / "t.xlsx"
    build_annex_workbook(SCHEME, "青岛市").save(path)
    ws = openpyxl.load_workbook(path)["评分表"]
    layout = annex_layout(SHEET)
    row = layout.category_rows["来华人员服务管理情况"]
    assert row == 23  # 一 5, 6–8; 二 9, 10–16; 三 17, 18–22; 四 23, 24–25
    assert ws[f"C{row}"].value == "-10～0"
    assert ws[f"F{row}"].value == "=MAX(-10,MIN(0,SUM(F24:F25)))"  # 自评分
    assert ws[f"G{row}"].value is None  # no 核定分 subtotal: computed items are not on it
    assert ws[f"C{layout.item_rows['四.1']}"].value == "-5～0"
    assert ws["A1"].value is None and ws["A3"].value == "设区市(盖章)：青岛市"


# =============================================================================================
# The sample year


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("province") / "out"
    r = runner.invoke(app, ["compute", str(SAMPLE), "--out", str(out), "--quiet"])
    # one conflict and one score outside the allowed values are errors: exit 1, outputs written
    assert r.exit_code == 1, r.output
    return out


def test_sample_results_json_matches_golden(sample_out):
    golden = json.loads(GOLDEN.read_text("utf-8"))
    data = json.loads((sample_out / "results.json").read_text("utf-8"))
    assert golden["scheme"] == data["scheme"]["id"] == "province-2013"
    units = {u["unit"]: u for u in data["units"]}
    assert sorted(units) == sorted(golden["units"])
    for name, g in golden["units"].items():
        u = units[name]
        assert D(str(u["total"])) == D(g["total"]), name
        assert D(str(u["contribution"])) == D(g["contribution"]), name
        assert {c["category"]: D(str(c["verified"])) for c in u["categories"]} == {
            k: D(v) for k, v in g["categories"].items()
        }, name
        assert {
            str(i["no"]): (None if i["verified"] is None else D(str(i["verified"])))
            for i in u["items"]
        } == {k: (None if v[0] is None else D(v[0])) for k, v in g["items"].items()}, name


def test_sample_anchors_by_hand(sample_out):
    data = json.loads((sample_out / "results.json").read_text("utf-8"))
    units = {u["unit"]: u for u in data["units"]}

    def v(unit, no):
        x = next(i for i in units[unit]["items"] if str(i["no"]) == no)["verified"]
        return None if x is None else D(str(x))

    assert v("济南市", "二.6") == D(4) and v("烟台市", "二.6") == D(3)
    assert v("菏泽市", "二.6") == D(0) and v("淄博市", "二.6") == D("4.25")
    assert v("济南市", "三.4") == D(2) and v("德州市", "三.4") == D(0)
    cats = {c["category"]: D(str(c["verified"])) for c in units["临沂市"]["categories"]}
    assert cats["来华人员服务管理情况"] == D(-10)
    assert v("青岛市", "六.1") is None and units["青岛市"]["status"] == "provisional"
    assert v("济宁市", "一.2") is None
    assert v("淄博市", "五.4") is not None  # 市民政局's score, not 市教育局's
    for u in units.values():
        assert D(str(u["contribution"])) == (D(14) * D(str(u["total"])) / 100).quantize(
            D("0.0001"), rounding="ROUND_HALF_UP"
        )
    codes = sorted(f["code"] for f in data["findings"] if f["level"] != "info")
    # the rejected score (济宁市 一.2 = 4) is reported once, as score-not-allowed
    assert codes == ["assessor-conflict", "score-not-allowed", "scored-by-non-owner"]


def test_compute_with_and_without_rubric_agree(tmp_path):
    a = runner.invoke(app, ["compute", str(SAMPLE), "-o", str(tmp_path / "a"), "-q"])
    b = runner.invoke(
        app, ["compute", str(SAMPLE), "-o", str(tmp_path / "b"), "-q", "--rubric", "province-2013"]
    )
    assert a.exit_code == b.exit_code == 1  # the deliberate conflict
    ja = json.loads((tmp_path / "a" / "results.json").read_text("utf-8"))
    jb = json.loads((tmp_path / "b" / "results.json").read_text("utf-8"))
    assert ja["units"] == jb["units"]
    assert ja["scheme"]["id"] == "province-2013"


def test_sample_is_what_the_script_makes(tmp_path):
    path = ROOT / "scripts" / "make_sample_other.py"
    spec = importlib.util.spec_from_file_location("make_sample_other", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    out = tmp_path / "province-2013"
    module.generate("province-2013", out)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in SAMPLE.iterdir())
    for committed in sorted(SAMPLE.glob("*.xlsx")):
        a = openpyxl.load_workbook(committed)
        b = openpyxl.load_workbook(out / committed.name)
        assert a.sheetnames == b.sheetnames
        assert [[list(r) for r in ws.iter_rows(values_only=True)] for ws in a.worksheets] == [
            [list(r) for r in ws.iter_rows(values_only=True)] for ws in b.worksheets
        ], committed
