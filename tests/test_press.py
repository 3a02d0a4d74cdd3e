"""The print edition: real PDFs built from the sample articles, checked by our preflight, by
poppler (pdftotext, pdffonts, pdfinfo) and by looking at what the layout decided."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from printedition.cli import main
from printedition.errors import ConfigError, ImageError, OutputError
from printedition.ingest.load import load_article
from printedition.model import (
    Article,
    Author,
    Figure,
    ImageRef,
    Link,
    Paragraph,
    PullQuote,
    Subheading,
    Text,
    article_text,
)
from printedition.press import engine
from printedition.press.engine import PressFetcher
from printedition.press.layout import Geometry, date_meta, headline_size_pt, stylesheet_links
from printedition.press.options import PressOptions, PressResult
from printedition.press.parts import EditionMatter
from printedition.press.pdf import PressOutputs, write_pdf
from printedition.press.preflight import preflight_file
from printedition.press.schedule import Edition
from printedition.resources import ResourcePolicy
from printedition.settings import PAGE_FORMATS, PageFormat, page_format
from printedition.style import PageStyle, default_style, load_style

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "articles"
SEED = SAMPLES / "the-river-that-ran-dry"
ICC = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
STYLES = ROOT / "styles"

pytestmark = pytest.mark.slow
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


def _print(
    articles: list[tuple[Article, ResourcePolicy]],
    out: Path,
    options: PressOptions,
    *,
    proof: bool = False,
    matter: EditionMatter | None = None,
) -> PressResult:
    """The press pipeline on a plain edition of ``articles``: the press file (or the proof) at ``out``."""
    edition = Edition.of(articles)
    if matter is not None:
        edition = Edition(sections=edition.sections, matter=matter)
    where = PressOutputs(proof=out) if proof else PressOutputs(press=out)
    return write_pdf(edition, where, options)


def _sample_dirs() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if (p / "index.html").is_file())


def _pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _words(text: str) -> list[str]:
    # Lines broken at a hyphen join up again; hyphens and punctuation do not count.
    text = re.sub(r"-\n\s*", "-", text)
    text = text.replace("-", "").replace("\u00ad", "")
    return [w for w in re.findall(r"[^\W_]+", text.lower()) if w]


def _small_article(
    tmp_path: Path, *, n: int = 12, image: bool = True
) -> tuple[Article, ResourcePolicy]:
    photo = SAMPLES / "cafe-owners-count-cost-of-border-checks"
    src = next(photo.glob("*.jpg"))
    shutil.copy(src, tmp_path / "photo.jpg")
    body: list = [
        Paragraph(
            content=(
                Text(
                    text="The quick brown fox jumps over the lazy dog near the river bank "
                    f"while the council debates paragraph {i} of the budget, "
                ),
                Link(href="https://example.org/", children=(Text(text="a linked phrase"),)),
                Text(text=" and the town waits."),
            )
        )
        for i in range(n)
    ]
    body.insert(3, Subheading(level=2, content=(Text(text="A subheading"),)))
    body.insert(5, PullQuote(text="Nobody told me I was an importer", attribution="A café owner"))
    lead = None
    if image:
        lead = Figure(
            image=ImageRef(url=(tmp_path / "photo.jpg").as_uri()),
            alt="A café counter",
            caption=(Text(text="The counter at noon."),),
            credit="Sample Photographer",
        )
    article = Article(
        slug="small",
        headline="A small story for the press tests",
        kicker="News",
        standfirst="A standfirst that says what the story is about.",
        authors=(Author(name="Jane Reporter"),),
        published=datetime(2024, 6, 11, tzinfo=UTC),
        language="en-GB",
        lead=lead,
        body=tuple(body),
    )
    return article, ResourcePolicy().with_root(tmp_path)


# ---------------------------------------------------------------------------------------------
# Layout decisions (no rendering)
# ---------------------------------------------------------------------------------------------


def _geometry(name: str) -> Geometry:
    return Geometry.for_format(page_format(name), default_style())


def test_columns_per_format_come_from_the_style() -> None:
    assert _geometry("tabloid").columns == 5
    assert _geometry("berliner").columns == 6
    assert _geometry("a4").columns == 3
    assert (_geometry("a4").side_mm, _geometry("a4").top_mm) == (12, 18)
    custom = page_format("300x400")
    assert (custom.width_mm, custom.height_mm) == (300, 400)
    assert _geometry("300x400").columns == 5  # round(width / the style's measure)
    assert _geometry("120x200").columns == 2


def test_headline_is_sized_to_its_length() -> None:
    geometry = _geometry("tabloid")
    short = headline_size_pt("Dry", geometry)
    medium = headline_size_pt("The river that ran dry after thirty years", geometry)
    long = headline_size_pt(
        "The River That Ran Dry: How Chickens, Sewage and Thirty Years of Decisions Used Up the Cerrig",
        geometry,
    )
    assert short > medium > long >= 26


def test_stylesheets_hold_no_rgb() -> None:
    sheets = [p for p in STYLES.glob("*/*.css") if p.name != "epub.css"]
    assert len(sheets) >= 4
    css = "\n".join(p.read_text() for p in sheets)
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"url\([^)]*\)", "", css)
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b", css)
    assert not re.search(r"\b(rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(", css)
    for value in re.findall(r"(?:color|background(?:-color)?|border[a-z-]*)\s*:\s*([^;]+);", css):
        assert not re.search(r"\b(black|white|red|blue|grey|gray|currentcolor)\b", value, re.I), (
            value
        )


def test_fetcher_serves_only_the_style_folder_and_processed_images(tmp_path: Path) -> None:
    style_dir = tmp_path / "style"
    shutil.copytree(STYLES / "byline", style_dir, ignore=shutil.ignore_patterns("*.woff"))
    (tmp_path / "secret.txt").write_text("not for the press")
    (style_dir / "link.css").symlink_to(tmp_path / "secret.txt")
    (style_dir / "fonts" / "out").symlink_to(tmp_path)
    style = load_style(style_dir)
    fetcher = PressFetcher({"printedition-image:abc.jpg": b"\xff\xd8"}, style)
    base = style.base_url
    assert fetcher.fetch(base + "press.css").read().startswith(b"/*")
    assert fetcher.fetch("printedition-image:abc.jpg").read() == b"\xff\xd8"
    for url in (
        "file:///etc/passwd",
        base + "../secret.txt",
        base + "%2E%2E/secret.txt",
        base + "link.css",  # a symlink out of the folder
        base + "fonts/out/secret.txt",
        (tmp_path / "secret.txt").as_uri(),
        "http://127.0.0.1/x.png",
        "https://example.org/font.woff",
        "printedition-package:styles/press.css",
        "printedition-image:unknown.jpg",
        "data:text/css,body{}",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 11 and not fetcher.missing
    with pytest.raises(ValueError):
        fetcher.fetch(base + "fonts/libre-franklin/libre-franklin-400-normal.woff")
    assert fetcher.missing == ["fonts/libre-franklin/libre-franklin-400-normal.woff"]


def _styled_document(style: PageStyle, body: str, css: str) -> str:
    # As the press writers write one: the style's sheets linked, then the document's own; its
    # date in its head (without it the PDF carries the clock's second, and layouts a second
    # apart differ).
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>\n'
        f"{date_meta('2026-01-01T00:00:00+00:00')}"
        f"{stylesheet_links(style, ('fonts.css', 'press.css', 'makeup.css'))}"
        f"<style>\n{css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


@pytest.mark.slow
def test_stylesheets_parsed_once_a_process_lay_out_as_the_documents_links_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The style's sheets are parsed once a process and handed to WeasyPrint with the
    # document's own: the same cascade, so the same bytes as the links laid out every time.
    style = default_style()
    css = (
        "@page { size: 120mm 90mm; margin: 10mm; }\n"
        ".body p { color: #333; }\n"  # against press.css's own rules for the body
        "p.lead { margin-top: 2mm !important; }\n"
    )
    body = (
        '<div class="body"><p class="lead" id="a">One paragraph of text set in the body face,'
        ' long enough to break over lines.</p><p style="text-indent: 3mm">Another.</p></div>'
    )
    html = _styled_document(style, body, css)
    date = "2026-01-01"
    fast = [engine.render(html, {}, variant="x-1a", date=date, style=style) for _ in range(2)]
    monkeypatch.setattr(engine, "_own_sheets", lambda html, fetcher: None)
    linked = engine.render(html, {}, variant="x-1a", date=date, style=style)
    assert fast[0].pdf == fast[1].pdf == linked.pdf
    assert fast[0].boxes == linked.boxes and fast[0].spaces == linked.spaces


def test_stylesheets_stay_in_a_document_they_could_not_leave_unchanged() -> None:
    style = default_style()
    fetcher = PressFetcher({}, style)
    plain = _styled_document(style, "<p>Text.</p>", "p { color: #000; }\n")
    own = engine._own_sheets(plain, fetcher)
    assert own is not None and "<link" not in own[0] and "<style" not in own[0]
    assert len(own[1]) == 4  # three files and the document's own, in order
    for unsafe in (
        _styled_document(style, "<style>p { color: #111; }</style><p>Text.</p>", ""),
        _styled_document(style, '<p style="color: #000 !important">Text.</p>', ""),
        _styled_document(style, "<p>Text.</p>", "@layer base { p { color: #000; } }\n"),
    ):
        assert engine._own_sheets(unsafe, fetcher) is None


# ---------------------------------------------------------------------------------------------
# Whole documents
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("seed") / "seed.pdf"
    result = _print([load_article(SEED)], out, PressOptions())
    return out, result


@pytest.fixture(scope="module")
def all_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Article], object]:
    out = tmp_path_factory.mktemp("all") / "all.pdf"
    loaded = [load_article(d) for d in _sample_dirs()]
    result = _print(loaded, out, PressOptions())
    return out, [a for a, _ in loaded], result


def _assert_press_file(path: Path, fmt: PageFormat = PAGE_FORMATS["tabloid"]) -> None:
    report = preflight_file(path, page_format=fmt, bleed_mm=3, variant="x-1a")
    assert report.ok, report.summary_lines()
    assert report.pages % 4 == 0
    for boxes in report.boxes:
        assert boxes.trim_size_mm == (fmt.width_mm, fmt.height_mm)
    assert all(f.embedded for f in report.fonts) and report.fonts
    assert report.rgb == () and report.annotations == 0
    assert report.pdfx_version == "PDF/X-1a:2003"
    assert report.output_intents == ("IFRA26",)
    assert all(i.colour_space == "/DeviceGray" for i in report.images)
    assert all(i.ppi <= 301 for i in report.images)
    # No photo is cut by the page edge or split across pages: each stands inside the trim.
    for image in report.images:
        trim = report.boxes[image.page - 1].trim_mm
        assert trim is not None
        x0, y0, x1, y1 = image.bbox_mm
        assert trim[0] - 0.1 <= x0 and x1 <= trim[2] + 0.1, image
        assert trim[1] - 0.1 <= y0 and y1 <= trim[3] + 0.1, image
    with pikepdf.open(path) as pdf:
        intent = pdf.Root.OutputIntents[0]
        assert str(intent.RegistryName) == "http://www.color.org"
        assert str(pdf.trailer.Info.GTS_PDFXVersion) == "PDF/X-1a:2003"
        for page in pdf.pages:
            trim = [float(v) for v in page.obj.TrimBox]
            bleed = [float(v) for v in page.obj.BleedBox]
            assert abs((trim[0] - bleed[0]) * 25.4 / 72 - 3) < 0.01


@needs_poppler
def test_seed_article_is_a_press_file(seed_pdf: tuple[Path, object]) -> None:
    path, _ = seed_pdf
    _assert_press_file(path)
    # An independent reader agrees: every font embedded, the trim size.
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows)
    info = subprocess.run(
        ["pdfinfo", "-box", str(path)], capture_output=True, text=True, check=True
    )
    assert re.search(r"TrimBox:\s+\S+\s+\S+\s+819\.21\s+1077\.17", info.stdout), info.stdout
    text = _pdftotext(path)
    assert "The River That Ran Dry" in text.replace("\n", " ")
    assert "BYLINE TIMES" in text  # folio line on the pages after the first


@needs_poppler
def test_all_samples_pass_and_nothing_is_overset(
    all_pdf: tuple[Path, list[Article], object],
) -> None:
    path, articles, _ = all_pdf
    _assert_press_file(path)
    printed = Counter(_words(_pdftotext(path)))
    for article in articles:
        words = _words(article_text(article))
        wanted = Counter(words)
        found = sum(min(n, printed[w]) for w, n in wanted.items())
        assert found / len(words) >= 0.99, (article.slug, found, len(words))


def _page_lines(path: Path) -> list[list[tuple[float, float, float, str]]]:
    """Per page: (x, top, bottom, text) of every line, from poppler's own layout analysis."""
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages: list[list[tuple[float, float, float, str]]] = []
    for page in out.split("<page ")[1:]:
        lines = []
        for m in re.finditer(
            r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>',
            page,
            re.S,
        ):
            words = re.findall(r">([^<]*)</word>", m.group(4))
            lines.append((float(m.group(1)), float(m.group(2)), float(m.group(3)), " ".join(words)))
        pages.append(lines)
    return pages


