"""The read cache: what reading each file gave last time, kept while the file is the same.

The office runs ``compute`` again and again as sheets arrive. Reading is most of a run, and
most files have not changed since the last one, so each file's reading result — the packed
records and findings a worker sends (``wire.pack``), findings of every level included — is kept
under the file's identity and used again instead of reading the file.

**When an entry is used.** The file's path and displayed name are the same and ``os.stat``
gives the same size, modification time, change time (POSIX: no tool can set it back), inode
and device (a file replaced by another, or renamed over, is a different inode). The stamp is
taken before and after reading; a file that changed while it was read is not kept. The stamp is
not trusted alone, and the file's content is compared (BLAKE2b of its bytes) before an entry is
used, when:

* the entry was made less than ``RACY_NS`` (3 s) after the file's modification or change time:
  a second write within the same timestamp tick could leave size and time as they were (FAT
  keeps 2-second times; ext4's clock ticks every few milliseconds). Once a later run has
  compared the content after that window, the entry is trusted on its stamp again;
* the file's modification time is in the future of this computer's clock (a wrong clock, or a
  network drive's server ahead of this PC): times may then go backwards;
* the modification time is a whole number of seconds: a file system with 1- or 2-second
  times (FAT, exFAT, many network drives). There a server whose clock lags can give a
  rewritten file the time it had; such files are always compared by content.

**What an entry depends on** (the salt, in the cache file's name and inside it): flowscore's
version and the hash of its own source code, Python's version (``marshal``), python-calamine's
version, the rubric (the hash of the loaded scheme's full ``repr``: every unit, item and
label reading uses) and the limits (``--max-size``, ``--max-rows`` …). Any change to these
starts a new cache.

**Where it lives.** In the user's cache folder (``cache_root``; ``FLOWSCORE_CACHE_DIR``
overrides), one file per submissions folder and salt, never in the submissions folder nor in
the output folder (which is replaced whole on every run, and must hold only what flowscore
writes there: ``writers.check_out_dir``). Deleting the folder only costs the next run its
speed. ``--no-cache`` neither reads nor writes it.

**An untrusted input.** The cache file is written atomically (a temporary file renamed over
it: two runs at once leave one or the other) and authenticated: a keyed BLAKE2b MAC over the
whole content with a random key kept beside it (``key``, readable by the user only). Before
anything in it is parsed, its size is bounded, its header checked and its MAC verified; a file
that fails any check — truncated, corrupt, edited, copied from another machine, made by another
version — is ignored and rebuilt. Nothing from the cache reaches the results that reading the
file would not have given: results are byte-identical with and without it (tests).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import re
import stat
import struct
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowscore.atomic import RANDOM, remove_stale

MAGIC = b"FSRC"
FORMAT = 1
RACY_NS = 3_000_000_000  # 3 s: FAT's 2-second times, with room
MAX_BYTES = 512 * 1024 * 1024  # a cache file larger than this is ignored (and not written)
KEEP_PER_FOLDER = 4  # cache files kept for one submissions folder (other rubrics, versions)
_TEMPORARY = re.compile(r"\.cache-" + RANDOM + r"\.tmp")  # ``save_signed``'s mkstemp
_HEADER = struct.Struct("<4sH32sQ")  # magic, format, MAC, payload length
_KEY_BYTES = 32

Stamp = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device
# path, display → stamp, content digest (b"" when not taken), verify-by-content, packed result
Entry = tuple[Stamp, bytes, bool, bytes]


def cache_root() -> Path | None:
    """The folder the cache lives in: ``FLOWSCORE_CACHE_DIR``, else the user's cache folder
    (Windows ``%LOCALAPPDATA%\\flowscore\\cache``, macOS ``~/Library/Caches/flowscore``,
    elsewhere ``$XDG_CACHE_HOME/flowscore`` or ``~/.cache/flowscore``); None when there is
    none."""
    env = os.environ.get("FLOWSCORE_CACHE_DIR", "").strip()
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA", "").strip()
        return Path(base) / "flowscore" / "cache" if base else None
    try:
        home = Path.home()
    except (RuntimeError, KeyError):
        return None
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "flowscore"
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else home / ".cache") / "flowscore"


def place_for(folder: Path, outside: Sequence[Path], root: Path | None = None) -> Path | None:
    """The cache folder resolved, or None when there is none or it lies inside ``folder`` or
    any of ``outside`` (the output folder, which is replaced whole)."""
    root = root if root is not None else cache_root()
    if root is None:
        return None
    try:
        place = Path(root).resolve()
        for avoid in (Path(folder).resolve(), *(Path(p).resolve() for p in outside)):
            if place == avoid or avoid in place.parents:
                return None
    except (OSError, ValueError, RuntimeError):
        return None
    return place


def cache_key(root: Path, *, create: bool) -> bytes | None:
    """The random key the cache folder's files are authenticated with (``key``, readable by
    the user only), made with ``create`` when missing; None when it cannot be had."""
    path = root / "key"
    try:
        with open(path, "rb") as f:
            key = f.read(_KEY_BYTES + 1)
        return key if len(key) == _KEY_BYTES else None
    except FileNotFoundError:
        if not create:
            return None
    except OSError:
        return None
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError:  # another run made it meanwhile
        return cache_key(root, create=False)
    except OSError:
        return None
    key = os.urandom(_KEY_BYTES)
    try:
        os.write(fd, key)
    finally:
        os.close(fd)
    return key


def verified(path: str, entry: tuple[Stamp, bytes, bool], limit: int, now_ns: int) -> bool:
    """Whether the file at ``path`` is still the one ``entry`` (stamp, content digest,
    verify-by-content) was taken of: the same stamp, and the same content where the stamp is
    in doubt (see the module docstring)."""
    try:
        st = stamp_of(os.stat(path))
    except OSError:
        return False
    old, content, verify = entry
    if st != old:
        return False
    if verify or _doubtful(st, now_ns):
        return bool(content) and _content(path, limit) == content
    return True


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _doubtful(s: Stamp, now_ns: int) -> bool:
    """Whether a file's stamp cannot be trusted alone (see the module docstring)."""
    mtime = s[1]
    return mtime > now_ns or mtime % 1_000_000_000 == 0


