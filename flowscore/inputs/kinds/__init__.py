"""The sheet kinds flowscore recognises by content, in the order a header row is tried.

A new kind is one module with a class (``name``, ``detect``, ``read``) plus one line here."""

from __future__ import annotations

from flowscore.inputs.kinds.annex import AnnexKind
from flowscore.inputs.kinds.base import ReadContext, SheetKind
from flowscore.inputs.kinds.city_ranking import CityRankingKind
from flowscore.inputs.kinds.entries import EntriesKind
from flowscore.inputs.kinds.indicators import IndicatorsKind
from flowscore.inputs.kinds.register import RegisterKind

# An annex header (考核内容/分值/自评分) is tried first; the others all need a 单位 column.
KINDS = (AnnexKind, RegisterKind, EntriesKind, CityRankingKind, IndicatorsKind)


def sheet_kinds(ctx: ReadContext) -> tuple[SheetKind, ...]:
    return tuple(kind(ctx) for kind in KINDS)


__all__ = ["KINDS", "ReadContext", "SheetKind", "sheet_kinds"]
