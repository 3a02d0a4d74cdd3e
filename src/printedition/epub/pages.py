"""EPUB pages: chapter model → the book's XHTML documents (cover, title, contents, articles,
colophon), serialised as EPUB 3 XHTML bytes.

Goes in: an ``Article`` (or the book's article list) and an image resolver. Comes out: complete
XHTML documents. Article bodies go through ``render``; before that the article is made EPUB-safe:
subheadings re-levelled so none skips a level, and links EPUBCheck would reject (in-page anchors
we have no target for, malformed URLs) turned back into plain text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import unescape
from urllib.parse import quote, urlsplit

from printedition.model import (
    Article,
    Block,
    BlockQuote,
    Embed,
    Emphasis,
    Figure,
    Inline,
    Link,
    ListBlock,
    ListItem,
    Note,
    PageBreak,
    Paragraph,
    Strong,
    Subheading,
    Subscript,
    Superscript,
    Table,
    TableCell,
    TableRow,
    inline_text,
)
from printedition.render import (
    ImageResolver,
    RenderOptions,
    attr,
    plain_text,
    render_article_body,
    render_blocks,
    render_header,
    text,
)

CSS_HREF = "style/epub.css"
# Characters a URL may carry as they are; everything else is percent-encoded.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%-._~"


@dataclass(frozen=True, slots=True, kw_only=True)
class BookText:
    title: str
    language: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleEntry:
    """One article as the contents page and colophon list it."""

    file: str
    headline: str
    byline: str = ""
    description: str = ""  # one line
    section: str = ""
    section_id: str = ""  # anchor of the section heading on the contents page
    url: str = ""
    published: str = ""
    updated: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleDoc:
    xhtml: bytes
    lang: str
    headings_in_order: bool


_RTL = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})


def text_direction(lang: str) -> str:
    """'rtl' for languages written right to left, else 'ltr'."""
    return "rtl" if lang.split("-")[0].lower() in _RTL else "ltr"


def document(*, title: str, lang: str, body: str, body_class: str = "") -> bytes:
    cls = f' class="{attr(body_class)}"' if body_class else ""
    direction = ' dir="rtl"' if text_direction(lang) == "rtl" else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
        f' lang="{attr(lang)}" xml:lang="{attr(lang)}"{direction}>\n<head>\n'
        f'<meta charset="utf-8"/>\n<title>{plain_text(title)}</title>\n'
        f'<link rel="stylesheet" type="text/css" href="{CSS_HREF}"/>\n</head>\n'
        f"<body{cls}>\n{body}\n</body>\n</html>\n"
    ).encode()


# ---------------------------------------------------------------------------------------------
# Making an article EPUB-safe
# ---------------------------------------------------------------------------------------------


def epub_href(href: str) -> str | None:
    """A link target EPUBCheck accepts, or None to keep only the link text.

    In-page anchors are dropped (the model keeps no element ids to point at); web links are
    percent-encoded where they carry spaces or other raw characters; links without a usable
    host are dropped.
    """
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        parts = urlsplit(href)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https"):
            host = parts.hostname or ""
            _ = parts.port  # raises ValueError on a malformed port
            if not host or any(c in host for c in " <>\"'{}|\\^`%"):
                return None
            if not host.isascii():
                host.encode("idna")  # raises UnicodeError on hosts IDNA cannot write
        elif scheme == "mailto":
            if len(href) <= len("mailto:"):
                return None
        else:
            return None
    except (ValueError, UnicodeError):
        return None
    return quote(href, safe=_URL_SAFE)


def _inlines(content: tuple[Inline, ...]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for node in content:
        match node:
            case Link(href=href, children=c):
                kids = _inlines(c)
                target = epub_href(href)
                if target is None or not inline_text(kids).strip():
                    out.extend(kids)
                else:
                    out.append(Link(href=target, children=kids))
            case (
                Emphasis(children=c)
                | Strong(children=c)
                | Superscript(children=c)
                | Subscript(children=c)
            ):
                out.append(dataclasses.replace(node, children=_inlines(c)))
            case _:
                out.append(node)
    return tuple(out)


def _cell(cell: TableCell) -> TableCell:
    # An empty header cell announces nothing to a screen reader: make it a data cell.
    header = cell.header and bool(inline_text(cell.content).strip())
    return dataclasses.replace(cell, content=_inlines(cell.content), header=header)


class _Levels:
    """Re-levels subheadings so each is at most one deeper than the one before (h1 is the
    headline): a jump from h2 to h4 becomes h2 → h3."""

    def __init__(self) -> None:
        self.previous = 1

    def take(self, level: int) -> int:
        new = max(2, min(6, level, self.previous + 1))
        self.previous = new
        return new


def _figure(fig: Figure) -> Figure:
    return dataclasses.replace(fig, caption=_inlines(fig.caption)) if fig.caption else fig


def _blocks(blocks: tuple[Block, ...], levels: _Levels) -> tuple[Block, ...]:
    out: list[Block] = []
    for block in blocks:
        match block:
            case Paragraph(content=c):
                out.append(Paragraph(content=_inlines(c)))
            case Subheading(level=level, content=c):
                if inline_text(c).strip():  # an empty heading is not a heading
                    out.append(Subheading(level=levels.take(level), content=_inlines(c)))
            case BlockQuote(blocks=bs):
                out.append(dataclasses.replace(block, blocks=_blocks(bs, levels)))
            case Note(blocks=bs):
                out.append(dataclasses.replace(block, blocks=_blocks(bs, levels)))
            case ListBlock(items=items):
                out.append(
                    dataclasses.replace(
                        block,
                        items=tuple(ListItem(blocks=_blocks(i.blocks, levels)) for i in items),
                    )
                )
            case Table(rows=rows, caption=cap):
                out.append(
                    dataclasses.replace(
                        block,
                        caption=_inlines(cap),
                        rows=tuple(
                            TableRow(cells=tuple(_cell(cell) for cell in row.cells)) for row in rows
                        ),
                    )
                )
            case Figure():
                out.append(_figure(block))
            case Embed(url=url):
                out.append(dataclasses.replace(block, url=epub_href(url) or "") if url else block)
            case _:
                out.append(block)
    return tuple(out)


def epub_safe(article: Article, *, section: str = "") -> Article:
    """The article as the EPUB shows it (see the module docstring)."""
    # HTML's datetime takes at most 3 fractional digits; isoformat() writes 6.
    published = article.published.replace(microsecond=0) if article.published else None
    updated = article.updated.replace(microsecond=0) if article.updated else None
    return article.with_changes(
        published=published,
        updated=updated,
        kicker=article.kicker or section,
        lead=_figure(article.lead) if article.lead else None,
        body=_blocks(article.body, _Levels()),
    )


def _headings_in_order(blocks: tuple[Block, ...], previous: int = 1) -> tuple[bool, int]:
    for block in blocks:
        match block:
            case Subheading(level=level):
                if level > previous + 1:
                    return False, level
                previous = level
            case BlockQuote(blocks=bs) | Note(blocks=bs):
                ok, previous = _headings_in_order(bs, previous)
                if not ok:
                    return False, previous
            case ListBlock(items=items):
                for item in items:
                    ok, previous = _headings_in_order(item.blocks, previous)
                    if not ok:
                        return False, previous
    return True, previous


# ---------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------


def article_document(
    article: Article,
    *,
    resolve: ImageResolver,
    lang: str,
    section: str = "",
    prev: tuple[str, str] | None = None,
    next: tuple[str, str] | None = None,
    contents: str = "contents.xhtml",
    credit_label: str = "",
    page_breaks: Mapping[int, Sequence[PageBreak]] | None = None,
) -> ArticleDoc:
    """One article: navigation links at the top, then header, lead figure and body.
    ``credit_label``: the house's label before photo credits (the style's epub_label);
    ``page_breaks``: body block index → the print pages that begin in it."""
    shown = epub_safe(article, section=section)
    opts = RenderOptions(
        resolve_image=resolve, pull_quotes="aria-hidden", credit_label=credit_label
    )
    links = []
    if prev is not None:
        links.append(
            f'<li class="prev"><a rel="prev" href="{attr(prev[0])}">Previous: {text(prev[1])}</a></li>'
        )
    links.append(f'<li class="contents"><a href="{attr(contents)}">Contents</a></li>')
    if next is not None:
        links.append(
            f'<li class="next"><a rel="next" href="{attr(next[0])}">Next: {text(next[1])}</a></li>'
        )
    body = (
        f'<nav class="article-nav" aria-label="Articles"><ul>{"".join(links)}</ul></nav>\n'
        f"<article>\n{render_header(shown, opts)}\n"
        f"{_body(article, shown, opts, page_breaks or {})}\n</article>"
    )
    ok, _ = _headings_in_order(shown.body)
    return ArticleDoc(
        xhtml=document(title=article.headline, lang=lang, body=body, body_class="article"),
        lang=lang,
        headings_in_order=ok,
    )


def page_marker(page: int) -> str:
    """Where a print page begins (EPUB 3 ``pagebreak``, DPUB-ARIA ``doc-pagebreak``): its id
    is the page list's target, its label the page's printed number."""
    return (
        f'<span id="{page_id(page)}" epub:type="pagebreak" role="doc-pagebreak"'
        f' aria-label="{page}"></span>'
    )


def page_id(page: int) -> str:
    return f"page-{page}"


def _body(
    article: Article, shown: Article, opts: RenderOptions, breaks: Mapping[int, Sequence[PageBreak]]
) -> str:
    """``shown``'s body (``article`` made ``epub_safe``); with page breaks, the same made one
    block of ``article.body`` at a time, so that a page's marker goes into the block it names:
    before the word its first line begins with when the page begins inside the block, else
    at the block's start (inside a paragraph, before any other block); a block the EPUB
    leaves out hands its markers on."""
    if not breaks:
        return render_article_body(shown, opts)
    levels = _Levels()
    out: list[str] = []
    pending = ""
    for i, block in enumerate(article.body):
        html = render_blocks(_blocks((block,), levels), opts)
        inside: list[tuple[int, int]] = []  # (where in html, page)
        for brk in breaks.get(i, ()):
            at = line_start(html, brk.line, brk.before) if brk.line and html else None
            if at is None:
                pending += page_marker(brk.page)
            else:
                inside.append((at, brk.page))
        for at, page in sorted(inside, reverse=True):
            html = html[:at] + page_marker(page) + html[at:]
        if not html:
            continue
        if pending and html.startswith("<p>"):
            html = f"<p>{pending}{html[3:]}"
        elif pending:
            html = pending + html
        pending = ""
        out.append(html)
    if pending:
        out.append(f"<p>{pending}</p>")
    return "\n".join(out)


_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[^<&]")  # a tag, an entity or one character
_SPACE = re.compile(r"\s+(?![^<]*>)")  # (not inside a tag)
_INLINE = "a|abbr|b|cite|code|em|i|mark|q|small|span|strong|sub|sup"
_OPENING_INLINES = re.compile(rf"(?:<(?:{_INLINE})\b[^<>]*(?<!/)>)+$")


def _fold(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch


def line_start(html: str, line: str, before: int) -> int | None:
    """Where in a block's ``html`` the printed ``line`` begins (the occurrence of its first
    letters nearest ``before`` letters into the block), moved on to the next word when the
    line begins with the end of a hyphenated word; None if it is not found."""
    letters: list[str] = []
    where: list[int] = []
    for token in _TOKEN.finditer(html):
        raw = token.group()
        if raw.startswith("<"):
            continue
        ch = unescape(raw) if raw.startswith("&") else raw
        if len(ch) == 1 and ch.isalnum():
            letters.append(_fold(ch))
            where.append(token.start())
    key = "".join(_fold(c) for c in line if c.isalnum())[:40]
    if not key:
        return None
    text = "".join(letters)
    found = [m.start() for m in re.finditer(f"(?={re.escape(key)})", text)]
    if not found:
        return None
    at = where[min(found, key=lambda n: (abs(n - before), n))]
    if at and (html[at - 1].isalnum() or html[at - 1] == "\u00ad"):
        # The end of a word hyphenated at the line's start: the marker goes before the next.
        space = _SPACE.search(html, at)
        if space is None:
            return None
        at = space.end()
    # Before the inline elements that open there: a marker is not part of a link's text.
    opening = _OPENING_INLINES.search(html, 0, at)
    return opening.start() if opening is not None else at


def cover_document(book: BookText, cover_href: str) -> bytes:
    body = (
        f'<section epub:type="cover" class="cover">'
        f'<img src="{attr(cover_href)}" alt="{attr("Cover: " + book.title)}"/></section>'
    )
    return document(title="Cover", lang=book.language, body=body, body_class="cover")


def title_document(book: BookText, *, subtitle: str, publisher: str, date: str) -> bytes:
    parts = [
        '<section epub:type="titlepage" class="titlepage">',
        f'<h1 class="title">{text(book.title)}</h1>',
    ]
    if subtitle:
        parts.append(f'<p class="subtitle">{text(subtitle)}</p>')
    if publisher:
        parts.append(f'<p class="publisher">{text(publisher)}</p>')
    if date:
        parts.append(f'<p class="date">{text(date)}</p>')
    parts.append("</section>")
    return document(
        title=book.title, lang=book.language, body="".join(parts), body_class="titlepage"
    )


def _entry(entry: ArticleEntry) -> str:
    parts = [
        f'<li><p class="toc-headline"><a href="{attr(entry.file)}">{text(entry.headline)}</a></p>'
    ]
    if entry.byline:
        parts.append(f'<p class="toc-byline">{text(entry.byline)}</p>')
    if entry.description:
        parts.append(f'<p class="toc-standfirst">{text(entry.description)}</p>')
    parts.append("</li>")
    return "".join(parts)


def contents_document(book: BookText, entries: Sequence[ArticleEntry]) -> bytes:
    """Headline, byline and one-line standfirst of every article, grouped by section."""
    parts = ['<section class="contents">', "<h1>Contents</h1>"]
    group: list[ArticleEntry] = []

    def flush() -> None:
        if not group:
            return
        head = group[0]
        items = "".join(_entry(e) for e in group)
        if head.section:
            parts.append(
                f'<section class="toc-section" id="{attr(head.section_id)}">'
                f'<h2>{text(head.section)}</h2><ol class="toc">{items}</ol></section>'
            )
        else:
            parts.append(f'<ol class="toc">{items}</ol>')
        group.clear()

    for entry in entries:
        if group and (entry.section_id != group[0].section_id):
            flush()
        group.append(entry)
    flush()
    parts.append("</section>")
    return document(
        title="Contents", lang=book.language, body="\n".join(parts), body_class="contents"
    )


def colophon_document(
    book: BookText,
    entries: Sequence[ArticleEntry],
    *,
    publisher: str,
    rights: str,
    built: str,
    built_iso: str,
    generator: str,
) -> bytes:
    # epub:type and its DPUB-ARIA role together (DAISY Ace asks for both).
    parts = [
        '<section epub:type="colophon" role="doc-colophon" class="colophon">',
        "<h1>Colophon</h1>",
    ]
    if publisher:
        parts.append(f"<p>Published by {text(publisher)}.</p>")
    parts.append("<h2>Sources</h2>")
    parts.append('<ul class="sources">')
    for entry in entries:
        item = [f'<li><p class="source-headline">{text(entry.headline)}</p>']
        if entry.byline:
            item.append(f"<p>{text(entry.byline)}</p>")
        dates = []
        if entry.published:
            dates.append(f"Published {text(entry.published)}")
        if entry.updated and entry.updated != entry.published:
            dates.append(f"updated {text(entry.updated)}")
        if dates:
            item.append(f"<p>{'; '.join(dates)}.</p>")
        href = epub_href(entry.url) if entry.url else None
        if href:
            item.append(f'<p class="source-url"><a href="{attr(href)}">{plain_text(entry.url)}</a></p>')
        item.append("</li>")
        parts.append("".join(item))
    parts.append("</ul>")
    if rights:
        parts.append(f'<p class="rights">{text(rights)}</p>')
    parts.append(
        f'<p class="built">This edition was made on <time datetime="{attr(built_iso)}">'
        f"{text(built)}</time> with {text(generator)}.</p>"
    )
    parts.append("</section>")
    return document(
        title="Colophon", lang=book.language, body="\n".join(parts), body_class="colophon"
    )


__all__ = [
    "ArticleDoc",
    "ArticleEntry",
    "BookText",
    "article_document",
    "colophon_document",
    "contents_document",
    "cover_document",
    "document",
    "epub_href",
    "epub_safe",
    "text_direction",
    "title_document",
]
