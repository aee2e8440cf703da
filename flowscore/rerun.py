"""A rerun with nothing changed leaves the outputs as they are.

The office reruns ``compute`` as sheets arrive, and often nothing new has arrived. After a full
run whose inputs could all be identified, a *run record* is kept beside the read cache
(``inputs.cache``: the user's cache folder, one file per submissions folder and output folder,
authenticated with the cache's key). Before the next run computes anything it checks the
record; when all of these hold, the run says so and leaves the output folder as it is:

* **the same salt**: flowscore's version and the hash of every file of its package (code,
  built-in rubrics, templates), the versions of Python and of each library flowscore depends
  on, the rubric as given (its file's content; without ``--rubric`` the templates' own, which
  follows from the files below), the limits, the outputs chosen (``--no-reports``, ``--text``),
  ``--date`` and the ``--compare`` results file (its content);
* **the same files**: the listing names the same files in the same order and says the same
  about the files it passes over, and every file is the one that was read, by the read cache's
  rules (size, times, inode and device; the content too where the stamp is in doubt), with the
  same newest modification date (the documents' date);
* **the outputs intact**: the output folder holds exactly the files that run wrote, each of
  the same size and content (BLAKE2b, taken in the temporary folder before it was swapped in),
  and ``writers.check_out_dir`` accepts the folder as a full run would (without ``--force`` an
  existing folder is refused, as before).

The outputs in the folder are then what a full run would write, byte for byte, by construction:
they were written from these very files under this salt, and runs are deterministic (tests).
The record also keeps what the terminal says of the run (counts, findings, next steps) and its
exit code, so the rerun says the same.

No record is kept — the next run is a full one — with ``--pdf`` (whether LibreOffice works is
not an input flowscore can stamp), with a .doc or .wps among the files (converted by
LibreOffice, never cached), when the read cache could not keep a file (it could not be opened,
changed while it was read, or crashed its reader) and with ``--no-cache``. ``--json`` always
runs in full (it prints the whole result).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowscore.findings import Finding, Level
from flowscore.inputs.cache import Stamp, load_signed, place_for, save_signed, verified
from flowscore.inputs.folder import Listing
from flowscore.inputs.formats import CONVERTED_SUFFIXES
from flowscore.labels import STATUS_LABELS
from flowscore.results import BatchResult
from flowscore.todo import NextSteps, Pending, next_steps

MAGIC = b"FSRR"
FORMAT = 1
MAX_BYTES = 64 * 1024 * 1024  # a record larger than this is ignored (and not written)

Identity = tuple[Stamp, bytes, bool]  # stamp, content digest (b"" when not taken), verify


@dataclass(frozen=True, kw_only=True)
class Summary:
    """What the terminal says of a run, and its exit code's ingredients."""

    files: int
    units: int
    statuses: dict[str, int]
    counts: dict[str, int]
    findings: tuple[Finding, ...]
    steps: NextSteps
    provisional: bool  # a unit is still provisional (``--strict`` fails)
    has_errors: bool


@dataclass(frozen=True)
class _Record:
    tasks: list[tuple[str, str, Identity]]
    notes: bytes
    as_of: int
    files: list[tuple[str, int, bytes]]
    summary: Summary


def summary_of(result: BatchResult) -> Summary:
    return Summary(
        files=len(result.inputs),
        units=len(result.units),
        statuses={s: sum(1 for u in result.units if u.status == s) for s in STATUS_LABELS},
        counts=result.report.counts(),
        findings=tuple(result.report),
        steps=next_steps(result),
        provisional=any(u.status == "provisional" for u in result.units),
        has_errors=result.report.has_errors,
    )


