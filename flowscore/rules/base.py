"""What every rule kind shares: the base class a kind's parameters extend, the context a rule is
evaluated in, and what it gives back (a signed amount of points with a Chinese explanation
carrying its numbers, or the reason it cannot be computed).

A rule kind is one module under ``rules/``: a frozen dataclass whose fields are its parameters
(the rubric loader reads and validates them from the field types: ``Decimal`` numbers, ``str``
names, ``Literal`` choices, ``bool`` flags; a field without default is required), with
``evaluate`` (indicator values → points), ``describe`` (the rule in Chinese words) and, where the
kind needs them, the hooks below. ``rules/registry.py`` lists the kinds. No rule knows about
sheets, files or units beyond the values it is given.

Amounts are exact fractions: nothing is rounded before the item score, which rounds half-up
once (DOMAIN.md §5; ``scoring.parts``). Explanations show an amount exactly (``扣0.875分``)
or, when it does not end within six decimals, to four marked 约. Rates compare exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Context, Decimal
from fractions import Fraction
from typing import Any, ClassVar, Protocol

from flowscore.numbers import q

Values = Mapping[str, Decimal | bool | None]


class PointsTableLike(Protocol):
    """A ``[tables]`` entry as rules read it (points for rank 1, 2, …; the tie policy)."""

    @property
    def name(self) -> str: ...
    @property
    def points(self) -> tuple[Decimal, ...]: ...
    @property
    def tie(self) -> str: ...


@dataclass(frozen=True, slots=True)
class PartResult:
    amount: Fraction | None  # signed and exact; None when it cannot be computed (pending)
    explanation: str
    problem: str = ""  # why it is pending (Chinese), empty when computed
    problem_code: str = ""  # missing-indicator / zero-denominator / missing-rank / bad-rank


@dataclass(frozen=True, kw_only=True, slots=True)
class EvalContext:
    """What one part of one unit's item is evaluated against."""

    values: Values
    places: int
    tables: Mapping[str, PointsTableLike] = field(default_factory=dict)
    city_rank: tuple[int, int] | None = None  # (rank, tied) from the 市考排名 sheet
    batch: Any = None  # what the part's ``prepare`` gave for this unit (its rank place)


@dataclass(frozen=True, kw_only=True)
class LoadContext:
    """What a kind's ``check`` may consult and report to while the rubric loads."""

    indicators: frozenset[str]  # every indicator name, derived ones included
    rate_indicators: frozenset[str]  # indicators of kind rate (0.95 is 95%)
    tables: frozenset[str]
    error: Callable[[str, str, str, str], None]  # (code, key, detail, fix)
    decisions: Any = None  # the rubric's [decisions] (defaults for parameters not given)


@dataclass(frozen=True, kw_only=True)
class Rule:
    """Base of every rule kind. ``label`` names the part in explanations."""

    kind: ClassVar[str]  # the name a rubric file uses (``kind = "per_count"``)
    title: ClassVar[str]  # the kind in Chinese (按次数扣分/加分)
    # fields that name an indicator: checked against the rubric's indicators when it loads
    indicator_fields: ClassVar[tuple[str, ...]] = ()
    # a kind whose points depend on every unit's values (a ranking): scoring calls
    # ``prepare`` once per group of units and gives each unit's share to ``evaluate``
    ranks_units: ClassVar[bool] = False
    # a duty the assessor checks (no figure): it adds nothing to a computed ceiling; its
    # ``points`` (None: discretionary) bound the 核定分 below it
    checked_by_assessor: ClassVar[bool] = False

    label: str

    @classmethod
    def defaults(cls, decisions: Any) -> dict[str, Any]:
        """Parameters a rubric's [decisions] give when a rule does not say (the rounding of a
        shortfall, the tie policy of a ranking)."""
        return {}

    @classmethod
    def check(cls, params: dict[str, Any], ctx: LoadContext, where: str) -> bool:
        """Kind-specific validation of the parameters read (may complete ``params``); False
        when an error was reported. The field types are validated before this."""
        return True

    def evaluate(self, ctx: EvalContext) -> PartResult:
        raise NotImplementedError

    def describe(self, tables: Mapping[str, PointsTableLike]) -> str:
        """The rule in words, from its parameters: ``“未报备发文数”每1个扣2分``."""
        raise NotImplementedError

    def indicators(self) -> tuple[str, ...]:
        names = (getattr(self, f) for f in self.indicator_fields)
        return tuple(dict.fromkeys(n for n in names if n))

    def judged(self) -> tuple[object, ...] | None:
        """The value this rule judges against a target, for ``rubric check``'s overlap test
        (two rules of an item judging the same value can deduct twice); None for none."""
        return None

    def rate(self, values: Values) -> tuple[str, Decimal | None] | None:
        """(name, value as a fraction) of the rate this rule computes, for the indicator
        table of the outputs; None when it computes none."""
        return None

    def table_ref(self) -> str | None:
        """The ``[tables]`` id this rule reads points from, if any."""
        return None

    def prepare(self, values_of: Mapping[str, Values]) -> Mapping[str, Any]:
        """For ``ranks_units`` kinds: each unit's share of the batch (its rank place)."""
        return {}


