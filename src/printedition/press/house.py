"""House material: panels as data (``Panel``) and the paper's settings → house panels and pages.

The one place house panels are written, for ``printedition pdf`` and the issue build alike,
styled by the style's one house.css. Goes in: ``settings.Paper`` (name, tagline, price, URL
and the subscription/appeal wording, from which the default panels come), the issue's own
panels when its manifest has any (``Panel`` records), the stories with the page each starts on,
and the free space measured at the foot of each page of the laid-out edition (``Gap``). Comes out:
one HTML document (the *house document*) whose first pages are the house pages that pad the
edition to whole sheets (a contents page, a supporter appeal, a full-page subscription advert)
and whose other pages each hold one candidate panel, placed at the height of a gap, to be laid
over that page of the edition. ``pdf.py`` lays the document out once, keeps for each gap the
first candidate that fits it, and overlays it. Nothing here reads files; every fact printed comes
from ``Paper``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from printedition.press.layout import Furniture, Geometry, date_meta, page_css, stylesheet_links
from printedition.render import attr, text
from printedition.settings import Paper

GAP_SPACE_MM = 5.0  # white space between the end of a story and a panel under it
TALL_GAP_MM = 150.0  # a space taller than this takes two panels: one would stand lost in it
MIN_GAP_MM = 22.0  # below this the foot of a page is left as it is
OVERLAY_PAGE = "house-overlay"  # the named page the candidates stand on (no folio)


@dataclass(frozen=True, slots=True, kw_only=True)
class Gap:
    """Free space at the foot of a page of the edition, measured from the top of its text area."""

    page: int  # 0-based index in the edition
    used_mm: float
    free_mm: float
    slot: int = 0  # a tall space holds two panels, one above the other

    @property
    def key(self) -> tuple[int, int]:
        return (self.page, self.slot)

    @property
    def panel_mm(self) -> float:
        # 1 mm short of the foot: a box that reached it exactly could round onto a new page.
        return self.free_mm - GAP_SPACE_MM - 1.0


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


def pad_panels(panels: Sequence[str], count: int) -> list[str]:
    """``count`` pages of house material, ending with the last panel (the back page)."""
    if count <= 0 or not panels:
        return []
    if count >= len(panels):
        return [panels[i % len(panels)] for i in range(count - len(panels))] + list(panels)
    # Few pages: the adverts at the end of the list come first (the subscription advert last).
    return list(panels[len(panels) - count :])


def gap_tier(height_mm: float) -> str:
    """The type scale of a panel, by the height it has to fill."""
    if height_mm < 48:
        return "gap-s"
    if height_mm < 95:
        return "gap-m"
    return "gap-l" if height_mm < 125 else "gap-l gap-xl"


def house_document(
    *,
    furniture: Furniture,
    geometry: Geometry,
    bleed_mm: float,
    first_page: int,
    pages: Sequence[str],
    candidates: Sequence[tuple[Gap, str]],
) -> str:
    """The house pages (numbered on from ``first_page``) followed by one page per candidate
    panel, each standing at its gap's height on a page without folio, to be overlaid. The look
    is the style's house.css; what is written here are measures: the text area, each gap."""
    paper = furniture.paper
    house = geometry.style.house
    # The house pages' type is drawn for one text area (the style's reference): scaled to others.
    scale = min(
        geometry.content_width_mm / house.reference_width_mm,
        geometry.content_height_mm / house.reference_height_mm,
    )
    size = house.size_pt * max(house.smallest_scale, min(house.largest_scale, scale))
    rules = [
        page_css(geometry, bleed_mm=bleed_mm),
        f":root {{ --page-area: {geometry.content_height_mm:.2f}mm; --house-size: {size:.2f}pt; }}",
    ]
    if pages:
        # The first house page keeps the edition's page parity and folio (even: a left page).
        side = "left" if first_page % 2 == 0 else "right"
        number, name, month = "counter(page)", "string(paper)", "string(month)"
        left = f"{number} '  ·  ' {name}" if side == "left" else month
        right = month if side == "left" else f"{name} '  ·  ' {number}"
        rules.append(
            f"html {{ break-before: {side}; }}"
            f"@page :first {{ counter-reset: page {first_page}; "
            f"@top-left {{ content: {left}; }} @top-right {{ content: {right}; }} }}"
        )
    body = [
        f'<section class="house"><div class="house-page"><div class="house-cell">{panel}</div>'
        "</div></section>"
        for panel in pages
    ]
    for n, (gap, panel) in enumerate(candidates):
        # Where the gap starts and how tall it is: house.css sets the spacer and the box by them.
        rules.append(
            f"#house-gap-{n} {{ --gap-start: {gap.used_mm + GAP_SPACE_MM:.2f}mm; "
            f"--gap: {gap.panel_mm:.2f}mm; }}"
        )
        body.append(
            f'<section class="house-overlay" id="house-gap-{n}"><div class="house-spacer"></div>'
            f'<div class="house-gap {gap_tier(gap.panel_mm)}" data-height-mm="{gap.panel_mm:.2f}">'
            f'<div class="house-cell">{panel}</div></div></section>'
        )
    # The running strings ride in the first section: an element before it would open a page
    # of its own ahead of the first forced break.
    strings = (
        f'<div class="furniture-strings" data-paper="{attr(paper.name)}" '
        f'data-month="{attr(furniture.month)}"></div>'
    )
    if body:
        body[0] = body[0].replace("<section ", '<section data-first="" ', 1)
        body[0] = body[0].replace(">", ">" + strings, 1)
    links = stylesheet_links(geometry.style, ("fonts.css", "press.css", "house.css"))
    return (
        f'<!DOCTYPE html>\n<html lang="{attr(paper.language or "en-GB")}"><head>'
        f'<meta charset="utf-8"/>{date_meta(furniture.date)}<title>{text(paper.name)}</title>'
        f"{links}<style>{''.join(rules)}</style></head><body>{''.join(body)}</body></html>"
    )


