"""Make-up: stories → measured parts, set in legs, composed into pages from a flatplan.

Goes in: each story ready to set (``layout.StoryLayout``: article, processed images), the page
geometry and the style. The steps:

1. measure (``measure_document`` → ``read_measure``): one small document a story, its head set
   at every span (as a page lead and not), its photo's caption at every span, its head as a
   brief, and its body (class ``mk-body``) in one column on a tall page: heights read from
   WeasyPrint's boxes; the engine writes the body as strips (a PDF page for each line and
   unbreakable block) that the legs are later cut from, so a body is laid out once; each
   body block carries its index in the article's body as its id (``b-N``; ``art-N`` on a
   picture), so every strip knows its block; the body's paragraphs are broken into lines
   for that one column width before layout (``linebreak``, where the style asks for it),
   so WeasyPrint only justifies the lines it is given;
2. (``flatplan.make_flatplan`` decides where everything stands);
3. (``legs.cut_legs``: the strips shared out over the legs the plan gives); ``page_breaks``:
   where each page begins in each story on it (the block of its first line there), which the
   EPUBs mark as the print edition's pages;
4. pages (``pages_document``): every page of the edition with its furniture and, at the
   positions of the plan, each story's head, photo, caption, box and rules, the "In brief"
   label, section strips, house panels and the run-on lines;
5. (``legs.overlay_legs``: the legs drawn on their pages as form XObjects; text stays text).

Nothing here lays out: the engine does, in its own module.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from printedition.model import Block, Figure, ImageRef, PageBreak, Paragraph, word_count
from printedition.press.body import Body, Strip
from printedition.press.flatplan import Art, Flatplan, Leg, Photo, Placed, Rect, StoryMeasure
from printedition.press.house import gap_tier
from printedition.press.layout import (
    ENDMARK,
    PT_PER_MM,
    Furniture,
    Geometry,
    StoryLayout,
    body_blocks_html,
    date_meta,
    masthead_size_pt,
    style_css,
    stylesheet_links,
)
from printedition.press.legs import StoryLegs
from printedition.press.linebreak import LineBreaker, line_breaker
from printedition.render import (
    RenderOptions,
    attr,
    byline_text,
    format_date,
    render_figure,
    text,
)

TALL_MM = 5000.0  # a measuring page: taller than any column of a real story


# ---------------------------------------------------------------------------------------------
# A story's parts as HTML
# ---------------------------------------------------------------------------------------------


def headline_pt(story: StoryLayout, geometry: Geometry, span: int, *, lead: bool) -> float:
    """The headline's size at ``span``: fitted to its length across the span, within the
    style's range for that span (a page's lead the largest) and the story's weight (one
    shorter than the style's ``headline_words`` less, down to half)."""
    kind = geometry.style.type
    makeup = geometry.style.makeup
    headline = story.article.headline
    length = max(1, len(headline.strip()))
    width_pt = geometry.span_mm(span) * PT_PER_MM
    lines = 1 if length <= 24 else 2 if length <= 60 else 3 if length <= 100 else 4
    lines = max(lines, math.ceil(length * 1.1 * kind.headline_char_width_em * makeup.one_column_headline_pt / width_pt) if span == 1 else lines)
    fitted = width_pt / ((math.ceil(length / lines) * 1.12 + 2) * kind.headline_char_width_em)
    share = span / geometry.columns
    top = kind.headline_largest_pt * share * (1.0 if lead else makeup.other_headline_scale)
    if makeup.headline_words > 0:
        top *= min(1.0, max(0.5, word_count(story.article) / makeup.headline_words))
    top = max(top, makeup.one_column_headline_pt)
    low = makeup.one_column_headline_pt
    return round(max(low, min(top, fitted)), 1)


