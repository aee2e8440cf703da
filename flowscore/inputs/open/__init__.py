"""Opening a submitted file as plain grids, whatever its format.

``open_file`` reads the bytes once, lets ``safety.preflight`` decide what they really are (by
content, not extension) and refuse what is damaged, encrypted, hostile or too large, then hands
the checked bytes to the opener of that format. Every refusal is a finding naming the file (and
the sheet), never an exception. A new input format is one opener module plus one line in
``_OPENERS``.
"""

from __future__ import annotations

import errno
import os
import stat
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

__all__ = ["Grid", "WorkbookData", "cell_ref", "col_letter", "open_file", "os_reason"]


def open_file(
    path: Path,
    *,
    display: str,
    limits: Limits = DEFAULT_LIMITS,
    fingerprint: Callable[[bytes], None] | None = None,
) -> tuple[WorkbookData | None, list[Finding]]:
    """Every sheet of ``path``. Problems become findings naming ``display`` (the path relative
    to the submissions folder); a file that cannot be read at all gives None.
    ``fingerprint`` is given the bytes as read (the run's manifest hashes them here, so no file
    is read twice). Never raises for anything in the file."""
    try:
        data = read_bounded(path, limits.max_size)
    except _NotRegular as exc:
        return None, [finding("file-skipped", file=display, what=exc.what)]
    except _TooLarge as exc:
        return None, [
            finding(
                "file-too-large",
                file=display,
                size=f"{exc.size / (1024 * 1024):,.0f}",
                limit=limits.size_label,
            )
        ]
    except OSError as exc:
        return None, [finding("file-unreadable", "open", file=display, reason=os_reason(exc))]
    if fingerprint is not None:
        fingerprint(data)
    pre: Preflight
    try:
        pre = preflight(data, path.suffix, limits)
    except MemoryError:
        raise  # the worker's memory cap: the file is reported as crashing its reader
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


class _NotRegular(Exception):
    def __init__(self, what: str) -> None:
        self.what = what


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


_KINDS = {
    stat.S_IFIFO: "命名管道（FIFO）",
    stat.S_IFCHR: "字符设备文件",
    stat.S_IFBLK: "块设备文件",
    stat.S_IFSOCK: "套接字",
    stat.S_IFDIR: "文件夹",
}
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes — checked
    on the open file itself (the folder was listed earlier; the name may since be a FIFO or a
    link to /dev/zero), and read no further than ``limit`` + 1 bytes whatever ``stat`` said.
    Opened without blocking, so a FIFO cannot hang the run."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _NotRegular(_KINDS.get(stat.S_IFMT(st.st_mode), "特殊文件"))
        if st.st_size > limit:
            raise _TooLarge(st.st_size)
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, max(st.st_size + 1, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _TooLarge(len(data))
    return data


def _from_refusal(display: str, r: Refusal) -> Finding:
    return Finding(
        code=r.code, level=r.level, file=display, sheet=r.sheet, message=r.message, hint=r.hint
    )


def _has_value(grid: Grid) -> bool:
    return any(v not in (None, "") for row in grid.rows for v in row)


def os_reason(exc: OSError) -> str:
    return {
        errno.EACCES: "没有读取权限",
        errno.EPERM: "没有读取权限",
        errno.ENOENT: "文件已不存在",
        errno.EISDIR: "这是一个文件夹",
        errno.EBUSY: "文件被占用",
        errno.ELOOP: "快捷方式（符号链接）循环指向自身",
        errno.ENOTDIR: "路径中有一段不是文件夹",
        errno.ENAMETOOLONG: "路径太长",
        errno.EIO: "读取设备出错",
    }.get(exc.errno or 0, "系统错误")
