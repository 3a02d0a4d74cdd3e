"""Precision on pages the rules were not written on: the clutter set (tests/corpora/clutter, made
by tools/make_clutter_corpus.py) in seven CMS shapes, and small pages of each kind of clutter
next to journalism that looks like it (which must stay)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import scoring

from printedition.ingest.normalise import normalise_article
from printedition.model import Article, PullQuote, article_text

CASES = scoring.cases(corpus=scoring.CLUTTER)
# Clutter text the set puts around its articles: none of it may reach the model.
CLUTTER = [
    "Image 1 of 8", "1 / 8", "Expand", "Close", "Minister under pressure", "Waiting lists at",
    "Why this summer", "Tags", "Topics", "Comments are moderated", "Join the conversation",
    "Sign in to comment", "About Voltcycle", "leading provider of battery recycling",
    "Media contact", "press@voltcycle", "###", "We value your privacy", "Accept all",
    "Get the morning briefing", "Enter your email", "By signing up", "Most read", "Recommended",
    "Related",
]  # fmt: skip


def _page(body: str) -> str:
    paras = "".join(
        f"<p>Paragraph {i} of the story, with enough words in it to be read as the article's "
        "own prose by any extractor that looks at text density and commas, like this one.</p>"
        for i in range(6)
    )
    return (
        "<html><head><title>A story</title></head><body><article><h1>A story</h1>"
        f'<div class="entry-content">{paras}{body}</div></article></body></html>'
    )


def _text(body: str) -> str:
    return article_text(normalise_article(_page(body), "https://example.com/news/story/"))


def test_the_set_is_all_there() -> None:
    assert len(CASES) == 18


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_clutter_and_the_journalism_kept(case: Path) -> None:
    article: Article = normalise_article(
        (case / "source.html").read_bytes(), f"https://news.example.com/{case.name}/"
    )
    text = article_text(article)
    lines = set(text.splitlines())
    for phrase in CLUTTER:
        assert not any(line.startswith(phrase) for line in lines), f"kept: {phrase!r}"
    assert "Image 1 of 8" not in text and "Leading provider" not in text
    expected = scoring.html_text((case / "expected.html").read_text("utf-8"))
    precision, recall = scoring.precision_recall(text, expected)
    assert recall == 1.0
    assert precision >= 0.9, case.name
    # captions, pull quotes and standfirsts are journalism
    assert any(isinstance(b, PullQuote) for b in article.body)
    captions = [f for f in article.body if type(f).__name__ == "Figure" and f.caption]
    assert captions and any(f.credit for f in captions)


def test_the_set_scores() -> None:
    report = scoring.score(scoring.printedition_extractor, CASES)
    assert report.precision_mean >= 0.95, report.summary()
    assert report.recall_mean == 1.0, report.summary()


@pytest.mark.parametrize(
    "clutter",
    [
        '<div class="c"><span>Image 3 of 12</span><span>Expand</span></div>',
        '<div class="tags"><span>Tags</span><ul><li><a href="/t/a">Alpha</a></li>'
        '<li><a href="/t/b">Beta</a></li></ul></div>',
        '<p>Topics: <a href="/t/a">Alpha</a>, <a href="/t/b">Beta</a></p>',
        '<h2>Most read</h2><ul><li><a href="/x">Another story entirely on the site</a></li>'
        '<li><a href="/y">And yet another story on the site</a></li></ul>',
        '<div class="x"><span class="k">BUSINESS</span> <a href="/z">Shares fall as the bank '
        "warns on profits</a></div>",
        "<p>Comments are moderated and will appear after approval.</p>",
        '<div class="d"><h3>Join the conversation</h3><p>Sign in to comment.</p></div>',
        "<p><strong>About Acme Robotics</strong></p><p>Acme Robotics Inc. is a leading maker of "
        "warehouse robots, founded in 2009.</p><p>Media contact: press@acme.example</p>",
        "<p>###</p><p>Acme Robotics makes robots.</p>",
        '<div class="b"><p>We value your privacy</p><p>We and our partners store and access '
        "information on a device.</p></div>",
        '<div class="s"><h3>The morning briefing</h3><p>Enter your email address</p><p>By '
        "signing up you agree to our terms.</p></div>",
        '<div class="tools"><a href="#">Share</a> <a href="#">Tweet</a> <span>Email</span> '
        "<span>Print</span></div>",
    ],
)
def test_each_kind_of_clutter_goes(clutter: str) -> None:
    text = _text(clutter)
    for word in ("Image 3", "Tags", "Alpha", "Most read", "Another story", "Shares fall",
                 "moderated", "Join the", "Acme", "privacy", "partners", "briefing", "email",
                 "Share", "Tweet", "Email", "Print"):  # fmt: skip
        assert word not in text, f"{word!r} kept from {clutter!r}"
    assert text.count("Paragraph") == 6


@pytest.mark.parametrize(
    ("journalism", "kept"),
    [
        # a label word over prose is a subheading
        ("<h2>Related</h2><p>The two cases are related, the court heard on Monday, because "
         "the same lender wrote both contracts in the same week.</p>", "the same lender"),
        # "About the study": a methods box, not a company's boilerplate
        ("<h3>About the study</h3><p>The survey asked 2,000 adults in May; its margin of error "
         "is three points.</p>", "margin of error"),
        ("<p><strong>About Jane Okafor</strong></p><p>She grew up in the town and still lives "
         "two streets from the library she now runs.</p>", "two streets from"),
        # a score in a table is not a gallery counter
        ("<table><tr><th>Team</th><th>Score</th></tr><tr><td>United</td><td>3 / 4</td></tr>"
         "</table>", "3 / 4"),
        # a caption and a pull quote stay
        ('<figure class="wp-block-image"><img src="/a.jpg" alt="x"><figcaption>Crowds at the '
         "harbour wall on Saturday.</figcaption></figure>", "Crowds at the harbour wall"),
        ("<p>Read more about the plans in the council's own report, which runs to 300 pages "
         "and was published on Friday.</p>", "council's own report"),
    ],
)  # fmt: skip
def test_journalism_that_looks_like_clutter_stays(journalism: str, kept: str) -> None:
    assert kept in _text(journalism)
