"""Stopping a run on a signal (Ctrl-C, SIGTERM, SIGHUP; Ctrl-Break on Windows) cleanly.

``install`` turns each signal into an ``Interrupted`` exception raised in the main thread, so
the normal unwinding runs: worker processes are stopped (``workers.Pool.close``), the temporary
output folder is removed (``atomic``), and the command line prints one Chinese line. The first
signal starts that unwinding; later ones are recorded but raise nothing, so the clean-up is not
itself interrupted. ``Interrupted`` is a BaseException (not a KeyboardInterrupt, which Typer
would turn into a silent exit 130) so that ``except Exception`` never swallows it.

``critical()`` defers a signal across a few statements that must not be split (moving the old
output aside and the new one in); a signal that arrives there is raised at its end.

A raised ``Interrupted`` can still be lost: a signal that lands while Python runs a finalizer
(``__del__``, a weakref callback, a garbage collection) has its exception printed nowhere and
dropped. ``raise_if_lost()`` raises it again where the normal path passes before anything is
kept (the outputs swapped in, a check's result returned), so such a signal still stops the run.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Interrupted(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_state = {"depth": 0, "pending": 0, "raised": False, "signum": 0, "installed": False}
SIGNALS = tuple(
    s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK")) if s
)


def _handler(signum: int, frame: object) -> None:
    if _state["raised"]:
        return  # already stopping: let the clean-up finish
    if _state["depth"]:
        _state["pending"] = _state["pending"] or signum
        return
    _state["raised"], _state["signum"] = True, signum
    raise Interrupted(signum)


def install() -> None:
    """Handle the stopping signals in this (main) process from now on."""
    if threading.current_thread() is not threading.main_thread():
        return
    _state["installed"] = True
    for sig in SIGNALS:
        try:
            signal.signal(sig, _handler)
        except (OSError, ValueError):  # pragma: no cover - not allowed for this signal here
            pass


def stopping() -> bool:
    """Whether a stopping signal has been received."""
    return bool(_state["raised"] or _state["pending"])


def raise_if_lost() -> None:
    """On the normal path: a signal whose ``Interrupted`` was raised, yet never reached the
    command line, is raised again (see the module docstring)."""
    if _state["installed"] and _state["raised"]:
        raise Interrupted(int(_state["signum"]))


@contextmanager
def critical() -> Iterator[None]:
    """Defer stopping signals until the block ends (then raise the first one received)."""
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
        if not _state["depth"] and _state["pending"] and not _state["raised"]:
            signum, _state["pending"] = _state["pending"], 0
            _state["raised"], _state["signum"] = True, signum
            raise Interrupted(signum)
