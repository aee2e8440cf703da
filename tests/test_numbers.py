from decimal import Decimal
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowscore.numbers import fmt, fmt_pct, parse_number, parse_rate, parse_yes_no, q


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (35, D(35)),
        (35.0, D(35)),
        (4.5, D("4.5")),
        (0.1, D("0.1")),
        ("35", D(35)),
        (" 35 ", D(35)),
        ("３５", D(35)),  # full-width digits
        ("１２，３４５", D(12345)),  # full-width comma
        ("12,345", D(12345)),
        ("1,234.5", D("1234.5")),
        ("+5", D(5)),
        ("-5", D(-5)),
        ("\u30004.5\u3000", D("4.5")),  # ideographic spaces
        ("", None),
        (None, None),
        ("—", None),
    ],
)
def test_numbers_as_people_type_them(raw, value):
    p = parse_number(raw)
    assert p.ok
    assert p.value == value


@pytest.mark.parametrize("raw", ["35分", "abc", "#DIV/0!", "#REF!", "1,23", "5-10", True])
def test_not_numbers_have_a_chinese_reason(raw):
    p = parse_number(raw)
    assert not p.ok
    assert p.value is None
    assert any("\u4e00" <= ch <= "\u9fff" for ch in p.problem)


@pytest.mark.parametrize(
    ("raw", "rate"),
    [
        ("27.5%", D("0.275")),
        ("２７．５％", D("0.275")),
        ("0.275", D("0.275")),
        (0.275, D("0.275")),
        ("27.5", D("0.275")),
        (1, D(1)),
        ("100%", D(1)),
    ],
)
def test_rates_as_percent_or_fraction(raw, rate):
    assert parse_rate(raw).value == rate


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("是", True),
        ("否", False),
        (" 是 ", True),
        ("有", True),
        ("无", False),
        (1, True),
        (0, False),
        (None, None),
        ("", None),
    ],
)
def test_yes_no(raw, value):
    assert parse_yes_no(raw) == (value, "")


def test_yes_no_rejects_other_text():
    value, problem = parse_yes_no("也许")
    assert value is None and "是" in problem


def test_half_up_rounding():
    assert q(D("0.65275"), 4) == D("0.6528")  # DOMAIN.md §6: 0.7 × 93.25 / 100
    assert q(D("2.345")) == D("2.35")
    assert q(D("-2.345")) == D("-2.35")
    assert fmt(D("35")) == "35.00"
    assert fmt_pct(D("0.275")) == "27.50%"


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False))
def test_decimal_text_round_trips(value):
    assert parse_number(str(value)).value == value
    assert parse_number(f"  {value}  ").value == value


@given(st.integers(min_value=0, max_value=10**12 - 1))  # numbers.MAX_MAGNITUDE
def test_grouped_integers(n):
    assert parse_number(f"{n:,}").value == D(n)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("1" * 29, "位数太多"),
        ("9" * 21, "位数太多"),
        ("0." + "0" * 30 + "1", "位数太多"),
        ("1,000,000,000,000", "数字太大"),
        (1e300, "数字太大"),
        (-1e300, "数字太大"),
        (1e12, "数字太大"),
        (10**13, "数字太大"),
        (D("1E+40"), "数字太大"),
    ],
)
def test_numbers_past_what_decimal_can_round_are_refused(raw, why):
    """Issue (class 4): 29 digits or 1e300 crashed compute in quantize; now a Chinese reason."""
    p = parse_number(raw)
    assert not p.ok and p.value is None
    assert why in p.problem


@pytest.mark.parametrize("raw", [999_999_999_999, 999_999_999_999.0, "999,999,999,999", 5e-324])
def test_largest_accepted_numbers_still_round(raw):
    p = parse_number(raw)
    assert p.ok and p.value is not None
    assert fmt(p.value * p.value, 2)  # a derived product of two bounded values rounds to cents
    assert fmt(p.value, 4)


# The integer forms of the exact-value helpers against the Fraction forms they replaced.
def _old_round(value, places=2):
    import math
    from fractions import Fraction

    from flowscore.numbers import q

    f = Fraction(value)
    whole = math.floor(abs(f) * 10**places + Fraction(1, 2))
    return q(Decimal(-whole if f < 0 else whole).scaleb(-places), places)


