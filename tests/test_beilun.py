"""北仑区街道 (rubric ``beilun-streets``, seed 001, DOMAIN.md §3): the rubric against its source
document, every rule with examples worked by hand, sheets in the published layout (no 序号),
the template, and the sample year (golden values, compute with and without --rubric)."""

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
from flowscore.scoring.parts import compute_item
from flowscore.template import annex_layout, build_annex_workbook

ROOT = Path(__file__).resolve().parent.parent
SEED = Path("/work/shared/seeds/001_ddc6723a02fcd8e2.txt")
SAMPLE = ROOT / "sample_data" / "beilun"
GOLDEN = ROOT / "tests" / "golden" / "beilun.json"
STREETS = [
    "新碶街道",
    "小港街道",
    "大碶街道",
    "霞浦街道",
    "柴桥街道",
    "戚家山街道",
    "春晓街道",
    "梅山街道",
    "郭巨街道",
    "白峰街道",
    "大榭街道",
]
SCHEME, WARNINGS = load_rubric("beilun-streets")
SHEET = SCHEME.sheet("streets")
runner = CliRunner()


def norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def item(no):
    return SHEET.item(no)


def score(no, **values):
    """The item's computed value from indicator values (Decimal / bool)."""
    vals = {k: (v if isinstance(v, bool) else D(str(v))) for k, v in values.items()}
    return compute_item(item(no), vals, places=2, batch={}, tables={}, city_rank=None)


# =============================================================================================
# The rubric and its source


@pytest.fixture(scope="module")
def seed() -> str:
    if not SEED.is_file():
        pytest.skip(f"source document {SEED} not available")
    return norm(SEED.read_text(encoding="utf-8"))


def test_loads_cleanly_without_a_year():
    assert WARNINGS == []
    assert SCHEME.id == "beilun-streets" and SCHEME.year is None
    assert (RUBRIC_DIR / "beilun-streets.toml").is_file()
    text = (RUBRIC_DIR / "beilun-streets.toml").read_text("utf-8")
    assert "# 年度：文件没有注明年度" in text  # the file says so
    assert not re.search(r"^year\s*=", text, re.M)


def test_roster_one_tier_base_100():
    assert [u.name for u in SCHEME.units] == STREETS
    assert [(t.id, t.base) for t in SCHEME.tiers] == [("街道", 100)]
    assert all(u.sheet == "streets" for u in SCHEME.units)


def test_categories_items_and_maxima():
    """DOMAIN.md §3: 基础工作 30 (6, 8, 10, 6), 管理工作 45 (6, 10, 6, 8, 7, 4, 4), 服务工作 25
    (5, 10, 5, 3, 2); numbered 1–16 in document order; 创新工作 outside the 100."""
    assert [(c.name, c.max) for c in SHEET.categories] == [
        ("基础工作", 30),
        ("管理工作", 45),
        ("服务工作", 25),
    ]
    expected = {
        "基础工作": [6, 8, 10, 6],
        "管理工作": [6, 10, 6, 8, 7, 4, 4],
        "服务工作": [5, 10, 5, 3, 2],
    }
    for cat, maxima in expected.items():
        assert [it.max for it in SHEET.items if it.category == cat] == maxima
    assert [str(it.no) for it in SHEET.items] == [*map(str, range(1, 17)), "创新1", "创新2"]
    assert [it.no for it in SHEET.items if it.extra] == ["创新1", "创新2"]
    assert SHEET.items_max_sum == 100 == SHEET.total
    assessor_only = [it.no for it in SHEET.items if it.mode == "assessor" and not it.extra]
    assert assessor_only == [7, 11, 12]  # the items without indicators: 酌情扣分
    assert [it.no for it in SHEET.items if it.mode == "ceiling_assessor"] == [5, 6, 13, 16]
    # 5 and 13: only discretionary duties (酌情扣分) beside the computed part — a blank 考核分
    # keeps the computed value; 6 and 16: duties with fixed points the assessor must check
    optional = [
        it.no for it in SHEET.items if it.mode == "ceiling_assessor" and it.assessor_optional
    ]
    assert optional == [5, 13]


