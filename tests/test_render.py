"""render: the semantic XHTML both writers share."""

from __future__ import annotations

from printedition.model import (
    Article,
    Figure,
    ImageRef,
    Link,
    Note,
    Paragraph,
    PullQuote,
    Text,
)
from printedition.render import RenderOptions, render_article_html, render_block, strip_outer_quotes


def _opts(**kw: object) -> RenderOptions:
    return RenderOptions(resolve_image=lambda ref: ref.url, **kw)  # type: ignore[arg-type]


def test_pull_quote_marks_are_set_by_the_layout_not_doubled() -> None:
    html = render_block(
        PullQuote(text="“Every shed had permission.”", attribution="Dr Rees"), _opts()
    )
    assert "<p>Every shed had permission.</p>" in html
    assert strip_outer_quotes("“A,” he said, “B.”") == "“A,” he said, “B.”"


def test_pull_quote_repeating_the_body_is_hidden_from_screen_readers_or_omitted() -> None:
    pq = PullQuote(text="Moscow is living as it always has.", repeats_body=True)
    assert 'aria-hidden="true"' in render_block(pq, _opts())
    assert render_block(pq, _opts(pull_quotes="omit")) == ""


def test_note_label_added_only_when_the_editor_did_not_write_it() -> None:
    said = Note(
        kind="correction",
        blocks=(Paragraph(content=(Text(text="Correction: the date was wrong."),)),),
    )
    unsaid = Note(
        kind="correction", blocks=(Paragraph(content=(Text(text="The date was wrong."),)),)
    )
    assert render_block(said, _opts()).count("Correction") == 1
    assert "<strong>Correction</strong>" in render_block(unsaid, _opts())


def test_unsafe_links_keep_their_text_and_lose_the_link() -> None:
    para = Paragraph(
        content=(
            Link(href="javascript:alert(1)", children=(Text(text="click"),)),
            Link(href="https://example.org/a?b=1&c=2", children=(Text(text="ok"),)),
        )
    )
    html = render_block(para, _opts())
    assert "javascript" not in html and "click" in html
    assert 'href="https://example.org/a?b=1&amp;c=2"' in html
    assert "<a" not in render_block(para, _opts(links=False))


def test_missing_image_keeps_an_informative_caption() -> None:
    fig = Figure(
        image=ImageRef(url="file:///gone.jpg"),
        alt="x",
        caption=(Text(text="Flood defences in York"),),
        credit="Photo: PA",
    )
    html = render_block(fig, RenderOptions(resolve_image=lambda ref: None))
    assert html == '<p class="caption-orphan">Flood defences in York</p>'


def test_article_html_escapes_text() -> None:
    html = render_article_html(Article(slug="s", headline="Tom & <Jerry>", language="en-GB"))
    assert "<title>Tom &amp; &lt;Jerry&gt;</title>" in html and 'lang="en-GB"' in html
