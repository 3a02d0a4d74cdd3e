"""Issue build context: the options, the per-article state and the worker pool shared by the
build stages (``build`` runs ingest and images, ``writers`` the PDFs, EPUBs and checks).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from printedition.errors import PrinteditionError
from printedition.issue.manifest import ArticleEntry, Manifest
from printedition.issue.work import ImageResult, IngestResult
from printedition.model import Article, BuildWarning
from printedition.resources import ResourcePolicy
from printedition.settings import page_format

Progress = Callable[[str, int, int], None]
T = TypeVar("T")
R = TypeVar("R")

EPUB_MAX_EDGE = 1600


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    out_dir: Path
    cache_dir: Path
    jobs: int = 1
    only: frozenset[str] = frozenset({"epub", "pdf"})
    strict: bool = False
    allow_private: bool = False
    use_cache: bool = True
    validate: bool = True
    source_date_epoch: int | None = None


@dataclass(slots=True)
class Loaded:
    entry: ArticleEntry
    section: str
    article: Article  # overrides applied (not the print headline)
    policy: ResourcePolicy
    result: IngestResult
    images: ImageResult | None = None
    warnings: list[BuildWarning] = field(default_factory=list)

    @property
    def print_article(self) -> Article:
        if self.entry.headline:
            return self.article.with_changes(headline=self.entry.headline)
        return self.article


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


class StopBuild(Exception):
    """--strict: the first problem ends the build."""

    def __init__(self, error: PrinteditionError) -> None:
        self.error = error


def no_progress(stage: str, done: int, total: int) -> None:
    pass


def press_options(manifest: Manifest, *, proof: bool, **hooks: Any) -> Any:
    from printedition.press.pdf import PressOptions

    paper = manifest.paper
    info = manifest.issue
    issue_line = f"No. {info.number}" + (f" · Vol. {info.volume}" if info.volume else "")
    return PressOptions(
        page_format=page_format(paper.format),
        bleed_mm=paper.bleed_mm,
        colour=paper.colour,
        icc_profile=paper.icc,
        variant=paper.variant.removeprefix("pdf/"),
        proof=proof,
        paper=paper.paper,
        style=paper.style,
        issue_line=f"{issue_line} · {info.cover_date}",
        month=info.cover_date,
        strict_images=False,
        **hooks,
    )


__all__ = [
    "EPUB_MAX_EDGE",
    "BuildOptions",
    "Loaded",
    "Progress",
    "StopBuild",
    "WorkerPool",
    "no_progress",
    "press_options",
]
