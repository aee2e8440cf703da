"""The command line: ``app`` holds the commands (``cli.app``, ``cli.rubric``), ``console`` all
rendering, ``typer_zh`` the one adaptation of Typer. The installed entry point is
``flowscore.entry:main``, which handles the stopping signals before this package (Typer, rich,
the commands) is imported; ``main`` here is the same."""

from __future__ import annotations

import sys

from flowscore.cli.app import app
from flowscore.cli.common import state


def main() -> None:
    from flowscore.entry import main as entry

    entry()


def run() -> None:
    """Run the command line. Commands handle their own FlowscoreErrors (see
    ``common.guarded``); what reaches here is a bug: say so in Chinese, and show the traceback
    only with --debug."""
    import gc

    from flowscore.cli import console as ui

    # A province run allocates millions of small records that all live to the end: collecting
    # the youngest generation every 10,000 allocations instead of 700 saves ~10% of its CPU
    # time (10,000 sheets: 14.6 → 12.8 s) at no measurable memory cost.
    gc.set_threshold(10_000, 50, 100)
    try:
        app()
    except SystemExit:
        raise
    except Exception as exc:
        if state["debug"]:
            raise
        ui.fail(
            f"flowscore 内部错误：{type(exc).__name__}: {exc}",
            "这是程序缺陷，请加 --debug 重新运行并把输出交给维护者",
        )
        sys.exit(3)


__all__ = ["app", "main", "run"]
