"""Render: chapter model → semantic (X)HTML fragments, shared by the EPUB and print writers.

Goes in: an ``Article`` and a function that maps each image to the href the writer will use
(or ``None`` when the image could not be used). Comes out: well-formed XHTML strings
(``figure``/``figcaption`` with the credit set apart, ``blockquote``, lists, tables) that
both EPUB (XHTML 1.1 serialisation) and WeasyPrint read. Nothing here reads files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import urlsplit

from printedition.bounds import ZWSP, break_long_words
from printedition.model import (
    Article,
    Block,
    BlockQuote,
    Code,
    Embed,
    Emphasis,
    Figure,
    ImageRef,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Note,
    Paragraph,
    PullQuote,
    Rule,
    Strong,
    Subheading,
    Subscript,
    Superscript,
    Table,
    Text,
    inline_text,
)

ImageResolver = Callable[[ImageRef], "str | None"]

_SAFE_SCHEMES = {"http", "https", "mailto"}

EMBED_LABELS = {
    "tweet": "Post on X",
    "video": "Video",
    "audio": "Audio",
    "podcast": "Podcast",
    "instagram": "Instagram post",
    "map": "Map",
    "other": "Embedded content",
}


# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF):
# one of them makes a whole XHTML file unreadable, and a lone surrogate cannot even be encoded.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value: str) -> str:
    """``value`` without the characters XML cannot carry."""
    return _NOT_XML.sub("", value)


def attr(value: str) -> str:
    """Escape for a double-quoted attribute (also safe in XHTML)."""
    return escape(xml_safe(value), quote=True)


def text(value: str) -> str:
    """Escape for element content; a word longer than a column gets break opportunities,
    ``<wbr/>`` (both writers print through here, so the press and the EPUB break it alike;
    unlike U+200B, a ``<wbr/>`` is not copied, searched or read aloud with the word)."""
    return escape(break_long_words(xml_safe(value)), quote=False).replace(ZWSP, "<wbr/>")


def plain_text(value: str) -> str:
    """Escape for content that must hold no markup (``<title>``) or must copy whole (a URL
    shown as a reference, which its stylesheet breaks anywhere)."""
    return escape(xml_safe(value), quote=False)


_OPEN_QUOTES = "\"'“‘„«"
_CLOSE_QUOTES = "\"'”’“»"


def strip_outer_quotes(value: str) -> str:
    """'“Every shed had permission.”' → 'Every shed had permission.' (only a matched pair)."""
    v = value.strip()
    if len(v) > 2 and v[0] in _OPEN_QUOTES and v[-1] in _CLOSE_QUOTES:
        inner = v[1:-1].strip()
        # Keep them when the quote closes and reopens inside ('“A,” he said, “B.”').
        if not any(q in inner for q in '“”"'):
            return inner
    return v


def safe_href(href: str) -> str | None:
    """Links we are willing to print or put in an EPUB: web and mail links, in-document
    anchors. Anything else (javascript:, data:, file:) is dropped, keeping the link text."""
    href = href.strip()
    if href.startswith("#") and len(href) > 1:
        return href
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    return href if scheme in _SAFE_SCHEMES else None


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderOptions:
    """How a writer wants blocks rendered."""

    resolve_image: ImageResolver
    links: bool = True  # False for press files: keep the text, drop the link (no annotations)
    # "aria-hidden": keep pull quotes that repeat the body but hide them from screen readers;
    # "omit": leave them out; "show": render them for everyone.
    pull_quotes: str = "aria-hidden"
    heading_offset: int = 0  # added to subheading levels (e.g. 1 when the headline is h2)
    # The house's label before a photo's credit ("Photo:"; the style's [credit]); "" leaves
    # it to the stylesheet (the press sets it there).
    credit_label: str = ""


# A credit that carries a label of its own ("Source: ONS", "Graphic: …", or a model saved with
# "Photo: …") is set as it is, without the house's label.
_OWN_LABEL = re.compile(r"^[^\W\d_][\w .'’-]{0,24}:\s")


def render_credit(credit: str, label: str = "") -> str:
    """A credit's ``<span>``: the house's ``label`` before it unless it has its own (class
    ``own-label`` then, so a stylesheet's label is not added either)."""
    if not credit:
        return ""
    if _OWN_LABEL.match(credit):
        return f'<span class="credit own-label">{text(credit)}</span>'
    shown = f"{label} {credit}" if label else credit
    return f'<span class="credit">{text(shown)}</span>'


def render_inlines(content: tuple[Inline, ...], opts: RenderOptions | None = None) -> str:
    out: list[str] = []
    links = opts.links if opts else True
    for node in content:
        match node:
            case Text(text=t):
                out.append(text(t))
            case Code(text=t):
                out.append(f"<code>{text(t)}</code>")
            case LineBreak():
                out.append("<br/>")
            case Emphasis(children=c):
                out.append(f"<em>{render_inlines(c, opts)}</em>")
            case Strong(children=c):
                out.append(f"<strong>{render_inlines(c, opts)}</strong>")
            case Superscript(children=c):
                out.append(f"<sup>{render_inlines(c, opts)}</sup>")
            case Subscript(children=c):
                out.append(f"<sub>{render_inlines(c, opts)}</sub>")
            case Link(href=href, children=c):
                inner = render_inlines(c, opts)
                target = safe_href(href) if links else None
                out.append(f'<a href="{attr(target)}">{inner}</a>' if target else inner)
    return "".join(out)


def render_figure(fig: Figure, opts: RenderOptions, *, css_class: str = "") -> str:
    src = opts.resolve_image(fig.image)
    caption = render_inlines(fig.caption, opts)
    credit = render_credit(fig.credit, opts.credit_label)
    if src is None:
        # The picture is gone; a caption that says something is still journalism.
        if caption:
            return f'<p class="caption-orphan">{caption}</p>'
        return ""
    cls = f' class="{attr(css_class)}"' if css_class else ""
    alt = "" if fig.decorative else fig.alt
    img_role = ' role="presentation"' if fig.decorative else ""
    parts = [f"<figure{cls}>", f'<img src="{attr(src)}" alt="{attr(alt)}"{img_role}/>']
    if caption or credit:
        parts.append("<figcaption>")
        if caption:
            parts.append(f'<span class="caption">{caption}</span>')
        if credit:
            parts.append(f" {credit}" if caption else credit)
        parts.append("</figcaption>")
    parts.append("</figure>")
    return "".join(parts)


_MAX_START = 10**9
# A table figure: digits with signs, separators, currency and units, short enough to keep whole.
_NUMERIC = re.compile(r"[-+−–±~≈<>]?[£$€¥]?\s?[\d.,:/ ]{1,16}\s?(%|pp|p|m|bn|k|[£$€¥])?")


def _clamp(value: int, high: int) -> int:
    return max(1, min(high, value))


def _render_table(table: Table, opts: RenderOptions) -> str:
    parts = ["<table>"]
    if table.caption:
        parts.append(f"<caption>{render_inlines(table.caption, opts)}</caption>")
    head, body = table.rows[: table.header_rows], table.rows[table.header_rows :]
    for group, rows in (("thead", head), ("tbody", body)):
        if not rows:
            continue
        parts.append(f"<{group}>")
        for row in rows:
            parts.append("<tr>")
            for cell in row.cells:
                tag = "th" if cell.header else "td"
                span = ""
                # Clamped as HTML does (a model JSON may say 10**9: layout would allocate it).
                colspan, rowspan = _clamp(cell.colspan, 1000), _clamp(cell.rowspan, 1000)
                if colspan > 1:
                    span += f' colspan="{colspan}"'
                if rowspan > 1:
                    span += f' rowspan="{rowspan}"'
                if tag == "th" and group == "thead":
                    span += ' scope="col"'
                if tag == "td" and _NUMERIC.fullmatch(inline_text(cell.content).strip()):
                    span += ' class="num"'  # figures: the press keeps them on one line
                parts.append(f"<{tag}{span}>{render_inlines(cell.content, opts)}</{tag}>")
            parts.append("</tr>")
        parts.append(f"</{group}>")
    parts.append("</table>")
    return "".join(parts)


def _render_embed(embed: Embed, opts: RenderOptions) -> str:
    label = EMBED_LABELS.get(embed.kind, EMBED_LABELS["other"])
    href = safe_href(embed.url) if opts.links else None
    body = []
    if embed.text:
        body.append(f"<p>{text(embed.text)}</p>")
    title = embed.title or (embed.url if not embed.text else "")
    meta = " — ".join(x for x in (embed.author, title) if x)
    link = f'<a href="{attr(href)}">{text(embed.url)}</a>' if href else text(embed.url)
    footer = f"{text(label)}" + (f": {text(meta)}" if meta else "")
    if embed.url:
        footer += f' <span class="embed-url">{link}</span>'
    return f'<aside class="embed embed-{attr(embed.kind)}">{"".join(body)}<p class="embed-source">{footer}</p></aside>'


def render_block(block: Block, opts: RenderOptions) -> str:
    match block:
        case Paragraph(content=c):
            inner = render_inlines(c, opts)
            return f"<p>{inner}</p>" if inner.strip() else ""
        case Subheading(level=level, content=c):
            lv = max(2, min(6, level + opts.heading_offset))
            return f"<h{lv}>{render_inlines(c, opts)}</h{lv}>"
        case BlockQuote(blocks=bs, attribution=a):
            inner = render_blocks(bs, opts)
            cite = f'<p class="attribution">{text(a)}</p>' if a else ""
            return f"<blockquote>{inner}{cite}</blockquote>"
        case PullQuote(text=t, attribution=a, repeats_body=repeats):
            if repeats and opts.pull_quotes == "omit":
                return ""
            hidden = ' aria-hidden="true"' if repeats and opts.pull_quotes == "aria-hidden" else ""
            cite = f'<p class="attribution">{text(a)}</p>' if a else ""
            # The layout sets the quotation marks; marks typed into the quote would double them.
            return f'<aside class="pullquote"{hidden}><p>{text(strip_outer_quotes(t))}</p>{cite}</aside>'
        case Figure():
            return render_figure(block, opts)
        case ListBlock(ordered=ordered, items=items, start=start):
            tag = "ol" if ordered else "ul"
            start = max(-_MAX_START, min(_MAX_START, start))
            start_attr = f' start="{start}"' if ordered and start != 1 else ""
            lis = "".join(f"<li>{_render_item(item.blocks, opts)}</li>" for item in items)
            return f"<{tag}{start_attr}>{lis}</{tag}>"
        case Table():
            return _render_table(block, opts)
        case Embed():
            return _render_embed(block, opts)
        case Rule():
            return "<hr/>"
        case Note(kind=kind, blocks=bs):
            label = {"correction": "Correction", "update": "Update"}.get(kind, "Note")
            inner = render_blocks(bs, opts)
            # Editors usually write "Correction: …" themselves; add the label only when they did not.
            first = bs[0] if bs else None
            said = isinstance(first, Paragraph) and inline_text(
                first.content
            ).lstrip().lower().startswith(label.lower())
            head = "" if said else f'<p class="note-label"><strong>{label}</strong></p>'
            return f'<aside class="note note-{attr(kind)}" role="note">{head}{inner}</aside>'
    return ""


def _render_item(blocks: tuple[Block, ...], opts: RenderOptions) -> str:
    # A list item that is one paragraph renders without the <p>, as authors write it.
    if len(blocks) == 1 and isinstance(blocks[0], Paragraph):
        return render_inlines(blocks[0].content, opts)
    return render_blocks(blocks, opts)


def render_blocks(blocks: tuple[Block, ...], opts: RenderOptions) -> str:
    return "\n".join(html for html in (render_block(b, opts) for b in blocks) if html)


# ---------------------------------------------------------------------------------------------
# Article furniture
# ---------------------------------------------------------------------------------------------


def byline_text(article: Article) -> str:
    names = [a.name for a in article.authors if a.name]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def format_date(value: datetime | None) -> str:
    """'11 June 2024' — the house style, no leading zero, no locale dependence."""
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B')} {value.year}"


def render_header(article: Article, opts: RenderOptions, *, headline_tag: str = "h1") -> str:
    parts = ["<header>"]
    if article.kicker:
        parts.append(f'<p class="kicker">{text(article.kicker)}</p>')
    parts.append(f"<{headline_tag}>{text(article.headline)}</{headline_tag}>")
    if article.standfirst:
        parts.append(f'<p class="standfirst">{text(article.standfirst)}</p>')
    byline = byline_text(article)
    date = format_date(article.published)
    if byline or date:
        parts.append('<p class="byline">')
        if byline:
            parts.append(f'<span class="author">{text(byline)}</span>')
        if date and article.published is not None:
            sep = " · " if byline else ""
            parts.append(
                f'{sep}<time datetime="{attr(article.published.isoformat(timespec="seconds"))}">{text(date)}</time>'
            )
        parts.append("</p>")
    parts.append("</header>")
    if article.lead is not None:
        parts.append(render_figure(article.lead, opts, css_class="lead"))
    return "".join(parts)


def render_article_body(article: Article, opts: RenderOptions) -> str:
    return render_blocks(article.body, opts)


def _identity(ref: ImageRef) -> str:
    return ref.url


def render_article_html(article: Article) -> str:
    """A whole, clean HTML5 document for one article (``normalise --format html``)."""
    opts = RenderOptions(resolve_image=_identity, pull_quotes="show")
    lang = f' lang="{attr(article.language)}"' if article.language else ""
    canonical = f'<link rel="canonical" href="{attr(article.url)}"/>' if article.url else ""
    return (
        f'<!DOCTYPE html>\n<html{lang}>\n<head>\n<meta charset="utf-8"/>\n'
        f"<title>{plain_text(article.headline)}</title>\n{canonical}\n</head>\n<body>\n<article>\n"
        f"{render_header(article, opts)}\n{render_article_body(article, opts)}\n"
        "</article>\n</body>\n</html>\n"
    )


__all__ = [
    "ImageResolver",
    "RenderOptions",
    "byline_text",
    "format_date",
    "inline_text",
    "plain_text",
    "render_article_body",
    "render_article_html",
    "render_block",
    "render_blocks",
    "render_figure",
    "render_header",
    "render_inlines",
    "safe_href",
]