@needs_poppler
def test_hyphenation_runs_are_short_and_broken_words_read_whole(
    all_pdf: tuple[Path, list[Article], object],
) -> None:
    """No more than three lines in a row of a column end in a hyphen (WeasyPrint has no
    hyphenate-limit-lines: the style's measure, face and limits keep the runs short), and a
    word the hyphenation broke reads whole again in pdftotext's text."""
    path, articles, _ = all_pdf
    vocabulary = {w for a in articles for w in _words(article_text(a))}
    longest, joined = 0, []
    for lines in _page_lines(path):
        columns: dict[int, list[tuple[float, float, float, str]]] = {}
        for line in lines:
            columns.setdefault(round(line[0] / 20), []).append(line)
        for column in columns.values():
            column.sort(key=lambda line: line[1])
            run = 0
            for (_, _, bottom, text), (_, top, _, after) in itertools.pairwise(column):
                broken = text.endswith("-") and top - bottom < 6 and after[:1].islower()
                run = run + 1 if broken else 0
                longest = max(longest, run)
                if broken and text[-2:-1].isalpha():
                    joined.append(text.split()[-1][:-1] + after.split()[0])
    assert longest <= 3
    words = [w for j in joined for w in _words(j)]
    assert len(words) >= 50, len(words)  # the samples do break words
    missing = [w for w in words if w not in vocabulary]
    assert len(missing) <= len(words) // 100, missing