@functools.lru_cache(maxsize=1)
def package_version() -> str:
    """A hash of every file of flowscore's package and templates (code, built-in rubrics,
    templates), with the versions of Python and of the libraries flowscore depends on."""
    from importlib import metadata

    from flowscore.writers.reports import templates_dir

    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parent
    for top in (package, templates_dir().resolve()):
        for path in sorted(top.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            with contextlib.suppress(OSError):
                h.update(str(path.relative_to(top)).encode("utf-8", "surrogateescape"))
                h.update(path.read_bytes())
    h.update(sys.version.encode())
    try:
        requires = metadata.requires("flowscore") or []
    except metadata.PackageNotFoundError:  # run from a source tree: the versions unknown
        requires = []
    for req in sorted(requires):
        name = req.split(";")[0].split("[")[0]
        for sep in "<>=!~ ":
            name = name.split(sep)[0]
        try:
            h.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=?;".encode())
    return h.hexdigest()


def _file_hash(path: Path) -> bytes:
    from flowscore.writers import file_digest

    return file_digest(path)


@dataclass
class Plan:
    """One compute's run record: ``unchanged`` before computing, ``remember`` after writing."""

    root: Path
    folder: str
    out: str
    salt: bytes
    listing: Listing
    limit: int

    @classmethod
    def make(
        cls,
        folder: Path,
        out: Path,
        *,
        listing: Listing,
        rubric: str | Path | None,
        limits: Any,
        options: Sequence[object],
        compare: Path | None,
    ) -> Plan | None:
        """The plan for a run, or None when no record can be kept (no cache folder, or one
        inside the submissions or the output folder) or the salt cannot be had (a rubric or a
        results file that cannot be read: the full run says why)."""
        root = place_for(folder, (out,))
        if root is None:
            return None
        from flowscore import __version__
        from flowscore.inputs.cache import code_version

        try:
            parts = [f"{FORMAT}", __version__, code_version(), package_version(), repr(limits)]
            if rubric is None:
                parts.append("templates")  # the templates' own rubric: from the files
            else:  # one file (a built-in one by its id), read whole when it is loaded
                from flowscore.rubric.load import resolve_rubric

                source = rubric if isinstance(rubric, Path) else resolve_rubric(rubric)
                parts += [str(source.resolve()), _file_hash(source).hex()]
            if compare is not None:
                from flowscore.contract import RESULTS_NAME

                place = compare / RESULTS_NAME if compare.is_dir() else compare
                parts += [str(place.resolve()), _file_hash(place).hex()]
            parts += [repr(o) for o in options]
            resolved, place_out = str(Path(folder).resolve()), str(Path(out).resolve())
        except Exception:  # the full run refuses it in its own words
            return None
        h = hashlib.blake2b(digest_size=16)
        for part in parts:
            h.update(part.encode("utf-8", "surrogateescape"))
            h.update(b"\0")
        return cls(
            root=root,
            folder=resolved,
            out=place_out,
            salt=h.digest(),
            listing=listing,
            limit=limits.max_size,
        )

    @property
    def path(self) -> Path:
        pair = f"{self.folder}\0{self.out}".encode("utf-8", "surrogateescape")
        return self.root / f"run-{hashlib.blake2b(pair, digest_size=12).hexdigest()}.bin"

    def _notes(self) -> bytes:
        return hashlib.blake2b(repr(self.listing.notes).encode("utf-8", "surrogateescape")).digest()

    # -- before computing -------------------------------------------------------------------

    def unchanged(self, out: Path, *, force: bool) -> Summary | None:
        """The summary of the run that wrote the outputs in ``out``, when this run would write
        the same (see the module docstring); else None."""
        from flowscore.errors import OutputError
        from flowscore.outlock import output_lock
        from flowscore.writers import check_out_dir

        try:
            record = self._load()
            if record is None or not self._same_inputs(record):
                return None
            with output_lock(out):
                check_out_dir(out, force=force)
                if not _same_outputs(out, record.files):
                    return None
            return record.summary
        except (OSError, OutputError):
            return None

    def _same_inputs(self, record: _Record) -> bool:
        tasks, notes, as_of = record.tasks, record.notes, record.as_of
        if notes != self._notes() or len(tasks) != len(self.listing.tasks):
            return False
        now = time.time_ns()
        for (path, display), (p, d, identity) in zip(self.listing.tasks, tasks, strict=True):
            if (path, display) != (p, d) or not verified(path, identity, self.limit, now):
                return False
        # the documents' date, from the newest file, in this computer's time zone
        return _day([identity for _, _, identity in tasks]) == as_of

    def _load(self) -> _Record | None:
        got = load_signed(self.root, self.path, magic=MAGIC, limit=MAX_BYTES)
        if got is None:
            return None
        try:  # authenticated, so written by this code; its shape is still checked
            return _decode(got, self)
        except Exception:
            return None

    # -- after writing ----------------------------------------------------------------------

    def remember(
        self,
        identities: dict[tuple[str, str], Identity],
        result: BatchResult,
        files: Sequence[tuple[str, int, bytes]] | None,
    ) -> None:
        """Keep the record of the run just written, when every file was identified; else drop
        the record (the next run is a full one). Silent on failure."""
        tasks = self.listing.tasks
        whole = (
            files is not None
            and len(identities) == len(tasks)
            and not any(path.lower().endswith(CONVERTED_SUFFIXES) for path, _ in tasks)
        )
        content = None
        if whole and files is not None:
            content = _encode(self, identities, result, files)
        written = content is not None and save_signed(
            self.root, self.path, content, magic=MAGIC, limit=MAX_BYTES, keep=None
        )
        if not written:  # an old record must not stand for this run
            with contextlib.suppress(OSError):
                os.unlink(self.path)


def _day(identities: Sequence[Identity]) -> int:
    """The local date of the newest modification time (``compute._newest``: what the documents
    print), as an ordinal; 0 for none. A change of time zone can change it."""
    newest = max((st[1] for st, _, _ in identities), default=None)
    return dt.date.fromtimestamp(newest / 1e9).toordinal() if newest is not None else 0


def _same_outputs(out: Path, recorded: list[tuple[str, int, bytes]]) -> bool:
    """Whether ``out`` holds exactly the recorded files, each of its size and content."""
    from flowscore.writers import folder_files

    listed = folder_files(out)
    if listed is None or [name for name, _ in listed] != [name for name, _, _ in recorded]:
        return False
    places = [p for _, p in listed]
    if any(p.stat().st_size != size for p, (_, size, _) in zip(places, recorded, strict=True)):
        return False
    return all(_file_hash(p) == digest for p, (_, _, digest) in zip(places, recorded, strict=True))


def _encode(
    plan: Plan,
    identities: dict[tuple[str, str], Identity],
    result: BatchResult,
    files: Sequence[tuple[str, int, bytes]],
) -> tuple[Any, ...] | None:
    from flowscore.inputs.records import Inputs
    from flowscore.inputs.wire import pack

    try:
        tasks = [(p, d, identities[(p, d)]) for p, d in plan.listing.tasks]
    except KeyError:
        return None
    as_of = _day([identity for _, _, identity in tasks])
    s = summary_of(result)
    findings = pack(Inputs(findings=list(s.findings)))
    if findings[:1] != b"M":
        return None  # marshalled records only, never a pickle
    steps = (
        [(p.unit, p.no, p.short, p.file, p.cell) for p in s.steps.pending],
        list(s.steps.chase),
        [list(r) for r in s.steps.resend],
        [list(e) for e in s.steps.errors],
    )
    summary = (
        s.files,
        s.units,
        s.statuses,
        s.counts,
        findings,
        steps,
        s.provisional,
        s.has_errors,
    )
    return (
        plan.salt,
        plan.folder,
        plan.out,
        [(p, d, (list(st), c, v)) for p, d, (st, c, v) in tasks],
        plan._notes(),
        as_of,
        [(name, size, digest) for name, size, digest in files],
        summary,
    )


def _decode(got: Any, plan: Plan) -> _Record | None:
    """The record, or None when it is not this plan's or not of the expected shape."""
    from flowscore.inputs.wire import unpack

    salt, folder, out, tasks, notes, as_of, files, summary = got
    if (salt, folder, out) != (plan.salt, plan.folder, plan.out):
        return None
    identities: list[tuple[str, str, Identity]] = []
    for p, d, (st, c, v) in tasks:
        size, mtime, ctime, inode, device = (int(x) for x in st)
        if type(c) is not bytes or type(v) is not bool:
            return None
        identities.append((str(p), str(d), ((size, mtime, ctime, inode, device), c, v)))
    n_files, units, statuses, counts, packed, steps, provisional, has_errors = summary
    if type(packed) is not bytes or packed[:1] != b"M":
        return None
    pending, chase, resend, errors = steps
    s = Summary(
        files=int(n_files),
        units=int(units),
        statuses={str(k): int(v) for k, v in statuses.items()},
        counts={str(k): int(v) for k, v in counts.items()},
        findings=tuple(unpack(packed).findings),
        steps=NextSteps(
            pending=tuple(
                Pending(unit=u, no=n, short=sh, file=f, cell=c) for u, n, sh, f, c in pending
            ),
            chase=tuple(str(c) for c in chase),
            resend=tuple((str(u), str(f)) for u, f in resend),
            errors=tuple((str(f), int(n)) for f, n in errors),
        ),
        provisional=bool(provisional),
        has_errors=bool(has_errors),
    )
    recorded = [(str(name), int(size), bytes(digest)) for name, size, digest in files]
    if not all(isinstance(f, Finding) and isinstance(f.level, Level) for f in s.findings):
        return None
    if type(notes) is not bytes:
        return None
    return _Record(tasks=identities, notes=notes, as_of=int(as_of), files=recorded, summary=s)
