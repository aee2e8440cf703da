"""Opening a submitted file as plain grids, whatever its format.

``open_file`` reads the bytes once (``files``: bounded, regular files only), lets
``safety.preflight`` decide what they really are (by content, not extension) and refuse what is
damaged, encrypted, hostile or too large, then hands the checked bytes to the opener of that
format. Every refusal is a finding naming the file (and the sheet), never an exception. A new
input format is one opener module plus one line in ``_OPENERS``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from flowscore.catalog import finding
from flowscore.findings import Finding
from flowscore.inputs.open import calamine, docx
from flowscore.inputs.open.files import from_refusal, os_reason, read_limited
from flowscore.inputs.open.grid import Grid, WorkbookData, cell_ref, col_letter
from flowscore.inputs.safety import DEFAULT_LIMITS, Limits, Preflight, preflight

if TYPE_CHECKING:
    from flowscore.inputs.open.convert import Conversion


class Opener(Protocol):
    def __call__(
        self,
        path: Path,
        data: bytes,
        pre: Preflight,
        *,
        display: str,
        limits: Limits,
        converted: Conversion | None,
    ) -> tuple[WorkbookData | None, list[Finding]]: ...


# format found by ``preflight`` → the function that opens it
_OPENERS: dict[str, Opener] = {kind: calamine.open_spreadsheet for kind in calamine.KINDS}
_OPENERS.update(dict.fromkeys(docx.KINDS, docx.open_word))

__all__ = ["Grid", "WorkbookData", "cell_ref", "col_letter", "open_file", "os_reason"]


def open_file(
    path: Path,
    *,
    display: str,
    limits: Limits = DEFAULT_LIMITS,
    converted: Conversion | None = None,
    data: bytes | None = None,
) -> tuple[WorkbookData | None, list[Finding]]:
    """Every sheet of ``path`` (a Word document: every table). Problems become findings naming
    ``display`` (the path relative to the submissions folder); a file that cannot be read at
    all gives None. ``converted``: the file as LibreOffice converted it for the batch (a .doc,
    ``folder``), for the opener of its format; ``data``: its bytes when already read (by
    ``read_limited``). Never raises for anything in the file."""
    if data is None:
        data, refused = read_limited(path, display=display, limits=limits)
        if data is None:
            return None, refused
    pre: Preflight
    try:
        pre = preflight(data, path.suffix, limits)
    except MemoryError:
        raise  # the worker's memory cap: the file is reported as crashing its reader
    except Exception:  # a structure the checks did not foresee: refuse it, never crash the batch
        return None, [finding("file-unreadable", "structure", file=display)]
    if pre.refusal is not None:
        return None, [from_refusal(display, pre.refusal)]
    findings = [from_refusal(display, n) for n in pre.notes]
    opener = _OPENERS[pre.kind]
    wb, found = opener(path, data, pre, display=display, limits=limits, converted=converted)
    findings += found
    if wb is None:
        return None, findings
    if (
        wb.sheets
        and not wb.skipped
        and not wb.is_document  # a document's tables: said by the reader (no-score-table)
        and not any(_has_value(g) for g in wb.sheets)
    ):
        findings.append(finding("empty-workbook", file=display))
        return None, findings
    return wb, findings


def _has_value(grid: Grid) -> bool:
    return any(v not in (None, "") for row in grid.rows for v in row)