@needs_poppler
def test_no_subheading_alone_at_the_foot_of_a_column(
    all_pdf: tuple[Path, list[Article], object],
) -> None:
    from printedition.model import inline_text, iter_blocks

    path, articles, _ = all_pdf
    heads = {
        inline_text(b.content).upper().split()[0]
        for a in articles
        for b in iter_blocks(a.body)
        if isinstance(b, Subheading) and inline_text(b.content).split()
    }
    heads = {h for h in heads if len(h) > 3}
    checked = 0
    for lines in _page_lines(path):
        for x, _top, bottom, text in lines:
            if not text.isupper() or text.split()[0] not in heads:
                continue
            below = [
                t
                for (x2, top2, _, t) in lines
                if abs(x2 - x) < 3 and top2 > bottom and not t.isupper()
            ]
            checked += 1
            assert len(below) >= 2, f"subheading {text!r} has {len(below)} line(s) under it"
    assert checked >= 10


def test_low_resolution_photo_is_reported(all_pdf: tuple[Path, list[Article], object]) -> None:
    _, _, result = all_pdf
    codes = [w.code for w in result.warnings]  # type: ignore[attr-defined]
    assert "image-low-ppi" in codes
    assert "font-fallback" not in codes
    assert "layout" not in codes  # WeasyPrint took every rule of the stylesheets


