"""Layout: Article(s) → one print HTML document (tabloid pages in columns) and its page CSS.

Goes in: the articles, each image's pixel size (probed, not decoded), the page format and the
paper's furniture. Comes out: a ``FigurePlan`` per image (where and how wide it stands, so the
image can be resampled *before* layout) and then the HTML that WeasyPrint lays out. Every
fragment of article text comes from ``render.py`` with links off for press files; nothing here
reads files. Every number of the look (grid, type sizes, fonts, picture rules) comes from the
``PageStyle``: the planner reads it and the CSS generated here hands it to the style's
stylesheets as custom properties. Every URL written is either relative to the style folder
(its stylesheets) or ``printedition-image:`` (images the ingest step already checked).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from printedition.model import (
    Article,
    Figure,
    ImageRef,
    Inline,
    Paragraph,
    Text,
    iter_blocks,
)
from printedition.render import (
    RenderOptions,
    attr,
    byline_text,
    format_date,
    plain_text,
    render_block,
    render_figure,
    render_inlines,
    text,
)
from printedition.settings import PageFormat, Paper
from printedition.style import Grid, PageStyle

IMAGE_SCHEME = "printedition-image:"

MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH


@dataclass(frozen=True, slots=True, kw_only=True)
class Geometry:
    """The page grid in millimetres: a format with the style's grid for it."""

    format: PageFormat
    style: PageStyle
    grid: Grid

    @property
    def columns(self) -> int:
        return self.grid.columns

    @property
    def column_gap_mm(self) -> float:
        return self.grid.column_gap_mm

    @property
    def top_mm(self) -> float:
        return self.grid.top_mm

    @property
    def bottom_mm(self) -> float:
        return self.grid.bottom_mm

    @property
    def side_mm(self) -> float:
        return self.grid.side_mm

    @property
    def content_width_mm(self) -> float:
        return self.format.width_mm - 2 * self.side_mm

    @property
    def content_height_mm(self) -> float:
        return self.format.height_mm - self.top_mm - self.bottom_mm

    @property
    def column_width_mm(self) -> float:
        n = self.columns
        return (self.content_width_mm - (n - 1) * self.column_gap_mm) / n

    def span_mm(self, columns: int) -> float:
        """Width of ``columns`` columns and the gaps between them."""
        return columns * self.column_width_mm + (columns - 1) * self.column_gap_mm

    @classmethod
    def for_format(cls, fmt: PageFormat, style: PageStyle) -> Geometry:
        return cls(format=fmt, style=style, grid=style.grid_for(fmt))


@dataclass(frozen=True, slots=True, kw_only=True)
class FigurePlan:
    """Where one image stands: ``lead-full`` (across every column), ``lead-side`` (across
    ``columns`` columns beside the standfirst) or ``inline`` (one column)."""

    role: str
    columns: int
    width_mm: float
    pixel_width: int
    pixel_height: int
    min_ppi: int  # below this where it stands the build warns (the style's picture rules)
    max_ppi: int  # it is resampled down to this
    crop_ratio: float | None = None  # cropped to this height / width (a make-up box)

    @property
    def source_ppi(self) -> float:
        """Effective resolution of the source at its placed width (before resampling)."""
        return self.pixel_width / (self.width_mm / MM_PER_INCH)

    @property
    def height_mm(self) -> float:
        return self.width_mm * self.pixel_height / self.pixel_width


def plan_inline(width_px: int, height_px: int, geometry: Geometry) -> FigurePlan:
    return FigurePlan(
        role="inline",
        columns=1,
        width_mm=geometry.column_width_mm,
        pixel_width=width_px,
        pixel_height=height_px,
        min_ppi=geometry.style.pictures.min_ppi,
        max_ppi=geometry.style.pictures.preferred_ppi,
    )


def headline_size_pt(headline: str, geometry: Geometry) -> float:
    """A headline set across the columns, sized to its length: a short one big on one line,
    a long one smaller over three or four (the style's average letter width says how many fit)."""
    kind = geometry.style.type
    length = max(1, len(headline.strip()))
    width_pt = geometry.content_width_mm * PT_PER_MM
    lines = 1 if length <= 26 else 2 if length <= 64 else 3 if length <= 110 else 4
    per_line = math.ceil(length / lines) * 1.12 + 2  # slack: words do not break evenly
    size = width_pt / (per_line * kind.headline_char_width_em)
    largest = min(kind.headline_largest_pt, width_pt / 7)
    return round(max(kind.headline_smallest_pt, min(largest, size)), 1)