def head_html(
    story: StoryLayout,
    geometry: Geometry,
    span: int,
    *,
    lead: bool = False,
    brief: bool = False,
    anchor: bool = False,
) -> str:
    article = story.article
    width = geometry.span_mm(span)
    if brief:
        size = geometry.style.makeup.brief_headline_pt
    else:
        size = headline_pt(story, geometry, span, lead=lead)
    ident = f' id="story-{attr(article.slug)}"' if anchor else ""
    # (A page's lead differs by its headline's size alone: the same head at the same size is
    # measured once.)
    cls = "mk-head brief" if brief else "mk-head"
    parts = [f'<header class="{cls}" style="width: {width:.2f}mm"{ident}>']
    if article.kicker and not brief:
        parts.append(f'<p class="kicker">{text(article.kicker)}</p>')
    parts.append(f'<h1 class="headline" style="font-size: {size:g}pt">{text(article.headline)}</h1>')
    if article.standfirst:
        parts.append(f'<p class="standfirst">{text(article.standfirst)}</p>')
    byline = byline_text(article)
    date = format_date(article.published)
    if (byline or date) and not brief:
        line = []
        if byline:
            line.append(f'<span class="author">{text(byline)}</span>')
        if date:
            line.append(f"<time>{text(date)}</time>")
        parts.append(f'<p class="byline">{"  ·  ".join(line)}</p>')
    elif byline and brief:
        parts.append(f'<p class="byline">{text(byline)}</p>')
    parts.append("</header>")
    return "".join(parts)


def _options(story: StoryLayout) -> RenderOptions:
    def resolve(ref: ImageRef) -> str | None:
        return story.hrefs.get(ref.url)

    return RenderOptions(resolve_image=resolve, links=True, pull_quotes="show")


def photo_html(
    story: StoryLayout,
    width_mm: float,
    height_mm: float,
    *,
    measure: bool = False,
) -> str:
    """The story's lead photo in a box ``width_mm`` × ``height_mm`` (the image is cropped to
    that shape beforehand), its caption and credit under it; ``measure``: the caption alone."""
    fig = story.article.lead
    if fig is None:
        return ""
    return figure_html(story, fig, width_mm, height_mm, measure=measure)


def figure_html(
    story: StoryLayout,
    fig: Figure,
    width_mm: float,
    height_mm: float,
    *,
    measure: bool = False,
) -> str:
    """A picture of the story in a box ``width_mm`` × ``height_mm``, its caption and credit
    under it; ``measure``: the caption alone."""
    opts = _options(story)
    if measure:
        opts = RenderOptions(resolve_image=lambda ref: "measure", links=True, pull_quotes="show")
    html = render_figure(fig, opts, css_class="mk-photo")
    if not html.startswith("<figure"):
        return ""
    img_start = html.index("<img ")
    img_end = html.index("/>", img_start) + 2
    if measure:
        return html[:img_start] + html[img_end:]
    frame = (
        f'<div class="frame" style="height: {height_mm:.2f}mm">'
        + html[img_start:img_end].replace(
            "<img ",
            '<img style="width: 100%; height: 100%" ',
            1,
        )
        + "</div>"
    )
    html = html[:img_start] + frame + html[img_end:]
    return html.replace("<figure", f'<figure style="width: {width_mm:.2f}mm"', 1)


ART_MAX = 8  # pictures of a body that may stand across columns (a gallery's rest stay in it)


def art_figures(story: StoryLayout) -> dict[str, Figure]:
    """The pictures in the story's body that may stand across columns, by their id there (the
    first ``ART_MAX``)."""
    found: dict[str, Figure] = {}
    for i, block in enumerate(story.article.body):
        if len(found) >= ART_MAX:
            break
        if isinstance(block, Figure) and story.hrefs.get(block.image.url) and not block.decorative:
            found[f"art-{i}"] = block
    return found


