"""``flowscore rubric list / show / check`` through Typer's CliRunner, the Chinese descriptions
of every rule kind, and ``rubric check`` on broken files: one file per problem it reports."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowscore.catalog import name_of
from flowscore.cli import app
from flowscore.findings import Level
from flowscore.rubric import load_rubric
from flowscore.rubric.describe import describe_item, describe_part
from flowscore.rubric.lint import lint_rubric
from flowscore.rubric.load import RUBRIC_DIR, check_rubric
from flowscore.rubric.model import Item
from flowscore.rules.per_count import PerCount
from flowscore.rules.rank_points import RankPoints
from flowscore.rules.rank_table import RankTable
from flowscore.rules.rate_shortfall import RateShortfall
from flowscore.rules.threshold import Threshold
from flowscore.rules.yes_no import YesNo

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Tables as on a wide terminal, so a cell's text is not folded across lines."""
    from flowscore.cli import console as ui

    monkeypatch.setattr(ui.console, "width", 240)


def run(*args: str):
    return runner.invoke(app, ["rubric", *args], catch_exceptions=False)


# =============================================================================================
# list / show


def test_list_builtins():
    r = run("list")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[:3] == [
        "内置评分细则",
        "  beilun-streets  北仑区街道流动人口服务管理考核",
        "      年度 未注明，11 个单位，1 张评分表（附件1）；"
        "依据《北仑区街道流动人口服务管理考核评分细则》（附件1）",
    ]
    assert "  haishu-2019  2019年度海曙区流动人口服务管理项目目标管理考核" in r.output
    assert "年度 2019，26 个单位，10 张评分表（附件1、附件2）" in r.output
    assert "年度 2013，17 个单位，1 张评分表" in r.output
    assert ".txt" not in r.output and "seeds" not in r.output


def test_show_beilun():
    r = run("show", "beilun-streets")
    assert r.exit_code == 0, r.output
    out = r.output
    assert out.splitlines()[:3] == [
        "北仑区街道流动人口服务管理考核",
        "  依据：《北仑区街道流动人口服务管理考核评分细则》（附件1）",
        "  年度未注明；编号 beilun-streets",
    ]
    assert "  街道，基本分 100，11 个：新碶街道、" in out
    assert "“录用信息篇数”每1个加0.5分" in out
    assert "“业务培训次数”要求不少于2，每少1个扣2分" in out
    assert "“信息登记率”低于95%的扣4分" in out
    assert "“出租房屋供应量”低于“上年度出租房屋供应量”的扣3分" in out
    assert "考核组另行核定，不高于计算值；空白即采用计算值" in out
    assert "加分项，不计入分值合计" in out
    assert "  基础工作（分值 30）" in out
    assert "  5 居住条件和出租房屋（分值 6，计算上限，考核组核定）" in out
    assert "towns" not in out and "sheets." not in out  # titles, not internal ids


def test_show_province_and_option_form():
    r = run("show", "--rubric", "province-2013")
    assert r.exit_code == 0, r.output
    out = r.output
    assert (
        "协管员配备率 = “协管员人数” ÷ “应配协管员数”，低于100%的每1个百分点扣0.1分，最多扣5分"
    ) in out
    assert "应配协管员数 = 城镇流动人口数 / 800 + 农村流动人口数 / 500" in out
    assert "允许的核定分：5、3、2、0" in out
    assert "负责单位：市财政局" in out
    assert "负责单位：专项组办公室（未注明负责单位的项目）" in out
    assert "  来华人员服务管理情况（分值 0，最低 -10）" in out
    assert "成员单位（实地检查评分）：专项组办公室、市财政局" in out


def test_show_haishu_describes_rank_rules_and_pools():
    out = run("show", "haishu-2019").output
    assert "按量化积分参与率（“年度新增参加量化积分人数” ÷ “持证数”）从高到低排名" in out
    assert "第1名+20、第2名+16" in out
    assert "加分：每项 5～15 分，同一专题按最高一项计" in out
    assert "各项分值合计 105（文件原样公布）" in out and "警告" not in out


def test_show_a_file_and_an_unknown_id(tmp_path):
    path = tmp_path / "my.toml"
    path.write_text(MINIMAL, "utf-8")
    r = run("show", str(path))
    assert r.exit_code == 0 and "测试细则" in r.output
    r = runner.invoke(app, ["rubric", "show", "beilun-2099"])
    assert r.exit_code == 1
    assert "找不到评分细则“beilun-2099”" in r.output and "beilun-streets" in r.output