# ---------------------------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """A run of articles under a section head (for the monthly issue)."""

    title: str
    start: int  # index of the first article in the section


@dataclass(frozen=True, slots=True, kw_only=True)
class Furniture:
    """What the masthead and folios print."""

    paper: Paper = field(default_factory=Paper)
    month: str = ""
    issue_line: str = ""
    masthead: bool = True
    date: str = ""  # W3C date for the PDF's creation/modification dates (reproducible builds)


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryLayout:
    """One article ready to set: its figures' plans and the hrefs of its processed images."""

    article: Article
    plans: Mapping[str, FigurePlan]  # ImageRef.url → plan
    hrefs: Mapping[str, str]  # ImageRef.url → printedition-image: URL (absent: unusable)
    follows: bool = False  # starts below the previous story on the same page
    opening: bool = True  # its text opens the story (a drop cap); not a continuation


def default_date(articles: Sequence[Article]) -> str:
    """The newest article's date as the document date, so the same input gives the same
    bytes; a fixed date when no article is dated."""
    dates = [d for a in articles for d in (a.updated, a.published) if d is not None]
    if not dates:
        return "2000-01-01T00:00:00+00:00"
    return max(dates).replace(microsecond=0).isoformat()


def date_meta(date: str) -> str:
    if not date:
        return ""
    return (
        f'<meta name="dcterms.created" content="{attr(date)}"/>\n'
        f'<meta name="dcterms.modified" content="{attr(date)}"/>\n'
    )


def default_month(articles: Sequence[Article]) -> str:
    """The month of the newest article ('June 2024'), or '' when none is dated."""
    dates = [a.published for a in articles if a.published is not None]
    if not dates:
        return ""
    newest: datetime = max(dates)
    return f"{newest.strftime('%B')} {newest.year}"


def style_css(style: PageStyle) -> str:
    """The style's numbers as CSS custom properties, which its stylesheets use (``var()``),
    and the house's credit label;
    the page context does not inherit them, so the page's own font is set here too."""
    kind, fonts, justify = style.type, style.fonts, style.justify
    values = {
        "body-size": f"{kind.body_size_pt:g}pt",
        "leading": f"{kind.leading_pt:g}pt",
        "standfirst-size": f"{kind.standfirst_size_pt:g}pt",
        "standfirst-leading": f"{kind.standfirst_leading_pt:g}pt",
        "headline-leading": f"{kind.headline_leading:g}",
        "indent": f"{justify.indent_em:g}em",
        "word-spacing": f"{justify.word_spacing_em:g}em",
        "tightest-word-spacing": f"{justify.word_spacing_em + justify.tightest_em:g}em",
        "hyphenate-limit-chars": (
            f"{justify.hyphen_word} {justify.hyphen_before} {justify.hyphen_after}"
        ),
        "font-body": fonts.stack("body"),
        "font-headline": fonts.stack("headline"),
        "font-sans": fonts.stack("sans"),
    }
    props = " ".join(f"--{name}: {value};" for name, value in values.items())
    css = f":root {{ {props} }}\n@page {{ font-family: {fonts.stack('sans')}; }}\n"
    if style.credit.press_label:
        # the house's label before every photo credit but one that has its own (render.py)
        label = style.credit.press_label.replace("\\", "\\\\").replace('"', '\\"')
        css += f'.credit:not(.own-label)::before {{ content: "{label} "; }}\n'
    return css


def page_css(geometry: Geometry, *, bleed_mm: float) -> str:
    fmt = geometry.format
    return (
        f"@page {{ size: {fmt.width_mm:g}mm {fmt.height_mm:g}mm; "
        f"margin: {geometry.top_mm:g}mm {geometry.side_mm:g}mm {geometry.bottom_mm:g}mm; "
        f"bleed: {bleed_mm:g}mm; marks: none; }}\n"
        f"{style_css(geometry.style)}"
        f":root {{ --column-gap: {geometry.column_gap_mm:g}mm; }}\n"
        f".body {{ columns: {geometry.columns}; }}\n"
        f".masthead .title {{ font-size: {masthead_size_pt(geometry):g}pt; }}\n"
        f".full .deck {{ width: {geometry.span_mm(geometry.grid.deck_columns):.2f}mm; }}\n"
    )


def stylesheet_links(style: PageStyle, names: Sequence[str]) -> str:
    """Links to the style's stylesheets (relative: they are fetched against the style's folder),
    and the style's digest, so a cache keyed by the document sees any edit to the style."""
    links = "".join(f'<link rel="stylesheet" href="{attr(name)}"/>\n' for name in names)
    return f'<meta name="printedition-style" content="{attr(style.digest)}"/>\n{links}'


