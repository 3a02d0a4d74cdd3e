"""Index page: the month's entries → a static, accessible ``index.html`` (no scripts).

Goes in: the ``Shelf`` and its ``Entry`` values (the whole issue first, then the articles).
Comes out: the page's bytes — the cover, the issue's download link, the contents grouped by
section with each article's byline, standfirst and download link, every file size in words;
one column on a phone, two on a desktop; the same bytes for the same inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from printedition.downloads.names import human_size
from printedition.downloads.shelf import Entry, Shelf

FEED_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
EPUB_TYPE = "application/epub+zip"

# The page's look: system fonts, the paper's black and white with one accent, readable at
# 320 px; the download links are large targets (at least 44 px high).
_CSS = """
:root{color-scheme:light;--ink:#161616;--muted:#555;--rule:#d8d8d8;--accent:#9b1b1b}
*{box-sizing:border-box}
body{margin:0;font:1.0625rem/1.5 Georgia,"Times New Roman",serif;color:var(--ink);background:#fff}
header,main,footer{max-width:62rem;margin:0 auto;padding:0 1rem}
header{border-bottom:4px double var(--ink);padding-top:1rem;padding-bottom:.5rem}
h1{margin:0}
.paper{display:block;font:700 clamp(1.8rem,7vw,3rem)/1.1 Georgia,serif;letter-spacing:-.01em}
.line{display:block;margin-top:.25rem;font:600 1.1rem/1.3 system-ui,sans-serif;color:var(--muted)}
h2{font:700 1.4rem/1.2 Georgia,serif;margin:1.5rem 0 .75rem}
h3{font:700 .8rem/1.2 system-ui,sans-serif;text-transform:uppercase;letter-spacing:.08em;
 color:var(--accent);border-top:2px solid var(--ink);padding-top:.4rem;margin:1.75rem 0 .25rem}
h4{font:700 1.2rem/1.25 Georgia,serif;margin:0}
.issue{display:grid;gap:1rem 1.5rem;grid-template-columns:1fr;margin-top:1rem}
.issue img{width:100%;max-width:20rem;height:auto;border:1px solid var(--rule);
 box-shadow:0 2px 8px rgba(0,0,0,.15)}
.issue h2{margin-top:0}
.download{display:inline-block;min-height:44px;padding:.6rem 1rem;background:var(--ink);
 color:#fff;font:600 1rem/1.4 system-ui,sans-serif;text-decoration:none;border-radius:3px}
.download:hover,.download:focus{background:var(--accent)}
.download:focus{outline:3px solid var(--accent);outline-offset:2px}
.size{font-weight:400}
.apps{color:var(--muted);font-size:.95rem}
ol{list-style:none;margin:0;padding:0}
li{display:grid;grid-template-columns:4.5rem 1fr;gap:.75rem;padding:.9rem 0;
 border-bottom:1px solid var(--rule)}
li img{width:4.5rem;height:auto;border:1px solid var(--rule)}
.byline{margin:.2rem 0 0;font:600 .9rem/1.4 system-ui,sans-serif;color:var(--muted)}
.standfirst{margin:.35rem 0 .5rem}
.get{margin:0;font:600 .95rem/1.4 system-ui,sans-serif}
.get a{display:inline-block;min-height:44px;padding:.55rem 0;color:var(--accent)}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
footer{margin-top:2rem;padding-bottom:2rem;border-top:1px solid var(--rule);color:var(--muted);
 font-size:.9rem}
a{color:var(--accent)}
@media (min-width:48rem){.issue{grid-template-columns:16rem 1fr}
 .contents{columns:2;column-gap:2.5rem}.contents section{break-inside:avoid-column}
 h3:first-child{margin-top:0}}
""".strip()


def _t(value: str) -> str:
    return escape(value, quote=False)


def _a(value: str) -> str:
    return escape(value, quote=True)


def _size(size: tuple[int, int]) -> str:
    """width and height, so the page keeps the image's space before it loads."""
    return f' width="{size[0]}" height="{size[1]}"' if all(size) else ""


def _site(url: str) -> str:
    return url.removeprefix("https://").removeprefix("http://").rstrip("/")


def _byline(authors: Sequence[str]) -> str:
    names = [a for a in authors if a.strip()]
    if not names:
        return ""
    if len(names) == 1:
        return f"By {names[0]}"
    return f"By {', '.join(names[:-1])} and {names[-1]}"


def _article(entry: Entry) -> str:
    book = entry.book
    thumb = (
        f'<img src="{_a(entry.thumbnail)}" alt=""{_size(entry.thumbnail_size)} loading="lazy"/>'
        if entry.thumbnail
        else "<span></span>"
    )
    parts = [f"<li>{thumb}<div>", f"<h4>{_t(book.title)}</h4>"]
    byline = _byline(book.authors)
    if byline:
        parts.append(f'<p class="byline">{_t(byline)}</p>')
    if book.summary:
        parts.append(f'<p class="standfirst">{_t(book.summary)}</p>')
    parts.append(
        f'<p class="get"><a href="{_a(entry.file)}" type="{EPUB_TYPE}" download="">'
        f'Download<span class="vh"> “{_t(book.title)}”</span> EPUB '
        f'<span class="size">({_t(human_size(entry.bytes))})</span></a></p>'
    )
    parts.append("</div></li>")
    return "".join(parts)


def render_index(shelf: Shelf, issue: Entry, articles: Sequence[Entry]) -> bytes:
    """The page's bytes (see the module doc)."""
    lang = shelf.language or "en"
    count = len(articles)
    cover = (
        f'<img src="{_a(issue.cover)}" alt="{_a(f"Cover of {shelf.title}")}"'
        f"{_size(issue.cover_size)}/>"
        if issue.cover
        else ""
    )
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{_a(lang)}">',
        "<head>",
        '<meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f"<title>{_t(shelf.title)}: downloads</title>",
        f'<meta name="description" content="{_a(issue.book.summary)}"/>',
        f'<link rel="alternate" type="{FEED_TYPE}" href="opds.xml" '
        f'title="{_a(shelf.paper)} catalogue (OPDS)"/>',
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<h1><span class="paper">{_t(shelf.paper)}</span> '
        f'<span class="line">{_t(shelf.cover_date)} · {_t(shelf.subtitle)}</span></h1>',
        "</header>",
        "<main>",
        '<section class="issue" aria-labelledby="whole">',
        cover,
        "<div>",
        '<h2 id="whole">The whole issue</h2>',
        f"<p>{_t(shelf.title)}: {count} article{'s' if count != 1 else ''} in one ebook, "
        "for Kobo, Kindle, Apple Books, phones and screen readers.</p>",
        f'<p><a class="download" href="{_a(issue.file)}" type="{EPUB_TYPE}" download="">'
        f'Download the issue EPUB <span class="size">({_t(human_size(issue.bytes))})</span>'
        "</a></p>",
        '<p class="apps">Reading apps that take an OPDS catalogue (KOReader, Thorium, '
        f'FBReader, Moon+ Reader, PocketBook) can add <a href="opds.xml" type="{FEED_TYPE}">'
        "this issue’s catalogue</a>.</p>",
        "</div>",
        "</section>",
        '<section aria-labelledby="contents">',
        '<h2 id="contents">Contents</h2>',
        '<div class="contents">',
    ]
    body: list[str] = []
    run: list[Entry] = []
    for i, entry in enumerate(articles):
        run.append(entry)
        last = i + 1 == len(articles) or articles[i + 1].book.section != entry.book.section
        if last:
            body.append("<section>")
            if entry.book.section:
                body.append(f"<h3>{_t(entry.book.section)}</h3>")
            body.append("<ol>" + "".join(_article(e) for e in run) + "</ol>")
            body.append("</section>")
            run = []
    tail = [
        "</div>",
        "</section>",
        "</main>",
        "<footer>",
        # The site's address as text, not a link: every link on the page is a file beside it.
        f"<p>{_t(shelf.publisher or shelf.paper)}"
        + (f" · {_t(_site(shelf.paper_url))}" if shelf.paper_url else "")
        + "</p>",
        "<p>EPUB 3 files, free of DRM. Thank you for supporting our journalism.</p>",
        "</footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join([*head, *body, *tail]).encode("utf-8")


__all__ = ["EPUB_TYPE", "FEED_TYPE", "render_index"]
