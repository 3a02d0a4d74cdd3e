"""Issue build context: the options, the per-article state and the worker pool shared by the
build stages (``build`` runs ingest and images, ``writers`` the PDFs, EPUBs and checks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from printedition.errors import PrinteditionError
from printedition.issue.manifest import ArticleEntry, Manifest
from printedition.issue.work import ImageResult, IngestResult
from printedition.model import Article, BuildWarning
from printedition.press.options import PressOptions
from printedition.resources import ResourcePolicy
from printedition.settings import page_format
from printedition.workers import WorkerPool

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
    cache_max_bytes: int | None = None  # prune the cache to this after the build (None: never)


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


class StopBuild(Exception):
    """--strict: the first problem ends the build."""

    def __init__(self, error: PrinteditionError) -> None:
        self.error = error


def no_progress(stage: str, done: int, total: int) -> None:
    pass


def press_options(manifest: Manifest) -> PressOptions:
    paper = manifest.paper
    info = manifest.issue
    issue_line = f"No. {info.number}" + (f" · Vol. {info.volume}" if info.volume else "")
    return PressOptions(
        page_format=page_format(paper.format),
        bleed_mm=paper.bleed_mm,
        colour=paper.colour,
        icc_profile=paper.icc,
        variant=paper.variant,
        paper=paper.paper,
        style=paper.style,
        issue_line=f"{issue_line} · {info.cover_date}",
        month=info.cover_date,
        strict_images=False,
        layout_timeout=manifest.limits.layout_timeout,
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