def masthead_size_pt(geometry: Geometry) -> float:
    kind = geometry.style.type
    width_pt = geometry.content_width_mm * PT_PER_MM
    return round(min(kind.masthead_largest_pt, width_pt / kind.masthead_letters), 1)


def masthead_html(furniture: Furniture) -> str:
    paper = furniture.paper
    left = furniture.issue_line or furniture.month
    return (
        '<header class="masthead">'
        f'<div class="ears"><span>{text(left)}</span><span>{text(paper.url.removeprefix("https://"))}</span>'
        f"<span>{text(paper.price)}</span></div>"
        f'<p class="title">{text(paper.name)}</p>'
        f'<p class="tagline">{text(paper.tagline)}</p>'
        "</header>"
    )


ENDMARK = '<span class="endmark"></span>'  # the block that closes a story (press.css draws it)


def body_blocks_html(story: StoryLayout, opts: RenderOptions) -> list[str]:
    """The body's blocks as the print edition sets them, one string a block ("" for one that
    prints nothing): a drop cap on the first paragraph (the letter drawn big, the text keeping
    its own copy unseen so the first word reads whole), the end mark on the last."""
    blocks = story.article.body
    first = next((i for i, b in enumerate(blocks) if isinstance(b, Paragraph)), None)
    # The end mark closes the last paragraph of the story (notes and corrections follow it).
    last = next((i for i in range(len(blocks) - 1, -1, -1) if isinstance(blocks[i], Paragraph)), -1)
    out = []
    for i, block in enumerate(blocks):
        end = ENDMARK if i == last else ""
        if isinstance(block, Paragraph) and i == first and story.opening:
            split = split_first_letter(block.content)
            inner = render_inlines(block.content, opts)
            if split is not None:
                letter, rest = split
                inner = (
                    f'<span class="dropcap" aria-hidden="true">{text(letter)}</span>'
                    f'<span class="dropcap-text">{text(letter)}</span>'
                    f"{render_inlines(rest, opts)}"
                )
            out.append(f'<p class="opener">{inner}{end}</p>')
        elif isinstance(block, Paragraph) and i == last:
            out.append(f"<p>{render_inlines(block.content, opts)}{end}</p>")
        else:
            out.append(render_block(block, opts))
    if last < 0:
        out.append(f'<p class="end">{ENDMARK}</p>')
    return out


def split_first_letter(content: tuple[Inline, ...]) -> tuple[str, tuple[Inline, ...]] | None:
    """The drop cap (first letter, with an opening quote if any) and the rest of the text."""
    if not content or not isinstance(content[0], Text):
        return None
    first = content[0].text.lstrip()
    i = 0
    while i < len(first) and first[i] in "“‘\"'«(":
        i += 1
    if i >= len(first) or not first[i].isalnum():
        return None
    letter = first[: i + 1]
    rest = first[i + 1 :]
    return letter, (Text(text=rest), *content[1:])


