"""Exact numbers: parsing values as people type them, and half-up rounding (DOMAIN.md §5).

No binary float ever takes part in scoring: a float read from a workbook is converted through
its shortest decimal repr (``0.1`` → ``Decimal("0.1")``), which is what the person typed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import NamedTuple

Number = Decimal

_TWO = Decimal("0.01")
_FOUR = Decimal("0.0001")
HUNDRED = Decimal(100)


_EXPONENTS = {p: Decimal(1).scaleb(-p) for p in range(13)}


def q(value: Decimal, places: int = 2) -> Decimal:
    """Round half up (四舍五入) to ``places`` decimals."""
    exp = _EXPONENTS.get(places)
    if exp is None:
        exp = Decimal(1).scaleb(-places)
    return value.quantize(exp, rounding=ROUND_HALF_UP)


def round_whole(value: Decimal, mode: str) -> Decimal:
    """Whole-point rounding for shortfall rules: ``floor`` (rounded down) or ``ceil`` (up)."""
    if mode == "floor":
        return value.to_integral_value(rounding=ROUND_FLOOR)
    if mode == "ceil":
        return value.to_integral_value(rounding=ROUND_CEILING)
    return value


_FMT: dict[tuple[Decimal, int], str] = {}


def fmt(value: Decimal | None, places: int = 2) -> str:
    """``35.00``; ``—`` for no value."""
    if value is None:
        return "—"
    # Kept by value: equal Decimals (5, 5.00) round to the same text. Not zero: -0 and 0 are
    # equal yet print apart. A province's documents format ~10⁶ numbers, a few thousand apart.
    got = _FMT.get((value, places))
    if got is None:
        got = f"{q(value, places):.{places}f}"
        if value and len(_FMT) < 100_000:
            _FMT[(value, places)] = got
    return got


def fmt_signed(value: Decimal, places: int = 2) -> str:
    s = fmt(value, places)
    return s if value < 0 else "+" + s


def fmt_plain(value: Decimal | None) -> str:
    """Shortest exact form: ``5``, ``0.5``, ``-2``; ``—`` for no value."""
    if value is None:
        return "—"
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def fmt_pct(rate: Decimal, places: int = 2) -> str:
    """A rate held as a fraction (0.275) shown as ``27.50%``."""
    return f"{q(rate * HUNDRED, places):.{places}f}%"


class Parsed(NamedTuple):
    """The outcome of reading one cell: a value, nothing, or a reason why it is not a number.
    (A named tuple: a province's worth of cells is read, and a tuple is the cheapest record.)"""

    value: Decimal | None
    problem: str = ""  # Chinese, empty when fine
    is_percent: bool = False

    @property
    def ok(self) -> bool:
        return not self.problem


_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_NOTHING = Parsed(None)

# What a cell may hold and still be a number here. Decimal arithmetic works to 28 significant
# digits: a value of 29 digits (typed as text, or a float such as 1e300) cannot be rounded to
# cents (``quantize`` fails), and nothing scored here — points, people, documents, rates — comes
# near a trillion. A product of two bounded values (a derived indicator) stays below 10^24, so
# it still rounds to 4 places. Excel itself keeps 15 significant digits.
MAX_MAGNITUDE = Decimal(10) ** 12
MAX_DIGITS = 20  # digits typed in one text cell (0.30000000000000004 has 17)
TOO_BIG = "数字太大（超过一万亿），不像是真实的数据"
ERROR_VALUES = frozenset(
    {"#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!"}
)


def normalize_text(text: str) -> str:
    """Full-width to half-width (NFKC), spaces removed: ``（ ２７．５ ％）`` → ``(27.5%)``."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def parse_number(raw: object) -> Parsed:
    """Read a number as people type it into a spreadsheet.

    Accepts ints, floats (via their repr), Decimals and text with full-width digits, thousands
    separators, surrounding spaces, a leading ``+``, a trailing ``%`` (kept as a percent flag: the
    caller decides what a percent means). Rejects booleans, formula errors and anything else
    with a Chinese reason.
    """
    if raw is None:
        return _NOTHING
    if type(raw) is str:
        # Headers, item numbers and scores recur in every sheet of a batch: short texts are
        # parsed once a process (the outcome is an immutable tuple, a function of the text).
        return _parse_short_text(raw) if len(raw) <= MEMO_TEXT else _parse_text(raw)
    if type(raw) is float and raw.is_integer():  # the usual cell: 5 stored as 5.0, kept 5
        if -1e12 < raw < 1e12:
            return Parsed(Decimal(int(raw)))
        return Parsed(None, TOO_BIG)
    if isinstance(raw, bool):
        return Parsed(None, "是逻辑值（TRUE/FALSE），不是数字")
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            return Parsed(None, "不是有限数字")
        return _bounded(raw)
    if isinstance(raw, int):
        return Parsed(Decimal(raw)) if -(10**12) < raw < 10**12 else Parsed(None, TOO_BIG)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            return Parsed(None, "不是有限数字")
        # A whole number typed as 5 is stored as 5.0 by spreadsheets: keep it 5.
        return _bounded(Decimal(int(raw)) if raw.is_integer() else Decimal(repr(raw)))
    if not isinstance(raw, str):
        return Parsed(None, f"不是数字（{type(raw).__name__}）")
    return _parse_text(raw)  # a str subclass: never memoised


# Texts of at most this many characters are memoised (a cell of 32,767 is parsed each time):
# with ``MEMO_TEXTS`` entries the memo stays within a few MB whatever a batch holds.
MEMO_TEXT = 200
MEMO_TEXTS = 4096


@functools.lru_cache(maxsize=MEMO_TEXTS)
def _parse_short_text(raw: str) -> Parsed:
    return _parse_text(raw)


def _parse_text(raw: str) -> Parsed:
    text = normalize_text(raw)
    if text == "":
        return Parsed(None)
    if text.upper() in ERROR_VALUES:
        return Parsed(None, f"是公式错误值 {text}")
    if text in ("-", "—", "/", "／", "无"):
        return Parsed(None)
    is_percent = text.endswith("%")
    if is_percent:
        text = text[:-1]
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _PLAIN.match(text):
        return Parsed(None, f"“{raw.strip()[:30]}”不是数字")
    digits = sum(ch.isdigit() for ch in text) if len(text) > MAX_DIGITS else 0
    if digits > MAX_DIGITS:
        return Parsed(None, f"数字位数太多（{digits} 位），不像是真实的数据")
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already guards this
        return Parsed(None, f"“{raw.strip()[:30]}”不是数字")
    if not -MAX_MAGNITUDE < value < MAX_MAGNITUDE:
        return Parsed(None, TOO_BIG)
    return Parsed(value, is_percent=is_percent)


def _bounded(value: Decimal) -> Parsed:
    if not -MAX_MAGNITUDE < value < MAX_MAGNITUDE:
        return Parsed(None, TOO_BIG)
    return Parsed(value)


def parse_rate(raw: object) -> Parsed:
    """A rate as a fraction: ``27.5%`` and ``0.275`` both give 0.275; ``27.5`` (no %) is read as
    a percentage too, since no rate above 1 is meaningful here."""
    p = parse_number(raw)
    if not p.ok or p.value is None:
        return p
    if p.is_percent or p.value > 1:
        return Parsed(p.value / HUNDRED, is_percent=True)
    return p


_YES = frozenset({"是", "有", "y", "yes", "true", "1", "√", "✓", "已落实", "落实"})
_NO = frozenset({"否", "无", "n", "no", "false", "0", "×", "✗", "未落实"})


def parse_yes_no(raw: object) -> tuple[bool | None, str]:
    """是/否 (and the usual variants). Returns (value, problem)."""
    if raw is None:
        return None, ""
    if isinstance(raw, bool):
        return raw, ""
    if isinstance(raw, int | float | Decimal) and raw in (0, 1):
        return bool(raw), ""
    text = normalize_text(str(raw)).lower()
    if text == "":
        return None, ""
    if text in _YES:
        return True, ""
    if text in _NO:
        return False, ""
    return None, f"“{str(raw).strip()[:30]}”不是“是”或“否”"


# ----------------------------------------------------------------------------------------------
# Exact values until the item (DOMAIN.md §5: item scores round half-up, once)

_EXACT_PLACES = 6  # a value that ends within this many decimals is shown whole (0.875)
_ABOUT_PLACES = 4  # else it is shown to this many, marked 约 (2290/8001 of a point…)


def _ratio(value: Fraction | Decimal) -> tuple[int, int]:
    """An exact value's numerator and (positive) denominator, without building a Fraction."""
    if type(value) is Fraction:
        return value.numerator, value.denominator
    return value.as_integer_ratio()


def round_half_up(value: Fraction | Decimal, places: int = 2) -> Decimal:
    """四舍五入 of an exact value to ``places`` decimals, ties away from zero (−4.125 → −4.13),
    computed on integers: no precision is lost whatever the value."""
    n, d = _ratio(value)
    return _rounded(n, d, places)


def _rounded(n: int, d: int, places: int) -> Decimal:
    # floor(|n|/d × 10^places + 1/2), on integers (Fraction arithmetic costs ~40× as much)
    whole = (2 * abs(n) * 10**places + d) // (2 * d)
    digits = Decimal(-whole if n < 0 else whole)
    return q(digits.scaleb(-places), places)


def _terminating(f: Fraction | Decimal, places: int) -> bool:
    n, d = _ratio(f)
    scale: int = 10**places
    return (n * scale) % d == 0


def fmt_exact(value: Fraction | Decimal, places: int = 2) -> str:
    """An exact value as a person reads it: at least ``places`` decimals (``2.50``), every
    decimal when it ends within six (``0.875``), else four marked as approximate
    (``约0.3333``)."""
    n, d = _ratio(value)
    for p in (places, *range(places + 1, _EXACT_PLACES + 1)):
        if (n * 10**p) % d == 0:
            return fmt(_rounded(n, d, p), p)
    return "约" + fmt(_rounded(n, d, _ABOUT_PLACES), _ABOUT_PLACES)


def is_rounded(value: Fraction | Decimal, places: int = 2) -> bool:
    """Whether rounding to ``places`` changes the value (4.125 → 4.13 does)."""
    return not _terminating(value, places)
