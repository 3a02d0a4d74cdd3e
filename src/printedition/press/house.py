"""House material: panels as data (``Panel``) and the paper's settings → house panels' markup.

The one place house panels are written, for ``printedition pdf`` and the issue build alike,
styled by the style's one house.css. Goes in: ``settings.Paper`` (name, tagline, price, URL
and the subscription/appeal wording, from which the default panels come) and the issue's own
panels when its manifest has any (``Panel`` records). Comes out: each panel's XHTML, which the
make-up places where no story fits (a panel at the foot of a page, a whole house page that
brings the edition to whole sheets; ``gap_tier`` sizes its type to its box). Nothing here
reads files; every fact printed comes from ``Paper``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from printedition.render import attr, text
from printedition.settings import Paper


@dataclass(frozen=True, slots=True, kw_only=True)
class ContentsEntry:
    """A story of this edition, for the contents panel."""

    headline: str
    kicker: str
    byline: str
    page: int | None = None  # None: laid out apart from the stories, so no page number


PANEL_KINDS = ("subscription", "appeal", "about", "contents", "notice")


@dataclass(frozen=True, slots=True, kw_only=True)
class Panel:
    """One piece of house material: what it says, not how it looks (house.css says that)."""

    kind: str  # one of PANEL_KINDS
    title: str
    body: tuple[str, ...] = ()  # paragraphs
    url: str = ""  # default: the paper's
    entries: tuple[ContentsEntry, ...] = ()  # a contents panel's stories


def _host(url: str) -> str:
    return url.removeprefix("https://").removeprefix("http://").rstrip("/")


def panel_html(panel: Panel, paper: Paper) -> str:
    """The panel's markup; the same for the foot of a page, a house page and either build."""
    parts = [
        f'<div class="house-panel house-{attr(panel.kind)}">',
        f'<p class="house-name">{text(paper.name)}</p>',
        f'<h1 class="house-title">{text(panel.title)}</h1>',
    ]
    parts += [f'<p class="house-text">{text(line)}</p>' for line in panel.body if line]
    if panel.kind == "contents":
        parts.append(f'<ol class="house-list">{"".join(map(_entry, panel.entries))}</ol>')
    if panel.kind == "subscription" and paper.price:
        parts.append(f'<p class="house-price">{text(paper.price)} an issue</p>')
    parts.append(f'<p class="house-url">{text(_host(panel.url or paper.url))}</p>')
    if panel.kind != "contents":
        parts.append(f'<p class="house-tagline">{text(paper.tagline)}</p>')
    parts.append("</div>")
    return "".join(parts)


def _entry(e: ContentsEntry) -> str:
    return (
        "<li>"
        + (f'<span class="house-folio">{e.page}</span>' if e.page is not None else "")
        + (f'<span class="house-kicker">{text(e.kicker)}</span> ' if e.kicker else "")
        + f'<span class="house-headline">{text(e.headline)}</span>'
        + (f' <span class="house-byline">{text(e.byline)}</span>' if e.byline else "")
        + "</li>"
    )


def subscription(paper: Paper) -> Panel:
    return Panel(
        kind="subscription",
        title=paper.subscribe_title,
        body=(paper.subscribe_text,),
        url=paper.subscribe_url,
    )


def appeal(paper: Paper) -> Panel:
    return Panel(
        kind="appeal", title=paper.appeal_title, body=(paper.appeal_text,), url=paper.appeal_url
    )


def about(paper: Paper) -> Panel:
    """Who publishes the paper and how to reach it."""
    lines = [f"{paper.name} is published by {paper.publisher}."] if paper.publisher else []
    if paper.contact:
        lines.append(f"Contact the newsroom: {paper.contact}")
    return Panel(kind="about", title="About us", body=tuple(lines))


def contents(entries: Sequence[ContentsEntry], title: str = "In this edition") -> Panel:
    """'In this edition': each story with its section label, byline and page."""
    return Panel(kind="contents", title=title, entries=tuple(entries))


def paper_panels(paper: Paper, entries: Sequence[ContentsEntry] = ()) -> tuple[Panel, ...]:
    """The house panels the paper's settings give, in the order pad pages take them; the last
    is the back page (the subscription advert). A contents panel needs two stories."""
    panels = [contents(entries)] if len(entries) >= 2 else []
    return (*panels, about(paper), appeal(paper), subscription(paper))


def subscription_panel(paper: Paper) -> str:
    return panel_html(subscription(paper), paper)


def appeal_panel(paper: Paper) -> str:
    return panel_html(appeal(paper), paper)


def default_panels(paper: Paper, entries: Sequence[ContentsEntry]) -> tuple[str, ...]:
    """The house panels of a build whose manifest names none (``paper_panels``), as markup."""
    return tuple(panel_html(p, paper) for p in paper_panels(paper, entries))


def gap_tier(height_mm: float) -> str:
    """The type scale of a panel, by the height it has to fill."""
    if height_mm < 48:
        return "gap-s"
    if height_mm < 95:
        return "gap-m"
    return "gap-l" if height_mm < 125 else "gap-l gap-xl"


__all__ = [
    "PANEL_KINDS",
    "ContentsEntry",
    "Panel",
    "about",
    "appeal",
    "appeal_panel",
    "contents",
    "default_panels",
    "gap_tier",
    "panel_html",
    "paper_panels",
    "subscription",
    "subscription_panel",
]
