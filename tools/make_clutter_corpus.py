"""Write the clutter set: news pages in several CMS shapes, each an article amid clutter.

The pages test precision on markup the normaliser's rules were not written on: photo-gallery
chrome, teasers between paragraphs, tag lists, comment-moderation notices, a company's "About"
boilerplate, cookie and consent text, newsletter sign-ups, in the shapes of a classic and a
block-editor WordPress theme, Drupal, Ghost, a React news site with generated class names, a
press-release wire and a hand-made static site. Journalism that must stay (captions, pull
quotes, standfirsts) is in every page. Each case folder holds ``source.html``,
``expected.html`` (the body text ``article_text`` should give: paragraphs, subheadings and the
in-body photo's caption) and ``expected-metadata.json``, the Readability corpus's layout, so
bench/scoring.py scores it as it scores those.

Run from the repository root:  python tools/make_clutter_corpus.py [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clutter_articles import STORIES, Story

OUT = Path(__file__).resolve().parent.parent / "tests" / "corpora" / "clutter"

# --- clutter, each kind a function of the story and the case number ---------------------------


GALLERY_CAPTION = "Residents gathered at a public meeting about the plans last Thursday evening."


def gallery(s: Story, n: int) -> str:
    """A photo gallery's chrome around one of the story's photos: counters, bare labels, the
    caption written twice (its caption, once, is journalism)."""
    cap = GALLERY_CAPTION
    if n % 2:
        return (
            '<div class="gallery-carousel" data-count="8"><div class="gallery-slide">'
            f'<img src="/media/regatta-{n}.jpg" alt="Regatta crowds" width="1200" height="800">'
            f'<div class="slide-meta"><span class="slide-count">Image 1 of 8</span>'
            f'<span class="slide-caption-label">Caption</span><p class="slide-caption">{cap}</p>'
            '<span class="slide-expand">Expand</span></div></div>'
            f'<div class="gallery-thumbs"><p class="thumb-caption">{cap}</p></div></div>'
        )
    return (
        f'<section class="media-viewer"><figure><img src="/media/regatta-{n}.jpg" alt="">'
        f"<figcaption>{cap}</figcaption></figure>"
        '<div class="mv-controls"><span>1 / 8</span><span>Close</span><span>Expand</span></div>'
        f'<div class="mv-caption"><span>Caption</span> {cap}</div></section>'
    )


TEASER_HEADLINES = (
    ("POLITICS", "Minister under pressure over delayed rail upgrade", "/politics/rail-upgrade"),
    ("HEALTH", "Waiting lists at the district hospital fall for a third month", "/health/lists"),
    ("CLIMATE CRISIS", "Why this summer's storms were so hard to forecast", "/climate/storms"),
    ("SPORT", "Late penalty sends United into the cup quarter-finals", "/sport/cup"),
)


def teasers(s: Story, n: int) -> str:
    """A teaser between paragraphs: a kicker in capitals over a headline linking elsewhere."""
    kick, head, href = TEASER_HEADLINES[n % len(TEASER_HEADLINES)]
    shape = n % 3
    if shape == 0:
        return (
            f'<div class="c-inline-card"><span class="c-inline-card__kicker">{kick}</span>'
            f'<h3 class="c-inline-card__title"><a href="https://news.example.com{href}">{head}'
            "</a></h3></div>"
        )
    if shape == 1:
        return (
            f'<aside class="sc-8f2a1c-0 hPqRsT"><a href="{href}" class="sc-8f2a1c-1 kLmN">'
            f'<div class="sc-8f2a1c-2">{kick}</div><h4 class="sc-8f2a1c-3">{head}</h4></a></aside>'
        )
    return f'<p><strong>Read more:</strong> <a href="{href}">{head}</a></p>'


def link_lists(s: Story, n: int) -> str:
    """A "Related" / "Recommended" / "Most read" list of links."""
    label = ("Related", "Recommended", "Most read")[n % 3]
    items = "".join(
        f'<li><a href="https://news.example.com{href}">{head}</a></li>'
        for _, head, href in TEASER_HEADLINES[:3]
    )
    return f'<div class="box-{n}"><h2>{label}</h2><ul>{items}</ul></div>'


def tags(s: Story, n: int) -> str:
    """The story's tags under a "Tags" or "Topics" label."""
    words = (s.section, "Council", "Community")
    if n % 3 == 0:
        links = "".join(f'<li><a href="/tag/{w.lower()}" rel="tag">{w}</a></li>' for w in words)
        return (
            f'<div class="taxonomy"><span class="taxonomy__label">Tags</span><ul>{links}</ul></div>'
        )
    if n % 3 == 1:
        links = ", ".join(f'<a href="/topics/{w.lower()}">{w}</a>' for w in words)
        return f"<p>Topics: {links}</p>"
    items = "".join(
        f'<div class="field__item"><a href="/taxonomy/term/{i}" hreflang="en">{w}</a></div>'
        for i, w in enumerate(words)
    )
    return (
        '<div class="field field--name-field-tags field--type-entity-reference">'
        f'<div class="field__label">Topics</div><div class="field__items">{items}</div></div>'
    )


