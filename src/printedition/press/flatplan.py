"""Flatplan: measured stories → pages made up in modular rectangles (pure planning, no layout).

Goes in: the page grid (columns, text area, line height), each story as measured (its head's
height at every span, its body's height in one column, its photo's pixels and caption), and the
editor's controls (rank, pinned page, span). Comes out: a ``Flatplan``: pages, each a list of
rectangles on the column grid (a story's head, photo and body legs; an "In brief" stack; a
house panel), with what is left empty, and warnings.

How a page is made up (the rules newspaper design guides give):
- stories are taken in order (section by section); each is one rectangle: its head across its
  span, the photo under the head across as many columns as its pixels allow (never below
  ``min_ppi``), the body in legs that end together at the foot of the rectangle;
- a page is a stack of bands across the text area; the first band of a page holds its lead
  (the widest span, the largest headline); a band with several stories gives its first a
  headline at the top and starts the others with their photo (no two headlines side by side at
  the same height); short stories go into one labelled "In brief" column beside the bands;
- no headline starts in the bottom fifth of a page; the last band reaches the foot;
- a story too long for a page opens with a wide head and runs on over the following pages in
  full-width legs, and what follows it starts below its last legs;
- house panels take only space no story fits into, each at most twice in the issue.

The search is exhaustive over a small space (band compositions of the next few stories, the
spans each may take, how many briefs the brief column holds) and deterministic: the same input
gives the same plan. The whole issue is planned for a scale of its photos; the scale is chosen
so the issue fills the smallest multiple of four pages that holds it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

GAP_MM = 4.0  # white space between two stacked rectangles (the rule sits in it)
LABEL_MM = 9.0  # the "In brief" label and a section strip
RUN_ON_SHARE = 0.18  # a story opens in what is left of a page this tall, and runs on
STORY_BONUS = 0.04  # a page of several stories is worth this share of its area per story
EPS = 0.01


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Grid:
    """The page's text area as the style declares it."""

    columns: int
    column_mm: float
    gap_mm: float
    height_mm: float  # the text area of an inside page
    line_mm: float  # body leading
    min_ppi: float = 150.0  # never place a photo below this
    warn_ppi: float = 200.0  # warn below this
    first_page_top_mm: float = 0.0  # page 1: what the masthead (or the front page) takes

    def width(self, span: int) -> float:
        return span * self.column_mm + (span - 1) * self.gap_mm

    def x(self, column: int) -> float:
        return column * (self.column_mm + self.gap_mm)

    def lines(self, mm: float) -> float:
        """``mm`` rounded up to whole lines."""
        return math.ceil(mm / self.line_mm - 1e-6) * self.line_mm


@dataclass(frozen=True, slots=True, kw_only=True)
class Photo:
    width_px: int
    height_px: int
    caption_mm: Mapping[int, float]  # span → caption and credit height under the photo

    def max_span(self, grid: Grid) -> int:
        """The widest span its pixels fill at ``min_ppi`` or more."""
        best = 0
        for span in range(1, grid.columns + 1):
            if self.width_px / (grid.width(span) / 25.4) >= grid.min_ppi - EPS:
                best = span
        return best

    def zoom(self, grid: Grid, span: int, scale: float) -> float:
        """How far the photo is enlarged in its box to stand ``scale`` times its height (its
        sides cropped): never so far that it falls below ``min_ppi``."""
        if scale <= 1.0:
            return 1.0
        return max(1.0, min(scale, self.ppi(grid, span) / grid.min_ppi))

    def height(self, grid: Grid, span: int, scale: float = 1.0) -> float:
        """The photo's box at ``span``: tall photos cropped to a square at most; a scale below
        1 crops top and bottom, above 1 enlarges it within the box (sides cropped)."""
        ratio = min(self.height_px / self.width_px, 1.0)
        factor = scale if scale <= 1.0 else self.zoom(grid, span, scale)
        return grid.width(span) * ratio * factor

    def ppi(self, grid: Grid, span: int) -> float:
        return self.width_px / (grid.width(span) / 25.4)


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryMeasure:
    """One story as measured: its head at each span (``lead`` the larger headline a page's
    lead gets), its body in one column, its photo."""

    slug: str
    section: str
    headline: str
    words: int
    head_mm: Mapping[int, float]  # span → head height (kicker, headline, standfirst, byline)
    lead_head_mm: Mapping[int, float]  # the same with a page lead's headline
    brief_head_mm: float  # the head set as a brief (one column)
    body_mm: float  # the body set in one column on a tall page
    photo: Photo | None = None
    rank: str = "standard"  # "lead" | "standard" | "brief"
    page: int | None = None  # pinned to start on this page
    span: int | None = None  # the editor's span

    @property
    def is_brief(self) -> bool:
        return self.rank == "brief"


