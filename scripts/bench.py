"""The benchmark of issue #5: flowscore against the floor and against a pandas script.

    make bench                                   # everything (~3 min here; pandas at 10,000 ~1.5 min)
    .venv/bin/python scripts/bench.py --quick    # pandas at 10,000 extrapolated from 1,000
    .venv/bin/python scripts/bench.py --sizes 100,1000 --repeat 3

Every program runs as a whole process (interpreter start-up, imports, reading, scoring,
writing), timed by wall clock from here; peak memory is the child's maximum resident set size
(``/usr/bin/time`` when present, else ``getrusage`` in a fresh wrapper process). Per size:

- 下限 (the floor): ``scripts/baseline_floor.py``: open every file and inflate its sheet XML;
- calamine 读取: ``scripts/baseline_calamine.py``: every file read by python-calamine in worker
  processes, nothing else (the reader's share of flowscore's time);
- flowscore check (reading and scoring, no output written);
- flowscore compute ``--no-reports --quiet``, and with every output (``--quiet``);
- the pandas baseline: ``scripts/baseline_pandas.py``;
- issue #17's reruns (nothing changed, one file changed, ``check`` with one file changed) and,
  at the largest size, the first run and the one-file reruns under ``fork`` and ``spawn``
  measured in alternation (``spawn_pairs``; ``--no-spawn`` leaves them out);

then ``flowscore --help``, ``flowscore rank`` on a results file, and the 26-sheet sample. The
synthetic provinces come from ``scripts/make_province.py`` under ``bench-work/`` (gitignored) and
are reused while they match. Prints one table and the goals (✓/✗), and writes both to
``bench-work/bench.md``. The rows are the best of ``--repeat`` runs (flowscore and pandas at
10,000 sheets: ``--repeat-large`` runs, pandas once from 1,000), since a shared machine only ever
adds time; every timed run starts from a warm page cache (``warm``).

Bytecode: a normal installation has compiled ``.pyc`` files. This environment may set
PYTHONDONTWRITEBYTECODE, which would make every run compile flowscore from source; the children
therefore run with a bytecode cache under ``bench-work/pycache`` (PYTHONPYCACHEPREFIX).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import make_province  # noqa: E402

WORK = ROOT / "bench-work"
SAMPLE = ROOT / "sample_data" / "haishu-2019"
SIZES = (100, 1000, 10_000)
GNU_TIME = Path("/usr/bin/time")
SEED = 2019

FLOOR = "下限（解压读取）"
CALAMINE = "calamine 读取（并行，不做处理）"
FS_CHECK = "flowscore check（读取+计分，不写出）"
FS_NO_REPORTS = "flowscore --no-reports"
FS_ALL = "flowscore 全部输出"
PANDAS = "pandas 基线"
SERIAL = "flowscore --jobs 1 --no-reports"
RERUN_SAME = "flowscore 重跑：无变化（--no-reports）"
RERUN_ONE = "flowscore 重跑：改一个文件（--no-reports）"
CHECK_ONE = "flowscore check 重跑：改一个文件"
NO_CACHE_ONE = "flowscore --no-cache 重跑：改一个文件（--no-reports）"
# Issue #17's start-method rows: at the largest size, each measured under fork and under spawn
# in alternation (fork, spawn, spawn, fork …), so both see the same machine
PAIRED = (FS_NO_REPORTS, RERUN_ONE, CHECK_ONE)


def paired(program: str, method: str) -> str:
    return f"{program}【{method}，交替测】"


# Goals of issue #5
FLOOR_FACTOR = 3.0
PANDAS_FACTOR = 10.0
E2E_1000 = 1.5
E2E_SAMPLE = 1.0
STARTUP = 0.3
# Goals of issue #17 (ratios within one run)
RERUN_ONE_FACTOR = 0.35  # a rerun with one file changed ÷ the first run
CHECK_ONE_FACTOR = 0.25
RERUN_SAME_FACTOR = 0.2
FIRST_FLOOR_FACTOR = 5.0  # the first run (--no-reports) ÷ the floor
SPAWN_FACTOR = 1.5
E2E_1000_NO_REPORTS = 1.2
STARTUP_17 = 0.25
MEMORY_GROWTH = 1.5  # peak at 10,000 sheets within this factor of the peak at 1,000: "flat"
LINEAR_GROWTH = 1.25  # ms per sheet at 10,000 within this factor of that at 1,000: "linear"


@dataclass
class Run:
    seconds: float
    peak_mb: float | None
    returncode: int
    stdout: str = ""
    cpu: float | None = None  # user + system seconds of the process and the children it waited for


@dataclass
class Row:
    sheets: int | None  # None: not a per-size row (start-up, sample)
    program: str
    seconds: float
    peak_mb: float | None
    extrapolated: bool = False
    note: str = ""
    runs: list[float] = field(default_factory=list)
    cpu: float | None = None


def measured(sheets: int | None, program: str, r: Run, runs: list[float], **kw: Any) -> Row:
    """The row of a measured program: ``r`` is its fastest run, ``runs`` every run's seconds."""
    return Row(sheets, program, r.seconds, r.peak_mb, runs=runs, cpu=r.cpu, **kw)


