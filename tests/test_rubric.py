"""The rubric: the built-in Haishu 2019 scheme against DOMAIN.md §2/§5 and its source document,
and every validation message of the loader, each from a small rubric file written here."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal as D
from pathlib import Path

import pytest

from flowscore.errors import RubricError
from flowscore.findings import Level
from flowscore.rubric.load import RUBRIC_DIR, check_rubric, load_rubric, resolve_rubric
from flowscore.rules.rank_table import RankTable

SEED = Path("/work/shared/seeds/000_96f919ca9073d1ad.txt")
BUILTIN = RUBRIC_DIR / "haishu-2019.toml"
CJK = re.compile(r"[\u4e00-\u9fff]")


def norm(text: str) -> str:
    """Drop every whitespace (the seed is a Word table, one cell a line) and Word's bookmark."""
    return re.sub(r"\s+", "", text.replace("[bookmark: _GoBack]", ""))


@pytest.fixture(scope="module")
def scheme():
    s, _warnings = load_rubric("haishu-2019")
    return s


@pytest.fixture(scope="module")
def seed() -> str:
    if not SEED.is_file():
        pytest.skip(f"source document {SEED} not available")
    return norm(SEED.read_text(encoding="utf-8"))


# =============================================================================================
# 1. The built-in rubric matches DOMAIN.md §2 and §5

TIERS = {
    "A": (
        D("0.7"),
        [
            "月湖街道",
            "西门街道",
            "江厦街道",
            "南门街道",
            "鼓楼街道",
            "白云街道",
            "望春街道",
            "段塘街道",
        ],
    ),
    "B": (D("0.4"), ["集士港镇", "古林镇", "高桥镇", "洞桥镇", "石碶街道"]),
    "C": (D("0.2"), ["横街镇", "鄞江镇", "章水镇", "龙观乡"]),
    "部门": (
        D(2),
        [
            "海曙公安分局",
            "区教育局",
            "区人力社保局",
            "区卫生健康局",
            "区总工会",
            "区住建局",
            "区市场监管局",
            "区医保局",
            "区综合执法局",
        ],
    ),
}

# DOMAIN.md §2 附件2, item maxima in document order; the trailing 20 of a ranked department is ±20.
DEPT_MAXIMA = {
    "海曙公安分局": [30, 10, 30, 15, 10, 5, 20],
    "区教育局": [20, 20, 40, 15, 5, 20],
    "区人力社保局": [30, 10, 10, 5, 20, 20, 5, 20],
    "区卫生健康局": [30, 20, 20, 15, 10, 5, 20],
    "区总工会": [30, 45, 25, 20],
    "区住建局": [10, 20, 15, 40, 10, 5],
    "区市场监管局": [30, 30, 40, 5],
    "区医保局": [10, 40, 25, 25],
    "区综合执法局": [30, 35, 30, 5],
}
RANKED = {"海曙公安分局", "区教育局", "区人力社保局", "区卫生健康局", "区总工会"}

DECISION_KEYS = (
    "shortfall_rounding",
    "item_places",
    "contribution_places",
    "total_floor",
    "rank_scope",
    "rank_tie",
    "computed_override_needs_reason",
    "self_above_max_needs_reason",
    "rescale_to_100",
)


def test_builtin_loads_without_warnings_the_105_being_recorded_as_published():
    """区市场监管局's items sum to 105 as published: recorded once (published_sum = 105), so no run
    warns about it; the rubric describes it instead."""
    s, warnings = load_rubric("haishu-2019")
    assert s.id == "haishu-2019" and s.year == 2019
    assert s.deadline == "12月10日"
    assert warnings == []
    market = s.sheet("dept-market")
    assert market.published_sum == 105 and market.items_max_sum == 105 and market.total == 100
    s2, warnings2 = check_rubric(BUILTIN)
    assert s2 == s and warnings2 == warnings


def test_default_rubric_is_haishu(scheme):
    s, _ = load_rubric()
    assert s == scheme


def test_units_tiers_and_base_points(scheme):
    assert len(scheme.units) == 26
    assert [t.id for t in scheme.tiers] == list(TIERS)
    for tid, (base, names) in TIERS.items():
        assert scheme.tier(tid).base == base
        assert [u.name for u in scheme.units if u.tier == tid] == names
    for u in scheme.units:
        assert u.sheet == ("towns" if u.tier in ("A", "B", "C") else u.sheet)
    assert len(scheme.units_of_sheet("towns")) == 17
    dept_sheets = {u.sheet for u in scheme.units if u.tier == "部门"}
    assert len(dept_sheets) == 9 and "towns" not in dept_sheets


