"""The main job as one library call: read a submissions folder and score it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flowscore.errors import UsageError
from flowscore.reading import read_folder
from flowscore.results import BatchResult
from flowscore.rubric import load_rubric
from flowscore.rubric.model import Scheme
from flowscore.scoring import score


def compute_folder(folder: Path, *, rubric: str | Path | None = None,
                   scheme: Scheme | None = None, exclude: tuple[Path, ...] = (), jobs: int = 1,
                   progress: Callable[[int, int], None] | None = None) -> BatchResult:
    """Score every spreadsheet in ``folder`` against a rubric (the default scheme when neither
    ``rubric`` nor ``scheme`` is given). Problems are findings in ``result.report``.

    ``jobs`` > 1 reads files in that many worker processes (same result as serial);
    ``progress(done, total)`` is called as files are read."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"找不到文件夹 {folder}", hint="给出存放评分表和指标数据的文件夹路径")
    warnings: list = []
    if scheme is None:
        scheme, warnings = load_rubric(rubric)
    inputs = read_folder(folder, scheme, exclude=exclude, jobs=jobs, progress=progress)
    inputs.findings[:0] = warnings  # published inconsistencies (105 points) stay visible
    return score(scheme, inputs, folder=str(folder))
