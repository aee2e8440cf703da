"""One file read on its own: opened by format, each sheet recognised by its content, records
and findings gathered into an ``Inputs`` of its own (merged into the batch in file order)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from flowscore.contract import PROP_SCHEME
from flowscore.findings import Finding, clip, clip_quoted
from flowscore.inputs.kinds import ReadContext, sheet_kinds
from flowscore.inputs.open import Grid, WorkbookData, open_file
from flowscore.inputs.records import InputFile, Inputs
from flowscore.inputs.safety import DEFAULT_LIMITS, Limits
from flowscore.names import label
from flowscore.rubric.model import Scheme

HEADER_SCAN_ROWS = 100  # a header may sit well below the title (issue: a header at row 30)


class WorkbookReader:
    """Recognises and reads every sheet of a workbook against one scheme (built once per
    process: the rubric's labels are prepared once, never per file)."""

    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self.ctx = ReadContext.of(scheme)
        self.kinds = sheet_kinds(self.ctx)

    def read_workbook(self, wb: WorkbookData, display: str, inputs: Inputs) -> None:
        kinds: list[str] = []
        unit = ""
        for grid in wb.sheets:
            kind = self.read_sheet(grid, wb, display, inputs)
            if kind:
                kinds.append(kind)
                if kind == "annex" and inputs.annexes and inputs.annexes[-1].file == display:
                    unit = inputs.annexes[-1].unit
        if not wb.sheets:
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
    path: Path, display: str, reader: WorkbookReader, *, limits: Limits = DEFAULT_LIMITS
) -> Inputs:
    """One file's records and findings, on their own."""
    inputs = Inputs()
    seen: list[tuple[int, str]] = []  # (size, sha256) of the bytes read, for the manifest

    def fingerprint(data: bytes) -> None:
        seen.append((len(data), hashlib.sha256(data).hexdigest()))

    wb, found = open_file(path, display=display, limits=limits, fingerprint=fingerprint)
    inputs.findings.extend(found)
    if wb is None:
        inputs.files.append(InputFile(path=display, kind="unreadable"))
    else:
        reader.read_workbook(wb, display, inputs)
    if seen:
        size, digest = seen[0]
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