def test_every_text_is_copied_from_the_seed_in_order(seed):
    pos = 0
    for it in SHEET.items:
        t = norm(it.text)
        assert t in seed, f"第{it.no}项"
        found = seed.find(t, pos)
        assert found >= 0, f"第{it.no}项 not after the previous item"
        pos = found + len(t)
        if not it.extra:  # the item's 分值 cell stands right before its 评分标准 cell
            assert seed[found - len(str(int(it.max))) : found] == str(int(it.max))
    for c in SHEET.categories:
        assert f"{c.name}{int(c.max)}" in seed


def test_columns_are_the_forms_own():
    assert SHEET.columns == {
        "no": "序号",
        "text": "考核内容",
        "max": "分值",
        "criteria": "评分标准",
        "self": "自查分",
        "verified": "考核分",
        "remark": "备注",
    }
    assert SCHEME.headers.annex["criteria"] == ("评分标准",)
    assert "自查分" in SCHEME.headers.annex["self"] and "考核分" in SCHEME.headers.annex["verified"]


# =============================================================================================
# Rules, by hand


def test_item1_per_occurrence():
    assert score(1, 季度工作未落实次数=0).value == D("6.00")
    assert score(1, 季度工作未落实次数=2).value == D("4.00")  # 6 − 2 × 1
    assert score(1, 季度工作未落实次数=9).value == D("0.00")  # 6 − 9 → floor 0


def test_item2_yes_no():
    assert score(2, 基层基础建设落实=True).value == D("8.00")
    assert score(2, 基层基础建设落实=False).value == D("6.00")  # 未落实的扣2分


def test_item3_count_award_capped_at_10():
    # 8 × 0.5 + 2 × 1 = 6
    assert score(3, 录用信息篇数=8, 录用典型经验信息篇数=2).value == D("6.00")
    # 3 × 0.5 = 1.5: half points are kept exactly
    assert score(3, 录用信息篇数=3, 录用典型经验信息篇数=0).value == D("1.50")
    # 14 × 0.5 + 4 × 1 = 11 → 最高得10分
    r = score(3, 录用信息篇数=14, 录用典型经验信息篇数=4)
    assert r.value == D("10.00") and "超过分值按10.00分计" in r.explanation
    assert score(3, 录用信息篇数=0, 录用典型经验信息篇数=0).value == D("0.00")


def test_item4_per_missing_training():
    assert score(4, 业务培训次数=2).value == D("6.00")
    assert score(4, 业务培训次数=5).value == D("6.00")  # more than required: no bonus
    assert score(4, 业务培训次数=1).value == D("4.00")  # one missing: −2
    r = score(4, 业务培训次数=0)
    assert r.value == D("2.00") and "少 2 次" in r.explanation  # two missing: −4


def test_item5_one_off_against_last_year():
    assert score(5, 出租房屋供应量=8200, 上年度出租房屋供应量=8500).value == D("3.00")  # −3
    assert score(5, 出租房屋供应量=8500, 上年度出租房屋供应量=8500).value == D("6.00")  # equal
    assert score(5, 出租房屋供应量=9000, 上年度出租房屋供应量=8500).value == D("6.00")


def test_item6_two_criteria_minus_5_each():
    # 4800/52000 = 9.23% < 10% → −5; 1500/4800 = 31.25% ≥ 30% → 0
    assert score(6, 流动人口数=52000, 融合组织会员数=4800, 骨干会员数=1500).value == D("5.00")
    # exactly 10% and exactly 30%: met (exact comparison)
    assert score(6, 流动人口数=50000, 融合组织会员数=5000, 骨干会员数=1500).value == D("10.00")
    # both missed → 0
    assert score(6, 流动人口数=50000, 融合组织会员数=4999, 骨干会员数=1000).value == D("0.00")
    # no migrants: the ratio cannot be computed → pending, not 0
    r = score(6, 流动人口数=0, 融合组织会员数=0, 骨干会员数=0)
    assert r.value is None and r.problems[0][0] == "zero-denominator"


