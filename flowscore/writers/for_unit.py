"""What of the batch's findings a unit is shown, and in what words: its feedback (Word and
text) is read by the unit, not by the operator, so program options and the office's own
affairs stay out."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flowscore.catalog import CATALOG
from flowscore.findings import Finding

# A program option (``--strict``) or a clause naming one: such text is for the operator.
_OPTION = re.compile(r"--[A-Za-z]")
# A bracketed reference to a file or cell (（检查表.xlsx › G34）, one level of nested brackets
# allowed): where the office found something, which the unit does not need.
_WHERE = re.compile(
    r"（(?:[^（）]|（[^（）]*）)*?(?:\.xlsx|\.xlsm|\.xls|\.ods|›)(?:[^（）]|（[^（）]*）)*?）"
)
# Findings the sheet says in its own words (待核定项目) or that concern the assessors' own
# sheets, not the unit's.
NOT_FOR_UNIT = frozenset(
    {
        "pending",
        "assessor-conflict",
        "scored-by-non-owner",
        # the office scored last year's template against its new rubric: its own choice (each
        # item that differs has its own finding, which the unit is shown)
        "scheme-other-version",
        # the office's own register: a score from it is said in the item's explanation; its
        # refusals are the office's to settle
        *(code for code in CATALOG if code.startswith("register-")),
    }
)


def shown_to_unit(findings: Iterable[Finding]) -> list[Finding]:
    """The findings a unit's feedback lists."""
    return [f for f in findings if f.code not in NOT_FOR_UNIT]


def without_options(text: str) -> str:
    """``text`` without the clauses (split at ；，。) that name a program option."""
    if not _OPTION.search(text):
        return text
    parts = re.split(r"(?<=[；，。;,])", text)
    return "".join(p for p in parts if not _OPTION.search(p)).rstrip("；，;,")


def for_unit(text: str) -> str:
    """A finding's message as the unit reads it: no program options, no file or cell
    references."""
    return _WHERE.sub("", without_options(text)).strip()
