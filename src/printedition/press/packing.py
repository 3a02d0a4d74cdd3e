"""Packing: measured stories → pages made up in modular rectangles (pure planning, no layout).

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
so the issue fills the smallest multiple of four pages that holds it. An issue that would end
on a page mostly empty has its last pages planned again (``Tail``: their photos at another
scale, a share of their feet kept for house panels) and the better ending kept. What is
decided for a page is put on it as rectangles by ``placing``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from printedition.errors import InputError
from printedition.press.bands import Planner, brief_height
from printedition.press.flatplan import (
    EPS,
    Flatplan,
    Grid,
    PagePlan,
    Panel,
    PanelPlace,
    Rect,
    StoryMeasure,
    Unplaced,
)
from printedition.press.placing import (
    briefs_at_foot,
    fill_foot,
    fuller,
    lay_fill,
    panel_or_empty,
)
from printedition.press.runs import (
    RUN_ON_SHARE,
    PageWork,
    is_long,
    open_at_foot,
    opener_planner,
    run_on,
)

TAIL_FILLER = 0.25  # an issue whose last page is emptier than this has its last pages made again
TAIL_PAGES = 8  # ... this many of them
TAIL_RESERVES = (0.1, 0.2, 0.3, 0.4)  # shares of their feet kept for house panels
TAIL_SCALES = (0.5, 0.7, 1.0, 1.3, 1.75)  # and their photos' scales


# ---------------------------------------------------------------------------------------------
# The issue
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tail:
    """The last pages of a plan made again: from ``page`` on, the photos at ``scale`` and
    ``reserve`` of each page's foot kept for a house panel."""

    page: int
    scale: float
    reserve: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class _State:
    """A plan as it stood at the start of a page (a copy): what a tail made from that page
    on resumes from, instead of planning the pages before it again."""

    pages: tuple[PageWork, ...]
    queue: tuple[StoryMeasure, ...]
    briefs: tuple[StoryMeasure, ...]
    last_section: str
    panel_uses: tuple[tuple[str, int], ...]
    warnings: tuple[str, ...]

    @staticmethod
    def pages_copy(pages: Sequence[PageWork]) -> list[PageWork]:
        return [
            dataclasses.replace(p, stories=list(p.stories), panels=list(p.panels)) for p in pages
        ]