def test_towns_sheet(scheme):
    sheet = scheme.sheet("towns")
    assert sheet.annex == "附件1" and sheet.total == 100
    assert [it.no for it in sheet.items] == [1, 2, 3, 4, 5, 6]
    assert [it.max for it in sheet.items] == [5, 40, 30, 15, 5, 5]
    assert all(it.min == 0 and not it.is_adjustment for it in sheet.items)
    assert [it.mode for it in sheet.items] == ["computed"] * 3 + ["assessor"] * 3
    assert sheet.items_max_sum == 100


@pytest.mark.parametrize("unit", list(DEPT_MAXIMA))
def test_department_sheet(scheme, unit):
    sheet = scheme.sheet(scheme.unit(unit).sheet)
    maxima = DEPT_MAXIMA[unit]
    assert sheet.annex == "附件2" and sheet.total == 100
    assert [it.no for it in sheet.items] == list(range(1, len(maxima) + 1))
    assert [it.max for it in sheet.items] == maxima
    adjustments = [it for it in sheet.items if it.is_adjustment]
    if unit in RANKED:
        last = sheet.items[-1]
        assert adjustments == [last]
        assert (last.min, last.max, last.max_label, last.start) == (-20, 20, "±20", "zero")
        assert last.parts == (RankTable(label="市对区考核排名", table="city-ranking"),)
    else:
        assert adjustments == []
        assert not any(isinstance(p, RankTable) for it in sheet.items for p in it.parts)
    expected_sum = 105 if unit == "区市场监管局" else 100
    assert sheet.items_max_sum == expected_sum


def test_each_department_has_its_own_sheet(scheme):
    depts = [u for u in scheme.units if u.tier == "部门"]
    assert len({u.sheet for u in depts}) == len(depts)
    for u in depts:
        assert scheme.units_of_sheet(u.sheet) == (u,)
        assert scheme.sheet(u.sheet).cite == f"附件2 {u.name}"


def test_bonus_and_penalty_pools(scheme):
    for sheet in scheme.sheets:
        b, p = sheet.bonus, sheet.penalty
        assert (b.kind, b.min, b.max, b.same_topic, b.cap) == ("bonus", 5, 15, "highest", None)
        assert (p.kind, p.min, p.max) == ("penalty", 5, 10)
    towns_pen = scheme.sheet("towns").penalty
    dept_pen = scheme.sheet("dept-police").penalty
    assert "区域性社会稳定" in towns_pen.text
    assert "政策制定不合理" in dept_pen.text
    assert all(s.penalty == dept_pen for s in scheme.sheets if s.id != "towns")


def test_city_ranking_table(scheme):
    table = scheme.table("city-ranking")
    assert table.points == tuple(D(p) for p in (20, 16, 12, 8, 4, -4, -8, -12, -16, -20))
    assert table.tie == "median"
    assert "中位数" in table.cite


def test_every_domain_decision_is_explicit_in_the_file(scheme):
    data = tomllib.loads(BUILTIN.read_text(encoding="utf-8"))
    decisions = data["decisions"]
    for key in DECISION_KEYS:
        assert key in decisions, f"[decisions] lacks {key}"
    assert decisions == {
        "shortfall_rounding": "proportional",
        "item_places": 2,
        "contribution_places": 4,
        "total_floor": 0,
        "rank_scope": "sheet",
        "rank_tie": "median",
        "computed_override_needs_reason": True,
        "self_above_max_needs_reason": True,
        "rescale_to_100": False,
    }
    d = scheme.decisions
    assert (d.total_cap, d.bonus_cap) == (None, None)  # bonuses may lift a total above 100
    assert (d.item_places, d.contribution_places, d.total_floor) == (2, 4, 0)


# =============================================================================================
# 2. Seed fidelity: everything the rubric quotes is in the source document


def _annex_blocks(seed: str, scheme) -> dict[str, str]:
    """The normalised seed cut into one block per sheet (towns; each department's rows)."""
    a1 = seed.index("附件12019年度镇（乡）街道流动人口服务管理项目考核评分表")
    a2 = seed.index("附件22019年度职能部门流动人口服务管理项目考核评分表")
    blocks = {"towns": seed[a1:a2]}
    annex2 = seed[a2:]
    depts = [u for u in scheme.units if u.tier == "部门"]
    starts = [annex2.index(u.name) for u in depts]
    assert starts == sorted(starts), "departments are in the seed's order"
    ends = [*starts[1:], annex2.index("加分项目", starts[-1])]
    for u, a, b in zip(depts, starts, ends, strict=True):
        blocks[u.sheet] = annex2[a:b]
    return blocks


