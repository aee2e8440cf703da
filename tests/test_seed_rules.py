"""Every rule exactly as the documents say: each test is built from the sentence of a seed (or
of DOMAIN.md) it implements, quoted in its docstring."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from builders import EXAMPLE, filled_template, indicator_book, published_annex, template_indicators
from typer.testing import CliRunner

from flowscore.cli import app
from flowscore.compute import compute_folder
from flowscore.rubric import load_rubric
from flowscore.scoring import unit_values
from flowscore.scoring.parts import compute_item

HAISHU, _ = load_rubric("haishu-2019")
BEILUN, _ = load_rubric("beilun-streets")
PROVINCE, _ = load_rubric("province-2013")


def _values(scheme, raw):
    from flowscore.inputs.records import Inputs, Value

    inputs = Inputs()
    for name, v in raw.items():
        inputs.add_indicator("u", name, Value(value=D(v), file="", sheet="", cell=""))
    return unit_values(scheme, inputs, "u")


# -- round once, at the item ---------------------------------------------------------------------


def test_staffing_ratio_rounds_once_at_the_item():
    """Seed 002, 二.6: “流动人口协管员达不到规定比例的,每降低一个百分点扣0.1分”; DOMAIN.md §5: “Item
    scores round half-up (四舍五入) to 2 decimals”. 730 协管员 against 800 required is 91.25%,
    8.75 points short: 5 − 0.875 = 4.125, which is 4.13 (rounding the deduction first, to 0.88,
    would give 4.12)."""
    values = _values(PROVINCE, {"协管员人数": 730, "城镇流动人口数": 640000, "农村流动人口数": 0})
    c = compute_item(PROVINCE.sheet("cities").item("二.6"), values, places=2)
    assert c.value == D("4.13")
    assert "扣0.875分" in c.explanation
    assert c.explanation.endswith("得分 5 − 0.875 = 4.125，四舍五入为 4.13")


def test_residence_permit_rate_rounds_once_at_the_item():
    """Seed 000, 附件1 第2项: “以上三项指标每下降1个百分点扣1分”. 2290 of 8000 permits is 28.625%
    against 30%: 40 − 1.375 = 38.625 → 38.63, not 38.62."""
    raw = {**EXAMPLE, "居住半年以上流动人口数": 8000, "居住证申领数": 2290}
    raw.update({"电子居住证申领数": 80, "电子居住登记凭证申领数": 900})  # the other two met
    values = _values(HAISHU, {k: v for k, v in raw.items() if isinstance(v, int)})
    c = compute_item(HAISHU.sheet("towns").item(2), values, places=2)
    assert c.value == D("38.63")
    assert "低于30%目标1.375个百分点，扣1.375分" in c.explanation
    assert c.explanation.endswith("40 − 1.375 = 38.625，四舍五入为 38.63")


def test_multi_part_items_add_exact_parts():
    """The same across parts: each part keeps its exact value; the page adds up to the item
    (40 − 5.0476… − 0.7099… − 8.2059… = 26.0366…, shown 约 and rounded once to 26.04; rounding
    each part first gave 26.03)."""
    raw = {
        "居住半年以上流动人口数": 12600,
        "居住证申领数": 3144,
        "本年度居住证新申领数": 1141,
        "电子居住证申领数": 106,
        "本年度新登记流动人口数": 5061,
        "电子居住登记凭证申领数": 1103,
    }
    c = compute_item(HAISHU.sheet("towns").item(2), _values(HAISHU, raw), places=2)
    assert c.value == D("26.04")
    assert "40 − 约13.9634 = 约26.0366，四舍五入为 26.04" in c.explanation


# -- a fixed deduction is not undone by an assessor ------------------------------------------


def _police(tmp_path: Path, verified: object, remark: str = "") -> Path:
    rows = [
        (
            it.no,
            it.text,
            it.max_label,
            None,
            verified if it.no == 1 else None,
            remark if it.no == 1 else "",
        )
        for it in HAISHU.sheet("dept-police").items
    ]
    published_annex(tmp_path / "police.xlsx", unit="海曙公安分局", seal="部门(盖章)", rows=rows)
    indicator_book(
        tmp_path / "i.xlsx",
        {"海曙公安分局": {**EXAMPLE, "未报备发文数": 2}},
        columns=list(EXAMPLE),
        ranking=[("海曙公安分局", 1, 1)],
    )
    return tmp_path


def test_haishu_reporting_deduction_stands_against_a_higher_score(tmp_path):
    """Seed 000, 附件2 海曙公安分局 第1项: “机构发文未按要求报备的，每发现1件扣5分”. Two unreported
    documents: the ceiling is 20; a 核定分 of 25 without a written reason does not undo it."""
    r = compute_folder(_police(tmp_path, 25))
    one = r.unit("海曙公安分局").items[0]
    assert (one.verified, one.source) == (D(20), "computed")
    f = next(f for f in r.report if f.code == "above-ceiling")
    assert "25.00" in f.message and "20.00" in f.message and "以计算上限为准" in f.message


def test_haishu_reporting_deduction_overridden_with_a_reason(tmp_path):
    """…and with a reason in 备注 it is an override, shown as such."""
    r = compute_folder(_police(tmp_path, 25, "报备系统故障，两件已补报，经领导小组同意"))
    one = r.unit("海曙公安分局").items[0]
    assert (one.verified, one.computed, one.source) == (D(25), D(20), "override")
    assert "报备系统故障" in one.explanation and "高于计算上限" in one.explanation
    assert any(f.code == "override" for f in r.report)


def test_a_lower_assessor_score_stands(tmp_path):
    """“按海政办发〔2017〕79号文件要求履行量化积分审核职能”: the duty part is the assessor's — a
    核定分 at or below the ceiling is the score."""
    one = compute_folder(_police(tmp_path, 18)).unit("海曙公安分局").items[0]
    assert (one.verified, one.computed, one.source) == (D(18), D(20), "assessor")


def test_readme_describes_the_ceiling_rule():
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    assert "不能被考核组的核定分抵消" in text


# -- Beilun: every duty the seed lists --------------------------------------------------------

ITEM16 = (
    "加强卫生防疫工作，建立流动人口电子健康档案，落实流动人口孕产妇和适龄儿童保健服务工作，"
    "动态掌握本地流动孕产妇及适龄儿童情况，居住3个月以上流动人口子女一类疫苗接种率达85%以上，"
    "未落实的每项扣2分。"
)


def test_beilun_item16_models_its_four_duties():
    """Seed 001, 服务工作 第5行: “建立流动人口电子健康档案，落实流动人口孕产妇和适龄儿童保健服务工作，
    动态掌握本地流动孕产妇及适龄儿童情况，居住3个月以上流动人口子女一类疫苗接种率达85%以上，未落实的每项
    扣2分”: the rate from the office's figures, the three others checked by the assessor."""
    item = BEILUN.sheet("streets").item(16)
    assert item.text == ITEM16 and item.mode == "ceiling_assessor"
    kinds = [(p.kind, getattr(p, "points", None)) for p in item.parts]
    assert kinds == [("threshold", D(-2)), ("duty", D(-2)), ("duty", D(-2)), ("duty", D(-2))]
    assert [p.label for p in item.parts[1:]] == [
        "建立流动人口电子健康档案",
        "落实流动人口孕产妇和适龄儿童保健服务工作",
        "动态掌握本地流动孕产妇及适龄儿童情况",
    ]