@dataclass(frozen=True, slots=True, kw_only=True)
class Panel:
    """A house panel that may fill space no story fits into."""

    key: str
    min_mm: float  # below this height it is not used


# ---------------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Rect:
    column: int
    span: int
    top_mm: float
    height_mm: float

    @property
    def bottom_mm(self) -> float:
        return self.top_mm + self.height_mm


@dataclass(frozen=True, slots=True, kw_only=True)
class Leg:
    column: int
    top_mm: float
    height_mm: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Placed:
    """A story's piece on one page: its rectangle, where head and photo stand, its legs."""

    slug: str
    kind: str  # "story" | "brief" | "run-on" (a long story's later page)
    box: Rect
    head: Rect | None  # None on run-on pages
    photo: Rect | None  # the photo with its caption under it
    photo_mm: float  # the photo's own height (without caption)
    legs: tuple[Leg, ...]
    lead: bool = False  # the page's lead (largest headline)
    picture_led: bool = False  # photo above the headline
    boxed: bool = False  # ruled round
    section_label: str = ""  # a section strip stands above the box
    continues: bool = False  # the story runs on to the next page
    continued: bool = False  # the story runs on from the page before


@dataclass(frozen=True, slots=True, kw_only=True)
class PanelPlace:
    key: str
    box: Rect


@dataclass(frozen=True, slots=True, kw_only=True)
class PagePlan:
    number: int
    section: str
    stories: tuple[Placed, ...]
    panels: tuple[PanelPlace, ...]
    briefs_box: Rect | None  # the "In brief" column (label included)
    empty: float  # share of the text area no story, brief or panel covers
    house: float  # share of the text area house panels take

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.slug for p in self.stories))


@dataclass(frozen=True, slots=True, kw_only=True)
class Flatplan:
    pages: tuple[PagePlan, ...]
    grid: Grid
    scale: float  # the photos' scale the plan was made for
    warnings: tuple[str, ...] = ()
    unplaced: tuple[str, ...] = ()  # stories that did not fit a fixed page count

    def start_page(self, slug: str) -> int | None:
        for page in self.pages:
            if slug in page.slugs:
                return page.number
        return None


# ---------------------------------------------------------------------------------------------
# Story shapes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Shape:
    """A story set at one span: how tall it stands and where its parts go."""

    story: StoryMeasure
    span: int
    height: float
    head: float
    photo_span: int
    photo: float  # the photo's height (0: none)
    caption: float  # caption block under the photo (with its space)
    body: float  # the legs' height beside the photo (all legs end together)
    lead: bool
    picture_led: bool
    boxed: bool = False  # ruled round: it may stand beside another story's headline


BOX_MM = 3.0  # a boxed story's rule stands this far outside its type, top and bottom
PHOTO_MAX_SHARE = 0.42  # no photo taller than this share of the text area


def _photo_span(story: StoryMeasure, grid: Grid, span: int, scale: float) -> int:
    if story.photo is None:
        return 0
    top = story.photo.max_span(grid)
    # A story's photo takes its span up to three columns, one less than a wide span (the
    # legs beside it keep the story readable), never more than its pixels allow, nor so wide
    # that it stands taller than a share of the page.
    want = span if span <= 3 or span == grid.columns else span - 1
    if scale < 1.0:
        want = max(1, min(want, round(span * scale + 0.25)))  # smaller photos: fewer columns
    pspan = max(0, min(want, top, span))
    while pspan > 1 and story.photo.height(grid, pspan, scale) > PHOTO_MAX_SHARE * grid.height_mm:
        pspan -= 1
    return pspan


def shape(
    story: StoryMeasure,
    grid: Grid,
    span: int,
    *,
    lead: bool = False,
    picture_led: bool = False,
    boxed: bool = False,
    scale: float = 1.0,
) -> Shape | None:
    """The story's rectangle at ``span`` (None: it cannot stand so, e.g. picture-led without
    a photo wide enough)."""
    head = (story.lead_head_mm if lead else story.head_mm)[span]
    if picture_led:
        if story.photo is None or story.photo.max_span(grid) < span:
            return None
        if story.photo.height(grid, span, scale) > PHOTO_MAX_SHARE * grid.height_mm:
            return None
        pspan = span
    else:
        pspan = _photo_span(story, grid, span, scale)
    photo = caption = 0.0
    if pspan and story.photo is not None:
        photo = story.photo.height(grid, pspan, scale)
        caption = story.photo.caption_mm.get(pspan, 2 * grid.line_mm) + 2.0
    # Legs: allow a line at every leg's end (paragraph breaks, widows and orphans).
    need = story.body_mm + span * grid.line_mm
    if picture_led:
        body = grid.lines(need / span)
        height = photo + caption + head + body
    else:
        body = grid.lines((need + pspan * (photo + caption)) / span)
        if pspan:
            body = max(body, grid.lines(photo + caption) + 2 * grid.line_mm)
        height = head + body
    if boxed:
        height += 2 * BOX_MM
    return Shape(
        story=story,
        span=span,
        height=height,
        head=head,
        photo_span=pspan,
        photo=photo,
        caption=caption,
        body=body,
        lead=lead,
        picture_led=picture_led,
        boxed=boxed,
    )


