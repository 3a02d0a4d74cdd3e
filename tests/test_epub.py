"""EPUB writer on hand-built articles: structure, metadata, images, determinism, bad input.

Every EPUB this module builds is checked by EPUBCheck in ONE Java run (``test_epubcheck_clean``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from PIL import Image

from printedition.cli import main
from printedition.epub import (
    CONFORMS_TO,
    EpubOptions,
    EpubResult,
    Section,
    file_as,
    image_cache_key,
    stable_identifier,
    write_epub,
)
from printedition.epub import book as book_module
from printedition.epub.pages import epub_href, line_start
from printedition.errors import ConfigError, ImageError, OutputError, UnsafeResourceError
from printedition.images import ProcessedImage
from printedition.model import (
    Article,
    Author,
    Emphasis,
    Figure,
    ImageRef,
    Link,
    PageBreak,
    Paragraph,
    PullQuote,
    Subheading,
    Table,
    TableCell,
    TableRow,
    Text,
    to_json,
)
from printedition.resources import ResourcePolicy
from printedition.validate import check_epub, count_by_severity

SDE = 1718100000  # 2024-06-11T10:00:00Z
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "epub": "http://www.idpf.org/2007/ops",
}


# ---------------------------------------------------------------------------------------------
# Inputs: real image files made here (GPS EXIF, orientation, big, PNG chart, corrupt)
# ---------------------------------------------------------------------------------------------


def _photo(
    path: Path, size: tuple[int, int], colour: tuple[int, int, int], *, orientation: int = 1
) -> None:
    img = Image.new("RGB", size, colour)
    for x in range(0, size[0], 40):
        img.paste((x % 255, 80, 160), (x, 0, x + 20, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = orientation
    gps = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 40.0)}
    exif[0x8825] = gps
    img.save(path, "JPEG", quality=90, exif=exif)


def _chart(path: Path) -> None:
    img = Image.new("RGB", (600, 400), (255, 255, 255))
    for i, h in enumerate((120, 260, 200, 330)):
        img.paste((200, 40, 40), (60 + i * 130, 400 - h, 140 + i * 130, 400))
    img.save(path, "PNG")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("articles")
    _photo(d / "big.jpg", (3000, 2000), (30, 120, 60))
    _photo(d / "portrait.jpg", (1200, 800), (120, 30, 60), orientation=6)  # shown 800×1200
    (d / "copy.jpg").write_bytes((d / "big.jpg").read_bytes())  # identical bytes, other name
    _chart(d / "chart.png")
    (d / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20)
    (d / "index.html").write_text("<html></html>")
    return d


def _fig(folder: Path, name: str, alt: str = "A photo", **kw: object) -> Figure:
    return Figure(
        image=ImageRef(url=(folder / name).as_uri()),
        alt=alt,
        caption=(Text(text=f"Caption for {name}"),),
        credit="Agency",
        **kw,  # type: ignore[arg-type]
    )


def _article(folder: Path, slug: str, **changes: object) -> Article:
    base = Article(
        slug=slug,
        headline=f"Headline of {slug}",
        url=f"https://news.example/2024/06/{slug}/",
        source_url=(folder / "index.html").as_uri(),
        kicker="Politics",
        standfirst=f"The standfirst of {slug}, which says what happened and why it matters.",
        authors=(Author(name="Jane van Dyke"), Author(name="Tom Ó Briain", role="photographer")),
        published=datetime(2024, 6, 10, 9, 30, 12, 345678, tzinfo=UTC),
        updated=datetime(2024, 6, 11, 8, 0, tzinfo=UTC),
        language="en-GB",
        site_name="The Example",
        tags=("Politics", "Water"),
        lead=_fig(folder, "big.jpg"),
        body=(
            Paragraph(content=(Text(text="The body says the river ran dry. "),)),
            Paragraph(
                content=(
                    Link(href="#footnote-1", children=(Text(text="in-page anchor"),)),
                    Text(text=" and "),
                    Link(
                        href="https://example.org/a b?q=1", children=(Text(text="a spaced link"),)
                    ),
                )
            ),
            PullQuote(text="The river ran dry.", repeats_body=True),
            Subheading(level=4, content=(Text(text="A heading that skips a level"),)),
            _fig(folder, "portrait.jpg"),
            _fig(folder, "copy.jpg"),
            _fig(folder, "chart.png", alt="Bar chart: four bars rising"),
        ),
    )
    return base.with_changes(**changes)


def _policy(folder: Path) -> ResourcePolicy:
    return ResourcePolicy().with_root(folder)


def _build(out: Path, items: list[tuple[Article, ResourcePolicy]], **opts: object) -> EpubResult:
    options = EpubOptions(source_date_epoch=SDE, **opts)  # type: ignore[arg-type]
    return write_epub(items, out, options)


@pytest.fixture(scope="module")
def built(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, EpubResult]:
    out = tmp_path_factory.mktemp("epubs")
    pol = _policy(folder)
    broken = _article(
        folder,
        "broken",
        lead=_fig(folder, "missing.jpg"),
        body=(
            Paragraph(content=(Text(text="Text survives."),)),
            _fig(folder, "corrupt.jpg"),
            Figure(
                image=ImageRef(url="https://images.example/remote.jpg"),
                alt="remote",
                caption=(Text(text="Residents queue for water on Tuesday"),),
            ),
        ),
    )
    results = {
        "one": _build(out / "one.epub", [(_article(folder, "one"), pol)]),
        "broken": _build(out / "broken.epub", [(broken, pol)]),
        "noalt": _build(
            out / "noalt.epub",
            [(_article(folder, "noalt", lead=_fig(folder, "big.jpg", alt=""), language=""), pol)],
        ),
        "sections": _build(
            out / "sections.epub",
            [(_article(folder, s), pol) for s in ("a", "b", "c")],
            title="The Example — June 2024",
            sections=(
                Section(title="News", articles=(0, 2)),
                Section(title="Culture", articles=(1,)),
            ),
            cover_image=(folder / "portrait.jpg").read_bytes(),
        ),
        # The print edition's pages: the sections book again, with where each page begins.
        "pages": _build(
            out / "pages.epub",
            [(_article(folder, s), pol) for s in ("a", "b", "c")],
            title="The Example — June 2024",
            sections=(
                Section(title="News", articles=(0, 2)),
                Section(title="Culture", articles=(1,)),
            ),
            page_source="The Example, No. 7, June 2024, print edition",
            page_breaks=(
                PageBreak(page=2, slug="a", block=0),
                PageBreak(page=3, slug="a", block=4),  # a picture: the marker stands before it
                PageBreak(page=4, slug="b", block=0),
                PageBreak(page=4, slug="c", block=1),  # c comes first in reading order
                PageBreak(page=5, slug="a", block=2),  # behind page 4's mark: b is taken
                PageBreak(page=5, slug="b", block=0),
                PageBreak(page=6, slug="gone", block=0),  # a story not in this book
                PageBreak(page=7, slug="a", block=99),  # no such block
            ),
        ),
        "pages-handed-on": _build(
            out / "pages-handed-on.epub",
            [
                (
                    Article(
                        slug="h",
                        headline="A heading the EPUB leaves out",
                        language="en",
                        body=(
                            Paragraph(content=(Text(text="One."),)),
                            Subheading(level=2, content=()),
                            Paragraph(content=(Text(text="Two."),)),
                        ),
                    ),
                    pol,
                )
            ],
            page_source="The Example, No. 7, June 2024, print edition",
            page_breaks=(PageBreak(page=9, slug="h", block=1),),
        ),
        # Pages that begin inside a paragraph: the marker goes before the line's first word.
        "pages-inside": _build(
            out / "pages-inside.epub",
            [
                (
                    Article(
                        slug="i",
                        headline="Pages that begin inside paragraphs",
                        language="en",
                        body=(
                            Paragraph(content=(Text(text=RIVER),)),
                            Paragraph(
                                content=(
                                    Text(text="Local "),
                                    Emphasis(children=(Text(text="journalism"),)),
                                    Text(text=" matters to everyone here."),
                                )
                            ),
                        ),
                    ),
                    pol,
                )
            ],
            page_source="The Example, No. 7, June 2024, print edition",
            page_breaks=(
                PageBreak(page=3, slug="i", block=0, line="river ran dry again in", before=40),
                PageBreak(page=4, slug="i", block=1, line="ism matters to every-", before=12),
            ),
        ),
        "cover-file": _build(
            out / "cover-file.epub",
            [(_article(folder, "d", language="fr"), pol)],
            cover=folder / "chart.png",
        ),
        "decorative": _build(
            out / "decorative.epub",
            [
                (
                    _article(
                        folder, "e", lead=_fig(folder, "big.jpg", alt="", decorative=True), body=()
                    ),
                    pol,
                )
            ],
        ),
        "rtl": _build(
            out / "rtl.epub",
            [
                (
                    Article(
                        slug="rtl",
                        headline="مرحبا بالعالم",
                        language="ar",
                        body=(Paragraph(content=(Text(text="نص عربي"),)),),
                    ),
                    pol,
                )
            ],
        ),
        "hostile": _build(
            out / "hostile.epub",
            [
                (Article(slug="", headline=""), pol),
                (
                    Article(
                        slug="x-y",
                        headline="Nul\x00 and \ud800 lone surrogate",
                        language="not a language!",
                        tags=("a", "a", ""),
                        authors=(Author(name=""), Author(name="Bob\x07 Ray")),
                        body=(
                            Table(
                                rows=(
                                    TableRow(
                                        cells=(
                                            TableCell(content=(), header=True),
                                            TableCell(content=(Text(text="Year"),), header=True),
                                        )
                                    ),
                                ),
                                header_rows=1,
                            ),
                            Subheading(level=6, content=(Text(text="deep"),)),
                            Subheading(level=2, content=()),
                            Paragraph(
                                content=(
                                    Link(href="javascript:x()", children=(Text(text="js"),)),
                                    Link(
                                        href="https://exa mple.com/", children=(Text(text="host"),)
                                    ),
                                    Link(href="http://[::1/", children=(Text(text="ipv6"),)),
                                    Link(
                                        href="https://e.com:99999/", children=(Text(text="port"),)
                                    ),
                                    Link(href="https://ok.example/", children=()),
                                )
                            ),
                        ),
                    ),
                    pol,
                ),
            ],
        ),
    }
    return results


def _zip(result: EpubResult) -> zipfile.ZipFile:
    return zipfile.ZipFile(result.path)


def _xml(result: EpubResult, name: str) -> etree._Element:
    with _zip(result) as z:
        return etree.fromstring(z.read(name))


def _opf(result: EpubResult) -> etree._Element:
    return _xml(result, "EPUB/content.opf")


def _meta(opf: etree._Element, prop: str) -> list[str]:
    return [m.text or "" for m in opf.iterfind(f".//opf:meta[@property='{prop}']", NS)]


# ---------------------------------------------------------------------------------------------
# Validity: one EPUBCheck run over everything this module builds
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_epubcheck_clean(built: dict[str, EpubResult], cli_built: Path) -> None:
    paths = [r.path for r in built.values()] + [cli_built]
    messages = check_epub(paths)
    assert [m.format() for m in messages] == []
    assert count_by_severity(messages) == {"FATAL": 0, "ERROR": 0, "WARNING": 0, "INFO": 0}


# ---------------------------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------------------------


def test_zip_layout_is_epub_ocf(built: dict[str, EpubResult]) -> None:
    with _zip(built["one"]) as z:
        infos = z.infolist()
        assert infos[0].filename == "mimetype"
        assert infos[0].compress_type == zipfile.ZIP_STORED and infos[0].extra == b""
        assert z.read("mimetype") == b"application/epub+zip"
        stamp = datetime.fromtimestamp(SDE, UTC)
        want = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
        assert {i.date_time for i in infos} == {want}
        for info in infos:
            if info.filename.endswith((".jpg", ".png")):
                assert info.compress_type == zipfile.ZIP_STORED, info.filename
        names = z.namelist()
    for member in (
        "EPUB/nav.xhtml",
        "EPUB/toc.ncx",
        "EPUB/cover.xhtml",
        "EPUB/title.xhtml",
        "EPUB/contents.xhtml",
        "EPUB/colophon.xhtml",
        "EPUB/style/epub.css",
    ):
        assert member in names


def test_package_language_cover_and_landmarks(built: dict[str, EpubResult]) -> None:
    opf = _opf(built["one"])
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"
    cover_items = opf.findall(".//opf:item[@properties='cover-image']", NS)
    assert len(cover_items) == 1
    assert opf.find(".//opf:meta[@name='cover']", NS).get("content") == cover_items[0].get("id")
    spine = [i.get("idref") for i in opf.iterfind(".//opf:itemref", NS)]
    assert spine[:3] == ["cover", "titlepage", "contents"] and spine[-1] == "colophon"
    nav = _xml(built["one"], "EPUB/nav.xhtml")
    assert nav.get("lang") == "en-GB"
    kinds = [n.get(f"{{{NS['epub']}}}type") for n in nav.iterfind(".//x:nav", NS)]
    assert kinds == ["toc", "landmarks"]
    landmarks = [a.get(f"{{{NS['epub']}}}type") for a in nav.iterfind(".//x:nav[2]//x:a", NS)]
    assert landmarks == ["cover", "toc", "bodymatter"]


def test_nav_language_follows_the_book(built: dict[str, EpubResult]) -> None:
    nav = _xml(built["cover-file"], "EPUB/nav.xhtml")
    assert nav.get("lang") == "fr"
    assert _opf(built["cover-file"]).find(".//dc:language", NS).text == "fr"


def test_sections_nav_ncx_and_contents(built: dict[str, EpubResult]) -> None:
    res = built["sections"]
    nav = _xml(res, "EPUB/nav.xhtml")
    top = nav.find(".//x:nav/x:ol", NS)
    labels = ["".join(li.find("x:a", NS).itertext()) for li in top.findall("x:li", NS)]
    assert labels == ["Contents", "News", "Culture", "Colophon"]
    news = top.findall("x:li", NS)[1]
    assert ["".join(a.itertext()) for a in news.iterfind("x:ol/x:li/x:a", NS)] == [
        "Headline of a",
        "Headline of c",
    ]
    ncx = _xml(res, "EPUB/toc.ncx")
    assert ncx.find(".//ncx:meta[@name='dtb:depth']", NS).get("content") == "2"
    uid = ncx.find(".//ncx:meta[@name='dtb:uid']", NS).get("content")
    assert uid == _opf(res).find(".//dc:identifier", NS).text
    contents = _xml(res, "EPUB/contents.xhtml")
    text = " ".join(contents.itertext())
    assert "News" in text and "Culture" in text
    assert "Jane van Dyke and Tom Ó Briain" in text
    assert "The standfirst of b, which says what happened" in text
    # Reading order follows the sections: a, c (News) then b (Culture), with prev/next links.
    spine = [i.get("idref") for i in _opf(res).iterfind(".//opf:itemref", NS)]
    assert spine[3:6] == ["a001", "a003", "a002"]
    with _zip(res) as z:
        middle = z.read("EPUB/a003-c.xhtml").decode()
    assert middle.index('rel="prev" href="a001-a.xhtml"') < middle.index("<article")
    assert 'rel="next" href="a002-b.xhtml"' in middle and 'href="contents.xhtml"' in middle
    assert '<p class="kicker">Politics</p>' in middle


def _page_list(result: EpubResult) -> list[tuple[str, str]]:
    nav = _xml(result, "EPUB/nav.xhtml")
    found = nav.findall(".//x:nav[@epub:type='page-list']", NS)
    if not found:
        return []
    (pages,) = found
    assert pages.get("hidden") == "hidden"
    return [(a.get("href"), a.text) for a in pages.iterfind("x:ol/x:li/x:a", NS)]


def test_print_pages_are_marked_and_listed_in_reading_order(built: dict[str, EpubResult]) -> None:
    res = built["pages"]
    # Reading order a, c, b: each page once, in the first story after the last page's mark.
    assert _page_list(res) == [
        ("a001-a.xhtml#page-2", "2"),
        ("a001-a.xhtml#page-3", "3"),
        ("a003-c.xhtml#page-4", "4"),
        ("a002-b.xhtml#page-5", "5"),
    ]
    with _zip(res) as z:
        a, b, c = (
            z.read(f"EPUB/{n}").decode() for n in ("a001-a.xhtml", "a002-b.xhtml", "a003-c.xhtml")
        )

    def mark(n: int) -> str:
        return f'<span id="page-{n}" epub:type="pagebreak" role="doc-pagebreak" aria-label="{n}"></span>'

    assert f"<p>{mark(2)}The body says the river ran dry." in a
    assert f"{mark(3)}<figure" in a  # (before the block that is not a paragraph)
    assert f"<p>{mark(4)}in-page anchor and" in c
    assert f"<p>{mark(5)}The body says" in b
    assert "page-6" not in a + b + c and "page-7" not in a + b + c
    opf = _opf(res)
    assert _meta(opf, "pageBreakSource") == ["The Example, No. 7, June 2024, print edition"]
    features = _meta(opf, "schema:accessibilityFeature")
    assert {"pageBreakMarkers", "pageNavigation"} <= set(features)
    assert "page numbers of the print edition" in _meta(opf, "schema:accessibilitySummary")[0]
    assert res.conforms
    # A block the EPUB leaves out (an empty heading) hands its page on to the next one.
    with _zip(built["pages-handed-on"]) as z:
        handed = z.read("EPUB/a001-h.xhtml").decode()
    assert f"<p>{mark(9)}Two.</p>" in handed
    # Without a print edition: no markers, no page list, no claims.
    assert _page_list(built["sections"]) == []
    plain = _opf(built["sections"])
    assert _meta(plain, "pageBreakSource") == []
    assert "pageBreakMarkers" not in _meta(plain, "schema:accessibilityFeature")


RIVER = "Rain fell on the hills. The river ran dry in June, and the river ran dry again in July."


def test_a_page_that_begins_inside_a_paragraph_is_marked_before_its_first_word(
    built: dict[str, EpubResult],
) -> None:
    with _zip(built["pages-inside"]) as z:
        doc = z.read("EPUB/a001-i.xhtml").decode()
    # The second "river ran dry" (the one nearest the letters printed before the line) ...
    assert 'June, and the <span id="page-3" ' in doc
    # ... and after a hyphenated word's end, the next word.
    assert '<em>journalism</em> <span id="page-4" ' in doc  # (not in the <em>)
    assert _page_list(built["pages-inside"]) == [
        ("a001-i.xhtml#page-3", "3"),
        ("a001-i.xhtml#page-4", "4"),
    ]


@pytest.mark.parametrize(
    ("line", "before", "expected"),
    [
        ("The river ran", 0, 'The <span class="x">river</span> ran'),  # (at the start)
        ("river ran dry", 0, '<span class="x">river</span> ran'),  # (before the inline)
        ("ver ran dry", 0, "ran dry"),  # a hyphenated word's end: the next word
        ("dry &amp; wet", 0, None),  # not in the text
        ("", 0, None),
    ],
)
def test_line_start(line: str, before: int, expected: str | None) -> None:
    html = '<p>The <span class="x">river</span> ran dry &amp; fast.</p>'
    at = line_start(html, line, before)
    if expected is None:
        assert at is None
    else:
        assert at is not None and html[at:].startswith(expected), html[at or 0 :]


def test_article_document_content(built: dict[str, EpubResult]) -> None:
    with _zip(built["one"]) as z:
        doc = z.read("EPUB/a001-one.xhtml").decode()
    root = etree.fromstring(doc.encode())
    assert root.get("lang") == "en-GB"
    # Pull quote repeating the body is hidden from screen readers.
    assert '<aside class="pullquote" aria-hidden="true">' in doc
    # The h4 after the h1 headline became an h2; the in-page anchor became text.
    assert "<h2>A heading that skips a level</h2>" in doc and "<h4>" not in doc
    assert "in-page anchor" in doc and "#footnote-1" not in doc
    assert 'href="https://example.org/a%20b?q=1"' in doc
    # Microseconds would be an invalid HTML datetime.
    assert '<time datetime="2024-06-10T09:30:12+00:00">10 June 2024</time>' in doc
    assert '<span class="credit">Photo: Agency</span>' in doc  # the style's epub_label


def test_colophon_lists_sources_dates_and_build_date(built: dict[str, EpubResult]) -> None:
    text = " ".join(_xml(built["one"], "EPUB/colophon.xhtml").itertext())
    assert "https://news.example/2024/06/one/" in text
    assert "Published 10 June 2024; updated 11 June 2024." in text
    assert "11 June 2024" in text and "The Example" in text


# ---------------------------------------------------------------------------------------------
# Metadata and accessibility
# ---------------------------------------------------------------------------------------------


def test_metadata(built: dict[str, EpubResult]) -> None:
    opf = _opf(built["one"])
    assert opf.find(".//dc:title", NS).text == "Headline of one"
    creators = opf.findall(".//dc:creator", NS)
    assert [c.text for c in creators] == ["Jane van Dyke", "Tom Ó Briain"]
    file_as_values = {
        m.get("refines"): m.text for m in opf.iterfind(".//opf:meta[@property='file-as']", NS)
    }
    assert file_as_values == {"#creator1": "van Dyke, Jane", "#creator2": "Ó Briain, Tom"}
    roles = [m.text for m in opf.iterfind(".//opf:meta[@property='role']", NS)]
    assert roles == ["aut", "pht"]
    assert opf.find(".//dc:publisher", NS).text == "The Example"
    assert [s.text for s in opf.findall(".//dc:subject", NS)] == ["Politics", "Water"]
    assert opf.find(".//dc:description", NS).text.startswith("The standfirst of one")
    assert opf.find(".//dc:source", NS).text == "https://news.example/2024/06/one/"
    assert _meta(opf, "dcterms:modified") == ["2024-06-11T10:00:00Z"]
    assert opf.find(".//dc:identifier", NS).text == built["one"].identifier
    assert built["one"].identifier == stable_identifier([_article(Path("/x"), "one")])


def test_accessibility_metadata_earned(built: dict[str, EpubResult]) -> None:
    opf = _opf(built["one"])
    assert _meta(opf, "dcterms:conformsTo") == [CONFORMS_TO]
    assert set(_meta(opf, "schema:accessMode")) == {"textual", "visual"}
    assert "textual" in _meta(opf, "schema:accessModeSufficient")
    assert "alternativeText" in _meta(opf, "schema:accessibilityFeature")
    assert _meta(opf, "schema:accessibilityHazard") == ["none"]
    assert built["one"].conforms
    # A decorative image needs no alt text.
    assert built["decorative"].conforms
    assert 'role="presentation"' in _zip(built["decorative"]).read("EPUB/a001-e.xhtml").decode()


def test_accessibility_not_claimed_when_not_earned(built: dict[str, EpubResult]) -> None:
    res = built["noalt"]
    opf = _opf(res)
    assert not res.conforms
    assert _meta(opf, "dcterms:conformsTo") == []
    summary = _meta(opf, "schema:accessibilitySummary")[0]
    assert "1 of 4 images have no text alternative" in summary
    assert "language of the text was not declared" in summary
    assert "does not claim" in summary
    assert "alternativeText" not in _meta(opf, "schema:accessibilityFeature")


def test_identifier_is_stable_and_option_wins(folder: Path, tmp_path: Path) -> None:
    art = _article(folder, "id")
    a = _build(tmp_path / "a.epub", [(art, _policy(folder))])
    b = _build(tmp_path / "b.epub", [(art.with_changes(body=()), _policy(folder))])
    c = _build(tmp_path / "c.epub", [(art, _policy(folder))], identifier="urn:isbn:9780000000002")
    assert a.identifier == b.identifier and a.identifier.startswith("urn:uuid:")
    assert c.identifier == "urn:isbn:9780000000002"


def test_file_as() -> None:
    assert file_as("Jane Smith") == "Smith, Jane"
    assert file_as("Ludwig van Beethoven") == "van Beethoven, Ludwig"
    assert file_as("Madonna") == "Madonna"


@pytest.mark.parametrize(
    "name",
    [
        "Nguyễn Thị Hà",  # Vietnamese
        "Nguyen Van Thanh",  # ... without its accents
        "Lê Văn Lương",  # a family name that is a given name elsewhere, with Vietnamese letters
        "Le Thi Hong",  # ... or a Vietnamese middle name
        "Xi Jinping",  # Chinese in pinyin
        "Wang Yi",
        "Kim Jong-un",  # Korean: an ambiguous family name, a hyphenated given name
        "Park Chan-wook",
        "Kovács Anna",  # Hungarian
        "Nagy Imre",
        "習近平",  # Han, kana and Hangul names are always family name first
        "山田 太郎",
        "김 정은",
    ],
)
def test_file_as_leaves_family_name_first_names_as_written(name: str) -> None:
    assert file_as(name) == name


@pytest.mark.parametrize(
    ("name", "filed"),
    [
        ("John Nguyen", "Nguyen, John"),  # the same family names, written given name first
        ("Hà Nguyễn", "Nguyễn, Hà"),
        ("Yi Wang", "Wang, Yi"),
        ("Jinping Xi", "Xi, Jinping"),
        ("Anna Kovács", "Kovács, Anna"),
        ("Kim Smith", "Smith, Kim"),  # Kim, Lee, Song are given names too
        ("Lee Child", "Child, Lee"),
        ("Simon Jenkins", "Jenkins, Simon"),
    ],
)
def test_file_as_still_inverts_given_name_first_names(name: str, filed: str) -> None:
    assert file_as(name) == filed


def test_a_family_name_first_author_is_filed_as_written_in_the_package(
    folder: Path, tmp_path: Path
) -> None:
    art = _article(folder, "ha", authors=(Author(name="Nguyễn Thị Hà"), Author(name="Anna Kovács")))
    opf = _opf(_build(tmp_path / "ha.epub", [(art, _policy(folder))]))
    file_as_values = {
        m.get("refines"): m.text for m in opf.iterfind(".//opf:meta[@property='file-as']", NS)
    }
    assert file_as_values == {"#creator1": "Nguyễn Thị Hà", "#creator2": "Kovács, Anna"}


def test_epub_href() -> None:
    assert epub_href("#x") is None
    assert epub_href("javascript:alert(1)") is None
    assert epub_href("http://") is None
    assert epub_href("https://example.org/ü path") == "https://example.org/%C3%BC%20path"
    assert epub_href("mailto:desk@example.org") == "mailto:desk@example.org"


# ---------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------


def _images(result: EpubResult) -> dict[str, bytes]:
    with _zip(result) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("EPUB/images/")}


def test_images_stripped_converted_bounded_and_stored_once(built: dict[str, EpubResult]) -> None:
    images = _images(built["one"])
    # big.jpg and copy.jpg are the same bytes: one file. Plus portrait, chart and the cover.
    assert len(images) == 4 == built["one"].images
    for name, data in images.items():
        img = Image.open(io.BytesIO(data))
        assert img.format in ("JPEG", "PNG"), name
        assert img.mode in ("RGB", "L", "RGBA"), name
        assert max(img.size) <= 1600, name
        assert not img.getexif(), name
        assert "exif" not in img.info and b"GPS" not in data and b"SecretCam" not in data, name
    sizes = sorted(Image.open(io.BytesIO(d)).size for d in images.values())
    assert (800, 1200) in sizes  # the portrait was turned upright
    assert (1600, 1067) in sizes  # 3000×2000 scaled to the 1600 px limit
    assert any(n.endswith(".png") for n in images)  # the chart stays a graphic
    with _zip(built["one"]) as z:
        for name in z.namelist():
            if name.endswith(".xhtml"):
                root = etree.fromstring(z.read(name))
                for img_el in root.iterfind(".//x:img", NS):
                    assert img_el.get("alt") is not None, name


def test_bad_images_warn_and_drop_figures(built: dict[str, EpubResult]) -> None:
    res = built["broken"]
    codes = sorted(w.code for w in res.warnings)
    assert codes == ["image-corrupt", "image-missing", "image-refused"]
    assert all("figure dropped from 'broken'" in w.message for w in res.warnings)
    doc = _zip(res).read("EPUB/a001-broken.xhtml").decode()
    assert "<img" not in doc
    assert '<p class="caption-orphan">Residents queue for water on Tuesday</p>' in doc
    assert "Text survives." in doc


def test_strict_turns_bad_images_into_errors(folder: Path, tmp_path: Path) -> None:
    art = _article(folder, "strict", body=(_fig(folder, "corrupt.jpg"),))
    with pytest.raises(ImageError):
        _build(tmp_path / "s.epub", [(art, _policy(folder))], strict=True)
    remote = art.with_changes(
        body=(Figure(image=ImageRef(url="https://a.example/x.jpg"), alt="x"),)
    )
    with pytest.raises(UnsafeResourceError):
        _build(tmp_path / "s.epub", [(remote, _policy(folder))], strict=True)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Determinism and bad input
# ---------------------------------------------------------------------------------------------


def test_same_inputs_same_bytes_with_or_without_the_image_cache(
    folder: Path, tmp_path: Path
) -> None:
    # The EPUB writer's one byte-identity test: a book with sections and a generated cover,
    # built without the image cache, then filling it, then reading from it.
    items = [(_article(folder, s), _policy(folder)) for s in ("x", "y")]
    sections = (Section(title="S", articles=(1, 0)),)
    cold = _build(tmp_path / "cold.epub", items, sections=sections)
    cache: dict[str, ProcessedImage] = {}

    def cached(name: str) -> EpubResult:
        options = EpubOptions(source_date_epoch=SDE, sections=sections)
        return write_epub(items, tmp_path / name, options, image_cache=cache)

    first = cached("w1.epub")
    key = image_cache_key((folder / "big.jpg").read_bytes(), max_edge=1600)
    assert key in cache and any(k.startswith("cover:") for k in cache)
    warm = cached("w2.epub")
    assert first.path.read_bytes() == warm.path.read_bytes() == cold.path.read_bytes()


def test_modified_date_falls_back_to_newest_article(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    res = write_epub([(_article(folder, "m"), _policy(folder))], tmp_path / "m.epub", EpubOptions())
    assert _meta(_opf(res), "dcterms:modified") == ["2024-06-11T08:00:00Z"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(SDE))
    res = write_epub([(_article(folder, "m"), _policy(folder))], tmp_path / "m.epub", EpubOptions())
    assert _meta(_opf(res), "dcterms:modified") == ["2024-06-11T10:00:00Z"]


def test_missing_output_folder_is_one_error(folder: Path, tmp_path: Path) -> None:
    with pytest.raises(OutputError) as err:
        _build(tmp_path / "nope" / "x.epub", [(_article(folder, "o"), _policy(folder))])
    assert (
        err.value.format()
        == f"{tmp_path / 'nope' / 'x.epub'}: output folder {tmp_path / 'nope'} does not exist"
    )


def test_interrupted_build_leaves_nothing(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "book.epub"
    out.write_bytes(b"previous edition")

    def interrupted(path: Path, members: list[tuple[str, bytes]], when: datetime) -> None:
        path.write_bytes(b"PK partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(book_module, "write_zip", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _build(out, [(_article(folder, "i"), _policy(folder))])
    assert [p.name for p in tmp_path.iterdir()] == ["book.epub"]
    assert out.read_bytes() == b"previous edition"


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_built(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("cli")
    art = _article(folder, "cli", body=(_fig(folder, "missing.jpg"),))
    model = folder / "cli.json"
    model.write_text(to_json(art), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "epub",
            str(model),
            "-o",
            str(out / "cli.epub"),
            "--title",
            "My title",
            "--language",
            "en-US",
            "--publisher",
            "Desk",
            "--max-image-size",
            "800",
        ],
        env={"SOURCE_DATE_EPOCH": str(SDE)},
    )
    assert result.exit_code == 0, result.output
    missing = (folder / "missing.jpg").as_uri()
    assert f"Warning: {missing}: file not found; figure dropped from 'cli'" in result.output
    yield out / "cli.epub"


def test_cli_options_reach_the_book(cli_built: Path) -> None:
    with zipfile.ZipFile(cli_built) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        sizes = {n: Image.open(io.BytesIO(z.read(n))).size for n in z.namelist() if "images/" in n}
    assert opf.find(".//dc:title", NS).text == "My title"
    assert opf.find(".//dc:language", NS).text == "en-US"
    assert opf.find(".//dc:publisher", NS).text == "Desk"
    assert len(sizes) == 2 and all(max(s) == 800 for s in sizes.values())  # photo and cover


def test_cli_errors_are_one_line(folder: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    model = tmp_path / "m.json"
    model.write_text(to_json(_article(folder, "e")), encoding="utf-8")
    missing_dir = tmp_path / "no" / "x.epub"
    r = runner.invoke(main, ["epub", str(model), "-o", str(missing_dir)])
    assert r.exit_code == 1
    assert r.output == f"Error: {missing_dir}: output folder {tmp_path / 'no'} does not exist\n"
    r = runner.invoke(main, ["epub", str(tmp_path / "absent.html"), "-o", str(tmp_path / "x.epub")])
    assert r.exit_code == 1 and r.output == f"Error: {tmp_path / 'absent.html'}: no such file\n"
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "Article", "headline": 3}', encoding="utf-8")
    r = runner.invoke(main, ["epub", str(bad), "-o", str(tmp_path / "x.epub")])
    assert r.exit_code == 1 and r.output.startswith(f"Error: {bad}: not a printedition model JSON")
    assert "Traceback" not in r.output
    r = runner.invoke(
        main,
        ["epub", str(model), "-o", str(tmp_path / "x.epub"), "--cover", str(tmp_path / "nope.jpg")],
    )
    assert r.exit_code == 1 and r.output == f"Error: {tmp_path / 'nope.jpg'}: file not found\n"
    assert not (tmp_path / "x.epub").exists()


def test_right_to_left_language(built: dict[str, EpubResult]) -> None:
    with _zip(built["rtl"]) as z:
        doc = z.read("EPUB/a001-rtl.xhtml").decode()
    assert (
        '<html xmlns="http://www.w3.org/1999/xhtml"' in doc
        and 'lang="ar" xml:lang="ar" dir="rtl"' in doc
    )
    spine = _opf(built["rtl"]).find(".//opf:spine", NS)
    assert spine.get("page-progression-direction") == "rtl"


def test_hostile_strings_still_make_a_valid_book(built: dict[str, EpubResult]) -> None:
    res = built["hostile"]
    opf = _opf(res)
    assert opf.find(".//dc:language", NS).text == "en-GB"  # the paper's, not declared
    assert not res.conforms
    with _zip(res) as z:
        first = z.read("EPUB/a001-article.xhtml").decode()
        second = z.read("EPUB/a002-x-y.xhtml").decode()
    assert "<h1>Untitled article</h1>" in first
    assert "<h1>Nul and  lone surrogate</h1>" in second
    assert "<h2>deep</h2>" in second and "<h2></h2>" not in second
    assert '<td></td><th scope="col">Year</th>' in second  # an empty header cell is data
    assert "<a " not in second.split("</nav>", 1)[1]  # every bad link is text now
    assert [c.text for c in opf.findall(".//dc:creator", NS)] == ["Bob Ray"]


def test_bad_settings_are_config_errors(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [(_article(folder, "c"), _policy(folder))]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH must be whole seconds"):
        write_epub(items, tmp_path / "c.epub", EpubOptions())
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    with pytest.raises(ConfigError, match="section 'News' names article 3, but there are 1"):
        _build(tmp_path / "c.epub", items, sections=(Section(title="News", articles=(3,)),))
    assert list(tmp_path.iterdir()) == []
