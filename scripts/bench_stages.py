"""Where a first run's CPU goes, stage by stage, per sheet: what bounds it on a given machine.

    .venv/bin/python scripts/bench_stages.py bench-work/province-1000

Runs every stage of ``flowscore compute --no-reports`` in this one process, serially, on the
folder's annex sheets (its ``rubric.toml``), and times each by CPU time (``process_time``):

- the floor's own work (``baseline_floor.py``: inflate each sheet's XML), for scale;
- the safe pre-check (``inputs.safety.preflight``), calamine (opening, the sheets, the custom
  properties), the annex reading (``WorkbookReader.read_workbook``) and the rest of
  ``read_file``; packing and unpacking the records between processes (``inputs.wire``);
- scoring (``scoring.score``, serial), and the three outputs of ``--no-reports``, each written
  from the scored batch.

Then the bound: a run on ``--cores`` cores can be no faster than the sum of the stages it cannot
skip divided by the cores, however well they overlap. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPENT: Counter[str] = Counter()


def _timed(module: Any, name: str, stage: str) -> None:
    """Replace ``module.name`` by itself timed into ``SPENT[stage]``."""
    real: Callable[..., Any] = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        t = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            SPENT[stage] += time.process_time() - t

    setattr(module, name, timed)


def _inflate(paths: list[Path]) -> float:
    t = time.process_time()
    for path in paths:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                    z.read(name)
    return time.process_time() - t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    folder: Path = args.folder

    import flowscore.inputs.open as opener
    from flowscore.inputs import reader as reader_mod
    from flowscore.inputs import wire
    from flowscore.inputs.folder import list_folder
    from flowscore.inputs.open import calamine
    from flowscore.inputs.records import Inputs
    from flowscore.rubric import load_rubric
    from flowscore.scoring import score
    from flowscore.writers import registry

    _timed(opener, "preflight", "安全预检")
    _timed(calamine, "_open", "calamine 打开")
    _timed(calamine, "_read_sheets", "calamine 读表")
    _timed(calamine, "parse_custom_props", "文档属性")
    real_read = reader_mod.WorkbookReader.read_workbook

    def read_workbook(self: Any, *a: Any, **k: Any) -> None:
        t = time.process_time()
        try:
            real_read(self, *a, **k)
        finally:
            SPENT["评分表解析"] += time.process_time() - t

    reader_mod.WorkbookReader.read_workbook = read_workbook  # type: ignore[method-assign]

    scheme, _ = load_rubric(folder / "rubric.toml")
    tasks = list_folder(folder).tasks
    annexes = [(Path(p), d) for p, d in tasks if Path(p).name.startswith("附件")]
    n = len(annexes)
    floor = _inflate([p for p, _ in annexes])
    reader = reader_mod.WorkbookReader(scheme)
    inputs = Inputs()
    t = time.process_time()
    packed = []
    for path, display in annexes:
        packed.append(reader_mod.read_file(path, display, reader))
    read_all = time.process_time() - t
    t = time.process_time()
    blobs = [wire.pack(x) for x in packed]
    SPENT["记录打包"] = time.process_time() - t
    t = time.process_time()
    for b in blobs:
        inputs.merge(wire.unpack(b))
    SPENT["记录拆包与合并"] = time.process_time() - t
    others = [(Path(p), d) for p, d in tasks if not Path(p).name.startswith("附件")]
    t = time.process_time()
    for path, display in others:
        inputs.merge(reader_mod.read_file(path, display, reader))
    indicators = time.process_time() - t
    staged = sum(SPENT[k] for k in ("安全预检", "calamine 打开", "calamine 读表", "文档属性"))
    SPENT["read_file 其余"] = read_all - staged - SPENT["评分表解析"]
    t = time.process_time()
    result = score(scheme, inputs)
    SPENT["计分"] = time.process_time() - t
    with tempfile.TemporaryDirectory() as tmp:
        for output in registry.OUTPUTS[:3]:
            assert output.write is not None
            t = time.process_time()
            output.write(result, Path(tmp) / output.name)
            SPENT[f"写出 {output.name}"] = time.process_time() - t

    print(f"{n} 份评分表（另有 {len(others)} 个其他文件，读取 {indicators:.2f} CPU 秒），单进程")
    print()
    print("| 阶段 | 每表 CPU 毫秒 | 相对下限 |")
    print("|---|---:|---:|")
    print(f"| 下限（解压） | {floor / n * 1e3:.3f} | 1× |")
    for stage, spent in SPENT.items():
        print(f"| {stage} | {spent / n * 1e3:.3f} | {spent / floor:.2f}× |")
    total = sum(SPENT.values())
    print(f"| **合计** | **{total / n * 1e3:.3f}** | **{total / floor:.2f}×** |")
    must = sum(
        v for k, v in SPENT.items() if k.startswith(("calamine", "计分", "写出", "安全", "评分表"))
    )
    print()
    print(
        f"在 {args.cores} 个核上，即使各阶段完全并行、其余开销为零，只算安全预检、calamine、"
        f"评分表解析、计分和写出，首次运行也至少是下限的 {must / args.cores / floor:.2f} 倍"
        f"（下限本身是单进程）；全部阶段：{total / args.cores / floor:.2f} 倍。"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
