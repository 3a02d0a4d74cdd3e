"""Build: a validated manifest → every output of the issue, through the cache.

The stages, in order (each named in the progress output):

1. ingest: each entry read (file or guarded fetch) and normalised — cached by the page bytes;
2. images: each photo read once, its digest noted, processed for press, proof and EPUB —
   cached by source digest and options (worker processes with ``--jobs``);
3. pages: front page, contents and house panels (issue/pages.py);
4. print: press PDF and proof PDF (press/pdf.py) — each cached as a whole, keyed by every
   article, image digest and option; laid out side by side with ``--jobs 2``;
5. epub: one EPUB per article and the issue EPUB (epub/), its cover the front page rendered
   to an image — cached likewise;
6. check: EPUBCheck on every EPUB in one Java run, preflight on the press PDF — results cached
   by the output's digest;
7. report: report.json, summary.txt.

Outputs are written with ``outputs.atomic_path``: an interrupted build leaves the previous
outputs whole. A failing article is reported and the rest still build (``strict`` stops at
the first problem instead).
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import io
import json
import multiprocessing
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from printedition.cache import CacheStats, Store, cache_key, digest
from printedition.errors import InputError, OutputError, PrinteditionError
from printedition.issue.manifest import ArticleEntry, Manifest
from printedition.issue.pages import (
    ISSUE_CSS,
    PrintStory,
    contents_html,
    front_page_html,
    house_panels,
)
from printedition.issue.report import ArticleReport, IssueReport, OutputReport
from printedition.issue.work import (
    ImageJob,
    ImageResult,
    IngestJob,
    IngestResult,
    StoreImageCache,
    ingest,
    prepare_images,
)
from printedition.model import Article, BuildWarning, figures, to_json, word_count
from printedition.outputs import atomic_write_bytes, atomic_write_text
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
class _Loaded:
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


class _Pool:
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


class _Stop(Exception):
    """--strict: the first problem ends the build."""

    def __init__(self, error: PrinteditionError) -> None:
        self.error = error


def _noop(stage: str, done: int, total: int) -> None:
    pass


def build_issue(
    manifest: Manifest, options: BuildOptions, *, progress: Progress | None = None
) -> IssueReport:
    """Build every output of ``manifest`` into ``options.out_dir``; see the module doc."""
    started = time.perf_counter()
    report = progress or _noop
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
    notes: list[BuildWarning] = []
    pool = _Pool(options.jobs)
    stages: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        stages[stage] = round(stages.get(stage, 0.0) + now - mark, 3)
        mark = now

    try:
        loaded, failed = _ingest_all(manifest, options, pool, report, stats, notes)
        lap("ingest")
        if not loaded:
            first = failed[0][2] if failed else None
            why = f" (the first: {first.error_where}: {first.error})" if first else ""
            raise InputError(
                f"no article could be read, nothing to build{why}", where=str(manifest.path)
            )
        _images_all(manifest, options, pool, loaded, report, stats, notes)
        lap("images")
        outputs = _outputs(manifest, options, pool, store, loaded, report, notes, lap)
    except _Stop as stop:
        raise stop.error from None
    finally:
        pool.close()
    stats.add(store.stats)
    notes.extend(store.take_problems())
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
    return result


# ---------------------------------------------------------------------------------------------
# 1–2. Ingest and images
# ---------------------------------------------------------------------------------------------


def _ingest_all(
    manifest: Manifest,
    options: BuildOptions,
    pool: _Pool,
    report: Progress,
    stats: CacheStats,
    notes: list[BuildWarning],
) -> tuple[list[_Loaded], list[tuple[ArticleEntry, str, IngestResult]]]:
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
            raise _Stop(InputError(r.error, where=r.error_where))

    results = pool.map(ingest, jobs, finished)
    results.sort(key=lambda r: r.index)
    loaded: list[_Loaded] = []
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
        loaded.append(_Loaded(job.entry, section_of[r.index], article, r.policy, r))
    return loaded, failed


def _press_options(manifest: Manifest, *, proof: bool, **hooks: Any) -> Any:
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
        issue_line=f"{issue_line} · {info.cover_date}",
        month=info.cover_date,
        strict_images=False,
        **hooks,
    )


def _images_all(
    manifest: Manifest,
    options: BuildOptions,
    pool: _Pool,
    loaded: list[_Loaded],
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
            raise _Stop(InputError(p.message, where=p.where))

    for r in pool.map(prepare_images, jobs, finished):
        item = loaded[r.index]
        item.images = r
        item.warnings.extend(r.problems)
        notes.extend(r.cache_problems)


# ---------------------------------------------------------------------------------------------
# 3–6. Pages, print, EPUB, checks
# ---------------------------------------------------------------------------------------------


def _article_key(item: _Loaded, *, print_version: bool) -> list[Any]:
    article = item.print_article if print_version else item.article
    digests = item.images.digests if item.images else ()
    return [to_json(article), list(digests)]


def _options_key(options: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in dataclasses.fields(options):
        if f.name in ("image_cache",):
            continue
        value = getattr(options, f.name)
        if isinstance(value, Path):
            value = digest(value.read_bytes()) if value.is_file() else str(value)
        data[f.name] = value
    return data


def _cover_image(item: _Loaded, options: Any, store: Store) -> tuple[str, bytes] | None:
    """The front-page photo, processed for the full page width: (href, bytes)."""
    from printedition.images import prepare_for_press
    from printedition.press.layout import IMAGE_SCHEME, MAX_PPI, Geometry
    from printedition.resources import read_resource

    article = item.print_article
    if article.lead is None:
        return None
    try:
        data = read_resource(article.lead.image.url, item.policy)
    except InputError:
        return None  # already reported by the images stage
    width = Geometry.for_format(options.page_format).content_width_mm
    colour = "rgb" if options.proof else options.colour
    icc = options.icc_profile.read_bytes() if options.icc_profile else None
    key = f"cover:{digest(data)}:{colour}:{digest(icc) if icc else ''}:{width:.1f}:{MAX_PPI}"
    images = StoreImageCache(store)
    try:
        processed = images[key]
    except KeyError:
        try:
            processed = prepare_for_press(
                data,
                where=article.lead.image.url,
                colour=colour,
                icc=icc,
                placed_width_mm=width,
                max_ppi=MAX_PPI,
                limits=item.policy.limits,
            )
        except PrinteditionError:
            return None
        images[key] = processed
    return f"{IMAGE_SCHEME}{processed.digest}{processed.extension}", processed.data


def _write_press(
    articles: list[tuple[Article, ResourcePolicy]],
    path: str,
    options: Any,
    cache_root: str,
    use_cache: bool,
) -> dict[str, Any]:
    """One PDF (press or proof) → its metadata; runs in a worker with --jobs."""
    from printedition.press.pdf import write_pdf

    store = Store(Path(cache_root), enabled=use_cache)
    options = dataclasses.replace(options, image_cache=StoreImageCache(store))
    start = time.perf_counter()
    result = write_pdf(articles, Path(path), options)
    meta: dict[str, Any] = {
        "pages": result.pages,
        "padded": result.padded_pages,
        "warnings": [dataclasses.asdict(w) for w in result.warnings],
        "seconds": time.perf_counter() - start,
    }
    if result.preflight is not None:
        meta["preflight_ok"] = result.preflight.ok
        meta["preflight"] = result.preflight.summary_lines()
    return meta


def _outputs(
    manifest: Manifest,
    options: BuildOptions,
    pool: _Pool,
    store: Store,
    loaded: list[_Loaded],
    report: Progress,
    notes: list[BuildWarning],
    lap: Callable[[str], None],
) -> list[OutputReport]:
    out = Path(options.out_dir)
    stem = f"issue-{manifest.issue.number}"
    outputs: list[OutputReport] = []
    in_print = [x for x in loaded if x.entry.in_print]
    in_epub = [x for x in loaded if x.entry.in_epub]
    cover_item = next((x for x in in_print if x.entry.source == manifest.cover.article), None)
    cover_item = cover_item or (in_print[0] if in_print else None)

    # 5–6. EPUBs and EPUBCheck run in a thread once the press PDF exists (the issue EPUB's
    # cover is its front page), alongside the proof layout: Java and WeasyPrint then share
    # the machine instead of taking turns.
    press_path = out / f"{stem}-press.pdf"
    side = _EpubSide(manifest, options, store, in_epub, report, press_path)

    # 3–4. print
    if "pdf" in options.only and in_print and cover_item is not None:
        stories = [PrintStory(article=x.print_article, section=x.section) for x in in_print]
        from printedition.press.layout import Section as PressSection

        sections: list[PressSection] = []
        for i, x in enumerate(in_print):
            if i == 0 or x.section != in_print[i - 1].section:
                sections.append(PressSection(title=x.section, start=i))
        base_hooks: dict[str, Any] = {
            "sections": tuple(sections),
            "contents_html": contents_html(manifest, stories),
            "extra_css": ISSUE_CSS,
            "house_panels": house_panels(manifest, stories),
        }
        jobs: list[tuple[str, Path, Any]] = []
        for kind, path, proof in (
            ("press-pdf", press_path, False),
            ("proof-pdf", out / f"{stem}-proof.pdf", True),
        ):
            opts = _press_options(manifest, proof=proof, **base_hooks)
            photo = _cover_image(cover_item, opts, store)
            opts = dataclasses.replace(
                opts,
                front_page_html=front_page_html(
                    manifest, cover_item.print_article, stories, cover_image_href=photo and photo[0]
                ),
                extra_images=(photo,) if photo else (),
            )
            jobs.append((kind, path, opts))
        articles = [(x.print_article, x.policy) for x in in_print]
        keys = [
            cache_key(
                kind,
                [_article_key(x, print_version=True) for x in in_print],
                _options_key(opts),
            )
            for kind, _, opts in jobs
        ]
        pending = []
        for (kind, path, opts), key in zip(jobs, keys, strict=True):
            if _restore(store, kind, key, path):
                meta = store.get_json(kind + "-meta", key) or {}
                outputs.append(_pdf_report(kind, path, meta, cached=True, seconds=0.0))
                if kind == "press-pdf":
                    _attribute_press_warnings(meta, in_print, notes)
                    side.start(with_front_page=True)
            else:
                pending.append((kind, path, opts, key))
        report("print", 0, len(pending))
        futures: dict[str, Any] = {}
        if pool.jobs > 1 and len(pending) > 1:
            for kind, path, opts, _key in pending:
                futures[kind] = pool.executor().submit(
                    _write_press,
                    articles,
                    str(path),
                    opts,
                    str(options.cache_dir),
                    options.use_cache,
                )
        for n, (kind, path, opts, key) in enumerate(pending, start=1):
            start = time.perf_counter()
            if kind in futures:
                meta = futures[kind].result()
            else:
                meta = _write_press(
                    articles, str(path), opts, str(options.cache_dir), options.use_cache
                )
            meta["seconds"] = (
                time.perf_counter() - start if kind not in futures else meta["seconds"]
            )
            store.put(kind, key, path.read_bytes())
            store.put_json(kind + "-meta", key, meta)
            outputs.append(_pdf_report(kind, path, meta, cached=False, seconds=meta["seconds"]))
            if kind == "press-pdf":
                _attribute_press_warnings(meta, in_print, notes)
                if options.strict and outputs[-1].valid is False:
                    raise _Stop(PrinteditionError("preflight failed", where=str(path)))
                side.start(with_front_page=True)
            report("print", n, len(pending))
        if options.strict:
            for o in outputs:
                if o.valid is False:
                    side.join()
                    raise _Stop(PrinteditionError(f"{o.validator} failed", where=o.path))
    lap("print")
    side.start(with_front_page=False)  # no press PDF this time: the EPUB writer draws a cover
    outputs.extend(side.join())
    lap("epub+check (after print)")
    return outputs


class _EpubSide:
    """The EPUBs and their check, run once in a thread; errors are re-raised by ``join``."""

    def __init__(
        self,
        manifest: Manifest,
        options: BuildOptions,
        store: Store,
        items: list[_Loaded],
        report: Progress,
        press_path: Path,
    ) -> None:
        self.args = (manifest, options, store, items, report, press_path)
        self.thread: threading.Thread | None = None
        self.result: list[OutputReport] = []
        self.error: BaseException | None = None

    def start(self, *, with_front_page: bool) -> None:
        if self.thread is not None:
            return
        self.thread = threading.Thread(
            target=self._run, args=(with_front_page,), name="issue-epubs", daemon=True
        )
        self.thread.start()

    def _run(self, with_front_page: bool) -> None:
        manifest, options, store, items, report, press_path = self.args
        try:
            if "epub" not in options.only or not items:
                return
            front = None
            if with_front_page and manifest.cover.epub_cover is None:
                front = _front_page_image(store, press_path)
            epubs = _epubs(manifest, options, store, items, front, report)
            if options.validate:
                epubs = _check_epubs(epubs, store, report, strict=options.strict)
            self.result = epubs
        except BaseException as exc:  # handed to the main thread by join()
            self.error = exc

    def join(self) -> list[OutputReport]:
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error
        return self.result


def _restore(store: Store, kind: str, key: str, path: Path) -> bool:
    data = store.get(kind, key)
    if data is None:
        return False
    if not (
        path.is_file()
        and path.stat().st_size == len(data)
        and digest(path.read_bytes()) == digest(data)
    ):
        atomic_write_bytes(path, data)
    return True


def _pdf_report(
    kind: str, path: Path, meta: dict[str, Any], *, cached: bool, seconds: float
) -> OutputReport:
    ok = meta.get("preflight_ok") if kind == "press-pdf" else None
    lines = meta.get("preflight", [])
    findings = [ln.strip() for ln in lines if ln.strip().startswith(("error:", "warning:"))]
    return OutputReport(
        kind=kind,
        path=str(path),
        bytes=path.stat().st_size,
        pages=int(meta.get("pages", 0)),
        seconds=round(seconds, 3),
        cached=cached,
        validator="preflight" if kind == "press-pdf" else "",
        valid=ok,
        validator_summary=f"{len(findings)} finding(s)" if findings else "",
        messages=tuple(findings),
    )


def _attribute_press_warnings(
    meta: dict[str, Any], in_print: list[_Loaded], notes: list[BuildWarning]
) -> None:
    """The press writer's warnings: about a photo → its article; the rest → build notes."""
    owners: dict[str, _Loaded] = {}
    for x in in_print:
        for url, _ in x.images.digests if x.images else ():
            owners.setdefault(url, x)
    for raw in meta.get("warnings", []):
        w = BuildWarning(**raw)
        owner = owners.get(w.where)
        if owner is None:
            if w not in notes:
                notes.append(w)
        elif w not in owner.warnings:
            owner.warnings.append(w)


