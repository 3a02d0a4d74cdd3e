"""Writers: the loaded articles → press PDF, proof PDF, per-article and issue EPUBs, checked.

Each output is looked up in the cache by a key over every article (model JSON and image
digests) and option; a hit is copied into place, a miss is built (the press PDF and its proof
by the press pipeline, press/pdf.py, from one layout; the EPUBs by epub/) and stored. The PDFs
come first; then the EPUBs (the issue EPUB's cover is the rendered front page, and every EPUB
carries the press pages where they begin in its stories: the page map, final when the front
pages are, kept in the cache with the print outputs and part of each EPUB's key), written in
a thread while the press lays out its pages, and checked there (EPUBCheck, started early).
"""

from __future__ import annotations

import dataclasses
import io
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from printedition.cache import Store, cache_key, digest
from printedition.errors import InputError, PrinteditionError
from printedition.images import ProcessedImage
from printedition.issue.checks import check_epubs
from printedition.issue.context import (
    EPUB_MAX_EDGE,
    BuildOptions,
    Loaded,
    Progress,
    StopBuild,
    WorkerPool,
    press_options,
)
from printedition.issue.manifest import Manifest
from printedition.issue.pages import (
    PrintStory,
    contents_html,
    continued_blocks,
    continued_inside,
    front_page_html,
    house_panels,
)
from printedition.issue.report import OutputReport
from printedition.issue.work import StoreImageCache
from printedition.model import BuildWarning, PageBreak, to_json
from printedition.outputs import atomic_write_bytes
from printedition.press.flatplan import plan_report
from printedition.press.layout import Geometry
from printedition.press.options import PressOptions, PressResult
from printedition.press.parts import EditionMatter
from printedition.press.pdf import PressOutputs, write_pdf
from printedition.press.pictures import stream_digest
from printedition.press.schedule import LAYOUT_FAILED, Controls, Edition, EditionSection
from printedition.press.sheet import flatplan_sheet
from printedition.style import PageStyle
from printedition.validate import EpubCheckRun

# ---------------------------------------------------------------------------------------------
# 3–6. Pages, print, EPUB, checks
# ---------------------------------------------------------------------------------------------


def _article_key(item: Loaded, *, print_version: bool) -> list[Any]:
    article = item.print_article if print_version else item.article
    digests = item.images.digests if item.images else ()
    return [to_json(article), list(digests)]


