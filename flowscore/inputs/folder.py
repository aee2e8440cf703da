"""A submissions folder: the files in it, read once (in worker processes for a large batch) into
one ``Inputs``.

The folder is walked once; what is not read is said (lock files, formats flowscore does not read)
or passed over (hidden files, flowscore's own output folders). Files are read in path order and
merged in that order, so a parallel run gives the same records as a serial one. The batch's
.doc and .wps files are converted to .docx by one LibreOffice run before reading starts
(``open/convert.py``), and the workers read the results.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowscore.catalog import finding
from flowscore.contract import PROP_SCHEME, RESULTS_NAME, SUMMARY_NAME
from flowscore.display import readable
from flowscore.findings import Finding
from flowscore.inputs.cache import ReadCache
from flowscore.inputs.formats import (
    CONVERTED_SUFFIXES,
    READ_SUFFIXES,
    SPREADSHEET_SUFFIXES,
    skipped_file_note,
)
from flowscore.inputs.open import os_reason
from flowscore.inputs.open.props import template_props
from flowscore.inputs.own_outputs import is_results_json
from flowscore.inputs.reader import WorkbookReader, read_file
from flowscore.inputs.records import Inputs
from flowscore.inputs.safety import DEFAULT_LIMITS, Limits
from flowscore.rubric.model import Scheme

if TYPE_CHECKING:
    from flowscore.inputs.open.convert import Conversion


def discover(
    root: Path, *, exclude: tuple[Path, ...] = ()
) -> tuple[list[tuple[str, str]], list[Finding]]:
    """(absolute path, path relative to ``root`` as shown) of every spreadsheet and Word
    document under ``root`` (a resolved folder), in path order, and what is said about the
    rest: lock files (a spreadsheet's; Word's own are passed over), entries
    that are not regular files (a FIFO, a device, a dangling or looping link, a link to a
    folder), folders that cannot be listed, and flowscore's own earlier output folders and
    results.json files (recognised by their content, not by file names; its workbooks and
    documents are recognised when read, ``reader``). The excluded folder (this run's
    output) is passed over silently. A name that is not UTF-8 (GBK from a zip made on Chinese
    Windows) is shown decoded (``display.readable``); the real path is kept for opening it.
    Strings, not Paths: building, resolving and comparing Paths cost ~40 µs a file (0.4 s for
    a province of 10,000 files, in the process the workers compete with)."""
    excluded = {str(p.resolve()) for p in exclude}
    notes: list[Finding] = []
    found: list[tuple[list[str], str, str]] = []
    base = str(root)

    shown = readable

    def unlistable(exc: OSError) -> None:
        where = os.path.relpath(exc.filename, base) if exc.filename else "."
        notes.append(
            finding("file-skipped", "unreadable", file=shown(where), reason=os_reason(exc))
        )

    # One walk, deciding per folder (not per file) what to skip: hidden folders, the excluded
    # output folder, and any flowscore output folder left inside the submissions.
    for here, dirs, files in os.walk(base, onerror=unlistable):
        keep = []
        rel_dir = os.path.relpath(here, base)
        for d in dirs:
            sub = os.path.join(here, d)
            if d.startswith(".") or sub in excluded:
                continue
            rel = d if rel_dir == "." else os.path.join(rel_dir, d)
            if os.path.islink(sub):  # os.walk lists a link to a folder but does not enter it
                notes.append(finding("file-skipped", "folder-link", file=shown(rel)))
                continue
            if is_output_folder(sub):
                notes.append(finding("output-folder-skipped", file=shown(rel)))
                continue
            keep.append(d)
        dirs[:] = keep
        for f in files:
            if f.startswith("."):
                continue
            rel = f if rel_dir == "." else os.path.join(rel_dir, f)
            found.append((rel.split(os.sep), os.path.join(here, f), rel))
    found.sort(key=lambda x: x[0])  # path by path, as Path ordering (and rglob) gave
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for _parts, path, rel in found:
        if path in excluded:
            continue
        name = os.path.basename(path)
        suffix = os.path.splitext(name)[1].lower()
        display = shown(rel)
        if display in seen:  # two names that read the same once decoded: keep both apart
            n = 2
            while f"{display}（{n}）" in seen:
                n += 1
            display = f"{display}（{n}）"
        seen.add(display)
        why = _not_regular(path)
        if why is not None:
            if suffix in READ_SUFFIXES and not name.startswith(("~$", ".~lock")):
                variant, fields = why
                notes.append(finding("file-skipped", variant, file=display, **fields))
            continue
        if name.startswith("~$") or name.startswith(".~lock"):
            if suffix not in SPREADSHEET_SUFFIXES:
                continue  # Word's lock files (~$报告.docx) are no concern of ours
            notes.append(finding("lock-file", file=display))
            continue
        if suffix == ".json" and is_results_json(path):
            # an earlier run's results.json, alone or renamed (a whole output folder is
            # passed over above); the workbooks and documents are known when read (reader)
            notes.append(finding("output-file-skipped", "results", file=display))
            continue
        if suffix not in READ_SUFFIXES:
            note = skipped_file_note(readable(name), display)
            if note is not None:
                notes.append(note)
            continue
        out.append((path, display))
    return out, notes


_KIND_OF = {
    stat.S_IFIFO: "命名管道（FIFO）",
    stat.S_IFCHR: "字符设备文件",
    stat.S_IFBLK: "块设备文件",
    stat.S_IFSOCK: "套接字",
    stat.S_IFDIR: "文件夹",
}


def _not_regular(path: str) -> tuple[str, dict[str, str]] | None:
    """Why ``path`` is not a regular file to read (a variant of ``file-skipped`` and its fields),
    or None when it is one. One ``stat`` (as ``isfile`` took), links followed."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "loop", {}
        if exc.errno == errno.ENOENT and os.path.islink(path):
            return "dangling", {}
        return "unreadable", {"reason": os_reason(exc)}
    if stat.S_ISREG(st.st_mode):
        return None
    return "", {"what": _KIND_OF.get(stat.S_IFMT(st.st_mode), "特殊文件")}