def test_cmyk_with_profile_is_pdf_x4(tmp_path: Path) -> None:
    if not ICC.is_file():
        pytest.skip("Ghostscript's default_cmyk.icc is not installed")
    out = tmp_path / "cmyk.pdf"
    options = PressOptions(colour="cmyk", icc_profile=ICC, variant="x-4")
    result = _print([_small_article(tmp_path)], out, options)
    assert result.preflight is not None and result.preflight.ok, result.preflight
    report = preflight_file(out, page_format=PAGE_FORMATS["tabloid"], bleed_mm=3, variant="x-4")
    assert report.ok and report.pdfx_version == "PDF/X-4"
    assert {i.colour_space for i in report.images} == {"/DeviceCMYK"}
    with pikepdf.open(out) as pdf:
        assert "/DestOutputProfile" in pdf.Root.OutputIntents[0]


def test_large_bleed_is_fixed_beyond_weasyprints_cap(tmp_path: Path) -> None:
    out = tmp_path / "bleed.pdf"
    _print(
        [_small_article(tmp_path)], out, PressOptions(bleed_mm=5, page_format=PAGE_FORMATS["a4"])
    )
    report = preflight_file(out, page_format=PAGE_FORMATS["a4"], bleed_mm=5, variant="x-1a")
    assert report.ok, report.summary_lines()
    assert report.pages == 4  # the house pages' type is scaled to A4: each keeps to its page


