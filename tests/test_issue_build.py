"""The monthly issue build on the sample issue: every output, validators, page numbers, cache."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from ace import ACE, CHROMIUM, MISSING, ace_report
from lxml import etree

from printedition.cache import Store
from printedition.issue import BuildOptions, IssueReport, build_issue, load_manifest
from printedition.validate import check_epub

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "issue" / "issue.toml"

pytestmark = pytest.mark.slow


@dataclass
class Built:
    out: Path
    cache: Path
    report: IssueReport
    workdir: Path  # a copy of samples/ that tests may edit


def copy_samples(dest: Path) -> Path:
    shutil.copytree(ROOT / "samples" / "articles", dest / "articles")
    (dest / "issue").mkdir()
    shutil.copy(SAMPLE, dest / "issue" / "issue.toml")
    return dest / "issue" / "issue.toml"


@pytest.fixture(scope="module")
def built(sample_issue: Built) -> Iterator[Built]:
    # One cold build per session (conftest.py), shared with the downloads and stamp tests.
    yield sample_issue


def pdftotext(pdf: Path, page: int, *, layout: bool = False) -> str:
    cmd = ["pdftotext", "-f", str(page), "-l", str(page), "-enc", "UTF-8"]
    if layout:
        cmd.append("-layout")
    done = subprocess.run([*cmd, str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def squash(text: str) -> str:
    text = text.replace("\u00ad", "").replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", re.sub(r"-\n", "", text)).strip().lower()


def test_every_output_is_written(built: Built) -> None:
    out = built.out
    manifest = load_manifest(SAMPLE)
    assert built.report.exit_code == 0, built.report.summary()
    for name in (
        "issue-42.epub",
        "issue-42-press.pdf",
        "issue-42-proof.pdf",
        "report.json",
        "summary.txt",
    ):
        assert (out / name).stat().st_size > 0, name
    slugs = {a.slug for a in built.report.articles}
    assert len(slugs) == len(manifest.entries())
    assert {p.stem for p in (out / "articles").glob("*.epub")} == slugs
    data = json.loads((out / "report.json").read_text())
    assert data["ok"] is True and data["issue"] == 42
    for article in data["articles"]:
        assert article["status"] == "ok" and article["words"] > 100
    mekong = next(a for a in data["articles"] if a["slug"].startswith("mekong"))
    assert "image-low-ppi" in {w["code"] for w in mekong["warnings"]}
    assert "Built: every article and output is in order." in (out / "summary.txt").read_text()
    assert not list(out.rglob("*.part"))


def test_every_epub_passes_epubcheck_and_press_pdf_passes_preflight(built: Built) -> None:
    outputs = built.report.outputs
    epubs = [o for o in outputs if o.kind.endswith("epub")]
    assert len(epubs) == 10
    for o in epubs:
        assert o.validator == "EPUBCheck" and o.valid, (o.path, o.messages)
        assert o.validator_summary == "0 errors, 0 warnings"
    press = next(o for o in outputs if o.kind == "press-pdf")
    assert press.validator == "preflight" and press.valid is True
    with pikepdf.open(press.path) as pdf:
        assert len(pdf.pages) == press.pages and press.pages % 4 == 0
        assert all("/Annots" not in p.obj for p in pdf.pages)
        assert "/OutputIntents" in pdf.Root


def test_contents_page_numbers_are_where_each_article_starts(built: Built) -> None:
    pdf = built.out / "issue-42-press.pdf"
    with pikepdf.open(pdf) as doc:
        pages = len(doc.pages)
    texts = {n: squash(pdftotext(pdf, n)) for n in range(1, pages + 1)}
    contents_no = next(n for n, t in texts.items() if "contents no. 42 · volume 5" in t)
    printed = [a for a in built.report.articles if a.only != "epub"]
    # The "In this issue" house panel may fill the foot of a page: its list is not a story.
    last = squash(printed[-1].headline)
    for n, t in texts.items():
        at = t.find("in this issue no. 42")
        if at >= 0:
            end = t.find(last, at)
            texts[n] = t[:at] + (t[end + len(last) :] if end >= 0 else "")
    # The contents stand at the top of the first made-up page, stories under them: on that
    # page a headline counts where it stands after the contents' list.
    listing = texts[contents_no]
    end = listing.find(last, listing.find("contents no. 42"))
    texts[contents_no] = listing[end + len(last) :] if end >= 0 else listing
    checked: list[int] = []
    lines = [squash(x) for x in pdftotext(pdf, contents_no, layout=True).splitlines() if x.strip()]
    position = 0
    for article in printed:
        head = squash(article.headline)
        at = next(i for i in range(position, len(lines)) if lines[i].startswith(head[:30]))
        # With -layout each entry is one row: headline, byline, and the page number at the end.
        found = [re.search(r" (\d{1,3})$", x) for x in lines[at : at + 2]]
        claimed = int(next(m for m in found if m).group(1))
        position = at + 1
        # The story starts on the first page from the contents on whose text has its headline.
        starts = [n for n, t in texts.items() if n >= contents_no and head[:40] in t]
        assert starts, f"{article.slug}: headline not found on any page"
        if article is printed[0]:
            # The sample's cover story ([cover] jump) opens on the front page and carries on
            # inside: the contents say page 1, "Continued on page N" where it carries on.
            turn = re.search(r"continued on page (\d+)", texts[1])
            assert claimed == 1 and turn and int(turn.group(1)) == starts[0], (claimed, starts)
        else:
            assert claimed == starts[0], (
                f"{article.slug}: contents says {claimed}, starts on {starts[0]}"
            )
        checked.append(claimed)
    assert len(checked) == len(printed)
    assert re.search(r"i ?nside", texts[1])


def test_house_panels_fill_the_last_sheet(built: Built) -> None:
    pdf = built.out / "issue-42-press.pdf"
    press = next(o for o in built.report.outputs if o.kind == "press-pdf")
    last = squash(pdftotext(pdf, press.pages))
    assert any(
        phrase in last
        for phrase in (
            "get the paper every month",
            "journalism that answers to readers",
            "in this issue",
        )
    ) or not _padded(built)


def _padded(built: Built) -> bool:
    meta = [p for p in built.cache.rglob("*") if p.is_file() and "press-pdf-meta" in str(p)]
    for p in meta:
        raw = p.read_bytes().split(b"\n", 1)[1]
        if json.loads(raw).get("padded"):
            return True
    return False


def test_rebuild_with_nothing_changed_does_no_work(built: Built) -> None:
    before = {p: p.read_bytes() for p in built.out.rglob("*.epub")}
    report = build_issue(
        load_manifest(built.workdir / "issue" / "issue.toml"),
        BuildOptions(out_dir=built.out, cache_dir=built.cache, source_date_epoch=1_790_000_000),
    )
    assert report.exit_code == 0
    assert all(a.cached for a in report.articles), "an article was normalised again"
    assert all(o.cached for o in report.outputs), [o.path for o in report.outputs if not o.cached]
    assert report.cache["misses"] == 0
    assert {p: p.read_bytes() for p in built.out.rglob("*.epub")} == before


def test_one_edited_article_redoes_only_what_depends_on_it(built: Built, tmp_path: Path) -> None:
    # Models record where their page was read from, so the edit is made in place (and undone).
    page = built.workdir / "articles" / "rail-strike-called-off" / "index.html"
    original = page.read_bytes()
    cache = tmp_path / "cache"
    shutil.copytree(built.cache, cache)
    parts_before = {k: set(Store(cache).entries([k])) for k in ("mk-measure", "mk-measure-html")}
    try:
        html = original.decode("utf-8")
        edited = html.replace("remain valid,", "remain valid for a further two weeks,", 1)
        assert edited != html
        page.write_text(edited, encoding="utf-8")
        report = build_issue(
            load_manifest(built.workdir / "issue" / "issue.toml"),
            BuildOptions(
                out_dir=tmp_path / "out",
                cache_dir=cache,
                source_date_epoch=1_790_000_000,
                validate=False,
            ),
        )
    finally:
        page.write_bytes(original)
    assert {a.slug for a in report.articles if not a.cached} == {"rail-strike-called-off"}
    redone = {Path(o.path).name for o in report.outputs if not o.cached}
    # The longer story moves others on the pages: an article's EPUB carries its story's
    # print pages, so those whose pages moved are made again (a cached one would be stale),
    # and only those.
    press = next(o for o in report.outputs if o.kind == "press-pdf")
    moved = set()
    for path in sorted((tmp_path / "out" / "articles").glob("*.epub")):
        slug = path.stem
        pages = [
            p["page"] for p in press.flatplan["pages"] if slug in {s["slug"] for s in p["stories"]}
        ]
        if slug == "returning-to-putins-russia":  # the cover story ([cover] jump) opens on page 1
            pages.insert(0, 1)
        assert [n for n, _ in page_list(path)] == pages, slug
        if page_list(path) != page_list(built.out / "articles" / path.name):
            moved.add(path.name)
    assert redone == {
        "rail-strike-called-off.epub",
        "issue-42.epub",
        "issue-42-press.pdf",
        "issue-42-proof.pdf",
        "index.html",  # the downloads folder, written afresh into the new output folder
        *moved,
    }
    rail = next(a for a in report.articles if a.slug == "rail-strike-called-off")
    assert rail.words > next(a for a in built.report.articles if a.slug == rail.slug).words
    # The PDFs are made up from measured stories cut into legs: only the edited story is
    # laid out again; every other story's measure (and the strips its legs are cut from)
    # comes from the cache (the pages, a layout of positioned boxes, are laid out again). A
    # layout written to the cache is one laid out; likewise only the edited story's measuring
    # document is written again (its paragraphs broken into lines).
    for kind, before in parts_before.items():
        laid_out = set(Store(cache).entries([kind])) - before
        assert len(laid_out) == 1, (kind, len(laid_out))


def test_corrupt_cache_entries_are_detected_and_rebuilt(built: Built, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(built.cache, cache)
    store = Store(cache)

    def entry(kind: str) -> Path:
        found = [e for e in store.entries([kind]) if not e.name.endswith(".part")]
        assert found, kind
        return found[0]

    # One entry of each stage the next build must read: an article model, the press PDF,
    # the issue EPUB. Truncated, bit-flipped and emptied.
    model, press, book = entry("model"), entry("press-pdf"), entry("issue-epub")
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    raw = bytearray(press.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    press.write_bytes(bytes(raw))
    book.write_bytes(b"")
    out = tmp_path / "out"
    report = build_issue(
        load_manifest(built.workdir / "issue" / "issue.toml"),
        BuildOptions(
            out_dir=out, cache_dir=cache, source_date_epoch=1_790_000_000, validate=False
        ),
    )
    assert report.exit_code == 0
    assert [n.code for n in report.notes] == ["cache-corrupt"] * 3  # each one reported
    # Only what read a bad entry is made again: one article's model (which comes out the
    # same, so its EPUB stays cached), the press PDF with its proof (one layout makes both)
    # and the issue EPUB.
    assert sum(1 for a in report.articles if not a.cached) == 1
    redone = {Path(o.path).name for o in report.outputs if not o.cached}
    assert redone == {"issue-42-press.pdf", "issue-42-proof.pdf", "issue-42.epub", "index.html"}
    # Rebuilt to the same outputs, byte for byte (the reports carry timings).
    for path in built.out.rglob("*"):
        if path.is_file() and path.name not in ("report.json", "summary.txt"):
            again = out / path.relative_to(built.out)
            assert again.read_bytes() == path.read_bytes(), path.name
    for path in (model, press, book):
        kind = path.relative_to(cache).parts[0]
        assert store.get(kind, path.name) is not None, path  # rebuilt entries verify


def _page_texts(pdf: Path) -> list[str]:
    with pikepdf.open(pdf) as doc:
        pages = len(doc.pages)
    return [pdftotext(pdf, n, layout=True) for n in range(1, pages + 1)]


def test_folios_count_on_across_parts_on_the_right_side(built: Built) -> None:
    # Each section is laid out apart from the rest, starting on the page it stands on: its
    # folios count on from there, even pages on the left, odd on the right.
    texts = _page_texts(built.out / "issue-42-press.pdf")
    for n, text in enumerate(texts[1:], start=2):
        folio = squash(text.splitlines()[0])
        if n % 2 == 0:
            assert folio.startswith(f"{n} · byline times"), (n, folio)
        else:
            assert folio.endswith(f"byline times · {n}"), (n, folio)


def test_bookmarks_cover_every_article_at_its_page(built: Built) -> None:
    pdf = built.out / "issue-42-press.pdf"
    # In reading order (not -layout: stories stand side by side on a made-up page).
    texts = [squash(pdftotext(pdf, n)) for n in range(1, len(_page_texts(pdf)) + 1)]
    with pikepdf.open(pdf) as doc:
        page_of = {p.obj.objgen: n for n, p in enumerate(doc.pages, start=1)}
        marks: list[tuple[str, int]] = []
        with doc.open_outline() as outline:
            stack = list(outline.root)
            while stack:
                item = stack.pop(0)
                marks.append((squash(item.title), page_of[item.destination[0].objgen]))
                stack.extend(item.children)
        names = dict(pikepdf.NameTree(doc.Root.Names.Dests).items())
        anchors = {str(k): page_of[v[0].objgen] for k, v in names.items()}
    for article in built.report.articles:
        if article.only == "epub":
            continue
        head = squash(article.headline)
        pages = [n for title, n in marks if title == head]
        assert pages, f"{article.slug}: no bookmark"
        assert head[:40] in texts[pages[0] - 1], f"{article.slug}: bookmark on page {pages[0]}"
        assert anchors[f"story-{article.slug}"] == pages[0]
    assert {squash(a.section) for a in built.report.articles} <= {t for t, _ in marks}


# ---------------------------------------------------------------------------------------------
# The print pages in the EPUBs
# ---------------------------------------------------------------------------------------------

XHTML = "{http://www.w3.org/1999/xhtml}"
OPS = "{http://www.idpf.org/2007/ops}"


def _letters(text: str) -> str:
    """Letters and digits only: pdftotext's line ends, hyphens and spacing left out."""
    return re.sub(r"[\W_]+", "", squash(text))


