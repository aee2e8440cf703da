"""What is left to do after a run, from its one report: the 核定分 still to fill (file, cell), the
units to chase for their sheet (a 催报 list), the files whose errors must be fixed. Plain data:
the terminal's “下一步” list and ``--strict`` read it."""

from __future__ import annotations

from dataclasses import dataclass

from flowscore.findings import Level
from flowscore.results import BatchResult

MISSING = "missing-submission"
UNREADABLE = "submission-unreadable"


@dataclass(frozen=True, kw_only=True)
class Pending:
    """An item still to verify, and where its 核定分 goes."""

    unit: str
    no: str
    short: str
    file: str
    cell: str


@dataclass(frozen=True, kw_only=True)
class NextSteps:
    pending: tuple[Pending, ...]
    chase: tuple[str, ...]  # units on the roster that sent no sheet
    resend: tuple[tuple[str, str], ...] = ()  # (unit, its file that could not be read)
    errors: tuple[tuple[str, int], ...]  # (file, errors in it), files in report order

    @property
    def done(self) -> bool:
        return not (self.pending or self.chase or self.resend or self.errors)


def next_steps(result: BatchResult) -> NextSteps:
    pending = [
        # an item the assessor's register left pending (two scores, or one refused) is
        # settled in the register, at its row
        Pending(
            unit=u.unit, no=str(it.no), short=it.short, file=it.register.file, cell=it.register.cell
        )
        if it.register is not None
        else Pending(unit=u.unit, no=str(it.no), short=it.short, file=u.file, cell=it.cell)
        for u in result.units
        for it in u.pending
    ]
    chase = [u.unit for u in result.units if u.status == "missing"]  # tier by tier
    resend = tuple((u.unit, u.file) for u in result.units if u.status == "rejected")
    theirs = {file for _, file in resend}  # the unit sends it again; the office fixes nothing
    errors: dict[str, int] = {}
    for f in result.report:
        if f.code in (MISSING, UNREADABLE) or f.file in theirs:
            continue
        if f.level is Level.ERROR:
            key = f.file or "（整体）"
            errors[key] = errors.get(key, 0) + 1
    return NextSteps(
        pending=tuple(pending), chase=tuple(chase), resend=resend, errors=tuple(errors.items())
    )