def test_show_a_broken_file_says_where(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL.replace('kind = "per_count"', 'kind = "per_cnt"'), "utf-8")
    r = runner.invoke(app, ["rubric", "show", str(path)])
    assert r.exit_code == 1
    assert name_of("rubric-unknown-kind") in r.output and "rubric check" in r.output
    assert "Traceback" not in r.output


# =============================================================================================
# Descriptions of each rule kind


def test_describe_every_kind():
    assert (
        describe_part(PerCount(label="x", indicator="未报备发文数", points=D(-2)))
        == "“未报备发文数”每1个扣2分"
    )
    assert (
        describe_part(PerCount(label="x", indicator="录用信息篇数", points=D("0.5"), cap=D(5)))
        == "“录用信息篇数”每1个加0.5分，最多加5分"
    )
    assert (
        describe_part(PerCount(label="x", indicator="业务培训次数", points=D(-2), required=D(2)))
        == "“业务培训次数”要求不少于2，每少1个扣2分"
    )
    assert describe_part(
        RateShortfall(
            label="x",
            rate_name="居住证申领率",
            numerator="居住证申领数",
            denominator="居住半年以上流动人口数",
            target=D(30),
            per_point=D(1),
            cap=D(10),
            rounding="floor",
        )
    ) == (
        "居住证申领率 = “居住证申领数” ÷ “居住半年以上流动人口数”，低于30%的"
        "每1个百分点扣1分（不足1个百分点的不计），最多扣10分"
    )
    assert (
        describe_part(YesNo(label="x", indicator="窗口", if_yes=D(10)))
        == "“窗口”（是/否）：是计10分"
    )
    assert (
        describe_part(YesNo(label="x", indicator="落实", if_no=D(-2))) == "“落实”（是/否）：否扣2分"
    )
    assert (
        describe_part(
            Threshold(
                label="x",
                value_name="会员比例",
                numerator="会员数",
                denominator="人口数",
                target=D(10),
                points=D(-5),
            )
        )
        == "会员比例（“会员数” ÷ “人口数”）低于10%的扣5分"
    )
    assert (
        describe_part(
            Threshold(
                label="x", value_name="期数", indicator="知识竞赛期数", target=D(1), points=D(-3)
            )
        )
        == "“知识竞赛期数”低于1的扣3分"
    )
    assert (
        describe_part(
            RankPoints(
                label="x",
                rate_name="参与率",
                numerator="a",
                denominator="b",
                first=D(20),
                step=D(1),
                floor=D(4),
            )
        )
        == "按参与率（“a” ÷ “b”）从高到低排名：第1名20分，每后一名减1分，最低4分；并列取所占名次得分的中位数"
    )
    scheme, _ = load_rubric("haishu-2019")
    assert describe_part(RankTable(label="x", table="city-ranking"), scheme).startswith(
        "按业务条线市对区考核排名计分：第1名+20、第2名+16"
    )
    assert describe_part(RankTable(label="x", table="nope")) == "按排名折算表“nope”计分"


def test_describe_items():
    assessor = Item(no=1, text="t", max=D(5), mode="assessor", allowed=(D(5), D(0)))
    assert describe_item(assessor) == "考核组核定（未填为待核定）\n允许的核定分：5、0"
    optional = Item(
        no="四.1", text="t", max=D(0), min=D(-5), mode="assessor", assessor_optional=True
    )
    assert (
        describe_item(optional) == "考核组核定；空白按0分计（不加分、不扣分）\n得分在 -5～0 分之间"
    )


# =============================================================================================
# check: builtins, and one broken file per problem

MINIMAL = """\
id = "mini"
title = "测试细则"
year = 2020

[[tiers]]
id = "A"
label = "A类"
base = 1
sheet = "towns"
units = ["甲街道", "乙街道"]

[[indicators]]
name = "未报备发文数"
kind = "count"
sheets = ["towns"]

[[indicators]]
name = "登记率"
kind = "rate"
sheets = ["towns"]

[sheets.towns]
title = "测试评分表"
total = 100

[[sheets.towns.categories]]
name = "基础"
max = 60

[[sheets.towns.categories]]
name = "其他"
max = 40

[[sheets.towns.items]]
no = 1
category = "基础"
text = "工作报备"
max = 30
mode = "computed"
parts = [
  { kind = "per_count", label = "未报备", indicator = "未报备发文数", points = -2 },
]

[[sheets.towns.items]]
no = 2
category = "基础"
text = "登记"
max = 30
mode = "computed"
parts = [
  { kind = "threshold", label = "登记率", value_name = "登记率", indicator = "登记率", target = 95, points = -4 },
]

[[sheets.towns.items]]
no = 3
category = "其他"
text = "其他工作"
max = 40
mode = "assessor"
allowed = [40, 20, 0]
"""


