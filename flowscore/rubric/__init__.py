"""Rubrics: schemes as data files, their model and their loading.

The names below are loaded when first used: ``flowscore.rubric.document`` (which every result
carries) is imported by commands that never load a rubric (``rank``, ``--help``), and the loader
with its model and rule kinds is a tenth of their start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowscore.rubric.load import builtin_rubrics, load_rubric, resolve_rubric
    from flowscore.rubric.model import Item, Scheme, Sheet, Unit

__all__ = ["Item", "Scheme", "Sheet", "Unit", "builtin_rubrics", "load_rubric", "resolve_rubric"]

_WHERE = {
    "builtin_rubrics": "load",
    "load_rubric": "load",
    "resolve_rubric": "load",
    "Item": "model",
    "Scheme": "model",
    "Sheet": "model",
    "Unit": "model",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'flowscore.rubric' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"flowscore.rubric.{_WHERE[name]}"), name)
    globals()[name] = value  # once
    return value
