"""The supporters' downloads folder of the sample issue: names, index page, OPDS feed, the
catalogue of months, and what readers need of every EPUB (baseline JPEGs, contents that link
to visible text, the size budget, calibre)."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from conftest import SampleIssue
from lxml import etree, html
from PIL import Image

from printedition.cli import main
from printedition.downloads import human_size, issue_stem
from printedition.downloads.opds import REL_ACQUISITION, REL_IMAGE, REL_THUMBNAIL
from printedition.epub import EpubOptions, write_epub
from printedition.epub.budget import check_size
from printedition.errors import OutputError
from printedition.ingest.load import load_article
from printedition.settings import EpubBudget

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/terms/}"
FEED_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
STEM = "byline-times-2026-12"


@pytest.fixture(scope="module")
def folder(sample_issue: SampleIssue) -> Path:
    return sample_issue.out / "downloads"


def _feed(path: Path) -> etree._Element:
    return etree.fromstring(path.read_bytes())  # raises on anything not well-formed


def _page(folder: Path) -> html.HtmlElement:
    return html.fromstring((folder / "index.html").read_bytes())


def _local(href: str) -> str:
    assert "://" not in href and not href.startswith(("/", "#")), href
    return unquote(href.split("#")[0])


def test_the_folder_holds_every_epub_under_its_conventional_name(
    sample_issue: SampleIssue, folder: Path
) -> None:
    out = sample_issue.out
    slugs = sorted(p.stem for p in (out / "articles").glob("*.epub"))
    epubs = sorted(p.name for p in folder.glob("*.epub"))
    assert epubs == sorted([f"{STEM}.epub", *(f"{STEM}-{s}.epub" for s in slugs)])
    assert (folder / f"{STEM}.epub").read_bytes() == (out / "issue-42.epub").read_bytes()
    for slug in slugs:
        assert (folder / f"{STEM}-{slug}.epub").read_bytes() == (
            out / "articles" / f"{slug}.epub"
        ).read_bytes()
    covers = {p.name for p in (folder / "covers").iterdir()}
    for name in epubs:
        stem = name.removesuffix(".epub")
        assert {f"{stem}.jpg", f"{stem}-thumb.jpg"} <= covers
    with Image.open(folder / "covers" / f"{STEM}-thumb.jpg") as thumb:
        assert max(thumb.size) == 240
    report = next(o for o in sample_issue.report.outputs if o.kind == "downloads")
    assert report.path == str(folder / "index.html")
    assert report.validator == "links" and report.valid is True
    assert report.validator_summary == "55 links, 0 broken"


def test_names_and_sizes() -> None:
    import datetime as dt

    assert issue_stem("Byline Times", date=dt.date(2026, 12, 1), cover_date="", number=1) == STEM
    assert issue_stem("The Paper!", date=None, cover_date="March 2025", number=3) == (
        "the-paper-2025-03"
    )
    assert issue_stem("Paper", date=None, cover_date="Spring special", number=7) == "paper-no-7"
    assert [human_size(n) for n in (999, 1000, 97_000, 2_420_758, 999_960)] == [
        "999 bytes",
        "1.0 kB",
        "97.0 kB",
        "2.4 MB",
        "1.0 MB",
    ]


def test_every_link_in_the_page_and_the_feed_is_a_file_in_the_folder(folder: Path) -> None:
    page = _page(folder)
    links = [el.get("href") for el in page.iter("a", "link")] + [
        el.get("src") for el in page.iter("img")
    ]
    assert len(links) > 20
    for href in links:
        assert href and (folder / _local(href)).is_file(), href
    feed = _feed(folder / "opds.xml")
    hrefs = [el.get("href", "") for el in feed.iter(f"{ATOM}link")]
    assert len(hrefs) == 3 + 10 * 3
    for href in hrefs:
        assert (folder / _local(href)).is_file(), href
    # Every EPUB and cover in the folder is offered by both.
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert files - {"index.html", "opds.xml"} <= set(hrefs)
    assert {f for f in files if f.endswith(".epub")} <= set(links)


def test_the_build_checks_its_own_links(folder: Path, tmp_path: Path) -> None:
    from printedition.downloads import check_links

    copy = tmp_path / "downloads"
    shutil.copytree(folder, copy)
    (copy / f"{STEM}-rail-strike-called-off.epub").unlink()
    page = (copy / "index.html").read_text(encoding="utf-8")
    (copy / "index.html").write_text(page.replace('href="opds.xml"', 'href="/opds.xml"', 1))
    found = check_links(copy)
    assert found.links == 55
    assert found.broken == (
        "index.html: '/opds.xml' is not a relative link to a file in the folder",
        f"index.html: {STEM}-rail-strike-called-off.epub names no file in the folder",
        f"opds.xml: {STEM}-rail-strike-called-off.epub names no file in the folder",
    )


def test_the_feed_is_an_opds_acquisition_feed(folder: Path) -> None:
    feed = _feed(folder / "opds.xml")
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    own = {el.get("rel"): el for el in feed.iterfind(f"{ATOM}link")}
    assert own["self"].get("type") == FEED_TYPE and own["start"].get("type") == FEED_TYPE
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 10
    ids = set()
    for entry in entries:
        ids.add(entry.findtext(f"{ATOM}id"))
        assert entry.findtext(f"{ATOM}title")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.findtext(f"{ATOM}updated"))
        assert entry.findtext(f"{ATOM}author/{ATOM}name")
        assert entry.findtext(f"{DC}issued") == "2026-12-01"
        assert entry.findtext(f"{DC}language") == "en-GB"
        assert entry.find(f"{ATOM}summary").get("type") == "text"
        assert len(entry.findtext(f"{ATOM}summary")) > 40
        links = {el.get("rel"): el for el in entry.iterfind(f"{ATOM}link")}
        assert set(links) == {REL_ACQUISITION, REL_IMAGE, REL_THUMBNAIL}
        get = links[REL_ACQUISITION]
        assert get.get("type") == "application/epub+zip"
        assert int(get.get("length")) == (folder / get.get("href")).stat().st_size
        assert links[REL_IMAGE].get("type") == links[REL_THUMBNAIL].get("type") == "image/jpeg"
    assert len(ids) == 10
    first = entries[0]
    assert first.findtext(f"{ATOM}title") == "Byline Times — December 2026"
    assert [el.get("term") for el in entries[1].iterfind(f"{ATOM}category")] == ["News"]
    assert entries[1].findtext(f"{ATOM}author/{ATOM}name") == "Daria Sokolova"


def test_the_page_is_static_accessible_and_lists_the_contents(folder: Path) -> None:
    raw = (folder / "index.html").read_text(encoding="utf-8")
    page = _page(folder)
    assert page.get("lang") == "en-GB"
    assert not page.xpath("//script") and "<script" not in raw
    assert not [a for el in page.iter() for a in el.attrib if a.lower().startswith("on")]
    assert "javascript:" not in raw
    assert page.xpath("//meta[@name='viewport']")
    assert all(img.get("alt") is not None for img in page.iter("img"))
    assert page.xpath("//img[starts-with(@alt, 'Cover of')]")
    headings = [int(el.tag[1]) for el in page.iter("h1", "h2", "h3", "h4")]
    assert headings[0] == 1 and headings.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(headings))
    text = " ".join(page.text_content().split())
    titles = [e.findtext(f"{ATOM}title") for e in _feed(folder / "opds.xml").iter(f"{ATOM}entry")]
    assert len(titles) == 10
    for title in titles[1:]:  # every article's headline (the EPUB's, not the print one)
        assert " ".join(title.split()) in text, title
    assert "When Putin tried to mobilise an army" in text  # a standfirst
    assert "By Daria Sokolova" in text
    size = human_size((folder / f"{STEM}.epub").stat().st_size)
    assert f"Download the issue EPUB ({size})" in text
    downloads = page.xpath("//a[contains(@href, '.epub')]")
    assert len(downloads) == 10
    for a in downloads:  # every link names what it fetches, for a screen reader
        assert re.search(r"\((\d+ bytes|[\d.]+ [kMG]B)\)$", " ".join(a.text_content().split()))
    assert [h.text_content() for h in page.iter("h3")] == [
        "News",
        "Politics & Economy",
        "World & Environment",
        "Opinion & Culture",
    ]


def test_the_folder_is_rewritten_only_where_it_changed_and_stale_files_go(
    folder: Path, tmp_path: Path
) -> None:
    from printedition.downloads import Book, Shelf, write_downloads

    copy = tmp_path / "downloads"
    shutil.copytree(folder, copy)
    (copy / f"{STEM}-an-old-story.epub").write_bytes(b"stale")
    (copy / "covers" / f"{STEM}-an-old-story.jpg").write_bytes(b"stale")
    (copy / "not-ours.epub").write_bytes(b"left alone")
    issue = Book(epub=folder / f"{STEM}.epub", title="The issue", summary="One story.")
    story = Book(
        epub=folder / f"{STEM}-rail-strike-called-off.epub",
        title="Rail strike called off",
        authors=("Ellie Fraser",),
        section="News",
        slug="rail-strike-called-off",
    )
    shelf = Shelf(
        paper="Byline Times",
        paper_url="https://bylinetimes.com",
        publisher="",
        language="en-GB",
        title="The issue",
        subtitle="No. 42",
        number=42,
        cover_date="December 2026",
        date=None,
        issue=issue,
        articles=(story,),
    )
    result = write_downloads(shelf, copy)
    assert set(result.written) == {"index.html", "opds.xml"}  # EPUBs and covers were in place
    assert f"{STEM}-an-old-story.epub" in result.removed
    assert f"covers/{STEM}-an-old-story.jpg" in result.removed
    assert f"{STEM}-the-river-that-ran-dry.epub" in result.removed
    assert (copy / "not-ours.epub").read_bytes() == b"left alone"
    again = write_downloads(shelf, tmp_path / "again")
    for name in result.files:  # the same inputs give the same bytes
        assert (copy / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    assert again.written == again.files


def _second_month(folder: Path, dest: Path) -> Path:
    """The sample month as if it were November's: its ids and dates moved."""
    shutil.copytree(folder, dest)
    feed = (dest / "opds.xml").read_text(encoding="utf-8")
    feed = feed.replace("2026-12-01", "2026-11-01")
    feed = re.sub(r"urn:uuid:([0-9a-f]{8})", lambda m: f"urn:uuid:{m.group(1)[::-1]}", feed)
    (dest / "opds.xml").write_text(feed, encoding="utf-8")
    return dest


