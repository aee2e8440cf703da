"""Smoke tests of the benchmark tooling at tiny scale: the synthetic province is valid,
deterministic and cached, and the benchmark runs end to end and reports every row and goal."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import bench  # noqa: E402
import make_province  # noqa: E402

from flowscore.compute import compute_folder  # noqa: E402

N = 20


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "province"
    assert make_province.generate(N, out, seed=7, quiet=True)
    return out


def test_province_files(province):
    sheets = sorted(province.glob("附件1-*.xlsx"))
    assert len(sheets) == N
    assert (province / make_province.INDICATOR_NAME).is_file()
    assert (province / make_province.RUBRIC_NAME).is_file()
    make_province.verify(province)  # zip, openpyxl and calamine all accept them
    ws = openpyxl.load_workbook(sheets[4]).active
    assert ws["A3"].value.endswith("第00005镇")
    assert ws["D4"].value == "自评分"
    assert 6_000 < sheets[4].stat().st_size < 12_000


def test_province_scores_every_town(province):
    result = compute_folder(province, rubric=province / make_province.RUBRIC_NAME)
    assert len(result.units) == N
    assert {u.tier for u in result.units} == {"A", "B", "C"}
    assert all(u.status in ("final", "provisional") for u in result.units)
    codes = {f.code for f in result.report}
    assert not codes & {
        "unknown-unit",
        "scheme-mismatch",
        "file-unreadable",
        "missing-submission",
        "no-indicators",
        "unrecognised-file",
    }


def test_province_deterministic_and_cached(province, tmp_path):
    again = tmp_path / "again"
    make_province.generate(N, again, seed=7, quiet=True)
    for a in sorted(province.iterdir()):
        assert (again / a.name).read_bytes() == a.read_bytes(), a.name
    assert not make_province.generate(N, again, seed=7, quiet=True)  # stamp matches: skipped
    assert make_province.generate(N, again, seed=8, quiet=True)  # another seed: regenerated


def test_province_refuses_foreign_folder(tmp_path):
    (tmp_path / "mine.txt").write_text("x")
    with pytest.raises(SystemExit):
        make_province.generate(N, tmp_path, seed=7, quiet=True)
    assert (tmp_path / "mine.txt").exists()


def test_pandas_baseline_reads_every_sheet(province):
    import baseline_floor
    import baseline_pandas

    table, indicators = baseline_pandas.read_folder(province)
    assert len(table) == N and table["self"].sum() > 0
    assert len(indicators) >= N  # every town's indicator row (and the entries)
    assert baseline_floor.inflate_folder(province)[0] == N + 1


def test_bench_smoke(tmp_path):
    # pandas is checked in process above (its import alone takes a second per run); the
    # bytecode cache is the one `make bench` uses, so the children do not compile everything.
    opts = bench.Options(
        sizes=(N,),
        repeat=1,
        startup_repeat=1,
        work=tmp_path,
        log=False,
        pandas=False,
        warm_up=False,
        pycache=bench.WORK / "pycache",
    )
    res = bench.measure(opts)
    programs = {r.program for r in res.rows if r.sheets == N}
    assert {bench.FLOOR, bench.FS_NO_REPORTS, bench.FS_ALL, bench.SERIAL} <= programs
    assert all(r.seconds > 0 for r in res.rows)
    # the runs wrote where creating a file was cheaper, and say where and at what cost
    assert res.output_root and res.create_us is not None and res.create_us > 0
    # CPU seconds (the process and the workers it waited for) are reported on every row
    assert all(r.cpu is not None and r.cpu > 0 for r in res.rows)
    assert res.serial_identical is True
    text = bench.markdown(res, opts)
    for header in bench.HEADERS:
        assert header in text
    assert "## 目标" in text and ("✓" in text or "✗" in text)
    assert any(r.program.startswith("flowscore rank") for r in res.rows)
    # issue #17: fork and spawn measured in alternation at the largest size, a goal per pair
    from flowscore.parallel import start_method

    if start_method() == "fork":
        for program in bench.PAIRED:
            for method in ("fork", "spawn"):
                assert programs >= {bench.paired(program, method)}
        assert "spawn 不超过 fork 的 1.5 倍（交替测）" in text


def test_phases_of_a_real_run(province):
    """``bench_phases.py`` runs the command line's compute (worker processes and all) and says
    where the time went; the phases and the CPU needed for the goal are on its table."""
    import subprocess

    got = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_phases.py"), str(province), "--floor", "9"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert got.returncode == 0, got.stderr
    lines = got.stdout.splitlines()
    rows = [line.split(" | ")[0].lstrip("| ") for line in lines if line.startswith("| ")]
    assert rows[1:] == [
        "读取",
        "计分",
        "保存计分缓存",
        "写出",
        "其余（启动、列出文件、细则、汇总）",
        "**合计**",
    ]
    assert lines[-1].startswith("下限 9.00 秒的 5 倍是 45.00 秒") and "已在其内" in lines[-1]
    assert "单位" in got.stderr  # flowscore's own summary went to stderr, not into the table


@pytest.mark.parametrize(("before", "after", "kept"), [(3.16, 2.63, 2.63), (2.17, 2.63, 2.17)])
def test_the_floor_is_the_fastest_of_before_and_after(monkeypatch, before, after, kept):
    """The floor is measured again after flowscore's rows: the faster of the two is kept, with
    every run listed and the larger peak (a slow moment at the start cannot lower a ratio)."""
    res = bench.Results()
    res.rows.append(bench.Row(1000, bench.FLOOR, before, 14.0, runs=[before, before + 1]))
    res.rows.append(bench.Row(1000, bench.FS_NO_REPORTS, 20.0, 139.0))
    again = bench.Run(after, 15.0, 0, cpu=after)
    monkeypatch.setattr(bench, "best", lambda *a, **k: (again, [after, after + 1]))
    bench.floor_again(bench.Options(log=False), {}, res, 1000, Path("."), ["true"])
    floor = res.get(1000, bench.FLOOR)
    assert floor is not None and floor.seconds == kept
    assert floor.runs == [before, before + 1, after, after + 1] and floor.peak_mb == 15.0
    assert res.rows[0] is floor and len(res.rows) == 2
