"""The robustness issue, class by class: each fixture is made by ``scripts/make_hostile_inputs.py``
(or ``make_bad_inputs.py``); each test asserts the finding (or the clean stop) and that 月湖街道
is still scored beside it. Process-level behaviour (a reader that dies, signals, two runs at
once, what reaches stderr) is tested with real subprocesses and bounded waits."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowscore.catalog import name_of
from flowscore.cli import app
from flowscore.compute import compute_folder
from flowscore.findings import Level

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import make_bad_inputs as bad  # noqa: E402
import make_hostile_inputs as hostile  # noqa: E402

RUBRIC = "haishu-2019"
FLOWSCORE = [sys.executable, "-m", "flowscore"]
POSIX = os.name == "posix"
START_METHODS = [
    m for m in ("fork", "spawn") if m in __import__("multiprocessing").get_all_start_methods()
]


def case(tmp_path: Path, name: str) -> Path:
    if name.startswith("xls"):
        pytest.importorskip("xlwt")
    return hostile.make_case(name, tmp_path / name)


def findings(result, code: str) -> list:
    return [f for f in result.report if f.code == code]


def only(result, code: str):
    found = findings(result, code)
    assert len(found) == 1, [(f.code, f.file, f.message) for f in result.report]
    return found[0]


def good_unit_scored(result) -> None:
    u = result.unit(bad.GOOD_UNIT)
    assert str(u.total) == bad.GOOD_TOTAL and u.status == "final"


def run(args: list[str], *, env: dict | None = None, timeout: float = 60, cwd: Path | None = None):
    return subprocess.run(
        [*FLOWSCORE, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


# -- class 1: what the pre-check must bound, exactly as calamine reads it ----------------------

REFUSED = [
    ("shared_strings_count", "file-unsafe", "", ("uniqueCount", "4294967295")),
    ("duplicate_sheet_names", "sheet-too-large", "Sheet1", ("1,048,576 行",)),
    ("sheet_in_comment", "sheet-too-large", "Sheet1", ("1,048,576 行",)),
    ("relationship_in_comment", "sheet-too-large", "Sheet1", ("1,048,576 行",)),
    ("duplicate_zip_member", "file-unsafe", "", ("同名的部件",)),
    ("case_folded_member", "file-unsafe", "", ("同名的部件",)),
    ("xls_dimensions", "sheet-too-large", "S", ("4,294,967,295 行", "整个文件未读取")),
    ("xls_fat_length", "file-unsafe", "", ("FAT",)),
    ("xls_panic", "file-unsafe", "", ("指向文件之外",)),
]


@pytest.mark.parametrize(("name", "code", "sheet", "says"), REFUSED, ids=[r[0] for r in REFUSED])
def test_declared_counts_and_places_are_bounded_before_the_reader(
    tmp_path, name, code, sheet, says
):
    """Each of these aborted the whole process (calamine reserving 100–550 GB) or printed a Rust
    panic: now a finding, read in this very process (the pre-check bounds them all)."""
    result = compute_folder(case(tmp_path, name), rubric=RUBRIC)
    f = only(result, code)
    assert f.level is Level.ERROR and f.sheet == sheet
    assert all(w in f.message for w in says), f.message
    good_unit_scored(result)


@pytest.mark.parametrize("method", START_METHODS)
def test_a_reader_that_dies_takes_only_its_file(tmp_path, method):
    """The defence for the next unknown bug: a worker over its memory cap dies; its file is a
    finding, the batch goes on (here every other file of the folder is read in the same
    worker's batch, which is re-queued)."""
    folder = bad.make_case("rows_100k", tmp_path / "in")
    env = {"FLOWSCORE_START_METHOD": method, "FLOWSCORE_WORKER_MEMORY_MB": "60"}
    r = run(["check", str(folder), "--json", "-r", RUBRIC], env=env)
    assert r.returncode == 1, r.stderr
    assert r.stderr == ""  # no allocation failure, no backtrace
    found = json.loads(r.stdout)
    crashed = [f for f in found if f["code"] == "file-crashed-reader"]
    assert [f["file"] for f in crashed] == ["西门街道登记明细.xlsx"]
    assert not [f for f in found if f["file"] == bad.GOOD_FILE]


def test_rust_panic_text_never_reaches_the_terminal(tmp_path, monkeypatch):
    """Whatever a worker prints on stderr (a Rust panic beside a correct finding) is dropped."""
    from flowscore import parallel

    def noisy(tasks):
        os.write(2, b"thread '<unnamed>' panicked at src/xls.rs:606:29\n")
        return [len(t) for t in tasks]

    monkeypatch.setenv("FLOWSCORE_START_METHOD", "fork")
    r, w = os.pipe()
    saved = os.dup(2)
    os.dup2(w, 2)
    try:
        got = list(
            parallel.map_batches(noisy, ["a", "bb"], jobs=1, init=len, init_arg="", isolate=True)
        )
    finally:
        os.dup2(saved, 2)
        os.close(w)
    assert got == [1, 2]
    assert os.read(r, 1000) == b""


def test_small_batches_are_isolated_from_the_command_line(tmp_path):
    """Fewer than 40 files used to be read in the main process (a crash there killed the run):
    the command line reads them in a worker too."""
    folder = bad.make_case("score_negative", tmp_path / "in")
    r = run(["check", str(folder), "-r", RUBRIC], env={"FLOWSCORE_WORKER_MEMORY_MB": "1"})
    assert r.returncode == 1
    # every file over a 1 MB cap: each its finding, under the error that nothing was scored
    assert name_of("file-crashed-reader") in r.stderr and "没有任何单位的评分表" in r.stderr
    assert "内部错误" not in r.stdout + r.stderr and "Traceback" not in r.stderr


# -- class 2: bonus rows with text, percent, Chinese numerals or nothing -----------------------


@pytest.mark.parametrize("command", ["compute", "check"])
def test_entry_points_that_are_not_numbers(tmp_path, command):
    folder = hostile.make_case("entry_points", tmp_path / "in")
    args = [command, str(folder), "-r", RUBRIC, "--json"]
    if command == "compute":
        args += ["--out", str(tmp_path / "out"), "-q"]
    r = CliRunner().invoke(app, args, catch_exceptions=False)
    assert r.exit_code == 1, r.output
    result = compute_folder(folder, rubric=RUBRIC)
    got = sorted((f.file, f.sheet, f.cell, f.message) for f in findings(result, "bad-entry"))
    assert [g[:3] for g in got] == [(bad.INDICATORS, "加减分", f"D{r}") for r in (2, 3, 4, 5)]
    assert "“5分”不是数字" in got[0][3] and "不应带百分号" in got[1][3]
    assert "“五”不是数字" in got[2][3] and "为空" in got[3][3]
    good_unit_scored(result)


# -- class 3: names that are not UTF-8 ---------------------------------------------------------


@pytest.mark.skipif(not POSIX, reason="only POSIX file systems keep names that are not UTF-8")
def test_gbk_names_are_read_and_shown_decoded(tmp_path):
    folder = hostile.make_case("gbk_name", tmp_path / "in")
    result = compute_folder(folder, rubric=RUBRIC)
    assert result.unit(bad.OTHER).status == "final"  # the file was read
    assert any(i.path == "西门街道材料/附件1-西门街道.xlsx" for i in result.inputs)
    out = tmp_path / "out"
    r = run(["compute", str(folder), "-r", RUBRIC, "--out", str(out), "-q"])
    assert r.returncode == 1 and "Traceback" not in r.stderr and "内部错误" not in r.stderr
    text = (out / "results.json").read_text("utf-8")
    assert "西门街道材料/附件1-西门街道.xlsx" in text


# -- class 4: numbers past what Decimal rounds -------------------------------------------------


def test_huge_numbers_are_findings(tmp_path):
    folder = hostile.make_case("huge_numbers", tmp_path / "in")
    result = compute_folder(folder, rubric=RUBRIC)
    score = sorted((f.cell, f.message) for f in findings(result, "bad-score"))
    assert [c for c, _ in score] == ["E8", "E9"]
    assert "位数太多" in score[0][1] and "数字太大" in score[1][1]
    assert "数字太大" in only(result, "bad-indicator").message
    assert "位数太多" in only(result, "bad-entry").message
    r = CliRunner().invoke(
        app, ["compute", str(folder), "-r", RUBRIC, "--out", str(tmp_path / "o"), "-q"]
    )
    assert r.exit_code == 1, r.output
    good_unit_scored(result)


# -- class 5: work per file --------------------------------------------------------------------


def test_long_text_rows_cost_little(tmp_path):
    folder = case(tmp_path, "long_text_rows")
    start = time.process_time()
    result = compute_folder(folder, rubric=RUBRIC)
    assert time.process_time() - start < 10  # was 142 s
    assert findings(result, "unmatched-row")
    good_unit_scored(result)


def test_text_matching_budget_is_said(tmp_path, monkeypatch):
    from flowscore.inputs.kinds import annex

    monkeypatch.setattr(annex, "MATCH_BUDGET", 1000)
    folder = tmp_path / "in"
    bad.make_good(folder)
    hostile.long_text_rows(folder, rows=20)
    path = folder / "附件2-区人力社保局.xlsx"
    # the rows' text near an item's, so the exact ratio is needed (and the budget spent)
    from flowscore.rubric import load_rubric

    item = load_rubric(RUBRIC)[0].sheet("dept-hrss").items[1]
    data = path.read_bytes()
    path.write_bytes(
        hostile.bad.rewrite_zip(
            data,
            {
                "xl/sharedStrings.xml": lambda b: b.replace(
                    ("很" * 32_767).encode(), item.text.encode()
                )
            },
        )
    )
    result = compute_folder(folder, rubric=RUBRIC)
    f = only(result, "text-match-limit")
    assert f.file == "附件2-区人力社保局.xlsx" and "工作量上限" in f.message


# -- class 6: escape sequences -----------------------------------------------------------------


def test_escape_sequences_never_reach_the_terminal(tmp_path):
    folder = hostile.make_case("escape_sequences", tmp_path / "in")
    r = run(["check", str(folder), "-r", RUBRIC])
    assert "\x1b" not in r.stdout + r.stderr
    assert "\\x1b[2J附件1-西门街道.xlsx" in r.stdout  # shown, visibly
    out = tmp_path / "out"
    run(["compute", str(folder), "-r", RUBRIC, "--out", str(out), "-q", "--text"])
    for p in [out / "考核报告.md", *(out / "reports").iterdir()]:
        assert "\x1b" not in p.read_text("utf-8")
    assert "\x1b" not in (out / "results.json").read_text("utf-8")  # written as \u001b


# -- class 7: signals --------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    """60 copies of the sample folder (1,680 files): long enough to be stopped while reading."""
    import shutil

    root = tmp_path_factory.mktemp("many")
    for i in range(60):
        shutil.copytree(ROOT / "sample_data" / "haishu-2019", root / f"d{i}")
    return root


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc to see children")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_signal_while_reading_stops_everything(tmp_path, many, sig):
    out = tmp_path / "out"
    p = subprocess.Popen(
        [*FLOWSCORE, "compute", str(many), "-r", RUBRIC, "--out", str(out), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while len(_children(p.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    kids = _children(p.pid)
    assert kids, "no workers seen"
    p.send_signal(getattr(signal, sig))
    stdout, stderr = p.communicate(timeout=20)  # returns: no worker holds stdout open
    # Twice, in full test runs, this ended 1 instead (never reproduced at will, 80 tries idle
    # and loaded): what the run said is kept in the failure.
    said = f"stdout: {stdout.decode()[-2000:]}\nstderr: {stderr.decode()[-2000:]}"
    assert p.returncode == 128 + getattr(signal, sig), said
    assert stderr.decode().strip() == "已停止：本次运行被中断，原有的结果没有改动。"
    for k in kids:
        assert not Path(f"/proc/{k}").exists() or "zombie" in Path(f"/proc/{k}/status").read_text()
    assert sorted(x.name for x in tmp_path.iterdir()) == []


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_signal_while_writing_keeps_old_outputs(tmp_path, sig):
    out = tmp_path / "out"
    sample = ROOT / "sample_data" / "haishu-2019"
    assert run(["compute", str(sample), "-r", RUBRIC, "--out", str(out), "-q"]).returncode in (0, 1)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    p = subprocess.Popen(
        # --no-cache: with nothing changed the rerun would leave the outputs as they are
        [
            *FLOWSCORE,
            "compute",
            str(sample),
            "-r",
            RUBRIC,
            "--out",
            str(out),
            "-q",
            "--force",
            "--no-cache",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not list(tmp_path.glob(".out.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.001)
    p.send_signal(getattr(signal, sig))
    _, stderr = p.communicate(timeout=20)
    if p.returncode in (0, 1):
        pytest.skip("the run finished before the signal arrived")
    assert "已停止" in stderr.decode() and "Traceback" not in stderr.decode()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out"]  # no .tmp, no .old, no lock
    if "原有的结果没有改动" in stderr.decode():
        assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_early_ctrl_c_is_one_line(tmp_path):
    """A Ctrl-C in the first moments of flowscore's own code is the one Chinese line, never a
    traceback through flowscore. Before its first line runs, the interpreter's own start (site,
    runpy locating the package) is Python's: a Ctrl-C landing there on a loaded machine shows
    only Python's frames, and is tried again a little later."""
    stopped = 0
    for delay in (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1.0):
        p = subprocess.Popen(
            [*FLOWSCORE, "check", str(ROOT / "sample_data" / "haishu-2019")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(delay)
        p.send_signal(signal.SIGINT)
        _, raw = p.communicate(timeout=20)
        stderr = raw.decode()
        if "Traceback" in stderr:
            frames = [line for line in stderr.splitlines() if line.lstrip().startswith("File ")]
            assert not any("flowscore" in line for line in frames), stderr
            continue  # still in the interpreter's start
        if p.returncode == 130:
            assert stderr == "已停止：本次运行被中断，原有的结果没有改动。\n"
            stopped += 1
    assert stopped >= 3  # the early moments were reached, not only Python's start


# -- class 8: output-side faults ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("err", "says"),
    [
        (errno.ENOSPC, "磁盘空间不足"),
        (errno.EROFS, "只读"),
        (errno.EACCES, "没有写入权限"),
        (errno.EPERM, "没有权限"),
    ],
)
def test_output_faults_are_chinese_errors(tmp_path, monkeypatch, err, says):
    from flowscore.writers import results_json

    folder = bad.make_case("score_negative", tmp_path / "in")
    out = tmp_path / "out"
    CliRunner().invoke(app, ["compute", str(folder), "-r", RUBRIC, "--out", str(out), "-q"])
    before = (out / "results.json").read_bytes()

    def fail(*a, **k):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(results_json, "write_results", fail)
    # --no-cache: with nothing changed the run would leave the outputs as they are (rerun.py)
    args = ["compute", str(folder), "-r", RUBRIC, "--out", str(out), "-q", "--force", "-j", "1"]
    r = CliRunner().invoke(app, [*args, "--no-cache"])
    assert r.exit_code == 1, r.output
    assert says in r.output and str(out) in r.output and "内部错误" not in r.output
    assert (out / "results.json").read_bytes() == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["in", "out"]


def test_a_killed_runs_results_outlive_a_run_that_fails(tmp_path, monkeypatch):
    """A run killed between its two renames leaves no output folder: the previous results in
    ``.old``, the new ones in ``.tmp``. A next run that fails before its own outputs are in
    place keeps both; one that puts its outputs in place removes them."""
    import shutil

    from flowscore.writers import results_json

    folder = bad.make_case("score_negative", tmp_path / "in")
    out = tmp_path / "out"
    args = ["compute", str(folder), "-r", RUBRIC, "--out", str(out), "-q", "--force", "-j", "1"]
    args.append("--no-cache")
    CliRunner().invoke(app, args)
    old, built = tmp_path / ".out.k1lled_0.old", tmp_path / ".out.k1lled_0.tmp"
    os.replace(out, old)
    shutil.copytree(old, built)
    real = results_json.write_results

    def fail(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(results_json, "write_results", fail)
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 1 and "磁盘空间不足" in r.output, r.output
    assert (old / "results.json").is_file() and (built / "results.json").is_file()
    monkeypatch.setattr(results_json, "write_results", real)
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 1 and "磁盘空间不足" not in r.output, r.output
    assert sorted(x.name for x in tmp_path.iterdir()) == ["in", "out"]
    assert (out / "results.json").is_file()


def test_out_under_a_file(tmp_path):
    folder = bad.make_case("score_negative", tmp_path / "in")
    (tmp_path / "f").write_text("x")
    r = CliRunner().invoke(
        app, ["compute", str(folder), "-r", RUBRIC, "--out", str(tmp_path / "f" / "o"), "-q"]
    )
    assert r.exit_code == 1 and "不是文件夹" in r.output and "内部错误" not in r.output


@pytest.mark.skipif(not POSIX or os.geteuid() == 0, reason="root writes through chmod")
def test_read_only_folder(tmp_path):
    folder = bad.make_case("score_negative", tmp_path / "in")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        r = CliRunner().invoke(
            app, ["compute", str(folder), "-r", RUBRIC, "--out", str(ro / "o"), "-q"]
        )
    finally:
        ro.chmod(0o755)
    assert r.exit_code == 1 and "没有写入权限" in r.output


# -- class 9: two runs into one folder ---------------------------------------------------------


def test_second_run_waits_then_names_the_holder(tmp_path, monkeypatch):
    from flowscore import outlock

    folder = bad.make_case("score_negative", tmp_path / "in")
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys,time; from pathlib import Path; from flowscore.outlock import output_lock\n"
                f"with output_lock(Path({str(out)!r})):\n    print('held', flush=True); time.sleep(30)"
            ),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline() == b"held\n"
        monkeypatch.setattr(outlock, "WAIT", 0.3)
        r = CliRunner().invoke(app, ["compute", str(folder), "-r", RUBRIC, "--out", str(out), "-q"])
        assert r.exit_code == 1
        assert f"进程 {holder.pid}" in r.output and "另一次运行" in r.output
    finally:
        holder.kill()
        holder.wait()
    # The holder died without a word: its lock is taken over.
    r = CliRunner().invoke(app, ["compute", str(folder), "-r", RUBRIC, "--out", str(out), "-q"])
    assert r.exit_code == 1 and (out / "results.json").is_file()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["in", "out"]


def test_two_runs_at_once_both_end_whole(tmp_path):
    folder = bad.make_case("score_negative", tmp_path / "in")
    out = tmp_path / "out"
    args = [*FLOWSCORE, "compute", str(folder), "-r", RUBRIC, "--out", str(out), "-q", "--force"]
    ps = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    for p in ps:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 1 and "内部错误" not in err.decode(), err.decode()
    assert json.loads((out / "results.json").read_text("utf-8"))["format"] == "flowscore-results"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["in", "out"]


# -- class 10: what a folder holds besides files -----------------------------------------------


@pytest.mark.skipif(not POSIX, reason="FIFOs and links as POSIX makes them")
def test_odd_entries_are_findings_and_never_read(tmp_path):
    folder = hostile.make_case("odd_entries", tmp_path / "in")
    result = compute_folder(folder, rubric=RUBRIC)
    got = {f.file: f.message for f in findings(result, "file-skipped")}
    assert set(got) == {"管道.xlsx", "失效链接.xlsx", "循环.xlsx", "零.xlsx", "外部材料"}
    assert "命名管道" in got["管道.xlsx"] and "设备" in got["零.xlsx"]
    assert "循环" in got["循环.xlsx"] and "不存在" in got["失效链接.xlsx"]
    good_unit_scored(result)


def test_output_folders_are_recognised_by_content(tmp_path):
    folder = hostile.make_case("lookalike_output", tmp_path / "in")
    result = compute_folder(folder, rubric=RUBRIC)
    assert only(result, "output-folder-skipped").file == "上次结果"
    assert result.unit(bad.OTHER).status == "final"  # 西门街道/ was read, 上次结果/ was not
    assert not findings(result, "duplicate-unit")


# -- class 12: limits and long messages --------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "nan", "1e9", "0.5"])
def test_max_size_is_validated(tmp_path, value):
    r = CliRunner().invoke(app, ["check", str(tmp_path), "--max-size", value])
    assert r.exit_code == 2 and "内部错误" not in r.output


def test_long_name_lists_are_capped(tmp_path):
    result = compute_folder(hostile.make_case("many_sheets", tmp_path / "in"), rubric=RUBRIC)
    f = only(result, "duplicate-unit")
    assert len(f.message) < 1100 and "等 300 个" in f.message and f.message.endswith("暂不计分")


def test_template_unit_with_control_character(tmp_path):
    r = CliRunner().invoke(app, ["template", "--unit", "月湖街道\x1b[2J", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "控制字符" in r.output and "内部错误" not in r.output


# -- Windows start method ----------------------------------------------------------------------


@pytest.mark.parametrize("method", START_METHODS)
def test_pooled_reading_is_the_same_under_each_start_method(tmp_path, monkeypatch, method):
    monkeypatch.setenv("FLOWSCORE_START_METHOD", method)
    folder = bad.make_case("score_negative", tmp_path / "in")
    serial = compute_folder(folder, rubric=RUBRIC)
    isolated = compute_folder(folder, rubric=RUBRIC, jobs=2, isolate=True)
    assert [f.to_dict() for f in serial.report] == [f.to_dict() for f in isolated.report]
    assert [(u.unit, u.total) for u in serial.units] == [(u.unit, u.total) for u in isolated.units]


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32", reason="POSIX kill")
def test_a_stop_dropped_by_a_finalizer_is_raised_again(tmp_path):
    """A signal that lands while a ``__del__`` runs has its ``Interrupted`` dropped by Python
    ("Exception ignored in"); ``raise_if_lost`` raises it again before anything is kept, and
    ``replace_dir_atomic`` then leaves the old outputs as they were."""
    script = tmp_path / "lost.py"
    script.write_text(
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from flowscore import interrupt\n"
        "from flowscore.atomic import replace_dir_atomic\n"
        "interrupt.install()\n"
        "class Dropper:\n"
        "    def __del__(self):\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "        sum(range(1000))  # the handler runs here, inside the finalizer\n"
        "Dropper()\n"
        "print('still running', flush=True)\n"
        "out = Path(sys.argv[1])\n"
        "try:\n"
        "    replace_dir_atomic(out, lambda tmp: (tmp / 'new.txt').write_text('new'))\n"
        "except interrupt.Interrupted as stop:\n"
        "    print('stopped', stop.exit_code)\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    got = subprocess.run(
        [sys.executable, str(script), str(out)], capture_output=True, text=True, timeout=60
    )
    assert "Exception ignored" in got.stderr  # Python dropped the first raise
    assert got.stdout.split("\n")[:2] == ["still running", "stopped 130"]
    assert sorted(p.name for p in out.iterdir()) == ["old.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []


@pytest.mark.skipif(not POSIX, reason="SIGKILL as POSIX sends it")
def test_a_run_killed_outright_leaves_nothing_after_the_next(tmp_path):
    """A killed run (power cut, console window closed) cannot clean up: its half-built folder
    stays beside the outputs. The next run writing there removes it, and what an earlier one
    moved aside, but never the folders of another output (``out.2019``)."""
    out = tmp_path / "out"
    sample = ROOT / "sample_data" / "haishu-2019"
    args = ["compute", str(sample), "-r", RUBRIC, "--out", str(out), "-q", "--force"]
    p = subprocess.Popen(
        [*FLOWSCORE, *args, "--no-cache"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 20
    while not list(tmp_path.glob(".out.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.001)
    p.kill()
    p.wait(timeout=20)
    # As the kill left them, had it come a moment later (the run above may have finished):
    (tmp_path / ".out.k1lled_0.tmp").mkdir()  # a folder being built
    (tmp_path / ".out.k1lled_0.old").mkdir()  # an old folder moved aside
    others = [tmp_path / ".out.2019.abcd1234.tmp", tmp_path / ".out.abcd1234.tmp.bak"]
    for other in others:
        other.mkdir()
    assert run(args).returncode in (0, 1)
    assert sorted(x.name for x in tmp_path.iterdir()) == sorted(["out", *(o.name for o in others)])
    assert (out / "results.json").is_file()
