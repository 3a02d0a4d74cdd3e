"""The flatplan packer on measured stories (no layout): the make-up rules, page by page."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from printedition.press.flatplan import Flatplan, Grid, Panel, Photo, StoryMeasure, plan_report
from printedition.press.packing import make_flatplan

GRID = Grid(columns=5, column_mm=50.6, gap_mm=4.0, height_mm=340.0, line_mm=11 * 25.4 / 72)
PANELS = [
    Panel(key="about", min_mm=45.0),
    Panel(key="appeal", min_mm=45.0),
    Panel(key="subscribe", min_mm=45.0),
]


def _story(
    n: int, words: int, *, section: str, photo: tuple[int, int] | None, brief: bool = False
) -> StoryMeasure:
    """A story as the measure stage gives it: heads by span, the body in one column."""
    return StoryMeasure(
        slug=f"s{n:02d}",
        section=section,
        headline=f"Headline {n}",
        words=words,
        head_mm={s: 14 + 36 / s for s in range(1, 6)},
        lead_head_mm={s: 18 + 48 / s for s in range(1, 6)},
        brief_head_mm=9.0,
        body_mm=words / 5.3 * GRID.line_mm,  # ~5.3 words a line at 8.6 pt in 50 mm
        photo=(
            Photo(width_px=photo[0], height_px=photo[1], caption_mm={s: 8.0 for s in range(1, 6)})
            if photo
            else None
        ),
        rank="brief" if brief else "standard",
    )


def _issue(seed: int) -> list[StoryMeasure]:
    """About 24 stories over four sections: briefs, standard stories, two long reads, some
    photos too small for more than a column or two."""
    rnd = random.Random(seed)
    out = []
    for n in range(24):
        section = ("News", "Politics", "World", "Culture")[n * 4 // 24]
        if n in (4, 15):
            out.append(_story(n, rnd.randint(3200, 5200), section=section, photo=(2400, 1600)))
        elif n % 3 == 2:
            out.append(_story(n, rnd.randint(100, 300), section=section, photo=None, brief=True))
        else:
            px = rnd.choice([(640, 427), (1200, 800), (2400, 1600), (1600, 2000)])
            photo = px if rnd.random() < 0.7 else None
            out.append(_story(n, rnd.randint(400, 1200), section=section, photo=photo))
    return out


@pytest.fixture(scope="module", params=[1, 2, 3])
def plan(request: pytest.FixtureRequest) -> tuple[list[StoryMeasure], Flatplan]:
    stories = _issue(request.param)
    return stories, make_flatplan(stories, GRID, PANELS)


def test_every_story_is_placed_once_and_its_legs_hold_its_body(
    plan: tuple[list[StoryMeasure], Flatplan],
) -> None:
    stories, made = plan
    for story in stories:
        starts = [p.number for p in made.pages if story.slug in p.slugs]
        assert starts == sorted(starts) and starts, story.slug
        legs = [
            leg for p in made.pages for s in p.stories if s.slug == story.slug for leg in s.legs
        ]
        # Each leg may lose a line at its end (a paragraph's last line, widows and orphans).
        room = sum(leg.height_mm - GRID.line_mm for leg in legs)
        assert room >= story.body_mm - 0.5, (story.slug, room, story.body_mm)


def test_pages_come_in_fours_and_house_material_is_last(
    plan: tuple[list[StoryMeasure], Flatplan],
) -> None:
    _, made = plan
    assert len(made.pages) % 4 == 0
    uses = Counter(p.key for page in made.pages for p in page.panels)
    assert all(n <= 2 for n in uses.values()), uses
    report = plan_report(made)
    assert 0.0 <= report["filler"] < 0.5
    assert all(p["empty"] + p["house"] <= 1.0 for p in report["pages"])


def test_no_butting_headlines_and_none_in_the_bottom_fifth(
    plan: tuple[list[StoryMeasure], Flatplan],
) -> None:
    _, made = plan
    checked = 0
    for page in made.pages:
        heads = [s for s in page.stories if s.head is not None and s.kind == "story"]
        for s in heads:
            assert s.head is not None and s.head.top_mm <= 0.8 * GRID.height_mm, (
                page.number,
                s.slug,
            )
        for a in heads:
            for b in heads:
                if a is b or a.head is None or b.head is None:
                    continue
                side_by_side = a.box.column + a.box.span <= b.box.column
                if side_by_side and abs(a.head.top_mm - b.head.top_mm) < 3.0:
                    assert a.picture_led or b.picture_led or a.boxed or b.boxed, (
                        page.number,
                        a.slug,
                        b.slug,
                    )
                    checked += 1
    several = sum(1 for p in made.pages if len(p.slugs) >= 2)
    assert several >= len([p for p in made.pages if p.stories]) / 3
    assert checked >= 0


def test_photos_stand_at_the_floor_resolution_or_better(
    plan: tuple[list[StoryMeasure], Flatplan],
) -> None:
    stories, made = plan
    by_slug = {s.slug: s for s in stories}
    placed = 0
    for page in made.pages:
        for s in page.stories:
            if s.photo is None:
                continue
            photo = by_slug[s.slug].photo
            assert photo is not None
            width = GRID.width(s.photo.span)
            # A box taller than the photo's own shape crops its sides: fewer pixels across.
            natural = width * min(photo.height_px / photo.width_px, 1.0)
            kept = photo.width_px * min(1.0, natural / s.photo_mm)
            assert kept / (width / 25.4) >= GRID.min_ppi - 0.5, (s.slug, s.photo.span)
            placed += 1
    assert placed >= 5


def test_the_same_stories_give_the_same_plan() -> None:
    stories = _issue(7)
    assert make_flatplan(stories, GRID, PANELS) == make_flatplan(list(stories), GRID, PANELS)


def test_a_fixed_page_count_reports_what_does_not_fit() -> None:
    stories = _issue(1)
    made = make_flatplan(stories, GRID, PANELS, pages=4)
    assert len(made.pages) == 4
    assert made.unplaced, "24 stories do not fit four pages"
    # A story is in whole or not at all: none of what is left out stands on the four pages.
    left_out = {u.slug for u in made.unplaced}
    assert not left_out & {s.slug for p in made.pages for s in p.stories}
    placed = {s.slug for p in made.pages for s in p.stories}
    assert placed | left_out == {s.slug for s in stories}
    # The note says by how much, story by story, and what the editor can do.
    report = plan_report(made)
    note = next(n for n in report["notes"] if "do not fit the 4 pages" in n)
    over = sum(u.pages for u in made.unplaced)
    assert f"{over:.1f} pages over" in note and made.needed > 4
    first = made.unplaced[0]
    words = next(s.words for s in stories if s.slug == first.slug)
    assert f"{first.slug} ({words:,} words, {first.pages:.1f} pages)" in note
    assert "next issue" in note and f"pages = {4 * -(-made.needed // 4)}" in note


def test_a_pinned_story_starts_its_page() -> None:
    stories = _issue(2)
    pinned = next(s for s in stories if not s.is_brief and s.words < 1500 and s.slug > "s08")
    stories = [
        StoryMeasure(**{**{f: getattr(s, f) for f in s.__dataclass_fields__}, "page": 6})
        if s is pinned
        else s
        for s in stories
    ]
    made = make_flatplan(stories, GRID, PANELS)
    assert made.start_page(pinned.slug) == 6


@pytest.mark.parametrize(("seed", "count"), [(6, 24), (7, 24), (7, 13), (8, 17)])
def test_an_issue_that_ends_short_has_its_last_pages_made_again(seed: int, count: int) -> None:
    """Planned page after page, these issues end on a page mostly empty (or a whole page of
    house material): their last pages are made again (photos at another scale, a share of
    the feet kept for house panels) so no page is more than half filler, in the same number
    of pages, every story still placed."""
    stories = _issue(seed)[:count]
    made = make_flatplan(stories, GRID, PANELS)
    report = plan_report(made)
    worst = max(p["empty"] + p["house"] for p in report["pages"])
    assert worst <= 0.5, [round(p["empty"] + p["house"], 2) for p in report["pages"]]
    placed = {s.slug for page in made.pages for s in page.stories}
    assert placed == {s.slug for s in stories}
    uses = Counter(p.key for page in made.pages for p in page.panels)
    assert all(n <= 2 for n in uses.values()), uses
    # Not by adding pages: a plan without house panels (nothing to spread) has as many.
    assert len(made.pages) == len(make_flatplan(stories, GRID, []).pages)


def test_photos_are_cropped_modestly() -> None:
    """However hard a plan shrinks or enlarges a photo, its box keeps the style's share of
    its height (no sliver of a picture) and it is never enlarged past the style's zoom."""
    photo = Photo(width_px=2400, height_px=1600, caption_mm={})
    natural = GRID.width(3) * 1600 / 2400
    assert photo.height(GRID, 3, 0.1) == pytest.approx(natural * GRID.crop_least)
    assert photo.height(GRID, 3, 0.8) == pytest.approx(natural * 0.8)
    assert photo.height(GRID, 3, 5.0) == pytest.approx(natural * GRID.zoom_most)
    # A small photo is enlarged only as far as its pixels carry the floor resolution.
    small = Photo(width_px=1000, height_px=667, caption_mm={})
    assert small.ppi(GRID, 3) / small.zoom(GRID, 3, 5.0) >= GRID.min_ppi


@pytest.mark.parametrize(("seed", "count"), [(1, 24), (2, 24), (20, 9), (21, 9), (24, 9)])
def test_no_page_is_left_bare_while_a_house_panel_is_free(seed: int, count: int) -> None:
    """Space under a page's last story that a house panel fits gets one while any panel is
    used less than twice (the last page of the issue too, and a page whose foot the re-planned
    ending kept for one); no page of the plan is left with nothing on it."""
    made = make_flatplan(_issue(seed)[:count], GRID, PANELS)
    uses = Counter(x.key for page in made.pages for x in page.panels)
    free = any(uses[p.key] < 2 for p in PANELS)
    smallest = min(p.min_mm for p in PANELS)
    for page in made.pages:
        assert page.stories or page.panels, page.number
        rects = [s.box for s in page.stories] + [x.box for x in page.panels]
        rects += [page.briefs_box] if page.briefs_box is not None else []
        foot = GRID.height_mm - max(r.top_mm + r.height_mm for r in rects)
        assert not (free and foot - GRID.story_gap_mm >= smallest), (page.number, round(foot))
