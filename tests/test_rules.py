"""Each rule kind on its own, with the DOMAIN.md §6 worked examples."""

import itertools
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowscore.rubric import load_rubric
from flowscore.rubric.model import PointsTable
from flowscore.rules.base import EvalContext, median_points, ratio, to_decimal
from flowscore.rules.per_count import PerCount
from flowscore.rules.rank_points import RankPoints, rank_places
from flowscore.rules.rank_table import table_points
from flowscore.rules.rate_shortfall import RateShortfall
from flowscore.rules.threshold import Threshold
from flowscore.rules.yes_no import YesNo
from flowscore.scoring.parts import compute_item


def run(part, values, places, **kw):
    """One part evaluated for one unit's values (``batch``: its rank place, for rankings)."""
    return part.evaluate(EvalContext(values=values, places=places, **kw))


SCHEME, _ = load_rubric()
TOWNS = SCHEME.sheet("towns")
CITY = SCHEME.table("city-ranking")
EXAMPLE = {
    "居住半年以上流动人口数": D(10000),
    "居住证申领数": D(2750),
    "本年度居住证新申领数": D(800),
    "电子居住证申领数": D(60),
    "本年度新登记流动人口数": D(3000),
    "电子居住登记凭证申领数": D(1200),
    "未报备发文数": D(3),
}


def item_score(item, values, **kw):
    kw.setdefault("batch", {})
    kw.setdefault("tables", {CITY.id: CITY})
    kw.setdefault("city_rank", None)
    return compute_item(item, values, places=2, **kw)


def test_towns_item_2_worked_example():
    c = item_score(TOWNS.item(2), EXAMPLE)
    assert c.value == D("35.00")
    assert "居住证申领率 27.50%" in c.explanation
    assert "低于30%目标2.50个百分点，扣2.50分" in c.explanation
    assert "电子居住证申领率 7.50%" in c.explanation
    assert "40.00%" in c.explanation and "不扣分" in c.explanation
    assert c.explanation.endswith("得分 40 − 5.00 = 35.00")


def test_towns_item_1_floors_at_zero():
    c = item_score(TOWNS.item(1), EXAMPLE)
    assert c.value == D("0.00")
    assert "未报备发文 3 件" in c.explanation and "按0.00分计" in c.explanation


def test_per_count_required_shortfall_and_cap():
    # Beilun-style: two trainings required, -2 per missing one.
    part = PerCount(label="业务培训", indicator="n", points=D(-2), required=D(2))
    assert run(part, {"n": D(0)}, 2).amount == D("-4.00")
    assert run(part, {"n": D(1)}, 2).amount == D("-2.00")
    assert run(part, {"n": D(5)}, 2).amount == D(0)
    # count award with a cap: +0.5 each, max 10 → 30 articles give 10
    award = PerCount(label="录用信息", indicator="n", points=D("0.5"), cap=D(10))
    r = run(award, {"n": D(30)}, 2)
    assert r.amount == D("10.00") and "最多加10分" in r.explanation


def test_per_count_missing_indicator_is_pending():
    part = PerCount(label="未报备发文", indicator="未报备发文数", points=D(-2))
    r = run(part, {}, 2)
    assert r.amount is None and r.problem_code == "missing-indicator"


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [("proportional", D("-2.50")), ("floor", D("-2.00")), ("ceil", D("-3.00"))],
)
def test_rate_shortfall_rounding(rounding, expected):
    part = RateShortfall(
        label="x",
        rate_name="居住证申领率",
        numerator="a",
        denominator="b",
        target=D(30),
        per_point=D(1),
        cap=D(10),
        rounding=rounding,
    )
    assert run(part, {"a": D(2750), "b": D(10000)}, 2).amount == expected


def test_rate_shortfall_cap_and_zero_denominator():
    part = RateShortfall(
        label="x",
        rate_name="率",
        numerator="a",
        denominator="b",
        target=D(30),
        per_point=D(1),
        cap=D(10),
    )
    capped = run(part, {"a": D(0), "b": D(100)}, 2)
    assert capped.amount == D("-10.00") and "最多扣10分" in capped.explanation
    zero = run(part, {"a": D(0), "b": D(0)}, 2)
    assert zero.amount is None and zero.problem_code == "zero-denominator"


def test_rate_exactly_at_target_deducts_nothing():
    part = RateShortfall(
        label="x", rate_name="率", numerator="a", denominator="b", target=D(30), per_point=D(1)
    )
    assert run(part, {"a": D(3), "b": D(10)}, 2).amount == 0


def test_yes_no():
    part = YesNo(label="量化积分窗口专人负责", indicator="w", if_yes=D(10))
    assert run(part, {"w": True}, 2).amount == D("10.00")
    assert run(part, {"w": False}, 2).amount == D(0)
    assert run(part, {}, 2).problem_code == "missing-indicator"


def test_threshold_criteria():
    part = Threshold(
        label="t",
        value_name="信息登记率",
        numerator="a",
        denominator="b",
        target=D(95),
        points=D(-4),
    )
    assert run(part, {"a": D(94), "b": D(100)}, 2).amount == D("-4.00")
    assert run(part, {"a": D(95), "b": D(100)}, 2).amount == D(0)


RP = RankPoints(
    label="r",
    rate_name="量化积分参与率",
    numerator="n",
    denominator="d",
    first=D(20),
    step=D(1),
    floor=D(0),
    tie="median",
)