def _options_key(options: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in dataclasses.fields(options):
        value = getattr(options, f.name)
        if isinstance(value, PageStyle):
            value = f"{value.name}:{value.digest}"  # every file of the style, by content
        elif isinstance(value, Path):
            value = digest(value.read_bytes()) if value.is_file() else str(value)
        data[f.name] = value
    return data


def _cover_image(
    item: Loaded, options: PressOptions, store: Store, colour: str
) -> ProcessedImage | None:
    """The front-page photo, processed for the full page width in ``colour``."""
    from printedition.images import prepare_for_press
    from printedition.press.layout import Geometry
    from printedition.resources import read_resource

    article = item.print_article
    if article.lead is None:
        return None
    try:
        data = read_resource(article.lead.image.url, item.policy)
    except InputError:
        return None  # already reported by the images stage
    width = Geometry.for_format(options.page_format, options.style).content_width_mm
    max_ppi = options.style.pictures.preferred_ppi
    icc = options.icc_profile.read_bytes() if options.icc_profile else None
    key = f"cover:{digest(data)}:{colour}:{digest(icc) if icc else ''}:{width:.1f}:{max_ppi}"
    images = StoreImageCache(store)
    try:
        return images[key]
    except KeyError:
        pass
    try:
        processed = prepare_for_press(
            data,
            where=article.lead.image.url,
            colour=colour,
            icc=icc,
            placed_width_mm=width,
            max_ppi=max_ppi,
            limits=item.policy.limits,
        )
    except PrinteditionError:
        return None
    images[key] = processed
    return processed


def _edition(
    manifest: Manifest,
    in_print: list[Loaded],
    cover_item: Loaded,
    options: PressOptions,
    store: Store,
) -> Edition:
    """The issue as the press pipeline takes it: a part per section, the front pages written
    for the stories' page numbers, the issue's panels and stylesheet."""
    from printedition.press.layout import IMAGE_SCHEME

    stories = [PrintStory(article=x.print_article, section=x.section) for x in in_print]
    cover = cover_item.print_article
    # [cover] jump: the front page opens the cover story and it continues inside.
    inside = continued_inside(cover) if manifest.cover.jump else None
    sections: list[EditionSection] = []
    run: list[Loaded] = []
    for i, x in enumerate(in_print):
        run.append(x)
        if i + 1 == len(in_print) or in_print[i + 1].section != x.section:
            sections.append(
                EditionSection(
                    title=x.section,
                    articles=tuple(
                        (
                            inside if inside is not None and y is cover_item else y.print_article,
                            y.policy,
                        )
                        for y in run
                    ),
                )
            )
            run = []
    photo = _cover_image(cover_item, options, store, options.colour)
    colour = _cover_image(cover_item, options, store, "rgb") if photo else None
    href = f"{IMAGE_SCHEME}{photo.digest}{photo.extension}" if photo else None
    base = EditionMatter(
        house_panels=house_panels(manifest, stories),
        images=((href, photo.data),) if href and photo else (),
        colours=((stream_digest(photo.data), colour),) if photo and colour else (),
    )

    def front_pages(numbers: Mapping[str, int]) -> EditionMatter:
        # A story that jumps starts on the front page: the contents say so.
        starts = {**numbers, cover.slug: 1} if inside is not None else numbers
        return dataclasses.replace(
            base,
            front_page_html=front_page_html(
                manifest,
                cover,
                stories,
                cover_image_href=href,
                numbers=numbers,
                jump=inside is not None,
            ),
            contents_html=contents_html(manifest, stories, numbers=starts),
        )

    controls = {
        x.print_article.slug: Controls(
            rank=x.entry.size, page=x.entry.page or None, span=x.entry.span or None
        )
        for x in in_print
        if x.entry.size or x.entry.page or x.entry.span
    }
    if inside is not None:
        # A continuation is not a page's lead (a standard story's head, unless the editor
        # sized it), and its text opens mid-story (no drop cap).
        pinned = controls.get(cover.slug, Controls())
        rank = pinned.rank or "standard"
        controls[cover.slug] = dataclasses.replace(pinned, rank=rank, continued=True)
    return Edition(
        sections=tuple(sections),
        matter=base,
        front_pages=front_pages,
        controls=controls,
        pages=manifest.issue.pages or None,
    )


def write_outputs(
    manifest: Manifest,
    options: BuildOptions,
    pool: WorkerPool,
    store: Store,
    loaded: list[Loaded],
    report: Progress,
    notes: list[BuildWarning],
    lap: Callable[[str], None],
    checker: EpubCheckRun | None = None,
) -> tuple[list[OutputReport], EpubSide]:
    """The PDFs and the EPUBs, written; their reports and the EPUBs' side, whose ``join``
    waits for EPUBCheck's verdicts (``checker``: the build's EPUBCheck run, started here
    when the print is laid out anew, when not before)."""
    out = Path(options.out_dir)
    stem = f"issue-{manifest.issue.number}"
    outputs: list[OutputReport] = []
    in_print = [x for x in loaded if x.entry.in_print]
    in_epub = [x for x in loaded if x.entry.in_epub]
    cover_item = next((x for x in in_print if x.entry.source == manifest.cover.article), None)
    cover_item = cover_item or (in_print[0] if in_print else None)

    # 5–6. EPUBs are written once the front page is laid out (the issue EPUB's cover is the
    # front page); EPUBCheck then runs alongside the rest of the press work: Java and the
    # press share the machine instead of taking turns.
    press_path = out / f"{stem}-press.pdf"
    side = EpubSide(manifest, options, store, in_epub, report, checker)

    # 3–4. print: the press PDF and its proof, from one layout (press/pdf.py), cached whole
    # by every article, image digest and option.
    if "pdf" in options.only and in_print and cover_item is not None:
        opts = press_options(manifest)
        paths = {"press-pdf": press_path, "proof-pdf": out / f"{stem}-proof.pdf"}
        edition = _edition(manifest, in_print, cover_item, opts, store)
        order = continued_blocks(cover_item.print_article) if manifest.cover.jump else None
        jumped = (cover_item.print_article.slug, order) if order is not None else None
        zero = {x.print_article.slug: 0 for x in in_print}
        front = edition.front_pages(zero) if edition.front_pages else edition.matter
        key = cache_key(
            "print",
            [_article_key(x, print_version=True) for x in in_print],
            _options_key(opts),
            [s.title for s in edition.sections],
            _options_key(front),
            sorted((slug, c.rank, c.page, c.span) for slug, c in edition.controls.items()),
            edition.pages,
        )
        sheet_path = out / f"{stem}-flatplan.png"
        cached = all(_restore(store, kind, key, path) for kind, path in paths.items())
        cached = cached and _restore(store, "flatplan-sheet", key, sheet_path)
        breaks = _page_map(store, key) if cached else None
        cached = cached and breaks is not None
        report("print", 0, 0 if cached else 1)
        if cached:
            meta = store.get_json("press-pdf-meta", key) or {}
            for kind, path in paths.items():
                outputs.append(_pdf_report(kind, path, meta, cached=True, seconds=0.0))
        else:
            if checker is not None:
                # A new layout: new page numbers in the EPUBs, so new EPUBs to check. EPUBCheck
                # loads its schemas (seconds) beside the press work instead of after it.
                checker.start()
            started = time.perf_counter()
            try:
                result = write_pdf(
                    edition,
                    PressOutputs(press=paths["press-pdf"], proof=paths["proof-pdf"]),
                    opts,
                    store=store,
                    pool=pool,
                    cache=StoreImageCache(store),
                    # The EPUBs (their cover is the front page) and their check start as soon as
                    # the front page is laid out, alongside the rest of the press work.
                    # The page map is final then too: the EPUBs carry this layout's page numbers.
                    on_front=lambda ready: side.start(
                        front=_cover_of(store, key, ready.pdf),
                        breaks=_in_articles(_keep_page_map(store, key, ready.page_breaks), jumped),
                    ),
                )
            except BaseException:
                if side.started:
                    side.ready.wait()  # (no EPUB thread left writing behind a failed press)
                raise
            # (The EPUBs, begun with the front page, written before the press's warnings
            # are handed to the articles: the same order as ever.)
            side.wait_written()
            meta = _print_meta(result, time.perf_counter() - started)
            if "flatplan" in meta:
                sheet = flatplan_sheet(
                    paths["press-pdf"].read_bytes(),
                    meta["flatplan"],
                    Geometry.for_format(opts.page_format, opts.style),
                )
                atomic_write_bytes(sheet_path, sheet)
                store.put("flatplan-sheet", key, sheet)
            # A story left out for time is tried again next build (the machine may be idle).
            if not any(w.code == LAYOUT_FAILED for w in result.warnings):
                for kind, path in paths.items():
                    store.put(kind, key, path.read_bytes())
                store.put_json("press-pdf-meta", key, meta)
            for kind, path in paths.items():
                outputs.append(_pdf_report(kind, path, meta, cached=False, seconds=meta["seconds"]))
            report("print", 1, 1)
        _attribute_press_warnings(meta, in_print, notes)
        if options.strict:
            for o in outputs:
                if o.valid is False:
                    raise StopBuild(PrinteditionError(f"{o.validator} failed", where=o.path))
        # (The front page as the EPUBs' cover, kept with the print outputs it came with.)
        cover = store.get("epub-cover", key) if cached else None
        if cached and cover is None:  # (an entry gone from the cache: page 1 of the press file)
            cover = _cover_of(store, key, press_path.read_bytes())
        side.start(front=cover, breaks=_in_articles(breaks or (), jumped))
    lap("print")
    # No press PDF this time: the EPUB writer draws a cover, and there are no page numbers.
    side.start(front=None, breaks=())
    side.wait_written()
    lap("epub (after print)")
    return outputs, side


class EpubSide:
    """The EPUBs, written in a thread of their own and then checked there (EPUBCheck, a Java
    process); errors are re-raised by ``wait_written`` (writing) and ``join`` (both).

    Started from the press as soon as the front page is laid out, the writing runs while the
    press lays out the pages on its workers and this process mostly waits for them (writing
    them in the caller's thread held the pages back by the time it took: seconds for a big
    issue); the caller waits for them (``wait_written``) as soon as the press is done, so
    that the warnings reach the articles in the same order as before."""

    def __init__(
        self,
        manifest: Manifest,
        options: BuildOptions,
        store: Store,
        items: list[Loaded],
        report: Progress,
        checker: EpubCheckRun | None,
    ) -> None:
        self.args = (manifest, options, store, items, report)
        self.checker = checker
        self.started = False
        self.thread: threading.Thread | None = None
        self.written: list[OutputReport] = []  # the EPUBs' reports, before their check
        self.result: list[OutputReport] = []
        self.ready = threading.Event()  # set once the EPUBs are written (or could not be)
        self.write_error: BaseException | None = None
        self.error: BaseException | None = None

    def start(self, *, front: bytes | None, breaks: tuple[PageBreak, ...]) -> None:
        """Start writing the EPUBs, then their check; ``front``: the front page as an image for
        the issue EPUB's cover (None: the manifest's cover or one the EPUB writer draws);
        ``breaks``: where each press page begins in the stories (the EPUBs' page list)."""
        if self.started:
            return
        self.started = True
        manifest, options, _, items, _ = self.args
        if "epub" not in options.only or not items:
            self.ready.set()
            return
        if manifest.cover.epub_cover is not None:
            front = None
        self.thread = threading.Thread(
            target=self._work, args=(front, breaks), name="issue-epubs", daemon=True
        )
        self.thread.start()

    def _work(self, front: bytes | None, breaks: tuple[PageBreak, ...]) -> None:
        manifest, options, store, items, report = self.args
        try:
            self.written = _epubs(manifest, options, store, items, front, breaks, report)
            self.result = self.written
        except BaseException as exc:  # handed to the main thread by wait_written()
            self.write_error = self.error = exc
            return
        finally:
            self.ready.set()
        if not options.validate:
            return
        try:
            self.result = check_epubs(
                self.written, store, report, strict=options.strict, checker=self.checker
            )
        except BaseException as exc:  # handed to the main thread by join()
            self.error = exc

    def wait_written(self) -> list[OutputReport]:
        """The EPUBs' reports once they are written (not yet checked)."""
        if self.started:
            self.ready.wait()
        if self.write_error is not None:
            raise self.write_error
        return self.written

    def join(self) -> list[OutputReport]:
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error
        return self.result


def _print_meta(result: PressResult, seconds: float) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "pages": result.pages,
        "padded": result.padded_pages,
        "warnings": [dataclasses.asdict(w) for w in result.warnings],
        "seconds": seconds,
        "parts": dataclasses.asdict(result.parts) if result.parts else {},
    }
    if result.flatplan is not None:
        meta["flatplan"] = plan_report(
            result.flatplan, front_pages=result.pages - len(result.flatplan.pages)
        )
    if result.preflight is not None:
        meta["preflight_ok"] = result.preflight.ok
        meta["preflight"] = result.preflight.summary_lines()
    return meta


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
        flatplan=meta.get("flatplan", {}) if kind == "press-pdf" else {},
    )


