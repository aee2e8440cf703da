"""The rule kinds: each part of an item's rule turns indicator data into a signed amount of
points with a Chinese explanation carrying its numbers. One module per kind; ``registry``
lists them; ``base`` holds what they share."""

from flowscore.rules.base import EvalContext, PartResult, Rule, Values, ratio, to_decimal
from flowscore.rules.registry import RULE_KINDS

__all__ = ["RULE_KINDS", "EvalContext", "PartResult", "Rule", "Values", "ratio", "to_decimal"]
