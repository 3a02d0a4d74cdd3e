"""The lead figure when the body has no lead photo: the page's share image (og:image, JSON-LD
image), resolved and checked like any image; and photo credits set with the house's label."""

from __future__ import annotations

import json
from pathlib import Path

from printedition.ingest.normalise import normalise_article, normalise_file
from printedition.model import Figure, iter_blocks
from printedition.render import RenderOptions, render_credit, render_figure
from printedition.style import default_style

PARAS = "".join(
    f"<p>Paragraph {i} of a story without a photo in its body, long enough to be read as the "
    "article by the extractor, with some more words.</p>"
    for i in range(6)
)


def _page(head: str, body: str = "") -> str:
    return (
        f"<html><head><title>A story</title>{head}</head><body><article><h1>A story</h1>"
        f"<div class='entry-content'>{body}{PARAS}</div></article></body></html>"
    )


def test_og_image_is_the_lead_with_its_alt() -> None:
    head = (
        '<meta property="og:image" content="/wp-content/uploads/2024/05/harbour.jpg">'
        '<meta property="og:image:alt" content="The harbour at dawn">'
    )
    a = normalise_article(_page(head), "https://paper.example/news/story/")
    assert a.lead is not None
    assert a.lead.image.url == "https://paper.example/wp-content/uploads/2024/05/harbour.jpg"
    assert a.lead.alt == "The harbour at dawn"
    assert not any(isinstance(b, Figure) for b in iter_blocks(a.body))


def test_json_ld_image_when_there_is_no_og_image() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "NewsArticle", "headline": "A story", "image": {"@id": "#img"}},
            {"@type": "ImageObject", "@id": "#img", "url": "https://cdn.example/a.jpg"},
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    a = normalise_article(_page(head), "https://paper.example/news/story/")
    assert a.lead is not None and a.lead.image.url == "https://cdn.example/a.jpg"
    assert "figure-no-alt" in {w.code for w in a.warnings}
    listed = json.dumps({"@type": "NewsArticle", "image": ["https://cdn.example/b.jpg"]})
    head = f'<script type="application/ld+json">{listed}</script>'
    b = normalise_article(_page(head), "https://paper.example/news/story/")
    assert b.lead is not None and b.lead.image.url == "https://cdn.example/b.jpg"


def test_no_share_image_lead_when_it_is_a_logo_small_or_already_in_the_body() -> None:
    base = "https://paper.example/news/story/"
    logo = '<meta property="og:image" content="/static/site-logo.png">'
    assert normalise_article(_page(logo), base).lead is None
    small = (
        '<meta property="og:image" content="/img/a.jpg"><meta property="og:image:width" '
        'content="200">'
    )
    assert normalise_article(_page(small), base).lead is None
    # the share image is a size variant of a photo the body shows further down
    head = '<meta property="og:image" content="/wp-content/uploads/2024/05/harbour.jpg">'
    body_photo = (
        '<figure><img src="/wp-content/uploads/2024/05/harbour-1024x683.jpg" alt="x">'
        "<figcaption>The harbour.</figcaption></figure>"
    )
    page = _page(head).replace(PARAS, PARAS[:300] + "</p>" + body_photo + "<p>" + PARAS[300:])
    a = normalise_article(page, base)
    assert a.lead is None
    assert len([b for b in iter_blocks(a.body) if isinstance(b, Figure)]) == 1


def test_the_share_image_goes_through_the_image_checks() -> None:
    huge = "data:image/png;base64," + "A" * 300
    head = f'<meta property="og:image" content="{huge}">'
    from printedition.settings import Limits

    a = normalise_article(_page(head), "https://x.example/", limits=Limits(max_data_url_bytes=100))
    assert a.lead is None and "image-too-large" in {w.code for w in a.warnings}
    head = '<meta property="og:image" content="https://x.example/pixel.gif?1x1">'
    assert normalise_article(_page(head), "https://x.example/").lead is None  # a tracker


def test_a_saved_page_resolves_its_share_image_beside_it(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_text(_page('<meta property="og:image" content="photo.jpg">'), "utf-8")
    a = normalise_file(page)
    assert a.lead is not None and a.lead.image.url == (tmp_path / "photo.jpg").resolve().as_uri()


def test_credit_label_is_the_style_s() -> None:
    style = default_style()
    assert style.credit.epub_label == "Photo:" and style.credit.press_label == "Photo:"
    assert render_credit("AP/Alamy", "Photo:") == '<span class="credit">Photo: AP/Alamy</span>'
    assert render_credit("AP/Alamy") == '<span class="credit">AP/Alamy</span>'
    # a credit with a label of its own keeps it, and no house label is added
    assert render_credit("Source: ONS", "Photo:") == (
        '<span class="credit own-label">Source: ONS</span>'
    )
    fig = normalise_article(
        _page(
            "",
            "<figure><img src='/a.jpg' alt='a'><figcaption>Boats. Photo: AP/Alamy"
            "</figcaption></figure>",
        ),
        "https://x.example/",
    ).lead
    assert fig is not None and fig.credit == "AP/Alamy"
    opts = RenderOptions(resolve_image=lambda ref: "a.jpg", credit_label="Photo:")
    assert 'Boats.</span> <span class="credit">Photo: AP/Alamy</span>' in render_figure(fig, opts)


def test_press_css_sets_the_label() -> None:
    from printedition.press.layout import style_css

    css = style_css(default_style())
    assert '.credit:not(.own-label)::before { content: "Photo: "; }' in css
