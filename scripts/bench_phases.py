"""Where a real run's time goes, phase by phase, with its worker processes: wall time, this
process's CPU and the CPU of the children it reaped.

    .venv/bin/python scripts/bench_phases.py bench-work/province-10000 [--floor 2.2]

Runs ``flowscore compute FOLDER --rubric FOLDER/rubric.toml --no-reports`` in this process, as
the command line does (reading and scoring in worker processes, the outputs in forked
children), with no read cache and no score memo to take from (an empty cache folder: a first
run), and times its phases: reading, scoring, saving the score memo, writing.
``bench_stages.py`` gives the same work serially, per sheet; this gives what the cores did.

With ``--floor`` (seconds of ``baseline_floor.py`` on the same folder) it also says how much CPU
a run may spend at most to finish within ``--factor`` times the floor on this machine's cores.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (module, attribute, phase): the library calls ``compute`` makes, in order
PHASES = (
    ("flowscore.compute", "read_listing", "读取"),
    ("flowscore.compute", "score", "计分"),
    ("flowscore.scoring.memo", "ScoreMemo.save", "保存计分缓存"),
    ("flowscore.writers", "write_outputs", "写出"),
)


def _children() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(spent: list[tuple[str, float, float, float]], owner: Any, name: str, phase: str) -> None:
    """Replace ``owner.name`` by itself timed into ``spent`` (wall, main CPU, children CPU)."""
    real: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        wall, cpu, kids = time.perf_counter(), time.process_time(), _children()
        try:
            return real(*args, **kwargs)
        finally:
            spent.append(
                (
                    phase,
                    time.perf_counter() - wall,
                    time.process_time() - cpu,
                    _children() - kids,
                )
            )

    setattr(owner, name, timed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--floor", type=float, help="下限（baseline_floor.py）的秒数")
    parser.add_argument("--factor", type=float, default=5.0, help="目标：下限的几倍（默认 5）")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    folder: Path = args.folder

    start, cpu0 = time.perf_counter(), time.process_time()
    import importlib

    import flowscore.entry

    spent: list[tuple[str, float, float, float]] = []
    for module, path, phase in PHASES:
        owner: Any = importlib.import_module(module)
        *outer, name = path.split(".")
        for part in outer:
            owner = getattr(owner, part)
        _timed(spent, owner, name, phase)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FLOWSCORE_CACHE_DIR"] = str(Path(tmp) / "cache")
        sys.argv = ["flowscore", "compute", str(folder), "--rubric", str(folder / "rubric.toml")]
        sys.argv += ["--out", str(Path(tmp) / "out"), "--no-reports", "--quiet"]
        try:
            with contextlib.redirect_stdout(sys.stderr):  # flowscore's own lines: not the table
                flowscore.entry.main()
        except SystemExit as exc:
            # 1 is also a run whose batch has errors (the synthetic province has some): a run
            # that wrote nothing is told by its missing results
            if exc.code not in (0, 1, None) or not (Path(tmp) / "out" / "results.json").is_file():
                print(f"flowscore 退出码 {exc.code}，没有写出结果", file=sys.stderr)
                return 1
    wall, cpu, kids = time.perf_counter() - start, time.process_time() - cpu0, _children()

    print(f"{folder}：首次运行（--no-reports），{args.cores} 个核")
    print()
    print("| 阶段 | 墙钟秒 | 主进程 CPU 秒 | 子进程 CPU 秒 |")
    print("|---|---:|---:|---:|")
    for phase, w, c, k in spent:
        print(f"| {phase} | {w:.2f} | {c:.2f} | {k:.2f} |")
    rest = (
        wall - sum(w for _, w, _, _ in spent),
        cpu - sum(c for _, _, c, _ in spent),
        kids - sum(k for _, _, _, k in spent),
    )
    print(f"| 其余（启动、列出文件、细则、汇总） | {rest[0]:.2f} | {rest[1]:.2f} | {rest[2]:.2f} |")
    print(f"| **合计** | **{wall:.2f}** | **{cpu:.2f}** | **{kids:.2f}** |")
    print()
    total = cpu + kids
    print(f"CPU 共 {total:.2f} 秒，平均同时用 {total / wall:.2f} 个核。")
    if args.floor:
        goal = args.floor * args.factor
        print(
            f"下限 {args.floor:.2f} 秒的 {args.factor:g} 倍是 {goal:.2f} 秒：{args.cores} 个核全用满，"
            f"CPU 也最多 {goal * args.cores:.2f} 秒（本次 {total:.2f} 秒，"
            f"{'已在其内' if total <= goal * args.cores else f'要少 {1 - goal * args.cores / total:.0%}'}）。"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
