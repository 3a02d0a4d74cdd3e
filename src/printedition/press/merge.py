"""Parts: a press PDF laid out in parts (front pages, one part per section) → one file.

Goes in: the articles of one part with the ``PressOptions`` of the whole edition and the page
the part will start on. The stages, in order:

1. document (``section_document`` / ``front_document``): images read, planned and processed as
   ``write_pdf`` does, the part's HTML written; a section part opens with one page that is not
   printed (it carries the running strings and takes the ``:first`` page rule), its folio
   counter reset so its first printed page is ``first_page``, on the side that number stands
   on (odd: right);
2. layout (``render_part``, in any process): WeasyPrint lays the part out; the body of a part
   does not depend on its first page (only the folio line does), so a part's page count is
   known from any layout of it;
3. assemble (``assemble``): pikepdf joins the parts' pages with their bookmarks and named
   destinations, house material is fitted to the joined pages, and the file is finished and
   preflighted exactly as ``write_pdf`` finishes a one-pass file.

Comes out: the PDF at ``out`` and a ``PressResult``, as from ``write_pdf``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf

from printedition.errors import ConfigError, InputError
from printedition.model import Article, BuildWarning
from printedition.press import pdf as _pdf
from printedition.press.layout import (
    Furniture,
    Geometry,
    Section,
    StoryLayout,
    build_document,
    default_date,
    default_month,
    estimate_story_mm,
    plan_pages,
)
from printedition.press.pdf import (
    ImageCache,
    PageSpace,
    PressFetcher,
    PressOptions,
    PressResult,
    _captured_weasyprint_log,
    _check_options,
    _deliver,
    _finish,
    _house_material,
    _prepare_images,
    _read_icc,
    _read_images,
    _source_date,
    _warm_cache,
)
from printedition.resources import ResourcePolicy
from printedition.style import PageStyle

_START = "/* part-start */"
_END = "/* part-end */"


@dataclass(frozen=True, slots=True, kw_only=True)
class PartDocument:
    """One part's HTML and the processed images it uses (href → bytes)."""

    html: str
    images: dict[str, bytes]
    date: str  # the edition's date: subset fonts are stamped with it
    lead_pages: int  # pages at the head of the layout that are not printed (0 or 1)
    first_page: int
    style: PageStyle  # its stylesheets and fonts are fetched from the style's folder
    stories: tuple[StoryLayout, ...] = ()
    warnings: tuple[BuildWarning, ...] = ()
    story_estimates: tuple[int, ...] = ()  # each story's pages, from the planner's model

    @property
    def estimate(self) -> int:
        return max(1, sum(self.story_estimates))

    @property
    def template(self) -> str:
        """The HTML without its first page: the same for every start (cache keys, counts)."""
        head, _, rest = self.html.partition(_START)
        return head + rest.partition(_END)[2]

    def starting_at(self, first_page: int) -> PartDocument:
        if first_page == self.first_page or not self.lead_pages:
            return self
        head, _, rest = self.html.partition(_START)
        html = head + _START + _part_css(first_page) + _END + rest.partition(_END)[2]
        return dataclasses.replace(self, html=html, first_page=first_page)


@dataclass(frozen=True, slots=True, kw_only=True)
class PartLayout:
    """One laid-out part: its PDF (lead pages included) and what stands on each printed page."""

    pdf: bytes
    lead_pages: int
    spaces: tuple[PageSpace, ...]  # printed pages only
    warnings: tuple[BuildWarning, ...] = ()

    @property
    def pages(self) -> int:
        return len(self.spaces)

    def to_json(self) -> dict[str, Any]:
        return {
            "lead_pages": self.lead_pages,
            "spaces": [dataclasses.asdict(s) for s in self.spaces],
            "warnings": [dataclasses.asdict(w) for w in self.warnings],
        }

    @classmethod
    def from_json(cls, pdf: bytes, data: dict[str, Any]) -> PartLayout:
        return cls(
            pdf=pdf,
            lead_pages=int(data["lead_pages"]),
            spaces=tuple(
                PageSpace(**{**s, "anchors": tuple(s["anchors"])}) for s in data["spaces"]
            ),
            warnings=tuple(BuildWarning(**w) for w in data["warnings"]),
        )


def _part_css(first_page: int) -> str:
    # The unprinted lead page stands on the other side, so the first printed one is on the
    # side its number stands on (odd: right), and it counts on to ``first_page``.
    lead_side = "left" if first_page % 2 else "right"
    return f"html {{ break-before: {lead_side}; }} @page :first {{ counter-reset: page {first_page - 1}; }}"


def _furniture(options: PressOptions, articles: Sequence[Article], *, masthead: bool) -> Furniture:
    return Furniture(
        paper=options.paper,
        month=options.month or default_month(articles),
        issue_line=options.issue_line,
        masthead=masthead,
        proof=options.proof,
        date=default_date(articles),
    )


def _bleed(options: PressOptions) -> float:
    return max(options.bleed_mm, 8.0) if options.proof else options.bleed_mm


