"""flowscore: 流动人口服务管理目标考核批量评分。

The library never prints or exits: it takes plain data and returns plain data. ``cli/`` is a
thin layer over it.
"""

import sys

STOPPED = "已停止：本次运行被中断，原有的结果没有改动。"


def early_stop() -> None:
    """Ctrl-C ends in the one line ``STOPPED`` from here on, until ``interrupt.install`` takes
    over. It lives here, the first module either entry point runs, and imports nothing new:
    ``_signal`` is the interpreter's own (``signal`` would import enum first, and on a loaded
    machine that alone is a window)."""
    import _signal  # type: ignore[import-not-found]  # CPython's C module, no stub

    _signal.signal(_signal.SIGINT, _stopped_early)


def _stopped_early(signum: int, frame: object) -> None:
    import os

    sys.stderr.write(STOPPED + "\n")
    sys.stderr.flush()
    os._exit(130)  # nothing has been written yet: there is nothing to clean up


if sys.argv[:1] == ["-m"]:  # ``python -m flowscore``, still being located
    early_stop()

from flowscore.contract import TEMPLATE_VERSION  # noqa: E402  # after the line above, on purpose

__version__ = "0.1.0"
__all__ = ["TEMPLATE_VERSION", "__version__"]