def _front_page_image(store: Store, press_pdf: Path) -> bytes | None:
    """Page 1 of the press PDF (trimmed) as a JPEG for the EPUB cover; cached by PDF digest."""
    data = press_pdf.read_bytes()
    key = cache_key("frontpage", data)
    cached = store.get("frontpage", key)
    if cached is not None:
        return cached
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - then the EPUB writer draws its own cover
        return None
    from PIL import Image

    doc = pdfium.PdfDocument(data)
    try:
        page = doc[0]
        trim = page.get_trimbox()
        page.set_cropbox(*trim)
        width_pt = trim[2] - trim[0]
        bitmap = page.render(scale=1400 / width_pt)
        image: Image.Image = bitmap.to_pil().convert("RGB")
    finally:
        doc.close()
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=88, optimize=True)
    jpeg = buf.getvalue()
    store.put("frontpage", key, jpeg)
    return jpeg


def _sde(options: BuildOptions, manifest: Manifest) -> int:
    if options.source_date_epoch is not None:
        return options.source_date_epoch
    if manifest.issue.date is not None:
        d = manifest.issue.date
        return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())
    return 0


def _epubs(
    manifest: Manifest,
    options: BuildOptions,
    store: Store,
    items: list[_Loaded],
    front: bytes | None,
    report: Progress,
) -> list[OutputReport]:
    from printedition.epub import EpubOptions
    from printedition.epub import Section as EpubSection

    out = Path(options.out_dir)
    sde = _sde(options, manifest)
    images = StoreImageCache(store)
    outputs: list[OutputReport] = []
    total = len(items) + 1
    report("epub", 0, total)
    base = EpubOptions(
        rights=manifest.paper.paper.rights,
        publisher=manifest.paper.paper.publisher,
        source_date_epoch=sde,
        limits=manifest.limits,
        max_image_edge=EPUB_MAX_EDGE,
    )
    for n, item in enumerate(items, start=1):
        opts = dataclasses.replace(base)
        path = out / "articles" / f"{item.article.slug}.epub"
        outputs.append(
            _one_epub(
                "article-epub",
                path,
                [item],
                opts,
                store,
                images,
                [_article_key(item, print_version=False)],
            )
        )
        report("epub", n, total)
    cover_path = manifest.cover.epub_cover
    sections: list[tuple[str, list[int]]] = []
    for i, x in enumerate(items):
        if i == 0 or x.section != items[i - 1].section:
            sections.append((x.section, []))
        sections[-1][1].append(i)
    info = manifest.issue
    issue_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{manifest.paper.paper.url}#issue-{info.number}")
    opts = dataclasses.replace(
        base,
        title=manifest.book_title(),
        subtitle=f"No. {info.number}" + (f", volume {info.volume}" if info.volume else ""),
        identifier=f"urn:uuid:{issue_id}",
        masthead=manifest.paper.paper.name,
        cover=cover_path,
        cover_image=None if cover_path else front,
        date=datetime(info.date.year, info.date.month, info.date.day, tzinfo=UTC)
        if info.date
        else None,
        sections=tuple(EpubSection(title=t, articles=tuple(ids)) for t, ids in sections),
    )
    extra = [digest(front) if front else "", digest(cover_path.read_bytes()) if cover_path else ""]
    path = out / f"issue-{info.number}.epub"
    outputs.append(
        _one_epub(
            "issue-epub",
            path,
            items,
            opts,
            store,
            images,
            [[_article_key(x, print_version=False) for x in items], extra],
        )
    )
    report("epub", total, total)
    return outputs


