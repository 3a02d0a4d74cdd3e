"""Metadata strings come out as text from every source: JSON-LD (as SEO plugins write it, with
HTML entities, double-encoded ones and markup), OpenGraph, ``<meta>`` and ``<title>``."""

from __future__ import annotations

import json

import pytest

from printedition.ingest.normalise import normalise_article
from printedition.ingest.text import plain_text

BODY = "".join(
    f"<p>Paragraph {i} of the match report, long enough to be read as the article's own text "
    "by the extractor, with a few more words to be sure of it.</p>"
    for i in range(8)
)

# The shape Yoast SEO writes: one @graph with WebPage, Article, Person, ImageObject, Organization.
YOAST = {
    "@context": "https://schema.org",
    "@graph": [
        {
            "@type": "Article",
            "@id": "https://example.com/sport/lynn/#article",
            "isPartOf": {"@id": "https://example.com/sport/lynn/"},
            "author": {
                "name": "Jo &amp; Sam Writer",
                "@id": "https://example.com/#/schema/person/1",
            },
            "headline": "Anthony Lynn: &#8220;We needed to win this&nbsp;game&#8221;",
            "datePublished": "2024-09-30T21:04:11+00:00",
            "dateModified": "2024-10-01T08:00:00+00:00",
            "mainEntityOfPage": {"@id": "https://example.com/sport/lynn/"},
            "publisher": {"@id": "https://example.com/#organization"},
            "image": {"@id": "https://example.com/sport/lynn/#primaryimage"},
            "keywords": ["Chargers &amp; Co", "NFL"],
            "articleSection": ["Sport &#8211; NFL"],
            "inLanguage": "en-US",
            "description": "<p>The coach&#8217;s view&nbsp;after <em>the</em> game</p>",
        },
        {
            "@type": "WebPage",
            "@id": "https://example.com/sport/lynn/",
            "url": "https://example.com/sport/lynn/",
            "name": "Anthony Lynn: &#8220;We needed to win this&nbsp;game&#8221; - The Example",
            "primaryImageOfPage": {"@id": "https://example.com/sport/lynn/#primaryimage"},
        },
        {
            "@type": "ImageObject",
            "@id": "https://example.com/sport/lynn/#primaryimage",
            "url": "https://example.com/wp-content/uploads/2024/09/lynn.jpg",
            "caption": "Anthony Lynn on the sideline",
        },
        {
            "@type": "Person",
            "@id": "https://example.com/#/schema/person/1",
            "name": "Jo &amp; Sam Writer",
        },
        {
            "@type": "Organization",
            "@id": "https://example.com/#organization",
            "name": "The Example &amp;#8211; Daily",
        },
    ],
}


def _page(ld: object, head: str = "") -> str:
    return (
        "<html><head><title>Anthony Lynn: “We needed to win this game” - The Example</title>"
        f'<script type="application/ld+json">{json.dumps(ld)}</script>{head}</head>'
        f"<body><article><h1>Anthony Lynn</h1><div class='entry-content'>{BODY}</div>"
        "</article></body></html>"
    )


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("Anthony Lynn: &#8220;We needed to win this&nbsp;game&#8221;",
         "Anthony Lynn: “We needed to win this game”"),
        ("Anthony Lynn: &amp;#8220;We&amp;nbsp;won&amp;#8221;", "Anthony Lynn: “We won”"),
        ("<p>One <em>two</em></p><p>three</p>", "One two three"),
        ("&lt;strong&gt;Bold&lt;/strong&gt; claim", "Bold claim"),
        ("AT&T, a < b and c > d", "AT&T, a < b and c > d"),
        ("  spaced \u00a0\u2009 out\n", "spaced out"),
    ],
)  # fmt: skip
def test_plain_text(raw: str, text: str) -> None:
    assert plain_text(raw) == text


def test_yoast_json_ld_strings_are_text() -> None:
    article = normalise_article(_page(YOAST), "https://example.com/sport/lynn/")
    assert article.headline == "Anthony Lynn: “We needed to win this game”"
    assert [a.name for a in article.authors] == ["Jo & Sam Writer"]
    assert article.description == "The coach’s view after the game"
    assert article.kicker == "Sport – NFL"
    assert article.tags == ("Chargers & Co", "NFL")
    assert article.site_name == "The Example – Daily"


def test_opengraph_meta_and_title_strings_are_text() -> None:
    head = (
        '<meta property="og:title" content="Lynn: &amp;#8220;We won&amp;#8221;">'
        '<meta property="og:description" content="The coach&amp;#8217;s &lt;b&gt;view&lt;/b&gt;">'
        '<meta property="og:site_name" content="The Example &amp;amp; Co">'
        '<meta name="author" content="Jo&amp;nbsp;Writer">'
        '<meta property="article:tag" content="Sport &amp;#8211; NFL">'
    )
    page = _page({"@context": "https://schema.org"}, head)
    article = normalise_article(page, "https://example.com/sport/lynn/")
    assert article.headline == "Lynn: “We won”"
    assert article.description == "The coach’s view"
    assert article.site_name == "The Example & Co"
    assert [a.name for a in article.authors] == ["Jo Writer"]
    assert article.tags == ("Sport – NFL",)
    titled = page.replace(
        "<title>Anthony Lynn: “We needed to win this game” - The Example",
        "<title>Lynn &amp;#8211; a game&amp;#8217;s end",
    )
    titled = titled.replace(
        '<meta property="og:title" content="Lynn: &amp;#8220;We won&amp;#8221;">', ""
    )
    assert normalise_article(titled, "https://example.com/x/").headline == "Lynn – a game’s end"
