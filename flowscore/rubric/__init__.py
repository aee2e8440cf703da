"""Rubrics: schemes as data files, their model and their loading."""

from flowscore.rubric.load import builtin_rubrics, load_rubric, resolve_rubric
from flowscore.rubric.model import Item, Scheme, Sheet, Unit

__all__ = ["Item", "Scheme", "Sheet", "Unit", "builtin_rubrics", "load_rubric", "resolve_rubric"]