# ----------------------------------------------------------------------------------------------
# Helpers the kinds share


def ratio(values: Values, numerator: str, denominator: str | None) -> Fraction | str:
    """numerator ÷ denominator as an exact fraction, or the Chinese reason it has none."""
    num = values.get(numerator)
    if num is None or isinstance(num, bool):
        return f"缺少指标“{numerator}”"
    if denominator is None:
        return Fraction(num)
    den = values.get(denominator)
    if den is None or isinstance(den, bool):
        return f"缺少指标“{denominator}”"
    if den == 0:
        return f"“{denominator}”为0，无法计算比率"
    # One Fraction from two ints (its fast path), not two Fractions from Decimals and a
    # division: the same exact value, a third of the time on a province of units.
    n1, d1 = num.as_integer_ratio()
    n2, d2 = den.as_integer_ratio()
    return Fraction(n1 * d2, d1 * n2)


_WIDE = Context(prec=60)  # enough digits that rounding to 10 places is exact half-up


@functools.lru_cache(maxsize=256)
def integer_ratio(d: Decimal) -> tuple[int, int]:
    return d.as_integer_ratio()


def to_decimal(f: Fraction, places: int = 10) -> Decimal:
    return q(_WIDE.divide(Decimal(f.numerator), Decimal(f.denominator)), places)


_ZERO = q(Decimal(0), 10)


def rate_value(values: Values, numerator: str, denominator: str | None) -> Decimal | None:
    """``to_decimal(ratio(…))``, or None where ``ratio`` gives a reason, without the
    ``Fraction``: the indicator table's rate column is worked out for every unit on every run,
    scored or taken from the memo. The same Decimal: the 60-digit quotient is the correctly
    rounded value of the same exact ratio, whatever the operands' form (and a tiny negative
    rounds to −0 both ways); an exact zero as the fraction gives it."""
    num = values.get(numerator)
    if num is None or isinstance(num, bool):
        return None
    den: Any = 1
    if denominator is not None:
        den = values.get(denominator)
        if den is None or isinstance(den, bool) or den == 0:
            return None
    if num == 0:
        return _ZERO  # -0 ÷ 5 is −0 as Decimals, 0 as a fraction
    return q(_WIDE.divide(Decimal(num), Decimal(den)), 10)


def problem(reason: str) -> PartResult:
    """A part that cannot be computed: pending, with the reason."""
    code = "zero-denominator" if "为0" in reason else "missing-indicator"
    return PartResult(None, reason, problem=reason, problem_code=code)


def number(values: Values, name: str) -> Decimal | None:
    """An indicator's number, or None when it is missing (or a 是/否 value)."""
    v = values.get(name)
    return None if v is None or isinstance(v, bool) else v


def median_points(points: list[Decimal]) -> Decimal:
    """The median of the points of the positions a tie group shares (DOMAIN.md §2)."""
    s = sorted(points)
    n = len(s)
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2


def signed_plain(v: Decimal) -> str:
    from flowscore.numbers import fmt_plain

    s = fmt_plain(v)
    return s if v < 0 else "+" + s