# An earlier run's output is recognised by what its results.json says (``format``), not by the
# two file names: a folder of a unit's material that happens to hold a results.json and a
# 考核汇总.xlsx must still be read.
def is_output_folder(folder: str) -> bool:
    """Whether ``folder`` is an output folder flowscore wrote (``results.json`` by content, and
    ``考核汇总.xlsx``)."""
    if not os.path.exists(os.path.join(folder, SUMMARY_NAME)):
        return False
    return is_results_json(os.path.join(folder, RESULTS_NAME))


@dataclass(frozen=True, kw_only=True)
class Listing:
    """A folder as walked once: the files to read and what was said about the others."""

    folder: Path
    tasks: list[tuple[str, str]]  # (absolute path, path relative to the folder as shown)
    notes: list[Finding]


def list_folder(folder: Path, *, exclude: tuple[Path, ...] = ()) -> Listing:
    tasks, notes = discover(folder.resolve(), exclude=exclude)
    return Listing(folder=folder, tasks=tasks, notes=notes)


def template_schemes(
    listing: Listing, *, progress: Callable[[int, int], None] | None = None
) -> dict[str, list[str]]:
    """Rubric id → the files whose template names it (its ``flowscore.scheme`` property).
    ``progress(done, total)`` as files are looked at (10,000 files take a few seconds)."""
    found: dict[str, list[str]] = {}
    total = len(listing.tasks)
    for done, (path, display) in enumerate(listing.tasks, 1):
        sid = template_props(path).get(PROP_SCHEME, "")
        if sid:
            found.setdefault(sid, []).append(display)
        if progress is not None and (done % 50 == 0 or done == total):
            progress(done, total)
    return found


def read_folder(
    folder: Path,
    scheme: Scheme,
    *,
    exclude: tuple[Path, ...] = (),
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    isolate: bool = False,
) -> Inputs:
    """Read every file of ``folder`` (``read_listing`` of ``list_folder``)."""
    return read_listing(
        list_folder(folder, exclude=exclude),
        scheme,
        jobs=jobs,
        progress=progress,
        limits=limits,
        isolate=isolate,
    )


