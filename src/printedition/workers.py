"""Workers: a process pool made only when there is work to share, and timed workers.

Goes in: how many worker processes a build may use (``--jobs``). Comes out: ``WorkerPool``, used
by the issue build's ingest and image stages, and its ``timed`` workers, which run the press
layouts each under a time budget: a call past it is stopped by ending its process (a thread
cannot be stopped), reported as ``Failed``, and the process is replaced for the next call.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import math
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class WorkerPool:
    """A process pool made only when there is work to share (a cached rebuild starts none)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._executor: cf.ProcessPoolExecutor | None = None
        self._timed: TimedWorkers | None = None

    def executor(self) -> cf.ProcessPoolExecutor:
        if self._executor is None:
            # spawn: never fork a process that may hold threads (HTTP servers in tests, pools).
            self._executor = cf.ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn")
            )
        return self._executor

    def map(
        self, fn: Callable[[T], R], items: Sequence[T], on_done: Callable[[R], None]
    ) -> list[R]:
        if self.jobs <= 1 or len(items) <= 1:
            out = []
            for item in items:
                r = fn(item)
                on_done(r)
                out.append(r)
            return out
        futures = [self.executor().submit(fn, item) for item in items]
        results: list[R] = []
        try:
            for fut in cf.as_completed(futures):
                r = fut.result()
                on_done(r)
                results.append(r)
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        return results

    def timed(self) -> TimedWorkers:
        """Workers for calls under a time budget (as many as ``jobs``), made on first use."""
        if self._timed is None:
            self._timed = TimedWorkers(self.jobs)
        return self._timed

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        if self._timed is not None:
            self._timed.close()


@dataclass(frozen=True, slots=True, kw_only=True)
class Failed:
    """A timed call that did not finish: past its budget, or its process died."""

    reason: str  # "took longer than 60 s", "its process ended (signal 9)"
    timed_out: bool = False


class _WarmUp:
    """Sent to a new worker with the function it will run: unpickling it imports its module
    (WeasyPrint, a second or more) before any call's budget starts."""


START_SECONDS = 300.0  # the longest a new worker's start (its imports) is waited for


def _serve(conn: Connection) -> None:
    """Worker side: run each ``(fn, arg)`` received and send back its result or exception."""
    # Ctrl-C reaches the whole process group: the caller handles it and ends this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        fn, arg = task
        if isinstance(arg, _WarmUp):  # fn's module is imported now: reply, call nothing
            conn.send(("ok", None))
            continue
        try:
            reply: tuple[str, Any] = ("ok", fn(arg))
        except BaseException as exc:  # handed to the caller, which raises it
            reply = ("raised", exc)
        try:
            conn.send(reply)
        except Exception as exc:  # an exception or result that cannot be pickled
            conn.send(("raised", RuntimeError(f"{type(exc).__name__}: {exc}")))


@contextlib.contextmanager
def _safe_path() -> Iterator[None]:
    """A spawned interpreter puts its working folder first on sys.path and lists it: a folder
    the user never handed over. Start it as ``python -P`` would (the parent's path is set in
    the child anyway)."""
    before = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PYTHONSAFEPATH", None)
        else:
            os.environ["PYTHONSAFEPATH"] = before


class _Worker:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process: BaseProcess = ctx.Process(
            target=_serve, args=(child,), name="printedition-timed", daemon=True
        )
        with _safe_path():
            self.process.start()
        child.close()

    def stop(self) -> None:
        """End the process now (it may be deep in a C call: only a kill stops it)."""
        self.process.kill()
        self.process.join()
        self.conn.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.stop()
        else:
            self.conn.close()


def _starting(fn: Callable[[Any], Any]) -> _Worker:
    """A new worker, told to import ``fn``'s module (its reply waited for by ``_ready``)."""
    worker = _Worker()
    with contextlib.suppress(OSError):
        worker.conn.send((fn, _WarmUp()))
    return worker