def _old_terminating(value, places):
    from fractions import Fraction

    return (Fraction(value) * 10**places).denominator == 1


def _old_fmt_exact(value, places=2):
    from flowscore.numbers import fmt

    if _old_terminating(value, places):
        return fmt(_old_round(value, places), places)
    for p in range(places + 1, 7):
        if _old_terminating(value, p):
            return fmt(_old_round(value, p), p)
    return "约" + fmt(_old_round(value, 4), 4)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.fractions(max_denominator=10**5).filter(lambda f: abs(f) < 10**9),
        st.decimals(allow_nan=False, allow_infinity=False, places=8).filter(
            lambda d: abs(d) < 10**9
        ),
    ),
    st.sampled_from([0, 1, 2, 4, 8]),
)
def test_exact_helpers_on_integers_match_fractions(value, places):
    from flowscore.numbers import fmt_exact, is_rounded, round_half_up

    assert str(round_half_up(value, places)) == str(_old_round(value, places))
    assert fmt_exact(value, places) == _old_fmt_exact(value, places)
    assert is_rounded(value, places) == (not _old_terminating(value, places))


@given(
    st.lists(
        st.one_of(
            st.decimals(
                allow_nan=False, allow_infinity=False, places=4, min_value=-1000, max_value=1000
            ),
            st.sampled_from(
                [D("0"), D("-0"), D("0.00"), D("-0.00"), D("5"), D("5.00"), D("5.005")]
            ),
        ),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from([0, 2, 4]),
)
def test_fmt_kept_by_value_prints_as_computed(values, places):
    """``fmt`` keeps its texts by value: each is the one the value itself rounds to, whatever
    equal value came first (5 and 5.00), and -0 keeps its sign."""
    for v in values:
        assert fmt(v, places) == f"{q(v, places):.{places}f}"


# ----------------------------------------------------------------------------------------------
# The memo of short texts (numbers.MEMO_TEXT): a hit is what a miss gives


@pytest.mark.parametrize(
    "raw",
    ["35", " 4.5 ", "３５", "12,345", "27.5%", "#DIV/0!", "—", "", "35分", "合计", "1" * 25, "1e3"],
)
def test_a_memo_hit_is_what_parsing_gives(raw):
    from flowscore.numbers import _parse_short_text, _parse_text

    _parse_short_text.cache_clear()
    miss = parse_number(raw)
    hit = parse_number(raw)
    assert miss == hit == _parse_text(raw)
    assert _parse_short_text.cache_info().hits == 1


@pytest.mark.parametrize(("raw", "value"), [(1, D(1)), (1.0, D(1)), (1.5, D("1.5")), (D(1), D(1))])
def test_numbers_are_never_taken_for_a_memoised_text(raw, value):
    """Only ``str`` is memoised: True (an int), 1 and 1.0 never meet "1" or each other."""
    from flowscore.numbers import _parse_short_text

    parse_number("1")
    _parse_short_text.cache_clear()
    assert parse_number(raw) == (value, "", False)
    assert parse_number(True).problem
    assert _parse_short_text.cache_info().currsize == 0


def test_a_str_subclass_and_a_long_text_are_parsed_each_time():
    from flowscore.numbers import MEMO_TEXT, _parse_short_text

    class Text(str):
        pass

    _parse_short_text.cache_clear()
    long = " " * MEMO_TEXT + "5"
    assert parse_number(Text("5")) == parse_number(long) == (D(5), "", False)
    assert parse_number("x" * (MEMO_TEXT + 1)).problem
    assert _parse_short_text.cache_info().currsize == 0


def test_the_text_memo_is_bounded():
    from flowscore.numbers import MEMO_TEXTS, _parse_short_text

    _parse_short_text.cache_clear()
    for i in range(MEMO_TEXTS + 50):
        assert parse_number(str(i)).value == i
    assert _parse_short_text.cache_info().currsize == MEMO_TEXTS
    assert _parse_short_text.cache_info().maxsize == MEMO_TEXTS