def _attribute_press_warnings(
    meta: dict[str, Any], in_print: list[Loaded], notes: list[BuildWarning]
) -> None:
    """The press writer's warnings: about a photo → its article; the rest → build notes."""
    owners: dict[str, Loaded] = {}
    for x in in_print:
        for url, _ in x.images.digests if x.images else ():
            owners.setdefault(url, x)
        # A story left out of the layout is named by its source.
        article = x.print_article
        for name in (article.source_url, article.url, article.slug):
            if name:
                owners.setdefault(name, x)
    for raw in meta.get("warnings", []):
        w = BuildWarning(**raw)
        owner = owners.get(w.where)
        if owner is None:
            if w not in notes:
                notes.append(w)
        elif w not in owner.warnings:
            owner.warnings.append(w)


_PAGE_MAP = "page-map"


def _in_articles(
    breaks: tuple[PageBreak, ...], jumped: tuple[str, tuple[int, ...]] | None
) -> tuple[PageBreak, ...]:
    """The press's page map in the articles' own blocks: a cover story that jumps was printed
    inside from a reordered body (``pages.continued_blocks``), and begins on page 1."""
    if jumped is None:
        return breaks
    slug, order = jumped
    inside = tuple(
        dataclasses.replace(b, block=order[b.block])
        if b.slug == slug and 0 <= b.block < len(order)
        else b
        for b in breaks
    )
    return (PageBreak(page=1, slug=slug, block=0), *inside)