def _min_span(story: StoryMeasure, grid: Grid) -> int:
    # One column for a short story without a photo, two for a standard one or one with a
    # photo (a page's main picture spans two columns at least), three for a long one.
    if story.words < 350 and story.photo is None:
        return 1
    return 2 if story.words < 900 or grid.columns < 4 else 3


def _brief_height(story: StoryMeasure, grid: Grid) -> float:
    return story.brief_head_mm + grid.lines(story.body_mm + grid.line_mm) + GAP_MM


# ---------------------------------------------------------------------------------------------
# One area: bands of stories, briefs beside them
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Band:
    cells: tuple[Shape, ...]

    @property
    def height(self) -> float:
        return max(c.height for c in self.cells)

    @property
    def covered(self) -> float:
        """Area the stories' own rectangles take (white under a shorter one is not)."""
        return sum(c.height * c.span for c in self.cells)


@dataclass(frozen=True, slots=True, kw_only=True)
class AreaFill:
    bands: tuple[Band, ...]
    briefs: tuple[StoryMeasure, ...]
    main: int  # columns the bands take (the briefs column is beside them)
    used: frozenset[str]  # slugs of the stories taken
    bottom: float  # where the last band ends
    covered: float  # column·mm covered by stories and briefs
    score: float


WINDOW = 4  # stories a page may choose from, in order of the flatplan