def _plan(
    stories: Sequence[StoryMeasure],
    grid: Grid,
    panels: Sequence[Panel],
    *,
    scale: float,
    first_page: int,
    first_top: float,
    shrink: bool = False,
    tail: Tail | None = None,
    planners: dict[float, Planner] | None = None,
    record: dict[int, _State] | None = None,
    resume: _State | None = None,
) -> tuple[list[PageWork], list[str]]:
    """The pages, planned in turn from the first; from ``tail.page`` on, with the tail's
    photo scale and a share of each page's foot kept for house panels. ``planners``: one
    for each scale, shared by the plans of one issue (they remember what they worked out).
    ``record`` receives the plan's state at the start of each page; ``resume``: such a state
    to go on from (the same plan up to there: a tail from that page on)."""
    known = planners if planners is not None else {}
    head_planner = known.setdefault(scale, Planner(grid, scale))
    tail_planner = known.setdefault(tail.scale, Planner(grid, tail.scale)) if tail else head_planner
    warnings: list[str] = []
    # In section order; in a section the editor's leads first, then as the manifest lists them.
    sections = list(dict.fromkeys(s.section for s in stories))
    # A brief taller than half a page in its one column (a tall photo in it) is set as a story.
    def brief(s: StoryMeasure) -> bool:
        return s.is_brief and brief_height(s, grid) <= 0.5 * grid.height_mm

    queue = sorted(
        (s for s in stories if not brief(s)),
        key=lambda s: (sections.index(s.section), s.rank != "lead"),
    )
    briefs = [s for s in stories if brief(s)]
    listed = {b.slug: n for n, b in enumerate(briefs)}

    def waiting(section: str) -> list[StoryMeasure]:
        """The briefs a page of ``section`` may take: its own section's first, then those of
        the sections before it that found no room there; a later section's wait for its
        pages (once every story is placed, any). Each section's in the order listed."""
        here = sections.index(section) if queue and section in sections else len(sections)
        return sorted(
            (b for b in briefs if sections.index(b.section) <= here),
            key=lambda b: (b.section != section, listed[b.slug]),
        )

    # What stands above the stories on the first page (masthead, contents) is editorial.
    pages: list[PageWork] = [
        PageWork(number=first_page, top=first_top, covered=grid.columns * first_top)
    ]
    last_section = ""
    panel_uses: dict[str, int] = {}
    if resume is not None:
        pages = _State.pages_copy(resume.pages)
        queue, briefs = list(resume.queue), list(resume.briefs)
        last_section, panel_uses = resume.last_section, dict(resume.panel_uses)
        warnings = list(resume.warnings)
    limit_pages = 8 + 4 * len(stories) + int(sum(s.body_mm for s in stories) / grid.height_mm)
    while queue or briefs:
        if len(pages) > limit_pages:  # pragma: no cover - a guard: every branch places or fills
            raise InputError("the stories cannot be made up into pages", where="flatplan")
        page = pages[-1]
        if record is not None and page.number not in record:
            record[page.number] = _State(
                pages=tuple(_State.pages_copy(pages)),
                queue=tuple(queue),
                briefs=tuple(briefs),
                last_section=last_section,
                panel_uses=tuple(panel_uses.items()),
                warnings=tuple(warnings),
            )
        in_tail = tail is not None and page.number >= tail.page
        planner = tail_planner if in_tail else head_planner
        # (The tail's reserve: the foot of its pages kept for a panel, not planned.)
        cap = grid.height_mm
        if tail is not None and in_tail and not page.whole:
            cap = grid.height_mm * (1.0 - tail.reserve)
        height = cap - page.top
        if height < 0.2 * grid.height_mm:
            if page.stories and not page.panels:  # (the foot a tail page keeps for one)
                panel_or_empty(page, grid, panels, panel_uses, grid.height_mm - page.top)
            pages.append(PageWork(number=page.number + 1, top=0.0))
            continue
        # A pinned story starts its page: what comes before it fills the pages before.
        limit = len(queue)
        for n, s in enumerate(queue):
            if s.page is not None and s.page > page.number:
                limit = n
                break
        front = queue[:limit]
        pinned = next((q for q in front if q.page == page.number), None)
        if pinned is not None and page.top < 0.2 * grid.height_mm:
            # The story pinned to this page leads it; what came before it follows.
            queue.remove(pinned)
            queue.insert(0, pinned)
            front = queue[:limit]
        if front and front[0].page is not None and front[0].page < page.number:
            warnings.append(f"{front[0].slug}: pinned to page {front[0].page}, starts on {page.number}")
        label = front[0].section if front and front[0].section != last_section else ""
        ready = waiting(front[0].section if front else page.section or last_section)
        label_mm = grid.label_mm if label and page.top > 0 else 0.0
        if front and is_long(front[0], planner, grid.height_mm - page.top - label_mm):
            # A long story opens where it stands, its photo smaller if the space is short.
            opener = opener_planner(front[0], planner, height - label_mm, lead=page.top == 0)
            if opener is None and page.top == 0:
                # Nothing opens it even on an empty page (a pathological head): it opens
                # here all the same, its photo smallest, rather than wait for a page that
                # never comes.
                opener = Planner(grid, 0.15)
                warnings.append(f"{front[0].slug}: its head and photo barely fit a page")
            if page.top + label_mm > 0.8 * grid.height_mm or opener is None:
                # Too little of this page left for a long story's opening: fill it first.
                fill = planner.fill(
                    front[1:],
                    ready,
                    width=grid.columns,
                    height=height,
                    lead=page.top == 0,
                    top=page.top,
                )
                if fill.used or fill.briefs:
                    lay_fill(fill, page, grid, "", 0.0)
                    for b in fill.briefs:
                        briefs.remove(b)
                    queue[:] = [q for q in queue if q.slug not in fill.used]
                    page.top += fill.bottom + grid.story_gap_mm
                    continue
                panel_or_empty(page, grid, panels, panel_uses, grid.height_mm - page.top)
                pages.append(PageWork(number=page.number + 1, top=0.0))
                continue
            story = queue.pop(0)
            page.top += label_mm
            last = run_on(
                story, opener, page, pages, label, lead=page.top <= label_mm, scale=planner.scale
            )
            last_section = story.section
            if last.top >= grid.height_mm - EPS:
                pages.append(PageWork(number=last.number + 1, top=0.0))
            continue
        fill = planner.fill(
            front,
            ready,
            width=grid.columns,
            height=height - label_mm,
            lead=page.top == 0,
            top=page.top + label_mm,
        )
        if shrink and fill.used and len(front) > len(fill.used):
            fill = fuller(fill, planner, front, ready, height - label_mm, page.top + label_mm)
        if not fill.used and not fill.briefs:
            if page.top == 0 and front and cap < grid.height_mm:
                page.whole = True  # the next story needs the whole page: no reserve here
                continue
            if page.top == 0 and front:
                # Cannot happen for a story shorter than a page; guard the loop all the same.
                warnings.append(f"{front[0].slug}: does not fit a page")
                queue.pop(0)
                continue
            nxt = front[0] if front else None
            if nxt is not None and page.top > 0 and height >= RUN_ON_SHARE * grid.height_mm:
                # Nothing fits whole under what ends here (a long story's last legs): the
                # next story opens here and runs on overleaf rather than leave the space.
                opened = open_at_foot(nxt, planner, page, pages, last_section)
                if opened is not None:
                    queue.remove(nxt)
                    last_section = nxt.section
                    if opened.top >= grid.height_mm - EPS:
                        pages.append(PageWork(number=opened.number + 1, top=0.0))
                    continue
            panel_or_empty(page, grid, panels, panel_uses, grid.height_mm - page.top)
            if front or (not front and queue):
                pages.append(PageWork(number=page.number + 1, top=0.0))
                continue
            if briefs and not front:
                pages.append(PageWork(number=page.number + 1, top=0.0))
                continue
            break
        rest = [q for q in queue if q.slug not in fill.used]
        ends_here = not rest or rest[0].words < 500 or (rest[0].page or 0) > page.number
        fill = fill_foot(fill, planner, height - label_mm, grid, opens_next=not ends_here)
        lay_fill(fill, page, grid, label, label_mm)
        page.section = page.section or (front[0].section if front else briefs[0].section)
        queue[:] = [q for q in queue if q.slug not in fill.used]
        if fill.bands:
            last_section = fill.bands[-1].cells[-1].story.section
        for b in fill.briefs:
            briefs.remove(b)
        bottom = fill.bottom
        if fill.briefs:  # the "In brief" column beside the bands may reach lower
            bottom = max(bottom, grid.label_mm + sum(brief_height(b, grid) for b in fill.briefs))
        left = height - label_mm - bottom
        page.top = cap - left
        nxt = queue[0] if queue and (queue[0].page is None or queue[0].page <= page.number) else None
        if nxt is not None and left >= RUN_ON_SHARE * grid.height_mm:
            # The next story does not fit what is left: it opens here and runs on overleaf.
            opened = open_at_foot(nxt, planner, page, pages, last_section)
            if opened is None:
                panel_or_empty(page, grid, panels, panel_uses, grid.height_mm - page.top)
                pages.append(PageWork(number=page.number + 1, top=0.0))
                continue
            queue.pop(0)
            last_section = nxt.section
            if opened.top >= grid.height_mm - EPS:
                pages.append(PageWork(number=opened.number + 1, top=0.0))
            continue
        if not queue and briefs and briefs_at_foot(page, briefs, grid, left):
            continue
        if queue or briefs or cap < grid.height_mm:
            panel_or_empty(page, grid, panels, panel_uses, grid.height_mm - page.top)
        if queue or briefs:
            pages.append(PageWork(number=page.number + 1, top=0.0))
    while len(pages) > 1 and not pages[-1].stories and not pages[-1].panels:
        pages.pop()  # (a page begun after the last story ran to the foot: the pad's, if any)
    last = pages[-1]
    if last.stories and not last.panels:
        # The space under the last story of the issue: house material, not bare paper.
        panel_or_empty(last, grid, panels, panel_uses, grid.height_mm - last.top)
    return pages, warnings