# -- running a child -----------------------------------------------------------------------------


def child_env(pycache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "120"
    return env


_WRAPPER = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
dt = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = ru.ru_utime + ru.ru_stime
print(json.dumps({"rc": p.returncode, "kb": ru.ru_maxrss, "dt": dt, "cpu": cpu}))
"""


def run(cmd: list[str], env: dict[str, str], *, ok: tuple[int, ...] = (0,)) -> Run:
    """Run ``cmd`` as a whole process: wall time measured here, peak RSS of the child."""
    if GNU_TIME.exists():
        with tempfile.NamedTemporaryFile("r", suffix=".rss", delete=False) as f:
            rss_file = f.name
        try:
            t = time.perf_counter()
            p = subprocess.run(
                [str(GNU_TIME), "-f", "%M %U %S", "-o", rss_file, *cmd],
                env=env,
                capture_output=True,
                text=True,
            )
            seconds = time.perf_counter() - t
            lines = Path(rss_file).read_text().strip().splitlines()
            fields = lines[-1].split() if lines else []
            peak = cpu = None
            if len(fields) == 3 and fields[0].isdigit():
                peak, cpu = int(fields[0]) / 1024, float(fields[1]) + float(fields[2])
        finally:
            os.unlink(rss_file)
        out = p.stdout
        rc = p.returncode
    else:  # a fresh wrapper per measurement: RUSAGE_CHILDREN is the max over its only child
        p = subprocess.run(
            [sys.executable, "-c", _WRAPPER, *cmd], env=env, stdout=subprocess.PIPE, text=True
        )
        data = json.loads(p.stdout.strip().splitlines()[-1])
        seconds, peak, rc, out = data["dt"], data["kb"] / 1024, data["rc"], ""
        cpu = data["cpu"]
        if p.returncode != 0:
            rc = p.returncode
    if rc not in ok:
        err = p.stderr if GNU_TIME.exists() else ""
        raise RuntimeError(f"命令失败（退出码 {rc}）：{' '.join(cmd)}\n{err[-2000:]}")
    return Run(seconds, peak, rc, out, cpu)


def warm(folder: Path | None) -> None:
    """Read every file of ``folder`` once, so the run that follows finds them in the page
    cache. Without this the first program to touch a 10,000-file folder after a minute of other
    work paid for the disk: this machine reclaims idle page cache (kdamond), and one run of the
    floor measured 4.7 s instead of 1.3 s, which made flowscore look 2.2× the floor."""
    if folder is None:
        return
    for path in folder.iterdir():
        if path.is_file():
            path.read_bytes()


def best(
    cmd: list[str],
    env: dict[str, str],
    repeat: int,
    *,
    ok: tuple[int, ...] = (0,),
    folder: Path | None = None,
    before: Any = None,
) -> tuple[Run, list[float]]:
    """The fastest of ``repeat`` runs (each after ``before()``, if given, and
    ``warm(folder)``) and every run's seconds."""
    runs = []
    for _ in range(max(1, repeat)):
        if before is not None:
            before()
        warm(folder)
        runs.append(run(cmd, env, ok=ok))
    fastest = min(runs, key=lambda r: r.seconds)
    peak = max((r.peak_mb for r in runs if r.peak_mb is not None), default=None)
    return (
        Run(fastest.seconds, peak, fastest.returncode, fastest.stdout, fastest.cpu),
        [r.seconds for r in runs],
    )


# -- the commands --------------------------------------------------------------------------------


def flowscore_cmd(*args: str) -> list[str]:
    exe = Path(sys.executable).parent / "flowscore"
    if exe.exists():
        return [str(exe), *args]
    return [sys.executable, "-m", "flowscore", *args]


def compute_cmd(
    folder: Path, out: Path, *, rubric: Path | None, reports: bool, jobs: int | None = None
) -> list[str]:
    args = ["compute", str(folder), "--out", str(out), "--force", "--quiet"]
    if rubric is not None:
        args += ["--rubric", str(rubric)]
    if not reports:
        args.append("--no-reports")
    if jobs is not None:
        args += ["--jobs", str(jobs)]
    return flowscore_cmd(*args)


SCORED = (0, 1)  # compute exits 1 when the folder has errors; the synthetic data has a few


def script_cmd(name: str, *args: str) -> list[str]:
    return [sys.executable, str(ROOT / "scripts" / name), *args]


# -- the benchmark -------------------------------------------------------------------------------


@dataclass
class Options:
    sizes: tuple[int, ...] = SIZES
    quick: bool = False
    repeat: int = 3
    repeat_large: int = 2
    startup_repeat: int = 5
    work: Path = WORK
    sample: Path = SAMPLE
    check_serial: bool = True
    pandas: bool = True
    warm_up: bool = True
    log: bool = True
    pycache: Path | None = None  # default: WORK/pycache
    spawn: bool = True  # the start-method rows (``spawn_pairs``)


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    serial_identical: bool | None = None
    serial_size: int | None = None
    cache_identical: bool | None = None
    sample_sheets: int = 26
    sample_source: str = ""
    rank_units: int = 0
    output_root: str = ""  # where the timed runs wrote (``output_root``)
    create_us: float | None = None  # the cost of creating a file there

    def get(self, sheets: int | None, program: str) -> Row | None:
        return next((r for r in self.rows if r.sheets == sheets and r.program == program), None)


def floor_again(
    opts: Options, env: dict[str, str], res: Results, n: int, folder: Path, cmd: list[str]
) -> None:
    """Measure the floor once more after the runs it divides, and keep the fastest of all its
    runs: a busy moment of this machine at the start must not bring flowscore closer to the
    floor (one run measured it 3.16 s, where the others measured 2.17–2.63 s)."""
    say(opts, f"[{n} 表] 下限（再测）…")
    again, runs = best(cmd, env, opts.repeat, folder=folder)
    first = res.get(n, FLOOR)
    assert first is not None
    row = measured(n, FLOOR, again, []) if again.seconds < first.seconds else first
    peaks = [p for p in (first.peak_mb, again.peak_mb) if p is not None]
    res.rows[res.rows.index(first)] = replace(
        row, runs=first.runs + runs, peak_mb=max(peaks, default=None)
    )


def say(opts: Options, text: str) -> None:
    if opts.log:
        print(text, file=sys.stderr, flush=True)


def prepare(opts: Options) -> dict[int, Path]:
    folders = {}
    for n in opts.sizes:
        folder = opts.work / f"province-{n}"
        if make_province.generate(n, folder, SEED, quiet=True):
            say(opts, f"已生成 {n} 份评分表：{folder}")
        folders[n] = folder
    return folders


def sample_folder(opts: Options) -> tuple[Path, Path | None, str]:
    """The 26-sheet sample (sample_data/haishu-2019), or 26 synthetic sheets when absent."""
    if any(opts.sample.glob("*.xlsx")):
        return (
            opts.sample,
            None,
            str(opts.sample.relative_to(ROOT) if opts.sample.is_relative_to(ROOT) else opts.sample),
        )
    folder = opts.work / "province-26"
    make_province.generate(26, folder, SEED, quiet=True)
    return folder, folder / make_province.RUBRIC_NAME, "合成 26 表（样例数据不存在）"


def results_equal(a: Path, b: Path) -> bool:
    da = json.loads(a.read_text(encoding="utf-8"))
    db = json.loads(b.read_text(encoding="utf-8"))
    return da == db


def _create_cost(root: Path, files: int = 500) -> float:
    """Microseconds to create and write a 1.3 KB file (a unit report's size) under ``root``."""
    probe = Path(tempfile.mkdtemp(prefix="flowscore-bench-probe-", dir=root))
    try:
        t = time.perf_counter()
        for i in range(files):
            (probe / f"{i}.txt").write_bytes(b"x" * 1300)
        return (time.perf_counter() - t) / files * 1e6
    finally:
        shutil.rmtree(probe, ignore_errors=True)


def output_root(work: Path) -> tuple[Path, float]:
    """Where the timed runs write their outputs, and what creating a file costs there (µs).

    flowscore writes one file per unit. On this machine creating a file has cost ~40 µs in one
    folder and ~600 µs in another folder of the same disk, and which one was slow changed
    within a day (something watching the folder, apparently). An office machine writes to an
    ordinary folder, so the runs write to the faster of ``work`` and the system temporary
    folder; both the place and its cost are printed with the results."""
    costs = [(_create_cost(root), root) for root in (work, Path(tempfile.gettempdir()))]
    cost, root = min(costs)
    return root, cost


def measure(opts: Options) -> Results:
    env = child_env(opts.pycache or opts.work / "pycache")
    env["FLOWSCORE_CACHE_DIR"] = str(opts.work / "read-cache")
    opts.work.mkdir(parents=True, exist_ok=True)
    folders = prepare(opts)
    res = Results()
    root, res.create_us = output_root(opts.work)
    res.output_root = str(root)
    if root == opts.work:
        outs = opts.work / "out"
        outs.mkdir(exist_ok=True)
        return _measure(opts, env, folders, res, outs)
    outs = Path(tempfile.mkdtemp(prefix="flowscore-bench-", dir=root))
    try:
        return _measure(opts, env, folders, res, outs)
    finally:
        shutil.rmtree(outs, ignore_errors=True)


def clear_cache(cache: Path) -> None:
    shutil.rmtree(cache, ignore_errors=True)


def changed_file(folder: Path) -> Path:
    """The annex sheet the "one file changed" rows rewrite (the middle one)."""
    annexes = sorted(folder.glob("附件1-*.xlsx"))
    return annexes[len(annexes) // 2]


def touch_one(folder: Path) -> None:
    """Write one annex sheet again (the same bytes): a new modification and change time, so the
    read cache must read it again, as if a unit had sent a corrected sheet."""
    path = changed_file(folder)
    path.write_bytes(path.read_bytes())


def rerun(
    opts: Options,
    env: dict[str, str],
    res: Results,
    n: int,
    folder: Path,
    rubric: Path,
    out: Path,
    repeat: int,
    cache: Path,
) -> None:
    """Issue #17: reruns with the read cache — nothing changed, one file changed (compute and
    check) — and, for comparison, a rerun with one file changed and ``--no-cache``. The cache
    is filled by one untimed run first."""
    say(opts, f"[{n} 表] 重跑（读取缓存）…")
    clear_cache(cache)
    compute = compute_cmd(folder, out, rubric=rubric, reports=False)
    run(compute, env, ok=SCORED)
    r, runs = best(compute, env, repeat, ok=SCORED, folder=folder)
    res.rows.append(measured(n, RERUN_SAME, r, runs))
    r, runs = best(compute, env, repeat, ok=SCORED, folder=folder, before=lambda: touch_one(folder))
    res.rows.append(measured(n, RERUN_ONE, r, runs))
    check = flowscore_cmd("check", str(folder), "--rubric", str(rubric))
    r, runs = best(check, env, repeat, ok=SCORED, folder=folder, before=lambda: touch_one(folder))
    res.rows.append(measured(n, CHECK_ONE, r, runs))
    r, runs = best(
        [*compute, "--no-cache"], env, repeat, ok=SCORED, folder=folder,
        before=lambda: touch_one(folder),
    )  # fmt: skip
    res.rows.append(measured(n, NO_CACHE_ONE, r, runs))
    # the rows' outputs are the same with and without the cache
    plain, cached = out.parent / f"plain-{n}", out.parent / f"cached-{n}"
    run([*compute_cmd(folder, plain, rubric=rubric, reports=False), "--no-cache"], env, ok=SCORED)
    run(compute_cmd(folder, cached, rubric=rubric, reports=False), env, ok=SCORED)
    same = all(
        (plain / name).read_bytes() == (cached / name).read_bytes()
        for name in ("results.json", "考核汇总.xlsx", "考核结果通报（草稿）.docx")
    )
    res.cache_identical = same if res.cache_identical is None else res.cache_identical and same


def spawn_pairs(
    opts: Options,
    env: dict[str, str],
    res: Results,
    n: int,
    folder: Path,
    rubric: Path,
    out: Path,
    repeat: int,
    cache: Path,
) -> None:
    """Issue #17: the first run and the one-file reruns under ``fork`` and under ``spawn`` (the
    only start method on Windows), alternating run by run so that a machine busier at one
    moment does not favour either; the best of ``repeat`` each."""
    envs = {"fork": env, "spawn": {**env, "FLOWSCORE_START_METHOD": "spawn"}}
    compute = compute_cmd(folder, out, rubric=rubric, reports=False)
    check = flowscore_cmd("check", str(folder), "--rubric", str(rubric))
    cases = (
        (FS_NO_REPORTS, compute, lambda: clear_cache(cache)),
        (RERUN_ONE, compute, lambda: touch_one(folder)),
        (CHECK_ONE, check, lambda: touch_one(folder)),
    )
    for program, cmd, before in cases:
        say(opts, f"[{n} 表] fork 与 spawn 交替：{program} …")
        if program != FS_NO_REPORTS:
            run(compute, env, ok=SCORED)  # the caches filled
        got: dict[str, list[Run]] = {"fork": [], "spawn": []}
        for i in range(max(1, repeat)):
            for method in ("fork", "spawn") if i % 2 == 0 else ("spawn", "fork"):
                before()
                warm(folder)
                got[method].append(run(cmd, envs[method], ok=SCORED))
        for method, runs in got.items():
            fastest = min(runs, key=lambda r: r.seconds)
            res.rows.append(
                measured(n, paired(program, method), fastest, [r.seconds for r in runs])
            )


def _measure(
    opts: Options, env: dict[str, str], folders: dict[int, Path], res: Results, outs: Path
) -> Results:
    # Warm-up: compile the bytecode cache (every module compute imports) once, so no row pays
    # for it; the page cache is filled before every timed run (``warm``).
    if opts.warm_up and folders:
        n = min(folders)
        run(
            compute_cmd(
                folders[n],
                outs / "warm-up",
                rubric=folders[n] / make_province.RUBRIC_NAME,
                reports=True,
            ),
            env,
            ok=SCORED,
        )

    cache = Path(env["FLOWSCORE_CACHE_DIR"])
    for n, folder in folders.items():
        rubric = folder / make_province.RUBRIC_NAME
        repeat = opts.repeat_large if n >= 10_000 else opts.repeat
        out = outs / f"out-{n}"
        # (row, label, command, runs, exit codes that count as success). The two baselines take
        # a second or two even at 10,000 sheets: always the full repeat, so the floor every
        # ratio divides by is never a single noisy run.
        timed = [
            (FLOOR, "下限", script_cmd("baseline_floor.py", str(folder)), opts.repeat, (0,)),
            (
                CALAMINE,
                "calamine 读取",
                script_cmd("baseline_calamine.py", str(folder)),
                opts.repeat,
                (0,),
            ),
            (
                FS_CHECK,
                "flowscore check",
                flowscore_cmd("check", str(folder), "--rubric", str(rubric)),
                repeat,
                SCORED,
            ),
            (
                FS_NO_REPORTS,
                "flowscore --no-reports",
                compute_cmd(folder, out, rubric=rubric, reports=False),
                repeat,
                SCORED,
            ),
            (
                FS_ALL,
                "flowscore 全部输出",
                compute_cmd(folder, out, rubric=rubric, reports=True),
                repeat,
                SCORED,
            ),
        ]
        for program, label, cmd, times, ok in timed:
            say(opts, f"[{n} 表] {label} …")
            # Every first run starts without a read cache (issue #17's rows come after).
            r, runs = best(cmd, env, times, ok=ok, folder=folder, before=lambda: clear_cache(cache))
            res.rows.append(measured(n, program, r, runs))
        rerun(opts, env, res, n, folder, rubric, out, repeat, cache)
        if opts.spawn and n == max(folders) and start_method() == "fork":
            spawn_pairs(opts, env, res, n, folder, rubric, out, repeat, cache)
        floor_again(opts, env, res, n, folder, timed[0][2])
        if not opts.pandas:
            continue
        if opts.quick and n >= 10_000:
            base = max((m for m in folders if m < n), default=None)
            row = res.get(base, PANDAS) if base else None
            if row is not None:
                assert base is not None
                res.rows.append(
                    Row(
                        n,
                        PANDAS,
                        row.seconds / base * n,
                        None,
                        extrapolated=True,
                        note=f"由 {base} 表按每表时间外推",
                    )
                )
            continue
        say(opts, f"[{n} 表] pandas 基线 …")
        r, runs = best(
            script_cmd("baseline_pandas.py", str(folder)),
            env,
            1 if n >= 1000 else repeat,
            folder=folder,
        )
        res.rows.append(measured(n, PANDAS, r, runs))

    if opts.check_serial and folders:
        n = 1000 if 1000 in folders else min(folders)
        folder = folders[n]
        rubric = folder / make_province.RUBRIC_NAME
        say(opts, f"[{n} 表] 串行（--jobs 1）对照 …")
        serial_out, parallel_out = outs / f"serial-{n}", outs / f"parallel-{n}"
        r, runs = best(
            [*compute_cmd(folder, serial_out, rubric=rubric, reports=False, jobs=1), "--no-cache"],
            env,
            1,
            ok=SCORED,
            folder=folder,
        )
        res.rows.append(measured(n, SERIAL, r, runs))
        run(
            [
                *compute_cmd(folder, parallel_out, rubric=rubric, reports=False, jobs=2),
                "--no-cache",
            ],
            env,
            ok=SCORED,
        )
        res.serial_identical = results_equal(
            serial_out / "results.json", parallel_out / "results.json"
        )
        res.serial_size = n

    say(opts, "样例、--help、rank …")
    folder, rubric, res.sample_source = sample_folder(opts)
    res.sample_sheets = len([p for p in folder.glob("*.xlsx")])
    sample_out = outs / "sample"
    r, runs = best(
        compute_cmd(folder, sample_out, rubric=rubric, reports=True),
        env,
        opts.startup_repeat,
        ok=SCORED,
        folder=folder,
        before=lambda: clear_cache(cache),
    )
    res.rows.append(
        measured(
            None, f"样例 {res.sample_sheets} 个文件（全部输出）", r, runs, note=res.sample_source
        )
    )
    r, runs = best(flowscore_cmd("--help"), env, opts.startup_repeat)
    res.rows.append(measured(None, "flowscore --help", r, runs))
    results_file = sample_out / "results.json"
    res.rank_units = len(json.loads(results_file.read_text(encoding="utf-8"))["units"])
    r, runs = best(flowscore_cmd("rank", str(results_file)), env, opts.startup_repeat)
    res.rows.append(measured(None, f"flowscore rank（{res.rank_units} 个单位）", r, runs))
    big = max(
        (n for n in folders if n >= 1000 and (outs / f"out-{n}" / "results.json").exists()),
        default=None,
    )
    if big is not None:
        r, runs = best(
            flowscore_cmd("rank", str(outs / f"out-{big}" / "results.json")),
            env,
            opts.startup_repeat,
        )
        res.rows.append(measured(None, f"flowscore rank（{big} 个单位）", r, runs))
    return res


# -- reporting -----------------------------------------------------------------------------------

HEADERS = ("表格数", "程序", "秒", "CPU秒", "每表毫秒", "相对下限", "相对pandas基线", "峰值内存MB")


def _ratio(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.1f}×" if x >= 10 else f"{x:.2f}×"


def table_rows(res: Results) -> list[tuple[str, ...]]:
    out = []
    for row in res.rows:
        floor = res.get(row.sheets, FLOOR) if row.sheets else None
        pandas = res.get(row.sheets, PANDAS) if row.sheets else None
        per = f"{row.seconds / row.sheets * 1000:.2f}" if row.sheets else "—"
        rel_floor = (
            _ratio(row.seconds / floor.seconds)
            if floor and row.program != FLOOR
            else ("1×" if row.program == FLOOR else "—")
        )
        if pandas and row.program != PANDAS:
            rel_pandas = _ratio(row.seconds / pandas.seconds)
            if pandas.extrapolated:
                rel_pandas += "（外推）"
        elif row.program == PANDAS:
            rel_pandas = "1×"
        else:
            rel_pandas = "—"
        seconds = f"{row.seconds:.2f}" + ("（外推）" if row.extrapolated else "")
        peak = f"{row.peak_mb:.0f}" if row.peak_mb is not None else "—"
        sheets = f"{row.sheets:,}" if row.sheets else "—"
        cpu = f"{row.cpu:.2f}" if row.cpu is not None else "—"
        out.append((sheets, row.program, seconds, cpu, per, rel_floor, rel_pandas, peak))
    return out


@dataclass
class Goal:
    text: str
    ok: bool | None  # None: not measured in this run
    detail: str


def goals(res: Results) -> list[Goal]:
    out: list[Goal] = []
    sizes = sorted({r.sheets for r in res.rows if r.sheets})
    big = max(sizes) if sizes else None

    def ratio(n: int | None, a: str, b: str) -> float | None:
        ra, rb = res.get(n, a), res.get(n, b)
        return ra.seconds / rb.seconds if ra and rb else None

    for program, label in ((FS_NO_REPORTS, "--no-reports"), (FS_ALL, "全部输出")):
        x = ratio(big, program, FLOOR)
        out.append(
            Goal(
                f"{big:,} 表 flowscore（{label}）不超过下限的 {FLOOR_FACTOR:g} 倍",
                None if x is None else x <= FLOOR_FACTOR,
                "—" if x is None else f"{x:.1f} 倍",
            )
        )
    x = ratio(big, PANDAS, FS_NO_REPORTS)
    extra = (
        "（pandas 为外推值）" if res.get(big, PANDAS) and res.get(big, PANDAS).extrapolated else ""
    )
    out.append(
        Goal(
            f"{big:,} 表 flowscore（--no-reports）比 pandas 基线快 {PANDAS_FACTOR:g} 倍以上",
            None if x is None else x >= PANDAS_FACTOR,
            "—" if x is None else f"快 {x:.1f} 倍{extra}",
        )
    )
    r = res.get(1000, FS_ALL)
    out.append(
        Goal(
            f"1,000 表端到端（全部输出）少于 {E2E_1000:g} 秒",
            None if r is None else r.seconds < E2E_1000,
            "—" if r is None else f"{r.seconds:.2f} 秒",
        )
    )
    r = next((x for x in res.rows if x.program.startswith("样例")), None)
    out.append(
        Goal(
            f"样例（{res.sample_sheets} 个文件）端到端少于 {E2E_SAMPLE:g} 秒",
            None if r is None else r.seconds < E2E_SAMPLE,
            "—" if r is None else f"{r.seconds:.2f} 秒",
        )
    )
    # The start-up goal: --help, and rank on the sample's results file. rank on a 10,000-unit
    # file (75 MB of JSON) is shown in the table, not held to a start-up time.
    startup_rows = [x for x in res.rows if x.program == "flowscore --help"]
    startup_rows += [x for x in res.rows if x.program.startswith("flowscore rank")][:1]
    for r in startup_rows:
        out.append(
            Goal(f"{r.program} 少于 {STARTUP:g} 秒", r.seconds < STARTUP, f"{r.seconds:.2f} 秒")
        )
    a, b = res.get(1000, FS_NO_REPORTS), res.get(10_000, FS_NO_REPORTS)
    if a and b and a.peak_mb and b.peak_mb:
        growth = b.peak_mb / a.peak_mb
        out.append(
            Goal(
                f"峰值内存不随表格数增长（10,000 表不超过 1,000 表的 {MEMORY_GROWTH:g} 倍）",
                growth <= MEMORY_GROWTH,
                f"{a.peak_mb:.0f} MB → {b.peak_mb:.0f} MB（{growth:.1f} 倍）",
            )
        )
    else:
        out.append(Goal("峰值内存不随表格数增长", None, "需要 1,000 和 10,000 两档"))
    if a and b:
        # Linear means a constant cost per extra sheet: compare the marginal cost from 1,000 to
        # 10,000 sheets with that from 100 to 1,000 (start-up cancels out of both).
        small = res.get(100, FS_NO_REPORTS)
        per = [
            f"{r.seconds / n * 1000:.2f}" for n, r in ((100, small), (1000, a), (10_000, b)) if r
        ]
        hi = (b.seconds - a.seconds) / 9000
        lo = (a.seconds - small.seconds) / 900 if small else a.seconds / 1000
        out.append(
            Goal(
                f"成本线性（1,000→10,000 表每多一表的耗时不超过 100→1,000 表的 "
                f"{LINEAR_GROWTH:g} 倍）",
                hi <= lo * LINEAR_GROWTH,
                f"每表 {' / '.join(per)} 毫秒（{'100 / ' if small else ''}1,000 / 10,000）；"
                f"每多一表 {lo * 1000:.2f} → {hi * 1000:.2f} 毫秒",
            )
        )
    if res.serial_identical is not None:
        out.append(
            Goal(
                f"串行与并行结果相同（{res.serial_size:,} 表，results.json 逐项比较）",
                res.serial_identical,
                "相同" if res.serial_identical else "不同！",
            )
        )
    out += goals_17(res, big)
    return out


def goals_17(res: Results, big: int | None) -> list[Goal]:
    """Issue #17's goals, each a ratio of two rows of this run."""
    out: list[Goal] = []

    def ratio_goal(text: str, a: str, b: str, limit: float, n: int | None = big) -> None:
        ra, rb = res.get(n, a), res.get(n, b)
        x = ra.seconds / rb.seconds if ra and rb else None
        out.append(
            Goal(
                text,
                None if x is None else x <= limit,
                "—"
                if x is None or ra is None or rb is None
                else f"{x:.2f} 倍（{ra.seconds:.2f} 秒 ÷ {rb.seconds:.2f} 秒）",
            )
        )

    size = f"{big:,} 表" if big else ""
    ratio_goal(
        f"{size}改一个文件后重跑（--no-reports）不超过首次运行的 {RERUN_ONE_FACTOR:g} 倍",
        RERUN_ONE,
        FS_NO_REPORTS,
        RERUN_ONE_FACTOR,
    )
    ratio_goal(
        f"{size}改一个文件后 check 重跑不超过首次 check 的 {CHECK_ONE_FACTOR:g} 倍",
        CHECK_ONE,
        FS_CHECK,
        CHECK_ONE_FACTOR,
    )
    ratio_goal(
        f"{size}无变化重跑不超过首次运行的 {RERUN_SAME_FACTOR:g} 倍",
        RERUN_SAME,
        FS_NO_REPORTS,
        RERUN_SAME_FACTOR,
    )
    ratio_goal(
        f"{size}首次运行（--no-reports）不超过下限的 {FIRST_FLOOR_FACTOR:g} 倍",
        FS_NO_REPORTS,
        FLOOR,
        FIRST_FLOOR_FACTOR,
    )
    for program in PAIRED:
        if res.get(big, paired(program, "spawn")):
            ratio_goal(
                f"{size}{program}：spawn 不超过 fork 的 {SPAWN_FACTOR:g} 倍（交替测）",
                paired(program, "spawn"),
                paired(program, "fork"),
                SPAWN_FACTOR,
            )
    r = res.get(1000, FS_NO_REPORTS)
    out.append(
        Goal(
            f"1,000 表端到端（--no-reports）不超过 {E2E_1000_NO_REPORTS:g} 秒",
            None if r is None else r.seconds <= E2E_1000_NO_REPORTS,
            "—" if r is None else f"{r.seconds:.2f} 秒",
        )
    )
    for r in [x for x in res.rows if x.program == "flowscore --help"] + [
        x for x in res.rows if x.program.startswith("flowscore rank")
    ][:1]:
        out.append(
            Goal(
                f"{r.program} 不超过 {STARTUP_17:g} 秒",
                r.seconds <= STARTUP_17,
                f"{r.seconds:.2f} 秒",
            )
        )
    if res.cache_identical is not None:
        out.append(
            Goal(
                "有无读取缓存的输出逐字节相同（results.json、汇总表、通报）",
                res.cache_identical,
                "相同" if res.cache_identical else "不同！",
            )
        )
    return out


def start_method() -> str:
    sys.path.insert(0, str(ROOT))
    from flowscore.parallel import start_method as method

    return method()


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} 核（nproc），CPU：{cpu or '未知'}，内存：{mem or '未知'}，"
        f"Python {platform.python_version()}，{platform.system()} {platform.release()}"
    )


