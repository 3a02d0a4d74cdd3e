"""Build: a validated manifest → every output of the issue, through the cache.

The stages, in order (each named in the progress output):

1. ingest: each entry read (file or guarded fetch) and normalised — cached by the page bytes;
2. images: each photo read once, its digest noted, processed for press, proof and EPUB —
   cached by source digest and options (worker processes with ``--jobs``);
3. pages: front page, contents and house panels (issue/pages.py);
4. print: the press PDF and its proof from one layout — cached as a whole, keyed by every
   article, image digest and option; a miss goes through the press pipeline (press/pdf.py):
   laid out in parts (front pages, one per section), each part cached by its own inputs and
   start page, spread over ``--jobs`` processes, joined, finished as press file and proof;
5. epub: one EPUB per article and the issue EPUB (epub/), its cover the front page rendered
   to an image — cached likewise;
6. check: EPUBCheck on every EPUB in one Java run, preflight on the press PDF — results cached
   by the output's digest; the Java run starts (and loads EPUBCheck's schemas) as soon as new
   EPUBs are certain: an article read anew, or the print laid out anew; downloads/: the EPUBs
   under their conventional names, their covers, index.html and opds.xml (issue/shelf.py,
   downloads/), written while EPUBCheck runs;
7. report: report.json, summary.txt; the ledger of the per-article EPUBs written (ledger.py):
   those of articles that left the manifest are removed, as are temporary files a killed
   build left (at the start).

Outputs are written with ``outputs.atomic_path``: an interrupted build leaves the previous
outputs whole. A failing article is reported and the rest still build (``strict`` stops at
the first problem instead).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from printedition.cache import CacheStats, Store, prune
from printedition.errors import InputError, OutputError
from printedition.issue.context import (
    EPUB_MAX_EDGE,
    BuildOptions,
    Loaded,
    Progress,
    StopBuild,
    WorkerPool,
    no_progress,
)
from printedition.issue.ledger import ARTICLES, remove_leftovers, remove_stale
from printedition.issue.manifest import ArticleEntry, Manifest
from printedition.issue.report import ArticleReport, IssueReport
from printedition.issue.shelf import write_issue_downloads
from printedition.issue.work import (
    ImageJob,
    ImageResult,
    IngestJob,
    IngestResult,
    StoreImageCache,
    ingest,
    prepare_images,
)
from printedition.issue.writers import write_outputs
from printedition.model import BuildWarning, figures, word_count
from printedition.outputs import atomic_write_text
from printedition.validate import EpubCheckRun


def build_issue(
    manifest: Manifest, options: BuildOptions, *, progress: Progress | None = None
) -> IssueReport:
    """Build every output of ``manifest`` into ``options.out_dir``; see the module doc."""
    started = time.perf_counter()
    report = progress or no_progress
    out = Path(options.out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        if "epub" in options.only:
            (out / "articles").mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder: {exc.strerror}", where=str(out)
        ) from None
    store = Store(options.cache_dir, enabled=options.use_cache)
    stats = CacheStats()
    notes: list[BuildWarning] = remove_leftovers(out)  # a killed build's temporary files
    pool = WorkerPool(options.jobs)
    # The build's EPUBCheck run, started as soon as new EPUBs are certain (see validate.py).
    # It loads its schemas beside the press; where the press's workers take every core, it
    # gives way to them (the rest of the build waits for the press), else it takes a free one.
    checker = (
        EpubCheckRun(give_way=options.jobs >= (os.cpu_count() or 1), store=store)
        if options.validate and "epub" in options.only
        else None
    )
    stages: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        stages[stage] = round(stages.get(stage, 0.0) + now - mark, 3)
        mark = now

    try:
        loaded, failed = _ingest_all(manifest, options, pool, report, stats, notes)
        if checker is not None and any(not x.result.cached for x in loaded):
            checker.start()  # an article read anew: a new EPUB to check
        lap("ingest")
        if not loaded:
            first = failed[0][2] if failed else None
            why = f" (the first: {first.error_where}: {first.error})" if first else ""
            raise InputError(
                f"no article could be read, nothing to build{why}", where=str(manifest.path)
            )
        _images_all(manifest, options, pool, loaded, report, stats, notes)
        lap("images")
        outputs, epubs = write_outputs(
            manifest, options, pool, store, loaded, report, notes, lap, checker
        )
        # 6b. downloads: the EPUBs under their conventional names, covers, page and feed
        # (they need the EPUBs' bytes, not their verdicts: written while EPUBCheck runs,
        # unless a failed check must stop the build first).
        checked = epubs.join() if options.strict else None
        downloads = write_issue_downloads(
            manifest, out, loaded, outputs + epubs.written, notes, StoreImageCache(store)
        )
        lap("downloads")
        outputs.extend(checked if checked is not None else epubs.join())
        outputs.extend(downloads)
        lap("check (after downloads)")
    except StopBuild as stop:
        raise stop.error from None
    finally:
        pool.close()
        if checker is not None:
            checker.close()
    stats.add(store.stats)
    notes.extend(store.take_problems())
    if "epub" in options.only:
        written = {
            f"{ARTICLES}/{x.article.slug}.epub": x.entry.source for x in loaded if x.entry.in_epub
        }
        notes.extend(remove_stale(out, written, [entry.source for entry, _, _ in failed]))
    articles = _article_reports(manifest, loaded, failed)
    result = IssueReport(
        manifest=str(manifest.path),
        paper=manifest.paper.paper.name,
        issue=manifest.issue.number,
        cover_date=manifest.issue.cover_date,
        articles=articles,
        outputs=tuple(outputs),
        notes=tuple(notes),
        seconds=round(time.perf_counter() - started, 3),
        jobs=options.jobs,
        cache=dataclasses.asdict(stats),
        stages=stages,
    )
    atomic_write_text(out / "report.json", result.to_json())
    atomic_write_text(out / "summary.txt", result.summary())
    if options.use_cache and options.cache_max_bytes is not None:
        prune(options.cache_dir, options.cache_max_bytes)  # this build's entries are the newest
    return result


# ---------------------------------------------------------------------------------------------
# 1–2. Ingest and images
# ---------------------------------------------------------------------------------------------


def _ingest_all(
    manifest: Manifest,
    options: BuildOptions,
    pool: WorkerPool,
    report: Progress,
    stats: CacheStats,
    notes: list[BuildWarning],
) -> tuple[list[Loaded], list[tuple[ArticleEntry, str, IngestResult]]]:
    section_of: dict[int, str] = {}
    jobs: list[IngestJob] = []
    for section in manifest.sections:
        for entry in section.articles:
            section_of[len(jobs)] = section.title
            jobs.append(
                IngestJob(
                    index=len(jobs),
                    entry=entry,
                    manifest_folder=str(manifest.folder),
                    limits=manifest.limits,
                    allow_private=options.allow_private,
                    cache_root=str(options.cache_dir),
                    use_cache=options.use_cache,
                    paper_url=manifest.paper.paper.url,
                )
            )
    done = 0
    report("ingest", 0, len(jobs))

    def finished(r: IngestResult) -> None:
        nonlocal done
        done += 1
        report("ingest", done, len(jobs))
        if options.strict and r.article is None:
            raise StopBuild(InputError(r.error, where=r.error_where))

    results = pool.map(ingest, jobs, finished)
    results.sort(key=lambda r: r.index)
    loaded: list[Loaded] = []
    failed: list[tuple[ArticleEntry, str, IngestResult]] = []
    slugs: set[str] = set()
    for r in results:
        notes.extend(r.problems)
        stats.hits += int(r.cached)
        stats.misses += int(not r.cached)
        job = jobs[r.index]
        if r.article is None or r.policy is None:
            failed.append((job.entry, section_of[r.index], r))
            continue
        article = r.article
        if article.slug in slugs:  # two pages with one slug: keep both, deterministically
            n = 2
            while f"{article.slug}-{n}" in slugs:
                n += 1
            article = article.with_changes(slug=f"{article.slug}-{n}")
        slugs.add(article.slug)
        loaded.append(Loaded(job.entry, section_of[r.index], article, r.policy, r))
    return loaded, failed


def _images_all(
    manifest: Manifest,
    options: BuildOptions,
    pool: WorkerPool,
    loaded: list[Loaded],
    report: Progress,
    stats: CacheStats,
    notes: list[BuildWarning],
) -> None:
    want_epub = "epub" in options.only
    jobs = [
        ImageJob(
            index=i,
            article=item.print_article,
            policy=item.policy,
            cache_root=str(options.cache_dir),
            use_cache=options.use_cache,
            epub_max_edge=EPUB_MAX_EDGE if want_epub and item.entry.in_epub else None,
        )
        for i, item in enumerate(loaded)
    ]
    done = 0
    report("images", 0, len(jobs))

    def finished(r: ImageResult) -> None:
        nonlocal done
        done += 1
        report("images", done, len(jobs))
        if options.strict and r.problems:
            p = r.problems[0]
            raise StopBuild(InputError(p.message, where=p.where))

    for r in pool.map(prepare_images, jobs, finished):
        item = loaded[r.index]
        item.images = r
        item.warnings.extend(r.problems)
        notes.extend(r.cache_problems)


# ---------------------------------------------------------------------------------------------
# 7. Report
# ---------------------------------------------------------------------------------------------


def _article_reports(
    manifest: Manifest,
    loaded: Iterable[Loaded],
    failed: Iterable[tuple[ArticleEntry, str, IngestResult]],
) -> tuple[ArticleReport, ...]:
    by_index: dict[int, ArticleReport] = {}
    for item in loaded:
        article = item.article
        figs = figures(article)
        warnings = list(article.warnings) + item.warnings
        for fig in figs:
            where = fig.image.url if not fig.image.url.startswith("data:") else article.slug
            if not fig.decorative and not fig.alt.strip():
                warnings.append(
                    BuildWarning(code="image-no-alt", message="photo has no alt text", where=where)
                )
            if not fig.credit.strip():
                warnings.append(
                    BuildWarning(
                        code="image-uncredited", message="photo has no credit", where=where
                    )
                )
        by_index[item.result.index] = ArticleReport(
            slug=article.slug,
            headline=item.print_article.headline,
            section=item.section,
            source=item.entry.source,
            status="ok",
            only=item.entry.only,
            words=word_count(article),
            images=len(figs),
            warnings=tuple(_dedupe(warnings)),
            cached=item.result.cached,
            seconds=round(item.result.seconds + (item.images.seconds if item.images else 0), 3),
        )
    for entry, section, r in failed:
        by_index[r.index] = ArticleReport(
            slug=_slug_guess(entry.source),
            headline="",
            section=section,
            source=entry.source,
            status="failed",
            only=entry.only,
            warnings=(BuildWarning(code=r.error_code, message=r.error, where=r.error_where),),
            error=f"{r.error_where}: {r.error}" if r.error_where else r.error,
            seconds=round(r.seconds, 3),
        )
    return tuple(by_index[i] for i in sorted(by_index))


def _dedupe(warnings: list[BuildWarning]) -> list[BuildWarning]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for w in warnings:
        k = (w.code, w.message, w.where)
        if k not in seen:
            seen.add(k)
            out.append(w)
    return out


def _slug_guess(source: str) -> str:
    name = Path(source.rstrip("/")).name
    if name in ("index.html", "index.htm"):
        name = Path(source).parent.name
    return name.removesuffix(".html") or "article"


def load_report(path: Path) -> dict[str, Any]:
    return dict(json.loads(Path(path).read_text(encoding="utf-8")))


__all__ = ["BuildOptions", "Progress", "build_issue", "load_report"]
