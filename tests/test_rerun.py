"""A rerun with nothing changed (issue #17, ``flowscore/rerun.py``): the outputs are left as they
are, and only when a full run would write exactly them.

* nothing changed: the files are not written again (same inode and times), the terminal says
  so with the same counts, findings and next steps, and the exit code is the same;
* any input changed, added, removed or renamed, rewritten within the same tick, an output
  edited, deleted or added, another option (--text, --no-reports, --date, --max-rows,
  --rubric, --compare), another time zone: a full run, whose outputs are a fresh run's;
* not with --no-cache, --json or --pdf; without --force an existing folder is refused as before;
* a damaged or forged record is a full run, never a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowscore.cli import app
from flowscore.inputs import cache as rc

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
SAME = "材料没有变化，结果与上次相同"
WROTE = "结果已写入"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    place = tmp_path / "cache"
    monkeypatch.setenv("FLOWSCORE_CACHE_DIR", str(place))
    return place


@pytest.fixture
def folder(tmp_path) -> Path:
    return Path(shutil.copytree(SAMPLES / "haishu-2019", tmp_path / "in"))


def _run(folder: Path, out: Path, *extra: str):
    got = CliRunner().invoke(app, ["compute", str(folder), "--out", str(out), "--force", *extra])
    assert got.exit_code in (0, 1), got.output
    return got


def _outputs(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _stamps(out: Path) -> dict[str, tuple[int, int, int]]:
    return {
        str(p.relative_to(out)): (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_ctime_ns)
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def _fresh(folder: Path, tmp: Path, *extra: str) -> dict[str, bytes]:
    """What a run without any cache writes."""
    out = tmp / f"fresh-{time.monotonic_ns()}"
    _run(folder, out, "--no-cache", *extra)
    return _outputs(out)


def _summary(text: str) -> list[str]:
    return [line for line in text.splitlines() if WROTE not in line and SAME not in line]


def test_nothing_changed_leaves_the_outputs_as_they_are(cache_dir, folder, tmp_path):
    out = tmp_path / "out"
    first = _run(folder, out, "--verbose")
    assert WROTE in first.output and SAME not in first.output
    before, stamps = _outputs(out), _stamps(out)
    again = _run(folder, out, "--verbose")
    assert SAME in again.output and WROTE not in again.output
    assert again.exit_code == first.exit_code
    assert _summary(again.output) == _summary(first.output)  # counts, findings, next steps
    assert _stamps(out) == stamps  # not written again
    assert _outputs(out) == before == _fresh(folder, tmp_path)
    # --strict fails on the pending item either way
    strict = _run(folder, out, "--strict")
    assert SAME in strict.output and strict.exit_code == 1


def _rewrite(path: Path) -> None:
    path.write_bytes(path.read_bytes())


def _remove(path: Path) -> None:
    path.unlink()


def _rename(path: Path) -> None:
    path.rename(path.with_name("改名-" + path.name))


def _add(path: Path) -> None:
    shutil.copy(path, path.with_name("副本-" + path.name))


@pytest.mark.parametrize("change", [_rewrite, _remove, _rename, _add])
def test_a_changed_input_is_a_full_run(change, cache_dir, folder, tmp_path):
    out = tmp_path / "out"
    _run(folder, out)
    change(folder / "附件1-月湖街道.xlsx")
    got = _run(folder, out)
    assert WROTE in got.output and SAME not in got.output
    assert _outputs(out) == _fresh(folder, tmp_path)
    assert SAME in _run(folder, out).output  # and recorded again


def test_a_file_the_listing_passes_over_counts_too(cache_dir, folder, tmp_path):
    out = tmp_path / "out"
    _run(folder, out)
    (folder / "~$附件1-月湖街道.xlsx").write_bytes(b"lock")  # a lock file: a note, not a task
    got = _run(folder, out)
    assert WROTE in got.output


def test_rewritten_within_the_same_tick(cache_dir, folder, tmp_path, monkeypatch):
    """Same size, same modification time, and (here) no change time or inode to tell: the
    content is compared, since the record was made within the racy window."""
    monkeypatch.setattr(rc, "stamp_of", lambda st: (st.st_size, st.st_mtime_ns, 0, 0, 0))
    out = tmp_path / "out"
    target = folder / "附件2-区教育局.xlsx"
    _rewrite(target)  # just written: in the racy window
    _run(folder, out)
    st = target.stat()
    data = bytearray(target.read_bytes())
    i = data.rindex(b"PK\x05\x06") + 4  # the disk number: same size, other bytes
    data[i] ^= 1
    target.write_bytes(bytes(data))
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert target.stat().st_size == st.st_size
    got = _run(folder, out)
    assert SAME not in got.output


def _edit(out: Path) -> None:
    path = out / "results.json"
    data = bytearray(path.read_bytes())
    data[-2] = ord(" ") if data[-2] != ord(" ") else ord("\n")  # same size, other content
    path.write_bytes(bytes(data))


def _delete(out: Path) -> None:
    (out / "反馈单" / "月湖街道.docx").unlink()


def _truncate(out: Path) -> None:
    (out / "考核汇总.xlsx").write_bytes(b"")


@pytest.mark.parametrize("damage", [_edit, _delete, _truncate])
def test_a_changed_output_is_written_again(damage, cache_dir, folder, tmp_path):
    out = tmp_path / "out"
    _run(folder, out)
    good = _outputs(out)
    damage(out)
    got = _run(folder, out)
    assert WROTE in got.output and SAME not in got.output
    assert _outputs(out) == good


def test_a_foreign_file_in_the_output_folder_is_refused_as_before(cache_dir, folder, tmp_path):
    out = tmp_path / "out"
    _run(folder, out)
    (out / "笔记.txt").write_text("mine", encoding="utf-8")
    got = CliRunner().invoke(app, ["compute", str(folder), "--out", str(out), "--force"])
    assert got.exit_code == 1 and "不是 flowscore 生成的文件" in got.output
    assert (out / "笔记.txt").exists()


def test_without_force_an_existing_folder_is_refused_as_before(cache_dir, folder, tmp_path):
    out = tmp_path / "out"
    _run(folder, out)
    got = CliRunner().invoke(app, ["compute", str(folder), "--out", str(out)])
    assert got.exit_code == 1 and "加 --force 覆盖" in got.output


OPTIONS = [
    ["--text"],
    ["--no-reports"],
    ["--date", "2020-01-01"],
    ["--max-rows", "100000"],
    ["--rubric", "haishu-2019"],
    ["--compare", str(SAMPLES / "haishu-2018-results")],
]


@pytest.mark.parametrize("option", OPTIONS, ids=[o[0] for o in OPTIONS])
def test_another_option_is_a_full_run(option, cache_dir, folder, tmp_path):
    out = tmp_path / "out"
    _run(folder, out)
    got = _run(folder, out, *option)
    assert WROTE in got.output
    assert _outputs(out) == _fresh(folder, tmp_path, *option)
    assert SAME in _run(folder, out, *option).output
    assert WROTE in _run(folder, out).output  # and back


def test_the_compared_results_file_is_part_of_the_salt(cache_dir, folder, tmp_path):
    last = Path(shutil.copytree(SAMPLES / "haishu-2018-results", tmp_path / "last"))
    out = tmp_path / "out"
    _run(folder, out, "--compare", str(last))
    data = json.loads((last / "results.json").read_text("utf-8"))
    data["units"][0]["total"] = "1.00"
    (last / "results.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert WROTE in _run(folder, out, "--compare", str(last)).output


def test_another_time_zone_is_a_full_run(cache_dir, folder, tmp_path, monkeypatch):
    """The documents print the newest file's date in this computer's time zone."""
    out = tmp_path / "out"
    for zone, expected in (("Etc/GMT+12", WROTE), ("Etc/GMT+12", SAME), ("Etc/GMT-14", WROTE)):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        assert expected in _run(folder, out).output
    monkeypatch.undo()
    time.tzset()


def test_no_cache_json_and_pdf_always_run_in_full(cache_dir, folder, tmp_path):
    out = tmp_path / "out"
    for _ in range(2):
        assert WROTE in _run(folder, out, "--no-cache").output
    assert not list(cache_dir.glob("run-*.bin")) if cache_dir.exists() else True
    _run(folder, out)
    got = _run(folder, out, "--json")
    assert json.loads(got.stdout)["format"] == "flowscore-results"
    for _ in range(2):  # no record kept: LibreOffice is not an input that can be stamped
        assert SAME not in _run(folder, out, "--pdf").output


@pytest.mark.parametrize("kind", ["truncated", "garbage", "edited", "empty"])
def test_a_damaged_record_is_a_full_run(kind, cache_dir, folder, tmp_path):
    out = tmp_path / "out"
    _run(folder, out)
    (record,) = cache_dir.glob("run-*.bin")
    data = record.read_bytes()
    record.write_bytes(
        {
            "truncated": data[: len(data) // 2],
            "garbage": os.urandom(len(data)),
            "edited": data[:-1] + bytes([data[-1] ^ 1]),
            "empty": b"",
        }[kind]
    )
    assert WROTE in _run(folder, out).output
    assert SAME in _run(folder, out).output  # rebuilt


def test_a_record_is_kept_only_when_every_file_was_identified(cache_dir, folder, tmp_path):
    from flowscore.inputs.folder import list_folder
    from flowscore.inputs.safety import DEFAULT_LIMITS
    from flowscore.rerun import Plan

    out = tmp_path / "out"
    _run(folder, out)
    (record,) = cache_dir.glob("run-*.bin")
    listing = list_folder(folder, exclude=(out,))
    plan = Plan.make(
        folder,
        out,
        listing=listing,
        rubric=None,
        limits=DEFAULT_LIMITS,
        options=(),
        compare=None,
    )
    assert plan is not None and plan.path == record
    from flowscore.compute import compute_folder

    seen: dict = {}
    result = compute_folder(folder, exclude=(out,), cache=True, listing=listing, seen=seen)
    assert len(seen) == len(listing.tasks)
    seen.pop(next(iter(seen)))  # a file the read cache could not keep
    plan.remember(seen, result, [])
    assert not record.exists()