def _story(
    story: StoryLayout,
    geometry: Geometry,
    *,
    links: bool,
    language: str,
    css_class: str,
) -> str:
    article = story.article

    def resolve(ref: ImageRef) -> str | None:
        return story.hrefs.get(ref.url)

    opts = RenderOptions(resolve_image=resolve, links=links, pull_quotes="show")
    lang = (
        article.language
        if article.language and not article.language.lower().startswith("en")
        else language
    )

    lead_html = ""
    lead_plan = story.plans.get(article.lead.image.url) if article.lead else None
    if article.lead is not None and lead_plan is not None:
        lead_html = render_figure(article.lead, opts, css_class="lead")
        if lead_html.startswith('<figure class="lead">'):
            lead_html = lead_html.replace(
                '<figure class="lead">',
                f'<figure class="lead" style="width: {lead_plan.width_mm:.2f}mm">',
                1,
            )
    elif article.lead is not None:
        lead_html = render_figure(article.lead, opts, css_class="lead")
    mode = "side" if lead_plan is not None and lead_plan.role == "lead-side" else "full"
    body_lead = ""
    if lead_plan is not None and lead_plan.role == "lead-inline" and article.lead is not None:
        # The story starts at the foot of a page: its photo stands in the first column.
        body_lead, lead_html = render_figure(article.lead, opts, css_class="inline-lead"), ""

    size = headline_size_pt(article.headline, geometry)
    parts = [
        f'<article class="story {css_class}" lang="{attr(lang)}" id="story-{attr(article.slug)}">'
    ]
    parts.append(f'<header class="opening {mode}">')
    if article.kicker:
        parts.append(f'<p class="kicker">{text(article.kicker)}</p>')
    parts.append(
        f'<h1 class="headline" style="font-size: {size:g}pt">{text(article.headline)}</h1>'
    )
    deck = []
    if article.standfirst:
        deck.append(f'<p class="standfirst">{text(article.standfirst)}</p>')
    byline = byline_text(article)
    date = format_date(article.published)
    if byline or date:
        line = []
        if byline:
            line.append(f'<span class="author">{text(byline)}</span>')
        if date:
            line.append(f"<time>{text(date)}</time>")
        deck.append(f'<p class="byline">{"  ·  ".join(line)}</p>')
    deck_html = f'<div class="deck">{"".join(deck)}</div>' if deck else ""
    if mode == "side":
        parts.append(lead_html + deck_html)
    else:
        parts.append(deck_html + lead_html)
    parts.append("</header>")

    parts.append('<div class="body">')
    blocks = article.body
    first_para = next((i for i, b in enumerate(blocks) if isinstance(b, Paragraph)), None)
    rendered_any = False
    for i, html in enumerate(body_blocks_html(story, opts)):
        if html:
            parts.append(html)
            rendered_any = True
        if body_lead and i == (first_para if first_para is not None else 0):
            parts.append(body_lead)
            body_lead = ""
    if body_lead:
        parts.append(body_lead)
    if not rendered_any:
        parts.append(f'<p class="end">{ENDMARK}</p>')
    parts.append("</div></article>")
    return "\n".join(parts)


def figure_refs(article: Article) -> list[tuple[str, Figure]]:
    """Every figure with its role: ('lead', fig) first, then ('inline', fig) in order."""
    found: list[tuple[str, Figure]] = []
    if article.lead is not None:
        found.append(("lead", article.lead))
    found.extend(("inline", b) for b in iter_blocks(article.body) if isinstance(b, Figure))
    return found


def build_document(
    stories: Sequence[StoryLayout],
    *,
    geometry: Geometry,
    furniture: Furniture,
    bleed_mm: float,
    sections: Sequence[Section] = (),
    front_page_html: str = "",
    contents_html: str = "",
    extra_css: str = "",
    pad_pages: int = 0,
) -> str:
    """The whole print document as one HTML string. The issue's own pages (``front_page_html``,
    ``contents_html``) bring the style's issue.css."""
    paper = furniture.paper
    month = furniture.month or default_month([s.article for s in stories])
    language = paper.language or "en-GB"
    section_at = {s.start: s.title for s in sections}
    sheets: tuple[str, ...] = ("fonts.css", "press.css")
    if front_page_html or contents_html:
        sheets += ("issue.css",)
    head = (
        f'<!DOCTYPE html>\n<html lang="{attr(language)}">\n<head>\n<meta charset="utf-8"/>\n'
        f"{date_meta(furniture.date)}"
        f"<title>{plain_text(paper.name)}{(' · ' + plain_text(month)) if month else ''}</title>\n"
        f"{stylesheet_links(geometry.style, sheets)}"
        f"<style>\n{page_css(geometry, bleed_mm=bleed_mm)}{extra_css}</style>\n"
        "</head>\n<body>\n"
    )
    parts = [head]
    parts.append(
        f'<div class="furniture-strings" data-paper="{attr(paper.name)}" data-month="{attr(month)}"></div>'
    )
    if furniture.masthead:
        parts.append(masthead_html(furniture))
    if front_page_html:
        parts.append(f'<section class="front-page">{front_page_html}</section>')
    if contents_html:
        parts.append(f'<section class="contents-page">{contents_html}</section>')
    for i, story in enumerate(stories):
        if i in section_at:
            parts.append(f'<h1 class="section-head">{text(section_at[i])}</h1>')
            css_class = "first"
        elif i == 0 and not (front_page_html or contents_html):
            css_class = "first"
        else:
            css_class = "follows" if story.follows else ""
        parts.append(_story(story, geometry, links=True, language=language, css_class=css_class))
    parts.extend('<div class="pad-page"></div>' for _ in range(pad_pages))
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)


__all__ = [
    "IMAGE_SCHEME",
    "FigurePlan",
    "Furniture",
    "Geometry",
    "Section",
    "StoryLayout",
    "build_document",
    "default_date",
    "default_month",
    "figure_refs",
    "headline_size_pt",
    "plan_inline",
    "style_css",
    "stylesheet_links",
]
