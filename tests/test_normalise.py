"""Unit tests of the normaliser on small inline pages, asserting on the chapter model."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from printedition.errors import NoArticleError
from printedition.ingest.normalise import normalise_article
from printedition.model import (
    BlockQuote,
    Embed,
    Emphasis,
    Figure,
    Link,
    ListBlock,
    Note,
    Paragraph,
    PullQuote,
    Subheading,
    Table,
    Text,
    article_text,
    figures,
    inline_text,
    iter_blocks,
)

LOREM = (
    "The council met on Tuesday evening to decide the budget, and the meeting ran late into the "
    "night as members argued over the cost of care, the price of buses and the future of the "
    "library on the high street."
)


def page(body: str, head: str = "", title: str = "A Headline for the Test Page") -> str:
    return (
        f"<!doctype html><html lang='en-GB'><head><meta charset='utf-8'><title>{title}</title>"
        f"{head}</head><body><header class='site-header'><nav><a href='/'>Home</a> "
        f"<a href='/news'>News</a></nav></header><main><article class='post'>"
        f"<div class='entry-content'>{body}</div></article></main>"
        "<footer class='site-footer'><p>© The Paper Ltd. All rights reserved.</p></footer>"
        "</body></html>"
    )


def paras(n: int = 3) -> str:
    return "".join(f"<p>{LOREM} Paragraph {i}.</p>" for i in range(n))


# --- metadata: order of trust -------------------------------------------------------------


def test_json_ld_graph_beats_opengraph_and_meta() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": "#page", "name": "Page name | Site"},
            {"@type": "Person", "@id": "#jane", "name": "Jane Roe", "url": "https://x.test/jane"},
            {
                "@type": "NewsArticle",
                "headline": "Headline from JSON-LD",
                "author": [{"@id": "#jane"}, {"@type": "Person", "name": "Ali Khan"}],
                "datePublished": "2024-06-18T10:30:00+01:00",
                "dateModified": "2024-06-19T08:00:00Z",
                "articleSection": ["World"],
                "keywords": ["Russia", "Ukraine"],
                "publisher": {"@type": "Organization", "name": "The Paper"},
            },
        ],
    }
    head = (
        f"<script type='application/ld+json'>{json.dumps(ld)}</script>"
        "<meta property='og:title' content='OpenGraph title'>"
        "<meta name='author' content='Meta Author'>"
        "<meta property='article:published_time' content='2020-01-01T00:00:00Z'>"
    )
    a = normalise_article(page(paras(), head), "https://x.test/a/")
    assert a.headline == "Headline from JSON-LD"
    assert [(x.name, x.url) for x in a.authors] == [
        ("Jane Roe", "https://x.test/jane"),
        ("Ali Khan", ""),
    ]
    assert a.published == datetime(2024, 6, 18, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    assert a.updated == datetime(2024, 6, 19, 8, 0, tzinfo=UTC)
    assert a.kicker == "World"
    assert a.tags == ("Russia", "Ukraine")
    assert a.site_name == "The Paper"
    assert a.language == "en-GB"


def test_opengraph_then_meta_author_then_byline_markup() -> None:
    head = (
        "<meta property='og:title' content='OG headline'><meta name='author' content='Meta Author'>"
    )
    a = normalise_article(page(paras(), head))
    assert a.headline == "OG headline"
    assert [x.name for x in a.authors] == ["Meta Author"]

    body = (
        "<p class='byline'>By <a rel='author' href='/author/sam'>Sam Poe</a> and Lee Wu</p>"
        + paras()
    )
    b = normalise_article(page(body), "https://x.test/story/")
    assert [(x.name, x.url) for x in b.authors] == [("Sam Poe", "/author/sam"), ("Lee Wu", "")]
    assert "By Sam Poe" not in article_text(b)  # the byline line is not body text


def test_title_minus_site_suffix_and_naive_date_warning() -> None:
    head = "<meta property='article:published_time' content='2024-03-01T08:00:00'>"
    a = normalise_article(page(paras(), head, title="Buses Cut Across the County | The Paper"))
    assert a.headline == "Buses Cut Across the County"
    assert a.published == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    assert "date-no-timezone" in {w.code for w in a.warnings}
    assert "no-byline" in {w.code for w in a.warnings}


def test_standfirst_is_not_the_seo_description() -> None:
    head = "<meta name='description' content='SEO text for search engines.'>"
    html = page(paras(), head).replace(
        "<div class='entry-content'>",
        "<header class='entry-header'><h1>Headline</h1><p class='standfirst'>The standfirst a "
        "reader sees under the headline.</p></header><div class='entry-content'>",
    )
    a = normalise_article(html)
    assert a.standfirst == "The standfirst a reader sees under the headline."
    assert a.description == "SEO text for search engines."
    assert "standfirst a reader sees" not in article_text(a)


# --- figures: credit split, srcset, lazy images, WordPress originals ------------------------


def _only_figure(body: str, base: str = "https://paper.test/2024/story/") -> Figure:
    a = normalise_article(page(paras(2) + body + paras(2)), base)
    figs = figures(a)
    assert len(figs) == 1, figs
    return figs[0]


def test_credit_split_from_caption_text() -> None:
    cases = {
        "Putin in Moscow on 11 June. Photo: AP/Alamy": (
            "Putin in Moscow on 11 June.",
            "AP/Alamy",
        ),
        "Flooded fields near Hull. Picture: Jane Doe": (
            "Flooded fields near Hull.",
            "Jane Doe",
        ),
        "A sluice gate © Lê Minh Tâm": ("A sluice gate", "Lê Minh Tâm"),
        "The old pier (Credit: Tom Ames)": ("The old pier", "Tom Ames"),
        "Harbour lights (Photo: Ewan Murray)": ("Harbour lights", "Ewan Murray"),
        "Harbour lights. Photograph: Ewan Murray": ("Harbour lights.", "Ewan Murray"),
        "Harbour lights. Photo by Ewan Murray": ("Harbour lights.", "Ewan Murray"),
        "Harbour lights. Illustration: Sam Ray": ("Harbour lights.", "Sam Ray"),
        "Output by region. Source: ONS": ("Output by region.", "Source: ONS"),
        "Harbour lights. Pic: Ewan Murray": ("Harbour lights.", "Ewan Murray"),
        "Harbour lights (c) Ewan Murray": ("Harbour lights", "Ewan Murray"),
        "A caption with no credit at all.": ("A caption with no credit at all.", ""),
    }
    for caption, (want_caption, want_credit) in cases.items():
        fig = _only_figure(
            f"<figure><img src='a.jpg' alt='Alt text'><figcaption>{caption}</figcaption></figure>"
        )
        assert (inline_text(fig.caption), fig.credit) == (want_caption, want_credit), caption
        assert fig.alt == "Alt text"


def test_credit_from_markup_and_caption_keeps_links() -> None:
    fig = _only_figure(
        "<figure class='wp-block-image'><img src='/img/a.jpg' alt=''><figcaption>Seen from "
        "<a href='/pier'>the pier</a>. <span class='credit'>Photo: Ann Lee</span></figcaption></figure>"
    )
    assert fig.credit == "Ann Lee"
    assert inline_text(fig.caption) == "Seen from the pier."
    assert any(isinstance(n, Link) and n.href == "https://paper.test/pier" for n in fig.caption)
    assert fig.image.url == "https://paper.test/img/a.jpg"


def test_largest_srcset_candidate_and_wordpress_original() -> None:
    fig = _only_figure(
        "<figure><img src='p-1024x683.jpg' width='1024' height='683' alt='x' "
        "srcset='p-300x200.jpg 300w, p-1024x683.jpg 1024w, p-768x512.jpg 768w'>"
        "<figcaption>Caption. Photo: A</figcaption></figure>",
        base="https://paper.test/wp-content/uploads/2024/06/",
    )
    assert fig.image.url == "https://paper.test/wp-content/uploads/2024/06/p.jpg"
    assert fig.image.candidates[0] == "https://paper.test/wp-content/uploads/2024/06/p-1024x683.jpg"


def test_wordpress_resize_query_and_picture_sources() -> None:
    fig = _only_figure("<p><img src='https://i0.wp.com/paper.test/a.jpg?w=1024&ssl=1' alt='a'></p>")
    assert fig.image.url == "https://i0.wp.com/paper.test/a.jpg"
    assert fig.image.candidates == ("https://i0.wp.com/paper.test/a.jpg?w=1024&ssl=1",)

    fig = _only_figure(
        "<figure><picture><source type='image/webp' srcset='b.webp 1600w'>"
        "<source type='image/jpeg' srcset='b-small.jpg 600w, b-big.jpg 2000w'>"
        "<img src='b-small.jpg' alt='b'></picture></figure>"
    )
    assert fig.image.url.endswith("/b-big.jpg")
    assert fig.image.width == 2000
    assert fig.image.url.endswith(".jpg")  # JPEG preferred to WebP at a similar size


def test_lazy_images_and_noscript_copies() -> None:
    fig = _only_figure(
        "<figure><img src='data:image/svg+xml,%3Csvg%3E' data-src='/real.jpg' "
        "data-srcset='/real-800.jpg 800w, /real-1600.jpg 1600w' class='lazyload' alt='r'></figure>"
    )
    assert fig.image.url == "https://paper.test/real-1600.jpg"
    fig = _only_figure(
        "<figure><img src='/blank.gif' class='lazy' alt='n'><noscript><img src='/nos.jpg' "
        "alt='n'></noscript><figcaption>Night. Photo: B</figcaption></figure>"
    )
    assert fig.image.url == "https://paper.test/nos.jpg"
    assert fig.credit == "B"


def test_lead_photo_from_featured_image() -> None:
    html = page(paras()).replace(
        "<div class='entry-content'>",
        "<header class='entry-header'><h1>H</h1></header><figure class='post-thumbnail'>"
        "<img src='lead.jpg' alt='Lead alt'><figcaption>The lead. Photo: C</figcaption></figure>"
        "<div class='entry-content'>",
    )
    a = normalise_article(html, "https://paper.test/s/")
    assert a.lead is not None
    assert (a.lead.image.url, a.lead.alt, inline_text(a.lead.caption), a.lead.credit) == (
        "https://paper.test/s/lead.jpg",
        "Lead alt",
        "The lead.",
        "C",
    )
    assert not [b for b in a.body if isinstance(b, Figure)]


def test_figure_warnings() -> None:
    a = normalise_article(page(paras(2) + "<figure><img src='x.jpg'></figure>" + paras(2)))
    codes = [w.code for w in a.warnings]
    assert "figure-no-alt" in codes and "figure-no-credit" in codes


# --- clutter inside and around the article --------------------------------------------------


def test_boilerplate_removed_inside_the_article() -> None:
    body = (
        paras(1)
        + "<div class='newsletter-signup'><h3>Don’t miss a story</h3><p>Sign up to our newsletter"
        "</p><form><input type='email'><button>Sign up</button></form></div>"
        + paras(1)
        + "<div class='wp-block-group'><h3><a href='/other-story/'>A Related Headline Linking "
        "Elsewhere</a></h3><p>The one-line summary of another article</p></div>"
        + paras(1)
        + "<aside class='inline-related'><a href='/x/'><h4>Another teaser headline here</h4></a></aside>"
        + "<div class='supporter-appeal'><p>We rely on our readers to fund our journalism. "
        "Please subscribe.</p></div>"
        + "<div class='sharedaddy'><a href='https://facebook.com/share'>Share on Facebook</a></div>"
        + "<p hidden>Hidden text</p><p aria-hidden='true'>Aria hidden</p>"
        + "<p style='display: none'>Invisible</p>"
        + "<script>var tracking = 1;</script><style>p {}</style>"
        + "<iframe src='https://ads.example/frame'></iframe>"
        + "<div class='author-box'><h4>Written by</h4><p>Jane Roe is a reporter.</p></div>"
        + "<div class='post-tags'>This article was filed under <a rel='tag' href='/t/x'>X</a></div>"
        + paras(1)
    )
    html = page(body).replace(
        "<main>",
        "<div id='cookie-notice' class='cookie-notice' role='dialog'>We use cookies.</div><main>",
    )
    a = normalise_article(html)
    text = article_text(a)
    assert text.count("The council met") == 4
    for junk in (
        "Don’t miss",
        "Sign up",
        "Related Headline",
        "summary of another",
        "teaser",
        "rely on",
        "Share on",
        "Hidden",
        "Aria",
        "Invisible",
        "tracking",
        "Written by",
        "filed under",
        "cookies",
        "Home",
    ):
        assert junk not in text, junk
    assert a.tags == ("X",)


def test_pull_quote_with_attribution_and_block_quote() -> None:
    body = (
        paras(2)
        + "<figure class='wp-block-pullquote'><blockquote><p>Moscow is living as it always has."
        "</p><cite>Aleksey on life in Moscow</cite></blockquote></figure>"
        + "<blockquote class='wp-block-quote'><p>The works is over capacity.</p>"
        "<cite>Environment Agency report, 2023</cite></blockquote>" + paras(1)
    )
    a = normalise_article(page(body))
    pq = [b for b in a.body if isinstance(b, PullQuote)]
    assert pq == [
        PullQuote(
            text="Moscow is living as it always has.", attribution="Aleksey on life in Moscow"
        )
    ]
    bq = [b for b in a.body if isinstance(b, BlockQuote)]
    assert bq[0].attribution == "Environment Agency report, 2023"
    assert article_text(a).count("Moscow is living") == 0  # pull quotes are not body text


def test_pull_quote_repeating_the_body_is_marked() -> None:
    body = (
        "<p>He said the city has changed a great deal since the war began in earnest.</p>"
        + paras(2)
        + "<aside class='pullquote'>the city has changed a great deal</aside>"
    )
    pq = [b for b in normalise_article(page(body)).body if isinstance(b, PullQuote)]
    assert pq and pq[0].repeats_body


def test_embeds_tweet_and_video() -> None:
    body = (
        paras(2)
        + "<blockquote class='twitter-tweet'><p lang='en'>Year 9 lab at 34.5°C today.</p>&mdash; "
        "Ruth Ames (@SciTeacherRuth) <a href='https://twitter.com/SciTeacherRuth/status/123'>July "
        "18, 2024</a></blockquote><script src='https://platform.twitter.com/widgets.js'></script>"
        + "<figure class='wp-block-embed is-provider-youtube'><div class='wp-block-embed__wrapper'>"
        "<iframe title='Why classrooms overheat' src='https://www.youtube.com/embed/k3Hf9TqW2xA'>"
        "</iframe></div></figure>" + paras(1)
    )
    a = normalise_article(page(body))
    embeds = [b for b in a.body if isinstance(b, Embed)]
    assert embeds[0] == Embed(
        kind="tweet",
        url="https://twitter.com/SciTeacherRuth/status/123",
        text="Year 9 lab at 34.5°C today.",
        author="Ruth Ames (@SciTeacherRuth)",
    )
    assert (embeds[1].kind, embeds[1].url, embeds[1].title) == (
        "video",
        "https://www.youtube.com/watch?v=k3Hf9TqW2xA",
        "Why classrooms overheat",
    )


def test_structure_subheadings_lists_tables_notes() -> None:
    body = (
        paras(1)
        + "<h2>What happens next</h2>"
        + "<ul><li>First<ul><li>Nested one</li><li>Nested two</li></ul></li><li>Second</li></ul>"
        + "<ol start='3'><li>Three</li><li>Four</li></ol>"
        + "<figure class='wp-block-table'><table><thead><tr><th>Service</th><th>£bn</th></tr>"
        "</thead><tbody><tr><td>Care</td><td>2.3</td></tr><tr><td>Buses</td><td>0.4</td></tr>"
        "</tbody></table><figcaption>Spending by service</figcaption></figure>"
        + paras(1)
        + "<p><strong>Correction:</strong> An earlier version gave the wrong figure.</p>"
    )
    a = normalise_article(page(body))
    kinds = [type(b) for b in a.body]
    assert Subheading in kinds
    lists = [b for b in a.body if isinstance(b, ListBlock)]
    assert not lists[0].ordered and isinstance(lists[0].items[0].blocks[-1], ListBlock)
    assert lists[1].ordered and lists[1].start == 3
    table = next(b for b in a.body if isinstance(b, Table))
    assert table.header_rows == 1 and inline_text(table.caption) == "Spending by service"
    assert [inline_text(c.content) for c in table.rows[1].cells] == ["Care", "2.3"]
    note = next(b for b in a.body if isinstance(b, Note))
    assert note.kind == "correction"
    assert "Nested two" in article_text(a)


# --- text hygiene and encodings -------------------------------------------------------------


def test_text_nfc_whitespace_zero_width_and_punctuation() -> None:
    body = (
        "<p>Cafe\u0301   owners\u200b said \u201cno\u201d \u2014 twice\u2026 "
        "<em>really</em>\n\n   twice.</p>" + paras(2)
    )
    a = normalise_article(page(body))
    first = a.body[0]
    assert isinstance(first, Paragraph)
    assert inline_text(first.content) == "Café owners said “no” — twice… really twice."
    assert any(isinstance(n, Emphasis) for n in first.content)
    assert isinstance(first.content[0], Text)


def test_encodings_bom_meta_charset_and_cp1252_fallback() -> None:
    text = page("<p>Zoë’s café costs €5 — “quite” dear.</p>" + paras(2))
    utf8 = normalise_article(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert "Zoë’s café costs €5 — “quite” dear." in article_text(utf8)
    declared = text.replace("charset='utf-8'", "charset='windows-1252'").encode("cp1252")
    assert "Zoë’s café costs €5" in article_text(normalise_article(declared))
    undeclared = text.replace("<meta charset='utf-8'>", "").encode("cp1252")
    a = normalise_article(undeclared)
    assert "Zoë’s café costs €5" in article_text(a)
    assert "encoding-guessed" in {w.code for w in a.warnings}
    utf16 = normalise_article(b"\xff\xfe" + text.replace("utf-8", "utf-16").encode("utf-16-le"))
    assert "Zoë’s café" in article_text(utf16)


def test_links_resolve_against_base_href() -> None:
    html = page("<p>Read <a href='report.pdf'>the report</a> now. " + LOREM + "</p>" + paras(2))
    html = html.replace("<head>", "<head><base href='https://cdn.paper.test/docs/'>")
    a = normalise_article(html, "https://paper.test/story/")
    links = [
        n
        for b in iter_blocks(a.body)
        if isinstance(b, Paragraph)
        for n in b.content
        if isinstance(n, Link)
    ]
    assert links[0].href == "https://cdn.paper.test/docs/report.pdf"


def test_scoring_fallback_without_article_markup() -> None:
    html = (
        "<html><head><title>Plain page</title></head><body><div id='menu'><a href='/'>Home</a>"
        "</div><div class='main-col'>" + paras(5) + "</div><div class='sidebar'><p>Most read: "
        "<a href='/1'>one</a> <a href='/2'>two</a></p></div></body></html>"
    )
    a = normalise_article(html)
    assert article_text(a).count("The council met") == 5
    assert "Most read" not in article_text(a)


def test_body_split_by_an_ad_keeps_both_parts() -> None:
    html = (
        "<html><head><title>Split story</title></head><body><div class='wrap'>"
        f"<div class='article-body'>{paras(3)}</div>"
        "<div class='ad-slot'><p>Advertisement</p></div>"
        f"<div class='article-body'>{paras(3).replace('Paragraph', 'Part two')}</div>"
        "</div><div class='comments'><p>" + LOREM + "</p></div></body></html>"
    )
    text = article_text(normalise_article(html))
    assert text.count("Paragraph") == 3 and text.count("Part two") == 3
    assert "Advertisement" not in text


def test_read_more_pointer_lines_are_not_body_text() -> None:
    body = (
        paras(2)
        + "<p><strong>Read more:</strong> <a href='/other/'>Councils warn of a funding cliff as "
        "care costs soar</a></p>"
        + "<p>Read more about the council budget on the council's own website, which publishes "
        "the papers.</p>" + paras(1)
    )
    text = article_text(normalise_article(page(body)))
    assert "funding cliff" not in text
    assert "council's own website" in text  # a sentence that only starts alike stays


def test_credit_markup_with_a_repeated_label() -> None:
    fig = _only_figure(
        "<figure><img src='w.jpg' alt='w'><figcaption><span>A worker repairing cables.</span>"
        "<span itemprop='copyrightHolder'><span class='visually-hidden'>Credit</span>"
        "<span>Credit</span> <span>Chang W. Lee/The Times</span></span></figcaption></figure>"
    )
    assert (inline_text(fig.caption), fig.credit) == (
        "A worker repairing cables.",
        "Chang W. Lee/The Times",
    )


def test_images_without_a_known_page_url_and_oversized_data_urls() -> None:
    from printedition.settings import Limits

    body = paras(2) + "<figure><img src='rel/photo.jpg' alt='r'></figure>" + paras(1)
    a = normalise_article(page(body))  # no base URL: the image cannot be located
    assert "image-relative-url" in {w.code for w in a.warnings}
    big = "data:image/png;base64," + "A" * 5000
    body = paras(2) + f"<figure><img src='{big}' alt='d'></figure>" + paras(1)
    a = normalise_article(page(body), limits=Limits(max_data_url_bytes=1000))
    assert not figures(a)
    assert "image-too-large" in {w.code for w in a.warnings}


def test_prose_in_a_clutter_named_wrapper_is_kept() -> None:
    body = paras(2) + f"<div class='paywall premium-content'>{paras(4)}</div>"
    body += "<div class='newsletter-box'><p>Sign up for our daily briefing.</p></div>"
    text = article_text(normalise_article(page(body)))
    assert text.count("The council met") == 6
    assert "daily briefing" not in text


def test_appeal_phrases_remove_boxes_not_sentences() -> None:
    body = (
        paras(2)
        + "<p>The grant will support independent journalism in rural areas, the trust said.</p>"
        + "<div class='box'><h4>Before you go</h4><p>Please help us support independent "
        "journalism today.</p><a href='/give'>Give now</a></div>" + paras(1)
    )
    text = article_text(normalise_article(page(body)))
    assert "The grant will support independent journalism" in text
    assert "Please help us" not in text and "Before you go" not in text


def test_block_limit_cuts_the_article_and_says_so() -> None:
    from printedition.settings import Limits

    body = "".join(
        f"<p>{LOREM} {i}</p><figure><img src='/i{i}.jpg' alt='i'></figure>" for i in range(60)
    )
    a = normalise_article(page(body), "https://paper.test/", limits=Limits(max_blocks=50))
    assert 40 <= len(a.body) <= 52
    assert "too-many-blocks" in {w.code for w in a.warnings}


def test_normalising_its_own_clean_html_gives_the_article_back() -> None:
    from pathlib import Path

    from printedition.ingest.normalise import normalise_file
    from printedition.render import render_article_html

    para = "<p>" + "The council met on Tuesday to discuss the budget for the coming year. " * 3
    pages = [
        "<html><body>" + "0" * 64 + "<ul>" + "0" * 16 + "</body></html>",
        f"<html><body><article><h1>:</h1>{(para + '</p>') * 3}</article></body></html>",
    ]
    firsts = []
    for html in pages:
        try:
            firsts.append(normalise_article(html))
        except NoArticleError:
            continue  # (too little text: refused the first time already)
    samples = Path(__file__).resolve().parent.parent / "samples" / "articles"
    firsts += [normalise_file(p) for p in sorted(samples.glob("*/index.html"))]
    for first in firsts:
        again = normalise_article(render_article_html(first), first.source_url or None)
        assert again.headline == first.headline
        assert article_text(again) == article_text(first), first.slug
