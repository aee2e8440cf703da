"""The one module that owns the terminal: consoles and every rich rendering.

The library returns plain data; this module turns it into tables and lines."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape as _markup_escape

from flowscore.catalog import name_of
from flowscore.display import printable
from flowscore.findings import Finding, Level

# soft_wrap: plain lines are not broken at the terminal width (paths and messages stay whole
# when piped or captured); tables still fit the width.
if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from flowscore.rerun import Summary
    from flowscore.todo import NextSteps
    from flowscore.writers import Written

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

_STYLE = {Level.ERROR: "bold red", Level.WARNING: "yellow", Level.INFO: "cyan"}


def escape(text: str) -> str:
    """Text for a rich line: made printable first (a file named ``\x1b[2J.xlsx``, a cell holding
    an escape sequence, a name that is not UTF-8 — ``display.printable``), then its markup
    escaped. Every piece of text this module prints that is not its own passes here."""
    return _markup_escape(printable(text))


def paragraph(markup: str, *, indent: int = 0, first: str = "", out: Console | None = None) -> None:
    """A paragraph under an indent, after an optional ``first`` (a label such as ``警告``) that
    the following lines hang under. On a terminal it wraps at the width the way Chinese wraps
    (``wrap.break_offsets``), every line under the indent; piped or captured it stays one whole
    line, for a file or grep."""
    out = out or console
    if not out.is_terminal:
        out.print(" " * indent + (f"{first} " if first else "") + markup)
        return
    from rich.text import Text

    from flowscore.cli.wrap import break_offsets

    head = Text.from_markup(f"{first} ") if first else Text()
    hang = " " * (indent + head.cell_len)
    body = Text.from_markup(markup)
    lines = body.divide(break_offsets(body.plain, out.width - len(hang)))
    for n, line in enumerate(lines):
        line.rstrip()
        out.print(
            Text(" " * indent) + head + line if n == 0 else Text(hang) + line,
            soft_wrap=True,
        )


def fail(message: str, hint: str = "") -> None:
    """A refusal: one Chinese line (and a hint) on stderr."""
    err_console.print(f"[bold red]错误：[/]{escape(message)}")
    if hint:
        err_console.print(f"[dim]提示：{escape(hint)}[/]")


def ok(message: str) -> None:
    console.print(f"[green]✓[/] {escape(message)}")


def print_findings(
    findings: Iterable[Finding], *, group_by_file: bool = True, to_stderr: bool = False
) -> None:
    """Findings grouped by file: each its level, the Chinese name of its kind, where it is and
    what it says, then its hint. On a terminal a long line wraps under its own text (a hanging
    indent); piped or captured, every finding stays one whole line (the code never shows: it
    is for results.json and ``--json``)."""
    out = err_console if to_stderr else console
    lines: list[str] = []  # piped or captured: printed in one call (a province has thousands)

    def put(markup: str, *, indent: int, first: str = "", whole: bool = False) -> None:
        if out.is_terminal and whole:
            out.print(markup)
        elif out.is_terminal:
            paragraph(markup, indent=indent, first=first, out=out)
        else:
            lines.append(" " * indent + (f"{first} " if first else "") + markup)

    current = None
    for f in findings:
        if group_by_file and f.file != current:
            current = f.file
            put(f"[bold]{escape(f.file or '（整体）')}[/]", indent=0, whole=True)
        where = " › ".join(p for p in (f.sheet, f.cell, f.key, f.unit) if p)
        where = f"[dim]{escape(where)}[/] " if where else ""
        style = _STYLE[f.level]
        body = f"[{style}]{escape(name_of(f.code))}[/]：{where}{escape(f.message)}"
        put(body, indent=2, first=f"[{style}]{f.level.label}[/]")
        if f.hint:
            put(f"[dim]提示：{escape(f.hint)}[/]", indent=7)
    if lines:
        out.print("\n".join(lines))


def print_compute_summary(
    summary: Summary,
    *,
    out_dir: str | None,
    show_info: bool = False,
    list_findings: bool = True,
    written: Written | None = None,
    unchanged: bool = False,
) -> None:
    """What a compute run did: files and units read, findings by level, where outputs went
    (``unchanged``: a rerun that left them as they were, ``rerun.py``)."""
    counts = summary.counts
    st = summary.statuses
    if list_findings:
        findings = [f for f in summary.findings if show_info or f.level is not Level.INFO]
        if findings:
            print_findings(findings)
            console.print()
    console.print(
        f"读取文件 {summary.files} 个；单位 {summary.units} 个：已定 {st['final']}、"
        f"暂定 {st['provisional']}、未报送 {st['missing']}"
        + (f"、文件无法读取 {st['rejected']}" if st["rejected"] else "")
    )
    console.print(
        f"问题：[bold red]错误 {counts['error']}[/]、"
        f"[yellow]警告 {counts['warning']}[/]、[cyan]提示 {counts['info']}[/]"
    )
    if out_dir and unchanged:
        console.print(
            f"材料没有变化，结果与上次相同：{escape(out_dir)} 中的文件保持原样，没有重新计算"
            "（要重新读取和计算，加 --no-cache）"
        )
    if out_dir and written is not None:
        console.print(f"结果已写入 {escape(out_dir)}（{escape(_written_names(written))}）")
        for note in written.notes:
            console.print(f"[yellow]注意：[/]{escape(note)}")


_LISTED = 10  # pending items named one by one; the rest are counted (all are in 问题清单)


def print_next_steps(steps: NextSteps, *, strict: bool = False) -> None:
    """“下一步”: what to fill, whom to chase, what to fix, each with where."""
    console.print()
    console.print("[bold]下一步[/]")
    if steps.done:
        paragraph("结果已完整：没有待核定的项目，名单中的单位都已报送，没有错误。", indent=2)
        return
    if steps.pending:
        paragraph(
            f"填写待核定的 {len(steps.pending)} 项核定分，再重新计算"
            + ("（--strict：有待核定项目，本次运行视为失败）" if strict else "")
            + "：",
            indent=2,
            first="·",
        )
        for p in steps.pending[:_LISTED]:
            where = " ".join(x for x in (p.file, p.cell) if x)
            paragraph(
                f"{escape(where)}：{escape(p.unit)} 序号{escape(p.no)}（{escape(p.short)}）",
                indent=6,
            )
        if len(steps.pending) > _LISTED:
            paragraph(
                f"……等共 {len(steps.pending)} 项，全部列在考核汇总.xlsx 的“问题清单”中", indent=6
            )
    if steps.chase:
        paragraph(
            f"催报 {len(steps.chase)} 个单位（未报送评分表）：" + escape("、".join(steps.chase)),
            indent=2,
            first="·",
        )
    if steps.resend:
        paragraph(
            f"请 {len(steps.resend)} 个单位重新报送（评分表无法读取）："
            + escape("、".join(f"{unit}（{file}）" for unit, file in steps.resend)),
            indent=2,
            first="·",
        )
    if steps.errors:
        total = sum(n for _, n in steps.errors)
        paragraph(
            f"改正 {total} 处错误（见上面标“错误”的行），在 {len(steps.errors)} 个文件中：",
            indent=2,
            first="·",
        )
        for name, n in steps.errors[:_LISTED]:
            paragraph(f"{escape(name)}：{n} 处", indent=6)
        if len(steps.errors) > _LISTED:
            paragraph(f"……等共 {len(steps.errors)} 个文件", indent=6)


def _written_names(written: Written) -> str:
    """The outputs in the order of the registry: files by name, folders as 反馈单/."""
    from flowscore.writers.registry import OUTPUTS, pdf_name

    tops = {p.parent.name if p.parent.name in _folders() else p.name for p in written.paths}
    names = []
    for o in OUTPUTS:
        if o.name in tops:
            names.append(f"{o.name}/" if o.write_units is not None else o.name)
        if o.write is not None and pdf_name(o.name) in tops:
            names.append(pdf_name(o.name))
    return "、".join(names)


def _folders() -> set[str]:
    from flowscore.writers.registry import OUTPUTS

    return {o.name for o in OUTPUTS if o.write_units is not None}


class ReadingProgress:
    """A progress bar for reading files that appears only when a run takes more than a moment,
    and never when stderr is not a terminal (or with --quiet). Once every file is read it says
    that scoring is under way; ``writing()`` then shows one line while the outputs are written."""

    DELAY = 0.5  # seconds before the bar shows

    def __init__(self, *, enabled: bool) -> None:
        import time

        self.enabled = enabled and err_console.is_terminal
        self._start = time.monotonic()
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self.shown = False  # the bar appeared: the run is long enough to say what happens next
        self._label = ""

    def __call__(self, done: int, total: int) -> None:
        """Files read so far."""
        self._update(done, total, "计分、排名" if done >= total else "读取文件")

    def scanning(self, done: int, total: int) -> None:
        """Files looked at for the rubric their templates name, before reading."""
        self._update(done, total, "查看评分表由哪份细则生成")

    def _update(self, done: int, total: int, label: str) -> None:
        if not self.enabled:
            return
        import time

        if self._bar is None:
            if time.monotonic() - self._start < self.DELAY or done >= total:
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(label, total=total)
            self.shown = True
        assert self._task is not None  # added with the bar
        if label != self._label:  # a new stage starts the count again
            self._bar.reset(self._task, total=total, description=label)
            self._label = label
        self._bar.update(self._task, completed=done, description=label)

    def close(self) -> None:
        if self._bar is not None:
            # rich stops its refresh thread without waiting for it; wait, so that no thread is
            # left when the writer forks (see ``writing``).
            thread = getattr(self._bar.live, "_refresh_thread", None)
            self._bar.stop()
            if thread is not None:
                thread.join(timeout=2)
            self._bar = None

    def writing(self, units: int) -> AbstractContextManager[object]:
        """While the outputs are written: one transient line, drawn once. No refresh thread,
        since the summary workbook is written by a forked child (a fork must not copy a
        thread holding the terminal's lock)."""
        if not self.shown:
            return nullcontext()
        from rich.live import Live
        from rich.text import Text

        line = Text(f"写出考核汇总.xlsx、results.json 和报告（{units:,} 个单位）…")
        return Live(
            line,
            console=err_console,
            auto_refresh=False,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
