"""A submitted file's bytes, read once and bounded, and what is said when they cannot be.

The folder was listed earlier; by the time a file is opened its name may be a FIFO or a link
to /dev/zero, so every check is made on the open descriptor, and nothing is read past the
limit whatever ``stat`` said. Used for the file itself and for anything made from it (a .doc's
conversion by LibreOffice, ``open/convert.py``)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from flowscore.catalog import finding
from flowscore.findings import Finding
from flowscore.inputs.safety import Limits, Refusal


class NotRegular(Exception):
    def __init__(self, what: str) -> None:
        self.what = what


class TooLarge(Exception):
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
            raise NotRegular(_KINDS.get(stat.S_IFMT(st.st_mode), "特殊文件"))
        if st.st_size > limit:
            raise TooLarge(st.st_size)
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
        raise TooLarge(len(data))
    return data


def read_limited(path: Path, *, display: str, limits: Limits) -> tuple[bytes | None, list[Finding]]:
    """``read_bounded`` within ``limits.max_size``: the bytes, or None and the finding naming
    ``display`` (not a regular file, too large, cannot be opened)."""
    try:
        return read_bounded(path, limits.max_size), []
    except NotRegular as exc:
        return None, [finding("file-skipped", file=display, what=exc.what)]
    except TooLarge as exc:
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


def from_refusal(display: str, r: Refusal) -> Finding:
    """A pre-check's refusal (or note) as the finding naming the file."""
    return Finding(
        code=r.code, level=r.level, file=display, sheet=r.sheet, message=r.message, hint=r.hint
    )


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