@needs_poppler
def test_proof_keeps_links_and_marks_itself(tmp_path: Path) -> None:
    out = tmp_path / "proof.pdf"
    result = _print([_small_article(tmp_path)], out, PressOptions(), proof=True)
    assert result.preflight is None
    report = preflight_file(out)
    assert report.annotations > 0 and report.pdfx_version == ""
    assert "PROOF - not for press" in _pdftotext(out)


@needs_poppler
def test_short_issue_is_padded_to_four_pages(tmp_path: Path) -> None:
    out = tmp_path / "short.pdf"
    result = _print([_small_article(tmp_path, n=4)], out, PressOptions())
    assert result.pages == 4 and result.padded_pages == 3
    pages = _pdftotext(out).split("\f")
    # The house pages carry the folio and go on counting, the number on the outer edge.
    assert pages[1].splitlines()[0] == "2 · BYLINE TIMES"  # a left page
    assert "BYLINE TIMES · 3" in pages[2].splitlines()  # a right page
    assert pages[3].splitlines()[0] == "4 · BYLINE TIMES"
    assert "Byline Times" in pages[3]


# ---------------------------------------------------------------------------------------------
# Bad input: one line, no partial file
# ---------------------------------------------------------------------------------------------


def test_missing_image_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    article, policy = _small_article(tmp_path)
    (tmp_path / "photo.jpg").unlink()
    out = tmp_path / "out.pdf"
    with pytest.raises(Exception) as info:
        _print([(article, policy)], out, PressOptions())
    assert "photo.jpg" in str(info.value)
    assert not out.exists() and not list(tmp_path.glob(".out.pdf.*"))


def test_corrupt_image_is_an_error(tmp_path: Path) -> None:
    article, policy = _small_article(tmp_path)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(ImageError):
        _print([(article, policy)], tmp_path / "out.pdf", PressOptions())


def test_missing_profile_and_cmyk_without_profile(tmp_path: Path) -> None:
    art = _small_article(tmp_path, image=False)
    with pytest.raises(ConfigError, match="ICC profile not found"):
        _print(
            [art], tmp_path / "o.pdf", PressOptions(colour="cmyk", icc_profile=tmp_path / "no.icc")
        )
    with pytest.raises(ConfigError, match="--icc"):
        _print([art], tmp_path / "o.pdf", PressOptions(colour="cmyk"))
    not_icc = tmp_path / "bad.icc"
    not_icc.write_bytes(b"garbage")
    with pytest.raises(ConfigError, match="ICC"):
        _print([art], tmp_path / "o.pdf", PressOptions(colour="cmyk", icc_profile=not_icc))
    assert not (tmp_path / "o.pdf").exists()


def test_missing_font_is_an_error(tmp_path: Path) -> None:
    style_dir = tmp_path / "style"
    shutil.copytree(STYLES / "byline", style_dir)
    for font in (style_dir / "fonts" / "libre-caslon-text").glob("*-400-normal.woff"):
        font.unlink()
    out = tmp_path / "o.pdf"
    options = PressOptions(style=load_style(style_dir))
    with pytest.raises(ConfigError, match="missing fonts/libre-caslon-text") as info:
        _print([_small_article(tmp_path, image=False)], out, options)
    assert info.value.where == str(style_dir)
    assert not out.exists()


