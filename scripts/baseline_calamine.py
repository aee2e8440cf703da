"""What reading alone costs a program built on python-calamine: the part of flowscore's time no
Python code of its own can remove.

    .venv/bin/python scripts/baseline_calamine.py FOLDER [--jobs N]

Open every .xlsx under FOLDER with python-calamine and turn every worksheet into Python rows,
in ``--jobs`` worker processes (default: all cores) in batches, as flowscore reads. Nothing is
checked, recognised, scored or written. ``scripts/bench.py`` shows it beside the floor and
flowscore: flowscore's own work is the difference. Prints the file and cell counts (so the work
cannot be optimised away).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

BATCH = 128


def read_batch(paths: list[str]) -> int:
    import python_calamine as pc

    cells = 0
    for path in paths:
        wb = pc.CalamineWorkbook.from_path(path)
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(r) for r in rows)
    return cells


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="python-calamine 读取基线：只读取，不做任何处理。")
    ap.add_argument("folder", type=Path, help="文件夹")
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)), help="进程数")
    args = ap.parse_args(argv)
    paths = sorted(
        str(p)
        for p in args.folder.rglob("*.xlsx")
        if not any(part.startswith(".") for part in p.relative_to(args.folder).parts)
    )
    batches = [paths[i : i + BATCH] for i in range(0, len(paths), BATCH)]
    if args.jobs <= 1:
        cells = sum(map(read_batch, batches))
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            cells = sum(pool.map(read_batch, batches))
    print(f"{len(paths)} 个文件，{cells} 个单元格")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
