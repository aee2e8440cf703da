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


def map_batches(
    func: Callable[[list[T]], list[R]],
    tasks: list[T],
    *,
    jobs: int,
    init: Callable[[Any], None],
    init_arg: Any,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[R]:
    """Yield ``func``'s results for every task, in order. ``func`` takes a batch (a list) and
    returns one result per task; ``init(init_arg)`` prepares each worker (and this process when
    running serially)."""
    total = len(tasks)
    if not pooled(jobs, total):
        init(init_arg)
        step = max(1, total // 100)
        done = 0
        for i in range(0, total, step):
            yield from func(tasks[i : i + step])
            done = min(total, i + step)
            if progress:
                progress(done, total)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    size = max(MIN_BATCH, min(MAX_BATCH, -(-total // (jobs * 8))))
    batches = [tasks[i : i + size] for i in range(0, total, size)]
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=init, initargs=(init_arg,)
    ) as pool:
        done = 0
        for batch, results in zip(batches, pool.map(func, batches), strict=True):
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
        """Stop the child (the parent failed; its work is no longer wanted)."""
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join()
        self._recv.close()


def can_fork() -> bool:
    import multiprocessing as mp

    return "fork" in mp.get_all_start_methods()


def _run_child(send: Any, func: Callable[..., Any], args: tuple, kwargs: dict) -> None:
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
