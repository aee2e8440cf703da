"""Scoring in worker processes (``scoring/spread.py``): the same results, findings in the same
order, whoever scored each unit — a worker, this process because the codec does not keep a
result, or this process because the worker died."""

from __future__ import annotations

import os

import pytest
from samples import SAMPLE_RUBRICS, SAMPLES

from flowscore.inputs.folder import list_folder, read_listing
from flowscore.rubric import load_rubric
from flowscore.scoring import memo as sm
from flowscore.scoring import score, spread
from flowscore.writers.results_json import json_text, result_to_dict


@pytest.fixture
def always(monkeypatch):
    """Workers for any number of units (a sample has 26, not thousands)."""
    monkeypatch.setattr(spread, "SPREAD_FROM", dict.fromkeys(spread.SPREAD_FROM, 1))


def _read(sample: str):
    scheme, _ = load_rubric(SAMPLE_RUBRICS[sample])
    return scheme, read_listing(list_folder(SAMPLES / sample), scheme)


def _unit_inputs_of(scheme, inputs):
    """Every unit's ``UnitInputs``, as ``score`` makes them (through its own code path)."""
    from flowscore.scoring import batch

    made = []
    real = batch.unit_inputs

    def spy(b, unit):
        made.append(real(b, unit))
        return made[-1]

    batch.unit_inputs = spy
    try:
        score(scheme, inputs)
    finally:
        batch.unit_inputs = real
    return made


def _same(a, b) -> None:
    assert repr(a.units) == repr(b.units)
    assert a.report.in_order() == b.report.in_order()
    assert json_text(result_to_dict(a)) == json_text(result_to_dict(b))


@pytest.mark.parametrize("sample", sorted(SAMPLE_RUBRICS))
def test_workers_score_as_this_process_does(sample, always):
    scheme, inputs = _read(sample)
    here = score(scheme, inputs)
    assert not spread.worth_it(1, 10**6)
    assert spread.worth_it(2, len(scheme.units))
    _same(score(scheme, inputs, jobs=2), here)


def test_spawned_workers_score_as_this_process_does(always, monkeypatch):
    """Windows' start method: each task carries its unit's inputs, pickled."""
    scheme, inputs = _read("haishu-2019")
    here = score(scheme, inputs)
    monkeypatch.setenv("FLOWSCORE_START_METHOD", "spawn")
    _same(score(scheme, inputs, jobs=2), here)


def test_a_result_the_codec_does_not_keep_is_scored_here(always, monkeypatch, scored_here):
    scheme, inputs = _read("beilun")
    here = score(scheme, inputs)
    monkeypatch.setattr(sm._Codec, "pack", lambda self, *a: None)
    scored_here.clear()
    _same(score(scheme, inputs, jobs=2), here)
    # every unit came back unpacked (None) and was scored again here
    assert scored_here == [u.name for u in scheme.units]


def test_a_unit_whose_worker_died_is_scored_here(always, monkeypatch):
    """A worker that dies (here: on the third unit) loses only that unit, which this process
    scores; the rest of its batch goes to a fresh worker."""
    from flowscore.parallel import start_method

    if start_method() != "fork":  # pragma: no cover - the patch reaches forked workers only
        pytest.skip("needs fork")
    scheme, inputs = _read("haishu-2019")
    here = score(scheme, inputs)
    real = spread._score_batch

    def dies_on_third(tasks):
        if tasks == [2]:
            os._exit(70)
        return real(tasks)

    lost: list[object] = []
    monkeypatch.setattr(spread, "_score_batch", dies_on_third)
    monkeypatch.setattr(spread, "_crashed", lambda task, reason: lost.append(task))
    _same(score(scheme, inputs, jobs=2), here)
    assert lost == [2]


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_the_memo_keeps_what_workers_scored(always, tmp_path, monkeypatch, method):
    """On a first run (an empty memo) the workers make the units' keys too: a rerun scored
    here takes every unit under the key it makes itself."""
    monkeypatch.setenv("FLOWSCORE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FLOWSCORE_START_METHOD", method)
    folder = SAMPLES / "province-2013"
    scheme, inputs = _read("province-2013")
    first = sm.ScoreMemo.open(folder, scheme)
    assert first is not None
    plain = score(scheme, inputs, memo=first, jobs=2)
    keys_here = {first.key(x) for x in _unit_inputs_of(scheme, inputs)}
    assert {key for key, *_ in first.scored} == keys_here  # the workers' keys are this process's
    first.save()
    again = sm.ScoreMemo.open(folder, scheme)
    assert again is not None
    _same(score(scheme, inputs, memo=again), plain)
    assert again.hits == len(scheme.units)


@pytest.mark.parametrize("sample", ["province-2013", "haishu-2019-word"])
def test_the_outputs_are_byte_identical(sample, always, tmp_path, monkeypatch):
    """Every file the command writes, scored by workers and by this process."""
    import shutil

    from typer.testing import CliRunner

    from flowscore.cli.app import app

    monkeypatch.setenv("FLOWSCORE_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES / sample, folder)
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        cmd = ["compute", str(folder), "--out", str(out), "--quiet", "--no-cache", "--jobs", jobs]
        got = CliRunner().invoke(app, cmd)
        assert got.exit_code in (0, 1), got.output
        outs.append({str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
                     if p.is_file()})  # fmt: skip
    assert outs[0] == outs[1]
    assert len(outs[0]) > 3