def _keep_page_map(
    store: Store, print_key: str, breaks: tuple[PageBreak, ...]
) -> tuple[PageBreak, ...]:
    """``breaks``, kept in the cache with the print outputs of ``print_key`` (a rebuild that
    takes those from the cache takes the page map that goes with them)."""
    store.put_json(
        _PAGE_MAP, print_key, [[b.page, b.slug, b.block, b.line, b.before] for b in breaks]
    )
    return breaks


def _page_map(store: Store, print_key: str) -> tuple[PageBreak, ...] | None:
    """The page map kept with the print outputs of ``print_key``, or None."""
    raw = store.get_json(_PAGE_MAP, print_key)
    if not isinstance(raw, list):
        return None
    try:
        return tuple(
            PageBreak(page=int(p), slug=str(s), block=int(b), line=str(t), before=int(n))
            for p, s, b, t, n in raw
        )
    except (TypeError, ValueError):
        return None  # (a damaged entry: the print is laid out again)


def _cover_of(store: Store, print_key: str, front_pdf: bytes) -> bytes | None:
    """The front page (page 1 of ``front_pdf``) as the EPUBs' cover, kept in the cache with
    the print outputs of ``print_key`` (a rebuild that takes those from the cache takes it
    too)."""
    jpeg = _front_page_image(store, front_pdf)
    if jpeg is not None:
        store.put("epub-cover", print_key, jpeg)
    return jpeg