def _slugs(work: Sequence[PageWork]) -> frozenset[str]:
    return frozenset(p.slug for page in work for p in page.stories)


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
    scales: Sequence[float] = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0),
) -> Flatplan:
    """Plan the stories from ``first_page`` on (``first_top``: what stands above the stories
    on that page), after ``front_pages`` pages made elsewhere. The photos' scale is chosen so
    the edition fills the smallest multiple of ``multiple`` pages that holds it (or ``pages``)
    with the least space left empty."""
    results = []
    planners: dict[float, Planner] = {}
    # Every plan of this issue: the same stories and pages, planners shared (see _plan).
    plan = functools.partial(
        _plan, stories, grid, panels, first_page=first_page, first_top=first_top, planners=planners
    )
    for scale in scales:
        # Each scale planned twice: as it is, and with a sparse page's pictures shrunk to take
        # one more story (fewer pages, which may leave the issue a house page to fill).
        for shrink in (False, True):
            work, warnings = plan(scale=scale, shrink=shrink)
            results.append((scale, work, warnings))
    counts = [len(w) + front_pages for _, w, _ in results]
    target = pages or multiple * math.ceil(min(counts) / multiple)
    area = grid.columns * grid.height_mm

    def cost(item: tuple[float, list[PageWork], list[str]]) -> tuple[int, int, float, float]:
        # Fewest pages over the count, then fewest pages more than half filler (a page of
        # house material is one), then least filler, then photos nearest their own size.
        scale, work, _ = item
        over = max(0, len(work) + front_pages - target)
        pad = max(0, target - front_pages - len(work))
        half = sum(1 for p in work if area - p.covered > 0.5 * area + EPS) + pad
        empty = sum(area - p.covered for p in work) + pad * area
        return (over, half, round(empty, 1), abs(scale - 1.0))

    best = min(results, key=cost)
    if cost(best)[1] or (best[1] and area - best[1][-1].covered > TAIL_FILLER * area + EPS):
        # The issue ends short (a last page mostly empty, or whole pages of filler): its last
        # pages made again, their photos at another scale (more copy carried over to fill the
        # last page, or less, to end a page sooner) and, where the copy cannot fill the pages
        # at any scale, a share of each of their feet kept for house panels, so the spare
        # space is spread rather than left to pages of filler.
        reserves = (0.0, *TAIL_RESERVES) if cost(best)[1] else (0.0,)
        last = best[1][-1].number if best[1] else first_page
        tails = []
        # The plan the tails depart from, as it stood at the start of each page: a tail from
        # page P is that plan up to the first page it started at or after P, and goes on
        # from there (the pages before are not planned again).
        states: dict[int, _State] = {}
        plan(scale=best[0], record=states)
        for page in range(max(first_page, last - TAIL_PAGES + 1), last + 1):
            at = min((n for n in states if n >= page), default=None)
            if at is None:
                continue  # (no page of that plan starts there: a tail would change nothing)
            for reserve in reserves:
                for tail_scale in TAIL_SCALES:
                    work, warnings = plan(
                        scale=best[0],
                        tail=Tail(page=page, scale=tail_scale, reserve=reserve),
                        resume=states[at],
                    )
                    if _slugs(work) == _slugs(best[1]):
                        tails.append((best[0], work, warnings))
        # Taken only if it is better where it matters: fewer pages over half filler (or,
        # with none, less filler); a story broken over more pages for nothing is not.
        tail = min(tails, key=cost, default=None)
        if tail is not None:
            (over, half, empty, _), (was_over, was_half, was_empty, _) = cost(tail), cost(best)
            if over <= was_over and (half < was_half or (not was_half and empty < was_empty)):
                best = tail
    scale, work, warnings = best
    needed = len(work) + front_pages
    unplaced: list[Unplaced] = []
    if pages is not None and len(work) + front_pages > pages:
        # A fixed count the copy overflows: what stands past it does not go in, and a story
        # that runs on past it does not either (it runs whole or not at all: no text lost).
        kept, beyond = work[: pages - front_pages], work[pages - front_pages :]
        cut = list(dict.fromkeys(s.slug for p in beyond for s in p.stories))
        words = {s.slug: s.words for s in stories}
        for slug in cut:
            boxes = [s.box for p in work for s in p.stories if s.slug == slug]
            size = sum(b.span * b.height_mm for b in boxes) / area
            unplaced.append(Unplaced(slug=slug, words=words.get(slug, 0), pages=round(size, 2)))
        for p in kept:
            gone = [s for s in p.stories if s.slug in cut]
            p.covered -= sum(s.box.span * s.box.height_mm for s in gone)
            p.stories = [s for s in p.stories if s.slug not in cut]
        work = kept
    # Whole pages of house material to the multiple: in the panels' order, the last panel
    # on the last page (the back page's advert), no panel more than twice.
    pad = target - front_pages - len(work)
    used = Counter(x.key for p in work for x in p.panels)
    keys = [p.key for p in panels if used[p.key] < 2] or [p.key for p in panels]
    if pad > 0 and keys:
        order = keys[-pad:] if pad <= len(keys) else [keys[i % len(keys)] for i in range(pad - len(keys))] + keys
        for key in order:
            work.append(PageWork(number=work[-1].number + 1 if work else first_page, top=0.0))
            box = Rect(column=0, span=grid.columns, top_mm=0.0, height_mm=grid.height_mm)
            work[-1].panels.append(PanelPlace(key=key, box=box))
    while len(work) + front_pages < target:
        work.append(PageWork(number=work[-1].number + 1 if work else first_page, top=0.0))
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
        needed=needed,
    )


__all__ = ["make_flatplan"]