def moderation(s: Story, n: int) -> str:
    """What stands where comments would be."""
    texts = (
        "<p>Comments are moderated and will appear after approval. Please keep them civil and "
        "on topic; we remove abuse.</p>",
        "<h3>Join the conversation</h3><p>Sign in to comment. Commenting is open to registered "
        "users who have verified their email address.</p>",
        "<p>Sign in to comment</p><p>Comments on this story are moderated according to our "
        "community guidelines.</p>",
    )
    return f'<div class="discussion-block">{texts[n % 3]}</div>'


def press_boilerplate(s: Story, n: int) -> str:
    """A company's "About" paragraph and media contact, the same under every release."""
    return (
        "<p><strong>About Voltcycle</strong></p>"
        "<p>Voltcycle Ltd is a leading provider of battery recycling services in Europe. Founded "
        "in 2018 and headquartered in Rotterdam, the company operates three plants and employs "
        "more than 600 people. For more information, visit www.voltcycle.example.</p>"
        "<p><strong>Media contact</strong><br>Press office<br>press@voltcycle.example<br>"
        "+44 20 7946 0000</p><p>###</p>"
    )


def cookies(s: Story, n: int) -> str:
    """A consent banner's text."""
    return (
        '<div id="consent-layer-{n}" class="cmp-box"><p>We value your privacy</p><p>We and our '
        "partners store and/or access information on a device, such as cookies, and process "
        "personal data, such as unique identifiers and standard information sent by a device, "
        "for personalised ads and content, ad and content measurement, and audience insights. "
        '</p><p><a href="/privacy">Manage preferences</a> <a href="#">Accept all</a></p></div>'
    ).replace("{n}", str(n))


def newsletter(s: Story, n: int) -> str:
    """A sign-up box in the body."""
    return (
        f'<div class="inline-block-{n}"><h3>Get the morning briefing</h3><p>The day\'s top '
        "stories from our newsroom, in your inbox every weekday at 7am.</p><p>Enter your email "
        "address</p><p>By signing up you agree to our privacy policy. You can unsubscribe at "
        "any time.</p></div>"
    )


Clutter = Callable[[Story, int], str]
BETWEEN: tuple[Clutter, ...] = (gallery, teasers, newsletter)
AFTER: tuple[Clutter, ...] = (tags, link_lists, moderation)

# --- journalism ------------------------------------------------------------------------------


def body_html(s: Story, n: int, between: list[str], after: list[str], press: str = "") -> str:
    out: list[str] = []
    for i, para in enumerate(s.paragraphs):
        if para.startswith("## "):
            out.append(f"<h2>{escape(para[3:])}</h2>")
        else:
            out.append(f"<p>{escape(para)}</p>")
        if i == 1:
            out.append(
                f'<figure class="{("wp-block-image", "image", "media")[n % 3]}">'
                f'<img src="/media/{s.slug}-{n}.jpg" alt="" width="1600" height="1067">'
                f'<figcaption>{escape(s.caption)} <span class="credit">Photograph: '
                f"{escape(s.credit)}</span></figcaption></figure>"
            )
        if i == 3:
            out.append(f'<blockquote class="pullquote"><p>{escape(s.pull_quote)}</p></blockquote>')
        if between and i in (2, 4, 5):
            out.append(between.pop(0))
    out.append(press)
    out.extend(after)
    return "\n".join(out)