def _racy(s: Stamp, read_ns: int) -> bool:
    return s[1] + RACY_NS > read_ns or s[2] + RACY_NS > read_ns


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of flowscore's own source files (and the versions of what reading depends on):
    any change to the code that reads makes a new cache."""
    h = hashlib.blake2b(digest_size=16)
    root = Path(__file__).resolve().parent.parent
    for path in sorted(root.rglob("*.py")):
        with contextlib.suppress(OSError):
            h.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape"))
            h.update(path.read_bytes())
    try:
        from importlib.metadata import version

        calamine = version("python-calamine")
    except Exception:  # not installed as a distribution: the module's file
        import python_calamine

        calamine = str(getattr(python_calamine, "__file__", ""))
    h.update(f"{sys.version}|{marshal.version}|{calamine}".encode())
    return h.hexdigest()


def salt_of(scheme: Any, limits: Any) -> bytes:
    from flowscore import __version__

    h = hashlib.blake2b(digest_size=16)
    for part in (f"{FORMAT}", __version__, code_version(), repr(limits), repr(scheme)):
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    return h.digest()


def prefix_for(kind: str, folder: str) -> str:
    """``reads-<hash of the folder>``: the start of every cache file of ``kind`` for one
    submissions folder (the salt follows)."""
    return (
        f"{kind}-"
        + hashlib.blake2b(folder.encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()
    )


def load_signed(root: Path, path: Path, *, magic: bytes = MAGIC, limit: int = MAX_BYTES) -> Any:
    """The ``marshal`` content of a cache file (of kind ``magic``, at most ``limit`` bytes)
    whose size, header and MAC (with the key in ``root``) are sound, or None: checked before
    anything in it is parsed. The caller still checks its shape."""
    key = cache_key(root, create=False)
    if key is None:
        return None
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if not _HEADER.size <= size <= limit:
                return None
            data = f.read(limit + 1)
    except OSError:
        return None
    if not _HEADER.size <= len(data) <= limit:
        return None
    found, fmt, mac, length = _HEADER.unpack_from(data)
    payload = memoryview(data)[_HEADER.size :]  # no copy of a file of megabytes
    if found != magic or fmt != FORMAT or length != len(payload):
        return None
    expected = hashlib.blake2b(payload, key=key, digest_size=32).digest()
    import hmac

    if not hmac.compare_digest(mac, expected):
        return None
    try:
        return marshal.loads(payload)
    except Exception:  # authentic yet unreadable (another Python's marshal): rebuilt
        return None


def save_signed(
    root: Path,
    path: Path,
    content: Any,
    *,
    magic: bytes = MAGIC,
    limit: int = MAX_BYTES,
    keep: int | None = KEEP_PER_FOLDER,
) -> bool:
    """Write ``content`` (``marshal``-able) to the cache file ``path`` whole — a temporary
    file renamed over it — with its MAC; then, unless ``keep`` is None, keep the newest
    ``keep`` files of its kind and folder. False when it was not written (larger than
    ``limit``, no key, a full disk): silent otherwise."""
    key = cache_key(root, create=True)
    if key is None:
        return False
    payload = marshal.dumps(content)
    if len(payload) + _HEADER.size > limit:
        return False
    mac = hashlib.blake2b(payload, key=key, digest_size=32).digest()
    tmp = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".cache-", suffix=".tmp", dir=root)
        with os.fdopen(fd, "wb") as f:
            f.write(_HEADER.pack(magic, FORMAT, mac, len(payload)))
            f.write(payload)
        os.replace(tmp, path)
        tmp = None
        if keep is not None:
            _prune(root, path.name.rsplit("-", 1)[0], keep)
        remove_stale(root, _TEMPORARY)  # other folders' runs share the cache folder: by age
        return True
    except OSError:
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _prune(root: Path, prefix: str, keep: int) -> None:
    """Keep the newest ``keep`` cache files starting with ``prefix``."""
    mine = []
    for entry in os.scandir(root):
        if entry.name.startswith(prefix + "-") and entry.name.endswith(".bin"):
            with contextlib.suppress(OSError):
                mine.append((entry.stat().st_mtime_ns, entry.path))
    for _mtime, old in sorted(mine, reverse=True)[keep:]:
        with contextlib.suppress(OSError):
            os.unlink(old)


@dataclass
class ReadCache:
    """The cache of one submissions folder under one salt: ``lookup`` before reading, ``keep``
    each file read, ``save`` once after. Any failure to read or write it is silent: the run
    goes on as without a cache."""

    root: Path
    folder: str  # the submissions folder, resolved
    salt: bytes
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    fresh: dict[tuple[str, str], Entry] = field(default_factory=dict)
    changed: bool = False
    loaded: bool = False
    # after ``save``: each file's identity as this run verified or took it (the run record)
    identities: dict[tuple[str, str], tuple[Stamp, bytes, bool]] = field(default_factory=dict)

    @classmethod
    def open(
        cls,
        folder: Path,
        scheme: Any,
        limits: Any,
        *,
        root: Path | None = None,
        outside: Sequence[Path] = (),
    ) -> ReadCache | None:
        """The cache for ``folder``, or None when there is no place for it: no cache folder,
        or one inside the submissions folder or inside any of ``outside`` (the output
        folder, which is replaced whole)."""
        place = place_for(folder, outside, root)
        if place is None:
            return None  # none, or inside the submissions or the output folder
        try:
            resolved = str(Path(folder).resolve())
        except (OSError, ValueError, RuntimeError):
            return None
        return cls(root=place, folder=resolved, salt=salt_of(scheme, limits))

    # -- the file ------------------------------------------------------------------------------

    @property
    def _prefix(self) -> str:
        return prefix_for("reads", self.folder)

    @property
    def path(self) -> Path:
        return self.root / f"{self._prefix}-{self.salt.hex()}.bin"

    def load(self) -> None:
        """Read the cache file, if there is a sound one (else start empty)."""
        self.loaded = True
        got = load_signed(self.root, self.path)
        if got is None:
            return
        entries = _decode(got, self.salt, self.folder)
        if entries is not None:
            self.entries = entries

    def save(self) -> None:
        """Write the entries of this run's files (those no longer listed are dropped), whole,
        if anything changed, and let them go (the run goes on without them in memory). Silent
        on failure."""
        self.identities = {k: (st, c, v) for k, (st, c, v, _packed) in self.fresh.items()}
        try:
            if self.changed or len(self.fresh) != len(self.entries):
                save_signed(self.root, self.path, (self.salt, self.folder, self.fresh))
        finally:
            self.entries, self.fresh = {}, {}

    # -- entries -------------------------------------------------------------------------------

    def lookup(
        self, tasks: Sequence[tuple[str, str]], limit: int, unpack: Callable[[bytes], Any]
    ) -> dict[int, Any]:
        """Task index → ``unpack(packed result)``, for every task whose entry may be used. A
        file whose stamp is in doubt is read here (at most ``limit`` bytes) and compared by
        content; an entry that does not unpack is not used (the file is read again)."""
        if not self.loaded:
            self.load()
        hits: dict[int, Any] = {}
        if not self.entries:
            return hits
        now = time.time_ns()
        for i, (path, display) in enumerate(tasks):
            entry = self.entries.get((path, display))
            if entry is None:
                continue
            try:
                st = stamp_of(os.stat(path))
            except OSError:
                continue
            old, content, verify, packed = entry
            if st != old:
                continue
            if verify or _doubtful(st, now):
                if not content or _content(path, limit) != content:
                    continue
                # Compared after the racy window: later writes would change the stamp.
                verify = _racy(st, now) or _doubtful(st, now)
                if not verify:
                    self.changed = True
            try:
                hits[i] = unpack(packed)
            except Exception:  # authentic yet unreadable: read the file again
                self.changed = True
                continue
            self.fresh[(path, display)] = (st, content, verify, packed)
        return hits

    def keep(self, task: tuple[str, str], packed: bytes, meta: Any) -> None:
        """Keep what a worker read for ``task`` (``meta``: ``read_for_cache``'s, or None when it
        must not be kept)."""
        if meta is None:
            return
        st, content, verify = meta
        self.fresh[(task[0], task[1])] = (st, content, verify, packed)
        self.changed = True


def _content(path: str, limit: int) -> bytes:
    from flowscore.inputs.open.files import read_bounded

    try:
        return digest(read_bounded(Path(path), limit))
    except Exception:  # unreadable now: not the file the entry was made from
        return b""


def _decode(got: Any, salt: bytes, folder: str) -> dict[tuple[str, str], Entry] | None:
    """The entries of an authenticated cache file's content, or None on any doubt."""
    try:  # authenticated, so written by this code; its shape is still checked
        stored_salt, stored_folder, entries = got
        if stored_salt != salt or stored_folder != folder or type(entries) is not dict:
            return None
        for k, v in entries.items():
            if not _entry_ok(k, v):
                return None
        return entries
    except Exception:  # any doubt: ignored and rebuilt
        return None


