"""Parts: articles → stories ready to set and their photos; the front pages' document.

Goes in: the edition's articles with the resource policy their images may be read under, the
options and an image cache. Comes out:

- ``story_parts``: per story a ``StoryParts``: the article with its inline photos processed
  for one column (``layout.StoryLayout``), its lead photo's pixel size (probed, not decoded)
  and, for a proof, every photo in colour;
- ``lead_photos``: the lead photos processed for the width the flatplan gives them;
- ``front_document``: an issue's front page and contents page as one document (masthead,
  ``matter.front_page_html``, ``matter.contents_html``) and ``PartLayout``, a laid-out part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from printedition.errors import InputError
from printedition.images import ProcessedImage
from printedition.model import Article, BuildWarning
from printedition.press.flatplan import ArtPlace, Flatplan
from printedition.press.layout import (
    FigurePlan,
    Furniture,
    Geometry,
    StoryLayout,
    build_document,
    default_date,
    default_month,
    plan_inline,
)
from printedition.press.makeup import art_figures
from printedition.press.options import PressOptions, check_options, read_icc
from printedition.press.pictures import (
    ImageCache,
    ImageWork,
    Source,
    prepare_images,
    read_images,
    warm_cache,
)
from printedition.resources import ResourcePolicy
from printedition.style import PageStyle

if TYPE_CHECKING:
    from printedition.press.schedule import Edition


@dataclass(frozen=True, slots=True, kw_only=True)
class EditionMatter:
    """What an edition brings besides its stories (the issue build's own pages and panels);
    empty for a plain ``printedition pdf``."""

    front_page_html: str = ""  # XHTML fragment under the masthead on page 1
    contents_html: str = ""  # XHTML fragment on its own page after the front
    house_panels: tuple[str, ...] = ()  # XHTML of the panels that fill what no story can
    images: tuple[tuple[str, bytes], ...] = ()  # href → bytes its pages use
    # Its pictures in colour for a proof: press image stream digest → the colour image.
    colours: tuple[tuple[str, ProcessedImage], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PartDocument:
    """A document to lay out and the processed images it uses (href → bytes)."""

    html: str
    images: dict[str, bytes]
    variant: str
    date: str  # the edition's date: subset fonts are stamped with it
    style: PageStyle  # its stylesheets and fonts are fetched from the style's folder


@dataclass(frozen=True, slots=True, kw_only=True)
class PartLayout:
    """A laid-out part of the edition: its PDF, every page of it printed."""

    pdf: bytes
    pages: int
    warnings: tuple[BuildWarning, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryParts:
    """One story ready to measure and set."""

    story: StoryLayout  # inline photos processed (hrefs); the lead photo comes later
    section: str
    policy: ResourcePolicy
    images: dict[str, bytes]  # href → processed inline photos
    sources: dict[str, Source]  # url → the photo's bytes and pixel size
    lead_size: tuple[int, int] | None  # the lead photo's pixels
    colours: dict[str, ProcessedImage] = field(default_factory=dict)  # for a proof


@dataclass(frozen=True, slots=True, kw_only=True)
class LeadPhotos:
    """The lead photos processed for where the plan puts them."""

    hrefs: dict[str, dict[str, str]]  # slug → url → href
    images: dict[str, bytes]  # href → bytes
    colours: dict[str, ProcessedImage]  # for a proof


def furniture_for(options: PressOptions, edition: Sequence[Article], *, masthead: bool) -> Furniture:
    """The page furniture of the edition (month and date from all its articles)."""
    return Furniture(
        paper=options.paper,
        month=options.month or default_month(edition),
        issue_line=options.issue_line,
        masthead=masthead,
        date=default_date(edition),
    )


def _work(options: PressOptions, cache: ImageCache) -> ImageWork:
    icc, icc_digest = read_icc(options)
    return ImageWork(
        colour=options.colour,
        icc=icc,
        icc_digest=icc_digest,
        strict=options.strict_images,
        cache=cache,
    )


def _continued(edition: Edition, slug: str) -> bool:
    control = edition.controls.get(slug)
    return control is not None and control.continued


def story_parts(
    edition: Edition,
    options: PressOptions,
    *,
    cache: ImageCache,
    colours: bool,
    warnings: list[BuildWarning],
) -> list[StoryParts]:
    """Every story of ``edition`` with its photos read and its inline photos processed."""
    if not edition.articles:
        raise InputError("no articles to print")
    check_options(options)
    geometry = Geometry.for_format(options.page_format, options.style)
    job = _work(options, cache)
    read: list[tuple[str, Article, ResourcePolicy, dict[str, Source]]] = []
    for part in edition.sections:
        for article, policy in part.articles:
            sources = read_images(article, policy, options.strict_images, warnings)
            read.append((part.title or "", article, policy, sources))
    inline: list[dict[str, FigurePlan]] = []
    for _, article, _, sources in read:
        lead_url = article.lead.image.url if article.lead is not None else None
        inline.append(
            {
                url: plan_inline(src.width, src.height, geometry)
                for url, src in sources.items()
                if url != lead_url
            }
        )
    warm_cache(
        [
            (sources[url], plan, policy)
            for (_, _, policy, sources), plans in zip(read, inline, strict=True)
            for url, plan in plans.items()
        ],
        job,
        (options.colour, "rgb") if colours else (options.colour,),
    )
    out = []
    for (section, article, policy, sources), plans in zip(read, inline, strict=True):
        images: dict[str, bytes] = {}
        colour_images: dict[str, ProcessedImage] = {}
        hrefs = prepare_images(
            article, sources, plans, policy, job, images, warnings,
            colour_images if colours else None,
        )  # fmt: skip
        lead = sources.get(article.lead.image.url) if article.lead is not None else None
        out.append(
            StoryParts(
                story=StoryLayout(
                    article=article,
                    plans=plans,
                    hrefs=hrefs,
                    opening=not _continued(edition, article.slug),
                ),
                section=section,
                policy=policy,
                images=images,
                sources=sources,
                lead_size=(lead.width, lead.height) if lead is not None else None,
                colours=colour_images,
            )
        )
    return out


def lead_photos(
    parts: Sequence[StoryParts],
    plan: Flatplan,
    geometry: Geometry,
    options: PressOptions,
    *,
    cache: ImageCache,
    colours: bool,
    warnings: list[BuildWarning],
) -> LeadPhotos:
    """Each lead photo, and each picture of a body set across columns, processed for the box
    the plan gives it (enlarged boxes crop the photo's sides, so it is resampled for the
    enlarged width)."""
    job = _work(options, cache)
    pictures = options.style.pictures
    found = LeadPhotos(hrefs={}, images={}, colours={})
    placed = {}
    todo: list[tuple[StoryParts, str, FigurePlan]] = []
    arts: dict[str, list[ArtPlace]] = {}
    for page in plan.pages:
        for p in page.stories:
            if p.photo is not None and p.slug not in placed:
                placed[p.slug] = p
            arts.setdefault(p.slug, []).extend(p.art)
    for part in parts:
        article = part.story.article
        figures = art_figures(part.story)
        for art in arts.get(article.slug, []):
            fig = figures.get(art.key)
            source = part.sources.get(fig.image.url) if fig is not None else None
            if fig is None or source is None:
                continue
            width_mm = geometry.span_mm(art.box.span)
            fplan = FigurePlan(
                role="art",
                columns=art.box.span,
                width_mm=width_mm,
                pixel_width=source.width,
                pixel_height=source.height,
                min_ppi=pictures.min_ppi,
                max_ppi=pictures.preferred_ppi,
                crop_ratio=art.photo_mm / width_mm,
            )
            todo.append((part, fig.image.url, fplan))
        where = placed.get(article.slug)
        if where is None or where.photo is None:
            continue
        shown = figures.get(where.photo_key) if where.photo_key else article.lead
        source = part.sources.get(shown.image.url) if shown is not None else None
        if shown is None or source is None:
            continue
        url = shown.image.url
        width_px, height_px = source.width, source.height
        width_mm = geometry.span_mm(where.photo.span)
        # Cropped to its box: a box shorter than the photo takes off its top and foot, a
        # taller one its sides (the flatplan keeps that above the floor resolution).
        fplan = FigurePlan(
            role="lead",
            columns=where.photo.span,
            width_mm=width_mm,
            pixel_width=width_px,
            pixel_height=height_px,
            min_ppi=pictures.min_ppi,
            max_ppi=pictures.preferred_ppi,
            crop_ratio=where.photo_mm / width_mm,
        )
        todo.append((part, url, fplan))
    # Converted on two threads first (the cache), then recorded in order.
    warm_cache(
        [(part.sources[url], fplan, part.policy) for part, url, fplan in todo],
        job,
        (options.colour, "rgb") if colours else (options.colour,),
    )
    for part, url, fplan in todo:
        _prepare(found, part, url, fplan, job, warnings, colours=colours)
    return found


def _prepare(
    found: LeadPhotos,
    part: StoryParts,
    url: str,
    fplan: FigurePlan,
    job: ImageWork,
    warnings: list[BuildWarning],
    *,
    colours: bool,
) -> None:
    """One photo processed for its box, its href recorded for the story."""
    images: dict[str, bytes] = {}
    colour_images: dict[str, ProcessedImage] = {}
    hrefs = prepare_images(
        part.story.article, {url: part.sources[url]}, {url: fplan}, part.policy, job, images,
        warnings, colour_images if colours else None,
    )  # fmt: skip
    found.hrefs.setdefault(part.story.article.slug, {}).update(hrefs)
    found.images.update(images)
    found.colours.update(colour_images)


def front_document(
    options: PressOptions, matter: EditionMatter, *, edition: Sequence[Article]
) -> PartDocument:
    """The first pages: masthead, the front page and the contents page (their page numbers
    already written in)."""
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
        style=options.style,
    )


__all__ = [
    "EditionMatter",
    "LeadPhotos",
    "PartDocument",
    "PartLayout",
    "StoryParts",
    "front_document",
    "furniture_for",
    "lead_photos",
    "story_parts",
]