def expected_text(s: Story, with_gallery: bool) -> str:
    parts = [p[3:] if p.startswith("## ") else p for p in s.paragraphs]
    parts.insert(2, s.caption)
    if with_gallery:
        parts.append(GALLERY_CAPTION)
    return "".join(f"<p>{escape(p)}</p>" for p in parts)


# --- page shapes -----------------------------------------------------------------------------

NAV = (
    '<nav class="{cls}"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>'
    '<li><a href="/sport">Sport</a></li><li><a href="/opinion">Opinion</a></li></ul></nav>'
)


def _head(s: Story, n: int) -> str:
    return (
        f'<head><meta charset="utf-8"><title>{escape(s.headline)} | The Courier</title>'
        f'<meta name="description" content="{escape(s.standfirst)}">'
        f'<meta property="og:title" content="{escape(s.headline)}">'
        f'<meta name="author" content="{escape(s.byline)}">'
        f'<meta property="article:published_time" content="2024-10-{n + 1:02d}T08:00:00+01:00">'
        "</head>"
    )


# Each CMS shape: (its <body> attributes, its navigation's class, the page around the article)
SHAPES: dict[str, tuple[str, str, str]] = {
    "wp_classic": (
        ' class="single"',
        "main-navigation",
        '<div id="page"><header id="masthead"><p class="site-title">The Courier</p>{nav}</header>'
        '<div id="content" class="site-content"><article class="post type-post"><header '
        'class="entry-header"><h1 class="entry-title">{headline}</h1><p class="entry-summary">'
        '{standfirst}</p><div class="entry-meta">By <a rel="author" href="/author/x">{byline}</a>'
        '</div></header><div class="entry-content">{body}</div></article></div>'
        '<aside id="secondary" class="widget-area"><h2>Latest</h2><ul><li><a href="/a">Another '
        'story here</a></li></ul></aside><footer id="colophon">© The Courier</footer></div>',
    ),
    "wp_blocks": (
        "",
        "wp-block-navigation",
        '<div class="wp-site-blocks"><header class="wp-block-template-part">{nav}</header>'
        '<main class="wp-block-group"><h1 class="wp-block-post-title">{headline}</h1>'
        '<p class="wp-block-post-excerpt__excerpt">{standfirst}</p>'
        '<div class="wp-block-post-author__name">{byline}</div>'
        '<div class="entry-content wp-block-post-content">{body}</div></main>'
        '<footer class="wp-block-template-part"><p>The Courier</p></footer></div>',
    ),
    "drupal": (
        ' class="path-node"',
        "menu--main",
        '<div class="dialog-off-canvas-main-canvas"><header role="banner">{nav}</header><main '
        'role="main"><div class="region-content"><article class="node node--type-article '
        'node--view-mode-full"><h1 class="page-title"><span class="field field--name-title">'
        '{headline}</span></h1><div class="node__meta"><span class="field--name-uid">{byline}'
        '</span></div><div class="node__content"><div class="clearfix text-formatted field '
        'field--name-body field--type-text-with-summary field__item"><p class="lead">'
        "{standfirst}</p>{body}</div></div></article></div></main><footer>Footer</footer></div>",
    ),
    "ghost": (
        ' class="post-template"',
        "gh-head-menu",
        '<div class="gh-site"><header class="gh-head">{nav}</header><main class="gh-main">'
        '<article class="gh-article post"><header class="gh-article-header"><h1 '
        'class="gh-article-title">{headline}</h1><p class="gh-article-excerpt">{standfirst}</p>'
        '<span class="gh-article-author">{byline}</span></header><section class="gh-content '
        'gh-canvas">{body}</section></article></main><footer class="gh-foot">Powered by Ghost'
        "</footer></div>",
    ),
    # a React site: generated class names, nothing semantic
    "react": (
        "",
        "sc-1pw4fyi-1",
        '<div id="__next">{page}<header class="sc-1pw4fyi-0">{nav}</header>'
        '<main class="sc-q9z4nd-0"><div class="sc-q9z4nd-1"><h1 class="sc-ytj8ag-0 jzXfQk">'
        '{headline}</h1><p class="sc-ytj8ag-1 eWnnfG">{standfirst}</p><div class="sc-1jq5x0-0">'
        'By <span>{byline}</span></div><div class="sc-r3tdv0-0 dJkzpM" data-testid="article-body">'
        '{body}</div></div></main><footer class="sc-f0o7a-0">© 2024 The Courier Media Group'
        "</footer></div>",
    ),
    "static": (
        "",
        "left",
        '<table width="100%"><tr><td class="nav">{nav}</td><td><div id="story"><h1>{headline}'
        "</h1><p><i>{standfirst}</i></p><p>By {byline}</p>{body}</div></td></tr></table>",
    ),
    "wire": (
        "",
        "nav",
        '<div class="container"><header class="site-header">{nav}</header><div class="release">'
        '<h1 class="release-title">{headline}</h1><p class="release-sub">{standfirst}</p>'
        '<div class="release-body">{body}</div></div><footer class="site-footer">Newswire'
        "</footer></div>",
    ),
}
SHAPE_NAMES = tuple(SHAPES)