def test_item9_rates_given_directly_floor_at_zero():
    """Three −4 criteria on a 7-point item: rates typed as fractions (0.95 is 95%)."""
    ok = dict(信息登记率="0.95", 信息准确率="0.90", 出租房屋登记率="0.95")
    assert score(9, **ok).value == D("7.00")  # exactly at target: met
    assert score(9, **{**ok, "信息登记率": "0.9499"}).value == D("3.00")  # 7 − 4
    assert score(9, **{**ok, "信息登记率": "0.94", "信息准确率": "0.89"}).value == D(
        "0.00"
    )  # 7 − 8
    r = score(9, 信息登记率="0.935", 信息准确率="0.88", 出租房屋登记率="0.90")  # 7 − 12
    assert r.value == D("0.00") and "低于下限按0.00分计" in r.explanation
    assert "信息登记率 93.50%，低于95%" in r.explanation


def test_item13_three_targets():
    base = dict(流动人口数=12000, 培训人数=3600, 知识竞赛期数=1, 招聘专场次数=2)
    assert score(13, **base).value == D("10.00")  # 30% exactly, 1 contest, 2 fairs
    assert score(13, **{**base, "培训人数": 3000, "知识竞赛期数": 0}).value == D(
        "4.00"
    )  # 25%, none
    assert score(13, **{**base, "招聘专场次数": 1}).value == D("7.00")
    assert score(13, 流动人口数=12000, 培训人数=0, 知识竞赛期数=0, 招聘专场次数=0).value == D(
        "1.00"
    )


def test_items14_to_16():
    assert score(14, 法制安全培训开展=False).value == D("2.00")  # 5 − 3
    assert score(15, 人文关怀活动开展=False).value == D("0.00")  # 3 − 3
    assert score(16, 一类疫苗接种率="0.85").value == D("2.00")
    assert score(16, 一类疫苗接种率="0.83").value == D("0.00")  # 2 − 2


def test_innovation_bonus_by_level():
    zero = dict(
        市级媒体发表篇数=0,
        省级媒体发表篇数=0,
        国家级媒体发表篇数=0,
        区主要领导批示数=0,
        市领导批示数=0,
        省领导批示数=0,
        中央领导批示数=0,
    )
    assert score("创新1", **zero).value == D("0.00")
    # media city/province/national +2/+5/+8
    assert score(
        "创新1", **{**zero, "市级媒体发表篇数": 1, "省级媒体发表篇数": 1, "国家级媒体发表篇数": 1}
    ).value == D("15.00")
    # instructions district/city/province/central +2/+4/+6/+8
    assert score(
        "创新1",
        **{
            **zero,
            "区主要领导批示数": 1,
            "市领导批示数": 1,
            "省领导批示数": 1,
            "中央领导批示数": 1,
        },
    ).value == D("20.00")
    # 2 × 2 + 1 × 5 + 1 × 2 + 1 × 4 = 15 (戚家山街道 in the sample)
    assert score(
        "创新1",
        **{
            **zero,
            "市级媒体发表篇数": 2,
            "省级媒体发表篇数": 1,
            "区主要领导批示数": 1,
            "市领导批示数": 1,
        },
    ).value == D("15.00")
    # “…在市、省、国家主流媒体发表的分别加2、5、8分…” — the document sets no cap
    assert not item("创新1").capped and not item("创新2").capped
    assert item("创新1").max_label == "加分项"


# =============================================================================================
# Scoring a street end to end


INDICATORS = {
    "季度工作未落实次数": 0,
    "基层基础建设落实": "是",
    "录用信息篇数": 14,
    "录用典型经验信息篇数": 4,
    "业务培训次数": 1,
    "出租房屋供应量": 8200,
    "上年度出租房屋供应量": 8500,
    "流动人口数": 52000,
    "融合组织会员数": 4800,
    "骨干会员数": 1500,
    "执法检查未开展项数": 1,
    "信息登记率": "96%",
    "信息准确率": 0.95,
    "出租房屋登记率": "94.9%",
    "计划生育未落实项数": 0,
    "培训人数": 15600,
    "知识竞赛期数": 1,
    "招聘专场次数": 2,
    "法制安全培训开展": "是",
    "人文关怀活动开展": "否",
    "一类疫苗接种率": 0.9,
    "市级媒体发表篇数": 1,
    "省级媒体发表篇数": 1,
    "国家级媒体发表篇数": 0,
    "区主要领导批示数": 0,
    "市领导批示数": 0,
    "省领导批示数": 0,
    "中央领导批示数": 0,
}


