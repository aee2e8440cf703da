"""A kind of problem: its code, level, Chinese name, what it means, what to do, and the
patterns of its message and hint per situation (``variant``). The kinds themselves are in
``catalog.py`` (and ``catalog_register.py``), defined once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from flowscore.findings import Level

_T = TypeVar("_T")


@dataclass(frozen=True, kw_only=True)
class Kind:
    code: str
    level: Level
    name: str  # a few Chinese words: what a clerk sees instead of the code
    meaning: str  # README 含义
    action: str  # README 怎么办; the hint when no pattern is given
    group: str
    messages: Mapping[str, str]  # variant → message pattern ("" is the usual one)
    hints: Mapping[str, str] = field(default_factory=dict)  # variant → hint pattern
    levels: Mapping[str, Level] = field(default_factory=dict)  # a variant of another level

    def message(self, variant: str, fields: Mapping[str, object]) -> str:
        pattern = _pick(self.messages, _candidates(variant, family=False), "")
        return pattern.format_map(fields)

    def hint(self, variant: str, fields: Mapping[str, object]) -> str:
        pattern = _pick(self.hints, _candidates(variant, family=True), self.action)
        return pattern.format_map({"fix": self.action, **fields})

    def level_of(self, variant: str) -> Level:
        return _pick(self.levels, _candidates(variant, family=False), self.level)


def _candidates(variant: str, *, family: bool) -> tuple[str, ...]:
    """The patterns a variant may take, first choice first: ``word:ratio``, (``word``,)
    ``ratio``, then the usual one."""
    fam, _, situation = variant.rpartition(":")
    if not fam:
        return (variant, "")
    return (variant, fam, situation, "") if family else (variant, situation, "")


def _pick(table: Mapping[str, _T], keys: tuple[str, ...], default: _T) -> _T:
    for key in keys:
        if key in table:
            return table[key]
    return default
