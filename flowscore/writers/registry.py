"""Every output a run writes, by the name it has in the output folder: what writes it and when.

``write_outputs`` (``writers/__init__.py``) fills a temporary folder from this list and swaps it
in whole; ``check_out_dir`` admits a folder to be replaced only when everything in it is one of
these. A new output is one writer module plus one line in ``OUTPUTS``.

A large batch is written by three processes when ``fork`` is there (two cores keep all three
busy: the notice and the summary workbook each cost about what results.json and the reports
cost together): the per-unit outputs (a folder of one file per unit) are split between this
process and the first child, and each whole-batch output names its process (``share``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flowscore.contract import (
    FEEDBACK_DIR,
    NOTICE_NAME,
    OVERALL_NAME,
    REPORTS_DIR,
    RESULTS_NAME,
    SUMMARY_NAME,
)
from flowscore.results import BatchResult


@dataclass(frozen=True, kw_only=True)
class Choices:
    """What the user asked to be written."""

    unit_feedback: bool = True  # each unit's feedback (反馈单/, and reports/ with ``text``)
    text: bool = False  # the Markdown report and the plain-text feedback (--text)
    pdf: bool = False  # PDFs of the Word documents (--pdf, needs LibreOffice)


WholeWriter = Callable[[BatchResult, Path], None]
UnitWriter = Callable[[BatchResult, Path, Sequence[str]], list[Path]]


@dataclass(frozen=True, kw_only=True)
class Output:
    name: str  # file or folder name inside the output folder
    wanted: Callable[[Choices], bool]
    write: WholeWriter | None = None  # a whole-batch file: (result, its path)
    # a folder of one file per unit: (result, the folder, the units) → files written
    write_units: UnitWriter | None = None
    suffixes: tuple[str, ...] = ()  # what a per-unit folder may hold (".docx", ".pdf")
    share: int = 0  # which process writes it when a large batch is split (0: this one)
    pdf: bool = False  # a Word document: a PDF of it goes beside it with --pdf


def _summary(result: BatchResult, path: Path) -> None:
    from flowscore.writers import summary_xlsx

    summary_xlsx.write_summary(result, path, date=result.as_of)


def _results(result: BatchResult, path: Path) -> None:
    from flowscore.writers import results_json

    results_json.write_results(result, path)


def _notice(result: BatchResult, path: Path) -> None:
    from flowscore.writers import notice_docx

    notice_docx.write_notice(
        result, path, style=result.document, date=result.as_of, year=result.scheme_year
    )


def _overall(result: BatchResult, path: Path) -> None:
    from flowscore.writers.reports import render_overall

    path.write_text(render_overall(result), encoding="utf-8", newline="\n")


def _feedback(result: BatchResult, folder: Path, units: Sequence[str]) -> list[Path]:
    from flowscore.writers import feedback_docx

    return feedback_docx.write_units(result, folder, units)


def _text_feedback(result: BatchResult, folder: Path, units: Sequence[str]) -> list[Path]:
    from flowscore.writers.reports import write_unit_reports

    return write_unit_reports(result, folder, units)


OUTPUTS: tuple[Output, ...] = (
    Output(name=SUMMARY_NAME, wanted=lambda c: True, write=_summary, share=1),
    Output(name=RESULTS_NAME, wanted=lambda c: True, write=_results),
    Output(name=NOTICE_NAME, wanted=lambda c: True, write=_notice, pdf=True, share=2),
    Output(
        name=FEEDBACK_DIR,
        wanted=lambda c: c.unit_feedback,
        write_units=_feedback,
        suffixes=(".docx", ".pdf"),
        pdf=True,
    ),
    Output(name=OVERALL_NAME, wanted=lambda c: c.text, write=_overall),
    Output(
        name=REPORTS_DIR,
        wanted=lambda c: c.text and c.unit_feedback,
        write_units=_text_feedback,
        suffixes=(".txt",),
    ),
)


def pdf_name(name: str) -> str:
    return str(Path(name).with_suffix(".pdf"))


def known_names() -> frozenset[str]:
    """Every name an output folder may hold at its top."""
    names = {o.name for o in OUTPUTS}
    names |= {pdf_name(o.name) for o in OUTPUTS if o.pdf and o.write is not None}
    return frozenset(names)