def test_months_merge_into_one_catalogue(folder: Path, tmp_path: Path) -> None:
    november = _second_month(folder, tmp_path / "site" / "2026-11")
    december = tmp_path / "site" / "2026-12"
    shutil.copytree(folder, december)
    out = tmp_path / "site" / "catalogue.xml"
    runner = CliRunner()
    done = runner.invoke(
        main, ["downloads", "catalogue", str(november), str(december), "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert done.output == f"Wrote {out}: 20 entries from 2 month(s)\n"
    feed = _feed(out)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 20
    issued = [e.findtext(f"{DC}issued") for e in entries]
    assert issued == ["2026-12-01"] * 10 + ["2026-11-01"] * 10  # newest month first
    for link in feed.iter(f"{ATOM}link"):
        assert (out.parent / _local(link.get("href"))).is_file(), link.get("href")
    assert entries[0].find(f"{ATOM}link[@rel='{REL_ACQUISITION}']").get("href") == (
        f"2026-12/{STEM}.epub"
    )
    again = tmp_path / "site" / "again.xml"
    runner.invoke(main, ["downloads", "catalogue", str(december), str(november), "-o", str(again)])
    assert again.read_bytes() == out.read_bytes().replace(b"catalogue.xml", b"again.xml")
    twice = runner.invoke(
        main, ["downloads", "catalogue", str(december), str(december), "-o", str(out)]
    )
    assert twice.exit_code == 1
    assert "is also in" in twice.output and "name each month once" in twice.output
    missing = runner.invoke(main, ["downloads", "catalogue", str(tmp_path), "-o", str(out)])
    assert missing.exit_code == 1
    assert missing.output == (
        f"Error: {tmp_path / 'opds.xml'}: cannot read the feed "
        "(no opds.xml here: is this a downloads folder?)\n"
    )


# ---------------------------------------------------------------------------------------------
# What readers need of every EPUB
# ---------------------------------------------------------------------------------------------


def _epubs(sample_issue: SampleIssue) -> list[Path]:
    found = sorted(sample_issue.out.rglob("*.epub"))
    assert len(found) == 20  # 10 built, 10 in downloads/
    return found


def test_no_progressive_jpeg_in_any_epub_or_cover(sample_issue: SampleIssue) -> None:
    checked = 0
    for path in _epubs(sample_issue):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.lower().endswith((".jpg", ".jpeg")):
                    with Image.open(io.BytesIO(zf.read(name))) as img:
                        assert img.format == "JPEG"
                        assert not img.info.get("progressive"), (path.name, name)
                        assert not img.info.get("progression"), (path.name, name)
                    checked += 1
    for path in (sample_issue.out / "downloads" / "covers").iterdir():
        with Image.open(path) as img:
            assert not img.info.get("progressive") and not img.info.get("progression"), path
        checked += 1
    assert checked > 50


XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"


def test_every_contents_entry_links_to_visible_content(sample_issue: SampleIssue) -> None:
    for path in (sample_issue.out / "issue-42.epub", *(sample_issue.out / "articles").glob("*")):
        with zipfile.ZipFile(path) as zf:
            opf = etree.fromstring(zf.read("EPUB/content.opf"))
            items = {el.get("id"): el.get("href") for el in opf.iter(f"{OPF}item")}
            linear = {
                items[r.get("idref")]
                for r in opf.iter(f"{OPF}itemref")
                if r.get("linear", "yes") != "no"
            }
            nav = etree.fromstring(zf.read("EPUB/nav.xhtml"))
            toc = next(n for n in nav.iter(f"{XHTML}nav") if n.get("id") == "toc")
            links = list(toc.iter(f"{XHTML}a"))
            assert links, path.name
            for a in links:
                file, _, anchor = a.get("href").partition("#")
                assert file in linear, (path.name, file)
                doc = etree.fromstring(zf.read(f"EPUB/{file}"))
                body = doc.find(f"{XHTML}body")
                target = body if not anchor else next(doc.iterfind(f".//*[@id='{anchor}']"))
                assert "".join(target.itertext()).strip(), (path.name, a.get("href"))
                for el in (target, *target.iterancestors()):
                    assert el.get("hidden") is None, (path.name, a.get("href"))
                    assert "display:none" not in (el.get("style") or "").replace(" ", "")
            ncx = etree.fromstring(zf.read("EPUB/toc.ncx"))
            for src in ncx.iter("{http://www.daisy.org/z3986/2005/ncx/}content"):
                assert src.get("src").partition("#")[0] in linear, (path.name, src.get("src"))


def test_size_budget_warns_then_refuses(tmp_path: Path) -> None:
    budget = EpubBudget()
    assert check_size(19_000_000, budget, where="a.epub") is None
    warning = check_size(21_000_000, budget, where="a.epub")
    assert warning is not None and warning.code == "epub-large"
    assert warning.message.startswith("the EPUB is 21.0 MB, over 20 MB")
    with pytest.raises(OutputError, match=r"would be 51.0 MB, over the 50 MB"):
        check_size(51_000_000, budget, where="a.epub")
    article = load_article(ROOT / "samples" / "articles" / "rail-strike-called-off" / "index.html")
    small = EpubBudget(warn_bytes=10_000, max_bytes=10_000_000)
    result = write_epub([article], tmp_path / "a.epub", EpubOptions(budget=small))
    assert [w.code for w in result.warnings if w.code == "epub-large"] == ["epub-large"]
    tiny = EpubBudget(warn_bytes=1_000, max_bytes=10_000)
    with pytest.raises(OutputError, match="Send-to-Kindle"):
        write_epub([article], tmp_path / "b.epub", EpubOptions(budget=tiny))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.epub"]  # nothing left behind


@pytest.mark.skipif(shutil.which("ebook-convert") is None, reason="calibre is not installed")
def test_calibre_converts_the_issue_to_azw3(sample_issue: SampleIssue, tmp_path: Path) -> None:
    out = tmp_path / "issue.azw3"
    done = subprocess.run(
        ["ebook-convert", str(sample_issue.out / "issue-42.epub"), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.stat().st_size > 100_000
    log = done.stdout + done.stderr
    assert "Traceback" not in log and not re.search(r"(?i)\b(error|failed)\b", log), log[-2000:]
