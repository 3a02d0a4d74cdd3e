"""Issue pages: the validated manifest and its articles → the issue's own print pages (XHTML).

Goes in: the articles in print order (with their sections) and the cover story. Comes out: the
front page fragment (cover story headline, photo, opening and an "inside" panel of teasers),
the contents page fragment (section → article → page number) and the house panels that fill
the last sheet (as records, written by ``press/house.py``). Their look is the style's issue.css
and house.css. Page numbers are never computed here: every reference
is a ``target-counter`` on the story's id, so WeasyPrint prints the page the story really starts
on, and spans (not links) carry them, so the press file gets no annotations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from printedition.issue.manifest import HousePanel, Manifest
from printedition.model import Article, Paragraph, inline_text
from printedition.press.house import ContentsEntry, Panel, panel_html, subscription
from printedition.render import attr, byline_text, render_credit, text


@dataclass(frozen=True, slots=True, kw_only=True)
class PrintStory:
    article: Article  # as printed (print headline applied)
    section: str


def story_anchor(article: Article) -> str:
    """The id press/layout gives each story's <article>."""
    return f"#story-{article.slug}"


def _pageref(article: Article, numbers: Mapping[str, int] | None = None) -> str:
    """The page a story starts on: a ``target-counter`` reference when the stories are laid
    out in the same document, the number itself when they are laid out apart (``numbers``:
    slug → page)."""
    if numbers is not None:
        return f'<span class="pageno">{numbers.get(article.slug, 0)}</span>'
    return f'<span class="pageref" data-ref="{attr(story_anchor(article))}"></span>'


FRONT_WORDS = 160  # the cover story's opening on the front page, in words (whole paragraphs)


def _opening_end(article: Article, words: int) -> int:
    """How many of the body's blocks the front page's opening takes: its paragraphs up to
    the one that brings it to ``words`` words."""
    count = 0
    for n, block in enumerate(article.body):
        if isinstance(block, Paragraph) and (para := inline_text(block.content).strip()):
            count += len(para.split())
            if count >= words:
                return n + 1
    return len(article.body)


def _opening(article: Article, words: int) -> str:
    """The first paragraphs, up to the one that brings them to ``words`` words."""
    out = [
        inline_text(block.content).strip()
        for block in article.body[: _opening_end(article, words)]
        if isinstance(block, Paragraph)
    ]
    return "".join(f"<p>{text(p)}</p>" for p in out if p)


def continued_blocks(article: Article, words: int = FRONT_WORDS) -> tuple[int, ...] | None:
    """The body blocks the cover story continues with inside when the front page opens it
    (``[cover] jump``), as indices into its ``body`` in the order they print: those after the
    front's opening, with the pictures, tables and boxes among the opening (or just after
    it) moved below the continuation's first paragraphs (it opens with text: its first legs
    are short under the head). None when nothing would be left to continue."""
    body = article.body
    lead_in = _opening_end(article, words)
    while lead_in < len(body) and not isinstance(body[lead_in], Paragraph):
        lead_in += 1
    moved = [n for n in range(lead_in) if not isinstance(body[n], Paragraph)]
    paras = [
        n
        for n in range(lead_in, len(body))
        if isinstance(body[n], Paragraph) and inline_text(body[n].content).strip()  # type: ignore[union-attr]
    ]
    if not paras:
        return None
    at = paras[min(2, len(paras) - 1)] + 1
    return (*range(lead_in, at), *moved, *range(at, len(body)))


def continued_inside(article: Article, front_page: int = 1, words: int = FRONT_WORDS) -> Article | None:
    """The cover story as it continues inside (``continued_blocks``), under a jump head,
    without the standfirst and photo the front page shows."""
    order = continued_blocks(article, words)
    if order is None:
        return None
    return replace(
        article,
        body=tuple(article.body[n] for n in order),
        kicker=f"Continued from page {front_page}",
        standfirst="",
        lead=None,
    )


