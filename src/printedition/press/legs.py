"""Legs: a story's body, measured once as strips, cut into the legs the flatplan gives it and
laid on its pages.

Goes in: the body's strips (``engine.Strip``: each line and unbreakable block of the body as
it was laid out in one column, with whether the text may break after it, and a PDF with one
page for each), the story's legs in reading order (``flatplan.Leg`` on their pages). The steps:

1. ``cut_legs``: the strips shared out over the legs (``body.Body.cut``), each leg ending where
   the text may break and holding no more than its height; the legs on the story's last page
   balanced (they end together within a line); ``None`` when the text does not fit;
2. ``overlay_legs``: each leg drawn on its page as one form XObject made of its strips' own
   drawing (each moved from where it stood in the tall column to its place in the leg), the
   strips' links moved with them. Text stays text, set once: a leg is never laid out again.

Comes out: the cuts (first and last strip of each leg) and the composed PDF.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pikepdf

from printedition.press.body import Body, Cut
from printedition.press.flatplan import Leg
from printedition.press.layout import Geometry

MM = 72 / 25.4


MAX_DEFERRED = 8  # pictures moved to the next leg's top, at most, in one story


def cut_legs(body: Body, legs: Sequence[tuple[int, Leg]]) -> tuple[Body, list[Cut]] | None:
    """The strips in each leg (in the order given), or None if they do not all fit. The legs
    on the story's last page are balanced. A picture or box that would leave its leg short
    (it does not fit the leg's foot) stands at the top of the next leg, the lines after it
    filling the gap: the body comes back in the order it is drawn."""
    if not legs:
        return None if len(body) else (body, [])
    last_page = legs[-1][0]
    split = next(n for n, (page, _) in enumerate(legs) if page == last_page)
    heights = [leg.height_mm for _, leg in legs]
    cuts = body.cut(heights, split)
    if cuts is None:
        return None
    for _ in range(MAX_DEFERRED):
        moved = body.deferred(cuts, heights)
        again = moved.cut(heights, split) if moved is not None else None
        if moved is None or again is None:
            break
        body, cuts = moved, again
    return body, cuts


# ---------------------------------------------------------------------------------------------
# The legs on their pages
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryLegs:
    """One story's strips (their PDF, a page each) and its legs with their cuts."""

    pdf: bytes
    body: Body
    legs: tuple[tuple[int, Leg], ...]  # (page number, leg)
    cuts: tuple[Cut, ...]


def _content(page: pikepdf.Page) -> bytes:
    contents = page.obj.get("/Contents")
    if contents is None:
        return b""
    if isinstance(contents, pikepdf.Array):
        return b"\n".join(bytes(c.read_bytes()) for c in contents)
    return bytes(contents.read_bytes())


def _move_links(
    pdf: pikepdf.Pdf, page: pikepdf.Page, source: pikepdf.Page, dx: float, dy: float
) -> None:
    """A strip's links, moved with it onto the page (a form carries no annotations)."""
    annots = source.obj.get("/Annots")
    if annots is None:
        return
    target = page.obj.get("/Annots")
    if target is None:
        target = pdf.make_indirect(pikepdf.Array())
        page.obj["/Annots"] = target
    for annot in annots:
        if annot.get("/Subtype") != "/Link" or "/A" not in annot:
            continue  # internal links point into the strips' own document: left out
        copy = pdf.copy_foreign(annot)
        r = [float(v) for v in annot.Rect]
        copy.Rect = pikepdf.Array([r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy])
        if "/P" in copy:
            del copy["/P"]
        target.append(copy)


def overlay_legs(
    pages: Sequence[tuple[int, bytes]],
    stories: Mapping[str, StoryLegs],
    geometry: Geometry,
) -> list[bytes]:
    """Each story's legs drawn on their pages at the places the plan gives them: ``pages`` are
    one-page documents with their page numbers. A story's strips are opened once for all
    its pages (a long read's strips run to thousands of pages)."""
    sources: dict[str, pikepdf.Pdf] = {}
    out: list[bytes] = []
    try:
        for number, page_pdf in pages:
            with pikepdf.open(io.BytesIO(page_pdf)) as pdf:
                here = sorted(
                    slug for slug, s in stories.items() if any(at == number for at, _ in s.legs)
                )
                for n, slug in enumerate(here):
                    story = stories[slug]
                    for k, ((at, leg), cut) in enumerate(zip(story.legs, story.cuts, strict=True)):
                        if cut.empty or at != number:
                            continue  # (a leg on another page)
                        if slug not in sources:
                            sources[slug] = pikepdf.open(io.BytesIO(story.pdf))
                        _lay_leg(
                            pdf,
                            sources[slug],
                            story.body,
                            cut,
                            pdf.pages[0],
                            leg,
                            geometry,
                            f"/Leg{n}x{k}",
                        )
                for page in pdf.pages:
                    page.contents_coalesce()
                buf = io.BytesIO()
                pdf.save(buf, static_id=True, deterministic_id=False)
                out.append(buf.getvalue())
    finally:
        for source in sources.values():
            source.close()
    return out


def _lay_leg(
    pdf: pikepdf.Pdf,
    source: pikepdf.Pdf,
    body: Body,
    cut: Cut,
    page: pikepdf.Page,
    leg: Leg,
    geometry: Geometry,
    name: str,
) -> None:
    """One leg: its strips' drawing in a form, placed at the leg's place on ``page``."""
    width = geometry.column_width_mm * MM
    strips = body.strips
    height = body.leg_mm(cut) * MM
    top = strips[cut.first].top_mm
    trim = [float(v) for v in page.obj.get("/TrimBox", page.obj.MediaBox)]
    x = (
        trim[0]
        + (geometry.side_mm + leg.column * (geometry.column_width_mm + geometry.column_gap_mm)) * MM
    )
    y = trim[3] - (geometry.top_mm + leg.top_mm) * MM - height  # the leg's foot on the page
    parts: list[bytes] = []
    resources = None
    for n in range(cut.first, cut.last + 1):
        strip_page = source.pages[strips[n].page]
        page_height = float(strip_page.obj.MediaBox[3])
        # From where it stood on its own (tall) page to its place in the leg.
        dy = (height - (strips[n].top_mm - top) * MM) - (page_height - strips[n].page_top_mm * MM)
        parts.append(b"q 1 0 0 1 0 %.4f cm\n" % dy + _content(strip_page) + b"\nQ\n")
        if resources is None:
            resources = strip_page.obj.get("/Resources")
        _move_links(pdf, page, strip_page, x, y + dy)
    form = pikepdf.Stream(pdf, b"".join(parts))
    form["/Type"] = pikepdf.Name.XObject
    form["/Subtype"] = pikepdf.Name.Form
    form["/BBox"] = pikepdf.Array([0, 0, width, height])
    if resources is not None:
        form["/Resources"] = pdf.copy_foreign(resources)
    key = pikepdf.Name(name)
    page.add_resource(pdf.make_indirect(form), pikepdf.Name.XObject, key)
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"Q\nq 1 0 0 1 %.4f %.4f cm %s Do Q\n" % (x, y, bytes(key)))


__all__ = ["StoryLegs", "cut_legs", "overlay_legs"]
