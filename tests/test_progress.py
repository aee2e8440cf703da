"""The progress display of long runs: a bar while reading, then what happens next; nothing
when stderr is not a terminal; no thread left running when the writer forks."""

from __future__ import annotations

import io
import threading

import pytest
from rich.console import Console

from flowscore.cli import console as ui


@pytest.fixture
def terminal(monkeypatch) -> io.StringIO:
    out = io.StringIO()
    fake = Console(file=out, force_terminal=True, width=100, color_system=None)
    monkeypatch.setattr(ui, "err_console", fake)
    monkeypatch.setattr(ui.ReadingProgress, "DELAY", 0.0)
    return out


def test_bar_reads_then_says_scoring_then_writing(terminal):
    progress = ui.ReadingProgress(enabled=True)
    progress(10, 100)
    progress(100, 100)
    assert progress.shown
    progress.close()
    assert threading.active_count() == 1, threading.enumerate()  # no refresh thread at a fork
    with progress.writing(10_000):
        assert threading.active_count() == 1  # drawn once, no refresh thread
    text = terminal.getvalue()
    assert "读取文件" in text
    assert "计分、排名" in text
    assert "写出考核汇总.xlsx、results.json 和报告（10,000 个单位）…" in text


def test_short_runs_show_nothing(terminal, monkeypatch):
    monkeypatch.setattr(ui.ReadingProgress, "DELAY", 60.0)
    progress = ui.ReadingProgress(enabled=True)
    progress(50, 100)
    progress(100, 100)
    progress.close()
    with progress.writing(26):
        pass
    assert not progress.shown
    assert terminal.getvalue() == ""


def test_quiet_or_not_a_terminal_shows_nothing(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(ui, "err_console", Console(file=out, force_terminal=False))
    monkeypatch.setattr(ui.ReadingProgress, "DELAY", 0.0)
    for enabled in (True, False):
        progress = ui.ReadingProgress(enabled=enabled)
        progress(10, 100)
        progress.close()
        with progress.writing(10):
            pass
        assert not progress.shown
    assert out.getvalue() == ""