def test_beilun_item6_checks_the_volunteer_records():
    """Seed 001, 管理工作 第2行: “会员数达10%以上，其中骨干会员达到30%以上，……会员在微志愿上信息齐全。
    未达标的每项扣5分”."""
    item = BEILUN.sheet("streets").item(6)
    assert [p.kind for p in item.parts] == ["threshold", "threshold", "duty"]
    assert item.parts[2].label == "会员在微志愿上信息齐全"


def test_beilun_item13_leaves_the_rest_to_discretion():
    """Seed 001, 服务工作 第2行: “……未完成的每项扣3分，落实不力的酌情扣分”: three measured targets,
    and the other duties as one discretionary check."""
    item = BEILUN.sheet("streets").item(13)
    assert [p.kind for p in item.parts] == ["threshold", "threshold", "threshold", "duty"]
    assert getattr(item.parts[3], "points", "x") is None


BEILUN_MET = {  # every figure of 新碶街道 meets its target
    "流动人口数": 50000,
    "融合组织会员数": 6000,
    "骨干会员数": 2000,
    "一类疫苗接种率": 0.9,
}


def _beilun_street(tmp_path: Path, verified: dict[str, object], remarks: dict | None = None):
    tmp_path.mkdir()
    template_indicators(BEILUN, tmp_path / "i.xlsx", {"新碶街道": BEILUN_MET})
    filled_template(BEILUN, tmp_path / "a.xlsx", "新碶街道", verified=verified, remarks=remarks)
    return compute_folder(tmp_path, rubric="beilun-streets").unit("新碶街道")


def test_beilun_assessor_scores_the_whole_item(tmp_path):
    """Item 16: the rate is met (ceiling 2); the assessor found no 电子健康档案 and enters 0 — a
    score the duties allow; 1 is no score the duties allow (each unmet duty takes 2) and is
    refused, the item pending."""
    base = {"6": 10, "7": 5, "11": 4, "12": 5}
    u = _beilun_street(tmp_path / "a", {**base, "16": 0}, {"16": "未建立电子健康档案"})
    sixteen = next(i for i in u.items if i.no == 16)
    assert (sixteen.verified, sixteen.computed, sixteen.source) == (D(0), D(2), "assessor")
    assert "电子健康档案" in sixteen.explanation
    u = _beilun_street(tmp_path / "b", {**base, "16": 1})
    sixteen = next(i for i in u.items if i.no == 16)
    assert sixteen.source == "pending" and "可能的得分：2、0" in sixteen.explanation


def test_beilun_innovation_bonus_is_uncapped(tmp_path):
    """Seed 001, 创新工作: “在市、省、国家主流媒体发表的分别加2、5、8分” — no cap is stated: 15
    national articles count 120, and ``rubric show`` prints no maximum."""
    item = BEILUN.sheet("streets").item("创新1")
    c = compute_item(
        item,
        _values(BEILUN, {**{p.indicator: 0 for p in item.parts}, "国家级媒体发表篇数": 15}),
        places=2,
    )
    assert c.value == D("120.00")
    out = CliRunner().invoke(app, ["rubric", "show", "beilun-streets"], env={"COLUMNS": "200"})
    assert "不封顶" in out.stdout and "0～100" not in out.stdout
