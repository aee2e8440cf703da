"""Fixtures the test modules share: the shipped sample years, each scored once per test run.

Helpers that build files (``builders.py``, ``batches.py``) are plain modules beside the tests;
no test module imports another."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowscore.compute import compute_folder
from flowscore.results import BatchResult

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"


@pytest.fixture(scope="session")
def scored_sample():
    """``scored_sample("haishu-2019")``: that sample year scored (once, then shared: results
    are frozen data, and no test may change them)."""
    cache: dict[str, BatchResult] = {}

    def get(name: str) -> BatchResult:
        if name not in cache:
            cache[name] = compute_folder(SAMPLES / name)
        return cache[name]

    return get


@pytest.fixture(autouse=True)
def _own_read_cache(monkeypatch, tmp_path_factory):
    """Each test keeps its read cache (and run records) in a folder of its own, never in the
    user's cache folder: a test that runs compute twice sees only its own first run."""
    monkeypatch.setenv("FLOWSCORE_CACHE_DIR", str(tmp_path_factory.mktemp("read-cache")))


@pytest.fixture(scope="session", autouse=True)
def _no_user_cache(tmp_path_factory):
    """The same for what session- and module-wide fixtures compute before any test runs."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLOWSCORE_CACHE_DIR", str(tmp_path_factory.mktemp("session-cache")))
        yield


@pytest.fixture
def scored_here(monkeypatch) -> list[str]:
    """The units ``scoring.batch._score_unit`` scores in this process, in order (a forked
    worker's scoring records in the worker, not here)."""
    from flowscore.scoring import batch

    scored: list[str] = []
    real = batch._score_unit

    def spy(b, x, report, **kw):
        scored.append(x.unit.name)
        return real(b, x, report, **kw)

    monkeypatch.setattr(batch, "_score_unit", spy)
    return scored
