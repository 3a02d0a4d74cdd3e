"""Runs: a story longer than the space it opens in (pure planning, no layout).

Goes in: the page being planned (``PageWork``), a story as measured and the planner for the
issue's photo scale. Comes out: the story placed: its head across the page, full-width legs
to the foot and over the following pages (a picture of its text heading a page it runs on to),
its last legs balanced, and the page they end on, for ``packing`` to go on from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from printedition.press.bands import Planner
from printedition.press.body import Body
from printedition.press.flatplan import (
    EPS,
    Art,
    ArtPlace,
    Grid,
    Leg,
    PanelPlace,
    Placed,
    Rect,
    StoryMeasure,
)

JUMP_LINES = 1.5  # a "continued on page" line under a long story's last leg on a page
MIN_LEG_LINES = 12  # the last legs of a run-on story are at least this long
RUN_ON_SHARE = 0.18  # a story opens in what is left of a page this tall, and runs on


@dataclass(slots=True)
class PageWork:
    """A page as the planner fills it (what stands on it so far, where the space left begins)."""

    number: int
    top: float  # where the area for stories starts (masthead, run-on legs)
    section: str = ""
    stories: list[Placed] = field(default_factory=list)
    panels: list[PanelPlace] = field(default_factory=list)
    briefs_box: Rect | None = None
    covered: float = 0.0
    whole: bool = False  # a tail page whose story needs all of it: no reserve


def is_long(story: StoryMeasure, planner: Planner, height: float) -> bool:
    """Whether ``story`` set across the page stands taller than ``height``: it must run on."""
    cell = planner.shape(story, planner.grid.columns, lead=True, picture_led=False)
    return cell is None or cell.height > height + EPS


def opener_planner(story: StoryMeasure, planner: Planner, room: float, *, lead: bool) -> Planner | None:
    """A planner whose shape of ``story`` opens in ``room`` mm (head, photo, caption and ten
    lines of legs), its photo smaller where need be; None if none does."""
    grid = planner.grid
    for factor in (1.0, 0.75, 0.5, 0.35, 0.25, 0.15):
        opener = Planner(grid, min(1.0, planner.scale) * factor) if factor < 1.0 else planner
        cell = opener.shape(story, grid.columns, lead=lead, picture_led=False)
        if cell is None:
            continue
        if cell.head + grid.lines(cell.photo + cell.caption) + 10 * grid.line_mm <= room:
            return opener

    return None


class Rest:
    """What of a story's body is still to place, as legs are given to it: exact from its
    strips, else estimated with a line lost at every leg's end."""

    def __init__(self, story: StoryMeasure, grid: Grid, *, photo: bool = False) -> None:
        body = story.photo_body if photo and story.photo_key else story.body
        self.body = body if body is not None and len(body) else None
        self.grid = grid
        self.at = 0  # the first strip not yet placed
        self.mm = self.body.height_mm if self.body is not None else story.body_mm

    def take(self, heights: list[float]) -> None:
        if self.body is not None:
            _, self.at = self.body.run(heights, self.at)
            self.mm = self.body.rest_mm(self.at)
        else:
            self.mm -= sum(h - self.grid.line_mm for h in heights)

    def balanced(self, offsets: list[float]) -> float:
        """The height of legs (each ``offsets[i]`` shorter) that hold the rest."""
        if self.body is not None:
            return self.body.balanced(offsets, self.at)
        span = len(offsets)
        return self.grid.lines((self.mm + sum(offsets)) / span + self.grid.line_mm)

    def state(self) -> tuple[Body | None, int, float]:
        return self.body, self.at, self.mm

    def restore(self, state: tuple[Body | None, int, float]) -> None:
        self.body, self.at, self.mm = state

    def next_art(self, story: StoryMeasure) -> Art | None:
        """The next picture still ahead in the text whose pixels carry two columns, taken
        out of the body to stand across columns."""
        if self.body is None:
            return None
        for art in story.art:
            index = self.body.index_of(art.key)
            if index is None or index < self.at or art.photo.max_span(self.grid) < 2:
                continue
            self.body = self.body.without(frozenset({art.key}))
            self.mm = self.body.rest_mm(self.at)
            return art
        return None