def read_listing(
    listing: Listing,
    scheme: Scheme,
    *,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    isolate: bool = False,
    cache: ReadCache | None = None,
) -> Inputs:
    """Read every file of a listing. With ``jobs`` > 1 the files are read in batches by worker
    processes; the records are merged in file order, so the result is the same.
    ``limits``: what a file may be (size, rows) before it is refused with a finding.
    ``isolate``: read in worker processes whatever the batch size (``workers``): a file that
    makes the reader die is a ``file-crashed-reader`` finding and the batch goes on. The command
    line always isolates; in-process reading is for the library and its tests.
    ``cache``: files whose entry may be used are not read again (``inputs.cache``)."""
    tasks, folder = listing.tasks, listing.folder
    inputs = Inputs()
    inputs.findings.extend(listing.notes)
    if not tasks:
        inputs.report("no-files", folder=readable(str(folder)))
    from flowscore.parallel import map_batches, pooled

    # From worker processes the records come packed (``wire``): a third of pickle's cost.
    packed = isolate or pooled(jobs, len(tasks)) or cache is not None
    if packed:
        from flowscore.inputs.wire import unpack
    from flowscore.workers import memory_room

    hits = cache.lookup(tasks, limits.max_size, unpack) if cache is not None else {}
    todo = [t for i, t in enumerate(tasks) if i not in hits] if hits else tasks
    reader: Callable[[list[tuple[str, str]]], list[Any]] = (
        _read_batch_cached if cache is not None else _read_batch_packed if packed else _read_batch
    )
    if progress is not None and hits:
        shown = progress
        progress = lambda done, total: shown(done + len(hits), total + len(hits))  # noqa: E731
        shown(len(hits), len(tasks))
    with _word_conversions(todo, limits) as converted:
        parts = map_batches(
            reader,
            todo,
            jobs=jobs,
            init=_init_worker,
            init_arg=(scheme, limits, converted),
            progress=progress,
            isolate=isolate,
            crashed=_crashed_kept if cache is not None else _crashed,
            memory=memory_room(limits.max_size),
        )
        for i, task in enumerate(tasks):
            got = hits.get(i)
            if got is None:
                part = next(parts)
                if cache is not None:
                    part, meta = part
                    cache.keep(task, part, meta)
                got = unpack(part) if packed else part
            inputs.merge(got)
        for _rest in parts:  # one result per task: this ends the pool
            pass
    if cache is not None:
        cache.save()
    return inputs


@contextlib.contextmanager
def _word_conversions(
    tasks: list[tuple[str, str]], limits: Limits
) -> Iterator[dict[str, Conversion]]:
    """Every .doc/.wps of the batch converted to .docx by one LibreOffice run (one start, not
    one a file), kept in a temporary folder until the batch is read: path → Conversion."""
    word = [path for path, _ in tasks if path.lower().endswith(CONVERTED_SUFFIXES)]
    if not word:
        yield {}
        return
    from flowscore.inputs.open.convert import Converter
    from flowscore.inputs.open.docx import conversion_kind

    with Converter(limits) as converter:
        sources = [(p, kind) for p in word if (kind := conversion_kind(p, limits))]
        yield converter.convert(sources)


_worker_reader: WorkbookReader | None = None
_worker_limits: Limits = DEFAULT_LIMITS
_worker_converted: dict[str, Conversion] = {}


def _init_worker(arg: tuple[Scheme, Limits, dict[str, Conversion]]) -> None:
    """Build the reader once per process (the rubric is parsed once, never per file)."""
    global _worker_reader, _worker_limits, _worker_converted
    scheme, _worker_limits, _worker_converted = arg
    _worker_reader = WorkbookReader(scheme)


def _read_batch(tasks: list[tuple[str, str]]) -> list[Inputs]:
    assert _worker_reader is not None
    return [
        read_file(
            Path(path),
            display,
            _worker_reader,
            limits=_worker_limits,
            converted=_worker_converted.get(path),
        )
        for path, display in tasks
    ]


def _crashed(task: tuple[str, str], reason: str) -> bytes:
    """What a file is when its worker died reading it: unreadable, with a finding."""
    from flowscore.inputs.records import InputFile
    from flowscore.inputs.wire import pack

    inputs = Inputs()
    inputs.report("file-crashed-reader", file=task[1], reason=reason)
    inputs.files.append(InputFile(path=task[1], kind="unreadable"))
    return pack(inputs)


def _read_batch_packed(tasks: list[tuple[str, str]]) -> list[bytes]:
    from flowscore.inputs.wire import pack

    return [pack(x) for x in _read_batch(tasks)]


def _crashed_kept(task: tuple[str, str], reason: str) -> tuple[bytes, None]:
    return _crashed(task, reason), None  # a crash may be the machine's: never kept


def _read_batch_cached(tasks: list[tuple[str, str]]) -> list[tuple[bytes, Any]]:
    """``_read_batch_packed`` with what the read cache keeps of each file."""
    from flowscore.inputs.cache import read_for_cache
    from flowscore.inputs.wire import pack

    assert _worker_reader is not None
    reader, limits = _worker_reader, _worker_limits

    def read_one(path: str, display: str) -> tuple[bytes, Any]:
        converted = _worker_converted.get(path)

        def read(data: bytes | None) -> bytes:
            inputs = read_file(
                Path(path), display, reader, limits=limits, data=data, converted=converted
            )
            return pack(inputs)

        if path.lower().endswith(CONVERTED_SUFFIXES):
            # Read through LibreOffice's conversion, which may fail for reasons of its own (not
            # installed, timed out): never kept.
            return read(None), None
        return read_for_cache(path, display, read, limits.max_size)

    return [read_one(path, display) for path, display in tasks]