def find_gaps(used_mm: Sequence[float], height_mm: float, first: int = 0) -> list[Gap]:
    """The space at the foot of each page from ``first`` on, given how far down each page
    printed: big enough to fill, and split in two when tall."""
    gaps: list[Gap] = []
    for page, used in enumerate(used_mm):
        free = height_mm - used
        if page < first or free < MIN_GAP_MM:
            continue
        if free > TALL_GAP_MM:
            half = free / 2
            gaps.append(Gap(page=page, used_mm=used, free_mm=half))
            gaps.append(Gap(page=page, used_mm=used + half, free_mm=half, slot=1))
        else:
            gaps.append(Gap(page=page, used_mm=used, free_mm=free))
    return gaps


def _likely_fits(panel: str, gap: Gap) -> bool:
    """A cheap guess that saves laying out hopeless candidates: a contents list needs about
    12 mm a row of three (four in a strip) under its title, and the short about-us panel
    would stand lost in anything taller than a strip. The layout has the last word on every candidate."""
    if 'house-contents"' in panel:
        per_row = 4 if gap_tier(gap.panel_mm) == "gap-s" else 3
        rows = -(-panel.count("<li") // per_row)
        return gap.panel_mm >= 16 + 12 * rows
    if 'house-about"' in panel:
        return gap.panel_mm < 60
    return True


def gap_candidates(
    gaps: Sequence[Gap], panels: Sequence[str], allowed: Sequence[int], per_gap: int = 2
) -> list[tuple[Gap, int]]:
    """For each gap up to ``per_gap`` of the ``allowed`` panels (indices into ``panels``) that
    might fit it, starting one further along the list than the gap before so neighbouring
    spaces differ; the layout says which fit, ``choose_panels`` which go where. (Each
    candidate costs a page of layout: two per gap keep the house material cheap.)"""
    out: list[tuple[Gap, int]] = []
    for n, gap in enumerate(gaps):
        order = [allowed[(n + k) % len(allowed)] for k in range(len(allowed))]
        likely = [i for i in order if _likely_fits(panels[i], gap)] or order
        out.extend((gap, i) for i in likely[:per_gap])
    return out


def choose_panels(fits: Sequence[tuple[Gap, int, int]]) -> list[tuple[int, int]]:
    """(gap, panel index, house page) for every candidate that fitted → (edition page, house
    page) pairs: each gap takes the panel used least so far (the one used longest ago, then
    the earlier in the list, on a tie), so neighbouring spaces carry different material."""
    used: dict[int, int] = {}
    last: dict[int, int] = {}
    chosen: list[tuple[int, int]] = []
    by_gap: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for gap, panel, page in fits:
        by_gap.setdefault(gap.key, []).append((panel, page))
    for n, key in enumerate(sorted(by_gap)):
        panel, page = min(by_gap[key], key=lambda c: (used.get(c[0], 0), last.get(c[0], -1), c[0]))
        used[panel] = used.get(panel, 0) + 1
        last[panel] = n
        chosen.append((key[0], page))
    return chosen


__all__ = [
    "GAP_SPACE_MM",
    "MIN_GAP_MM",
    "OVERLAY_PAGE",
    "PANEL_KINDS",
    "ContentsEntry",
    "Gap",
    "Panel",
    "about",
    "appeal",
    "appeal_panel",
    "choose_panels",
    "contents",
    "default_panels",
    "find_gaps",
    "gap_candidates",
    "gap_tier",
    "house_document",
    "pad_panels",
    "panel_html",
    "paper_panels",
    "subscription",
    "subscription_panel",
]
