"""Outputs are written whole or not at all: into a temporary sibling, then renamed."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flowscore.interrupt import critical, raise_if_lost

# Output folders this process has put in place (the last one is what a signal arriving after it
# should report as written).
replaced: list[str] = []


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkdtemp's and mkstemp's random part: eight of [a-z0-9_], never a dot (``tempfile``)
RANDOM = r"[a-z0-9_]{8}"
# Every file flowscore writes is done within seconds; a temporary one an hour old was left by a
# run killed outright (a failure or a stop removes its own).
STALE_AFTER = 3600.0


def write_file_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp makes the file private (0600); a template is handed to others: ordinary rights.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def temporaries_of(names: list[str]) -> re.Pattern[str]:
    """The names ``write_file_atomic`` gives the temporary files of ``names``."""
    return re.compile(r"\.(?:" + "|".join(map(re.escape, names)) + r")\." + RANDOM + r"\.tmp")


def remove_stale(folder: Path, name: re.Pattern[str]) -> None:
    """Remove the files in ``folder`` named ``name`` (the whole name) that are older than
    ``STALE_AFTER``: what runs killed outright left. Age decides, for another run may be
    writing one right now. Best effort: what cannot be removed stays."""
    limit = time.time() - STALE_AFTER
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if name.fullmatch(entry.name):
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < limit:
                    os.unlink(entry.path)


def replace_dir_atomic(final: Path, fill: Callable[[Path], None]) -> None:
    """Build a whole folder in a temporary sibling with ``fill(tmp)``, then swap it in.

    The old folder (if any) is moved aside first and removed only once the new one is in place,
    so an interruption at any point leaves either the old outputs or the new ones, whole."""
    final = final.resolve()
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp: Path | None = None
    old: Path | None = None
    try:
        with critical():  # the folder made and its name kept, or neither
            tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
        fill(tmp)
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp's folder is private (0700)
        raise_if_lost()  # a signal whose stop was dropped on the way: the old outputs stay
        with critical():  # the old outputs aside and the new ones in: never one without the other
            if final.exists():
                old = Path(
                    tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".old", dir=final.parent)
                )
                old.rmdir()
                os.replace(final, old)
            try:
                os.replace(tmp, final)
            except BaseException:
                if old is not None and not final.exists():
                    os.replace(old, final)
                    old = None
                raise
            replaced.append(str(final))
    finally:
        if tmp is not None and tmp.exists():
            _remove(tmp)
    if old is not None and old.exists():
        _remove(old)
        if old.exists():
            from flowscore.errors import OutputError

            raise OutputError(
                f"新的结果已写入 {final}，但无法删除旧结果（已移到 {old}）",
                hint="请手动删除该文件夹",
            )


def remove_leftovers(final: Path) -> list[Path]:
    """Remove what runs killed outright (a power cut, a console window closed, 结束任务) left
    beside the output folder ``final``: a folder being built (``.<name>.<8 letters>.tmp``) and
    an old one moved aside (``.<name>.<8 letters>.old``). A Ctrl-C or a stop cleans up after
    itself; a killed process cannot, and on Windows these folders are not hidden.

    Only for a caller holding ``final``'s output lock (``outlock``: no other run is building
    ``final``) and only once its new outputs are in place: a run killed between its two renames
    leaves no ``final``, the previous results in ``.old`` and the new ones in ``.tmp``, and those
    must outlive any run that fails before it has put outputs of its own in their place.
    ``mkdtemp``'s eight letters hold no dot, so the folders of another output (``结果.2019``
    beside ``结果``) never match. Returns what it removed."""
    pattern = re.compile(re.escape(f".{final.name}.") + RANDOM + r"\.(?:tmp|old)")
    removed = []
    try:
        entries = list(os.scandir(final.parent))
    except OSError:
        return []
    for entry in entries:
        if pattern.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
            _remove(Path(entry.path))
            if not os.path.lexists(entry.path):
                removed.append(Path(entry.path))
    return removed


def _remove(folder: Path) -> None:
    """Remove a folder, once more if something was still being written into it."""
    for _ in range(2):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
