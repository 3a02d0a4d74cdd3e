"""Fill: the laid-out edition's pages → the house material that completes it.

Goes in: the stories with what stands on each laid-out page (``PageSpace``), the edition's own
matter (the issue build's panels, front and contents pages) and the options. Comes out:
``HouseMaterial``: one laid-out house document whose panels are laid over the foot of pages a
story ended early on, and the house pages that bring the edition to whole sheets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from printedition.images import ProcessedImage
from printedition.model import BuildWarning
from printedition.press.engine import PageSpace, render
from printedition.press.house import (
    ContentsEntry,
    appeal_panel,
    choose_panels,
    default_panels,
    find_gaps,
    gap_candidates,
    house_document,
    pad_panels,
    subscription_panel,
)
from printedition.press.layout import Furniture, Geometry, StoryLayout
from printedition.press.options import PressOptions
from printedition.render import byline_text

SPARSE_PANEL = 0.4  # a house panel whose content spans less of its box looks empty


@dataclass(frozen=True, slots=True, kw_only=True)
class EditionMatter:
    """What an edition brings besides its stories (the issue build's own pages and panels);
    empty for a plain ``printedition pdf``."""

    front_page_html: str = ""  # XHTML fragment under the masthead on page 1
    contents_html: str = ""  # XHTML fragment on its own page after the front
    house_panels: tuple[str, ...] = ()  # XHTML for the pad pages, used in turn
    images: tuple[tuple[str, bytes], ...] = ()  # href → bytes its pages use
    # Its pictures in colour for a proof: press image stream digest → the colour image.
    colours: tuple[tuple[str, ProcessedImage], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class HouseMaterial:
    """The laid-out house document and what to take from it."""

    pdf: bytes
    pages_pdf: bytes  # the same document, or a plainer one when a house page ran over
    pages: tuple[int, ...]  # pages of ``pages_pdf`` appended to pad the edition, in order
    overlays: tuple[tuple[int, int], ...]  # (edition page, page of ``pdf`` laid over it)
    warnings: tuple[BuildWarning, ...] = ()

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.pdf + self.pages_pdf).digest()


def contents_entries(stories: Sequence[StoryLayout], spaces: Sequence[PageSpace]) -> list[ContentsEntry]:
    """Each story with the page it starts on (read from the laid-out edition)."""
    first: dict[str, int] = {}
    for number, space in enumerate(spaces, start=1):
        for anchor in space.anchors:
            first.setdefault(anchor, number)
    return [
        ContentsEntry(
            headline=s.article.headline,
            kicker=s.article.kicker,
            byline=byline_text(s.article),
            page=first[f"story-{s.article.slug}"],
        )
        for s in stories
        if f"story-{s.article.slug}" in first
    ]


def fit_house_material(
    stories: Sequence[StoryLayout],
    spaces: Sequence[PageSpace],
    matter: EditionMatter,
    *,
    options: PressOptions,
    furniture: Furniture,
    geometry: Geometry,
    bleed: float,
) -> HouseMaterial | None:
    """Stage 4, house material: fit panels into the space left at the foot of pages and make
    the pages that bring the edition to whole sheets; one more (light) layout for all of it."""
    count = len(spaces)
    pad = (-count) % options.pad_to_multiple
    panels = matter.house_panels or default_panels(options.paper, contents_entries(stories, spaces))
    if matter.house_panels:  # the issue build's panels, in turn
        page_panels = [panels[i % len(panels)] for i in range(pad)]
    else:
        page_panels = pad_panels(panels, pad)
    # The front page keeps its own design; every other page's foot may be filled.
    first = 1 if matter.front_page_html else 0
    height = min((s.height_mm for s in spaces), default=0.0)
    gaps = find_gaps([s.used_mm for s in spaces], height, first)
    # An edition with a contents page of its own does not repeat it at the foot of pages.
    gap_panels = [
        i
        for i, panel in enumerate(panels)
        if not (matter.contents_html and 'class="house-panel house-contents"' in panel)
    ] or list(range(len(panels)))
    candidates = gap_candidates(gaps, panels, gap_panels)
    if not page_panels and not candidates:
        return None
    house_html = house_document(
        furniture=furniture,
        geometry=geometry,
        bleed_mm=bleed,
        first_page=count + 1,
        pages=page_panels,
        candidates=[(gap, panels[i]) for gap, i in candidates],
    )
    laid: list[PageSpace] = []
    laid_doc = render(
        house_html,
        dict(matter.images),
        variant=options.variant,
        date=furniture.date,
        style=options.style,
    )
    house_pdf, laid = laid_doc.pdf, list(laid_doc.spaces)
    found = list(laid_doc.warnings)
    # Each candidate stands on a page of its own after the house pages; one that spilled
    # onto a second page (it cannot, with its fixed height, but the check is cheap) is unused.
    where: dict[str, int] = {}
    for i, space in enumerate(laid):
        for anchor in space.anchors:
            where.setdefault(anchor, i)
    starts = [where.get(f"house-gap-{n}") for n in range(len(candidates))]
    ends = [*starts[1:], len(laid)][: len(starts)]
    first_candidate = min((i for i in starts if i is not None), default=len(laid))
    fits = [
        (gap, panel, start)
        for (gap, panel), start, end in zip(candidates, starts, ends, strict=True)
        if start is not None and end == start + 1 and not laid[start].overflow
    ]
    # A panel that would stand lost in a tall space is the last resort, not the first.
    full = [(g, p, i) for g, p, i in fits if laid[i].filled >= SPARSE_PANEL]
    sparse_only = {g.key for g, _, _ in fits} - {g.key for g, _, _ in full}
    overlays = choose_panels(full + [(g, p, i) for g, p, i in fits if g.key in sparse_only])
    pages_pdf, pages = house_pdf, tuple(range(first_candidate))
    if first_candidate != len(page_panels):
        # A house page ran onto a second page (an issue's long panel, a small format): the
        # paper's own short adverts stand in, so the edition stays a whole number of sheets.
        plain = [subscription_panel(options.paper), appeal_panel(options.paper)]
        spare = [plain[(len(page_panels) - 1 - i) % 2] for i in range(len(page_panels))]
        laid_pages: list[PageSpace] = []
        pages_html = house_document(
            furniture=furniture,
            geometry=geometry,
            bleed_mm=bleed,
            first_page=count + 1,
            pages=spare,
            candidates=(),
            )
        pages_doc = render(
            pages_html,
            dict(matter.images),
            variant=options.variant,
            date=furniture.date,
            style=options.style,
        )
        pages_pdf, laid_pages = pages_doc.pdf, list(pages_doc.spaces)
        found.extend(w for w in pages_doc.warnings if w not in found)
        pages = tuple(range(len(laid_pages)))
    return HouseMaterial(
        pdf=house_pdf,
        pages_pdf=pages_pdf,
        pages=pages,
        overlays=tuple(overlays),
        warnings=tuple(found),
    )


__all__ = ["EditionMatter", "HouseMaterial", "contents_entries", "fit_house_material"]
