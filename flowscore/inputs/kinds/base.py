"""What every sheet kind shares: the reading context built once per process from the rubric
(labels by role, the roster), and the helpers for header roles and unit cells.

A sheet kind is a class with ``name``, ``detect(labels)`` (the roles of a header row, or None
when the row is not its header) and ``read(...)`` (records and findings into ``Inputs``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from flowscore.inputs.open import Grid, WorkbookData
from flowscore.inputs.records import Inputs
from flowscore.names import Roster, label, norm, roster_of
from flowscore.numbers import parse_number
from flowscore.rubric.model import Scheme


@dataclass(frozen=True, kw_only=True)
class ReadContext:
    """The rubric as the readers need it, built once per process (never per file)."""

    scheme: Scheme
    roster: Roster
    annex_labels: dict[str, str]  # label → role
    entry_labels: dict[str, str]
    rank_labels: dict[str, str]
    unit_labels: frozenset[str]
    indicator_labels: dict[str, str] = field(default_factory=dict)  # label → indicator name

    @classmethod
    def of(cls, scheme: Scheme) -> ReadContext:
        h = scheme.headers
        indicator_labels: dict[str, str] = {}
        for ind in scheme.indicators:
            indicator_labels[label(ind.name)] = ind.name
            for a in ind.aliases:
                indicator_labels.setdefault(label(a), ind.name)
        return cls(
            scheme=scheme,
            roster=roster_of(scheme),
            annex_labels=labels_by_role(h.annex),
            entry_labels=labels_by_role(h.entries),
            rank_labels=labels_by_role(h.ranking),
            unit_labels=frozenset(label(x) for x in h.unit),
            indicator_labels=indicator_labels,
        )

    def unit_column(self, labels: list[str]) -> int | None:
        return next((c for c, lab in enumerate(labels) if lab in self.unit_labels), None)


class SheetKind(Protocol):
    name: str

    def detect(self, labels: list[str]) -> Any | None:
        """What ``read`` needs to know of this header row, or None when it is not one."""

    def read(
        self,
        grid: Grid,
        wb: WorkbookData,
        display: str,
        header: int,
        found: Any,
        inputs: Inputs,
    ) -> None: ...


def labels_by_role(roles: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for role, labels in roles.items():
        for lab in labels:
            out.setdefault(label(lab), role)
    return out


def roles_of(labels: list[str], known: dict[str, str]) -> dict[str, int]:
    """role → column of a header row (the first column of each role)."""
    roles: dict[str, int] = {}
    for c, lab in enumerate(labels):
        role = known.get(lab)
        if role and role not in roles:
            roles[role] = c
    return roles


def row_unit(
    ctx: ReadContext, grid: Grid, display: str, r: int, col: int, written: str, inputs: Inputs
) -> str | None:
    """The roster unit a data row names, or None (a 合计 row silently; another name with a
    finding suggesting the closest roster names)."""
    unit = ctx.roster.find(written)
    if unit is None and norm(written) in ("合计", "总计", "小计", "说明", "备注"):
        return None
    if unit is None:
        close = "、".join(ctx.roster.closest(written)) or "（无相近名称）"
        inputs.report(
            "unknown-unit",
            file=display,
            sheet=grid.name,
            cell=grid.ref(r, col),
            unit=written,
            written=written,
            close=close,
        )
    return unit


def whole(raw: object) -> int | None:
    p = parse_number(raw)
    if not p.ok or p.value is None or p.value != p.value.to_integral_value():
        return None
    return int(p.value)


def quote(problem: str) -> str:
    return problem if problem.startswith("“") else "：" + problem
