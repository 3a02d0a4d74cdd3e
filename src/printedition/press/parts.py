"""Parts: articles → the HTML of one part of the edition, and its layout.

An edition is laid out in parts: the front pages (masthead, front page, contents) and one part
per section; a plain ``printedition pdf`` is one part (masthead and stories). The steps:

1. document (``story_document`` / ``front_document``): images read, their sizes planned
   (``layout.plan_pages``) and processed for the press, the part's HTML written. A section part
   that does not open the edition starts with one page that is not printed (it carries the
   running strings and takes the ``:first`` page rule), its folio counter reset so its first
   printed page is ``first_page``, on the side that number stands on (odd: right);
2. layout (``render_part``, in any process): WeasyPrint lays the part out. The body of a part
   does not depend on its first page (only the folio line does), so a part's page count is
   known from any layout of it.

Comes out: ``PartDocument`` (HTML, images, stories, estimates) and ``PartLayout`` (PDF and what
stands on each printed page).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from printedition.errors import InputError
from printedition.images import ProcessedImage
from printedition.model import Article, BuildWarning
from printedition.press.engine import PageSpace, render
from printedition.press.fill import EditionMatter
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
from printedition.press.options import PressOptions, check_options, read_icc
from printedition.press.pictures import (
    ImageCache,
    ImageWork,
    prepare_images,
    read_images,
    warm_cache,
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
    variant: str
    date: str  # the edition's date: subset fonts are stamped with it
    lead_pages: int  # pages at the head of the layout that are not printed (0 or 1)
    first_page: int
    style: PageStyle  # its stylesheets and fonts are fetched from the style's folder
    stories: tuple[StoryLayout, ...] = ()
    warnings: tuple[BuildWarning, ...] = ()
    story_estimates: tuple[int, ...] = ()  # each story's pages, from the planner's model
    # A proof's photos: the press image stream's digest → the same photo in colour.
    colours: dict[str, ProcessedImage] = field(default_factory=dict)

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


def furniture_for(options: PressOptions, edition: Sequence[Article], *, masthead: bool) -> Furniture:
    """The page furniture of the edition (month and date from all its articles)."""
    return Furniture(
        paper=options.paper,
        month=options.month or default_month(edition),
        issue_line=options.issue_line,
        masthead=masthead,
        date=default_date(edition),
    )


def story_document(
    articles: Sequence[tuple[Article, ResourcePolicy]],
    options: PressOptions,
    matter: EditionMatter,
    *,
    cache: ImageCache,
    section: str | None,
    edition: Sequence[Article],
    colours: bool,
    first_page: int = 1,
) -> PartDocument:
    """A part of stories. ``section`` names a section part (its head, each story on a new page,
    an unprinted lead page so it may start anywhere); ``None`` is a whole plain edition in one
    part (masthead on page 1, stories sharing pages where they fit). ``edition`` is every
    printed article: the folio month and the document date come from all of them. ``colours``:
    also make each photo in colour for a proof."""
    if not articles:
        raise InputError("no articles to print")
    check_options(options)
    icc, icc_digest = read_icc(options)
    geometry = Geometry.for_format(options.page_format, options.style)
    warnings: list[BuildWarning] = []
    images: dict[str, bytes] = {}
    colour_images: dict[str, ProcessedImage] = {}
    job = ImageWork(
        colour=options.colour,
        icc=icc,
        icc_digest=icc_digest,
        strict=options.strict_images,
        cache=cache,
    )
    sources = [read_images(a, p, options.strict_images, warnings) for a, p in articles]
    opening = section is None
    page_plans = plan_pages(
        [
            (a, {u: (s.width, s.height) for u, s in src.items()})
            for (a, _), src in zip(articles, sources, strict=True)
        ],
        geometry,
        first_page_used_mm=None if opening and options.masthead else 0.0,
        share=opening,
        section_starts=frozenset() if opening else frozenset({0}),
    )
    warm_cache(
        [
            (src[url], fplan, policy)
            for (_, policy), src, plan in zip(articles, sources, page_plans, strict=True)
            for url, fplan in plan.plans.items()
        ],
        job,
        (options.colour, "rgb") if colours else (options.colour,),
    )
    stories = []
    for (article, policy), src, plan in zip(articles, sources, page_plans, strict=True):
        plans = dict(plan.plans)
        hrefs = prepare_images(
            article, src, plans, policy, job, images, warnings,
            colour_images if colours else None,
        )  # fmt: skip
        stories.append(
            StoryLayout(
                article=article, plans=plans, hrefs=hrefs, follows=opening and plan.follows
            )
        )
    furniture = furniture_for(options, edition, masthead=opening and options.masthead)
    if opening:
        html = build_document(
            stories,
            geometry=geometry,
            furniture=furniture,
            bleed_mm=options.bleed_mm,
        )
    else:
        html = build_document(
            stories,
            geometry=geometry,
            furniture=furniture,
            bleed_mm=options.bleed_mm,
            sections=(Section(title=section or "", start=0),),
            # The unprinted lead page: the front-page slot breaks the page after itself.
            front_page_html='<div class="part-lead"></div>',
            extra_css=_START + _part_css(first_page) + _END,
        )
    estimates = []
    for n, story in enumerate(stories):
        story_opening, body = estimate_story_mm(story, geometry)
        head = options.style.space.section_head_mm if n == 0 and not opening else 0.0
        extent = head + story_opening + body / geometry.columns
        estimates.append(max(1, math.ceil(extent / geometry.content_height_mm - 0.03)))
    return PartDocument(
        html=html,
        images=images,
        variant=options.variant,
        date=furniture.date,
        lead_pages=0 if opening else 1,
        first_page=first_page,
        style=options.style,
        stories=tuple(stories),
        warnings=tuple(warnings),
        story_estimates=tuple(estimates),
        colours=colour_images,
    )


def front_document(
    options: PressOptions, matter: EditionMatter, *, edition: Sequence[Article]
) -> PartDocument:
    """The first pages: masthead, the front page and the contents page (their page numbers
    already written in: this part is laid out apart from the stories)."""
    check_options(options)
    geometry = Geometry.for_format(options.page_format, options.style)
    furniture = furniture_for(options, edition, masthead=options.masthead)
    html = build_document(
        (),
        geometry=geometry,
        furniture=furniture,
        bleed_mm=options.bleed_mm,
        front_page_html=matter.front_page_html,
        contents_html=matter.contents_html,
    )
    return PartDocument(
        html=html,
        images=dict(matter.images),
        variant=options.variant,
        date=furniture.date,
        lead_pages=0,
        first_page=1,
        style=options.style,
    )


def render_part(document: PartDocument) -> PartLayout:
    """Step 2: WeasyPrint lays the part out (safe to run in a worker process)."""
    laid = render(
        document.html,
        document.images,
        variant=document.variant,
        date=document.date,
        style=document.style,
    )
    return PartLayout(
        pdf=laid.pdf,
        lead_pages=document.lead_pages,
        spaces=laid.spaces[document.lead_pages :],
        warnings=laid.warnings,
    )


__all__ = [
    "PartDocument",
    "PartLayout",
    "front_document",
    "furniture_for",
    "render_part",
    "story_document",
]