def render_page(shape: str, s: Story, n: int, body: str, page: str) -> str:
    attrs, nav, around = SHAPES[shape]
    if shape == "react":
        body = body.replace("<p>", '<p class="sc-77igqf-0 bOfvBY">')
    inner = around.format(
        nav=NAV.format(cls=nav),
        headline=escape(s.headline),
        standfirst=escape(s.standfirst),
        byline=escape(s.byline),
        body=body,
        page=page,
    )
    lead = "" if "{page}" in around else page
    return f'<!DOCTYPE html><html lang="en">{_head(s, n)}<body{attrs}>{lead}{inner}</body></html>'


def make_case(n: int) -> tuple[str, str, dict[str, object], Story]:
    story = STORIES[n % len(STORIES)]
    shape = SHAPE_NAMES[n % len(SHAPE_NAMES)]
    kinds = [BETWEEN[(n + k) % len(BETWEEN)] for k in range(2)]
    between = [kind(story, n + k) for k, kind in enumerate(kinds)]
    after = [AFTER[(n + k) % len(AFTER)](story, n + k) for k in range(2)]
    press = press_boilerplate(story, n) if shape == "wire" or story.slug == "battery-plant" else ""
    page = cookies(story, n) if n % 2 == 0 else ""
    body = body_html(story, n, between, after, press)
    source = render_page(shape, story, n, body, page)
    meta = {"title": story.headline, "byline": story.byline, "lang": "en"}
    return source, expected_text(story, gallery in kinds), meta, story


CASES = 18


def files() -> dict[Path, bytes]:
    out: dict[Path, bytes] = {}
    for n in range(CASES):
        source, expected, meta, story = make_case(n)
        folder = OUT / f"{n:02d}-{SHAPE_NAMES[n % len(SHAPE_NAMES)]}-{story.slug}"
        out[folder / "source.html"] = source.encode("utf-8")
        out[folder / "expected.html"] = expected.encode("utf-8")
        out[folder / "expected-metadata.json"] = (json.dumps(meta, indent=2) + "\n").encode()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    wanted = files()
    if args.check:
        stale = [p for p, data in wanted.items() if not p.is_file() or p.read_bytes() != data]
        for p in stale:
            print(f"differs: {p}")
        sys.exit(1 if stale else 0)
    for path, data in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {CASES} cases under {OUT}")


if __name__ == "__main__":
    main()