def indicator_book(path: Path, rows: dict[str, dict]) -> None:
    template_indicators(SCHEME, path, rows)


def template_sheet(
    path: Path,
    unit: str,
    verified: dict,
    self_scores: dict | None = None,
    remarks: dict | None = None,
) -> None:
    filled_template(SCHEME, path, unit, verified=verified, self_scores=self_scores, remarks=remarks)


@pytest.fixture
def one_street(tmp_path) -> Path:
    indicator_book(tmp_path / "指标数据.xlsx", {"新碶街道": INDICATORS})
    template_sheet(
        tmp_path / "新碶.xlsx", "新碶街道", {"6": 5, "7": 5, "11": 4, "12": 4.5, "16": 2}
    )
    return tmp_path


def test_street_total_categories_and_contribution(one_street):
    """By hand: 1: 6; 2: 8; 3: min(7 + 4, 10) = 10; 4: 6 − 2 = 4 → 基础工作 28.
    5: 6 − 3 = 3 (blank 考核分); 6: 10 − 5 = 5; 7: 5; 8: 8 − 2 = 6; 9: 7 − 4 (94.9%) = 3;
    10: 4; 11: 4 → 管理工作 30.  12: 4.5; 13: 10; 14: 5; 15: 3 − 3 = 0; 16: 2 → 服务工作 21.5.
    创新1: 2 + 5 = 7; 创新2 blank → 0.  Total 28 + 30 + 21.5 + 7 = 86.5; base 100 → 86.5000."""
    r = compute_folder(one_street, rubric="beilun-streets")
    u = r.unit("新碶街道")
    got = {str(i.no): i.verified for i in u.items}
    assert got == {
        "1": D(6),
        "2": D(8),
        "3": D(10),
        "4": D(4),
        "5": D(3),
        "6": D(5),
        "7": D(5),
        "8": D(6),
        "9": D(3),
        "10": D(4),
        "11": D(4),
        "12": D("4.5"),
        "13": D(10),
        "14": D(5),
        "15": D(0),
        "16": D(2),
        "创新1": D(7),
        "创新2": D(0),
    }
    assert [(c, v, m) for c, v, m in u.categories] == [
        ("基础工作", D(28), D(30)),
        ("管理工作", D(30), D(45)),
        ("服务工作", D("21.5"), D(25)),
    ]
    assert u.total == D("86.50") and u.contribution == D("86.5000")
    assert u.status == "final"
    five = next(i for i in u.items if i.no == 5)
    assert five.source == "computed" and "考核组未另行扣分" in five.explanation
    bonus2 = next(i for i in u.items if i.no == "创新2")
    assert bonus2.source == "assessor" and "空白" in bonus2.explanation


def test_assessor_deducts_more_on_a_computed_ceiling(tmp_path):
    """Item 5, seed 001: “合法合规的出租房屋供应量少于上一年度的扣3分，登记点不规范的酌情扣分”. The −3
    is fixed: computed 3 (supply fell); the assessor's 2 (登记点不规范) stands; a 4 above the
    computed ceiling without a reason does not undo the fixed deduction — the ceiling stands and
    the finding says so."""
    indicator_book(tmp_path / "i.xlsx", {"新碶街道": INDICATORS, "小港街道": INDICATORS})
    template_sheet(
        tmp_path / "a.xlsx",
        "新碶街道",
        {"5": 2, "6": 10, "7": 5, "11": 4, "12": 5, "16": 2},
        remarks={"5": "登记点不规范"},
    )
    template_sheet(
        tmp_path / "b.xlsx", "小港街道", {"5": 4, "6": 10, "7": 5, "11": 4, "12": 5, "16": 2}
    )
    r = compute_folder(tmp_path, rubric="beilun-streets")
    a = next(i for i in r.unit("新碶街道").items if i.no == 5)
    assert (a.verified, a.computed, a.source) == (D(2), D(3), "assessor")
    b = next(i for i in r.unit("小港街道").items if i.no == 5)
    assert (b.verified, b.source) == (D(3), "computed")
    assert "高于上限且未写明理由，未采用" in b.explanation
    above = [f for f in r.report if f.code == "above-ceiling" and f.unit == "小港街道"]
    assert above and "以计算上限为准" in above[0].message