def test_every_item_text_and_max_is_copied_from_the_seed_in_order(scheme, seed):
    blocks = _annex_blocks(seed, scheme)
    for sheet in scheme.sheets:
        block, pos = blocks[sheet.id], 0
        for it in sheet.items:
            assert norm(it.text) in seed, f"{sheet.id} 第{it.no}项 text not in the seed"
            cell = norm(it.text) + it.max_label  # the 考核内容 cell, then its 分值 cell
            found = block.find(cell, pos)
            assert found >= 0, f"{sheet.id} 第{it.no}项 not found after the previous item"
            pos = found + len(cell)


def test_every_item_cites_its_place(scheme):
    for sheet in scheme.sheets:
        for it in sheet.items:
            assert it.cite.strip()
            assert it.text.strip()
            if sheet.id == "towns":
                assert it.cite == f"附件1 序号{it.no}"
            else:
                assert it.cite == f"{sheet.cite} 第{it.no}项"


def test_pool_texts_are_in_the_seed(scheme, seed):
    blocks = _annex_blocks(seed, scheme)
    towns_end = seed.index("附件22019年度职能部门")
    for sheet in scheme.sheets:
        for pool in (sheet.bonus, sheet.penalty):
            assert pool.text and norm(pool.text) in seed
            assert pool.cite
    assert norm(scheme.sheet("towns").penalty.text) in blocks["towns"]
    assert norm(scheme.sheet("dept-police").penalty.text) in seed[towns_end:]


def test_unit_names_and_tiers_are_in_the_seed(scheme, seed):
    for u in scheme.units:
        assert norm(u.name) in seed
    labels = {"A": "A类街道", "B": "B类镇、街道", "C": "C类镇、乡"}
    for tid, label in labels.items():
        base, names = TIERS[tid]
        assert f"{'、'.join(names)}等{len(names)}个{label}考核基本分为{base}分" in seed
    assert "区级部门考核基本分为2分" in seed
    assert "、".join(TIERS["部门"][1]) in seed


def test_footnotes_are_in_the_seed(scheme, seed):
    for sheet in scheme.sheets:
        assert sheet.footnotes
        for note in sheet.footnotes:
            assert norm(note) in seed, f"{sheet.id}: {note}"
    assert len(scheme.sheet("towns").footnotes) == 2
    assert all(len(s.footnotes) == 3 for s in scheme.sheets if s.id != "towns")


def test_ranking_table_matches_footnote_3(scheme, seed):
    points = scheme.table("city-ranking").points
    text = "、".join(f"第{i}名{'+' if p > 0 else ''}{p}分" for i, p in enumerate(points, 1))
    assert "业务条线市对区考核排名" + text in seed
    assert "如并列排名的，按该档次排名的中位数计算加扣分" in seed


# =============================================================================================
# 3. Validation: every message, from a small rubric written by the test

MINIMAL = """\
id = "mini"
title = "最小评分细则"
year = 2019

[decisions]
shortfall_rounding = "proportional"
item_places = 2

[[tiers]]
id = "A"
label = "A类"
base = 0.7
sheet = "towns"
units = ["甲街道"]

[[tiers]]
id = "B"
label = "B类"
base = 0.4
units = [{ name = "乙街道", sheet = "towns" }]

[[indicators]]
name = "未报备发文数"
kind = "count"
sheets = ["towns"]

[tables.city-ranking]
name = "市对区考核排名"
points = [20, 16, 12]
tie = "median"

[pools.bonus]
kind = "bonus"
text = "加分项目"
min = 5
max = 15
same_topic = "highest"

[pools.penalty]
kind = "penalty"
text = "减分项目"
min = 5
max = 10

[sheets.towns]
title = "测试评分表"
total = 100
bonus = "bonus"
penalty = "penalty"

[[sheets.towns.items]]
no = 1
text = "工作报备"
max = 60
mode = "computed"
parts = [
  { kind = "per_count", label = "未报备发文", indicator = "未报备发文数", points = -2 },
]

[[sheets.towns.items]]
no = 2
text = "其他工作"
max = 40
mode = "assessor"

[[sheets.towns.items]]
no = 3
text = "市对区考核排名"
max = 20
min = -20
start = "zero"
mode = "computed"
parts = [
  { kind = "rank_table", label = "市对区考核排名", table = "city-ranking" },
]
"""


