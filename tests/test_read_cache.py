"""The read cache (issue #17, ``flowscore/inputs/cache.py``): correct before fast.

* the results with and without it are the same bytes: the three samples through the command
  line (every output), and every case of the bad-input corpus (findings of every level);
* a changed, added, removed or renamed file is read again, and so is a file rewritten within the
  same timestamp tick (same size and time), a file whose stamp is in doubt (whole-second or
  future times) is compared by content, a file that could not be opened is not kept;
* the rubric, the limits and the code's version each start a new cache;
* a hostile or corrupt cache file (truncated, random, edited, forged with the right key but
  the wrong shape, too large, a pickle inside, a bad key file) never fails or changes a run and
  is rebuilt; two runs at once leave a sound cache;
* it lives in the cache folder, never in the submissions or the output folder; ``--no-cache``
  neither reads nor writes it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowscore.cli import app
from flowscore.compute import compute_folder
from flowscore.inputs import cache as rc
from flowscore.inputs.safety import Limits
from flowscore.writers.results_json import json_text, result_to_dict

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
sys.path.insert(0, str(ROOT / "scripts"))

import make_bad_inputs as bad  # noqa: E402

RUBRIC = "haishu-2019"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    place = tmp_path / "cache"
    monkeypatch.setenv("FLOWSCORE_CACHE_DIR", str(place))
    return place


def _text(folder: Path, **kw) -> str:
    return json_text(result_to_dict(compute_folder(folder, rubric=kw.pop("rubric", RUBRIC), **kw)))


def _cache_files(place: Path) -> list[Path]:
    return sorted(place.glob("reads-*.bin")) if place.exists() else []


def _outputs(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


# ---------------------------------------------------------------------------------------------
# the same results


@pytest.mark.parametrize("sample", ["haishu-2019", "beilun", "province-2013", "haishu-2019-word"])
def test_outputs_byte_identical_with_and_without_cache(sample, cache_dir, tmp_path):
    folder = _copy(SAMPLES / sample, tmp_path / "in")
    runner = CliRunner()
    outs = {}
    for name, extra in (("none", ["--no-cache"]), ("first", []), ("again", [])):
        out = tmp_path / name
        got = runner.invoke(app, ["compute", str(folder), "--out", str(out), "--quiet", *extra])
        assert got.exit_code in (0, 1), got.output
        outs[name] = _outputs(out)
        if name == "none":
            assert not _cache_files(cache_dir)  # --no-cache writes nothing
    assert len(_cache_files(cache_dir)) == 1
    assert outs["first"] == outs["none"]
    assert outs["again"] == outs["none"]
    # check, with and without
    a = runner.invoke(app, ["check", str(folder), "--verbose"])
    b = runner.invoke(app, ["check", str(folder), "--verbose", "--no-cache"])
    assert a.output == b.output and a.exit_code == b.exit_code


CORPUS = [name for name, (_, large) in bad.CASES.items() if not large]


@pytest.mark.parametrize("case", CORPUS)
def test_bad_inputs_same_with_cache(case, cache_dir, tmp_path):
    try:
        folder = bad.make_case(case, tmp_path / case)
    except ImportError as exc:  # a dev extra the maker needs
        pytest.skip(str(exc))
    plain = _text(folder)
    first = _text(folder, cache=True)
    again = _text(folder, cache=True)
    assert first == plain
    assert again == plain


def test_cached_files_are_not_read_again(cache_dir, tmp_path, monkeypatch):
    folder = _copy(SAMPLES / "haishu-2019", tmp_path / "in")
    _text(folder, cache=True)
    from flowscore.inputs import folder as folder_mod

    def boom(*a, **k):
        raise AssertionError("read again")

    monkeypatch.setattr(folder_mod, "read_file", boom)
    _text(folder, cache=True)  # every file from the cache


# ---------------------------------------------------------------------------------------------
# what is read again


def _good(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    bad.make_good(folder)
    return folder


def _age(path: Path, seconds: float = 3600) -> None:
    """Give ``path`` a time well before now (not a whole second: a fine-grained file system)."""
    t = time.time_ns() - int(seconds * 1e9) + 123_456_789
    os.utime(path, ns=(t, t))


def _reads(monkeypatch) -> list[str]:
    from flowscore.inputs import folder as folder_mod

    seen: list[str] = []
    real = folder_mod.read_file

    def counting(path, display, *a, **k):
        seen.append(display)
        return real(path, display, *a, **k)

    monkeypatch.setattr(folder_mod, "read_file", counting)
    return seen


def test_changed_added_removed_renamed(cache_dir, tmp_path, monkeypatch):
    folder = _good(tmp_path)
    for p in folder.iterdir():
        _age(p)
    _text(folder, cache=True)
    seen = _reads(monkeypatch)
    annex = next(p for p in folder.iterdir() if bad.GOOD_UNIT in p.name)

    # unchanged: nothing read
    assert _text(folder, cache=True) == _text(folder)
    assert seen.count(annex.name) == 1  # only the uncached run read it
    seen.clear()

    # changed (a score edited): read again, and the result is the new one's
    data = annex.read_bytes()
    bad.score_not_numeric(folder)  # adds a file with a bad score: "added"
    assert _text(folder, cache=True) == _text(folder)
    added = [d for d in seen if d != annex.name]
    assert added and annex.name in seen  # the added file read (and the annex by the plain run)
    seen.clear()
    _text(folder, cache=True)
    assert seen == []

    # rewritten with other bytes of the same size and its old time put back
    st = annex.stat()
    changed = bytearray(data)
    changed[-30] ^= 1  # inside the zip's comment-free tail: another file, same size
    annex.write_bytes(bytes(changed))
    os.utime(annex, ns=(st.st_atime_ns, st.st_mtime_ns))
    _text(folder, cache=True)
    assert annex.name in seen
    seen.clear()
    annex.write_bytes(data)
    _age(annex)

    # removed: its records are gone with it
    extra = [p for p in folder.iterdir() if p.name in added]
    for p in extra:
        p.unlink()
    assert _text(folder, cache=True) == _text(folder)
    seen.clear()

    # renamed: read again under its new name
    renamed = annex.with_name("改名-" + annex.name)
    annex.rename(renamed)
    with_cache = _text(folder, cache=True)
    assert renamed.name in seen
    assert with_cache == _text(folder)
    assert "改名-" in with_cache


def test_rewritten_within_the_same_tick(cache_dir, tmp_path, monkeypatch):
    """A file rewritten just after it was read, with the same size and time, where the change
    time tells nothing (Windows): the entry was racy, so its content is compared."""
    monkeypatch.setattr(rc, "stamp_of", lambda st: (st.st_size, st.st_mtime_ns, 0, 0, 0))
    folder = _good(tmp_path)
    annex = next(p for p in folder.iterdir() if bad.GOOD_UNIT in p.name)
    first = _text(folder, cache=True)  # the annex was written a moment ago: racy
    st = annex.stat()
    data = bytearray(annex.read_bytes())
    other = next(p for p in folder.iterdir() if p != annex)
    # same size, other bytes: the indicator workbook's file swapped in would change the size,
    # so flip one byte of the zip's central directory comment area instead
    data[-30] ^= 1
    annex.write_bytes(bytes(data))
    os.utime(annex, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert annex.stat().st_size == st.st_size and annex.stat().st_mtime_ns == st.st_mtime_ns
    seen = _reads(monkeypatch)
    again = _text(folder, cache=True)
    assert annex.name in seen
    assert again == _text(folder)
    assert other.exists() and first  # the run before was a real one


def test_doubtful_stamps_are_compared_by_content(cache_dir, tmp_path, monkeypatch):
    folder = _good(tmp_path)
    annex = next(p for p in folder.iterdir() if bad.GOOD_UNIT in p.name)

    def meta(path: Path):
        return rc.read_for_cache(str(path), path.name, lambda data: b"M", 1 << 20)[1]

    annex.write_bytes(annex.read_bytes())  # just written: within the racy window
    assert meta(annex)[2]
    _age(annex)  # an old time, but the change time is now (utime): still racy
    assert meta(annex)[2]
    real = time.time_ns
    monkeypatch.setattr(rc.time, "time_ns", lambda: real() + 10 * 10**9)  # 10 s later
    _content, digest, verify = meta(annex)
    assert not verify and digest == b""  # old, fine-grained times: the stamp is enough
    t = (real() // 1_000_000_000 - 3600) * 1_000_000_000
    os.utime(annex, ns=(t, t))  # whole seconds: FAT, exFAT, many network drives
    _content, digest, verify = meta(annex)
    assert verify and digest == rc.digest(annex.read_bytes())
    t = real() + 86400 * 10**9 + 1
    os.utime(annex, ns=(t, t))  # in the future
    assert meta(annex)[2]


def test_entry_in_doubt_is_used_only_when_the_content_matches(cache_dir, tmp_path, monkeypatch):
    real = time.time_ns
    folder = _good(tmp_path)
    annex = next(p for p in folder.iterdir() if bad.GOOD_UNIT in p.name)
    _age(annex)
    monkeypatch.setattr(rc.time, "time_ns", lambda: real() + 10 * 10**9)  # past the window
    c = rc.ReadCache.open(folder, "scheme", Limits())
    assert c is not None
    st = rc.stamp_of(annex.stat())
    task = (str(annex), annex.name)
    right = rc.digest(annex.read_bytes())
    c.entries = {task: (st, b"wrong", True, b"Mx")}
    same = bytes.upper
    assert c.lookup([task], 1 << 20, same) == {}
    c.entries = {task: (st, right, True, b"Mx")}
    assert c.lookup([task], 1 << 20, same) == {0: b"MX"}
    assert c.fresh[task][2] is False  # compared after the window: trusted on its stamp again
    c.entries = {task: (st, b"", False, b"Mx")}
    assert c.lookup([task], 1 << 20, same) == {0: b"MX"}
    c.entries = {task: ((st[0] + 1, *st[1:]), b"", False, b"Mx")}
    assert c.lookup([task], 1 << 20, same) == {}


def test_unopenable_file_is_not_kept(cache_dir, tmp_path, monkeypatch):
    """A file that could not be opened (held by Excel, no permission) says so and is read
    again next time: what it gave is not kept."""
    import flowscore.inputs.open.files as opener

    folder = _good(tmp_path)
    held_name = next(p.name for p in folder.iterdir() if bad.GOOD_UNIT not in p.name)
    real = opener.read_bounded

    def busy(path, limit):
        if Path(path).name == held_name:
            raise PermissionError(13, "busy")
        return real(path, limit)

    monkeypatch.setattr(opener, "read_bounded", busy)
    held = _text(folder, cache=True)
    assert "file-unreadable" in held
    monkeypatch.setattr(opener, "read_bounded", real)
    assert _text(folder, cache=True) == _text(folder)


def test_salt_rubric_limits_version(cache_dir, tmp_path, monkeypatch):
    folder = _good(tmp_path)
    _text(folder, cache=True)
    assert len(_cache_files(cache_dir)) == 1
    _text(folder, cache=True, limits=Limits(max_rows=5000))
    assert len(_cache_files(cache_dir)) == 2
    from flowscore.rubric.load import resolve_rubric

    edited = tmp_path / "haishu-2019.toml"
    text = resolve_rubric(RUBRIC).read_text(encoding="utf-8")
    edited.write_text(text, encoding="utf-8")
    _text(folder, cache=True, rubric=edited)  # the same rubric from another file
    assert len(_cache_files(cache_dir)) == 3
    edited.write_text(text.replace('title = "', 'title = "改 ', 1), encoding="utf-8")
    _text(folder, cache=True, rubric=edited)  # the same file, another content
    assert len(_cache_files(cache_dir)) == 4
    rc.code_version.cache_clear()
    monkeypatch.setattr(rc, "code_version", lambda: "another")
    seen = _reads(monkeypatch)
    _text(folder, cache=True)
    assert seen  # a new version reads again
    assert len(_cache_files(cache_dir)) == rc.KEEP_PER_FOLDER  # the oldest pruned (5 made)


# ---------------------------------------------------------------------------------------------
# hostile and corrupt cache files


def _forge(place: Path, payload: bytes) -> bytes:
    key = (place / "key").read_bytes()
    mac = hashlib.blake2b(payload, key=key, digest_size=32).digest()
    return rc._HEADER.pack(rc.MAGIC, rc.FORMAT, mac, len(payload)) + payload


def _hostile(place: Path, kind: str) -> None:
    (path,) = _cache_files(place)
    data = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "random":
        path.write_bytes(os.urandom(len(data)))
    elif kind == "flipped":
        b = bytearray(data)
        b[len(b) // 2] ^= 0xFF
        path.write_bytes(bytes(b))
    elif kind == "header-only":
        path.write_bytes(data[: rc._HEADER.size])
    elif kind == "other-key":
        payload = data[rc._HEADER.size :]
        mac = hashlib.blake2b(payload, key=b"k" * 32, digest_size=32).digest()
        path.write_bytes(rc._HEADER.pack(rc.MAGIC, rc.FORMAT, mac, len(payload)) + payload)
    elif kind == "forged-shape":
        path.write_bytes(_forge(place, marshal.dumps([1, 2, 3])))
    elif kind == "forged-garbage":
        path.write_bytes(_forge(place, b"\xff" * 100))
    elif kind == "forged-pickle":
        salt, folder, entries = marshal.loads(data[rc._HEADER.size :])
        entries = {k: (*v[:3], b"P" + v[3][1:]) for k, v in entries.items()}
        path.write_bytes(_forge(place, marshal.dumps((salt, folder, entries))))
    elif kind == "forged-other-folder":
        salt, folder, entries = marshal.loads(data[rc._HEADER.size :])
        path.write_bytes(_forge(place, marshal.dumps((salt, folder + "x", entries))))
    elif kind == "forged-wrong-records":
        salt, folder, entries = marshal.loads(data[rc._HEADER.size :])
        entries = {k: (*v[:3], b"Mgarbage") for k, v in entries.items()}
        path.write_bytes(_forge(place, marshal.dumps((salt, folder, entries))))
    elif kind == "too-large":
        with open(path, "ab") as f:
            f.truncate(rc.MAX_BYTES + 1)
    elif kind == "bad-key":
        (place / "key").write_bytes(b"short")
    elif kind == "folder":
        path.unlink()
        path.mkdir()
    else:  # pragma: no cover
        raise AssertionError(kind)


HOSTILE = [
    "truncated",
    "empty",
    "random",
    "flipped",
    "header-only",
    "other-key",
    "forged-shape",
    "forged-garbage",
    "forged-pickle",
    "forged-other-folder",
    "forged-wrong-records",
    "too-large",
    "bad-key",
    "folder",
]


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_cache_never_fails_or_changes_a_run(kind, cache_dir, tmp_path):
    folder = _good(tmp_path)
    bad.score_with_unit(folder)  # findings of more than one level
    plain = _text(folder)
    _text(folder, cache=True)
    _hostile(cache_dir, kind)
    assert _text(folder, cache=True) == plain
    if kind not in ("bad-key", "folder"):
        assert _text(folder, cache=True) == plain  # rebuilt, and sound
        c = rc.ReadCache.open(folder, None, None)
        assert c is not None


def test_forged_wrong_records_need_the_key(cache_dir, tmp_path):
    """Without the key nobody can make records the cache accepts: edited records are ignored."""
    folder = _good(tmp_path)
    plain = _text(folder)
    _text(folder, cache=True)
    (path,) = _cache_files(cache_dir)
    data = path.read_bytes()
    payload = data[rc._HEADER.size :]
    salt, where, entries = marshal.loads(payload)
    entries = {k: (*v[:3], b"Mgarbage") for k, v in entries.items()}
    forged = marshal.dumps((salt, where, entries))
    head = rc._HEADER.pack(rc.MAGIC, rc.FORMAT, data[6:38], len(forged))  # the old MAC
    path.write_bytes(head + forged)
    assert _text(folder, cache=True) == plain


def test_cache_folder_unwritable(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("FLOWSCORE_CACHE_DIR", str(blocker / "cache"))  # under a file
    folder = _good(tmp_path)
    assert _text(folder, cache=True) == _text(folder)


# ---------------------------------------------------------------------------------------------
# where it lives


def test_never_in_the_submissions_or_output_folder(tmp_path, monkeypatch):
    folder = _good(tmp_path)
    monkeypatch.setenv("FLOWSCORE_CACHE_DIR", str(folder / "sub" / ".cache"))
    assert rc.ReadCache.open(folder, None, None) is None
    monkeypatch.setenv("FLOWSCORE_CACHE_DIR", str(folder))
    assert rc.ReadCache.open(folder, None, None) is None
    out = tmp_path / "out"
    monkeypatch.setenv("FLOWSCORE_CACHE_DIR", str(out / "cache"))
    assert rc.ReadCache.open(folder, None, None, outside=(out,)) is None
    before = sorted(p.name for p in folder.rglob("*"))
    got = CliRunner().invoke(app, ["compute", str(folder), "--out", str(out), "--quiet"])
    assert got.exit_code in (0, 1), got.output
    assert sorted(p.name for p in folder.rglob("*")) == before
    assert not (out / "cache").exists()


def test_default_place_is_the_user_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("FLOWSCORE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert rc.cache_root() == tmp_path / "xdg" / "flowscore"


def test_two_runs_at_once(cache_dir, tmp_path):
    folder = _copy(SAMPLES / "haishu-2019", tmp_path / "in")
    env = {**os.environ, "FLOWSCORE_CACHE_DIR": str(cache_dir)}
    cmd = [sys.executable, "-m", "flowscore", "compute", str(folder), "--quiet", "--out"]
    procs = [
        subprocess.Popen([*cmd, str(tmp_path / f"out{i}")], env=env, stdout=subprocess.DEVNULL)
        for i in range(3)
    ]
    assert all(p.wait(timeout=120) in (0, 1) for p in procs)
    assert len(_cache_files(cache_dir)) == 1
    assert not list(cache_dir.glob(".cache-*"))  # no temporary file left
    again = subprocess.run([*cmd, str(tmp_path / "again")], env=env, timeout=120)
    assert again.returncode in (0, 1)
    assert _outputs(tmp_path / "again") == _outputs(tmp_path / "out0")


def test_no_cache_option_is_chinese():
    got = CliRunner().invoke(app, ["compute", "--help"])
    assert "--no-cache" in got.output and "读取缓存" in got.output


def test_temporary_files_of_killed_runs_are_removed_once_stale(cache_dir, tmp_path):
    """A run killed outright while saving leaves its ``.cache-*.tmp``; the next save removes
    it once it is an hour old, and never a fresh one (another folder's run may be writing it)."""
    from flowscore import atomic

    folder = _good(tmp_path)
    _text(folder, cache=True)
    stale, fresh = cache_dir / ".cache-k1lled_0.tmp", cache_dir / ".cache-writing1.tmp"
    other = cache_dir / ".cache-notmkstemp.tmp"  # not the eight letters mkstemp gives
    for p in (stale, fresh, other):
        p.write_bytes(b"half a cache file")
    hour_ago = time.time() - atomic.STALE_AFTER - 60
    for p in (stale, other):
        os.utime(p, (hour_ago, hour_ago))
    assert rc.save_signed(cache_dir, cache_dir / "probe-0.bin", [1, 2, 3], keep=None)
    assert not stale.exists() and fresh.exists() and other.exists()