def body_html(story: StoryLayout, language: str, breaker: LineBreaker | None = None) -> str:
    """The story's body as it runs down its legs (inline photos at column width); with a
    ``breaker``, its paragraphs broken into lines for the whole paragraph (``linebreak``)."""
    article = story.article
    lang = article.language if article.language and not article.language.lower().startswith("en") else language
    blocks = body_blocks_html(story, _options(story))
    if breaker is not None:
        _break_paragraphs(article.body, blocks, breaker, lang, opening=story.opening)
    art = art_figures(story)
    for i in range(min(len(blocks), len(article.body))):
        # Pictures carry their id: where the body is cut into legs, one may be taken out.
        if f"art-{i}" in art and blocks[i].startswith("<figure"):
            blocks[i] = f'<figure id="art-{i}"' + blocks[i][len("<figure") :]
        else:
            # Every other block its index too: the strips then say which block each line is
            # in, and so where each printed page begins in the story (``page_breaks``).
            blocks[i] = _with_id(blocks[i], f"b-{i}")
    return (
        f'<div class="body mk-body" lang="{attr(lang)}">\n'
        + "\n".join(b for b in blocks if b)
        + "\n</div>"
    )


def _break_paragraphs(
    body: Sequence[Block], blocks: list[str], breaker: LineBreaker, lang: str, *, opening: bool
) -> None:
    """Each paragraph's block set by the total-fit breaker where it can be: all but the
    opener of a story's opening text (its drop cap narrows its first lines); the last keeps
    its end mark."""
    paragraphs = [i for i, b in enumerate(body) if isinstance(b, Paragraph)]
    for i in paragraphs[1:] if opening else paragraphs:
        block = body[i]
        assert isinstance(block, Paragraph)
        # indented after a paragraph, flush after a heading, picture, quote, list or table
        indent = i > 0 and isinstance(body[i - 1], Paragraph)
        end = ENDMARK if i == paragraphs[-1] else ""
        html = breaker.set_paragraph(block.content, indent=indent, language=lang, end=end)
        if html is not None and i < len(blocks):
            blocks[i] = html


_OPENING_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)(?=[\s/>])")


def _with_id(html: str, ident: str) -> str:
    """``html`` with ``ident`` as the id of its first element (one that has an id keeps it)."""
    found = _OPENING_TAG.match(html)
    if found is None or re.match(r"<[^>]*\sid=", html):
        return html
    return f'{html[: found.end()]} id="{ident}"{html[found.end() :]}'


def block_index(ident: str) -> int | None:
    """The index in the article's body of the block a strip's id names (``body_html`` writes
    ``b-N``, and ``art-N`` on a picture that may stand across columns), or None."""
    kind, _, number = ident.partition("-")
    if kind in ("b", "art") and number.isdigit():
        return int(number)
    return None


