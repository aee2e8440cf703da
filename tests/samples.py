"""The sample folders (``sample_data/``) and the rubric each is scored with, for the tests that
run every sample."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
SAMPLE_RUBRICS = {
    "haishu-2019": "haishu-2019",
    "haishu-2019-word": "haishu-2019",
    "beilun": "beilun-streets",
    "province-2013": "province-2013",
}