def _entry_ok(k: Any, v: Any) -> bool:
    return (
        type(k) is tuple
        and len(k) == 2
        and all(type(x) is str for x in k)
        and type(v) is tuple
        and len(v) == 4
        and type(v[0]) is tuple
        and len(v[0]) == 5
        and all(type(x) is int for x in v[0])
        and type(v[1]) is bytes
        and type(v[2]) is bool
        and type(v[3]) is bytes
        and v[3][:1] == b"M"  # marshalled records only, never a pickle
    )


def read_for_cache(
    path: str, display: str, read: Callable[[bytes | None], bytes], limit: int
) -> tuple[bytes, Any]:
    """Read one file in a worker for the cache: ``read(data)`` packs its records from the
    bytes read here; the stamp is taken before and after. The second value is what ``keep``
    stores, None when the file must not be kept (it could not be opened — perhaps only for now,
    held open by Excel — or changed while it was read)."""
    from flowscore.inputs.open.files import read_bounded

    started = time.time_ns()
    try:
        st = os.stat(path)
        before = stamp_of(st)
        if not stat.S_ISREG(st.st_mode):
            return read(None), None
        data = read_bounded(Path(path), limit)
    except Exception:  # the reader says why, with its finding; nothing kept
        return read(None), None
    packed = read(data)
    try:
        after = stamp_of(os.stat(path))
    except OSError:
        return packed, None
    if after != before or before[0] != len(data) or packed[:1] != b"M":
        return packed, None
    verify = _racy(before, started) or _doubtful(before, started)
    return packed, (before, digest(data) if verify else b"", verify)
