"""Writing a run's outputs into one folder, completely or not at all: the outputs listed in
``registry.OUTPUTS`` (考核汇总.xlsx, results.json, the circular 考核结果通报（草稿）.docx, each
unit's 反馈单; with ``--text`` the Markdown report and plain-text feedback; with ``--pdf`` PDFs of
the Word documents).

The folder is built beside the target and swapped in (``atomic.replace_dir_atomic``). Replacing
a folder deletes what was in it, so an existing folder is replaced only with ``force`` and only
when it holds nothing but what flowscore writes: ``--out .`` by mistake must never wipe a
working folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from flowscore.atomic import remove_leftovers, replace_dir_atomic
from flowscore.errors import OutputError
from flowscore.results import BatchResult
from flowscore.writers.registry import OUTPUTS, Choices, Output, known_names, pdf_name
from flowscore.writers.results_json import json_text, load_results, result_to_dict

# openpyxl, python-docx and Jinja2 are imported only when outputs are written: `flowscore rank`
# reads results.json through this package and must start fast.

__all__ = [
    "Choices",
    "Written",
    "check_out_dir",
    "json_text",
    "load_results",
    "result_to_dict",
    "write_outputs",
]

# Files the operating system drops into folders people open; they do not make a folder foreign.
_OS_CLUTTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def _foreign(out_dir: Path) -> list[str]:
    """What in ``out_dir`` flowscore did not write (relative names, sorted)."""
    names = known_names()
    folders = {o.name: o.suffixes for o in OUTPUTS if o.write_units is not None}
    foreign = []
    for entry in sorted(os.scandir(out_dir), key=lambda e: e.name):
        name = entry.name
        if name in _OS_CLUTTER:
            continue
        if entry.is_symlink() or name not in names:
            foreign.append(name)
        elif name in folders:
            if not entry.is_dir(follow_symlinks=False):
                foreign.append(name)
                continue
            for sub in sorted(os.scandir(entry.path), key=lambda e: e.name):
                if sub.name in _OS_CLUTTER:
                    continue
                if (
                    sub.is_symlink()
                    or not sub.is_file(follow_symlinks=False)
                    or not sub.name.endswith(folders[name])
                ):
                    foreign.append(f"{name}/{sub.name}")
        elif not entry.is_file(follow_symlinks=False):
            foreign.append(name)
    return foreign


def _open_in_office(out_dir: Path) -> str | None:
    """An output open in Excel, WPS or Word (their lock file ``~$…`` beside it), if any."""
    for o in OUTPUTS:
        places = [out_dir]
        if o.write_units is not None:
            places = [out_dir / o.name]
        for place in places:
            if not place.is_dir():
                continue
            for entry in os.scandir(place):
                if entry.name.startswith("~$"):
                    return str(place / entry.name[2:])
    return None


def check_out_dir(out_dir: Path, *, force: bool) -> None:
    """Refuse an output folder flowscore must not (re)place; see the module docstring."""
    if out_dir.is_symlink():
        raise OutputError(
            f"输出位置 {out_dir} 是符号链接，flowscore 不会替换它",
            hint="请用 --out 指定一个普通文件夹",
        )
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise OutputError(
            f"输出位置 {out_dir} 已存在且不是文件夹", hint="请用 --out 指定一个文件夹"
        )
    resolved = out_dir.resolve()
    try:
        cwd = Path.cwd().resolve()
    except OSError:  # the working folder itself was removed: it cannot be the target either
        cwd = None
    if cwd is not None and (resolved == cwd or resolved in cwd.parents):
        raise OutputError(
            f"不能把当前文件夹（或其上级）{out_dir} 作为输出文件夹：输出时会整个替换它",
            hint="请用 --out 指定一个新的子文件夹，例如 --out 考核结果",
        )
    with os.scandir(out_dir) as entries:
        if next(entries, None) is None:
            return
    if not force:
        raise OutputError(f"输出文件夹 {out_dir} 已存在且不为空", hint="加 --force 覆盖")
    opened = _open_in_office(out_dir)
    if opened is not None:
        raise OutputError(
            f"{opened} 正在 Excel、WPS 或 Word 中打开（旁边有它的锁文件）",
            hint="请先关闭该文件再运行",
        )
    foreign = _foreign(out_dir)
    if foreign:
        shown = "、".join(foreign[:5]) + ("等" if len(foreign) > 5 else "")
        raise OutputError(
            f"输出文件夹 {out_dir} 中有不是 flowscore 生成的文件（{shown}），为安全起见不会覆盖",
            hint="请用 --out 指定一个新的或空的文件夹",
        )


_ALL = Choices()  # the default outputs

# From this many units on, the summary workbook (and half the unit outputs) is written by a
# forked child while this process writes the rest: on 2 cores, 10,000 units take ~1.7 s instead
# of ~4.2 s. Below it a fork costs more than it saves.
FORK_FROM = 400


@dataclass(frozen=True, kw_only=True)
class Written:
    """What ``write_outputs`` wrote (final paths, sorted) and what it could not add (a PDF
    without LibreOffice), in Chinese."""

    paths: tuple[Path, ...]
    notes: tuple[str, ...] = field(default=())
    # with ``digests``: every file of the folder as written (relative name, size, BLAKE2b)
    files: tuple[tuple[str, int, bytes], ...] | None = None


def folder_files(top: Path) -> list[tuple[str, Path]] | None:
    """Every file under ``top`` by its name relative to it (``反馈单/月湖街道.docx``), sorted,
    leaving out what the operating system drops into folders; None when something in it is
    neither a regular file nor a folder (a link)."""
    found: list[tuple[str, Path]] = []
    stack = [("", top)]
    while stack:
        prefix, place = stack.pop()
        with os.scandir(place) as entries:
            for entry in entries:
                if entry.name in _OS_CLUTTER:
                    continue
                name = prefix + entry.name
                if entry.is_symlink():
                    return None
                if entry.is_dir(follow_symlinks=False):
                    stack.append((name + "/", Path(entry.path)))
                elif entry.is_file(follow_symlinks=False):
                    found.append((name, Path(entry.path)))
                else:
                    return None
    return sorted(found)


def file_digest(path: Path) -> bytes:
    import hashlib

    with open(path, "rb") as f:
        return hashlib.file_digest(f, lambda: hashlib.blake2b(digest_size=32)).digest()


def _fill(result: BatchResult, folder: Path, *, choices: Choices, jobs: int) -> list[Path]:
    from flowscore.parallel import Forked, can_fork

    outputs = [o for o in OUTPUTS if o.wanted(choices)]
    units = [u.unit for u in result.units]
    for o in outputs:
        if o.write_units is not None:
            (folder / o.name).mkdir()
    if jobs > 1 and len(result.units) >= FORK_FROM and can_fork():
        shares = sorted(({o.share for o in outputs if o.write is not None} | {1}) - {0})
        children = []
        try:
            for share in shares:  # the per-unit outputs: half here, half in the first child
                mine = units[1::2] if share == shares[0] else []
                children.append(Forked(_write_share, result, folder, outputs, mine, share=share))
            written = _write_share(result, folder, outputs, units[0::2], share=0)
            for child in children:
                written += child.result()
        except BaseException:  # a failure, or a signal while waiting: the children stop first,
            for child in children:  # so nothing is written into the folder once it is removed
                child.cancel()
            raise
    else:
        written = _write_share(result, folder, outputs, units, share=None)
    return written


def _write_share(
    result: BatchResult, folder: Path, outputs: list[Output], units: list[str], *, share: int | None
) -> list[Path]:
    """One process's share of the outputs: the whole-batch ones of ``share`` (None: all of
    them), and every per-unit output for ``units``."""
    written = []
    for o in outputs:
        if o.write is not None and share in (None, o.share):
            o.write(result, folder / o.name)
            written.append(folder / o.name)
        elif o.write_units is not None and units:
            written += o.write_units(result, folder / o.name, units)
    return written


def _pdfs(
    result: BatchResult, written: list[Path], outputs: list[Output]
) -> tuple[list[Path], str]:
    """PDFs beside the Word documents among ``written`` (one LibreOffice run); the PDFs and
    what went wrong, if anything."""
    from flowscore.writers.pdf import convert_to_pdf

    folders = {o.name for o in outputs if o.pdf and o.write_units is not None}
    files = {o.name for o in outputs if o.pdf and o.write is not None}
    docs = [p for p in written if p.name in files or p.parent.name in folders]
    outcome = convert_to_pdf(
        [(d, d.with_name(pdf_name(d.name))) for d in docs], style=result.document
    )
    return list(outcome.written), outcome.problem or ""


def write_outputs(
    result: BatchResult,
    *,
    out_dir: Path,
    force: bool,
    choices: Choices = _ALL,
    jobs: int = 2,
    digests: bool = False,
) -> Written:
    """Write the chosen outputs into ``out_dir`` (whole or not at all). Raises OutputError when
    the folder must not be replaced. ``jobs`` = 1 keeps all writing in this process (else a
    large batch is written by two). ``digests``: ``Written.files`` is every file's size and
    content hash, taken in the temporary folder before it is swapped in (the run record)."""
    from flowscore.outlock import output_lock

    out_dir = Path(out_dir)
    relative: list[Path] = []
    notes: list[str] = []
    files: list[tuple[str, int, bytes]] | None = None

    def fill(tmp: Path) -> None:
        nonlocal files
        written = _fill(result, tmp, choices=choices, jobs=jobs)
        if choices.pdf:
            outputs = [o for o in OUTPUTS if o.wanted(choices)]
            pdfs, problem = _pdfs(result, written, outputs)
            written += pdfs
            if problem:
                notes.append(problem)
        relative.extend(p.relative_to(tmp) for p in written)
        if digests:
            listed = folder_files(tmp)
            if listed is not None:
                files = [(name, p.stat().st_size, file_digest(p)) for name, p in listed]

    try:
        with output_lock(out_dir):
            check_out_dir(out_dir, force=force)
            final = out_dir.resolve()
            replace_dir_atomic(out_dir, fill)
            remove_leftovers(final)  # superseded now that the new outputs are in place
    except OSError as exc:
        raise output_error(out_dir, exc) from exc
    return Written(
        paths=tuple(sorted(final / r for r in relative)),
        notes=tuple(notes),
        files=tuple(files) if files is not None else None,
    )


def output_error(out_dir: Path, exc: OSError) -> OutputError:
    """A failure to write outputs, said in Chinese: which folder, and why."""
    from flowscore.display import readable

    return OutputError(
        f"无法写出结果到 {readable(str(out_dir))}：{_cause(exc)}，原有的结果没有改动",
        hint=_fix(exc.errno or 0),
    )


def _cause(exc: OSError) -> str:
    import errno

    return {
        errno.ENOSPC: "磁盘空间不足",
        errno.EDQUOT: "磁盘配额已满",
        errno.EROFS: "该位置是只读的",
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有权限（文件夹可能被设为只读或不可修改）",
        errno.ENOTDIR: "路径中有一段是文件，不是文件夹",
        errno.EEXIST: "路径中有一段是文件，不是文件夹",
        errno.ENAMETOOLONG: "路径太长",
        errno.EIO: "写入设备出错",
        errno.EBUSY: "文件被占用",
    }.get(exc.errno or 0, f"系统错误（{exc.strerror or type(exc).__name__}）")


def _fix(code: int) -> str:
    import errno

    return {
        errno.ENOSPC: "清理磁盘空间后重新运行，或用 --out 指定其他磁盘上的文件夹",
        errno.EDQUOT: "清理磁盘空间后重新运行，或用 --out 指定其他磁盘上的文件夹",
        errno.EROFS: "用 --out 指定一个可以写入的文件夹",
        errno.EACCES: "用 --out 指定一个有写入权限的文件夹",
        errno.EPERM: "确认文件夹没有被设为只读或不可修改，或用 --out 指定其他文件夹",
        errno.ENOTDIR: "用 --out 指定一个文件夹路径（不要放在文件下面）",
        errno.EEXIST: "用 --out 指定一个文件夹路径（不要放在文件下面）",
    }.get(code, "确认该位置可以写入后重新运行，或用 --out 指定其他文件夹")
