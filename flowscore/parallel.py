"""Parallel map over worker processes in batches, results in input order.

One file per task costs more in inter-process traffic than reading it (~0.5 ms), so files go
in batches; small runs stay in this process, where start-up would cost more than it saves.

Tuned with ``scripts/bench.py`` on 2 cores (docs/benchmark.md): a forked pool costs ~25 ms to
start, reading a file ~0.7 ms, so the pool pays from ~40 files on (60 files: 58 ms pooled vs
76 ms serial; 100 files: 104 vs 142 ms). Batches stay small (at most ``MAX_BATCH`` files) so the
workers finish together: with 500-file batches one worker could idle for a whole batch
(~0.35 s) at the end of a 10,000-file run."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

SERIAL_BELOW = 40  # files; below this a process pool costs more than it saves
MIN_BATCH = 8
MAX_BATCH = 128  # files per batch; ~8 batches per worker below 2,048 files


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def pooled(jobs: int, tasks: int) -> bool:
    """Whether ``map_batches`` reads in worker processes (else in this one)."""
    return jobs > 1 and tasks >= SERIAL_BELOW


def start_method() -> str:
    """How worker processes start: ``FLOWSCORE_START_METHOD`` (``fork``, ``spawn`` or
    ``forkserver``) when set and available, else ``fork`` where it exists (Linux) and ``spawn``
    elsewhere (Windows, where it is the only way)."""
    import multiprocessing as mp

    available = mp.get_all_start_methods()
    wanted = os.environ.get("FLOWSCORE_START_METHOD", "").strip().lower()
    if wanted in available:
        return wanted
    return "fork" if "fork" in available else "spawn"


def map_batches(
    func: Callable[[list[T]], list[R]],
    tasks: list[T],
    *,
    jobs: int,
    init: Callable[[Any], None],
    init_arg: Any,
    progress: Callable[[int, int], None] | None = None,
    isolate: bool = False,
    crashed: Callable[[T, str], R] | None = None,
    memory: int = 0,
    role: str = "读取",
) -> Iterator[R]:
    """Yield ``func``'s results for every task, in order. ``func`` takes a batch (a list) and
    returns one result per task; ``init(init_arg)`` prepares each worker (and this process when
    running serially).

    With ``isolate`` (or a batch large enough to pool) the work runs in worker processes
    (``workers.Pool``): one that dies — a native library aborting, the memory cap reached, a
    kill — takes only the task it was on, which becomes ``crashed(task, reason)``; the rest of
    its batch is done again by a fresh worker. ``memory``: bytes of address space a worker may
    add to what it starts with (0: no cap). ``role``: what the workers do, as a message that
    they could not start names them (``读取``, ``计分``)."""
    total = len(tasks)
    if not isolate and not pooled(jobs, total):
        init(init_arg)
        step = max(1, total // 100)
        done = 0
        for i in range(0, total, step):
            yield from func(tasks[i : i + step])
            done = min(total, i + step)
            if progress:
                progress(done, total)
        return
    from flowscore.workers import Pool

    size = max(MIN_BATCH, min(MAX_BATCH, -(-total // (max(1, jobs) * 8))))
    batches = [tasks[i : i + size] for i in range(0, total, size)]
    with Pool(
        func,
        workers=max(1, min(jobs, len(batches))),
        init=init,
        init_arg=init_arg,
        crashed=crashed,
        memory=memory,
        role=role,
    ) as pool:
        done = 0
        for batch, results in zip(batches, pool.run(batches), strict=True):
            yield from results
            done += len(batch)
            if progress:
                progress(done, total)


class Forked:
    """``func(*args, **kwargs)`` running in a forked child process, for work that needs this process's
    data as it is (a scored batch of 10,000 units) without pickling it across. ``result()``
    waits and returns the value or re-raises the child's exception (with the child's
    traceback as a note). Only where ``fork`` exists: ``can_fork()``."""

    def __init__(self, func: Callable[..., R], *args: Any, **kwargs: Any) -> None:
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_run_child, args=(send, func, args, kwargs), daemon=True)
        from flowscore.workers import starting

        with starting():
            self._proc.start()
        send.close()

    def result(self) -> Any:
        try:
            ok, value = self._recv.recv()
        except EOFError:  # the child died without a word (killed, out of memory)
            ok, value = False, None
        finally:
            self._recv.close()
            self._proc.join()
        if ok:
            return value
        if value is None:
            from flowscore.errors import FlowscoreError

            raise FlowscoreError(
                f"后台写出进程意外退出（退出码 {self._proc.exitcode}），输出未写出",
                hint="可能是内存不足或进程被终止；关闭其他程序后重新运行",
            )
        raise value

    def cancel(self) -> None:
        """Stop the child (the parent failed or was interrupted; its work is no longer wanted)
        and wait for it, so nothing writes into the temporary folder once it is removed."""
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join(timeout=5)
        if self._proc.is_alive():  # pragma: no cover - a child that ignores SIGTERM
            self._proc.kill()
            self._proc.join()
        self._recv.close()


def can_fork() -> bool:
    """Whether the writer may fork (``start_method()`` is ``fork``). Under ``spawn`` (Windows,
    or FLOWSCORE_START_METHOD=spawn) the outputs are written in this process: a spawned child
    would need the whole scored batch pickled across, which costs what it saves."""
    return start_method() == "fork"


def _run_child(
    send: Any, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    from flowscore.workers import quiet_child

    quiet_child(stdio=False)
    try:
        value = func(*args, **kwargs)
    except BaseException as exc:
        import traceback

        exc.add_note("".join(traceback.format_exception(exc)))
        try:
            send.send((False, exc))
        except Exception:  # an exception that cannot be pickled: its text still goes back
            send.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    else:
        send.send((True, value))
    finally:
        send.close()
    # Leave at once: no flushing of stdio or exit handlers, whose locks a thread of the parent
    # (a progress bar's refresh) may have held at the moment of the fork.
    os._exit(0)