def test_innovation_bonus_lifts_the_total_above_100(tmp_path):
    perfect = {
        **INDICATORS,
        "录用信息篇数": 20,
        "业务培训次数": 2,
        "出租房屋供应量": 9000,
        "融合组织会员数": 6000,
        "骨干会员数": 2000,
        "执法检查未开展项数": 0,
        "出租房屋登记率": "96%",
        "人文关怀活动开展": "是",
        "国家级媒体发表篇数": 1,
    }
    indicator_book(tmp_path / "i.xlsx", {"新碶街道": perfect})
    template_sheet(
        tmp_path / "a.xlsx", "新碶街道", {"6": 10, "7": 6, "11": 4, "12": 5, "16": 2, "创新2": 3}
    )
    r = compute_folder(tmp_path, rubric="beilun-streets")
    u = r.unit("新碶街道")
    # 100 + 创新1 (2 + 5 + 8 = 15) + 创新2 3
    assert u.total == D("118.00") and u.contribution == D("118.0000")
    assert [v for _c, v, _m in u.categories] == [D(30), D(45), D(25)]  # bonus outside them
    assert all(i.lost == 0 for i in u.items if i.extra_item)


def test_missing_assessor_score_is_pending(tmp_path):
    indicator_book(tmp_path / "i.xlsx", {"新碶街道": INDICATORS})
    template_sheet(tmp_path / "a.xlsx", "新碶街道", {"6": 10, "7": 5, "12": 5, "16": 2})
    r = compute_folder(tmp_path, rubric="beilun-streets")
    u = r.unit("新碶街道")
    assert u.status == "provisional"
    assert [i.no for i in u.items if i.source == "pending"] == [11]


# =============================================================================================
# The published layout: no 序号, rows found by their 评分标准 text