def front_page_html(
    manifest: Manifest,
    cover: Article,
    inside: Sequence[PrintStory],
    *,
    cover_image_href: str | None,
    teasers: int = 6,
    numbers: Mapping[str, int] | None = None,
    jump: bool = False,
) -> str:
    """Under the masthead: the cover story's headline, photo and opening, then "Inside".
    ``jump``: the story continues inside from where the opening stops ("Continued on page
    N"), rather than starting again there ("Full story, page N")."""
    headline = manifest.cover.headline or cover.headline
    parts = ['<div class="cover-story">']
    if cover.kicker:
        parts.append(f'<p class="cover-kicker">{text(cover.kicker)}</p>')
    parts.append(f'<h1 class="cover-headline">{text(headline)}</h1>')
    if cover_image_href and cover.lead is not None:
        credit = render_credit(cover.lead.credit)
        caption = inline_text(cover.lead.caption)
        cap = f'<span class="caption">{text(caption)}</span> ' if caption else ""
        figcaption = f"<figcaption>{cap}{credit}</figcaption>" if (cap or credit) else ""
        parts.append(
            f'<figure class="cover-photo"><img src="{attr(cover_image_href)}" '
            f'alt="{attr(cover.lead.alt)}"/>{figcaption}</figure>'
        )
    if cover.standfirst:
        parts.append(f'<p class="cover-standfirst">{text(cover.standfirst)}</p>')
    byline = byline_text(cover)
    if byline:
        parts.append(f'<p class="cover-byline">{text(byline)}</p>')
    parts.append(f'<div class="cover-opening">{_opening(cover, FRONT_WORDS)}')
    turn = "Continued on page" if jump else "Full story, page"
    parts.append(f'<p class="cover-turn">{turn} {_pageref(cover, numbers)}</p></div>')
    parts.append("</div>")
    picks = [
        s
        for s in inside
        if s.article.slug != cover.slug and (numbers is None or s.article.slug in numbers)
    ][:teasers]
    if picks:
        parts.append('<aside class="inside"><h2 class="inside-head">Inside</h2><ul>')
        for story in picks:
            a = story.article
            parts.append(
                f'<li><span class="inside-section">{text(story.section)}</span> '
                f'<span class="inside-headline">{text(a.headline)}</span> '
                f'<span class="inside-page">{_pageref(a, numbers)}</span></li>'
            )
        parts.append("</ul></aside>")
    return "".join(parts)


def contents_html(
    manifest: Manifest,
    stories: Sequence[PrintStory],
    *,
    title: str = "Contents",
    pages: bool = True,
    numbers: Mapping[str, int] | None = None,
) -> str:
    """Sections in order, each article with its byline and (``pages``) the page it starts on.

    House panels are laid out apart from the stories, so theirs carry no page numbers."""
    info = manifest.issue
    issue_line = f"No. {info.number}" + (f" · Volume {info.volume}" if info.volume else "")
    parts = [
        f'<h1 class="contents-title">{text(title)}</h1>',
        f'<p class="contents-issue">{text(issue_line)} · {text(info.cover_date)}</p>',
    ]
    current = None
    for story in stories:
        if numbers is not None and story.article.slug not in numbers:
            continue  # left out of the printed pages (a fixed page count)
        if story.section != current:
            if current is not None:
                parts.append("</ol>")
            current = story.section
            parts.append(
                f'<h2 class="contents-section">{text(current)}</h2><ol class="contents-list">'
            )
        a = story.article
        byline = byline_text(a)
        by = f' <span class="contents-byline">{text(byline)}</span>' if byline else ""
        # The number floats right, ahead of the text (no flex: it does not paginate well).
        parts.append(
            "<li>"
            + (f'<span class="contents-folio">{_pageref(a, numbers)}</span>' if pages else "")
            + f'<span class="contents-headline">{text(a.headline)}</span>{by}</li>'
        )
    if current is not None:
        parts.append("</ol>")
    return "".join(parts)


def house_panel(panel: HousePanel, stories: Sequence[PrintStory]) -> Panel:
    """A manifest's ``[[house]]`` table as a panel record (a contents panel lists the stories
    with their sections; it is laid out apart from them, so without page numbers)."""
    entries: tuple[ContentsEntry, ...] = ()
    if panel.kind == "contents":
        entries = tuple(
            ContentsEntry(
                headline=s.article.headline, kicker=s.section, byline=byline_text(s.article)
            )
            for s in stories
        )
    body = (panel.text,) if panel.text else ()
    return Panel(kind=panel.kind, title=panel.title, body=body, url=panel.url, entries=entries)


def house_panels(manifest: Manifest, stories: Sequence[PrintStory]) -> tuple[str, ...]:
    """The issue's house panels, in turn: the manifest's own, else the paper's subscription
    advert (the issue has a contents page of its own), written by ``press/house.py``."""
    paper = manifest.paper.paper
    records = tuple(house_panel(p, stories) for p in manifest.house) or (subscription(paper),)
    return tuple(panel_html(p, paper) for p in records)


__all__ = [
    "FRONT_WORDS",
    "PrintStory",
    "contents_html",
    "continued_blocks",
    "continued_inside",
    "front_page_html",
    "house_panel",
    "house_panels",
    "story_anchor",
]
