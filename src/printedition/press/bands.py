"""Bands: a story's shape at a span, and the fullest fill of one area of a page.

Goes in: a story as measured (``flatplan.StoryMeasure``), the grid, the photos' scale. Comes
out: ``shape`` (how tall a story stands at a span, where its head, photo and legs go) and
``Planner.fill`` (bands of stories across an area, an "In brief" column beside them): the
search ``packing`` runs for each page.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from printedition.press.flatplan import EPS, Grid, StoryMeasure

GROW_SCALES = (1.15, 1.3, 1.5, 1.75, 2.0)  # pictures grown into a page's foot
STORY_BONUS = 0.04  # a page of several stories is worth this share of its area per story


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


def _tallest(grid: Grid, scale: float) -> float:
    """The tallest a photo may stand: the style's share of the page, more in an issue whose
    photos are enlarged to fill its pages (never more than two thirds of a page)."""
    return min(2 / 3, grid.photo_max_share * max(1.0, scale)) * grid.height_mm


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
    while pspan > 1 and story.photo.height(grid, pspan, scale) > _tallest(grid, scale):
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
        if story.photo.height(grid, span, scale) > _tallest(grid, scale):
            return None
        pspan = span
    else:
        pspan = _photo_span(story, grid, span, scale)
    photo = caption = 0.0
    if pspan and story.photo is not None:
        photo = story.photo.height(grid, pspan, scale)
        caption = story.photo.caption_mm.get(pspan, 2 * grid.line_mm) + 2.0
    if picture_led:
        body = legs_height(story, grid, [0.0] * span, photo=True)
        height = photo + caption + head + body
    else:
        # The legs under the photo start below it, on the next whole line.
        below = grid.lines(photo + caption) if pspan else 0.0
        body = legs_height(
            story, grid, [below if i < pspan else 0.0 for i in range(span)], photo=pspan > 0
        )
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


def legs_height(story: StoryMeasure, grid: Grid, offsets: list[float], *, photo: bool = False) -> float:
    """The height of legs (each ``offsets[i]`` shorter: under a photo) that hold the body:
    exact from its strips, else estimated with a line at every leg's end (paragraph breaks,
    widows and orphans). ``photo``: the photo is placed (a body picture shown as the photo
    leaves the legs)."""
    body = story.photo_body if photo and story.photo_key else story.body
    if body is not None and len(body):
        return body.balanced(offsets)
    span = len(offsets)
    return grid.lines((story.body_mm + span * grid.line_mm + sum(offsets)) / span)


def _min_span(story: StoryMeasure, grid: Grid) -> int:
    # One column for a short story without a photo, two for a standard one or one with a
    # photo (a page's main picture spans two columns at least), three for a long one.
    if story.words < 350 and story.photo is None:
        return 1
    return 2 if story.words < 900 or grid.columns < 4 else 3


def brief_height(story: StoryMeasure, grid: Grid) -> float:
    return story.brief_head_mm + grid.lines(story.body_mm + grid.line_mm) + grid.story_gap_mm



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


class Planner:
    """Shapes and band options, memoised for one plan."""

    def __init__(self, grid: Grid, scale: float) -> None:
        self.grid = grid
        self.scale = scale
        self._shapes: dict[tuple[str, int, bool, bool, bool], Shape | None] = {}
        # Plans that differ only in their last pages ask the same of their first: answered once.
        self._fills: dict[tuple[object, ...], AreaFill] = {}

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

    def grow(self, band: Band, height: float) -> Band:
        """``band`` with its pictures as large as keeps it within ``height`` (each cell on
        its own; the same band when none can grow)."""
        cells = []
        changed = False
        for cell in band.cells:
            best = cell
            if cell.photo_span and cell.story.photo is not None:
                for scale in GROW_SCALES:
                    if scale <= self.scale:
                        continue
                    bigger = shape(
                        cell.story,
                        self.grid,
                        cell.span,
                        lead=cell.lead,
                        picture_led=cell.picture_led,
                        boxed=cell.boxed,
                        scale=scale,
                    )
                    if bigger is None or bigger.height > height + EPS:
                        break
                    if bigger.height > best.height + EPS and bigger.photo_span == cell.photo_span:
                        best = bigger
            changed = changed or best is not cell
            cells.append(best)
        return Band(cells=tuple(cells)) if changed else band

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
        top: float = 0.0,
    ) -> AreaFill:
        """The fullest fill of ``width`` columns × ``height`` mm from the next stories of
        ``queue`` and the briefs waiting. ``lead``: a fresh page, whose first story leads;
        ``top``: where the area starts on its page (no headline in the page's bottom fifth)."""
        key = (
            tuple(s.slug for s in queue[:WINDOW]),
            tuple(b.slug for b in briefs),
            width,
            round(height, 3),
            lead,
            round(top, 3),
        )
        if key not in self._fills:
            self._fills[key] = self._fill(queue, briefs, width=width, height=height, lead=lead, top=top)
        return self._fills[key]

    def _fill(
        self,
        queue: Sequence[StoryMeasure],
        briefs: Sequence[StoryMeasure],
        *,
        width: int,
        height: float,
        lead: bool,
        top: float,
    ) -> AreaFill:
        grid = self.grid
        # The next stories of the same section: a page takes them in any order, never a later
        # section's before an earlier one's.
        window = [s for s in queue[:WINDOW] if not queue or s.section == queue[0].section]
        area = width * height
        bonus = STORY_BONUS * grid.columns * grid.height_mm
        best: AreaFill | None = None
        brief_sets: list[tuple[StoryMeasure, ...]] = [()]
        if briefs and width >= 3:
            at = grid.label_mm
            for n, b in enumerate(briefs):
                at += brief_height(b, grid)
                if at > height + EPS:
                    break
                brief_sets.append(tuple(briefs[: n + 1]))
        for chosen in brief_sets:
            main = width - (1 if chosen else 0)
            brief_area = (grid.label_mm + sum(brief_height(b, grid) for b in chosen)) if chosen else 0.0
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
                start = y + (grid.story_gap_mm if y > 0 else 0.0)
                if top + start <= 0.8 * grid.height_mm:  # no headline in the bottom fifth
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
                bottom = sum(b.height for b in bands) + grid.story_gap_mm * max(0, len(bands) - 1)
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




__all__ = ["AreaFill", "Band", "Planner", "Shape", "brief_height", "legs_height", "shape"]
