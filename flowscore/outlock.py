"""One run at a time per output folder: a lock file beside it (``.<name>.lock``).

Two runs writing into one folder at once used to end in ``FileNotFoundError … .old`` (each moved
the other's folder aside). The lock is the operating system's own lock on that file
(``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows: pure Python on both), so it is released
when its holder ends in any way — a lock left by a process that died is simply taken over. The
file holds who has it (process id, computer, start time) for the run that waits. A run waits
``WAIT`` seconds for the folder, then says who holds it.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WAIT = 5.0  # seconds a second run waits for the first to finish writing
_WINDOWS_LOCK_OFFSET = 1 << 20  # Windows locks bytes; lock one far past the holder's text


def lock_path(out_dir: Path) -> Path:
    """Beside the folder as the writers resolve it (``replace_dir_atomic``): two spellings of
    one folder (through a linked parent, ``..`` after a link) are one lock."""
    out_dir = Path(out_dir).resolve()
    return out_dir.parent / f".{out_dir.name}.lock"


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]  # Windows only
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _holder(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes()[:4096].decode("utf-8", "replace") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextmanager
def output_lock(out_dir: Path, *, wait: float | None = None) -> Iterator[None]:
    """Hold the output folder's lock for the block (waiting up to ``wait`` seconds for it)."""
    from flowscore.errors import OutputError
    from flowscore.interrupt import critical

    path = lock_path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + (WAIT if wait is None else wait)
    fd = -1
    try:
        while True:
            with critical():  # a descriptor held is one the finally below releases
                fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)
                held = _try_lock(fd)
                if held:
                    try:
                        held = os.path.samestat(os.fstat(fd), os.stat(path))
                    except OSError:
                        held = False  # the holder removed the file as we took it: retry
                if not held:
                    os.close(fd)
                    fd = -1
            if held:
                break
            if time.monotonic() >= deadline:
                who = _holder(path)
                raise OutputError(
                    f"输出文件夹 {out_dir} 正由另一次运行写出（进程 {who.get('pid', '未知')}，"
                    f"计算机 {who.get('host', '未知')}，开始于 {who.get('started', '未知')}）",
                    hint="请等那次运行结束后再运行；它结束后锁会自动解除",
                )
            time.sleep(0.1)
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(info, ensure_ascii=False).encode("utf-8"))
        yield
    finally:
        if fd >= 0:
            try:
                os.unlink(path)  # still held: a waiting run retries on the new file
            except OSError:  # Windows: an open file cannot be removed; it stays, unlocked
                pass
            os.close(fd)