def _ready(worker: _Worker) -> _Worker:
    """``worker`` once it has imported its function (a failure to start shows at its first
    call)."""
    with contextlib.suppress(OSError, EOFError):
        if worker.conn.poll(START_SECONDS):
            worker.conn.recv()
    return worker


def _started(fn: Callable[[Any], Any]) -> _Worker:
    """A new worker, ready to run ``fn``."""
    return _ready(_starting(fn))


def _ended(worker: _Worker) -> str:
    worker.stop()
    code = worker.process.exitcode
    why = f"signal {-code}" if code is not None and code < 0 else f"exit {code}"
    return f"its process ended ({why})"


class TimedWorkers:
    """Long-lived worker processes (spawned on first use, one per job) that each run one call
    at a time. A call past its budget has its process killed and replaced; the caller gets
    ``Failed`` for it and the other calls' results. The same call gives the same result in
    any worker, so a build stays deterministic."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._idle: list[_Worker] = []
        self._starting: list[_Worker] = []  # started early, their imports not yet waited for

    def prestart(self, fn: Callable[[Any], Any]) -> None:
        """Start the workers now, all at once, to run ``fn`` later: their imports (WeasyPrint,
        a second or more each) overlap the caller's work instead of delaying the first calls
        one worker after the other. Their start is not part of any call's budget."""
        while len(self._idle) + len(self._starting) < self.jobs:
            self._starting.append(_starting(fn))

    def _next(self, fn: Callable[[Any], Any]) -> _Worker:
        if self._idle:
            return self._idle.pop()
        if self._starting:
            return _ready(self._starting.pop(0))
        return _started(fn)

    def run(self, fn: Callable[[T], R], items: Iterable[T], seconds: float) -> list[R | Failed]:
        """``fn`` on each item, at most ``jobs`` at once, each within ``seconds`` (0: no
        limit); results in the items' order. An exception raised by ``fn`` is raised here.
        The next item is taken from ``items`` only when a worker is free for it: items made
        as they are asked for are made while the workers lay out the ones before."""
        results: dict[int, R | Failed] = {}
        source = enumerate(items)
        count = 0
        exhausted = False
        busy: dict[Connection, tuple[_Worker, int, float]] = {}
        try:
            while not exhausted or busy:
                while not exhausted and len(busy) < self.jobs:
                    step = next(source, None)
                    if step is None:
                        exhausted = True
                        break
                    n, item = step
                    count = n + 1
                    worker = self._next(fn)
                    try:
                        worker.conn.send((fn, item))
                    except OSError:  # it died before its first call (it could not start)
                        results[n] = Failed(reason=_ended(worker))
                        continue
                    deadline = time.monotonic() + seconds if seconds > 0 else math.inf
                    busy[worker.conn] = (worker, n, deadline)
                if not busy:
                    continue
                soonest = min(d for _, _, d in busy.values())
                left = None if soonest == math.inf else max(0.0, soonest - time.monotonic())
                for conn in wait(list(busy), timeout=left):
                    assert isinstance(conn, Connection)
                    worker, n, _ = busy.pop(conn)
                    try:
                        status, value = conn.recv()
                    except (EOFError, OSError):
                        results[n] = Failed(reason=_ended(worker))
                        continue
                    self._idle.append(worker)
                    if status == "raised":
                        raise value
                    results[n] = value
                now = time.monotonic()
                for conn, (worker, n, deadline) in list(busy.items()):
                    if now >= deadline:
                        del busy[conn]
                        worker.stop()
                        results[n] = Failed(
                            reason=f"took longer than {seconds:g} s", timed_out=True
                        )
        finally:
            for worker, _, _ in busy.values():
                worker.stop()
        return [results[n] for n in range(count)]

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()
        while self._starting:
            self._starting.pop().stop()  # (never used: nothing of its to wait for)


__all__ = ["Failed", "TimedWorkers", "WorkerPool"]