class _Planner:
    """Shapes and band options, memoised for one plan."""

    def __init__(self, grid: Grid, scale: float) -> None:
        self.grid = grid
        self.scale = scale
        self._shapes: dict[tuple[str, int, bool, bool, bool], Shape | None] = {}

    def shape(
        self, story: StoryMeasure, span: int, *, lead: bool, picture_led: bool, boxed: bool = False
    ) -> Shape | None:
        key = (story.slug, span, lead, picture_led, boxed)
        if key not in self._shapes:
            self._shapes[key] = shape(
                story,
                self.grid,
                span,
                lead=lead,
                picture_led=picture_led,
                boxed=boxed,
                scale=self.scale,
            )
        return self._shapes[key]

    def _cells(self, story: StoryMeasure, span: int, width: int, *, first: bool, lead: bool) -> list[Shape]:
        """Ways ``story`` can stand at ``span`` in a band: the first cell with its headline at
        the top; the others open with a photo or stand in a box (no butting headlines)."""
        if story.span is not None and story.span != span and story.span <= width:
            return []
        if story.span is None and span < min(_min_span(story, self.grid), width):
            return []
        if first:
            cell = self.shape(story, span, lead=lead, picture_led=False)
            return [cell] if cell else []
        found = [
            c
            for c in (
                self.shape(story, span, lead=False, picture_led=True),
                self.shape(story, span, lead=False, picture_led=False, boxed=True),
            )
            if c is not None
        ]
        return found

    def bands(
        self, window: Sequence[StoryMeasure], used: frozenset[str], width: int, *, lead: bool
    ) -> list[Band]:
        """Bands unused stories of ``window`` could make across ``width`` columns."""
        free = [s for s in window if s.slug not in used]
        options: list[Band] = []
        for count in range(1, min(3, len(free)) + 1):
            for stories in _ordered(free, count, must_first=free[0] if lead else None):
                for spans in _partitions(width, count):
                    partial: list[list[Shape]] = [[]]
                    for n, (story, span) in enumerate(zip(stories, spans, strict=True)):
                        nxt = []
                        for cell in self._cells(story, span, width, first=n == 0, lead=lead):
                            for p in partial:
                                if cell.boxed and any(c.boxed for c in p):
                                    continue  # one box a band
                                nxt.append([*p, cell])
                        partial = nxt
                    options.extend(Band(cells=tuple(p)) for p in partial if len(p) == count)
        return options

    def fill(
        self,
        queue: Sequence[StoryMeasure],
        briefs: Sequence[StoryMeasure],
        *,
        width: int,
        height: float,
        lead: bool,
    ) -> AreaFill:
        """The fullest fill of ``width`` columns × ``height`` mm from the next stories of
        ``queue`` and the briefs waiting. ``lead``: a fresh page, whose first story leads."""
        grid = self.grid
        # The next stories of the same section: a page takes them in any order, never a later
        # section's before an earlier one's.
        window = [s for s in queue[:WINDOW] if not queue or s.section == queue[0].section]
        area = width * height
        bonus = STORY_BONUS * grid.columns * grid.height_mm
        best: AreaFill | None = None
        brief_sets: list[tuple[StoryMeasure, ...]] = [()]
        if briefs and width >= 3:
            at = LABEL_MM
            for n, b in enumerate(briefs):
                at += _brief_height(b, grid)
                if at > height + EPS:
                    break
                brief_sets.append(tuple(briefs[: n + 1]))
        for chosen in brief_sets:
            main = width - (1 if chosen else 0)
            brief_area = (LABEL_MM + sum(_brief_height(b, grid) for b in chosen)) if chosen else 0.0
            memo: dict[tuple[frozenset[str], float], tuple[float, tuple[Band, ...]]] = {}

            def below(
                used: frozenset[str],
                y: float,
                main: int = main,
                memo: dict[tuple[frozenset[str], float], tuple[float, tuple[Band, ...]]] = memo,
            ) -> tuple[float, tuple[Band, ...]]:
                """The best value of the area under ``y`` and the bands that give it."""
                key = (used, round(y, 1))
                if key in memo:
                    return memo[key]
                result: tuple[float, tuple[Band, ...]] = (0.0, ())
                start = y + (GAP_MM if y > 0 else 0.0)
                if y <= 0.8 * height:  # no headline in the bottom fifth
                    for band in self.bands(window, used, main, lead=lead and y == 0):
                        end = start + band.height
                        if end > height + EPS:
                            continue
                        ids = used | {c.story.slug for c in band.cells}
                        value, rest = below(ids, end)
                        value += band.covered + bonus * len(band.cells)
                        if value > result[0] + EPS:
                            result = (value, (band, *rest))
                memo[key] = result
                return result

            value, bands = below(frozenset(), 0.0)
            if not bands and not chosen:
                continue
            used = frozenset(c.story.slug for b in bands for c in b.cells)
            covered = brief_area + sum(b.covered for b in bands)
            score = -(value + brief_area + bonus * len(chosen))
            if best is None or score < best.score - EPS:
                bottom = sum(b.height for b in bands) + GAP_MM * max(0, len(bands) - 1)
                best = AreaFill(
                    bands=bands,
                    briefs=chosen,
                    main=main,
                    used=used,
                    bottom=bottom,
                    covered=covered,
                    score=score,
                )
        if best is None:
            return AreaFill(
                bands=(), briefs=(), main=width, used=frozenset(), bottom=0.0, covered=0.0,
                score=area,
            )  # fmt: skip
        return best


def _ordered(
    stories: Sequence[StoryMeasure], count: int, *, must_first: StoryMeasure | None
) -> Iterable[tuple[StoryMeasure, ...]]:
    """Choices of ``count`` stories in flatplan order (the first given when it must lead)."""
    for combo in itertools.combinations(stories, count):
        if must_first is None or combo[0] is must_first:
            yield combo


def _partitions(total: int, parts: int) -> Iterable[tuple[int, ...]]:
    if parts == 1:
        yield (total,)
        return
    for first in range(1, total - parts + 2):
        for rest in _partitions(total - first, parts - 1):
            yield (first, *rest)


# ---------------------------------------------------------------------------------------------
# Placing: shapes → rectangles on a page
# ---------------------------------------------------------------------------------------------


def _place(cell: Shape, grid: Grid, column: int, top: float, height: float, label: str) -> Placed:
    span, pspan = cell.span, cell.photo_span
    box = Rect(column=column, span=span, top_mm=top, height_mm=height)
    if cell.boxed:
        top += BOX_MM
    legs: list[Leg] = []
    photo = None
    if cell.picture_led:
        photo = Rect(column=column, span=span, top_mm=top, height_mm=cell.photo + cell.caption)
        head = Rect(column=column, span=span, top_mm=photo.bottom_mm, height_mm=cell.head)
        body_top = head.bottom_mm
        legs = [Leg(column=column + i, top_mm=body_top, height_mm=cell.body) for i in range(span)]
    else:
        head = Rect(column=column, span=span, top_mm=top, height_mm=cell.head)
        body_top = head.bottom_mm
        if pspan:
            photo = Rect(column=column, span=pspan, top_mm=body_top, height_mm=cell.photo + cell.caption)
        below = grid.lines(cell.photo + cell.caption) if pspan else 0.0
        for i in range(span):
            offset = below if i < pspan else 0.0
            legs.append(
                Leg(column=column + i, top_mm=body_top + offset, height_mm=cell.body - offset)
            )
    return Placed(
        slug=cell.story.slug,
        kind="story",
        box=box,
        head=head,
        photo=photo,
        photo_mm=cell.photo,
        legs=tuple(legs),
        lead=cell.lead,
        picture_led=cell.picture_led,
        boxed=cell.boxed,
        section_label=label,
    )