def page_list(epub: Path) -> list[tuple[int, list[str]]]:
    """The EPUB's page list: each page number with the first words of the story after its
    marker."""
    found: list[tuple[int, list[str]]] = []
    with zipfile.ZipFile(epub) as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
        lists = [n for n in nav.iter(f"{XHTML}nav") if n.get(f"{OPS}type") == "page-list"]
        for link in (a for n in lists for a in n.iter(f"{XHTML}a")):
            name, _, ident = link.get("href").partition("#")
            (mark,) = etree.fromstring(z.read(f"EPUB/{name}")).xpath(f"//*[@id='{ident}']")
            assert mark.get(f"{OPS}type") == "pagebreak" and mark.get("role") == "doc-pagebreak"
            assert mark.get("aria-label") == link.text == ident.removeprefix("page-")
            mark.text = "\u2063"  # (a character no story has, to split the text at)
            story = next(mark.iterancestors(f"{XHTML}article"))
            after = "".join(story.itertext()).split("\u2063", 1)[1]
            found.append((int(link.text), after.replace("\u2063", "").split()[:6]))
    return found


def test_the_epubs_carry_the_press_pages_where_they_begin(built: Built) -> None:
    pdf = built.out / "issue-42-press.pdf"
    press = next(o for o in built.report.outputs if o.kind == "press-pdf")
    stories = {p["page"]: {s["slug"] for s in p["stories"]} for p in press.flatplan["pages"]}
    in_epub = {a.slug for a in built.report.articles if a.only != "print"}
    with_text = [n for n, slugs in sorted(stories.items()) if slugs & in_epub]
    texts = {n: _letters(pdftotext(pdf, n)) for n in with_text}

    def on_its_page(page: int, words: list[str]) -> bool:
        # The marker stands before the first words the story has on that page (inside the
        # paragraph when the page begins inside one), and they are printed there.
        return bool(words) and _letters(" ".join(words)) in texts[page]

    # The sample's cover story jumps ([cover] jump): the front page prints its opening, so
    # its page 1 is where the story starts; the rest goes on inside.
    cover = "returning-to-putins-russia"
    texts[1] = _letters(pdftotext(pdf, 1))
    # The issue EPUB: one entry for each page that carries story text (none for house pages),
    # each pointing into text printed on that page; in the sample they run in order.
    issue = page_list(built.out / "issue-42.epub")
    assert [n for n, _ in issue] == [1, *with_text]
    for page, words in issue:
        assert on_its_page(page, words), (page, " ".join(words))
    # Each article's own EPUB: the pages of its own story.
    for slug in sorted(in_epub):
        own = page_list(built.out / "articles" / f"{slug}.epub")
        expected = [n for n in with_text if slug in stories[n]]
        assert [n for n, _ in own] == ([1, *expected] if slug == cover else expected), slug
        for page, words in own:
            assert on_its_page(page, words), (slug, page, " ".join(words))
    with zipfile.ZipFile(built.out / "issue-42.epub") as z:
        opf = z.read("EPUB/content.opf").decode()
    assert (
        '<meta property="pageBreakSource">Byline Times, No. 42, volume 5, December 2026, '
        "print edition</meta>"
    ) in opf
    for feature in ("pageBreakMarkers", "pageNavigation"):
        assert f'<meta property="schema:accessibilityFeature">{feature}</meta>' in opf
    # EPUBCheck has nothing at all to say about them (the build's check leaves out INFO).
    messages = check_epub([built.out / "issue-42.epub", *sorted(built.out.glob("articles/*.epub"))])
    assert [m.format() for m in messages] == []


