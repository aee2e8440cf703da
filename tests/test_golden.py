"""Golden results for the shipped sample years, plus anchors checked by hand."""

from __future__ import annotations

import json
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from make_golden import SAMPLES, golden  # noqa: E402

from flowscore.compute import compute_folder  # noqa: E402


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_matches_golden(name):
    expected = json.loads((ROOT / "tests" / "golden" / f"{name}.json").read_text("utf-8"))
    assert golden(SAMPLES[name]) == expected


def test_haishu_sample_anchors_by_hand():
    """The values sample_data/haishu-2019/README.md promises, computed by hand there."""
    r = compute_folder(SAMPLES["haishu-2019"])

    def item(unit, no):
        return next(i for i in r.unit(unit).items if str(i.no) == str(no))

    assert item("南门街道", 2).verified == D("35.00")  # DOMAIN.md §6
    # 3 unreported: 5 − 6 → 0; the register (核定登记表) overrides it with a reason: 3
    assert item("横街镇", 1).computed == D("0.00")
    assert item("横街镇", 1).register.before == D("0.00")
    assert (item("横街镇", 1).verified, item("横街镇", 1).source) == (D("3.00"), "override")
    assert item("江厦街道", 4).verified == D("15.00")  # the register: 14 on the sheet
    assert (r.unit("江厦街道").rank, r.unit("鼓楼街道").rank) == (5, 6)  # rank-moved
    assert item("高桥镇", 1).verified == D("3.00")
    assert item("区教育局", 6).verified == D("14.00")  # tied 2nd: median(16, 12)
    assert item("区总工会", 4).verified == D("20.00")
    assert item("区卫生健康局", 7).verified == D("-8.00")
    assert item("区教育局", 1).verified == D("15.00")  # computed stands (no reason given)
    assert item("区医保局", 1).source == "override"
    assert item("章水镇", 3).explanation.startswith("量化积分窗口专人负责：否")
    # 月湖街道 and 集士港镇 tie at exactly 5 %: same rank points
    pts = {u: item(u, 3).verified - (10 if u != "章水镇" else 0) for u in ("月湖街道", "集士港镇")}
    assert pts["月湖街道"] == pts["集士港镇"]
    assert r.unit("月湖街道").bonus == D(10)
    assert r.unit("洞桥镇").penalty == D(-10)
    assert r.unit("白云街道").status == "provisional"
    for u in r.units:  # contribution = base × total / 100, half-up to 4 places
        assert u.contribution == (u.base * u.total / 100).quantize(
            D("0.0001"), rounding="ROUND_HALF_UP"
        )


def test_word_sample_scores_equal_the_spreadsheet_year():
    """sample_data/haishu-2019-word is the same year with five annexes returned in Word (the
    template, the published 附件1 broken across pages, the whole published 附件2 …): every unit
    scores exactly as in the spreadsheet year; only where the findings point differs."""
    sheet, word = golden(SAMPLES["haishu-2019"]), golden(SAMPLES["haishu-2019-word"])
    assert word["units"] == sheet["units"]
    docx_findings = [f for f in word["findings"] if ".docx" in f]
    assert docx_findings == [
        "warning computed-differs 区教育局 附件2（区教育局填报）.docx 第9行 › 核定分"
    ]
