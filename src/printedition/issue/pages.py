"""Issue pages: the validated manifest and its articles → the issue's own print pages (XHTML).

Goes in: the articles in print order (with their sections) and the cover story. Comes out: the
front page fragment (cover story headline, photo, opening and an "inside" panel of teasers),
the contents page fragment (section → article → page number), the house panels that fill the
last sheet, and the CSS for all three. Page numbers are never computed here: every reference
is a ``target-counter`` on the story's id, so WeasyPrint prints the page the story really starts
on, and spans (not links) carry them, so the press file gets no annotations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from printedition.issue.manifest import HousePanel, Manifest
from printedition.model import Article, Paragraph, inline_text
from printedition.render import attr, byline_text, text


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


def _opening(article: Article, words: int) -> str:
    """The first paragraphs, cut at a sentence end near ``words`` words."""
    out: list[str] = []
    count = 0
    for block in article.body:
        if not isinstance(block, Paragraph):
            continue
        para = inline_text(block.content).strip()
        if not para:
            continue
        out.append(para)
        count += len(para.split())
        if count >= words:
            break
    return "".join(f"<p>{text(p)}</p>" for p in out)


def front_page_html(
    manifest: Manifest,
    cover: Article,
    inside: Sequence[PrintStory],
    *,
    cover_image_href: str | None,
    teasers: int = 6,
    numbers: Mapping[str, int] | None = None,
) -> str:
    """Under the masthead: the cover story's headline, photo and opening, then "Inside"."""
    headline = manifest.cover.headline or cover.headline
    parts = ['<div class="cover-story">']
    if cover.kicker:
        parts.append(f'<p class="cover-kicker">{text(cover.kicker)}</p>')
    parts.append(f'<h1 class="cover-headline">{text(headline)}</h1>')
    if cover_image_href and cover.lead is not None:
        credit = (
            f'<span class="credit">{text(cover.lead.credit)}</span>' if cover.lead.credit else ""
        )
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
    parts.append(f'<div class="cover-opening">{_opening(cover, 160)}')
    parts.append(f'<p class="cover-turn">Full story, page {_pageref(cover, numbers)}</p></div>')
    parts.append("</div>")
    picks = [s for s in inside if s.article.slug != cover.slug][:teasers]
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


def house_panel_html(panel: HousePanel, manifest: Manifest, stories: Sequence[PrintStory]) -> str:
    """One full page that fills out the last sheet."""
    paper = manifest.paper.paper
    if panel.kind == "contents":
        return f'<div class="house-panel house-contents">{contents_html(manifest, stories, title=panel.title, pages=False)}</div>'
    url = panel.url or paper.url
    return (
        f'<div class="house-panel house-{attr(panel.kind)}">'
        f'<p class="house-name">{text(paper.name)}</p>'
        f'<h1 class="house-title">{text(panel.title)}</h1>'
        + (f'<p class="house-text">{text(panel.text)}</p>' if panel.text else "")
        + f'<p class="house-url">{text(url.removeprefix("https://").removeprefix("http://"))}</p>'
        f'<p class="house-tagline">{text(paper.tagline)}</p>'
        "</div>"
    )


def house_panels(manifest: Manifest, stories: Sequence[PrintStory]) -> tuple[str, ...]:
    panels = manifest.house or (
        HousePanel(kind="subscription", title=f"Subscribe to {manifest.paper.paper.name}"),
    )
    return tuple(house_panel_html(p, manifest, stories) for p in panels)