def markdown(res: Results, opts: Options) -> str:
    lines = [
        "# flowscore 性能测试结果",
        "",
        f"- 时间：{time.strftime('%Y-%m-%d %H:%M')}",
        f"- 机器：{machine()}",
        f"- 样例：{res.sample_source}",
        f"- 读取进程的启动方式：{start_method()}（FLOWSCORE_START_METHOD）",
        f"- 参数：表格数 {', '.join(str(n) for n in opts.sizes)}；"
        f"每项取 {opts.repeat} 次中最快（10,000 表的 flowscore 各行 {opts.repeat_large} 次、"
        f"pandas 自 1,000 表起 1 次，启动类 "
        f"{opts.startup_repeat} 次；下限在 flowscore 各行之前、之后各 {opts.repeat} 次）"
        f"{'；--quick' if opts.quick else ''}",
        f"- 输出写在：{res.output_root}（新建一个 1.3 KB 文件 {res.create_us or 0:.0f} µs；"
        "取项目的 bench-work/ 和系统临时文件夹中较快的一个）",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---" if i == 1 else "---:" for i in range(len(HEADERS))) + "|",
    ]
    for row in table_rows(res):
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "## 目标", ""]
    for g in goals(res):
        mark = "✓" if g.ok else ("✗" if g.ok is False else "—")
        lines.append(f"- {mark} {g.text}：{g.detail}")
    lines.append("")
    return "\n".join(lines)