# ---------------------------------------------------------------------------------------------
# The issue
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _PageWork:
    number: int
    top: float  # where the area for stories starts (masthead, run-on legs)
    section: str = ""
    stories: list[Placed] = field(default_factory=list)
    panels: list[PanelPlace] = field(default_factory=list)
    briefs_box: Rect | None = None
    covered: float = 0.0


def _long(story: StoryMeasure, planner: _Planner, height: float) -> bool:
    cell = planner.shape(story, planner.grid.columns, lead=True, picture_led=False)
    return cell is None or cell.height > height + EPS


def _run_on(
    story: StoryMeasure,
    planner: _Planner,
    page: _PageWork,
    pages: list[_PageWork],
    label: str,
    *,
    lead: bool = True,
) -> _PageWork:
    """A story longer than the space it opens in: its head across the page, then full-width
    legs to the foot and over the following pages; returns the page its last legs stand on
    (``top`` below them)."""
    grid = planner.grid
    cols = grid.columns
    cell = planner.shape(story, cols, lead=lead, picture_led=False)
    assert cell is not None
    top = page.top
    head = Rect(column=0, span=cols, top_mm=top, height_mm=cell.head)
    pspan = cell.photo_span
    below = grid.lines(cell.photo + cell.caption) if pspan else 0.0
    photo = (
        Rect(column=0, span=pspan, top_mm=head.bottom_mm, height_mm=cell.photo + cell.caption)
        if pspan
        else None
    )
    remaining = story.body_mm
    legs_top = head.bottom_mm
    legs: list[Leg] = []
    for i in range(cols):
        offset = below if i < pspan else 0.0
        h = grid.height_mm - legs_top - offset
        legs.append(Leg(column=i, top_mm=legs_top + offset, height_mm=h))
        remaining -= h - grid.line_mm
    page.stories.append(
        Placed(
            slug=story.slug,
            kind="story",
            box=Rect(column=0, span=cols, top_mm=top, height_mm=grid.height_mm - top),
            head=head,
            photo=photo,
            photo_mm=cell.photo,
            legs=tuple(legs),
            lead=lead,
            section_label=label,
            continues=remaining > 0,
        )
    )
    page.covered += cols * (grid.height_mm - top)
    page.section = page.section or story.section
    while remaining > 0:
        page = _PageWork(number=page.number + 1, top=0.0, section=story.section)
        pages.append(page)
        per_leg = grid.lines(remaining / cols + grid.line_mm)
        h = min(per_leg, grid.height_mm)
        page.stories.append(
            Placed(
                slug=story.slug,
                kind="run-on",
                box=Rect(column=0, span=cols, top_mm=0.0, height_mm=h),
                head=None,
                photo=None,
                photo_mm=0.0,
                legs=tuple(Leg(column=i, top_mm=0.0, height_mm=h) for i in range(cols)),
                continued=True,
                continues=remaining - cols * (h - grid.line_mm) > 0,
            )
        )
        page.covered += cols * h
        remaining -= cols * (h - grid.line_mm)
        page.top = h + GAP_MM if h < grid.height_mm - EPS else grid.height_mm
    return page