def _one_epub(
    kind: str,
    path: Path,
    items: list[_Loaded],
    opts: Any,
    store: Store,
    images: StoreImageCache,
    key_parts: list[Any],
) -> OutputReport:
    from printedition.epub import write_epub

    key = cache_key(kind, key_parts, _options_key(opts))
    start = time.perf_counter()
    if _restore(store, kind, key, path):
        return OutputReport(kind=kind, path=str(path), bytes=path.stat().st_size, cached=True)
    result = write_epub([(x.article, x.policy) for x in items], path, opts, image_cache=images)
    store.put(kind, key, path.read_bytes())
    for w in result.warnings:
        for x in items:
            urls = {url for url, _ in (x.images.digests if x.images else ())}
            if w.where in urls and w not in x.warnings:
                x.warnings.append(w)
    return OutputReport(
        kind=kind,
        path=str(path),
        bytes=result.bytes,
        seconds=round(time.perf_counter() - start, 3),
    )


def _check_epubs(
    outputs: list[OutputReport], store: Store, report: Progress, *, strict: bool
) -> list[OutputReport]:
    """EPUBCheck every EPUB (one Java run for all not checked before; verdicts cached)."""
    epubs = [(i, o) for i, o in enumerate(outputs) if o.kind.endswith("epub")]
    verdicts: dict[int, dict[str, Any]] = {}
    unchecked: list[tuple[int, OutputReport, str]] = []
    for i, o in epubs:
        key = cache_key("epubcheck", Path(o.path).read_bytes())
        cached = store.get_json("epubcheck", key)
        if isinstance(cached, dict):
            verdicts[i] = cached
        else:
            unchecked.append((i, o, key))
    if unchecked:
        from printedition.validate import check_epub

        report("check", 0, 1)
        start = time.perf_counter()
        messages = check_epub([o.path for _, o, _ in unchecked])
        seconds = time.perf_counter() - start
        for i, o, key in unchecked:
            mine = [m for m in messages if m.file == o.path and m.severity != "INFO"]
            verdict = {
                "errors": sum(1 for m in mine if m.is_error),
                "warnings": sum(1 for m in mine if not m.is_error),
                "messages": [m.format() for m in mine],
                "seconds": seconds / len(unchecked),
            }
            store.put_json("epubcheck", key, verdict)
            verdicts[i] = verdict
        report("check", 1, 1)
    result = list(outputs)
    for i, o in epubs:
        v = verdicts[i]
        ok = v["errors"] == 0 and v["warnings"] == 0
        result[i] = dataclasses.replace(
            o,
            validator="EPUBCheck",
            valid=ok,
            validator_summary=f"{v['errors']} errors, {v['warnings']} warnings",
            messages=tuple(v["messages"]),
        )
        if strict and not ok:
            raise _Stop(PrinteditionError("EPUBCheck found errors or warnings", where=o.path))
    return result


# ---------------------------------------------------------------------------------------------
# 7. Report
# ---------------------------------------------------------------------------------------------


def _article_reports(
    manifest: Manifest,
    loaded: Iterable[_Loaded],
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