def published_sheet(path: Path, rows: list[tuple], *, seal: str | None = None) -> None:
    """Rows as (考核内容, 分值, 分值, 评分标准, 自查分, 考核分) after the Word form."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["附件1："])
    ws.append(["北仑区街道流动人口服务管理考核评分细则"])
    if seal:
        ws.append([seal])
    ws.append(["考核内容", "分值", None, "评分标准", "自查\n分", "考核\n分"])
    for r in rows:
        ws.append(list(r))
    wb.save(path)


def published_rows(
    verified: dict[str, object] | None = None, texts: dict[str, str] | None = None
) -> list[tuple]:
    verified = verified or {}
    texts = texts or {}
    rows, seen = [], set()
    for it in SHEET.items:
        first = it.category and it.category not in seen
        seen.add(it.category)
        cat = next((c for c in SHEET.categories if c.name == it.category), None)
        rows.append(
            (
                it.category if first else ("创新工作" if it.no == "创新1" else None),
                int(cat.max) if first else ("加分项" if it.no == "创新1" else None),
                None if it.extra else int(it.max),
                texts.get(str(it.no), it.text),
                None,
                verified.get(str(it.no)),
            )
        )
    return rows


def test_published_layout_rows_matched_by_criteria_text(tmp_path):
    edited = {
        "7": item(7).text.replace("支撑，", "支撑,"),  # a comma retyped
        "15": item(15).text.replace("办好假日学校，", ""),
    }  # a clause dropped
    published_sheet(
        tmp_path / "郭巨街道自查表.xlsx",
        published_rows({"6": 10, "7": 5, "11": 3, "12": 4, "15": 2, "16": 2, "创新2": 2}, edited),
    )
    indicator_book(tmp_path / "i.xlsx", {"郭巨街道": INDICATORS})
    r = compute_folder(tmp_path, rubric="beilun-streets")
    u = r.unit("郭巨街道")
    assert u.status == "final", [f for f in r.report if f.level.value != "info"]
    by_no = {str(i.no): i for i in u.items}
    assert by_no["7"].verified == D(5) and by_no["11"].verified == D(3)
    assert by_no["创新2"].verified == D(2)
    # 15 is computed (否 → 0): the typed 考核分 2 differs and has no reason
    assert by_no["15"].verified == D(0) and by_no["15"].entered == D(2)
    assert {f.code for f in r.report if f.unit == "郭巨街道"} >= {
        "unit-from-filename",
        "computed-differs",
    }
    assert not [f for f in r.report if f.code in ("unmatched-row", "item-missing")]


def test_unmatched_and_ambiguous_rows_are_findings(tmp_path):
    rows = published_rows({"6": 10, "7": 5, "11": 3, "12": 4, "16": 2})
    rows.append((None, None, 2, "开展流动人口宠物登记和犬只管理工作，未开展的扣2分。", 2, 2))
    both = item(14).text + item(15).text[:55]  # two criteria run together: as close to both
    rows.append((None, None, 5, both, 5, 5))
    rows.append((None, None, None, "以上合计", None, None))  # a short label: no row at all
    published_sheet(tmp_path / "a.xlsx", rows, seal="街道（盖章）：郭巨街道")
    indicator_book(tmp_path / "i.xlsx", {"郭巨街道": INDICATORS})
    r = compute_folder(tmp_path, rubric="beilun-streets")
    found = [f for f in r.report if f.code == "unmatched-row"]
    assert len(found) == 2
    assert "对不上评分细则中的任何一项" in found[0].message
    assert (
        "同样接近序号 15 和 14" in found[1].message or "同样接近序号 14 和 15" in found[1].message
    )
    assert all(f.level.value == "error" and f.cell.startswith("D") for f in found)
    assert r.unit("郭巨街道").status == "final"  # the real rows still count


# =============================================================================================
# The template


def test_template_uses_the_forms_columns_and_category_rows(tmp_path):
    path = tmp_path / "t.xlsx"
    build_annex_workbook(SCHEME, "大碶街道").save(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["评分表"]
    assert [c.value for c in ws[4]] == [
        "序号",
        "考核内容",
        "分值",
        "评分标准",
        "自查分",
        "考核分",
        "备注",
    ]
    assert ws["A3"].value == "街道(盖章)：大碶街道"
    layout = annex_layout(SHEET)
    assert layout.category_rows == {"基础工作": 5, "管理工作": 10, "服务工作": 18}
    assert (ws["B5"].value, ws["C5"].value, ws["E5"].value, ws["F5"].value) == (
        "基础工作",
        30,
        "=MIN(30,SUM(E6:E9))",
        None,  # no 考核分 subtotal: the computed items' scores are not on the sheet
    )
    assert ws["A6"].value == 1 and ws["B6"].value == "领导重视" and ws["D6"].value == item(1).text
    row = layout.item_rows["创新1"]
    assert (ws[f"A{row}"].value, ws[f"C{row}"].value) == ("创新1", "加分项")
    total = layout.total_row
    assert ws[f"A{total}"].value == "合计"
    assert ws[f"E{total}"].value == "=SUM(E5,E10,E18,E24:E25)"
    assert ws[f"F{total}"].value is None
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["flowscore.scheme"] == "beilun-streets" and props["flowscore.unit"] == "大碶街道"


def test_filled_template_reads_back(one_street):
    r = compute_folder(one_street)  # the scheme found from the template, no --rubric
    assert r.scheme_id == "beilun-streets"
    assert r.unit("新碶街道").status == "final"


# =============================================================================================
# The sample year


def _golden() -> dict:
    return json.loads(GOLDEN.read_text("utf-8"))


@pytest.fixture(scope="module")
def sample_results(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("beilun") / "out"
    r = runner.invoke(app, ["compute", str(SAMPLE), "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    return json.loads((out / "results.json").read_text("utf-8"))


def test_sample_results_json_matches_golden(sample_results):
    golden = _golden()
    assert golden["scheme"] == sample_results["scheme"]["id"] == "beilun-streets"
    units = {u["unit"]: u for u in sample_results["units"]}
    assert sorted(units) == sorted(golden["units"])
    for name, g in golden["units"].items():
        u = units[name]
        assert D(str(u["total"])) == D(g["total"]), name
        assert {c["category"]: D(str(c["verified"])) for c in u["categories"]} == {
            k: D(v) for k, v in g["categories"].items()
        }, name
        assert {
            str(i["no"]): (None if i["verified"] is None else D(str(i["verified"])))
            for i in u["items"]
        } == {k: (None if v[0] is None else D(v[0])) for k, v in g["items"].items()}, name


def test_sample_anchors_by_hand(sample_results):
    """The values sample_data/beilun/README.md works out by hand."""
    units = {u["unit"]: u for u in sample_results["units"]}

    def v(unit, no):
        return D(str(next(i for i in units[unit]["items"] if str(i["no"]) == no)["verified"]))

    assert v("新碶街道", "3") == D(10)  # 14 × 0.5 + 4 = 11 → 10
    assert v("小港街道", "9") == D(0)  # 7 − 12 → 0
    assert v("大碶街道", "4") == D(4) and v("大碶街道", "6") == D(5)
    assert v("霞浦街道", "5") == D(2)  # assessor below the computed 3
    assert v("柴桥街道", "5") == D(3)  # blank: computed
    assert v("春晓街道", "13") == D(4)
    assert v("梅山街道", "13") == D(8) and v("梅山街道", "16") == D(0)
    assert v("郭巨街道", "1") == D(4) and v("郭巨街道", "2") == D(6)
    assert v("戚家山街道", "创新1") == D(15) and v("戚家山街道", "创新2") == D(3)
    assert units["大榭街道"]["status"] == "provisional"
    for u in units.values():  # base 100: the contribution is the score itself
        assert D(str(u["contribution"])) == D(str(u["total"]))


def test_compute_with_and_without_rubric_agree(tmp_path):
    a = runner.invoke(app, ["compute", str(SAMPLE), "-o", str(tmp_path / "a"), "-q"])
    b = runner.invoke(
        app, ["compute", str(SAMPLE), "-o", str(tmp_path / "b"), "-q", "--rubric", "beilun-streets"]
    )
    assert a.exit_code == b.exit_code == 0, (a.output, b.output)
    ja = json.loads((tmp_path / "a" / "results.json").read_text("utf-8"))
    jb = json.loads((tmp_path / "b" / "results.json").read_text("utf-8"))
    ja.pop("folder", None), jb.pop("folder", None)
    assert ja["units"] == jb["units"]


def test_category_subtotals_in_every_output(tmp_path):
    out = tmp_path / "o"
    assert (
        runner.invoke(app, ["compute", str(SAMPLE), "-o", str(out), "-q", "--text"]).exit_code == 0
    )
    report = (out / "考核报告.md").read_text("utf-8")
    assert "| 基础工作（30） | 管理工作（45） | 服务工作（25） |" in report
    unit_report = (out / "reports" / "郭巨街道.txt").read_text("utf-8")
    assert "分类得分：基础工作 22.00／30" in unit_report
    ws = openpyxl.load_workbook(out / "考核汇总.xlsx")["排名"]
    assert [c.value for c in ws[3]][7:] == ["基础工作（30）", "管理工作（45）", "服务工作（25）"]
    r = runner.invoke(app, ["explain", "-u", "郭巨街道", str(out)])
    assert "分类得分：基础工作22.00／30" in "".join(r.output.split())


def _load_script():
    path = ROOT / "scripts" / "make_sample_other.py"
    spec = importlib.util.spec_from_file_location("make_sample_other", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_sample_is_what_the_script_makes(tmp_path):
    out = tmp_path / "beilun"
    _load_script().generate("beilun", out)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in SAMPLE.iterdir())
    for committed in sorted(SAMPLE.glob("*.xlsx")):
        a = openpyxl.load_workbook(committed)
        b = openpyxl.load_workbook(out / committed.name)
        assert [[list(r) for r in ws.iter_rows(values_only=True)] for ws in a.worksheets] == [
            [list(r) for r in ws.iter_rows(values_only=True)] for ws in b.worksheets
        ], committed
    assert (out / "README.md").read_text("utf-8") == (SAMPLE / "README.md").read_text("utf-8")