def show(res: Results, opts: Options) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=120)
    table = Table(title="flowscore 性能测试", caption=machine())
    for i, h in enumerate(HEADERS):
        table.add_column(h, justify="left" if i == 1 else "right")
    for row in table_rows(res):
        table.add_row(*row)
    console.print(table)
    console.print(
        f"输出写在 {res.output_root}（新建一个文件 {res.create_us or 0:.0f} µs）", highlight=False
    )
    for g in goals(res):
        mark = "[green]✓[/]" if g.ok else ("[red]✗[/]" if g.ok is False else "—")
        console.print(f"{mark} {g.text}：{g.detail}", highlight=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="flowscore 性能测试（issue #5）：与下限和 pandas 基线比较。"
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="10,000 表不运行 pandas 基线，按 1,000 表的每表时间外推（标明“外推”）",
    )
    ap.add_argument(
        "--sizes",
        default=",".join(str(n) for n in SIZES),
        help="表格数，逗号分隔（默认 100,1000,10000）",
    )
    ap.add_argument("--repeat", type=int, default=3, help="每项运行次数，取最快（默认 3）")
    ap.add_argument(
        "--repeat-large",
        type=int,
        default=2,
        help="10,000 表及以上 flowscore 各行的运行次数（默认 2；下限和 calamine 行按 --repeat）",
    )
    ap.add_argument(
        "--startup-repeat", type=int, default=5, help="--help、rank 和样例的运行次数（默认 5）"
    )
    ap.add_argument("--work", type=Path, default=WORK, help="工作文件夹（默认 bench-work/）")
    ap.add_argument(
        "--sample", type=Path, default=SAMPLE, help="样例文件夹（默认 sample_data/haishu-2019）"
    )
    ap.add_argument("--no-serial-check", action="store_true", help="不做串行/并行结果对照")
    ap.add_argument("--no-pandas", action="store_true", help="不运行 pandas 基线")
    ap.add_argument(
        "--no-spawn", action="store_true", help="不做最大表格数下 fork 与 spawn 的交替对照"
    )
    args = ap.parse_args(argv)
    opts = Options(
        sizes=tuple(int(x) for x in args.sizes.split(",") if x.strip()),
        quick=args.quick,
        repeat=args.repeat,
        repeat_large=args.repeat_large,
        startup_repeat=args.startup_repeat,
        work=args.work.resolve(),
        sample=args.sample.resolve(),
        check_serial=not args.no_serial_check,
        pandas=not args.no_pandas,
        spawn=not args.no_spawn,
    )
    res = measure(opts)
    show(res, opts)
    method = start_method()
    report = opts.work / ("bench.md" if method == "fork" else f"bench-{method}.md")
    report.write_text(markdown(res, opts), encoding="utf-8")
    print(f"结果已写入 {report}")
    shutil.rmtree(opts.work / "out", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
