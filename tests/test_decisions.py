"""Every setting under ``[decisions]`` changes the result it names: for each, the shipped sample
year scored with the built-in rubric and with that one setting changed (a test per setting,
and a test that no setting is left without one)."""

from __future__ import annotations

import re
from dataclasses import fields
from decimal import Decimal as D
from pathlib import Path

import pytest
from builders import filled_template, template_indicators

from flowscore.compute import compute_folder
from flowscore.rubric.load import RUBRIC_DIR, load_rubric
from flowscore.rubric.model import Decisions

ROOT = Path(__file__).resolve().parent.parent
HAISHU = ROOT / "sample_data" / "haishu-2019"


def with_decision(tmp_path: Path, rubric: str, key: str, value: str) -> Path:
    """A copy of a built-in rubric with ``key = value`` under [decisions] (replacing the line
    that sets it, or added)."""
    text = (RUBRIC_DIR / f"{rubric}.toml").read_text("utf-8")
    line = re.compile(rf"^{key} = .*$", re.M)
    if line.search(text):
        text = line.sub(f"{key} = {value}", text, count=1)
    else:
        text = text.replace("[decisions]\n", f"[decisions]\n{key} = {value}\n", 1)
    path = tmp_path / f"{rubric}.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture(scope="module")
def base(scored_sample):
    return scored_sample("haishu-2019")


def scored(tmp_path, key, value, folder=HAISHU, rubric="haishu-2019"):
    scheme, _ = load_rubric(with_decision(tmp_path, rubric, key, value))
    return compute_folder(folder, scheme=scheme)


def item(result, unit, no):
    return next(i for i in result.unit(unit).items if str(i.no) == str(no))


def test_shortfall_rounding(base, tmp_path):
    """西门街道 item 2 is short 5.05, 0.71 and 8.21 points: whole points rounded down take 5 + 0
    + 8 = 13 (27.00); proportional 13.9634… (26.04)."""
    assert item(base, "西门街道", 2).verified == D("26.04")
    r = scored(tmp_path, "shortfall_rounding", '"floor"')
    assert item(r, "西门街道", 2).verified == D("27.00")


def test_item_places(base, tmp_path):
    r = scored(tmp_path, "item_places", "1")
    assert item(r, "西门街道", 2).verified == D("26.0")


def test_contribution_places(base, tmp_path):
    assert base.unit("西门街道").contribution == D("0.5148")
    r = scored(tmp_path, "contribution_places", "2")
    assert r.unit("西门街道").contribution == D("0.51")


def test_total_floor(base, tmp_path):
    low = min(u.total for u in base.units if u.total is not None)
    r = scored(tmp_path, "total_floor", str(int(low) + 5))
    assert min(u.total for u in r.units if u.total is not None) == D(int(low) + 5)


def test_total_cap(base, tmp_path):
    assert max(u.total for u in base.units if u.total is not None) > 100
    r = scored(tmp_path, "total_cap", "100")
    assert max(u.total for u in r.units if u.total is not None) == D(100)


def test_rank_scope(base, tmp_path):
    """Rank points (附件1 第3项) among all 17 towns, or within each tier: 章水镇 (C) ranks higher
    among the four C towns than among all."""
    r = scored(tmp_path, "rank_scope", '"tier"')
    assert item(r, "章水镇", 3).verified != item(base, "章水镇", 3).verified
    assert "在4个单位中" in item(r, "章水镇", 3).explanation


def test_rank_tie(base, tmp_path):
    """月湖街道 and 集士港镇 tie on the points-system rate (5%) in 附件1 第3项: they share the
    median of their two positions' points, or with ``best`` both take the higher. (The city
    ranking table states its own rule, 按该档次排名的中位数, and keeps it.)"""
    shared = item(base, "月湖街道", 3).verified
    r = scored(tmp_path, "rank_tie", '"best"')
    assert item(r, "月湖街道", 3).verified == item(r, "集士港镇", 3).verified == shared + D("0.5")
    assert "取最高档" in item(r, "月湖街道", 3).explanation
    assert item(r, "区教育局", 6).verified == item(base, "区教育局", 6).verified == D(14)


def test_computed_override_needs_reason(base, tmp_path):
    """区教育局 typed 20 on its computed item 1 without a reason: the computed 15 stands; with
    the setting off, the 20 counts as an override."""
    assert (item(base, "区教育局", 1).verified, item(base, "区教育局", 1).source) == (
        D(15),
        "computed",
    )
    r = scored(tmp_path, "computed_override_needs_reason", "false")
    assert (item(r, "区教育局", 1).verified, item(r, "区教育局", 1).source) == (D(20), "override")


def test_self_above_max_needs_reason(base, tmp_path):
    assert any(f.code == "self-above-max" for f in base.report)
    r = scored(tmp_path, "self_above_max_needs_reason", "false")
    assert not any(f.code == "self-above-max" for f in r.report)


def test_bonus_cap(base, tmp_path):
    assert base.unit("集士港镇").bonus == D(15)
    r = scored(tmp_path, "bonus_cap", "10")
    assert r.unit("集士港镇").bonus == D(10)


def test_rescale_to_100(base, tmp_path):
    """区市场监管局's items sum to 105 as published: rescaled, its subtotal × 100 / 105."""
    sub = base.unit("区市场监管局").subtotal
    r = scored(tmp_path, "rescale_to_100", "true")
    assert r.unit("区市场监管局").subtotal == (sub * 100 / 105).quantize(D("0.01"))


def test_own_sheet_assessor(tmp_path):
    """The 核定分 on a city's own sheet count for the group office's items under the shipped
    setting; with it empty, only for the jointly scored ones (六.1)."""
    scheme, _ = load_rubric("province-2013")
    folder = tmp_path / "in"
    folder.mkdir()
    template_indicators(scheme, folder / "i.xlsx", {})
    filled_template(scheme, folder / "a.xlsx", "济南市", verified={"一.1": 5, "六.1": 4})
    r = compute_folder(folder, scheme=scheme)
    assert item(r, "济南市", "一.1").verified == D(5)
    r = scored(tmp_path, "own_sheet_assessor", '""', folder=folder, rubric="province-2013")
    assert item(r, "济南市", "一.1").verified is None and item(r, "济南市", "六.1").verified == D(4)


def test_every_setting_has_its_test():
    """Each field of Decisions is changed by one test above (read from this file's text, so
    the check holds whatever order the tests run in)."""
    text = Path(__file__).read_text("utf-8")
    changed = set(re.findall(r'scored\(\s*tmp_path,\s*"(\w+)"', text))
    assert {f.name for f in fields(Decisions)} == changed