def test_unwritable_output(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        _print([_small_article(tmp_path, image=False)], tmp_path / "nope" / "o.pdf", PressOptions())


def test_interrupted_run_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import printedition.press.pdf as press_pdf

    def interrupt(*args: object, **kwargs: object) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(press_pdf, "preflight_press", interrupt)
    out = tmp_path / "o.pdf"
    with pytest.raises(KeyboardInterrupt):
        _print([_small_article(tmp_path, image=False)], out, PressOptions())
    assert not out.exists() and not list(tmp_path.glob(".o.pdf.*"))


# ---------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------


def _model_file(tmp_path: Path, **kw: object) -> Path:
    from printedition.model import to_json

    article, _ = _small_article(tmp_path, **kw)  # type: ignore[arg-type]
    path = tmp_path / "story.json"
    path.write_text(to_json(article), encoding="utf-8")
    return path


@needs_poppler
def test_cli_pdf_prints_preflight_and_proof_writes_pngs(tmp_path: Path) -> None:
    model = _model_file(tmp_path)
    out = tmp_path / "paper.pdf"
    result = CliRunner().invoke(main, ["pdf", str(model), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "preflight: passed" in result.output and "PDF/X-1a:2003" in result.output
    proofs = tmp_path / "proofs"
    result = CliRunner().invoke(main, ["proof", str(out), "-o", str(proofs), "--dpi", "12"])
    assert result.exit_code == 0, result.output
    assert len(list(proofs.glob("page-*.png"))) == 4
    assert (proofs / "contact-sheet.png").stat().st_size > 0


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    model = _model_file(tmp_path)
    runner = CliRunner()
    result = runner.invoke(
        main, ["pdf", str(model), "-o", str(tmp_path / "o.pdf"), "--colour", "cmyk"]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: --colour cmyk needs the printer's profile: add --icc PROFILE.icc"
    ]
    result = runner.invoke(main, ["pdf", str(model), "-o", str(tmp_path / "missing" / "o.pdf")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path / 'missing' / 'o.pdf'}: output folder {tmp_path / 'missing'} does not exist"
    ]
    (tmp_path / "photo.jpg").unlink()
    result = runner.invoke(main, ["pdf", str(model), "-o", str(tmp_path / "o.pdf")])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("Error: ") and "photo.jpg" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.pdf").exists()


def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    art = _small_article(tmp_path)
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    _print([art], first, PressOptions())
    _print([art], second, PressOptions())
    assert first.read_bytes() == second.read_bytes()


def test_press_images_grey_and_cmyk_chart() -> None:
    from io import BytesIO

    from PIL import Image

    from printedition.images import prepare_for_press

    chart = next((SAMPLES / "councils-face-funding-cliff").glob("*.png")).read_bytes()
    grey = prepare_for_press(chart, where="chart", colour="grey", placed_width_mm=50)
    assert grey.media_type == "image/png" and Image.open(BytesIO(grey.data)).mode == "L"
    assert grey.width == round(50 / 25.4 * 300)  # resampled to 300 ppi where it stands
    if ICC.is_file():
        cmyk = prepare_for_press(
            chart, where="chart", colour="cmyk", icc=ICC.read_bytes(), placed_width_mm=50
        )
        assert cmyk.media_type == "image/jpeg"
        assert Image.open(BytesIO(cmyk.data)).mode == "CMYK"


@pytest.mark.parametrize(
    ("folder", "pattern", "crop"),
    [
        ("the-river-that-ran-dry", "hill-farmer-portrait.jpg", 0.6),
        ("councils-face-funding-cliff", "*.png", None),
    ],
)
def test_press_images_in_several_colours_come_out_as_one_at_a_time(
    folder: str, pattern: str, crop: float | None
) -> None:
    """A photo resampled once for the press and the proof comes out byte for byte as each
    conversion alone (a portrait turned upright and cropped; a chart kept as a PNG)."""
    from printedition.images import prepare_for_press, prepare_for_press_in

    source = next((SAMPLES / folder).glob(pattern)).read_bytes()
    colours = ("grey", "rgb", "cmyk") if ICC.is_file() else ("grey", "rgb")
    icc = ICC.read_bytes() if ICC.is_file() else None
    args = {"where": folder, "icc": icc, "placed_width_mm": 51.0, "crop_ratio": crop}
    together = prepare_for_press_in(source, colours, **args)  # type: ignore[arg-type]
    alone = tuple(prepare_for_press(source, colour=c, **args) for c in colours)  # type: ignore[arg-type]
    assert together == alone
    assert len({p.data for p in together}) == len(colours)  # (each its own colour)


# ---------------------------------------------------------------------------------------------
# House material: the foot of short pages and the pad pages
# ---------------------------------------------------------------------------------------------


@needs_poppler
def test_samples_are_made_up_into_pages_of_several_stories(
    all_pdf: tuple[Path, list[Article], object],
) -> None:
    """Every sample in one PDF: a multiple of four pages, pages that carry several stories,
    every story starting on the page the flatplan says, no headline in the bottom fifth."""
    path, articles, result = all_pdf
    plan = result.flatplan  # type: ignore[attr-defined]
    assert result.pages % 4 == 0 and len(plan.pages) == result.pages  # type: ignore[attr-defined]
    shared = [p for p in plan.pages if len(p.slugs) >= 2]
    assert len(shared) >= 2, [p.slugs for p in plan.pages]
    texts = _pdftotext(path).split("\f")
    for article in articles:
        start = plan.start_page(article.slug)
        assert start is not None, article.slug
        headline = " ".join(article.headline.split()[:3])
        assert headline in " ".join(texts[start - 1].split()), (article.slug, start)
    for page in plan.pages:
        for placed in page.stories:
            if placed.head is not None:
                assert placed.head.top_mm <= 0.8 * plan.grid.height_mm, (page.number, placed.slug)


@needs_poppler
def test_house_pages_say_what_the_settings_say(tmp_path: Path) -> None:
    from printedition.settings import Paper

    paper = Paper(
        name="The Weekly Test",
        tagline="A tagline for the test",
        url="https://example.org",
        price="£3.10",
        subscribe_title="Take the Weekly Test home",
        appeal_title="Keep the Weekly Test going",
    )
    out = tmp_path / "house.pdf"
    result = _print([_small_article(tmp_path, n=4)], out, PressOptions(paper=paper))
    assert result.pages == 4 and result.padded_pages == 3
    pages = [" ".join(p.split()) for p in _pdftotext(out).split("\f")]
    back = pages[3]  # the back page: the subscription advert, with price and address
    assert "Take the Weekly Test home" in back and "£3.10 an issue" in back
    assert "example.org" in back and "bylinetimes" not in " ".join(pages).lower()
    assert "Keep the Weekly Test going" in pages[2]
    assert "About us" in pages[1] and "published by" in pages[1]
    assert pages[1].startswith("2 · THE WEEKLY TEST")  # house pages keep the folio


@needs_poppler
def test_drop_cap_word_is_read_whole_and_nested_list_bullets_sit_on_their_line(
    all_pdf: tuple[Path, list[Article], object],
) -> None:
    from printedition.model import inline_text

    path, articles, _ = all_pdf
    text = _pdftotext(path)
    flat = " ".join(text.split())
    for article in articles:
        first = next(b for b in article.body if isinstance(b, Paragraph))
        opening = " ".join(inline_text(first.content).split()[:2])
        assert opening in flat, (article.slug, opening)
    # An item that opens with a paragraph and holds a list: its bullet leads its first line.
    assert re.search(r"(?m)^• collected by contractors", text)


@needs_poppler
def test_the_issue_panels_fill_the_pad_pages(tmp_path: Path) -> None:
    notice = '<div class="house-panel house-notice"><p class="house-title">Letters to the editor</p></div>'
    out = tmp_path / "panels.pdf"
    matter = EditionMatter(house_panels=(notice,))
    result = _print([_small_article(tmp_path, n=4)], out, PressOptions(), matter=matter)
    assert result.pages == 4 and result.padded_pages >= 1
    pages = [p for p in _pdftotext(out).split("\f") if p.strip()]
    assert "Letters to the editor" in " ".join(pages[-1].split())


# ---------------------------------------------------------------------------------------------
# Styles: the look is data (style.toml read by the planner and the stylesheets alike)
# ---------------------------------------------------------------------------------------------


def _text_columns(path: Path, page: int) -> int:
    """How many columns of body text stand on ``page`` (1-based): the left edges of its lines,
    clustered (a paragraph's indent stays in its column); a column has at least eight lines."""
    xs = sorted(x for x, _, _, text in _page_lines(path)[page - 1] if len(text) > 20)
    clusters: list[list[float]] = []
    for x in xs:
        if clusters and x - clusters[-1][-1] < 12:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    return sum(1 for c in clusters if len(c) >= 8)


@needs_poppler
def test_columns_in_style_toml_are_the_columns_on_the_page(
    tmp_path: Path, seed_pdf: tuple[Path, object]
) -> None:
    style_dir = tmp_path / "four-columns"
    shutil.copytree(STYLES / "byline", style_dir)
    toml = style_dir / "style.toml"
    text, count = re.subn(r"(?m)^columns = 5\b", "columns = 4", toml.read_text())
    assert count == 1
    toml.write_text(text)
    out = tmp_path / "four.pdf"
    result = CliRunner().invoke(main, ["pdf", str(SEED), "-o", str(out), "--style", str(style_dir)])
    assert result.exit_code == 0, result.output
    assert "preflight: passed" in result.output
    assert _text_columns(out, 2) == 4
    assert _text_columns(seed_pdf[0], 2) == 5  # the default style, built the same way


@pytest.fixture(scope="module")
def newsletter_pdf(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, list[Article], object]:
    """Every sample in the second bundled style: A4, three columns, sans headlines."""
    from printedition.style import resolve_style

    out = tmp_path_factory.mktemp("newsletter") / "newsletter.pdf"
    loaded = [load_article(d) for d in _sample_dirs()]
    options = PressOptions(style=resolve_style("newsletter"), page_format=PAGE_FORMATS["a4"])
    result = _print(loaded, out, options)
    return out, [a for a, _ in loaded], result


@needs_poppler
def test_the_newsletter_style_sets_every_sample_and_passes_the_preflight(
    newsletter_pdf: tuple[Path, list[Article], object],
) -> None:
    path, articles, result = newsletter_pdf
    _assert_press_file(path, PAGE_FORMATS["a4"])
    printed = Counter(_words(_pdftotext(path)))
    for article in articles:
        words = _words(article_text(article))
        found = sum(min(n, printed[w]) for w, n in Counter(words).items())
        assert found / len(words) >= 0.99, (article.slug, found, len(words))
    codes = {w.code for w in result.warnings}  # type: ignore[attr-defined]
    assert not codes & {"font-fallback", "layout", "resource-refused"}, codes
    assert _text_columns(path, 2) == 3
    fonts = {f.name.split("+", 1)[-1] for f in preflight_file(path).fonts}
    assert not any("Condensed" in name for name in fonts), fonts  # its headlines are sans
    assert any("Caslon-Text" in name for name in fonts), fonts


def test_a_story_continued_from_another_page_has_no_drop_cap(tmp_path: Path) -> None:
    """A drop cap marks where a story opens: the cover story's continuation inside (``[cover]
    jump``) opens mid-story, so its first paragraph is set plain, its first word whole."""
    from printedition.press.layout import StoryLayout
    from printedition.press.makeup import body_html

    article, _ = _small_article(tmp_path, n=3, image=False)
    opening = body_html(StoryLayout(article=article, plans={}, hrefs={}), "en-GB")
    continued = body_html(StoryLayout(article=article, plans={}, hrefs={}, opening=False), "en-GB")
    assert 'class="dropcap"' in opening and 'class="opener"' in opening
    assert "dropcap" not in continued and "opener" not in continued
    assert "<p" in continued and "The quick brown fox" in continued
