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
