"""One file read on its own: opened by format, each sheet recognised by its content, records
and findings gathered into an ``Inputs`` of its own (merged into the batch in file order).

A Word document's grids are its tables, read as sheets by the same kinds. What is the
document's own is decided here: a blank score table beside a filled one is left (a unit
returning the whole published document fills in only its own annex), and a document with no
score table at all is a note (``no-score-table``: most often a unit's annual report), not the
warning a workbook without any known sheet is."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from flowscore.contract import PROP_SCHEME
from flowscore.findings import Finding, clip, clip_quoted
from flowscore.inputs.kinds import ReadContext, SheetKind, sheet_kinds
from flowscore.inputs.kinds.base import roles_of
from flowscore.inputs.open import Grid, WorkbookData, open_file
from flowscore.inputs.open.files import read_limited
from flowscore.inputs.own_outputs import earlier_output
from flowscore.inputs.records import InputFile, Inputs
from flowscore.inputs.safety import DEFAULT_LIMITS, Limits
from flowscore.names import label
from flowscore.rubric.model import Scheme

if TYPE_CHECKING:
    from flowscore.inputs.open.convert import Conversion

HEADER_SCAN_ROWS = 100  # a header may sit well below the title (issue: a header at row 30)


class WorkbookReader:
    """Recognises and reads every sheet of a workbook against one scheme (built once per
    process: the rubric's labels are prepared once, never per file)."""

    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self.ctx = ReadContext.of(scheme)
        self.kinds = sheet_kinds(self.ctx)
        self._annex: SheetKind = next(k for k in self.kinds if k.name == "annex")

    def read_workbook(self, wb: WorkbookData, display: str, inputs: Inputs) -> None:
        kinds: list[str] = []
        unit = ""
        grids = self._filled_tables(wb, display, inputs) if wb.is_document else wb.sheets
        for grid in grids:
            kind = self.read_sheet(grid, wb, display, inputs)
            if kind:
                kinds.append(kind)
                if kind == "annex" and inputs.annexes and inputs.annexes[-1].file == display:
                    unit = inputs.annexes[-1].unit
        if wb.is_document and not kinds and not self._annex_like(wb):
            # A Word file in the folder is often a unit's annual report: a note, not a problem.
            inputs.report("no-score-table", "" if wb.sheets else "no-table", file=display)
        elif not wb.sheets:
            inputs.report("empty-workbook", "no-sheets", file=display)
        elif not kinds:
            inputs.report("unrecognised-file", file=display)
        inputs.files.append(
            InputFile(
                path=display,
                kind="+".join(dict.fromkeys(kinds)) or "unknown",
                unit=unit,
                sheets=tuple(g.name for g in wb.sheets),
                scheme=wb.props.get(PROP_SCHEME, ""),
            )
        )

    def _filled_tables(self, wb: WorkbookData, display: str, inputs: Inputs) -> list[Grid]:
        """A Word document's tables less its blank score tables, when another holds scores: a
        unit often returns the whole published document (考核办法, 附件1 and 附件2), filling in
        its own annex only; the other, read too, would be a second sheet of the same unit."""
        typed = [self._scores_typed(g) for g in wb.sheets]
        if True not in typed:
            return list(wb.sheets)
        for grid, t in zip(wb.sheets, typed, strict=True):
            if t is False:
                inputs.report("blank-annex-table", file=display, sheet=grid.name)
        return [g for g, t in zip(wb.sheets, typed, strict=True) if t is not False]

    def _scores_typed(self, grid: Grid) -> bool | None:
        """Whether an annex table has any 自评分 or 核定分 typed below its header; None when the
        grid is no annex table."""
        for r in range(min(grid.height, HEADER_SCAN_ROWS)):
            roles = self._annex.detect([label(v) for v in grid.rows[r]])
            if roles is not None:
                cols = [roles[k] for k in ("self", "verified") if k in roles]
                return any(grid.text(row, c) for row in range(r + 1, grid.height) for c in cols)
        return None

    def _annex_like(self, wb: WorkbookData) -> bool:
        """Whether a grid has a row with two or more annex header labels: a score table whose
        header was not recognised (a warning), not a report's table (a note)."""
        for grid in wb.sheets:
            for r in range(min(grid.height, HEADER_SCAN_ROWS)):
                labels = [label(v) for v in grid.rows[r]]
                if len(roles_of(labels, self.ctx.annex_labels)) >= 2:
                    return True
        return False

    def read_sheet(self, grid: Grid, wb: WorkbookData, display: str, inputs: Inputs) -> str:
        """The first header row any kind recognises decides the sheet's kind; '' for none."""
        for r in range(min(grid.height, HEADER_SCAN_ROWS)):
            labels = [label(v) for v in grid.rows[r]]
            if not any(labels):
                continue
            for kind in self.kinds:
                found = kind.detect(labels)
                if found is not None:
                    kind.read(grid, wb, display, r, found, inputs)
                    return kind.name
        return ""


def read_file(
    path: Path,
    display: str,
    reader: WorkbookReader,
    *,
    limits: Limits = DEFAULT_LIMITS,
    converted: Conversion | None = None,
    data: bytes | None = None,
) -> Inputs:
    """One file's records and findings, on their own. ``converted``: the file as the batch's
    LibreOffice run converted it (a .doc or .wps, ``folder``); ``data``: its bytes, if already
    read (the read cache). An earlier output of flowscore's (``own_outputs``) is not read: its
    figures are not this year's."""
    inputs = Inputs()
    found: list[Finding] = []
    if data is None:
        data, found = read_limited(path, display=display, limits=limits)
    # (size, sha256) of the bytes read, for the run's manifest: no file is read twice
    seen = (len(data), hashlib.sha256(data).hexdigest()) if data is not None else None
    earlier = earlier_output(data) if data is not None else None
    if earlier is not None:
        inputs.findings.append(earlier.finding(display))
        inputs.files.append(InputFile(path=display, kind="skipped"))
    wb = None
    if data is not None and earlier is None:
        wb, found = open_file(path, display=display, limits=limits, converted=converted, data=data)
    inputs.findings.extend(found)
    if wb is None and earlier is None:
        inputs.files.append(InputFile(path=display, kind="unreadable"))
    elif wb is not None:
        reader.read_workbook(wb, display, inputs)
    if seen:
        size, digest = seen
        inputs.files = [
            replace(f, size=size, sha256=digest) if f.path == display else f for f in inputs.files
        ]
    if wb is None:
        return inputs
    # A cell's text quoted in a message (a 32,767-character unit name) is shown clipped.
    inputs.findings = [_clipped(f, limits.max_shown) for f in inputs.findings]
    return inputs


def _clipped(f: Finding, limit: int) -> Finding:
    if len(f.message) <= limit + 40 and len(f.unit) <= limit and len(f.hint) <= 4 * limit:
        return f
    return replace(
        f,
        message=clip_quoted(f.message, limit),
        unit=clip(f.unit, limit),
        hint=clip_quoted(f.hint, limit),
    )