def _plan(
    stories: Sequence[StoryMeasure],
    grid: Grid,
    panels: Sequence[Panel],
    *,
    scale: float,
    first_page: int,
    first_top: float,
) -> tuple[list[_PageWork], list[str]]:
    planner = _Planner(grid, scale)
    warnings: list[str] = []
    queue = [s for s in stories if not s.is_brief]
    briefs = [s for s in stories if s.is_brief]
    pages: list[_PageWork] = [_PageWork(number=first_page, top=first_top)]
    last_section = ""
    panel_uses: dict[str, int] = {}
    while queue or briefs:
        page = pages[-1]
        height = grid.height_mm - page.top
        if height < 0.2 * grid.height_mm:
            pages.append(_PageWork(number=page.number + 1, top=0.0))
            continue
        # A pinned story starts its page: what comes before it fills the pages before.
        limit = len(queue)
        for n, s in enumerate(queue):
            if s.page is not None and s.page > page.number:
                limit = n
                break
        front = queue[:limit]
        if front and front[0].page is not None and front[0].page < page.number:
            warnings.append(f"{front[0].slug}: pinned to page {front[0].page}, starts on {page.number}")
        label = front[0].section if front and front[0].section != last_section else ""
        label_mm = LABEL_MM if label and page.top > 0 else 0.0
        if front and _long(front[0], planner, grid.height_mm - page.top - label_mm):
            # A long story opens where it stands, its photo smaller if the space is short.
            opener = planner
            for factor in (1.0, 0.75, 0.5):
                opener = _Planner(grid, planner.scale * factor) if factor < 1.0 else planner
                opening = opener.shape(front[0], grid.columns, lead=page.top == 0, picture_led=False)
                need = (opening.head + opening.photo + opening.caption if opening else 0.0)
                if height - label_mm >= need + 10 * grid.line_mm:
                    break
            need += 10 * grid.line_mm
            if page.top > 0.8 * grid.height_mm or height - label_mm < need:
                # Too little of this page left for a long story's opening: fill it first.
                fill = planner.fill(
                    front[1:], briefs, width=grid.columns, height=height, lead=page.top == 0
                )
                if fill.used or fill.briefs:
                    _lay_fill(fill, page, grid, "", 0.0)
                    for b in fill.briefs:
                        briefs.remove(b)
                    queue[:] = [q for q in queue if q.slug not in fill.used]
                    page.top += fill.bottom + GAP_MM
                    continue
                _panel_or_empty(page, grid, panels, panel_uses, height)
                pages.append(_PageWork(number=page.number + 1, top=0.0))
                continue
            story = queue.pop(0)
            page.top += label_mm
            last = _run_on(story, opener, page, pages, label, lead=page.top <= label_mm)
            last_section = story.section
            if last.top >= grid.height_mm - EPS:
                pages.append(_PageWork(number=last.number + 1, top=0.0))
            continue
        fill = planner.fill(
            front, briefs, width=grid.columns, height=height - label_mm, lead=page.top == 0
        )
        if not fill.used and not fill.briefs:
            if page.top == 0 and front:
                # Cannot happen for a story shorter than a page; guard the loop all the same.
                warnings.append(f"{front[0].slug}: does not fit a page")
                queue.pop(0)
                continue
            _panel_or_empty(page, grid, panels, panel_uses, height)
            if front or (not front and queue):
                pages.append(_PageWork(number=page.number + 1, top=0.0))
                continue
            if briefs and not front:
                pages.append(_PageWork(number=page.number + 1, top=0.0))
                continue
            break
        _lay_fill(fill, page, grid, label, label_mm)
        page.section = page.section or (front[0].section if front else briefs[0].section)
        queue[:] = [q for q in queue if q.slug not in fill.used]
        if fill.bands:
            last_section = fill.bands[-1].cells[-1].story.section
        for b in fill.briefs:
            briefs.remove(b)
        left = height - label_mm - fill.bottom
        page.top = grid.height_mm - left
        nxt = queue[0] if queue and (queue[0].page is None or queue[0].page <= page.number) else None
        if nxt is not None and left >= RUN_ON_SHARE * grid.height_mm and nxt.words >= 500:
            # The next story does not fit what is left: it opens here and runs on overleaf.
            page.top += GAP_MM
            label = nxt.section if nxt.section != last_section else ""
            page.top += LABEL_MM if label else 0.0
            queue.pop(0)
            last = _run_on(nxt, planner, page, pages, label, lead=False)
            last_section = nxt.section
            if last.top >= grid.height_mm - EPS:
                pages.append(_PageWork(number=last.number + 1, top=0.0))
            continue
        if not queue and briefs and _briefs_at_foot(page, briefs, grid, left):
            continue
        if queue or briefs:
            _panel_or_empty(page, grid, panels, panel_uses, left)
            pages.append(_PageWork(number=page.number + 1, top=0.0))
    return pages, warnings


def _lay_fill(fill: AreaFill, page: _PageWork, grid: Grid, label: str, label_mm: float) -> None:
    top = page.top + label_mm
    at = top
    for n, band in enumerate(fill.bands):
        if n:
            at += GAP_MM
        column = 0
        for m, cell in enumerate(band.cells):
            page.stories.append(
                _place(cell, grid, column, at, band.height, label if n == 0 and m == 0 else "")
            )
            column += cell.span
        at += band.height
    page.covered += sum(b.covered for b in fill.bands)
    if fill.briefs:
        height = LABEL_MM + sum(_brief_height(b, grid) for b in fill.briefs)
        box = Rect(column=fill.main, span=1, top_mm=top, height_mm=height)
        page.briefs_box = box
        y = top + LABEL_MM
        for b in fill.briefs:
            h = _brief_height(b, grid) - GAP_MM
            head = Rect(column=fill.main, span=1, top_mm=y, height_mm=b.brief_head_mm)
            legs = (Leg(column=fill.main, top_mm=head.bottom_mm, height_mm=h - b.brief_head_mm),)
            page.stories.append(
                Placed(
                    slug=b.slug,
                    kind="brief",
                    box=Rect(column=fill.main, span=1, top_mm=y, height_mm=h),
                    head=head,
                    photo=None,
                    photo_mm=0.0,
                    legs=legs,
                )
            )
            y += h + GAP_MM
        page.covered += height