def run_on(
    story: StoryMeasure,
    planner: Planner,
    page: PageWork,
    pages: list[PageWork],
    label: str,
    *,
    lead: bool = True,
    scale: float = 1.0,
) -> PageWork:
    """A story longer than the space it opens in: its head across the page, then full-width
    legs to the foot and over the following pages; returns the page its last legs stand on
    (``top`` below them)."""
    grid = planner.grid
    cols = grid.columns
    cell = planner.shape(story, cols, lead=lead, picture_led=False)
    assert cell is not None
    top = page.top
    # A head taller than half a page (a pathological headline) is given half a page; a photo
    # that then leaves no ten lines of legs goes (both reported by the caller's check).
    head_mm = min(cell.head, 0.5 * grid.height_mm)
    head = Rect(column=0, span=cols, top_mm=top, height_mm=head_mm)
    pspan = cell.photo_span
    room = grid.height_mm - head.bottom_mm - 10 * grid.line_mm
    if pspan and grid.lines(cell.photo + cell.caption) > room:
        pspan = 0
    below = grid.lines(cell.photo + cell.caption) if pspan else 0.0
    photo = (
        Rect(column=0, span=pspan, top_mm=head.bottom_mm, height_mm=cell.photo + cell.caption)
        if pspan
        else None
    )
    legs_top = head.bottom_mm
    jump = JUMP_LINES * grid.line_mm  # the "continued on page" line under the last leg
    legs: list[Leg] = []
    for i in range(cols):
        offset = below if i < pspan else 0.0
        h = max(grid.line_mm, grid.height_mm - legs_top - offset - jump)
        legs.append(Leg(column=i, top_mm=legs_top + offset, height_mm=h))
    rest = Rest(story, grid, photo=photo is not None)
    rest.take([leg.height_mm for leg in legs])
    page.stories.append(
        Placed(
            slug=story.slug,
            kind="story",
            box=Rect(column=0, span=cols, top_mm=top, height_mm=grid.height_mm - top),
            head=head,
            photo=photo,
            photo_mm=cell.photo,
            photo_key=story.photo_key if photo is not None else "",
            legs=tuple(legs),
            lead=lead,
            section_label=label,
            continues=rest.mm > 0,
        )
    )
    page.covered += cols * (grid.height_mm - top)
    page.section = page.section or story.section
    page.top = grid.height_mm  # its legs run to the foot
    shortest = MIN_LEG_LINES * grid.line_mm
    while rest.mm > 0:
        page = PageWork(number=page.number + 1, top=0.0, section=story.section)
        pages.append(page)
        # Under a "continued from" line; a picture from the text may head the page across
        # columns (the text under and beside it) while enough text is left to stand by it.
        # Not if it would leave the story a few lines overleaf: then it is cropped shorter,
        # or stays in the text.
        room = grid.height_mm - grid.label_mm
        saved = rest.state()
        art = rest.next_art(story) if rest.mm >= shortest * cols else None
        with_art = rest.state()
        crops: list[float | None] = [1.0, 0.8, 0.6, None] if art is not None else [None]
        for crop in crops:
            if crop is None and art is not None:
                rest.restore(saved)  # the picture stays in the text
                art = None
            else:
                rest.restore(with_art)
            art_place: tuple[ArtPlace, ...] = ()
            if art is not None and crop is not None:
                # Three columns of five (two of fewer), one more in an issue whose pictures
                # are enlarged to fill its pages; never more than its pixels carry.
                wide = (3 if cols >= 5 else 2) + (1 if scale >= 1.3 and cols >= 4 else 0)
                aspan = min(art.photo.max_span(grid), wide)
                # (Taller, its sides cropped, in an issue whose pictures are enlarged.)
                natural = art.photo.height(grid, aspan, max(1.0, min(scale, 1.5)))
                photo_mm = min(natural * crop, 0.45 * grid.height_mm)
                caption = art.photo.caption_mm.get(aspan, 2 * grid.line_mm) + 2.0
                under = grid.lines(photo_mm + caption)
                box = Rect(column=0, span=aspan, top_mm=grid.label_mm, height_mm=photo_mm + caption)
                art_place = (ArtPlace(key=art.key, box=box, photo_mm=photo_mm),)
                span = cols
                offsets = [under if i < aspan else 0.0 for i in range(span)]
            else:
                # The last legs: as many columns as keep each leg a readable length (a photo
                # or a table in the text needs room), all ending together.
                span = max(1, min(cols, int(rest.mm // shortest)))
                offsets = [0.0] * span
            h = min(rest.balanced(offsets), room)
            if h >= room - EPS:  # runs on again: room for the "continued on page" line
                h = room - jump
            if span < cols:
                h = max(h, shortest)
            if art_place:
                h = max(h, min(room, max(offsets) + 4 * grid.line_mm))
            before = rest.mm
            rest.take([h - o for o in offsets])
            if rest.mm >= before:  # a block taller than a page: nothing more can be placed
                rest.mm = 0.0
            if not art_place or rest.mm <= 0 or rest.mm >= 2 * shortest:
                break
        page.stories.append(
            Placed(
                slug=story.slug,
                kind="run-on",
                box=Rect(column=0, span=span, top_mm=0.0, height_mm=h + grid.label_mm),
                head=None,
                photo=None,
                photo_mm=0.0,
                legs=tuple(
                    Leg(column=i, top_mm=grid.label_mm + o, height_mm=h - o)
                    for i, o in enumerate(offsets)
                ),
                continued=True,
                continues=rest.mm > 0,
                art=art_place,
            )
        )
        page.covered += span * (h + grid.label_mm)
        end = h + grid.label_mm
        page.top = end + grid.story_gap_mm if end < grid.height_mm - EPS else grid.height_mm
    return page




def open_at_foot(
    story: StoryMeasure,
    planner: Planner,
    page: PageWork,
    pages: list[PageWork],
    last_section: str,
) -> PageWork | None:
    """``story`` opened in what is left of ``page`` and run on overleaf, if it is long enough
    to run on and its headline stands above the page's bottom fifth; the page its last legs
    stand on, or None (``page`` as it was)."""
    grid = planner.grid
    label = story.section if story.section != last_section else ""
    top = page.top + grid.story_gap_mm + (grid.label_mm if label else 0.0)
    if story.words < 500 or top > 0.8 * grid.height_mm:
        return None
    opener = opener_planner(story, planner, grid.height_mm - top, lead=False)
    if opener is None:
        return None
    page.top = top
    return run_on(story, opener, page, pages, label, lead=False, scale=planner.scale)


