"""Worker processes that read submitted files, each file's reading isolated from the run.

The pre-checks (``inputs.safety``) bound everything known to make the reader allocate on a
file's word; this is the defence against what is not known yet. A worker:

* runs with its **address space capped** (``RLIMIT_AS``, where the system has it): an
  allocation past the cap fails inside the worker, never on the machine;
* has its **stdout and stderr on the null device**: a Rust panic message or an allocation
  failure's backtrace printed by calamine never reaches the clerk's terminal, and a worker left
  behind cannot hold a caller's pipe open;
* **ignores Ctrl-C** (the terminal sends it to the whole process group; the main process stops
  the workers) and dies with the main process (``PR_SET_PDEATHSIG`` on Linux; elsewhere it
  leaves when its pipe closes);
* tells the main process, through a shared slot, which task it is on. When it dies, only that
  task is lost — it becomes ``crashed(task, reason)`` (a ``file-crashed-reader`` finding) — and
  the rest of its batch goes to a fresh worker.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

# The address space a worker may use beyond what it has when it starts: the largest legitimate
# workbook (a 5,000,000-cell sheet: ~160 MB as calamine's grid, ~300 MB as Python rows, the file
# and its inflated parts within --max-size) needs well under 1 GB; 2 GB of room plus four times
# --max-size keeps every such file readable and stops an allocation of tens of GB at once.
BASE_ROOM = 2 * 1024**3


def memory_room(max_size: int) -> int:
    """Bytes of address space a reading worker may add; ``FLOWSCORE_WORKER_MEMORY_MB`` sets it
    (tests use it to make a normal file exceed the cap)."""
    override = os.environ.get("FLOWSCORE_WORKER_MEMORY_MB", "")
    if override.isdigit():
        return int(override) * 1024 * 1024
    return BASE_ROOM + 4 * max_size


_DIED_BEFORE_TASK = -1
_STOP_SIGNALS = {
    s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s is not None
}


class starting:
    """Around starting a child: the stopping signals blocked, so the child (which inherits the
    main process's handlers, and the mask) cannot take one before ``quiet_child`` set its own —
    a SIGTERM from ``terminate()`` in that moment printed a traceback. The main process gets a
    signal that arrived meanwhile as soon as the block ends."""

    def __enter__(self) -> None:
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)

    def __exit__(self, *exc: object) -> None:
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def quiet_child(*, stdio: bool = True) -> None:
    """What every child of flowscore does first: Ctrl-C is the main process's to handle, the
    default for SIGTERM/SIGHUP (a fork inherits the main process's handlers), dying with the
    main process where the system allows it, and — for readers — stdout and stderr on the
    null device."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # blocked by ``starting`` until the above was done
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no libc to ask
            pass
    if stdio:
        devnull = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            try:
                os.dup2(devnull, fd)
            except OSError:  # pragma: no cover - a closed descriptor
                pass
        os.close(devnull)


def _cap_memory(room: int) -> None:
    if room <= 0:
        return
    try:
        import resource
    except ImportError:  # Windows: no RLIMIT_AS (a job object would be needed)
        return
    used = _address_space()
    if used is None:
        return
    limit = used + room
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # pragma: no cover - not permitted here
        pass


def _address_space() -> int | None:
    """This process's mapped address space in bytes (Linux), None elsewhere (macOS does not
    enforce RLIMIT_AS, so no cap is set there)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _worker(conn: Any, slots: Any, index: int, func: Callable[..., Any],
            init: Callable[..., Any], init_arg: Any, room: int) -> None:  # fmt: skip
    quiet_child()
    _cap_memory(room)
    try:
        init(init_arg)
        while True:
            try:
                work = conn.recv()
            except (EOFError, OSError):
                return  # the main process is gone
            if work is None:
                return
            key, items = work
            out = []
            for n, (pos, task) in enumerate(items):
                slots[index] = n
                out.append((pos, func([task])[0]))
            slots[index] = _DIED_BEFORE_TASK
            conn.send((key, out))
    except BaseException:  # a MemoryError under the cap, or anything else: the task is lost
        os._exit(70)


def _reason(exitcode: int | None) -> str:
    if exitcode == 70 or exitcode == -signal.SIGABRT:
        return "超出读取进程的内存上限，或文件内容使读取程序异常终止"
    if exitcode == -getattr(signal, "SIGKILL", 9):
        return "读取进程被系统终止，可能是内存不足"
    if exitcode is not None and exitcode < 0:
        return f"读取进程因信号 {-exitcode} 终止"
    return f"读取进程异常退出（退出码 {exitcode}）"


class Pool:
    """Worker processes running ``func`` over batches, results in batch order (``run``)."""

    def __init__(
        self,
        func: Callable[[list[Any]], list[Any]],
        *,
        workers: int,
        init: Callable[[Any], None],
        init_arg: Any,
        crashed: Callable[[Any, str], Any] | None,
        memory: int,
        role: str = "读取",
    ) -> None:
        import multiprocessing as mp

        from flowscore.parallel import start_method

        self._ctx: Any = mp.get_context(start_method())
        self._func, self._init, self._init_arg = func, init, init_arg
        self._crashed = crashed or _reraise
        self._room = memory
        self._role = role  # what the workers do, as a message names them (读取进程, 计分进程)
        self._size = workers
        self._slots = self._ctx.RawArray("i", workers)
        self._procs: list[Any] = [None] * workers
        self._conns: list[Any] = [None] * workers
        self._busy: list[Any] = [None] * workers  # (key, items) a worker is on
        self._deaths_before_work = 0

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self, i: int) -> None:
        parent, child = self._ctx.Pipe()
        self._slots[i] = _DIED_BEFORE_TASK
        proc = self._ctx.Process(
            target=_worker,
            args=(child, self._slots, i, self._func, self._init, self._init_arg, self._room),
            daemon=True,
        )
        with starting():
            proc.start()
        child.close()
        self._procs[i], self._conns[i], self._busy[i] = proc, parent, None

    def run(self, batches: list[list[Any]]) -> Iterator[list[Any]]:
        from multiprocessing.connection import wait

        queue: deque[tuple[int, list[tuple[int, Any]]]] = deque(
            (k, list(enumerate(b))) for k, b in enumerate(batches)
        )
        results: list[list[Any]] = [[None] * len(b) for b in batches]
        missing = [len(b) for b in batches]
        next_key = 0
        for i in range(min(self._size, len(queue))):
            self._start(i)

        def feed() -> None:
            for i, conn in enumerate(self._conns):
                if conn is not None and self._busy[i] is None and queue:
                    self._busy[i] = queue.popleft()
                    conn.send(self._busy[i])

        while next_key < len(batches):
            feed()
            live = {c: i for i, c in enumerate(self._conns) if c is not None}
            sentinels = {self._procs[i].sentinel: i for i in live.values()}
            for ready in wait([*live, *sentinels]):
                is_conn = ready in live
                i = live[ready] if is_conn else sentinels[ready]
                proc = self._procs[i]
                if (is_conn and ready is not self._conns[i]) or (
                    not is_conn and (proc is None or proc.sentinel != ready)
                ):
                    continue  # a worker already replaced in this round
                got: Any = None
                if is_conn:
                    try:
                        got = ready.recv()  # type: ignore[union-attr, call-arg]  # is_conn: a Connection
                    except (EOFError, OSError):
                        got = None
                if got is not None:
                    key, out = got
                    for pos, value in out:
                        results[key][pos] = value
                    missing[key] -= len(out)
                    self._busy[i] = None
                    feed()  # before the results are yielded: the worker works while they are used
                    continue
                self._died(i, queue, results, missing)
            while next_key < len(batches) and missing[next_key] == 0:
                yield results[next_key]
                results[next_key] = []
                next_key += 1
            if queue and all(c is None for c in self._conns):
                self._start(0)

    def _died(self, i: int, queue: deque[Any], results: list[Any], missing: list[Any]) -> None:
        proc = self._procs[i]
        proc.join(timeout=5)
        work = self._busy[i]
        n = self._slots[i]
        self._conns[i].close()
        self._procs[i] = self._conns[i] = self._busy[i] = None
        if work is not None:
            key, items = work
            if 0 <= n < len(items):
                pos, task = items[n]
                results[key][pos] = self._crashed(task, _reason(proc.exitcode))
                missing[key] -= 1
                rest = items[:n] + items[n + 1 :]
            else:
                rest = items
                self._deaths_before_work += 1
            if rest:
                queue.appendleft((key, rest))
        else:
            self._deaths_before_work += 1
        if self._deaths_before_work > 3:
            from flowscore.errors import FlowscoreError

            raise FlowscoreError(
                f"{self._role}进程无法启动（退出码 {proc.exitcode}）",
                hint="可能是内存不足；关闭其他程序后重新运行，或用 --jobs 1",
            )
        if queue:
            self._start(i)

    def close(self) -> None:
        """Stop every worker (asked first, then terminated), waiting a bounded time."""
        for i, conn in enumerate(self._conns):
            proc = self._procs[i]
            if conn is None or proc is None:
                continue
            if self._busy[i] is None:  # idle: asked to leave
                try:
                    conn.send(None)
                except (OSError, ValueError):
                    pass
            else:  # still reading (the run was interrupted or failed): stopped at once
                proc.terminate()
        for proc in self._procs:
            if proc is None:
                continue
            proc.join(timeout=2)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=2)
            if proc.is_alive():  # pragma: no cover - ignores SIGTERM
                proc.kill()
                proc.join()
        for conn in self._conns:
            if conn is not None:
                conn.close()
        self._procs = [None] * self._size
        self._conns = [None] * self._size


def _reraise(task: Any, reason: str) -> Any:
    from flowscore.errors import FlowscoreError

    raise FlowscoreError(f"读取进程意外终止（{reason}）")
