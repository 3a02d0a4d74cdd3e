"""A body laid out once and cut into legs: the engine's strips on real HTML (where a column may
break), the cut (every strip once, in order, legs balanced), pictures taken out to stand across
columns on a long read's later pages, and the legs drawn on a page as text."""

from __future__ import annotations

import io
import itertools
import random
import subprocess
from pathlib import Path

import pikepdf
import pytest

from printedition.model import PageBreak
from printedition.press.body import Body, Cut, Strip
from printedition.press.engine import render
from printedition.press.flatplan import Art, Grid, Leg, Photo, StoryMeasure
from printedition.press.layout import Geometry
from printedition.press.legs import StoryLegs, cut_legs, overlay_legs
from printedition.press.makeup import block_index, page_breaks
from printedition.press.packing import make_flatplan
from printedition.settings import PAGE_FORMATS
from printedition.style import default_style

LINE = 11 * 25.4 / 72

PARAGRAPH = (
    "The council met on Tuesday to agree a budget that nobody in the chamber wanted, and the "
    "officers who wrote it said so in as many words before the vote was taken at last. "
)


def _html(body: str) -> str:
    style = default_style()
    sheets = "".join(
        f'<link rel="stylesheet" href="{style.base_url}{name}"/>' for name in ("fonts.css", "press.css", "makeup.css")
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/>'
        f"{sheets}<style>@page {{ size: 49mm 2000mm; margin: 0 }}</style></head><body>"
        f'<div class="body mk-body">{body}</div></body></html>'
    )


@pytest.fixture(scope="module")
def laid() -> tuple[bytes, tuple[Strip, ...], str]:
    body = (
        f'<p class="opener"><span class="dropcap" aria-hidden="true">T</span>{PARAGRAPH * 3}</p>'
        "<h2>What the papers say</h2>"
        f"<p>{PARAGRAPH * 2}</p>"
        '<figure id="art-3"><div style="height: 30mm; background: black"></div>'
        "<figcaption>A caption under the picture, long enough to take two lines.</figcaption></figure>"
        f"<p>{PARAGRAPH}</p>"
    )
    html = _html(body)
    out = render(html, {}, variant="none", date="", style=default_style(), strip="mk-body")
    return out.pdf, out.strips, html


def test_strips_are_pieces_a_column_may_break_between(laid: tuple[bytes, tuple[Strip, ...], str]) -> None:
    pdf, strips, _ = laid
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) == len(strips)  # a PDF page for each strip
    assert all(b.top_mm >= a.top_mm - 0.01 for a, b in itertools.pairwise(strips))
    figure = [s for s in strips if s.ident == "art-3"]
    assert len(figure) == 1, "a figure is one piece, not broken"
    assert figure[0].bottom_mm - figure[0].top_mm > 30
    # orphans 2: never after a paragraph's first line; the heading keeps with what follows
    assert not strips[0].breakable
    heading = next(n for n, s in enumerate(strips) if s.top_mm > strips[0].top_mm and s.bottom_mm - s.top_mm > 4.5)
    assert not strips[heading].breakable
    assert strips[-1].breakable
    # widows 2: never before a paragraph's last line
    assert not strips[-2].breakable


def test_the_cut_holds_every_strip_once_in_order_with_legs_balanced(
    laid: tuple[bytes, tuple[Strip, ...], str],
) -> None:
    _, strips, _ = laid
    body = Body(strips)
    for span in (2, 3):
        height = body.balanced([0.0] * span)
        laid_out = cut_legs(body, [(1, Leg(column=i, top_mm=0.0, height_mm=height)) for i in range(span)])
        assert laid_out is not None
        drawn, cuts = laid_out
        covered = [n for c in cuts for n in range(c.first, c.last + 1)]
        assert covered == list(range(len(strips)))
        assert sorted(s.page for s in drawn.strips) == sorted(s.page for s in strips)
        heights = [drawn.leg_mm(c) for c in cuts]
        assert max(heights) <= height + 0.31
        # a shorter leg height no longer holds it: the balance is the smallest
        assert body.run([height - 0.5] * span)[1] < len(strips)
    assert cut_legs(body, [(1, Leg(column=0, top_mm=0.0, height_mm=20.0))]) is None