def minimal_rubric(*edits: tuple[str, str]) -> str:
    """The minimal valid rubric with targeted edits; each ``old`` must occur exactly once."""
    text = MINIMAL
    for old, new in edits:
        assert text.count(old) == 1, f"edit target {old!r} is not unique"
        text = text.replace(old, new)
    return text


def write(tmp_path: Path, text: str, name: str = "test-rubric.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_rubric_is_valid(tmp_path):
    path = write(tmp_path, minimal_rubric())
    s, findings = check_rubric(path)
    assert findings == []
    assert [u.name for u in s.units] == ["甲街道", "乙街道"]
    s2, warnings = load_rubric(path)
    assert s2 == s and warnings == []


ITEM0_PART = "sheets.towns.items[0].parts[0]"
TIER_C = '\n[[tiers]]\nid = "C"\nbase = 0.2\nsheet = "towns"\nunits = ["甲街道"]\n'

# (id, edits, code, key): one targeted edit of the minimal rubric, one error at ``key``.
CASES = [
    ("syntax", [("year = 2019", "year = = 2019")], "rubric-syntax", ""),
    (
        "unknown-kind",
        [('kind = "per_count"', 'kind = "per_cnt"')],
        "rubric-unknown-kind",
        f"{ITEM0_PART}.kind",
    ),
    (
        "missing-param",
        [('indicator = "未报备发文数", ', "")],
        "rubric-missing-param",
        f"{ITEM0_PART}.indicator",
    ),
    (
        "unknown-param",
        [("points = -2 }", "points = -2, each = 1 }")],
        "rubric-unknown-param",
        f"{ITEM0_PART}.each",
    ),
    (
        "unit-twice",
        [("[[indicators]]", TIER_C + "\n[[indicators]]")],
        "rubric-unit-twice",
        "tiers[2].units[0]",
    ),
    (
        "unknown-indicator",
        [('indicator = "未报备发文数"', 'indicator = "未报备文件数"')],
        "rubric-unknown-indicator",
        f"{ITEM0_PART}.indicator",
    ),
    (
        "unknown-table",
        [('table = "city-ranking"', 'table = "city-rank"')],
        "rubric-unknown-ref",
        "sheets.towns.items[2].parts[0].table",
    ),
    (
        "unknown-pool",
        [('bonus = "bonus"', 'bonus = "bonus2"')],
        "rubric-unknown-ref",
        "sheets.towns.bonus",
    ),
    (
        "unknown-mode",
        [('mode = "assessor"', 'mode = "assesor"')],
        "rubric-unknown-mode",
        "sheets.towns.items[1].mode",
    ),
    (
        "unknown-decision",
        [("item_places = 2", 'item_places = 2\nshortfall_round = "floor"')],
        "rubric-unknown-key",
        "decisions.shortfall_round",
    ),
    (
        "bad-decision",
        [('shortfall_rounding = "proportional"', 'shortfall_rounding = "nearest"')],
        "rubric-bad-value",
        "decisions.shortfall_rounding",
    ),
    (
        "bad-decision-bool",
        [("item_places = 2", "item_places = true")],
        "rubric-bad-value",
        "decisions.item_places",
    ),
    ("duplicate-no", [("no = 2", "no = 1")], "rubric-duplicate", "sheets.towns.items[1]"),
    (
        "unknown-sheet",
        [('sheet = "towns"\nunits', 'sheet = "town"\nunits')],
        "rubric-unknown-sheet",
        "tiers[0].units[0]",
    ),
    ("missing-max", [("max = 40\n", "")], "rubric-missing-key", "sheets.towns.items[1].max"),
    (
        "missing-mode",
        [('mode = "assessor"\n', "")],
        "rubric-missing-key",
        "sheets.towns.items[1].mode",
    ),
    (
        "unknown-top-key",
        [("year = 2019", "year = 2019\nyaer = 2019")],
        "rubric-unknown-key",
        "yaer",
    ),
    (
        "unknown-item-key",
        [('text = "其他工作"', 'text = "其他工作"\nmax_points = 40')],
        "rubric-unknown-key",
        "sheets.towns.items[1].max_points",
    ),
    # Keys the loader ignored silently before (a typo lost the bonus pool of a whole sheet).
    (
        "unknown-sheet-key",
        [('bonus = "bonus"', 'bonuss = "bonus"')],
        "rubric-unknown-key",
        "sheets.towns.bonuss",
    ),
    (
        "unknown-tier-key",
        [('sheet = "towns"\nunits', 'sheet = "towns"\nbsae = 1\nunits')],
        "rubric-unknown-key",
        "tiers[0].bsae",
    ),
    (
        "unknown-unit-key",
        [('units = ["甲街道"]', 'units = [{ name = "甲街道", alias = ["甲"] }]')],
        "rubric-unknown-key",
        "tiers[0].units[0].alias",
    ),
    (
        "unknown-pool-key",
        [('same_topic = "highest"', 'same_topic = "highest"\ncapp = 30')],
        "rubric-unknown-key",
        "pools.bonus.capp",
    ),
    (
        "unknown-table-key",
        [('tie = "median"', 'tie = "median"\nties = "best"')],
        "rubric-unknown-key",
        "tables.city-ranking.ties",
    ),
    (
        "unknown-indicator-key",
        [('kind = "count"', 'kind = "count"\nalias = ["x"]')],
        "rubric-unknown-key",
        "indicators[0].alias",
    ),
    # A missing number is a missing key, not "应为数字，实际为 None".
    ("missing-base", [("base = 0.7\n", "")], "rubric-missing-key", "tiers[0].base"),
    (
        "missing-pool-min",
        [("min = 5\nmax = 15", "max = 15")],
        "rubric-missing-key",
        "pools.bonus.min",
    ),
    (
        "missing-part-kind",
        [('kind = "per_count", ', "")],
        "rubric-missing-key",
        f"{ITEM0_PART}.kind",
    ),
    (
        "missing-table",
        [(', table = "city-ranking"', "")],
        "rubric-missing-param",
        "sheets.towns.items[2].parts[0].table",
    ),
    # A threshold without target crashed the loader with a TypeError.
    (
        "threshold-no-target",
        [
            (
                '{ kind = "per_count", label = "未报备发文", indicator = "未报备发文数", points = -2 }',
                '{ kind = "threshold", label = "未报备发文", value_name = "未报备发文数", '
                'indicator = "未报备发文数", points = -2 }',
            )
        ],
        "rubric-missing-param",
        f"{ITEM0_PART}.target",
    ),
]


@pytest.mark.parametrize(
    ("edits", "code", "key"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_validation_error(tmp_path, edits, code, key):
    path = write(tmp_path, minimal_rubric(*edits))
    _, findings = check_rubric(path)
    errors = [f for f in findings if f.level is Level.ERROR]
    assert [(f.code, f.key) for f in errors] == [(code, key)], findings
    finding = errors[0]
    assert finding.file == path.name
    assert CJK.search(finding.message), finding.message
    assert "None" not in finding.message
    assert not [f for f in findings if f.code == "rubric-sum-mismatch"], (
        "an item that failed to load must not also cause a sum warning"
    )
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert finding in info.value.findings
    assert CJK.search(info.value.message) and path.name in info.value.message
    assert "rubric check" in info.value.hint


def test_sum_mismatch_is_a_warning_and_loads(tmp_path):
    path = write(tmp_path, minimal_rubric(("max = 60", "max = 65")))
    _, findings = check_rubric(path)
    assert [(f.code, f.level, f.key) for f in findings] == [
        ("rubric-sum-mismatch", Level.WARNING, "sheets.towns")
    ]
    f = findings[0]
    assert f.file == path.name and "105" in f.message and CJK.search(f.message)
    scheme, warnings = load_rubric(path)
    assert warnings == findings
    assert scheme.sheet("towns").items_max_sum == 105
    assert "published_sum = 105" in f.hint


def test_published_sum_records_the_mismatch_and_must_match_the_items(tmp_path):
    """published_sum states what the document prints; it silences the warning only when the
    items do sum to it, and a wrong one is an error at that key."""
    kept = write(
        tmp_path,
        minimal_rubric(
            ("max = 60", "max = 65"), ("total = 100", "total = 100\npublished_sum = 105")
        ),
    )
    scheme, findings = check_rubric(kept)
    assert findings == [] and scheme.sheet("towns").published_sum == 105
    wrong = write(
        tmp_path,
        minimal_rubric(
            ("max = 60", "max = 65"), ("total = 100", "total = 100\npublished_sum = 110")
        ),
        name="wrong.toml",
    )
    _, findings = check_rubric(wrong)
    assert [(f.code, f.level, f.key) for f in findings] == [
        ("rubric-bad-value", Level.ERROR, "sheets.towns.published_sum")
    ]
    assert "110" in findings[0].message and "105" in findings[0].message


def test_unknown_sheet_also_warns_the_sheet_is_unused(tmp_path):
    path = write(
        tmp_path,
        minimal_rubric(
            ('sheet = "towns"\nunits', 'sheet = "town"\nunits'),
            ('sheet = "towns" }', 'sheet = "town" }'),
        ),
    )
    _, findings = check_rubric(path)
    assert {(f.code, f.level, f.key) for f in findings} == {
        ("rubric-unknown-sheet", Level.ERROR, "tiers[0].units[0]"),
        ("rubric-unknown-sheet", Level.ERROR, "tiers[1].units[0]"),
        ("rubric-sheet-unused", Level.WARNING, "sheets.towns"),
        ("rubric-missing-key", Level.ERROR, "tiers"),
    }


def test_threshold_with_compare_to_needs_no_target(tmp_path):
    edits = [
        (
            'sheets = ["towns"]\n',
            'sheets = ["towns"]\n\n[[indicators]]\nname = "去年出租房源数"\nsheets = ["towns"]\n',
        ),
        (
            '{ kind = "per_count", label = "未报备发文", indicator = "未报备发文数", points = -2 }',
            '{ kind = "threshold", label = "房源", value_name = "出租房源数", '
            'indicator = "未报备发文数", compare_to = "去年出租房源数", points = -3 }',
        ),
    ]
    scheme, findings = load_rubric(write(tmp_path, minimal_rubric(*edits)))
    assert findings == []
    assert scheme.sheet("towns").items[0].parts[0].compare_to == "去年出租房源数"


def test_several_errors_are_all_reported_at_once(tmp_path):
    path = write(
        tmp_path,
        minimal_rubric(
            ('kind = "per_count"', 'kind = "per_cnt"'),
            ('mode = "assessor"', 'mode = "assesor"'),
            ('shortfall_rounding = "proportional"', 'shortfall_rounding = "nearest"'),
            ('table = "city-ranking"', 'table = "city-rank"'),
            ('units = ["甲街道"]', 'units = ["甲街道", "乙街道"]'),
        ),
    )
    _, findings = check_rubric(path)
    expected = {
        ("rubric-unknown-kind", f"{ITEM0_PART}.kind"),
        ("rubric-unknown-mode", "sheets.towns.items[1].mode"),
        ("rubric-bad-value", "decisions.shortfall_rounding"),
        ("rubric-unknown-ref", "sheets.towns.items[2].parts[0].table"),
        ("rubric-unit-twice", "tiers[1].units[0]"),
    }
    assert {(f.code, f.key) for f in findings} == expected
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert {(f.code, f.key) for f in info.value.findings} == expected
    assert "5 处错误" in info.value.message


def test_unreadable_file(tmp_path):
    path = tmp_path / "missing.toml"
    _, findings = check_rubric(path)
    assert [(f.code, f.level) for f in findings] == [("rubric-unreadable", Level.ERROR)]
    with pytest.raises(RubricError):
        load_rubric(path)


def test_builtin_with_one_typo(tmp_path):
    """A typo in the real file is caught where it is, and nothing else changes."""
    text = BUILTIN.read_text(encoding="utf-8")
    old = 'short = "出租房屋管理"\n'
    assert text.count(old) == 1
    text = text.replace(old, old + "maxx = 15\n")
    path = write(tmp_path, text, "haishu-typo.toml")
    _, findings = check_rubric(path)
    assert [(f.code, f.key) for f in findings if f.level is Level.ERROR] == [
        ("rubric-unknown-key", "sheets.towns.items[3].maxx")
    ]
    assert [f.key for f in findings if f.level is Level.WARNING] == []


# =============================================================================================
# 4. Resolving a rubric by id or path


def test_resolve_builtin_id():
    assert resolve_rubric("haishu-2019") == BUILTIN
    assert BUILTIN.is_file()
    assert resolve_rubric(None) == BUILTIN


def test_resolve_unknown_id():
    with pytest.raises(RubricError) as info:
        resolve_rubric("haishu-2099")
    err = info.value
    assert "haishu-2099" in err.message and CJK.search(err.message)
    assert "haishu-2019" in err.hint and CJK.search(err.hint)
    with pytest.raises(RubricError):
        load_rubric("haishu-2099")


def test_resolve_and_load_a_file_path(tmp_path):
    path = write(tmp_path, minimal_rubric())
    assert resolve_rubric(str(path)) == path
    scheme, _ = load_rubric(str(path))
    assert scheme.id == "mini" and scheme.path == str(path)
