"""The main job as one library call: read a submissions folder once and score it.

The rubric is the one given, or else the one the folder's templates name (their
``flowscore.scheme`` property, read before the folder is read), or else the default; a folder
mixing templates of different rubrics is refused, not guessed at."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flowscore.display import readable
from flowscore.errors import FlowscoreError, NothingToScore, UsageError
from flowscore.findings import Finding, Level
from flowscore.inputs.folder import Listing, list_folder, read_listing, template_schemes
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
    scanning: Callable[[int, int], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    isolate: bool = False,
    cache: bool = False,
    compare_with: Path | None = None,
    listing: Listing | None = None,
    seen: dict[tuple[str, str], Any] | None = None,
) -> BatchResult:
    """Score every spreadsheet in ``folder`` against a rubric (``scheme`` as given, else
    ``rubric``, else the templates' own, else the default). Problems are findings in
    ``result.report``.

    ``jobs`` > 1 reads files in that many worker processes (same result as serial);
    ``progress(done, total)`` is called as files are read, ``scanning(done, total)`` as they
    are looked at for the rubric their templates name (before reading); ``limits`` bound what a file may be
    (size, rows per sheet) before it is refused with a finding; ``isolate`` reads every file in
    a worker process (a file that kills its reader costs only itself: the command line's
    way); ``cache`` keeps what each file gave in the user's cache folder and uses it again
    while the file is unchanged (``inputs.cache``: the same results, read faster), and each
    unit's result under the hash of what it was scored from (``scoring.memo``).
    ``compare_with``: a previous results.json (or an output folder holding one) to set beside
    this run (``result.comparison``, ``compare.py``). ``listing``: the folder as already listed
    (``list_folder`` with the same ``exclude``). ``seen`` is given each file's identity as the
    read cache verified or took it (``ReadCache.identities``: the run record, ``rerun.py``)."""
    folder = Path(folder)
    previous = None
    if compare_with is not None:  # read first: a wrong path is refused before the work
        from flowscore.results_file import load_results

        previous = load_results(compare_with)
    if folder.is_file():
        raise UsageError(
            f"{folder} 是一个文件，不是文件夹",
            hint=f"给出存放评分表和指标数据的文件夹，例如 {folder.parent}",
        )
    if not folder.is_dir():
        raise UsageError(f"找不到文件夹 {folder}", hint="给出存放评分表和指标数据的文件夹路径")
    if listing is None:
        listing = list_folder(folder, exclude=exclude)
    warnings: list[Finding] = []
    if scheme is None:
        scheme, warnings = load_rubric(
            rubric if rubric is not None else _templates_rubric(listing, scanning)
        )
    kept = None
    if cache:
        from flowscore.inputs.cache import ReadCache

        kept = ReadCache.open(folder, scheme, limits, outside=exclude)
    inputs = read_listing(
        listing, scheme, jobs=jobs, progress=progress, limits=limits, isolate=isolate, cache=kept
    )
    if kept is not None and seen is not None:
        seen.update(kept.identities)
    inputs.findings[:0] = warnings  # a rubric's warnings stay visible
    if not inputs.annexes:
        raise _nothing_to_score(folder, listing, inputs.findings)
    memo = None
    if cache:
        from flowscore.scoring.memo import ScoreMemo

        memo = ScoreMemo.open(folder, scheme, outside=exclude)
    result = score(
        scheme, inputs, folder=readable(str(folder)), as_of=_newest(listing), memo=memo, jobs=jobs
    )
    del inputs  # its records (a province's 100,000 indicator values) are in the result now
    if memo is not None:
        memo.save()  # from a smaller heap: the packing reuses the records' memory
    from flowscore.interrupt import raise_if_lost

    raise_if_lost()  # a stop dropped on the way (interrupt.py): no result is returned
    if previous is not None and compare_with is not None:
        from flowscore.compare import compare

        result.comparison = compare(result, previous, scheme, source=readable(str(compare_with)))
    return result


def _nothing_to_score(folder: Path, listing: Listing, findings: list[Finding]) -> NothingToScore:
    """No unit's score sheet was read: an error before anything is written, with the files'
    own problems (a sheet that could not be read) listed under it."""
    where = readable(str(folder))
    files = len(listing.tasks)
    if not files:
        return NothingToScore(
            f"文件夹 {where} 中没有可读取的评分表或指标数据文件",
            hint="把各单位报送的评分表（.xlsx、.xls、.ods、.docx 等）和指标数据工作簿放进这个"
            "文件夹后再运行；评分表可以用 flowscore template 生成",
        )
    # why no sheet counted: files that could not be read, sheets naming no unit of the roster
    errors = tuple(f for f in findings if f.level is not Level.INFO and f.file)
    return NothingToScore(
        f"文件夹 {where} 中的 {files} 个文件里没有任何单位的评分表，没有计算，也没有写出结果",
        hint="评分表是各单位填写自评分后报送的附件（用 flowscore template 生成）；"
        + ("下面列出了读不了的文件和原因" if errors else "请确认是否放错了文件夹"),
        findings=errors,
    )


def _newest(listing: Listing) -> dt.date | None:
    """The modification date of the newest file read: what the documents print as their date
    (the same inputs give the same date, so a rerun writes the same bytes)."""
    times = []
    for path, _ in listing.tasks:
        try:
            times.append(os.stat(path).st_mtime)
        except OSError:
            continue
    return dt.date.fromtimestamp(max(times)) if times else None


def _templates_rubric(
    listing: Listing, progress: Callable[[int, int], None] | None = None
) -> str | None:
    """The built-in rubric the folder's templates name (None: none names one)."""
    found = template_schemes(listing, progress=progress)
    if len(found) > 1:
        listing_text = "；".join(
            f"{sid}：{'、'.join(files[:3])}{'等' if len(files) > 3 else ''}"
            for sid, files in sorted(found.items())
        )
        raise FlowscoreError(
            f"文件夹中混有不同评分细则生成的评分表（{listing_text}）",
            hint="把不同细则的评分表分开放，或用 --rubric 指定本次使用的细则",
        )
    if not found:
        return None
    sid = next(iter(found))
    if sid not in builtin_rubrics():
        raise FlowscoreError(
            f"评分表由评分细则“{sid}”生成，它不是内置细则",
            hint="用 --rubric 给出该细则的 .toml 文件路径",
        )
    return sid
