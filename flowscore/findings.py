"""Findings: every problem flowscore notices, as frozen data gathered into one Report.

A Finding names where the problem is (file, sheet, cell, unit), says what is wrong in Chinese and
hints at the fix. The same Report drives the terminal, ``--json``, the summary workbook and the
text reports, so a problem is described once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from enum import StrEnum


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


_LEVEL_ORDER = {Level.ERROR: 0, Level.WARNING: 1, Level.INFO: 2}
_FIRST_NUMBER = re.compile(r"[0-9]+")


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    code: str
    level: Level
    message: str
    hint: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""
    unit: str = ""
    key: str = ""  # a key path inside a rubric file, for rubric findings

    @property
    def where(self) -> str:
        """``文件 › 工作表 › 单元格`` (or ``文件 › 键``) as far as known."""
        parts = [p for p in (self.file, self.sheet, self.cell, self.key) if p]
        return " › ".join(parts)

    def to_dict(self) -> dict[str, str]:
        d = asdict(self)
        d["level"] = self.level.value
        return d

    def sort_key(self) -> tuple[object, ...]:
        return (
            self.file,
            self.sheet,
            _cell_key(self.cell),
            self.key,
            self.unit,
            self.code,
            self.message,
        )


def _cell_key(cell: str) -> tuple[int, str]:
    """Sort B10 after B9: by row number, then by column letters (a Word table's
    ``第12行 › 第3列``: by its first number, the row)."""
    letters = "".join(c for c in cell if c.isalpha())
    digits = _FIRST_NUMBER.search(cell)
    return (int(digits.group()) if digits else 0, letters)


class Report:
    """An ordered, de-duplicated collection of findings for one run."""

    def __init__(self, findings: Iterable[Finding] = ()) -> None:
        self._items: list[Finding] = []
        self._seen: set[Finding] = set()
        self.extend(findings)

    def add(self, finding: Finding) -> None:
        if len(finding.message) > MESSAGE_MAX:
            finding = replace(finding, message=cap_message(finding.message))
        if finding not in self._seen:
            self._seen.add(finding)
            self._items.append(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            self.add(f)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.sorted())

    def in_order(self) -> tuple[Finding, ...]:
        """The findings as they were added (``sorted`` is how they are shown)."""
        return tuple(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def sorted(self) -> list[Finding]:
        return sorted(self._items, key=lambda f: (f.sort_key(), _LEVEL_ORDER[f.level]))

    def by_level(self, level: Level) -> list[Finding]:
        return [f for f in self.sorted() if f.level is level]

    @property
    def errors(self) -> list[Finding]:
        return self.by_level(Level.ERROR)

    @property
    def has_errors(self) -> bool:
        return any(f.level is Level.ERROR for f in self._items)

    def counts(self) -> dict[str, int]:
        return {lv.value: sum(1 for f in self._items if f.level is lv) for lv in Level}

    def for_unit(self, unit: str) -> list[Finding]:
        return [f for f in self.sorted() if f.unit == unit]

    def to_list(self) -> list[dict[str, str]]:
        return [f.to_dict() for f in self.sorted()]


# Showing a cell's text in a message

MESSAGE_MAX = 1000  # characters of one message (catalog.finding caps each field already)


def cap_message(message: str, keep: int = 10) -> str:
    """A message built with a long "、" list (10,000 sheets of one unit, each named) shortened
    to its first ``keep`` names, how many there are, and the rest of its sentence; then cut at
    ``MESSAGE_MAX`` characters."""
    parts = message.split("、")
    if len(parts) > keep + 2:
        last = parts[-1]
        cut = last.find("，")
        tail = last[cut:] if cut >= 0 else ""
        message = "、".join(parts[:keep]) + f"等 {len(parts):,} 个" + tail
    if len(message) > MESSAGE_MAX:
        message = message[:MESSAGE_MAX] + "…"
    return message


_QUOTED = re.compile(r"“([^”]*)”")


_CLIPPED = re.compile(r"…（共 ([\d,]+) 字）$")


def clip(text: str, limit: int) -> str:
    """Long text shortened for a message: the start, an ellipsis and the length (of the whole
    original text, also when ``text`` was clipped before)."""
    if len(text) <= limit:
        return text
    m = _CLIPPED.search(text)
    total = m.group(1) if m else f"{len(text):,}"
    return f"{text[:limit]}…（共 {total} 字）"


def clip_quoted(message: str, limit: int) -> str:
    """Every “quoted” cell text in a message, clipped to ``limit`` characters."""
    if len(message) <= limit + 40:
        return message
    return _QUOTED.sub(lambda m: f"“{clip(m.group(1), limit)}”", message)
