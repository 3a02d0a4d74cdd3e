"""Placing: a page's planned fill as rectangles on it (pure planning, no layout).

Goes in: a page as the planner fills it (``runs.PageWork``), a fill of its free area
(``bands.AreaFill``: bands of stories and the briefs beside them) or the briefs still waiting,
and the house panels. Comes out: the page with its stories' rectangles placed (head, photo,
legs), its "In brief" stack, and house material in the space no story takes. ``packing``
decides what goes on which page; this module puts it there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from printedition.press.bands import BOX_MM, AreaFill, Planner, Shape, brief_height
from printedition.press.flatplan import (
    EPS,
    Grid,
    Leg,
    Panel,
    PanelPlace,
    Placed,
    Rect,
    StoryMeasure,
)
from printedition.press.runs import RUN_ON_SHARE, PageWork


def place(cell: Shape, grid: Grid, column: int, top: float, height: float, label: str) -> Placed:
    """A story's shape in its band as rectangles: its box ``height`` tall at ``column`` and
    ``top``, its head, its photo (above the head when the story opens with it), and its
    legs ending together at the foot of the box; ``label``: the section label over it."""
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
        photo_key=cell.story.photo_key if photo is not None else "",
        legs=tuple(legs),
        lead=cell.lead,
        picture_led=cell.picture_led,
        boxed=cell.boxed,
        section_label=label,
    )


def fuller(
    fill: AreaFill,
    planner: Planner,
    front: Sequence[StoryMeasure],
    briefs: Sequence[StoryMeasure],
    height: float,
    top: float,
) -> AreaFill:
    """A fill that leaves more than half of its area empty while stories wait is tried again
    with smaller pictures (a page of their own shrinks them), and taken if it places more."""
    grid = planner.grid
    area = grid.columns * height
    if fill.covered >= 0.5 * area:
        return fill
    for factor in (0.75, 0.5, 0.35):
        smaller = Planner(grid, planner.scale * factor)
        alt = smaller.fill(front, briefs, width=grid.columns, height=height, lead=top == 0, top=top)
        if len(alt.used) > len(fill.used) and alt.covered > fill.covered + EPS:
            return alt
    return fill


def fill_foot(
    fill: AreaFill, planner: Planner, height: float, grid: Grid, *, opens_next: bool
) -> AreaFill:
    """The page's last band grown into the space under it, when that space would otherwise
    be left to filler: its pictures larger (taller, their sides cropped, never below the
    floor resolution). Not when the next story could open in that space and run on."""
    if not fill.bands:
        return fill
    bottom = fill.bottom
    if fill.briefs:
        bottom = max(bottom, grid.label_mm + sum(brief_height(b, grid) for b in fill.briefs))
    left = height - bottom
    if left <= grid.line_mm or (opens_next and left >= RUN_ON_SHARE * grid.height_mm):
        return fill
    band = fill.bands[-1]
    grown = planner.grow(band, band.height + left)
    if grown is band:
        return fill
    bands = (*fill.bands[:-1], grown)
    extra = grown.height - band.height
    return dataclasses.replace(
        fill,
        bands=bands,
        bottom=fill.bottom + extra,
        covered=fill.covered + grown.covered - band.covered,
    )


def lay_fill(fill: AreaFill, page: PageWork, grid: Grid, label: str, label_mm: float) -> None:
    top = page.top + label_mm
    at = top
    for n, band in enumerate(fill.bands):
        if n:
            at += grid.story_gap_mm
        column = 0
        for m, cell in enumerate(band.cells):
            page.stories.append(
                place(cell, grid, column, at, band.height, label if n == 0 and m == 0 else "")
            )
            column += cell.span
        at += band.height
    page.covered += sum(b.covered for b in fill.bands)
    if fill.briefs:
        height = grid.label_mm + sum(brief_height(b, grid) for b in fill.briefs)
        box = Rect(column=fill.main, span=1, top_mm=top, height_mm=height)
        page.briefs_box = box
        y = top + grid.label_mm
        for b in fill.briefs:
            h = brief_height(b, grid) - grid.story_gap_mm
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
            y += h + grid.story_gap_mm
        page.covered += height


def briefs_at_foot(
    page: PageWork, briefs: list[StoryMeasure], grid: Grid, left: float
) -> bool:
    """The briefs still waiting, side by side in a labelled strip at the foot of the page, if
    they fit the space left there."""
    taken = briefs[: grid.columns]
    height = grid.label_mm + max(brief_height(b, grid) for b in taken)
    if height + grid.story_gap_mm > left + EPS:
        return False
    top = grid.height_mm - left + grid.story_gap_mm
    page.briefs_box = Rect(column=0, span=grid.columns, top_mm=top, height_mm=height)
    for n, b in enumerate(taken):
        y = top + grid.label_mm
        h = brief_height(b, grid) - grid.story_gap_mm
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
    page.covered += grid.label_mm * len(taken)
    page.top = top + height
    return True


def panel_or_empty(
    page: PageWork, grid: Grid, panels: Sequence[Panel], uses: dict[str, int], height: float
) -> None:
    """House material in the space left at the foot of a page, if any panel suits it."""
    top = grid.height_mm - height + (grid.story_gap_mm if page.stories else 0.0)
    room = grid.height_mm - top
    for panel in sorted(panels, key=lambda p: (uses.get(p.key, 0), p.key)):
        if uses.get(panel.key, 0) >= 2 or room < panel.min_mm:
            continue
        uses[panel.key] = uses.get(panel.key, 0) + 1
        page.panels.append(
            PanelPlace(key=panel.key, box=Rect(column=0, span=grid.columns, top_mm=top, height_mm=room))
        )
        return


__all__ = [
    "briefs_at_foot",
    "fill_foot",
    "fuller",
    "lay_fill",
    "panel_or_empty",
    "place",
]