def _front_page_image(store: Store, data: bytes) -> bytes | None:
    """Page 1 of the PDF ``data`` (trimmed) as a JPEG for the EPUB cover; cached by PDF
    digest."""
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
    items: list[Loaded],
    front: bytes | None,
    breaks: tuple[PageBreak, ...],
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
        masthead=manifest.paper.paper.name,  # the paper's name on the articles' covers too
        source_date_epoch=sde,
        limits=manifest.limits,
        max_image_edge=EPUB_MAX_EDGE,
        # The printed page numbers, when this build laid out (or took from the cache) the
        # press file: part of each EPUB's options, and so of its cache key.
        page_source=_page_source(manifest) if breaks else "",
    )
    for n, item in enumerate(items, start=1):
        # An article's own EPUB carries the pages of its own story.
        slug = item.article.slug
        opts = dataclasses.replace(base, page_breaks=tuple(b for b in breaks if b.slug == slug))
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
        page_breaks=breaks,
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


def _page_source(manifest: Manifest) -> str:
    """The print edition the EPUBs' page numbers come from (pageBreakSource)."""
    info = manifest.issue
    number = f"No. {info.number}" + (f", volume {info.volume}" if info.volume else "")
    return f"{manifest.paper.paper.name}, {number}, {info.cover_date}, print edition"


def _one_epub(
    kind: str,
    path: Path,
    items: list[Loaded],
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


__all__ = ["EpubSide", "write_outputs"]