@pytest.mark.skipif(not (ACE and CHROMIUM), reason=MISSING)
def test_the_issue_epub_with_its_page_list_passes_daisy_ace(built: Built, tmp_path: Path) -> None:
    """Opt-in, like tests/test_epub_ace.py: the page-break markers have their labels, and
    the metadata names where the pages come from."""
    violations, outcome = ace_report(built.out / "issue-42.epub", tmp_path / "ace")
    assert violations == []
    assert outcome == "pass"


def test_a_cold_jobs_2_build_gives_the_same_bytes_as_one_process(
    built: Built, tmp_path: Path
) -> None:
    # A second cold build, in two processes (every article normalised and every part laid
    # out two at a time), with the same SOURCE_DATE_EPOCH: every output the same bytes.
    options = BuildOptions(
        out_dir=tmp_path / "j2",
        cache_dir=tmp_path / "cache",
        jobs=2,
        validate=False,
        source_date_epoch=1_790_000_000,
    )
    report = build_issue(load_manifest(built.workdir / "issue" / "issue.toml"), options)
    assert report.ok and report.jobs == 2
    assert not any(a.cached for a in report.articles)
    for name in ("issue-42-press.pdf", "issue-42-proof.pdf"):
        one, two = built.out / name, tmp_path / "j2" / name
        assert _page_texts(two) == _page_texts(one), name  # a readable diff first
    epubs = sorted(p.relative_to(built.out) for p in built.out.rglob("*.epub"))
    assert len(epubs) == 20  # 10 built, and the same 10 in downloads/ under their names
    pages = [Path("downloads/index.html"), Path("downloads/opds.xml")]
    for rel in [*epubs, *pages, Path("issue-42-press.pdf"), Path("issue-42-proof.pdf")]:
        assert (tmp_path / "j2" / rel).read_bytes() == (built.out / rel).read_bytes(), rel


