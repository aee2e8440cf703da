"""The main job as one library call: read a submissions folder and score it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flowscore.display import readable
from flowscore.errors import FlowscoreError, UsageError
from flowscore.inputs.folder import read_folder
from flowscore.inputs.records import InputFile
from flowscore.inputs.safety import DEFAULT_LIMITS, Limits
from flowscore.results import BatchResult
from flowscore.rubric import builtin_rubrics, load_rubric
from flowscore.rubric.model import Scheme
from flowscore.scoring import score


def compute_folder(
    folder: Path,
    *,
    rubric: str | Path | None = None,
    scheme: Scheme | None = None,
    exclude: tuple[Path, ...] = (),
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    isolate: bool = False,
) -> BatchResult:
    """Score every spreadsheet in ``folder`` against a rubric (the default scheme when neither
    ``rubric`` nor ``scheme`` is given). Problems are findings in ``result.report``.

    ``jobs`` > 1 reads files in that many worker processes (same result as serial);
    ``progress(done, total)`` is called as files are read; ``limits`` bound what a file may be
    (size, rows per sheet) before it is refused with a finding; ``isolate`` reads every file in
    a worker process (``read_folder``), as the command line does."""
    folder = Path(folder)
    if folder.is_file():
        raise UsageError(
            f"{folder} 是一个文件，不是文件夹",
            hint=f"给出存放评分表和指标数据的文件夹，例如 {folder.parent}",
        )
    if not folder.is_dir():
        raise UsageError(f"找不到文件夹 {folder}", hint="给出存放评分表和指标数据的文件夹路径")
    warnings: list = []
    if scheme is None:
        scheme, warnings = load_rubric(rubric)
    inputs = read_folder(
        folder,
        scheme,
        exclude=exclude,
        jobs=jobs,
        progress=progress,
        limits=limits,
        isolate=isolate,
    )
    if rubric is None:
        # No rubric named: the templates say which scheme they belong to. Read again with that
        # scheme when it is another one; a folder mixing schemes is refused, not guessed at.
        found = _schemes_in(inputs.files)
        if len(found) > 1:
            listing = "；".join(
                f"{sid}：{'、'.join(files[:3])}{'等' if len(files) > 3 else ''}"
                for sid, files in sorted(found.items())
            )
            raise FlowscoreError(
                f"文件夹中混有不同评分细则生成的评分表（{listing}）",
                hint="把不同细则的评分表分开放，或用 --rubric 指定本次使用的细则",
            )
        if found and next(iter(found)) != scheme.id:
            sid = next(iter(found))
            if sid not in builtin_rubrics():
                raise FlowscoreError(
                    f"评分表由评分细则“{sid}”生成，它不是内置细则",
                    hint="用 --rubric 给出该细则的 .toml 文件路径",
                )
            scheme, warnings = load_rubric(sid)
            inputs = read_folder(
                folder,
                scheme,
                exclude=exclude,
                jobs=jobs,
                progress=progress,
                limits=limits,
                isolate=isolate,
            )
    inputs.findings[:0] = warnings  # published inconsistencies (105 points) stay visible
    return score(scheme, inputs, folder=readable(str(folder)))


def _schemes_in(files: list[InputFile]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in files:
        if f.scheme:
            found.setdefault(f.scheme, []).append(f.path)
    return found