def section_document(
    articles: Sequence[tuple[Article, ResourcePolicy]],
    options: PressOptions,
    *,
    title: str,
    first_page: int,
    edition: Sequence[Article],
) -> PartDocument:
    """A section part: its head and stories, each story on a new page (as in the issue's one
    pass, where the front and contents pages stop stories from sharing pages). ``edition`` is
    every printed article: the folio month and the document date come from all of them."""
    if not articles:
        raise InputError("no articles to print")
    _check_options(options)
    icc, icc_digest = _read_icc(options)
    geometry = Geometry.for_format(options.page_format, options.style)
    warnings: list[BuildWarning] = []
    images: dict[str, bytes] = {}
    cache: ImageCache = options.image_cache if options.image_cache is not None else {}
    sources = [_read_images(a, p, options, warnings) for a, p in articles]
    page_plans = plan_pages(
        [
            (a, {u: (s.width, s.height) for u, s in src.items()})
            for (a, _), src in zip(articles, sources, strict=True)
        ],
        geometry,
        first_page_used_mm=0.0,
        share=False,
        section_starts=frozenset({0}),
    )
    _warm_cache(
        [
            (src[url], fplan, policy)
            for (_, policy), src, plan in zip(articles, sources, page_plans, strict=True)
            for url, fplan in plan.plans.items()
        ],
        colour="rgb" if options.proof else options.colour,
        icc=icc,
        icc_digest=icc_digest,
        cache=cache,
    )
    stories = []
    for (article, policy), src, plan in zip(articles, sources, page_plans, strict=True):
        plans = dict(plan.plans)
        hrefs = _prepare_images(
            article, src, plans, policy, options, icc, icc_digest, images, cache, warnings
        )
        stories.append(StoryLayout(article=article, plans=plans, hrefs=hrefs, follows=False))
    furniture = _furniture(options, edition, masthead=False)
    html = build_document(
        stories,
        geometry=geometry,
        furniture=furniture,
        bleed_mm=_bleed(options),
        sections=(Section(title=title, start=0),),
        # The unprinted lead page: the front-page slot breaks the page after itself.
        front_page_html='<div class="part-lead"></div>',
        extra_css=_START + _part_css(first_page) + _END,
    )
    estimates = []
    for n, story in enumerate(stories):
        opening, body = estimate_story_mm(story, geometry)
        head = options.style.space.section_head_mm if n == 0 else 0.0
        extent = head + opening + body / geometry.columns
        estimates.append(max(1, math.ceil(extent / geometry.content_height_mm - 0.03)))
    return PartDocument(
        html=html,
        images=images,
        date=furniture.date,
        lead_pages=1,
        first_page=first_page,
        style=options.style,
        stories=tuple(stories),
        warnings=tuple(warnings),
        story_estimates=tuple(estimates),
    )


def front_document(options: PressOptions, *, edition: Sequence[Article]) -> PartDocument:
    """The first pages: masthead, ``options.front_page_html`` and ``options.contents_html``
    (their page numbers already written in: this part is laid out apart from the stories)."""
    _check_options(options)
    geometry = Geometry.for_format(options.page_format, options.style)
    furniture = _furniture(options, edition, masthead=options.masthead)
    html = build_document(
        (),
        geometry=geometry,
        furniture=furniture,
        bleed_mm=_bleed(options),
        front_page_html=options.front_page_html,
        contents_html=options.contents_html,
    )
    return PartDocument(
        html=html,
        images=dict(options.extra_images),
        date=furniture.date,
        lead_pages=0,
        first_page=1,
        style=options.style,
    )


def render_part(document: PartDocument, *, variant: str, proof: bool) -> PartLayout:
    """Stage 2: WeasyPrint lays the part out (safe to run in a worker process)."""
    fetcher = PressFetcher(document.images, document.style)
    spaces: list[PageSpace] = []
    with _captured_weasyprint_log() as log, _source_date(document.date):
        # (Looked up on the module at each call, like write_pdf's, so one hook sees both.)
        pdf = _pdf._render(document.html, fetcher, variant, proof, spaces)
    if fetcher.missing:
        raise ConfigError(
            f"the style is missing {', '.join(sorted(set(fetcher.missing)))}",
            where=str(document.style.folder),
        )
    warnings = [
        BuildWarning(code="resource-refused", message="refused to fetch", where=url)
        for url in sorted(set(fetcher.refused))
    ]
    seen: set[str] = set()
    for record in log:
        message = record.getMessage()[:300]
        if "HarfBuzz-Subset" in message or message in seen:
            continue
        seen.add(message)
        warnings.append(BuildWarning(code="layout", message=message, where="weasyprint"))
    return PartLayout(
        pdf=pdf,
        lead_pages=document.lead_pages,
        spaces=tuple(spaces[document.lead_pages :]),
        warnings=tuple(warnings),
    )


# ---------------------------------------------------------------------------------------------
# Stage 3: assemble
# ---------------------------------------------------------------------------------------------