ISSUE_CSS = """
.pageref::after { content: target-counter(attr(data-ref), page); }
.cover-story { column-span: all; }
.cover-kicker { font-family: 'Libre Franklin', sans-serif; font-weight: 700; font-size: 11pt;
  text-transform: uppercase; letter-spacing: 0.08em; margin: 2mm 0 1mm; }
.cover-headline { font-family: 'Libre Caslon Condensed', 'Libre Caslon Text', serif; font-size: 44pt;
  line-height: 1.02; margin: 0 0 3mm; font-weight: 700; }
.cover-photo { margin: 0 0 3mm; }
.cover-photo img { width: 100%; max-height: 150mm; object-fit: cover; display: block; }
.cover-photo figcaption { font-family: 'Libre Franklin', sans-serif; font-size: 7pt; margin-top: 1mm; }
.cover-photo .credit { text-transform: uppercase; letter-spacing: 0.04em; color: device-cmyk(0 0 0 0.7); }
.cover-standfirst { font-size: 13pt; line-height: 1.25; margin: 0 0 2mm; }
.cover-byline { font-family: 'Libre Franklin', sans-serif; font-weight: 700; font-size: 8pt;
  text-transform: uppercase; margin: 0 0 2mm; }
.cover-opening { columns: 3; column-gap: 4mm; font-size: 9.5pt; line-height: 12pt; }
.cover-opening p { margin: 0; text-indent: 1em; text-align: justify; hyphens: auto; }
.cover-opening p:first-child { text-indent: 0; }
.cover-turn { font-family: 'Libre Franklin', sans-serif; font-weight: 700; margin-top: 1mm !important; }
.inside { border-top: 2.4pt solid device-cmyk(0 0 0 1); margin-top: 4mm; padding-top: 2mm;
  font-family: 'Libre Franklin', sans-serif; }
.inside-head { font-size: 10pt; text-transform: uppercase; letter-spacing: 0.1em; margin: 0 0 2mm; }
.inside ul { list-style: none; margin: 0; padding: 0; columns: 3; column-gap: 5mm; }
.inside li { break-inside: avoid; margin: 0 0 2mm; font-size: 8.5pt; line-height: 10.5pt; }
.inside-section { display: block; font-weight: 700; text-transform: uppercase; font-size: 6.5pt;
  letter-spacing: 0.06em; }
.inside-headline { font-family: 'Libre Caslon Text', serif; font-weight: 700; }
.inside-page::before { content: "Page "; }
.inside-page { white-space: nowrap; font-weight: 700; }
.contents-title { font-family: 'Libre Caslon Condensed', 'Libre Caslon Text', serif; font-size: 36pt;
  line-height: 1.1; margin: 0 0 1mm; }
.contents-issue { font-family: 'Libre Franklin', sans-serif; text-transform: uppercase; font-size: 8pt;
  letter-spacing: 0.08em; margin: 0 0 6mm; }
.contents-section { font-family: 'Libre Franklin', sans-serif; font-size: 11pt; line-height: 1.3; text-transform: uppercase;
  letter-spacing: 0.1em; border-bottom: 1.2pt solid device-cmyk(0 0 0 1); margin: 5mm 0 2mm; }
.contents-list { list-style: none; margin: 0; padding: 0; }
.contents-list li { display: block; margin: 0 0 2mm; font-size: 11pt; line-height: 13pt;
  break-inside: avoid; }
.contents-headline { font-weight: 700; }
.contents-byline { font-family: 'Libre Franklin', sans-serif; font-size: 8pt; margin-left: 2mm;
  text-transform: uppercase; letter-spacing: 0.04em; }
.contents-folio { float: right; padding-left: 6mm; font-family: 'Libre Franklin', sans-serif;
  font-weight: 700; }
.house-panel { border: 2.4pt solid device-cmyk(0 0 0 1); padding: 12mm; margin-top: 10mm; }
.house-panel .house-name { font-family: 'Libre Caslon Condensed', 'Libre Caslon Text', serif;
  font-size: 40pt; line-height: 1.1; font-weight: 700; margin: 0 0 6mm; }
.house-title { font-family: 'Libre Franklin', sans-serif; font-size: 26pt; line-height: 1.15;
  margin: 0 0 6mm; }
.house-text { font-size: 14pt; line-height: 19pt; margin: 0 0 8mm; }
.house-url { font-family: 'Libre Franklin', sans-serif; font-size: 16pt; line-height: 1.3;
  font-weight: 700; margin: 0 0 3mm; }
.house-tagline { font-family: 'Libre Franklin', sans-serif; font-size: 9pt; text-transform: uppercase;
  letter-spacing: 0.08em; }
"""

__all__ = [
    "ISSUE_CSS",
    "PrintStory",
    "contents_html",
    "front_page_html",
    "house_panel_html",
    "house_panels",
    "story_anchor",
]