def _briefs_at_foot(
    page: _PageWork, briefs: list[StoryMeasure], grid: Grid, left: float
) -> bool:
    """The briefs still waiting, side by side in a labelled strip at the foot of the page, if
    they fit the space left there."""
    taken = briefs[: grid.columns]
    height = LABEL_MM + max(_brief_height(b, grid) for b in taken)
    if height + GAP_MM > left + EPS:
        return False
    top = grid.height_mm - left + GAP_MM
    page.briefs_box = Rect(column=0, span=grid.columns, top_mm=top, height_mm=height)
    for n, b in enumerate(taken):
        y = top + LABEL_MM
        h = _brief_height(b, grid) - GAP_MM
        head = Rect(column=n, span=1, top_mm=y, height_mm=b.brief_head_mm)
        page.stories.append(
            Placed(
                slug=b.slug,
                kind="brief",
                box=Rect(column=n, span=1, top_mm=y, height_mm=h),
                head=head,
                photo=None,
                photo_mm=0.0,
                legs=(Leg(column=n, top_mm=head.bottom_mm, height_mm=h - b.brief_head_mm),),
            )
        )
        page.covered += h
        briefs.remove(b)
    page.covered += LABEL_MM * len(taken)
    page.top = top + height
    return True


def _panel_or_empty(
    page: _PageWork, grid: Grid, panels: Sequence[Panel], uses: dict[str, int], height: float
) -> None:
    """House material in the space left at the foot of a page, if any panel suits it."""
    top = grid.height_mm - height + (GAP_MM if page.stories else 0.0)
    room = grid.height_mm - top
    for panel in sorted(panels, key=lambda p: (uses.get(p.key, 0), p.key)):
        if uses.get(panel.key, 0) >= 2 or room < panel.min_mm:
            continue
        uses[panel.key] = uses.get(panel.key, 0) + 1
        page.panels.append(
            PanelPlace(key=panel.key, box=Rect(column=0, span=grid.columns, top_mm=top, height_mm=room))
        )
        return


def make_flatplan(
    stories: Sequence[StoryMeasure],
    grid: Grid,
    panels: Sequence[Panel] = (),
    *,
    first_page: int = 1,
    first_top: float = 0.0,
    front_pages: int = 0,
    pages: int | None = None,
    multiple: int = 4,
    scales: Sequence[float] = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5),
) -> Flatplan:
    """Plan the stories from ``first_page`` on (``first_top``: what stands above the stories
    on that page), after ``front_pages`` pages made elsewhere. The photos' scale is chosen so
    the edition fills the smallest multiple of ``multiple`` pages that holds it (or ``pages``)
    with the least space left empty."""
    results = []
    for scale in scales:
        work, warnings = _plan(
            stories, grid, panels, scale=scale, first_page=first_page, first_top=first_top
        )
        results.append((scale, work, warnings))
    counts = [len(w) + front_pages for _, w, _ in results]
    target = pages or multiple * math.ceil(min(counts) / multiple)
    area = grid.columns * grid.height_mm

    def cost(item: tuple[float, list[_PageWork], list[str]]) -> tuple[int, float, float]:
        scale, work, _ = item
        over = max(0, len(work) + front_pages - target)
        empty = sum(area - p.covered for p in work) + (target - front_pages - len(work)) * area
        return (over, round(empty, 1), abs(scale - 1.0))

    scale, work, warnings = min(results, key=cost)
    unplaced: list[str] = []
    if pages is not None and len(work) + front_pages > pages:
        for p in work[pages - front_pages :]:
            for placed in p.stories:
                if placed.kind != "run-on" and placed.slug not in unplaced:
                    unplaced.append(placed.slug)
        work = work[: pages - front_pages]
    # Whole pages of house material to the multiple: in the panels' order, the last panel
    # on the last page (the back page's advert), no panel more than twice.
    pad = target - front_pages - len(work)
    keys = [p.key for p in panels]
    if pad > 0 and keys:
        order = keys[-pad:] if pad <= len(keys) else [keys[i % len(keys)] for i in range(pad - len(keys))] + keys
        for key in order:
            work.append(_PageWork(number=work[-1].number + 1 if work else first_page, top=0.0))
            box = Rect(column=0, span=grid.columns, top_mm=0.0, height_mm=grid.height_mm)
            work[-1].panels.append(PanelPlace(key=key, box=box))
    while len(work) + front_pages < target:
        work.append(_PageWork(number=work[-1].number + 1 if work else first_page, top=0.0))
    plans = []
    for p in work:
        panel_area = sum(x.box.height_mm * x.box.span for x in p.panels)
        plans.append(
            PagePlan(
                number=p.number,
                section=p.section,
                stories=tuple(p.stories),
                panels=tuple(p.panels),
                briefs_box=p.briefs_box,
                empty=round(max(0.0, area - p.covered - panel_area) / area, 4),
                house=round(panel_area / area, 4),
            )
        )
    return Flatplan(
        pages=tuple(plans),
        grid=grid,
        scale=scale,
        warnings=tuple(warnings),
        unplaced=tuple(unplaced),
    )




