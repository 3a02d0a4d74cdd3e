"""The seed article: the sample page rebuilt from the text readers saw must come back with every
paragraph in order, none of the furniture, four photos with caption and credit apart and both
pull quotes with their attribution."""

from __future__ import annotations

from pathlib import Path

import pytest

from printedition.ingest.normalise import normalise_file
from printedition.model import Article, PullQuote, article_text, figures, inline_text

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "samples" / "articles" / "returning-to-putins-russia" / "index.html"
SEED = Path(__file__).resolve().parent / "corpora" / "seed" / "returning-to-putins-russia.txt"

HEADLINE = (
    "Returning to Putin’s Russia: Why People Who Dodged Mobilisation for the Ukraine War Are "
    "Returning Home and Happy About it"
)
STANDFIRST = (
    "When Putin tried to mobilise an army to boost troops in his war on Ukraine, some 700,000 "
    "people fled. More than two years on, many have returned home. Why?"
)
LEAD_ALT = "Russian President Vladimir Putin in Russia on June 11. Photo: Associated Press / Alamy"
# (caption, credit) of the lead photo then the three in the body; the seed prints each credit
# after the label "Photo:", which the model leaves to the house style.
LABEL = "Photo:"
PHOTOS = [
    ("Russian President Vladimir Putin on 11 June 2024.", "AP/Alamy"),
    (
        "A woman takes shelter under an umbrella during the rain in the centre of Moscow on "
        "11 June 2024.",
        "Nikolay Vinokurov/Alamy",
    ),
    (
        "People wave Russian national flags as thousands gather on Red Square to watch a concert "
        "dedicated to the Day of Russia in Moscow on June 11.",
        "AP/Alamy",
    ),
    (
        "The remains of a Russian Army armoured column in Bucha, Ukraine, on 1 March 2022 after "
        "they were attacked by Ukrainian forces.",
        "Geopix/Alamy",
    ),
]
PULL_QUOTES = [
    (
        "Moscow is living as it always has. The only noticeable change is that there are more "
        "Chinese cars. The city has improved, with lots of new buildings, parks, and green spaces.",
        "Aleksey on life in Moscow",
    ),
    (
        "Yes, these are tough times. But, if something bad happens in life, it’s easier to get "
        "through it on your home soil.",
        "Aleksey on returning home to Moscow",
    ),
]
# Furniture the reader saw around and inside the article: none of it is journalism.
FURNITURE = [
    "Free from fear or favour",
    "No tracking. No cookies",
    "Don’t miss a story",
    "Sign up to the Behind the Headlines newsletter (and get a free copy of Byline Times in the "
    "post)",
    "Putin Hoped for a Swift Victory in Ukraine to Rebuild his Russian Empire — Instead he may "
    "Have Lost all Military Influence",
    "Russia’s invasion of Ukraine has cost it thousands of lives and hundreds of billions of "
    "dollars – but its military influence has also taken a major hit",
    "The Five Questions Nigel Farage is Never Asked About Brexit, Trump and Russia",
    "As the media provides the Reform Leader with a prominent platform once more during this "
    "general election campaign, Peter Jukes considers all the concerning lines of enquiry that "
    "journalists never confront him with",
    "‘Donald Trump’s Hush Money Verdicts May Not Hurt his Presidential Run But Will Damage "
    "America’s Democracy and Image’",
    "The former US President was convicted of 34 counts of falsifying business records to cover "
    "up a hush money payment to adult actress Stormy Daniels",
    "On the Road in the Vovchansk Region of Ukraine as Terrified Civilians Flee Their Homes Amid "
    "a new Russian Offensive",
    "Evacuees are seeking safer ground in the face of a brutal Russian attack, reports Joseph Roche",
    "Receive the monthly Byline Times newspaper and help to support fearless, independent "
    "journalism that breaks stories, shapes the agenda and holds power to account.",
    "We’re not funded by a billionaire oligarch or an offshore hedge-fund. We rely on our readers "
    "to fund our journalism. If you like what we do, please subscribe.",
    "Written by",
    "This article was filed under",
    ", , , ,",
]


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def article() -> Article:
    return normalise_file(PAGE)


def _seed_lines() -> list[str]:
    return [_squash(line) for line in SEED.read_text("utf-8").splitlines() if line.strip()]


def _expected_body(lines: list[str]) -> list[str]:
    """The seed's body text as article_text gives it: paragraphs, subheadings and captions
    (without their credits), in order."""
    skip = {_squash(x) for x in FURNITURE} | {HEADLINE, STANDFIRST, LEAD_ALT}
    skip |= {_squash(f"{c} {LABEL} {credit}") for c, credit in PHOTOS[:1]}
    skip |= {_squash(t) for t, _ in PULL_QUOTES} | {a for _, a in PULL_QUOTES}
    captions = {_squash(f"{c} {LABEL} {credit}"): c for c, credit in PHOTOS[1:]}
    return [captions.get(line, line) for line in lines if line not in skip]