def test_rank_points_17_towns_first_20_last_4():
    rates = {f"u{i:02d}": Fraction(100 - i, 1000) for i in range(17)}
    places = rank_places(RP, rates)
    assert places["u00"].points == 20
    assert places["u16"].points == 4


def test_rank_points_ties_share_median():
    rates = {"a": Fraction(3, 10), "b": Fraction(2, 10), "c": Fraction(4, 20), "d": Fraction(1, 10)}
    places = rank_places(RP, rates)
    assert places["a"].points == 20
    assert places["b"].points == places["c"].points == D("18.5")  # median(19, 18)
    assert places["b"].tied == 2 and places["b"].position == 2
    assert places["d"].points == 17 and places["d"].position == 4
    r = run(RP, {"n": D(2), "d": D(10)}, 2, batch=places["b"])
    assert "并列第2名" in r.explanation and r.amount == D("18.50")


def test_rank_points_best_policy():
    best = RankPoints(**{**RP.__dict__, "tie": "best"})
    places = rank_places(best, {"a": Fraction(1, 2), "b": Fraction(1, 2)})
    assert places["a"].points == places["b"].points == 20


@given(st.lists(st.fractions(min_value=0, max_value=1), min_size=1, max_size=30))
def test_rank_points_sum_is_preserved_under_median_ties(values):
    """Ties redistribute points but never create or lose them (median of consecutive steps)."""
    rates = {f"u{i}": v for i, v in enumerate(values)}
    places = rank_places(RP, rates)
    n = len(values)
    untied_sum = sum(max(D(20) - (i - 1), D(0)) for i in range(1, n + 1))
    if n <= 21:  # the floor at 0 is not reached, steps are uniform
        assert sum(p.points for p in places.values()) == untied_sum
    ordered = sorted(places.values(), key=lambda p: -p.rate)
    assert all(a.points >= b.points for a, b in itertools.pairwise(ordered))


# Rates that differ by less than a float can tell apart, or past a float's range.
_CLOSE = st.one_of(
    st.fractions(min_value=0, max_value=1),
    st.integers(0, 3).map(lambda k: Fraction(10**17 + k, 10**17)),
    st.sampled_from([Fraction(10**400), Fraction(10**400 + 1), Fraction(-(10**400))]),
)


@given(st.dictionaries(st.sampled_from("abcdefghij"), _CLOSE, min_size=1), st.booleans())
def test_rank_places_order_is_the_exact_order(rates, descending):
    """Ranked by float first (speed), exactly where floats tie: the same places as ordering
    by the exact rate, then by name."""
    part = RankPoints(**{**RP.__dict__, "descending": descending})
    places = rank_places(part, rates)
    exact = sorted(rates.items(), key=lambda kv: (-kv[1] if descending else kv[1], kv[0]))
    positions, previous = {}, None
    for i, (unit, rate) in enumerate(exact, 1):
        if rate != previous:
            start, previous = i, rate
        positions[unit] = start
    assert {u: p.position for u, p in places.items()} == positions


@pytest.mark.parametrize(
    ("rank", "tied", "points"),
    [(1, 1, D(20)), (2, 2, D(14)), (5, 2, D(0)), (3, 3, D(8)), (10, 1, D(-20)), (6, 1, D(-4))],
)
def test_city_ranking_table_median_rule(rank, tied, points):
    assert table_points(CITY, rank, tied) == points


def test_city_ranking_beyond_table():
    assert isinstance(table_points(CITY, 10, 2), str)


def test_department_ranking_row_education_tied_second():
    item = SCHEME.sheet("dept-education").item(6)
    c = item_score(item, {}, city_rank=(2, 2))
    assert c.value == D("14.00")
    assert "取中位数（+16、+12）计+14分" in c.explanation


def test_city_ranking_negative_points_allowed_on_adjustment_row():
    item = SCHEME.sheet("dept-police").item(7)
    assert item_score(item, {}, city_rank=(10, 1)).value == D("-20.00")


def test_median_points():
    assert median_points([D(16), D(12)]) == D(14)
    assert median_points([D(4), D(-4)]) == D(0)
    assert median_points([D(12), D(8), D(4)]) == D(8)


def test_custom_table_tie_best():
    t = PointsTable(id="x", name="排名", points=(D(3), D(2), D(1)), tie="best")
    assert table_points(t, 1, 2) == D(3)


_RATE_DECIMALS = st.decimals(
    min_value=D(-(10**12)), max_value=D(10**12), places=4, allow_nan=False,
    allow_infinity=False,
) | st.sampled_from([D("0"), D("-0"), D("0.00"), D("-0.00"), D("1E+3")])  # fmt: skip


@given(num=_RATE_DECIMALS, den=_RATE_DECIMALS | st.none())
def test_rate_value_is_the_fraction_rounded(num, den):
    """The indicator table's rates without a Fraction: the same Decimal, digit for digit (−0
    included), and None exactly where ``ratio`` gives a reason."""
    from flowscore.rules.base import rate_value

    values = {"a": num} if den is None else {"a": num, "b": den}
    r = ratio(values, "a", None if den is None else "b")
    want = None if isinstance(r, str) else to_decimal(r)
    got = rate_value(values, "a", None if den is None else "b")
    assert repr(got) == repr(want)


def test_rate_value_missing_and_yes_no():
    from flowscore.rules.base import rate_value

    assert rate_value({}, "a", None) is None
    assert rate_value({"a": True}, "a", None) is None
    assert rate_value({"a": D(1), "b": D(0)}, "a", "b") is None
    assert rate_value({"a": D(1)}, "a", "b") is None