# ---------------------------------------------------------------------------------------------
# The report: what an editor reads
# ---------------------------------------------------------------------------------------------

FILLER_WARN = 0.15  # a page with more of its text area as filler than this is reported


def plan_report(plan: Flatplan, *, front_pages: int = 0) -> dict[str, Any]:
    """The flatplan as data (report.json): page → stories with their box in mm, the filler,
    and the editor's warnings. Filler is house material plus text area left empty; the front
    pages (their own design) are counted as full."""
    grid = plan.grid
    pages = []
    notes: list[str] = list(plan.warnings)
    for page in plan.pages:
        stories = []
        for placed in page.stories:
            box = placed.box
            stories.append(
                {
                    "slug": placed.slug,
                    "kind": placed.kind,
                    "box_mm": [
                        round(grid.x(box.column), 1),
                        round(box.top_mm, 1),
                        round(grid.width(box.span), 1),
                        round(box.height_mm, 1),
                    ],
                    "columns": box.span,
                    "head_mm": (
                        [
                            round(grid.x(placed.head.column), 1),
                            round(placed.head.top_mm, 1),
                            round(grid.width(placed.head.span), 1),
                            round(placed.head.height_mm, 1),
                        ]
                        if placed.head is not None
                        else None
                    ),
                    "picture_led": placed.picture_led,
                    "boxed": placed.boxed,
                    "photo_columns": placed.photo.span if placed.photo is not None else 0,
                }
            )
            if placed.continues:
                nxt = next(
                    (
                        p.number
                        for p in plan.pages
                        if p.number > page.number
                        and any(s.slug == placed.slug and s.continued for s in p.stories)
                    ),
                    None,
                )
                notes.append(f"story {placed.slug} jumps to page {nxt}")
        filler = page.empty + page.house
        if filler > FILLER_WARN:
            notes.append(f"page {page.number}: {100 * filler:.0f} % filler")
        pages.append(
            {
                "page": page.number,
                "section": page.section,
                "stories": stories,
                "panels": [p.key for p in page.panels],
                "empty": page.empty,
                "house": page.house,
            }
        )
    total = len(plan.pages) + front_pages
    filler = sum(p.empty + p.house for p in plan.pages) / total if total else 0.0
    if plan.unplaced:
        notes.append(
            f"{len(plan.unplaced)} stor{'y does' if len(plan.unplaced) == 1 else 'ies do'} "
            f"not fit the {total} pages: {', '.join(plan.unplaced)} (cut or move them)"
        )
    return {
        "text_area_mm": [round(grid.width(grid.columns), 1), round(grid.height_mm, 1)],
        "pages": pages,
        "page_count": total,
        "front_pages": front_pages,
        "filler": round(filler, 4),
        "photo_scale": plan.scale,
        "notes": notes,
    }


def summary_lines(report: Mapping[str, Any]) -> list[str]:
    """The flatplan in a few lines for the terminal."""
    pages: list[Any] = report.get("pages", [])
    lines = [
        f"Flatplan: {report.get('page_count')} pages, filler {100 * float(report.get('filler', 0)):.1f} %"
    ]
    for page in pages:
        slugs = ", ".join(dict.fromkeys(s["slug"] for s in page["stories"]))
        extra = f" + {', '.join(page['panels'])}" if page["panels"] else ""
        lines.append(f"  p{page['page']:>3}  {page['section'][:18]:<18} {slugs}{extra}")
    lines.extend(f"  ! {n}" for n in report.get("notes", []))
    return lines


__all__ = [
    "AreaFill",
    "Band",
    "Flatplan",
    "Grid",
    "Leg",
    "PagePlan",
    "Panel",
    "PanelPlace",
    "Photo",
    "Placed",
    "Rect",
    "Shape",
    "StoryMeasure",
    "make_flatplan",
    "plan_report",
    "shape",
    "summary_lines",
]