def test_seed_is_the_expected_text() -> None:
    lines = _seed_lines()
    for known in [*FURNITURE, HEADLINE, STANDFIRST, LEAD_ALT, *(a for _, a in PULL_QUOTES)]:
        assert _squash(known) in lines, f"seed no longer holds {known!r}"


def test_every_paragraph_in_order(article: Article) -> None:
    got = [_squash(line) for line in article_text(article).splitlines()]
    assert got == _expected_body(_seed_lines())


def test_no_furniture(article: Article) -> None:
    text = _squash(article_text(article))
    for line in FURNITURE[:-1]:  # (", , , ," is the empty tag list: checked below)
        assert _squash(line) not in text, f"boilerplate kept: {line!r}"
    assert ", , , ," not in text


def test_headline_standfirst_byline(article: Article) -> None:
    assert article.headline == HEADLINE
    assert article.standfirst == STANDFIRST
    assert article.description and article.description != article.standfirst
    assert [a.name for a in article.authors] == ["Daria Sokolova"]
    assert article.kicker == "World"
    assert article.published is not None and article.published.utcoffset() is not None


def test_four_photos_with_caption_and_credit_apart(article: Article) -> None:
    photos = figures(article)
    assert article.lead is not None and article.lead is photos[0]
    # (a no-break space the page put before the last word is kept: compare words)
    got = [(_squash(inline_text(f.caption)), f.credit) for f in photos]
    assert got == PHOTOS
    assert article.lead.alt == LEAD_ALT  # alt text kept separately from the caption
    for f in photos:
        assert f.alt and f.credit not in inline_text(f.caption)
        assert f.image.url.endswith(".jpg") and "-1024x683" not in f.image.url  # the original
        assert any("-1024x683" in c for c in f.image.candidates)


def test_both_pull_quotes_with_attribution(article: Article) -> None:
    quotes = [(b.text, b.attribution) for b in article.body if isinstance(b, PullQuote)]
    assert quotes == PULL_QUOTES


# The seed's lead photo as other WordPress themes mark it up: a classic theme's featured image
# (a wp-caption block before the body) with the credit in a span, <small>, <cite>, a figcaption
# "Photograph: …", or a trailing "(Photo: …)". Caption and credit stay apart in every one.
_IMG = (
    '<img width="1024" height="683" src="putin-moscow-june-11-1024x683.jpg" '
    f'class="attachment-large size-large wp-post-image" alt="{LEAD_ALT}" '
    'srcset="putin-moscow-june-11-1024x683.jpg 1024w, putin-moscow-june-11.jpg 2400w" />'
)
_CAPTION = PHOTOS[0][0]
THEMES = {
    "classic-span": '<div class="featured-image"><div id="attachment_50377" class="wp-caption '
    f'aligncenter">{_IMG}<p class="wp-caption-text">{_CAPTION} <span class="credit">Photo: '
    "AP/Alamy</span></p></div></div>",
    "classic-small": '<div class="featured-image"><div class="wp-caption alignnone">'
    f'{_IMG}<p class="wp-caption-text">{_CAPTION} <small>Photo: AP/Alamy</small></p></div></div>',
    "classic-cite": '<div class="featured-image"><div class="wp-caption">'
    f'{_IMG}<p class="wp-caption-text">{_CAPTION} <cite>Photo: AP/Alamy</cite></p></div></div>',
    "figcaption-photograph": f'<figure class="featured-image">{_IMG}<figcaption>{_CAPTION} '
    "Photograph: AP/Alamy</figcaption></figure>",
    "trailing-brackets": '<div class="featured-image"><div class="wp-caption">'
    f'{_IMG}<p class="wp-caption-text">{_CAPTION} (Photo: AP/Alamy)</p></div></div>',
}


def _themed(tmp_path: Path, lead_html: str) -> Path:
    html = PAGE.read_text("utf-8")
    start = html.index('<figure class="post-thumbnail')
    end = html.index("</figure>", start) + len("</figure>")
    folder = tmp_path / "returning-to-putins-russia"
    folder.mkdir()
    (folder / "index.html").write_text(html[:start] + lead_html + html[end:], "utf-8")
    return folder / "index.html"


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_lead_photo_in_other_themes_keeps_caption_and_credit_apart(
    tmp_path: Path, theme: str
) -> None:
    article = normalise_file(_themed(tmp_path, THEMES[theme]))
    assert article.lead is not None
    assert (_squash(inline_text(article.lead.caption)), article.lead.credit) == PHOTOS[0]
    assert article.lead.alt == LEAD_ALT
    assert article.lead.image.url.endswith("/putin-moscow-june-11.jpg")
    # the rest of the article is as in the WordPress block theme
    got = [_squash(line) for line in article_text(article).splitlines()]
    assert got == _expected_body(_seed_lines())
