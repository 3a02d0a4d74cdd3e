"""Schedule: an edition → its pages made up, each layout from the cache or on a worker.

Goes in: the edition (its sections of articles and, for an issue, the front pages for given
story page numbers), the options, a cache store and a worker pool. The steps, each layout
keyed in the cache by its own HTML (which holds the articles, the processed images' digests,
the style and the options), and spread over the workers:

1. stories (``parts.story_parts``): images read and probed, inline photos processed;
2. measure (``makeup.measure_document``): every story's head at each span, its caption, its
   body in one column;
3. flatplan (``flatplan.make_flatplan``): pages made up; the front pages (issue) are laid out
   first for their count, and again with the stories' page numbers;
4. legs (``legs.cut_legs``): each body's strips (written by the measuring layout) shared out
   over its planned legs; a body the legs cannot hold is planned again with more room (no
   layout: the strips are cut, not set again); then the page map (``makeup.page_breaks``:
   where each page begins in each story), final from here on, handed out with the front
   pages (``FrontReady``) and in ``LaidOut``;
5. pages (``makeup.pages_document``): heads, photos and furniture; the legs drawn on
   (``legs.overlay_legs``).

A rebuild after one article changed measures that article again; the pages document, a fast
layout of positioned boxes, is laid out again when any placement moved.
Comes out: the laid-out parts in page order (front pages, made-up pages), the flatplan and
the page map.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from printedition.cache import Store, cache_key
from printedition.errors import LayoutError
from printedition.images import ProcessedImage
from printedition.model import Article, BuildWarning, PageBreak, word_count
from printedition.press.body import Body, Strip
from printedition.press.engine import Rendered, images_used, render_job
from printedition.press.flatplan import Flatplan, Grid, Panel, StoryMeasure
from printedition.press.house import default_panels
from printedition.press.layout import Geometry, masthead_html
from printedition.press.legs import StoryLegs, cut_legs, overlay_legs
from printedition.press.makeup import (
    Measure,
    box_document,
    measure_document,
    page_breaks,
    pages_document,
    read_measure,
    story_legs,
    story_measure,
)
from printedition.press.options import PartsStats, PressOptions
from printedition.press.packing import make_flatplan
from printedition.press.parts import (
    EditionMatter,
    PartLayout,
    StoryParts,
    front_document,
    furniture_for,
    lead_photos,
    story_parts,
)
from printedition.press.pictures import ImageCache
from printedition.resources import ResourcePolicy
from printedition.style import PageStyle
from printedition.workers import Failed, WorkerPool

ATTEMPTS = 5  # plans tried until every body fits its legs
BODY = "mk-body"  # the class of the body the measuring layout writes as strips
MEASURE_HTML = "mk-measure-html"  # the cache's kind for a story's measuring document
LAYOUT_FAILED = "layout-failed"  # the warning code of a story left out (the report's problem)
# What breaks its paragraphs into lines besides our code and the style's faces: a new
# hyphenation dictionary or shaper writes the documents anew.
_BREAKER_PACKAGES = ("pyphen", "uharfbuzz")

# The edition's own matter with the stories' page numbers (slug → page) written in.
FrontPages = Callable[[Mapping[str, int]], EditionMatter]


@dataclass(frozen=True, slots=True, kw_only=True)
class FrontReady:
    """What is final once the front pages are laid out (the plan and the legs are made by
    then): the front pages' PDF and where each page begins in each story on it."""

    pdf: bytes
    page_breaks: tuple[PageBreak, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class EditionSection:
    """A run of articles under one section title (None: a plain edition's stories)."""

    title: str | None
    articles: tuple[tuple[Article, ResourcePolicy], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Controls:
    """The editor's controls for one story (all optional)."""

    rank: str = ""  # "lead" | "standard" | "brief"; "" decides by length
    page: int | None = None  # pinned to start on this page
    span: int | None = None
    continued: bool = False  # it continues here from another page: its text opens mid-story


@dataclass(frozen=True, slots=True, kw_only=True)
class Edition:
    """What to print: sections of articles and, for an issue, the front pages."""

    sections: tuple[EditionSection, ...]
    matter: EditionMatter = field(default_factory=EditionMatter)
    front_pages: FrontPages | None = None  # numbers → the front and contents pages
    controls: Mapping[str, Controls] = field(default_factory=dict)  # slug → controls
    pages: int | None = None  # a fixed page count (else the smallest multiple of 4)

    @classmethod
    def of(cls, articles: Sequence[tuple[Article, ResourcePolicy]]) -> Edition:
        """A plain edition: the articles made up under the masthead."""
        return cls(sections=(EditionSection(title=None, articles=tuple(articles)),))

    @property
    def articles(self) -> list[Article]:
        return [a for s in self.sections for a, _ in s.articles]


@dataclass(frozen=True, slots=True, kw_only=True)
class LaidOut:
    layouts: tuple[PartLayout, ...]  # front pages (issue), then the made-up pages
    stories: tuple[StoryParts, ...]
    plan: Flatplan
    matter: EditionMatter  # with the final page numbers
    colours: dict[str, ProcessedImage]  # every photo in colour, for a proof
    html_bytes: int
    stats: PartsStats
    warnings: tuple[BuildWarning, ...]
    page_breaks: tuple[PageBreak, ...]  # where each page begins in each story on it


Laid = tuple[bytes, dict[str, object]]  # a document's PDF and its record


class _Layouts:
    """Layouts by their HTML: from the cache, or on the timed workers (each layout within
    ``options.layout_timeout``; with no limit, in this process or the pool's executor)."""

    def __init__(self, store: Store, pool: WorkerPool, options: PressOptions, date: str) -> None:
        self.store = store
        self.pool = pool
        self.options = options
        self.date = date
        self.laid_out = 0
        self.cached = 0

    def key(self, kind: str, html: str) -> str:
        return cache_key(kind, html, self.options.variant)

    def many(
        self,
        kind: str,
        jobs: Sequence[tuple[str, dict[str, bytes]]],
        *,
        strip: str = "",
        stories: int = 1,
    ) -> list[Laid | Failed]:
        """Each document's PDF and its record (pages, boxes, warnings; ``strip``: the strips
        of the element of that class, its PDF a page for each), or ``Failed``. The budget is
        per story: a document that holds ``stories`` of them gets as many."""
        # The longest documents first: the workers finish together instead of one waiting
        # for a long read given out last (results come back in the jobs' order).
        order = sorted(range(len(jobs)), key=lambda n: -len(jobs[n][0]))
        made = [(lambda job=job: job) for job in jobs]
        return self.made(kind, made, order, strip=strip, stories=stories)

    def made(
        self,
        kind: str,
        makers: Sequence[Callable[[], tuple[str, dict[str, bytes]]]],
        order: Sequence[int],
        *,
        strip: str = "",
        stories: int = 1,
    ) -> list[Laid | Failed]:
        """``many``, each document made (``makers[n]()``) only as a worker is free for it, in
        ``order``: the documents are written here while the workers lay out those before."""
        out: list[Laid | Failed | None] = [None] * len(makers)
        todo: list[tuple[int, str]] = []  # (job, its HTML's key)

        def work() -> Iterator[tuple[str, dict[str, bytes], str, str, PageStyle, str]]:
            for n in order:
                html, images = makers[n]()
                key = self.key(kind, html)
                data = self.store.get(kind, key)
                record = self.store.get_json(kind + "-meta", key) if data is not None else None
                if data is not None and isinstance(record, dict):
                    out[n] = (data, dict(record))
                    self.cached += 1
                    continue
                todo.append((n, key))
                used = images_used(html, images)
                yield (html, used, self.options.variant, self.date, self.options.style, strip)

        results: list[Rendered | Failed]
        if self.options.layout_timeout > 0:
            budget = self.options.layout_timeout * max(1, stories)
            results = self.pool.timed().run(render_job, work(), budget)
        elif self.pool.jobs > 1 and len(makers) > 1:
            futures = []
            try:
                for w in work():
                    futures.append(self.pool.executor().submit(render_job, w))
                results = [f.result() for f in futures]
            finally:
                for f in futures:
                    f.cancel()
        else:
            results = [render_job(w) for w in work()]
        for (n, key), laid in zip(todo, results, strict=True):
            if isinstance(laid, Failed):
                out[n] = laid
                continue
            made: dict[str, object] = {
                "pages": len(laid.spaces),
                "boxes": [dict(b) for b in laid.boxes],
                "warnings": [dataclasses.asdict(w) for w in laid.warnings],
                "strips": [
                    [s.top_mm, s.bottom_mm, s.page_top_mm, s.breakable, s.ident, s.page, s.text]
                    for s in laid.strips
                ],
            }
            self.store.put(kind, key, laid.pdf)
            self.store.put_json(kind + "-meta", key, made)
            out[n] = (laid.pdf, made)
            self.laid_out += 1
        return [x for x in out if x is not None]

    def one(
        self, kind: str, html: str, images: dict[str, bytes], what: str, *, stories: int
    ) -> Laid:
        """One document of the whole edition (front pages, contents, the pages), which holds
        ``stories`` stories: a layout that does not finish is an error."""
        (laid,) = self.many(kind, [(html, images)], stories=stories)
        if isinstance(laid, Failed):
            raise LayoutError(f"laying out {what} {_reason(laid)}", where="the print edition")
        return laid


_RAISE = "raise Limits.layout_timeout: [limits] layout_timeout in issue.toml, pdf --layout-timeout"


def _breaker_versions() -> list[str]:
    """The versions of the packages the line breaker uses (a measuring document's key)."""
    found = []
    for name in _BREAKER_PACKAGES:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return found


def _reason(failed: Failed) -> str:
    return failed.reason + (f" ({_RAISE})" if failed.timed_out else "")


def _left_out(article: Article, failed: Failed, what: str) -> BuildWarning:
    """The report line of a story whose layout did not finish: it names the article."""
    return BuildWarning(
        code=LAYOUT_FAILED,
        message=f"laying out {what} {_reason(failed)}: the story is left out of the print edition",
        where=article.source_url or article.url or article.slug,
    )


def _check_left(parts: Sequence[StoryParts], failed: Sequence[BuildWarning]) -> None:
    if not parts and failed:
        raise LayoutError(failed[0].message.split(": the story")[0], where=failed[0].where)


def _warnings(record: Mapping[str, object]) -> list[BuildWarning]:
    raw = record.get("warnings", [])
    return [BuildWarning(**w) for w in raw] if isinstance(raw, list) else []


def _strips(record: Mapping[str, object]) -> tuple[Strip, ...]:
    raw = record.get("strips", [])
    return tuple(
        Strip(
            top_mm=float(t),
            bottom_mm=float(b),
            page_top_mm=float(o),
            breakable=bool(k),
            ident=str(i),
            page=int(n),
            text=str(x),
        )
        for t, b, o, k, i, n, x in (raw if isinstance(raw, list) else [])
    )


def _measure_of(record: Mapping[str, object]) -> Measure:
    boxes = record.get("boxes", [])
    pages = tuple(
        {k: (float(v[0]), float(v[1])) for k, v in page.items()}
        for page in (boxes if isinstance(boxes, list) else [])
    )
    strips = _strips(record)
    body = strips[-1].bottom_mm - strips[0].top_mm if strips else 0.0
    return read_measure(pages, body)


def _grid(geometry: Geometry, style: PageStyle, first_top: float) -> Grid:
    line = style.type.leading_pt * 25.4 / 72
    return Grid(
        columns=geometry.columns,
        column_mm=geometry.column_width_mm,
        gap_mm=geometry.column_gap_mm,
        height_mm=geometry.content_height_mm,
        line_mm=line,
        min_ppi=style.pictures.floor_ppi,
        crop_least=style.pictures.crop_least,
        zoom_most=style.pictures.zoom_most,
        warn_ppi=style.pictures.min_ppi,
        first_page_top_mm=first_top,
        story_gap_mm=style.makeup.story_gap_mm,
        label_mm=style.makeup.label_mm,
        photo_max_share=style.makeup.photo_max_share,
    )


def lay_out(
    edition: Edition,
    options: PressOptions,
    *,
    store: Store,
    pool: WorkerPool | None,
    cache: ImageCache,
    colours: bool,
    on_front: Callable[[FrontReady], None] | None = None,
) -> LaidOut:
    """The edition made up: measured, planned, set in legs and composed into pages
    (``on_front`` called with the front pages' PDF and the page breaks as soon as the front
    pages are laid out). A story
    whose measure does not finish in time is left out (a ``layout-failed`` warning naming
    it); without the pool of a build, one timed worker is started for the layouts."""
    workers = pool if pool is not None else WorkerPool(1)
    try:
        return _lay_out(
            edition,
            options,
            store=store,
            pool=workers,
            cache=cache,
            colours=colours,
            on_front=on_front,
        )
    finally:
        if pool is None:
            workers.close()


def _lay_out(
    edition: Edition,
    options: PressOptions,
    *,
    store: Store,
    pool: WorkerPool,
    cache: ImageCache,
    colours: bool,
    on_front: Callable[[FrontReady], None] | None,
) -> LaidOut:
    started = time.perf_counter()
    if options.layout_timeout > 0:
        # The layout workers import WeasyPrint while the stories' photos are read here.
        pool.timed().prestart(render_job)
    articles = edition.articles
    style = options.style
    geometry = Geometry.for_format(options.page_format, style)
    furniture = furniture_for(options, articles, masthead=options.masthead)
    layouts = _Layouts(store, pool, options, furniture.date)
    warnings: list[BuildWarning] = []
    language = options.paper.language or "en-GB"

    # 1. stories: images read and probed, inline photos processed at column width.
    parts = story_parts(edition, options, cache=cache, colours=colours, warnings=warnings)

    # 2. measure.
    # Each story's measuring document is written (its paragraphs broken into lines) as a
    # worker is free for it, the longest stories first: the writing overlaps the layouts.
    # A story written before (the same story, grid, furniture and style: the inputs the
    # document is made of; the same hyphenation and shaping packages) is taken from the
    # cache: a rebuild breaks only what changed.
    versions = _breaker_versions()

    def measure_job(p: StoryParts) -> Callable[[], tuple[str, dict[str, bytes]]]:
        def make() -> tuple[str, dict[str, bytes]]:
            key = cache_key(MEASURE_HTML, p.story, geometry, furniture, language, versions)
            kept = store.get(MEASURE_HTML, key)
            if kept is not None:
                return kept.decode("utf-8"), p.images
            html = measure_document(p.story, geometry, furniture, language)
            store.put(MEASURE_HTML, key, html.encode("utf-8"))
            return html, p.images

        return make

    longest = sorted(range(len(parts)), key=lambda n: -word_count(parts[n].story.article))
    measured_all = layouts.made(
        "mk-measure", [measure_job(p) for p in parts], longest, strip=BODY
    )
    # A story whose measure (its one layout: the legs are cut from its strips) does not
    # finish in time is left out, named in the report; the rest are made up without it.
    failed: list[BuildWarning] = [
        _left_out(p.story.article, m, "the story")
        for p, m in zip(parts, measured_all, strict=True)
        if isinstance(m, Failed)
    ]
    kept = [(p, m) for p, m in zip(parts, measured_all, strict=True) if not isinstance(m, Failed)]
    parts = [p for p, _ in kept]
    _check_left(parts, failed)
    bodies = {p.story.article.slug: (pdf, Body(_strips(record))) for p, (pdf, record) in kept}
    measures: dict[str, StoryMeasure] = {}
    for p, (_, record) in kept:
        slug = p.story.article.slug
        control = edition.controls.get(slug, Controls())
        words = word_count(p.story.article)
        brief = words < style.makeup.brief_words and p.story.article.lead is None
        rank = control.rank or ("brief" if brief else "standard")
        measures[slug] = story_measure(
            p.story,
            _measure_of(record),
            section=p.section,
            rank=rank,
            size=p.lead_size,
            page=control.page,
            span=control.span,
            body=bodies[slug][1],
            sizes={url: (src.width, src.height) for url, src in p.sources.items()},
        )
        warnings.extend(w for w in _warnings(record) if w not in warnings)

    # 3. flatplan: the front pages first (issue), for their count.
    # The contents stand at the top of the first made-up page.
    matter = edition.matter
    front_count = 0
    top_mm = style.space.masthead_mm if options.masthead else 0.0
    if edition.front_pages is not None:
        zero = {a.slug: 0 for a in articles}
        shape_matter = edition.front_pages(zero)
        shape = front_document(
            options, dataclasses.replace(shape_matter, contents_html=""), edition=articles
        )
        _, record = layouts.one(
            "mk-front", shape.html, shape.images, "the front pages", stories=len(parts)
        )
        front_count = _pages(record)
        top_mm = 0.0
        if shape_matter.contents_html:
            box = box_document(
                _contents_box(shape_matter.contents_html), geometry, furniture, language
            )
            _, record = layouts.one("mk-box", box, {}, "the contents", stories=len(parts))
            tops = _boxes(record).get("box", (0.0, 0.0))
            top_mm = tops[1] - tops[0] + style.makeup.story_gap_mm
    masthead_mm = top_mm
    grid = _grid(geometry, style, masthead_mm)
    panels_html = list(matter.house_panels) or list(default_panels(options.paper, ()))
    # (In the order pad pages take them: the last is the back page's advert.)
    panels = [Panel(key=f"house-{n}", min_mm=45.0) for n in range(len(panels_html))]

    def planned(order: Sequence[StoryMeasure]) -> Flatplan:
        return make_flatplan(
            order,
            grid,
            panels,
            first_page=front_count + 1,
            first_top=masthead_mm,
            front_pages=front_count,
            pages=edition.pages,
            multiple=options.pad_to_multiple,
        )

    plan = planned([measures[p.story.article.slug] for p in parts])

    # 4. legs: each body's strips shared out over its planned legs; a body they cannot hold
    # is planned again with the rest added to its measure (the legs' ends fall where the text
    # may break, so a plan's estimate of a line a leg is close, not exact).
    cuts: dict[str, StoryLegs] = {}
    for attempt in range(ATTEMPTS):
        cuts = {}
        short: dict[str, float] = {}
        for p in parts:
            slug = p.story.article.slug
            legs = story_legs(plan, slug)
            pdf, whole = bodies[slug]
            body = whole.without(plan.art_keys(slug))  # pictures set across columns
            if not legs:
                continue
            shared = cut_legs(body, legs)
            if shared is None:
                short[slug] = body.overflow_mm([leg.height_mm for _, leg in legs])
                continue
            drawn, cut = shared
            cuts[slug] = StoryLegs(pdf=pdf, body=drawn, legs=tuple(legs), cuts=tuple(cut))
        if not short or attempt == ATTEMPTS - 1:
            break
        for slug, rest in short.items():
            m = measures[slug]
            # (Planned from its strips, a body always fits: this is the safety net, planned
            # from its height with room to spare.)
            body_mm = m.body_mm + rest + 2 * grid.line_mm * (attempt + 1)
            measures[slug] = dataclasses.replace(m, body_mm=body_mm, body=None)
        plan = planned([measures[p.story.article.slug] for p in parts])
    warnings.extend(
        BuildWarning(
            code="makeup-overflow",
            message="the story's body runs past the legs planned for it: text is missing",
            where=slug,
        )
        for slug in short
    )
    warnings.extend(BuildWarning(code="makeup", message=m, where="flatplan") for m in plan.warnings)
    warnings.extend(
        BuildWarning(
            code="makeup-left-out",
            message=(
                f"left out of the {len(plan.pages) + front_count} pages the issue is fixed at"
                f" ({u.words:,} words, {u.pages:.1f} pages): see the flatplan's note"
            ),
            where=u.slug,
        )
        for u in plan.unplaced
    )
    breaks = page_breaks(cuts)

    # The front pages, with the page numbers the plan gives.
    out: list[PartLayout] = []
    html_bytes = 0
    if edition.front_pages is not None:
        # (A story a fixed page count left out has no number: the contents leave it out.)
        numbers = {slug: n for slug in measures if (n := plan.start_page(slug) or 0)}
        matter = edition.front_pages(numbers)
        front = front_document(
            options, dataclasses.replace(matter, contents_html=""), edition=articles
        )
        pdf, record = layouts.one(
            "mk-front", front.html, front.images, "the front pages", stories=len(parts)
        )
        out.append(PartLayout(pdf=pdf, pages=_pages(record), warnings=tuple(_warnings(record))))
        if on_front is not None:
            on_front(FrontReady(pdf=pdf, page_breaks=breaks))
        html_bytes += len(front.html.encode("utf-8"))

    # 5. pages: heads, photos and furniture; then the legs laid on.
    photos = lead_photos(
        parts, plan, geometry, options, cache=cache, colours=colours, warnings=warnings
    )
    stories = {
        p.story.article.slug: dataclasses.replace(
            p.story, hrefs={**p.story.hrefs, **photos.hrefs.get(p.story.article.slug, {})}
        )
        for p in parts
    }
    # Each page a document of its own: laid out side by side on the workers, and after one
    # story changes only the pages whose HTML changed are laid out again.
    htmls = [
        pages_document(
            plan,
            stories,
            geometry,
            furniture,
            bleed_mm=options.bleed_mm,
            panels={f"house-{n}": h for n, h in enumerate(panels_html)},
            language=language,
            first_page=front_count + 1,
            top_html=(
                _contents_box(matter.contents_html)
                if front_count and matter.contents_html
                else masthead_html(furniture)
                if options.masthead and not front_count
                else ""
            ),
            masthead=options.masthead and not front_count,
            sections={p.story.article.slug: p.section for p in parts},
            only=n,
        )
        for n in range(len(plan.pages))
    ]
    html_bytes += sum(len(h.encode("utf-8")) for h in htmls)
    images = {**dict(matter.images), **photos.images}
    laid_pages = layouts.many("mk-page", [(h, images) for h in htmls], stories=len(parts))
    page_pdfs: list[tuple[int, bytes]] = []
    for page, laid in zip(plan.pages, laid_pages, strict=True):
        if isinstance(laid, Failed):
            raise LayoutError(
                f"laying out page {page.number} {_reason(laid)}", where="the print edition"
            )
        page_pdf, record = laid
        if _pages(record) != 1:  # pragma: no cover - positioned boxes in a page-tall section
            raise LayoutError(f"page {page.number} ran over its page", where="the print edition")
        warnings.extend(w for w in _warnings(record) if w not in warnings)
        page_pdfs.append((page.number, page_pdf))
    out.extend(PartLayout(pdf=pdf, pages=1) for pdf in overlay_legs(page_pdfs, cuts, geometry))
    colour_map: dict[str, ProcessedImage] = dict(photos.colours)
    for p in parts:
        colour_map.update(p.colours)
    colour_map.update(dict(matter.colours))
    return LaidOut(
        layouts=tuple(out),
        stories=tuple(parts),
        plan=plan,
        matter=matter,
        colours=colour_map,
        html_bytes=html_bytes,
        stats=PartsStats(
            laid_out=layouts.laid_out,
            cached=layouts.cached,
            relaid=0,
            seconds=round(time.perf_counter() - started, 3),
        ),
        warnings=(*failed, *warnings),
        page_breaks=breaks,
    )


def _contents_box(html: str) -> str:
    return f'<section class="contents-page mk-contents">{html}</section>'


def _boxes(record: Mapping[str, object]) -> dict[str, tuple[float, float]]:
    found: dict[str, tuple[float, float]] = {}
    pages = record.get("boxes", [])
    for page in pages if isinstance(pages, list) else []:
        for key, (top, bottom) in page.items():
            found.setdefault(key, (float(top), float(bottom)))
    return found


def _pages(record: Mapping[str, object]) -> int:
    pages = record.get("pages", 0)
    return int(pages) if isinstance(pages, int | float | str) else 0


__all__ = [
    "LAYOUT_FAILED",
    "Controls",
    "Edition",
    "EditionSection",
    "FrontPages",
    "FrontReady",
    "LaidOut",
    "lay_out",
]