def test_the_proof_is_the_press_layout(built: Built) -> None:
    """Same pages, same line breaks: the proof only adds its slug, marks, links and colour."""
    with pikepdf.open(built.out / "issue-42-press.pdf") as pdf:
        pages = len(pdf.pages)
    with pikepdf.open(built.out / "issue-42-proof.pdf") as pdf:
        assert len(pdf.pages) == pages >= 4
    for n in range(1, pages + 1):
        press = " ".join(pdftotext(built.out / "issue-42-press.pdf", n).split())
        proof = " ".join(pdftotext(built.out / "issue-42-proof.pdf", n).split())
        slug = re.search(r" ?PROOF - not for press - [^\n]*? - page (\d+)", proof)
        assert slug is not None and slug.group(1) == str(n), n
        rest = (proof[: slug.start()] + proof[slug.end() :]).split()
        # The same words on the page (pdftotext may read a larger page's blocks in another
        # order, so they are compared as a multiset).
        assert sorted(rest) == sorted(press.split()), n
    with pikepdf.open(built.out / "issue-42-press.pdf") as pdf:
        grey = {str(x.ColorSpace) for p in pdf.pages for x in p.get_images().values()}
        links = sum(len(p.obj.get("/Annots", ())) for p in pdf.pages)
    with pikepdf.open(built.out / "issue-42-proof.pdf") as pdf:
        colour = {str(x.ColorSpace) for p in pdf.pages for x in p.get_images().values()}
        proof_links = sum(len(p.obj.get("/Annots", ())) for p in pdf.pages)
    assert grey == {"/DeviceGray"} and "/DeviceRGB" in colour
    assert links == 0 and proof_links > 0

