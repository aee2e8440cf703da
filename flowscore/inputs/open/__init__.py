"""Opening a submitted file as plain grids, whatever its format.

``open_file`` reads the bytes once, lets ``safety.preflight`` decide what they really are (by
content, not extension) and refuse what is damaged, encrypted, hostile or too large, then hands
the checked bytes to the opener of that format. Every refusal is a finding naming the file (and
the sheet), never an exception. A new input format is one opener module plus one line in
``_OPENERS``.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

from flowscore.catalog import finding
from flowscore.findings import Finding
from flowscore.inputs.open import calamine
from flowscore.inputs.open.grid import Grid, WorkbookData, cell_ref, col_letter
from flowscore.inputs.safety import DEFAULT_LIMITS, Limits, Preflight, Refusal, preflight

Opener = Callable[..., tuple[WorkbookData | None, list[Finding]]]

# format found by ``preflight`` → the function that opens it
_OPENERS: dict[str, Opener] = {kind: calamine.open_spreadsheet for kind in calamine.KINDS}

__all__ = ["Grid", "WorkbookData", "cell_ref", "col_letter", "open_file"]


def open_file(
    path: Path, *, display: str, limits: Limits = DEFAULT_LIMITS
) -> tuple[WorkbookData | None, list[Finding]]:
    """Every sheet of ``path``. Problems become findings naming ``display`` (the path relative
    to the submissions folder); a file that cannot be read at all gives None.
    Never raises for anything in the file."""
    try:
        size = path.stat().st_size
        if size > limits.max_size:
            return None, [
                finding(
                    "file-too-large",
                    file=display,
                    size=f"{size / (1024 * 1024):,.0f}",
                    limit=limits.size_label,
                )
            ]
        data = path.read_bytes()
    except OSError as exc:
        return None, [finding("file-unreadable", "open", file=display, reason=_os_reason(exc))]
    pre: Preflight
    try:
        pre = preflight(data, path.suffix, limits)
    except Exception:  # a structure the checks did not foresee: refuse it, never crash the batch
        return None, [finding("file-unreadable", "structure", file=display)]
    if pre.refusal is not None:
        return None, [_from_refusal(display, pre.refusal)]
    findings = [_from_refusal(display, n) for n in pre.notes]
    wb, found = _OPENERS[pre.kind](path, data, pre, display=display, limits=limits)
    findings += found
    if wb is None:
        return None, findings
    if wb.sheets and not wb.skipped and not any(_has_value(g) for g in wb.sheets):
        findings.append(finding("empty-workbook", file=display))
        return None, findings
    return wb, findings


def _from_refusal(display: str, r: Refusal) -> Finding:
    return Finding(
        code=r.code, level=r.level, file=display, sheet=r.sheet, message=r.message, hint=r.hint
    )


def _has_value(grid: Grid) -> bool:
    return any(v not in (None, "") for row in grid.rows for v in row)


def _os_reason(exc: OSError) -> str:
    return {
        errno.EACCES: "没有读取权限",
        errno.EPERM: "没有读取权限",
        errno.ENOENT: "文件已不存在",
        errno.EISDIR: "这是一个文件夹",
        errno.EBUSY: "文件被占用",
    }.get(exc.errno or 0, "系统错误")