def _document(
    geometry: Geometry,
    furniture: Furniture,
    css: str,
    body: str,
    language: str,
    sheets: tuple[str, ...] = ("fonts.css", "press.css", "makeup.css"),
) -> str:
    paper = furniture.paper
    own = f"{style_css(geometry.style)}:root {{ --column-gap: {geometry.column_gap_mm:g}mm; }}\n"
    return (
        f'<!DOCTYPE html>\n<html lang="{attr(language)}">\n<head>\n<meta charset="utf-8"/>\n'
        f"{date_meta(furniture.date)}<title>{text(paper.name)}</title>\n"
        f"{stylesheet_links(geometry.style, sheets)}"
        f"<style>\n{own}{css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


# ---------------------------------------------------------------------------------------------
# 1. Measure
# ---------------------------------------------------------------------------------------------


def measure_document(story: StoryLayout, geometry: Geometry, furniture: Furniture, language: str) -> str:
    """Every part of ``story`` whose height the flatplan needs, with an id each."""
    cols = geometry.columns
    width = geometry.content_width_mm
    heads = []
    for span in range(1, cols + 1):
        standard = head_html(story, geometry, span, lead=False)
        heads.append(f'<div class="mk-measure" id="h-{span}-0">{standard}</div>')
        lead = head_html(story, geometry, span, lead=True)
        if lead != standard:  # (else read_measure takes the standard head's height)
            heads.append(f'<div class="mk-measure" id="h-{span}-1">{lead}</div>')
        if story.article.lead is not None:
            width_mm = geometry.span_mm(span)
            heads.append(
                f'<div class="mk-measure" id="c-{span}">'
                f"{photo_html(story, width_mm, 0.0, measure=True)}</div>"
            )
    heads.append(
        f'<div class="mk-measure" id="b-head">{head_html(story, geometry, 1, brief=True)}</div>'
    )
    # A picture of the body stands across two to four columns (any span: a story with no
    # lead photo may show one as its photo).
    art_spans = range(1, cols + 1) if story.article.lead is None else range(2, min(4, cols) + 1)
    for key, fig in art_figures(story).items():
        for span in art_spans:
            heads.append(
                f'<div class="mk-measure" id="a{key}-{span}">'
                f"{figure_html(story, fig, geometry.span_mm(span), 0.0, measure=True)}</div>"
            )
    css = (
        f"@page {{ size: {width:.2f}mm {TALL_MM:g}mm; margin: 0; }}\n"
        f"@page body {{ size: {geometry.column_width_mm:.2f}mm {TALL_MM:g}mm; margin: 0; }}\n"
        ".mk-measure { display: flow-root; }\n"
        ".mk-measure .frame { height: 0 !important; }\n"
        "section.mk-body-page { page: body; break-before: page; }\n"
    )
    style = geometry.style
    breaker = line_breaker(style, geometry.column_width_mm) if style.justify.total_fit else None
    body = "".join(heads) + (
        f'<section class="mk-body-page">{body_html(story, language, breaker)}</section>'
    )
    return _document(geometry, furniture, css, body, language)


@dataclass(frozen=True, slots=True, kw_only=True)
class Measure:
    head_mm: dict[int, float]
    lead_head_mm: dict[int, float]
    caption_mm: dict[int, float]
    brief_head_mm: float
    body_mm: float
    art_caption_mm: dict[str, dict[int, float]]  # picture id → span → its caption's height


def read_measure(pages: Sequence[Mapping[str, tuple[float, float]]], body_mm: float) -> Measure:
    """Heights from the measured document's boxes (each page's ids: top and bottom in mm);
    ``body_mm``: the body's height in one column (from its strips)."""
    boxes: dict[str, tuple[int, float, float]] = {}
    for n, found in enumerate(pages):
        for key, (top, bottom) in found.items():
            boxes.setdefault(key, (n, top, bottom))
    heads: dict[int, float] = {}
    leads: dict[int, float] = {}
    captions: dict[int, float] = {}
    art: dict[str, dict[int, float]] = {}
    for key, (_, top, bottom) in boxes.items():
        if key.startswith("aart-"):
            ident, _, span = key[1:].rpartition("-")
            art.setdefault(ident, {})[int(span)] = bottom - top
            continue
        kind, _, rest = key.partition("-")
        if kind == "h":
            span, lead = rest.split("-")
            (leads if lead == "1" else heads)[int(span)] = bottom - top
        elif kind == "c":
            captions[int(rest)] = bottom - top
    _, btop, bbottom = boxes.get("b-head", (0, 0.0, 0.0))
    for n, height in heads.items():
        leads.setdefault(n, height)  # (a lead head the same as the standard one)
    return Measure(
        head_mm=heads,
        lead_head_mm=leads,
        caption_mm=captions,
        brief_head_mm=bbottom - btop,
        body_mm=max(body_mm, 0.0),
        art_caption_mm=art,
    )


def story_measure(
    story: StoryLayout,
    measure: Measure,
    *,
    section: str,
    rank: str,
    size: tuple[int, int] | None,
    page: int | None = None,
    span: int | None = None,
    body: Body | None = None,
    sizes: Mapping[str, tuple[int, int]] | None = None,
) -> StoryMeasure:
    """The story as the packer sees it; ``sizes``: its photos' pixels by URL."""
    article = story.article
    art = tuple(
        Art(
            key=key,
            photo=Photo(
                width_px=sizes[fig.image.url][0],
                height_px=sizes[fig.image.url][1],
                caption_mm=measure.art_caption_mm.get(key, {}),
            ),
        )
        for key, fig in art_figures(story).items()
        if sizes is not None and fig.image.url in sizes
    )
    photo = None
    photo_key = ""
    if size is not None and article.lead is not None:
        photo = Photo(width_px=size[0], height_px=size[1], caption_mm=measure.caption_mm)
    elif article.lead is None:
        # No lead photo: the body's sharpest picture (the first of equals) is shown as the
        # story's photo, as an editor would pick it, taken out of its legs where it is placed.
        shown = max(art, key=lambda a: a.photo.width_px, default=None)
        if shown is not None:
            photo, photo_key = shown.photo, shown.key
            art = tuple(a for a in art if a is not shown)
    return StoryMeasure(
        slug=article.slug,
        section=section,
        headline=article.headline,
        words=word_count(article),
        head_mm=measure.head_mm,
        lead_head_mm=measure.lead_head_mm,
        brief_head_mm=measure.brief_head_mm,
        body_mm=measure.body_mm,
        photo=photo,
        rank=rank,
        page=page,
        span=span,
        body=body,
        art=art,
        photo_key=photo_key,
        photo_body=body.without(frozenset({photo_key})) if body is not None and photo_key else None,
    )


def box_document(html: str, geometry: Geometry, furniture: Furniture, language: str) -> str:
    """``html`` across the text area on a tall page, to measure (id ``box``)."""
    css = f"@page {{ size: {geometry.content_width_mm:.2f}mm {TALL_MM:g}mm; margin: 0; }}\n"
    body = f'<div class="mk-measure" id="box">{html}</div>'
    sheets = ("fonts.css", "press.css", "issue.css", "makeup.css")
    return _document(geometry, furniture, css + ".mk-measure { display: flow-root; }\n", body, language, sheets)


# ---------------------------------------------------------------------------------------------
# 3. Legs
# ---------------------------------------------------------------------------------------------


def story_legs(plan: Flatplan, slug: str) -> list[tuple[int, Leg]]:
    """The legs of ``slug`` in reading order: (page number, leg)."""
    found: list[tuple[int, Leg]] = []
    for page in plan.pages:
        for placed in page.stories:
            if placed.slug == slug:
                found.extend((page.number, leg) for leg in placed.legs)
    return found


def page_breaks(stories: Mapping[str, StoryLegs]) -> tuple[PageBreak, ...]:
    """Where each page begins in each story on it: for every page a story's legs stand on,
    the block holding the story's first line there (the first of its legs on that page, in
    the story's reading order). In page order, then by slug."""
    found: list[PageBreak] = []
    for slug, story in stories.items():
        strips = story.body.strips
        seen: set[int] = set()
        for (page, _), cut in zip(story.legs, story.cuts, strict=True):
            if cut.empty or page in seen:
                continue
            seen.add(page)
            blocks = [_block_of(strips, n) for n in range(cut.first + 1)]
            block = blocks[cut.first]
            if block is None:
                continue
            # The block's lines before the page's first one (printed on an earlier page).
            earlier = [strips[n].text for n in range(cut.first) if blocks[n] == block]
            line = strips[cut.first].text if earlier else ""
            found.append(
                PageBreak(
                    page=page,
                    slug=slug,
                    block=block,
                    line=line,
                    before=sum(c.isalnum() for text in earlier for c in text) if line else 0,
                )
            )
    return tuple(sorted(found, key=lambda b: (b.page, b.slug)))


def _block_of(strips: Sequence[Strip], n: int) -> int | None:
    """The body block strip ``n`` is in (a line in an element with an id of its own: the
    block last named before it)."""
    for k in range(n, -1, -1):
        block = block_index(strips[k].ident)
        if block is not None:
            return block
    return None


# ---------------------------------------------------------------------------------------------
# 4. Pages
# ---------------------------------------------------------------------------------------------


def _at(geometry: Geometry, column: int, top: float, span: int, height: float) -> str:
    x = column * (geometry.column_width_mm + geometry.column_gap_mm)
    return (
        f"left: {x:.2f}mm; top: {top:.2f}mm; width: {geometry.span_mm(span):.2f}mm; "
        f"height: {height:.2f}mm"
    )


def pages_document(
    plan: Flatplan,
    stories: Mapping[str, StoryLayout],
    geometry: Geometry,
    furniture: Furniture,
    *,
    bleed_mm: float,
    panels: Mapping[str, str],
    language: str,
    first_page: int,
    top_html: str,
    masthead: bool,
    sections: Mapping[str, str],
    only: int | None = None,
) -> str:
    """Every page of the plan (``only``: the page of that index alone, a document of its own
    numbered as it stands): furniture, heads, photos, boxes, labels and panels where the
    plan puts them; the legs are laid on afterwards."""
    starts = {slug: plan.start_page(slug) for slug in stories}
    out: list[str] = []
    # The running strings ride in the first page's box (an element before it would stand on
    # a page of its own: each page box names its page).
    strings = (
        f'<div class="furniture-strings" data-paper="{attr(furniture.paper.name)}" '
        f'data-month="{attr(furniture.month)}"></div>'
    )
    height = geometry.content_height_mm
    seen: set[str] = set()
    if only is not None:
        first_page = plan.pages[only].number
    for n, page in enumerate(plan.pages):
        items: list[str] = [strings] if n == (only or 0) else []
        if n == 0 and top_html:
            items.append(
                f'<div class="mk-at mk-top" style="left: 0; top: 0; width: {geometry.content_width_mm:.2f}mm">'
                f"{top_html}</div>"
            )
        if page.section:
            items.append(f'<div class="mk-section-name" data-section="{attr(page.section)}"></div>')
        for placed in page.stories:
            story = stories[placed.slug]
            section = sections.get(placed.slug, "")
            if section and section not in seen and placed.kind != "run-on":
                # The section's bookmark, above its first story's.
                seen.add(section)
                box = placed.box
                label = section.replace("\\", "\\\\").replace('"', '\\"')
                items.append(
                    f'<div class="mk-bookmark" style="{_at(geometry, box.column, box.top_mm, 1, 0.1)}; '
                    f'bookmark-level: 1; bookmark-label: &quot;{attr(label)}&quot;"></div>'
                )
            items.extend(
                _placed_html(placed, story, geometry, starts, plan)
            )
        if page.briefs_box is not None:
            box = page.briefs_box
            items.append(
                f'<div class="mk-briefs" style="{_at(geometry, box.column, box.top_mm, 1, box.height_mm)}">'
                '<p class="mk-briefs-label">In brief</p></div>'
            )
        for panel in page.panels:
            items.append(_panel_html(panel.box, panels.get(panel.key, ""), geometry))
        side = "mk-left" if page.number % 2 == 0 else "mk-right"
        if n == 0 and masthead:
            side = "mk-front"
        if only is not None and n != only:
            continue  # (its sections' and stories' bookmarks are counted all the same)
        out.append(
            f'<section class="mk-page" style="height: {height:.2f}mm; page: {side}">'
            f'{"".join(items)}</section>'
        )
    css = (
        f"@page {{ size: {geometry.format.width_mm:g}mm {geometry.format.height_mm:g}mm; "
        f"margin: {geometry.top_mm:g}mm {geometry.side_mm:g}mm {geometry.bottom_mm:g}mm; "
        f"bleed: {bleed_mm:g}mm; marks: none; }}\n"
        f".masthead .title {{ font-size: {masthead_size_pt(geometry):g}pt; }}\n"
    ) + (
        f"@page :first {{ counter-reset: page {first_page}; }}\n" if first_page > 1 else ""
    )
    # Each page's folio by its own number (a named page beats :first, :left and :right): the
    # even numbers on the left, as the edition is bound.
    rule = "border-bottom: 0.6pt solid device-cmyk(0 0 0 1)"
    css += (
        "@page mk-left { @top-left { content: counter(page) '  ·  ' string(paper); "
        f"font-weight: 600; {rule}; }} @top-right {{ content: string(section-lead) string(month); "
        f"font-weight: 400; {rule}; }} }}\n"
        "@page mk-right { @top-left { content: string(month) string(section-tail); "
        f"font-weight: 400; {rule}; }} @top-right {{ content: string(paper) '  ·  ' counter(page); "
        f"font-weight: 600; {rule}; }} }}\n"
        "@page mk-front { @top-left { content: none; border: none; } "
        "@top-right { content: none; border: none; } }\n"
    )
    sheets = ("fonts.css", "press.css", "house.css", "issue.css", "makeup.css")
    return _document(geometry, furniture, css, "\n".join(out), language, sheets)


def _panel_html(box: Rect, panel: str, geometry: Geometry) -> str:
    """A house panel in its box: a whole page's advert, or a panel at the foot of a page."""
    at = _at(geometry, box.column, box.top_mm, box.span, box.height_mm)
    if box.height_mm >= 0.95 * geometry.content_height_mm:
        house = geometry.style.house
        scale = min(
            geometry.content_width_mm / house.reference_width_mm,
            geometry.content_height_mm / house.reference_height_mm,
        )
        size = house.size_pt * max(house.smallest_scale, min(house.largest_scale, scale))
        return (
            f'<div class="mk-panel house" style="{at}; --page-area: {box.height_mm:.2f}mm; '
            f'--house-size: {size:.2f}pt"><div class="house-page"><div class="house-cell">'
            f"{panel}</div></div></div>"
        )
    height = box.height_mm - 1.0
    return (
        f'<div class="mk-panel" style="{at}"><div class="house-gap {gap_tier(height)}" '
        f'style="--gap: {height:.2f}mm"><div class="house-cell">{panel}</div></div></div>'
    )


def _placed_html(
    placed: Placed,
    story: StoryLayout,
    geometry: Geometry,
    starts: Mapping[str, int | None],
    plan: Flatplan,
) -> list[str]:
    items: list[str] = []
    box = placed.box
    label = geometry.style.makeup.label_mm
    if placed.section_label and box.top_mm >= label:  # at the top the folio names it
        items.append(
            f'<div class="mk-section" style="{_at(geometry, box.column, box.top_mm - label, box.span, label - 2)}">'
            f"{text(placed.section_label)}</div>"
        )
    classes = ["mk-story", placed.kind]
    if placed.boxed:
        classes.append("boxed")
    if box.top_mm > 0.5 and placed.kind != "brief" and not placed.continued:
        classes.append("ruled")
    items.append(
        f'<div class="{" ".join(classes)}" style="{_at(geometry, box.column, box.top_mm, box.span, box.height_mm)}"></div>'
    )
    if placed.head is not None:
        head = placed.head
        items.append(
            f'<div class="mk-at" style="{_at(geometry, head.column, head.top_mm, head.span, head.height_mm + 2)}">'
            f"{head_html(story, geometry, head.span, lead=placed.lead, brief=placed.kind == 'brief', anchor=True)}</div>"
        )
    if placed.photo is not None:
        ph = placed.photo
        shown = art_figures(story).get(placed.photo_key) if placed.photo_key else story.article.lead
        picture = (
            figure_html(story, shown, geometry.span_mm(ph.span), placed.photo_mm) if shown else ""
        )
        items.append(
            f'<div class="mk-at" style="{_at(geometry, ph.column, ph.top_mm, ph.span, ph.height_mm)}">'
            f"{picture}</div>"
        )
    art = art_figures(story)
    for place in placed.art:
        fig = art.get(place.key)
        if fig is None:
            continue
        box = place.box
        items.append(
            f'<div class="mk-at" style="{_at(geometry, box.column, box.top_mm, box.span, box.height_mm)}">'
            f"{figure_html(story, fig, geometry.span_mm(box.span), place.photo_mm)}</div>"
        )
    if placed.continues:
        nxt = next((p.number for p in plan.pages if any(s.slug == placed.slug and s.continued for s in p.stories)), None)
        if nxt is not None and placed.legs:
            leg = placed.legs[-1]
            items.append(
                f'<p class="mk-jump" style="{_at(geometry, leg.column, leg.top_mm + leg.height_mm, 1, 4.0)}">'
                f"Continued on page {nxt}</p>"
            )
    if placed.continued and placed.legs:
        start = starts.get(placed.slug)
        items.append(
            f'<p class="mk-jump from" style="{_at(geometry, box.column, box.top_mm, box.span, label - 2)}">'
            f"{text(story.article.headline)} · continued from page {start}</p>"
        )
    return items
