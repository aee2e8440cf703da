"""The installed entry point (``flowscore``): stopping signals are handled from the first line,
before the command line's libraries are imported, so a Ctrl-C in the first moments of a run ends
in the same one Chinese line as a later one, never in a Python traceback."""

from __future__ import annotations

import sys

from flowscore import STOPPED, early_stop

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