def _outline(
    pdf: pikepdf.Pdf, index: dict[tuple[int, int], int]
) -> list[tuple[str, int, list[Any], bool, list[Any]]]:
    """The bookmarks: (title, page index, rest of the destination, closed, children)."""

    def walk(items: Sequence[pikepdf.OutlineItem]) -> list[Any]:
        out = []
        for item in items:
            dest = item.destination
            if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen in index:
                out.append(
                    (
                        item.title,
                        index[dest[0].objgen],
                        list(dest[1:]),
                        item.is_closed,
                        walk(item.children),
                    )
                )
            else:
                out.extend(walk(item.children))
        return out

    with pdf.open_outline() as outline:
        return walk(outline.root)


def _dests(pdf: pikepdf.Pdf, index: dict[tuple[int, int], int]) -> list[tuple[str, int, list[Any]]]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    out = []
    for name, dest in pikepdf.NameTree(names.Dests).items():
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.get("/D", pikepdf.Array())
        if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen in index:
            out.append((str(name), index[dest[0].objgen], list(dest[1:])))
    return out


def merge_parts(parts: Sequence[PartLayout]) -> bytes:
    """The parts' printed pages in order, in one file that keeps the first part's document
    information and metadata, with every part's bookmarks and named destinations."""
    outline: list[Any] = []
    dests: list[tuple[str, int, list[Any]]] = []
    offsets = [0]
    for part in parts:
        offsets.append(offsets[-1] + part.pages)
    # Pages copied from another file keep reading its streams until the merged file is saved.
    sources: list[pikepdf.Pdf] = []
    with pikepdf.open(io.BytesIO(parts[0].pdf)) as merged:
        try:
            for n, part in enumerate(parts):
                source = merged if n == 0 else pikepdf.open(io.BytesIO(part.pdf))
                if n:
                    sources.append(source)
                if len(source.pages) != part.lead_pages + part.pages:
                    raise RuntimeError("a part's PDF does not match its layout record")
                index = {
                    p.obj.objgen: offsets[n] + i - part.lead_pages
                    for i, p in enumerate(source.pages)
                    if i >= part.lead_pages
                }
                outline.extend(_outline(source, index))
                dests.extend(_dests(source, index))
                if n == 0:
                    for _ in range(part.lead_pages):
                        del merged.pages[0]
                else:
                    merged.pages.extend(list(source.pages)[part.lead_pages :])
            pages = list(merged.pages)

            def item(entry: tuple[str, int, list[Any], bool, list[Any]]) -> pikepdf.OutlineItem:
                title, page, rest, closed, children = entry
                made = pikepdf.OutlineItem(title, pikepdf.Array([pages[page].obj, *rest]))
                made.is_closed = closed
                made.children.extend(item(c) for c in children)
                return made

            with merged.open_outline() as target:
                target.root.clear()
                target.root.extend(item(e) for e in outline)
            if dests:
                tree = pikepdf.NameTree.new(merged)
                for name, page, rest in sorted(dests, key=lambda d: d[0]):
                    tree[name] = pikepdf.Array([pages[page].obj, *rest])
                if "/Names" not in merged.Root:
                    merged.Root.Names = pikepdf.Dictionary()
                merged.Root.Names.Dests = tree.obj
            out = io.BytesIO()
            merged.save(out, static_id=True, deterministic_id=False)
        finally:
            for source in sources:
                source.close()
    return out.getvalue()


def assemble(
    parts: Sequence[PartLayout],
    documents: Sequence[PartDocument],
    edition: Sequence[Article],
    out: Path,
    options: PressOptions,
) -> PressResult:
    """Stage 3: join the parts (in page order), fit the house material to the joined pages,
    finish and preflight the file as ``write_pdf`` does, and write it to ``out``."""
    _check_options(options)
    icc, _ = _read_icc(options)
    geometry = Geometry.for_format(options.page_format, options.style)
    furniture = _furniture(options, edition, masthead=options.masthead)
    stories = [s for d in documents for s in d.stories]
    spaces = [s for p in parts for s in p.spaces]
    warnings: list[BuildWarning] = [w for d in documents for w in d.warnings]
    for part in parts:
        warnings.extend(w for w in part.warnings if w not in warnings)
    merged = merge_parts(parts)
    fetcher = PressFetcher(dict(options.extra_images), options.style)
    with _captured_weasyprint_log(), _source_date(furniture.date):
        house = _house_material(
            stories, spaces, options, furniture, geometry, _bleed(options), fetcher
        )
    stamp = hashlib.sha256(merged + (house.pdf if house else b"")).hexdigest()
    final, pages = _finish(merged, house, options=options, icc=icc, stamp=stamp)
    return _deliver(
        final, pages, house, out=Path(out), options=options, warnings=warnings,
        html_bytes=sum(len(d.html.encode("utf-8")) for d in documents),
    )


__all__ = [
    "PartDocument",
    "PartLayout",
    "assemble",
    "front_document",
    "merge_parts",
    "render_part",
    "section_document",
]
