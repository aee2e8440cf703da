"""The installed entry point (``flowscore``): stopping signals are handled from the first line,
before the command line's libraries are imported, so a Ctrl-C in the first moments of a run ends
in the same one Chinese line as a later one, never in a Python traceback."""

from __future__ import annotations

import sys

STOPPED = "已停止：本次运行被中断，原有的结果没有改动。"
STOPPED_AFTER_WRITING = "已停止：本次运行被中断；结果已完整写入 {out}。"


def main() -> None:
    early_stop()  # until ``interrupt.install`` takes over: its imports take a moment
    from flowscore import interrupt

    interrupt.install()
    try:
        from flowscore.cli import run

        run()
    except interrupt.Interrupted as stop:
        _say_stopped()
        sys.exit(stop.exit_code)


def early_stop() -> None:
    """Ctrl-C ends in the one line from here on. ``_signal`` is the interpreter's own module,
    already loaded (``signal`` would import enum first, itself a window on a loaded machine)."""
    import _signal  # type: ignore[import-not-found]  # CPython's C module, no stub

    _signal.signal(_signal.SIGINT, _stopped_early)


def _stopped_early(signum: int, frame: object) -> None:
    import os

    sys.stderr.write(STOPPED + "\n")
    sys.stderr.flush()
    os._exit(130)  # nothing has been written yet: there is nothing to clean up


def _say_stopped() -> None:
    from flowscore import atomic

    line = STOPPED
    if atomic.replaced:
        from flowscore.display import printable

        line = STOPPED_AFTER_WRITING.format(out=printable(atomic.replaced[-1]))
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # the terminal is gone (SIGHUP): nothing to tell
        pass