def write(tmp_path: Path, text: str, name: str = "mini.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edit(*edits: tuple[str, str]) -> str:
    text = MINIMAL
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def test_minimal_is_clean(tmp_path):
    path = write(tmp_path, MINIMAL)
    scheme, findings = lint_rubric(path)
    assert findings == [] and scheme is not None
    # a rate indicator under a threshold compares as a percentage (0.95 is 95%)
    part = scheme.sheet("towns").items[1].parts[0]
    assert (part.numerator, part.indicator, part.denominator) == ("登记率", None, None)
    r = run("check", str(path))
    assert r.exit_code == 0
    assert (
        "错误 0、警告 0" in r.output
        and "评分细则可以使用：2 个单位，1 张评分表，3 个考核项目" in r.output
    )


@pytest.mark.parametrize("rid", ["haishu-2019", "beilun-streets", "province-2013"])
def test_builtins_pass(rid):
    r = run("check", rid)
    assert r.exit_code == 0, r.output
    assert "评分细则可以使用" in r.output
    _, findings = lint_rubric(RUBRIC_DIR / f"{rid}.toml")
    assert [f.code for f in findings] == []  # 区市场监管局's 105 is recorded: published_sum


# (id, edits, code, level, key): one problem per file.
CHECKS = [
    # errors from loading
    ("syntax", [("year = 2020", "year = = 2020")], "rubric-syntax", Level.ERROR, ""),
    (
        "unknown-kind",
        [('kind = "per_count"', 'kind = "per_cnt"')],
        "rubric-unknown-kind",
        Level.ERROR,
        "sheets.towns.items[0].parts[0].kind",
    ),
    ("bad-year", [("year = 2020", 'year = "2020年"')], "rubric-bad-value", Level.ERROR, "year"),
    (
        "allowed-out-of-range",
        [("allowed = [40, 20, 0]", "allowed = [40, 20, -1]")],
        "rubric-bad-range",
        Level.ERROR,
        "sheets.towns.items[2].allowed[2]",
    ),
    (
        "owner-not-an-assessor",
        [
            ("year = 2020", 'year = 2020\nassessors = ["市财政局"]'),
            ('mode = "assessor"', 'mode = "assessor"\nowner = "市教育局"'),
        ],
        "rubric-unknown-ref",
        Level.ERROR,
        "sheets.towns.items[2].owner",
    ),
    # units without tier: the tier they are listed under did not load
    ("unit-no-tier", [("base = 1\n", "")], "rubric-unit-no-tier", Level.ERROR, "tiers[0].units"),
    # sums
    (
        "published-sum",
        [("total = 100", "total = 105")],
        "rubric-sum-mismatch",
        Level.WARNING,
        "sheets.towns",
    ),
    (
        "category-sum",
        [('name = "基础"\nmax = 60', 'name = "基础"\nmax = 50')],
        "rubric-category-sum",
        Level.WARNING,
        "sheets.towns.categories[0]",
    ),
    # overlapping ranges: two rules on one value, both deducting below their targets
    (
        "range-overlap",
        [
            (
                "target = 95, points = -4 },",
                'target = 95, points = -4 },\n  { kind = "threshold", label = "登记率2", '
                'value_name = "登记率", indicator = "登记率", target = 90, points = -4 },',
            )
        ],
        "rubric-range-overlap",
        Level.WARNING,
        "sheets.towns.items[1].parts[1]",
    ),
    (
        "allowed-no-max",
        [("allowed = [40, 20, 0]", "allowed = [30, 20, 0]")],
        "rubric-allowed-no-max",
        Level.WARNING,
        "sheets.towns.items[2].allowed",
    ),
    (
        "allowed-duplicate",
        [("allowed = [40, 20, 0]", "allowed = [40, 20, 20, 0]")],
        "rubric-allowed-duplicate",
        Level.WARNING,
        "sheets.towns.items[2].allowed",
    ),
    (
        "tier-empty",
        [
            (
                '[[indicators]]\nname = "未报备发文数"',
                '[[tiers]]\nid = "B"\nbase = 1\nsheet = "towns"\nunits = []\n\n'
                '[[indicators]]\nname = "未报备发文数"',
            )
        ],
        "rubric-tier-empty",
        Level.WARNING,
        "tiers[1]",
    ),
    (
        "indicator-unused",
        [
            (
                '[[indicators]]\nname = "登记率"',
                '[[indicators]]\nname = "走访次数"\nsheets = ["towns"]\n\n'
                '[[indicators]]\nname = "登记率"',
            )
        ],
        "rubric-indicator-unused",
        Level.WARNING,
        "indicators[1]",
    ),
    (
        "alias-clash",
        [
            (
                'name = "登记率"\nkind = "rate"',
                'name = "登记率"\nkind = "rate"\naliases = ["未报备发文数"]',
            )
        ],
        "rubric-alias-clash",
        Level.WARNING,
        "indicators[1]",
    ),
    (
        "header-clash",
        [
            (
                "[sheets.towns]",
                '[headers.annex]\nself = ["自评分"]\n'
                'verified = ["核定分", "自评分"]\n\n[sheets.towns]',
            )
        ],
        "rubric-header-clash",
        Level.WARNING,
        "headers.annex.verified",
    ),
    (
        "owner-no-assessors",
        [('mode = "assessor"', 'mode = "assessor"\nowner = "市教育局"')],
        "rubric-owner-no-assessors",
        Level.WARNING,
        "sheets.towns.items[2].owner",
    ),
]


LOADER_CODES = {
    "rubric-syntax",
    "rubric-unknown-kind",
    "rubric-bad-value",
    "rubric-bad-range",
    "rubric-unknown-ref",
    "rubric-sum-mismatch",
}


@pytest.mark.parametrize(
    ("edits", "code", "level", "key"), [c[1:] for c in CHECKS], ids=[c[0] for c in CHECKS]
)
def test_check_reports_each_problem(tmp_path, edits, code, level, key):
    path = write(tmp_path, edit(*edits))
    _, findings = lint_rubric(path)
    relevant = [f for f in findings if f.level is Level.ERROR or level is Level.WARNING]
    if level is Level.ERROR:
        assert (code, key) in [(f.code, f.key) for f in relevant], findings
    else:
        assert [(f.code, f.level, f.key) for f in findings] == [(code, level, key)], findings
    f = next(f for f in findings if f.code == code)
    assert f.file == "mini.toml" and f.message
    if f.code not in LOADER_CODES:
        assert f.hint  # every check of ``rubric check`` says how to fix it
    r = run("check", str(path))
    out = "".join(r.output.split())
    assert "".join(name_of(code).split()) in out and code not in out  # the clerk reads names
    if level is Level.ERROR:
        assert r.exit_code == 1 and "不能使用" in out
    else:
        assert r.exit_code == 0 and "请逐条确认上面的警告" in out


def test_unit_no_tier_names_the_units(tmp_path):
    path = write(tmp_path, edit(("base = 1\n", "")))
    _, findings = lint_rubric(path)
    f = next(f for f in findings if f.code == "rubric-unit-no-tier")
    assert "甲街道、乙街道" in f.message
    assert ("rubric-missing-key", "tiers[0].base") in [(x.code, x.key) for x in findings]


def test_id_differs_from_file_name(tmp_path):
    path = write(tmp_path, MINIMAL, name="beilun-2020.toml")
    _, findings = lint_rubric(path)
    assert [(f.code, f.level) for f in findings] == [("rubric-id-filename", Level.WARNING)]
    assert "mini" in findings[0].message and "beilun-2020" in findings[0].message


def test_several_problems_at_once(tmp_path):
    path = write(
        tmp_path,
        edit(
            ("allowed = [40, 20, 0]", "allowed = [30, 20, 20, 0]"),
            ('name = "基础"\nmax = 60', 'name = "基础"\nmax = 50'),
            ('kind = "per_count"', 'kind = "per_cnt"'),
        ),
    )
    r = run("check", str(path))
    assert r.exit_code == 1
    out = "".join(r.output.split())
    # the item with the unknown kind drops out: its category no longer sums, its indicator
    # is unused; the other problems are reported all the same
    for code in (
        "rubric-unknown-kind",
        "rubric-allowed-no-max",
        "rubric-allowed-duplicate",
        "rubric-category-sum",
        "rubric-indicator-unused",
    ):
        assert name_of(code) in out, code
    assert "错误1、警告4" in out


def test_check_unreadable_file(tmp_path):
    r = run("check", str(tmp_path / "missing.toml"))
    assert r.exit_code == 1
    assert "找不到评分细则" in r.output


def test_rubric_without_year_loads(tmp_path):
    path = write(tmp_path, edit(("year = 2020\n", "")))
    scheme, findings = check_rubric(path)
    assert findings == [] and scheme.year is None


def test_group_help_is_chinese():
    r = runner.invoke(app, ["rubric", "--help"])
    assert r.exit_code == 0
    for word in ("list", "show", "check", "评分细则"):
        assert word in r.output
