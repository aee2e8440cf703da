"""Making a frozen dataclass with slots from its field values, without its ``__init__``.

The generated ``__init__`` takes keywords and sets each field through ``object.__setattr__``;
a rerun unpacks ~60,000 item results from the score memo and ~100,000 indicator values from the
read cache, where those keyword dictionaries cost more than the values. ``builder`` sets the
slots directly, as that ``__init__`` would: only for classes with no ``__post_init__`` and no
field defaults computed at construction (every field is given)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any


def builder(kind: type, names: Sequence[str]) -> Callable[[Sequence[Any]], Any]:
    """A maker of ``kind`` from its field values in the order of ``names``, every field once."""
    if sorted(names) != sorted(f.name for f in fields(kind)):
        raise ValueError(f"{kind.__name__}: every field, once")
    if hasattr(kind, "__post_init__") or not hasattr(kind, "__slots__"):
        raise ValueError(f"{kind.__name__}: a slotted dataclass without __post_init__")
    slots = tuple(getattr(kind, n).__set__ for n in names)
    new = object.__new__

    def build(values: Sequence[Any]) -> Any:
        obj: Any = new(kind)
        for put, value in zip(slots, values, strict=True):
            put(obj, value)
        return obj

    return build
