"""The total-fit line breaker (press/linebreak.py) on the samples' paragraphs: the lines it
chooses, and WeasyPrint setting exactly those lines inside the column."""

from __future__ import annotations

import html as htmllib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from printedition.model import Code, Emphasis, Inline, Paragraph, Text
from printedition.press.layout import ENDMARK, Geometry, style_css
from printedition.press.linebreak import PX_PER_MM, LineBreaker
from printedition.settings import DEFAULT_FORMAT, PAGE_FORMATS
from printedition.style import default_style, resolve_style

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "articles"


def _column_mm(style_name: str | None = None) -> float:
    style = resolve_style(style_name)
    return Geometry.for_format(PAGE_FORMATS[DEFAULT_FORMAT], style).column_width_mm


@pytest.fixture(scope="module")
def paragraphs() -> list[tuple[tuple[Inline, ...], bool]]:
    """Every paragraph of the samples' bodies, and whether it follows a paragraph."""
    from printedition.ingest.load import load_article

    found = []
    for page in sorted(SAMPLES.glob("*/index.html")):
        body = load_article(page)[0].body
        for i, block in enumerate(body):
            if isinstance(block, Paragraph):
                found.append((block.content, i > 0 and isinstance(body[i - 1], Paragraph)))
        found.append((Paragraph(content=found[-1][0]).content, False))  # again, as a story's end
        ends.add(len(found) - 1)
    return found


ends: set[int] = set()  # which of ``paragraphs`` carry an end mark


@pytest.fixture(scope="module")
def breaker() -> LineBreaker:
    return LineBreaker(default_style(), _column_mm())


@pytest.fixture(scope="module")
def broken(
    paragraphs: list[tuple[tuple[Inline, ...], bool]], breaker: LineBreaker
) -> list[tuple[str, str]]:
    """(the paragraph's text, its HTML) for every paragraph the breaker set."""
    from printedition.model import inline_text

    out = []
    for n, (content, indent) in enumerate(paragraphs):
        end = ENDMARK if n in ends else ""
        html = breaker.set_paragraph(content, indent=indent, language="en", end=end)
        if html is not None:
            out.append((inline_text(content), html))
    return out


