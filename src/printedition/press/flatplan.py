"""Flatplan: the make-up's data: what goes in (the grid, each story as measured, the house
panels) and what comes out (pages of rectangles on the column grid), and the report an editor
reads (``plan_report``, ``summary_lines``). ``packing.make_flatplan`` makes a plan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from printedition.press.body import Body

EPS = 0.01
FILLER_WARN = 0.15  # a page with more of its text area as filler than this is reported


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
    story_gap_mm: float = 4.0  # between stacked rectangles (the rule stands in it)
    label_mm: float = 9.0  # the "In brief" label, a section strip
    photo_max_share: float = 0.42  # no photo stands taller than this share of the text area
    crop_least: float = 0.4  # a photo cropped to a shorter box keeps this share of its height
    zoom_most: float = 2.0  # ... to a taller one, enlarged at most this much (sides cropped)

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
        sides cropped): never so far that it falls below ``min_ppi``, nor past the style's
        ``zoom_most`` (a modest crop: a smaller span serves before a harder one)."""
        if scale <= 1.0:
            return 1.0
        # (A hair short of the limit: a picture zoomed to exactly min_ppi measures 149.9 ppi
        # in the PDF once its box is rounded.)
        return max(1.0, min(scale, grid.zoom_most, self.ppi(grid, span) / (grid.min_ppi + 1.0)))

    def height(self, grid: Grid, span: int, scale: float = 1.0) -> float:
        """The photo's box at ``span``: tall photos cropped to a square at most; a scale below
        1 crops top and bottom (keeping at least the style's ``crop_least`` of its height),
        above 1 enlarges it within the box (sides cropped)."""
        ratio = min(self.height_px / self.width_px, 1.0)
        factor = max(scale, grid.crop_least) if scale <= 1.0 else self.zoom(grid, span, scale)
        return grid.width(span) * ratio * factor

    def ppi(self, grid: Grid, span: int) -> float:
        return self.width_px / (grid.width(span) / 25.4)


@dataclass(frozen=True, slots=True, kw_only=True)
class Art:
    """A picture in a story's body that may stand across columns on the pages a long story
    runs on to (taken out of its legs there): ``key`` its id in the body."""

    key: str
    photo: Photo


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
    body: Body | None = None  # the body's strips (None: estimated from ``body_mm``)
    art: tuple[Art, ...] = ()  # pictures in the body, in order
    # A story with no lead photo shows the best picture of its body instead: its id there
    # (taken out of the legs where the photo is placed), and the body without it.
    photo_key: str = ""
    photo_body: Body | None = None

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
class ArtPlace:
    """A picture from the body set across columns: its box (photo and caption)."""

    key: str
    box: Rect
    photo_mm: float  # the photo's own height


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
    art: tuple[ArtPlace, ...] = ()  # pictures from its body set across columns here
    photo_key: str = ""  # the photo is its body's picture of this id (no lead photo)


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
class Unplaced:
    """A story left out of a fixed page count: its length and the pages it would take."""

    slug: str
    words: int
    pages: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Flatplan:
    pages: tuple[PagePlan, ...]
    grid: Grid
    scale: float  # the photos' scale the plan was made for
    warnings: tuple[str, ...] = ()
    unplaced: tuple[Unplaced, ...] = ()  # stories that did not fit a fixed page count
    needed: int = 0  # the pages the copy needed (with a fixed count it did not fit)

    def art_keys(self, slug: str) -> frozenset[str]:
        """The pictures of ``slug``'s body that stand across columns (not in its legs)."""
        keys = {a.key for p in self.pages for s in p.stories if s.slug == slug for a in s.art}
        keys.update(
            s.photo_key
            for p in self.pages
            for s in p.stories
            if s.slug == slug and s.photo is not None and s.photo_key
        )
        return frozenset(keys)

    def start_page(self, slug: str) -> int | None:
        for page in self.pages:
            if slug in page.slugs:
                return page.number
        return None



# ---------------------------------------------------------------------------------------------
# The report: what an editor reads
# ---------------------------------------------------------------------------------------------



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
                    "art_columns": [a.box.span for a in placed.art],
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
        notes.append(unplaced_note(plan.unplaced, total, plan.needed))
    return {
        "text_area_mm": [round(grid.width(grid.columns), 1), round(grid.height_mm, 1)],
        "pages": pages,
        "page_count": total,
        "front_pages": front_pages,
        "filler": round(filler, 4),
        "photo_scale": plan.scale,
        "notes": notes,
    }


def unplaced_note(unplaced: Sequence[Unplaced], total: int, needed: int) -> str:
    """What does not fit a fixed page count, by how much, and what the editor can do."""
    over = sum(u.pages for u in unplaced)
    words = sum(u.words for u in unplaced)
    each = "; ".join(f"{u.slug} ({u.words:,} words, {u.pages:.1f} pages)" for u in unplaced)
    more = 4 * math.ceil(max(needed, total + 1) / 4)
    return (
        f"{len(unplaced)} stor{'y does' if len(unplaced) == 1 else 'ies do'} not fit the "
        f"{total} pages, {over:.1f} pages over: {each}. Cut about {words:,} words, move "
        f"{'it' if len(unplaced) == 1 else 'them'} to the next issue, or make the issue "
        f"{more} pages (pages = {more})"
    )


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
    "EPS",
    "Art",
    "ArtPlace",
    "Flatplan",
    "Grid",
    "Leg",
    "PagePlan",
    "Panel",
    "PanelPlace",
    "Photo",
    "Placed",
    "Rect",
    "StoryMeasure",
    "plan_report",
    "summary_lines",
]
