"""Workers: a process pool made only when there is work to share.

Goes in: how many worker processes a build may use (``--jobs``). Comes out: ``WorkerPool``, used
by the issue build's ingest and image stages and by the press pipeline's parts.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class WorkerPool:
    """A process pool made only when there is work to share (a cached rebuild starts none)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._executor: cf.ProcessPoolExecutor | None = None

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

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)


__all__ = ["WorkerPool"]