def _text_of(html: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", html)).replace("\u00ad", "")


def _line_ends(html: str) -> list[bool]:
    """Where the breaker ended each line but the last: True at a hyphen (a soft hyphen, or
    ``<wbr/>`` after a word's own), False at a space (inside a line, spaces are no-break)."""
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", html.replace("<wbr/>", "\x01")))
    return [c != " " for c in text if c in " \u00ad\x01"]


def test_nearly_every_sample_paragraph_is_broken_and_reads_as_before(
    paragraphs: list[tuple[tuple[Inline, ...], bool]], broken: list[tuple[str, str]]
) -> None:
    assert len(broken) >= 0.9 * len(paragraphs), (len(broken), len(paragraphs))
    for text, html in broken:
        etree.fromstring(html)  # well-formed: markup crossing a line is closed and reopened
        # the words as they were; a space where a line breaks is the line break
        assert "".join(_text_of(html).split()) == "".join(text.split())


def test_a_storys_end_mark_closes_its_last_line(broken: list[tuple[str, str]]) -> None:
    marked = [html for _, html in broken if ENDMARK in html]
    assert len(marked) >= len(ends) - 1
    assert all(html.endswith(ENDMARK + "</span></p>") for html in marked)


def test_the_same_paragraph_breaks_the_same_way(
    paragraphs: list[tuple[tuple[Inline, ...], bool]], breaker: LineBreaker
) -> None:
    again = LineBreaker(default_style(), _column_mm())
    for content, indent in paragraphs[:40]:
        first = breaker.set_paragraph(content, indent=indent, language="en")
        assert again.set_paragraph(content, indent=indent, language="en") == first


def test_emphasis_runs_across_lines_and_into_the_last(breaker: LineBreaker) -> None:
    words = "the committee will consider the objections of residents again " * 3
    content: tuple[Inline, ...] = (
        Text(text="Before "),
        Emphasis(children=(Text(text=words.strip()),)),
        Text(text=" today, and self-evidently so."),
    )
    html = breaker.set_paragraph(content, indent=False, language="en")
    assert html is not None and 'class="kp flush"' in html
    etree.fromstring(html)
    assert len(_line_ends(html)) >= 2  # three lines or more
    # a word with a break opportunity of its own is kept whole
    assert '<span class="kp-whole">self-evidently</span>' in html


@pytest.mark.parametrize(
    "content",
    [
        (
            Text(text="A paragraph with "),
            Code(text="code"),
            Text(text=" in it, set in another face."),
        ),
        (Text(text="Cyrillic the body face does not have: Жуковский, and more words after it."),),
        (Text(text="A word wider than the column: " + "x" * 90 + " and after it."),),
        (Text(text="Alone"),),
    ],
    ids=["other-face", "missing-glyph", "too-wide", "one-word"],
)
def test_what_cannot_be_measured_is_left_to_weasyprint(
    breaker: LineBreaker, content: tuple[Inline, ...]
) -> None:
    assert breaker.set_paragraph(content, indent=True, language="en") is None


def test_the_newsletter_style_breaks_in_its_own_face(
    paragraphs: list[tuple[tuple[Inline, ...], bool]],
) -> None:
    style = resolve_style("newsletter")
    narrow = LineBreaker(style, _column_mm("newsletter"))
    wide_face = narrow.set_paragraph(paragraphs[3][0], indent=True, language="en")
    assert wide_face is not None
    assert wide_face != LineBreaker(default_style(), _column_mm("newsletter")).set_paragraph(
        paragraphs[3][0], indent=True, language="en"
    )


@pytest.fixture(scope="module")
def laid_out(
    broken: list[tuple[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[tuple[int, int]], list[float], Path]:
    """The broken paragraphs laid out by WeasyPrint in one column of the body's width, with
    the press's stylesheets: per paragraph (lines given, lines set), every line's right
    edge past the column (px), and the PDF."""
    import weasyprint
    from weasyprint.formatting_structure import boxes

    style = default_style()
    column = _column_mm()
    document = (
        '<html><head><meta charset="utf-8"/>'
        + "".join(
            f'<link rel="stylesheet" href="{n}"/>' for n in ("fonts.css", "press.css", "makeup.css")
        )
        + f"<style>{style_css(style)} @page {{ size: {column:.2f}mm 9000mm; margin: 0 }}</style>"
        + '</head><body><div class="body mk-body" lang="en">'
        + "\n".join(html for _, html in broken)
        + "</div></body></html>"
    )
    rendered = weasyprint.HTML(string=document, base_url=style.base_url).render()
    assert len(rendered.pages) == 1
    right = column * PX_PER_MM
    counts: list[int] = []
    overs: list[float] = []

    def walk(box: object) -> None:
        if isinstance(box, boxes.BlockBox) and box.element_tag == "p":
            counts.append(0)
        if isinstance(box, boxes.LineBox):
            counts[-1] += 1
            # words and the end mark (an inline block)
            set_ = [
                b for b in box.descendants() if isinstance(b, boxes.TextBox | boxes.InlineBlockBox)
            ]
            overs.append(max(b.position_x + b.margin_width() for b in set_) - right)
            return
        for child in getattr(box, "children", []):
            walk(child)

    walk(rendered.pages[0]._page_box)
    given = [len(_line_ends(html)) + 1 for _, html in broken]
    pdf = tmp_path_factory.mktemp("linebreak") / "lines.pdf"
    rendered.write_pdf(pdf)
    return list(zip(given, counts, strict=True)), overs, pdf


def test_weasyprint_sets_the_lines_it_is_given_inside_the_column(
    laid_out: tuple[list[tuple[int, int]], list[float], Path],
) -> None:
    lines, overs, _ = laid_out
    assert [n for n, (given, got) in enumerate(lines) if given != got] == []
    assert max(overs) <= 0.01, max(overs)  # px: no line runs into the gutter
    # and the lines are justified: all but each paragraph's last end at the column's edge
    full = sorted(overs)[: len(overs) - len(lines)]
    assert sum(o > -0.05 for o in overs) >= len(full) * 0.99


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")
def test_pdftotext_reads_every_word_and_hyphen_runs_are_short(
    broken: list[tuple[str, str]], laid_out: tuple[list[tuple[int, int]], list[float], Path]
) -> None:
    _, _, pdf = laid_out
    printed = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # pdftotext joins a word hyphenated at a line's end; its other lines end in a space
    words = re.findall(r"\w+", printed.replace("-\n", ""))
    wanted = [w for text, _ in broken for w in re.findall(r"\w+", text.replace("-", ""))]
    got = [w for w in re.findall(r"\w+", printed.replace("-\n", "").replace("-", ""))]
    assert got == wanted, next((w for w, g in zip(wanted, got, strict=False) if w != g), None)
    assert len(words) > 1000

    # no more hyphenated lines in a row than the style allows (pdftotext has joined them:
    # counted in the HTML, a soft hyphen or a hyphen of the word's own at a line's end)
    longest = 0
    for _, html in broken:
        run = 0
        for hyphenated in _line_ends(html):
            run = run + 1 if hyphenated else 0
            longest = max(longest, run)
    assert 0 < longest <= default_style().justify.hyphen_run


def test_the_measure_document_breaks_the_body_where_the_style_asks(tmp_path: Path) -> None:
    """The body in the measure document (the one layout of the body) is broken by the
    breaker, but for the opener; with ``total_fit = false`` it is WeasyPrint's to break."""
    import dataclasses

    from printedition.ingest.load import load_article
    from printedition.press.layout import Furniture, StoryLayout
    from printedition.press.makeup import measure_document

    article = load_article(SAMPLES / "the-river-that-ran-dry" / "index.html")[0]
    story = StoryLayout(article=article, plans={}, hrefs={})
    style = default_style()
    geometry = Geometry.for_format(PAGE_FORMATS[DEFAULT_FORMAT], style)
    html = measure_document(story, geometry, Furniture(), "en")
    assert html.count('class="kp') >= 20
    assert 'class="opener"' in html
    off = dataclasses.replace(style, justify=dataclasses.replace(style.justify, total_fit=False))
    plain = measure_document(story, Geometry.for_format(geometry.format, off), Furniture(), "en")
    assert 'class="kp' not in plain
