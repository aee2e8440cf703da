"""The one module that owns the terminal: consoles and every rich rendering.

The library returns plain data; this module turns it into tables and lines."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape

from flowscore.findings import Finding, Level

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

_STYLE = {Level.ERROR: "bold red", Level.WARNING: "yellow", Level.INFO: "cyan"}


def fail(message: str, hint: str = "") -> None:
    """A refusal: one Chinese line (and a hint) on stderr."""
    err_console.print(f"[bold red]错误：[/]{escape(message)}")
    if hint:
        err_console.print(f"[dim]提示：{escape(hint)}[/]")


def ok(message: str) -> None:
    console.print(f"[green]✓[/] {escape(message)}")


def print_findings(findings: Iterable[Finding], *, group_by_file: bool = True,
                   to_stderr: bool = False) -> None:
    out = err_console if to_stderr else console
    current = None
    for f in findings:
        if group_by_file and f.file != current:
            current = f.file
            out.print(f"[bold]{escape(f.file or '（整体）')}[/]")
        where = " › ".join(p for p in (f.sheet, f.cell, f.key, f.unit) if p)
        where = f"[dim]{escape(where)}[/] " if where else ""
        out.print(f"  [{_STYLE[f.level]}]{f.level.label}[/] [dim]{f.code}[/] {where}"
                  f"{escape(f.message)}")
        if f.hint:
            out.print(f"      [dim]提示：{escape(f.hint)}[/]")