def test_legs_drawn_on_a_page_print_every_word_once(
    laid: tuple[bytes, tuple[Strip, ...], str], tmp_path: Path
) -> None:
    pdf, strips, _ = laid
    style = default_style()
    geometry = Geometry.for_format(PAGE_FORMATS["tabloid"], style)
    # The picture taken out (it stands across columns elsewhere): the rest keep their pages.
    body = Body(strips).without(frozenset({"art-3"}))
    assert len(body) == len(strips) - 1
    height = body.balanced([0.0, 0.0, 0.0])
    legs = tuple((1, Leg(column=i, top_mm=10.0, height_mm=height)) for i in range(3))
    laid_out = cut_legs(body, legs)
    assert laid_out is not None
    body, cuts = laid_out
    blank = pikepdf.new()
    blank.add_blank_page(page_size=(geometry.format.width_mm * 72 / 25.4, geometry.format.height_mm * 72 / 25.4))
    page = io.BytesIO()
    blank.save(page)
    (composed,) = overlay_legs(
        [(1, page.getvalue())], {"s": StoryLegs(pdf=pdf, body=body, legs=legs, cuts=tuple(cuts))}, geometry
    )
    (tmp_path / "page.pdf").write_bytes(composed)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "page.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = " ".join(text.split()).lower()
    # Each piece drawn once, in its leg, the picture not at all: nothing cut off, nothing
    # twice, every line where its leg stands (none above the page).
    assert words.count("what the papers say") == 1
    assert words.count("a caption under the picture") == 0
    assert words.count("budget") == 6
    for line in subprocess.run(
        ["pdftotext", "-bbox", str(tmp_path / "page.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout.splitlines():
        if "<word" in line:
            y = float(line.split('yMin="')[1].split('"')[0])
            assert y >= geometry.top_mm * 72 / 25.4 + 10 * 72 / 25.4 - 3, line

def _long_read(art: tuple[Art, ...]) -> StoryMeasure:
    rnd = random.Random(3)
    strips = []
    y = 0.0
    for n in range(900):
        if n in (300, 600):
            strips.append(Strip(top_mm=y, bottom_mm=y + 40.0, page_top_mm=y, breakable=True, ident=f"art-{n}"))
            y += 43.0
            continue
        strips.append(Strip(top_mm=y, bottom_mm=y + LINE, page_top_mm=y, breakable=rnd.random() < 0.8))
        y += LINE
    return StoryMeasure(
        slug="long",
        section="News",
        headline="A long read",
        words=5000,
        head_mm={s: 14 + 36 / s for s in range(1, 6)},
        lead_head_mm={s: 18 + 48 / s for s in range(1, 6)},
        brief_head_mm=9.0,
        body_mm=y,
        photo=Photo(width_px=2400, height_px=1600, caption_mm={s: 8.0 for s in range(1, 6)}),
        body=Body(tuple(strips)),
        art=art,
    )


def test_a_long_reads_pictures_head_its_later_pages_across_columns() -> None:
    grid = Grid(columns=5, column_mm=50.6, gap_mm=4.0, height_mm=340.0, line_mm=LINE)
    pictures = tuple(
        Art(key=f"art-{n}", photo=Photo(width_px=w, height_px=1600, caption_mm={s: 8.0 for s in range(1, 6)}))
        for n, w in ((300, 2400), (600, 400))  # the second carries one column only
    )
    story = _long_read(pictures)
    plan = make_flatplan([story], grid)
    placed = [(p.number, s) for p in plan.pages for s in p.stories]
    art = [a for _, s in placed for a in s.art]
    assert [a.key for a in art] == ["art-300"], "only a picture whose pixels carry two columns"
    assert art[0].box.span >= 3
    ppi = 2400 / (grid.width(art[0].box.span) / 25.4)
    assert ppi >= grid.min_ppi
    holder = next(s for _, s in placed if s.art)
    assert holder.kind == "run-on"
    for leg in holder.legs[: art[0].box.span]:
        assert leg.top_mm >= art[0].box.bottom_mm  # the text stands under the picture
    # The body without the picture is what the legs hold, every strip once.
    body = story.body.without(plan.art_keys("long")) if story.body else None
    assert body is not None and len(body) == 899
    legs = [(p.number, leg) for p in plan.pages for s in p.stories if s.slug == "long" for leg in s.legs]
    laid_out = cut_legs(body, legs)
    assert laid_out is not None
    drawn, cuts = laid_out
    assert [n for c in cuts for n in range(c.first, c.last + 1)] == list(range(len(body)))
    assert sorted(s.page for s in drawn.strips) == sorted(s.page for s in body.strips)


def test_a_picture_too_tall_for_a_legs_foot_goes_to_the_next_leg_and_text_fills_the_gap() -> None:
    # Ten lines, a 30 mm picture, twenty lines; legs of 60 mm. Set in order, the first leg
    # would end 20 mm short (the picture does not fit its foot): the next five lines fill it
    # and the picture heads the second leg, as a float to the next column would.
    strips: list[Strip] = []
    y = 0.0
    for n in range(31):
        tall = 30.0 if n == 10 else 4.0
        ident = "art-0" if n == 10 else ""
        strips.append(Strip(top_mm=y, bottom_mm=y + tall, page_top_mm=y, breakable=True, ident=ident, page=n))
        y += tall
    body = Body(tuple(strips))
    legs = [(1, Leg(column=0, top_mm=0.0, height_mm=60.0)), (1, Leg(column=1, top_mm=0.0, height_mm=60.0)),
            (2, Leg(column=0, top_mm=0.0, height_mm=60.0))]  # fmt: skip
    plain = body.cut([60.0, 60.0, 60.0], 2)
    assert plain is not None and body.leg_mm(plain[0]) == 40.0  # what it was: a 20 mm hole
    laid_out = cut_legs(body, legs)
    assert laid_out is not None
    drawn, cuts = laid_out
    assert drawn.leg_mm(cuts[0]) == 60.0  # the first leg full
    second = drawn.strips[cuts[1].first]
    assert second.ident == "art-0" and second.page == 10  # the picture heads the next leg
    assert [s.page for s in drawn.strips[: cuts[0].last + 1]] == [*range(10), *range(11, 16)]
    assert sorted(s.page for s in drawn.strips) == list(range(31))  # every piece once
    for a, b in zip(drawn.strips, drawn.strips[1:], strict=False):
        assert b.top_mm >= a.bottom_mm - 1e-9  # in order down the column, none overlapping


def test_a_drop_cap_keeps_its_lines_beside_it_when_a_picture_later_moves() -> None:
    # A drop cap (12 mm, its first three lines beside it), more lines, then the picture of
    # the test above that moves to the next leg: the body is redrawn in the new order, and the
    # drop cap still stands beside its lines, not above them.
    strips = [Strip(top_mm=0.0, bottom_mm=12.0, page_top_mm=0.0, breakable=False, page=0)]
    y = 0.0
    for n in range(1, 32):
        tall = 30.0 if n == 11 else 4.0
        ident = "art-0" if n == 11 else ""
        strips.append(Strip(top_mm=y, bottom_mm=y + tall, page_top_mm=y, breakable=True, ident=ident, page=n))
        y += tall
    body = Body(tuple(strips))
    legs = [(1, Leg(column=0, top_mm=0.0, height_mm=60.0)), (1, Leg(column=1, top_mm=0.0, height_mm=60.0)),
            (2, Leg(column=0, top_mm=0.0, height_mm=60.0))]  # fmt: skip
    laid_out = cut_legs(body, legs)
    assert laid_out is not None
    drawn, cuts = laid_out
    assert drawn.strips[cuts[1].first].ident == "art-0"  # the picture moved ...
    cap, *beside = drawn.strips[:4]
    assert cap.page == 0 and [s.page for s in beside] == [1, 2, 3]
    # ... and the first lines stand where they stood, beside the drop cap.
    assert [s.top_mm for s in beside] == [0.0, 4.0, 8.0] and cap.bottom_mm == 12.0


def test_page_breaks_name_the_block_and_the_line_each_page_begins_with() -> None:
    # Where each page begins in each story on it: the block of the story's first line
    # there, and that line when the block began on an earlier page (with the letters before
    # it); a line in an element with an id of its own belongs to the block named last.
    def line(n: int, ident: str, text: str) -> Strip:
        y = n * LINE
        return Strip(top_mm=y, bottom_mm=y + LINE, page_top_mm=y, breakable=True, ident=ident, text=text)

    leg = Leg(column=0, top_mm=0.0, height_mm=2 * LINE)
    story = StoryLegs(
        pdf=b"",
        body=Body(
            (
                line(0, "b-0", "One two"),
                line(1, "b-0", "three."),
                line(2, "b-2", "Five six"),
                line(3, "fn-1", "seven-"),  # (a line in an element with an id of its own)
                line(4, "b-3", "Nine."),
            )
        ),
        legs=((2, leg), (2, leg), (3, leg), (4, leg)),
        cuts=(Cut(first=0, last=1), Cut(first=2, last=2), Cut(first=3, last=4), Cut(first=5, last=4)),
    )
    other = StoryLegs(
        pdf=b"",
        body=Body((line(0, "art-1", ""), line(1, "b-4", "Ten."))),
        legs=((3, leg),),
        cuts=(Cut(first=0, last=1),),
    )
    assert page_breaks({"s": story, "a": other}) == (
        PageBreak(page=2, slug="s", block=0),
        PageBreak(page=3, slug="a", block=1),
        PageBreak(page=3, slug="s", block=2, line="seven-", before=7),
    )
    # Every body block carries its index as its id (a picture its own art-N).
    assert block_index("b-12") == 12 and block_index("art-3") == 3
    assert block_index("b-head") is None and block_index("story-x") is None
