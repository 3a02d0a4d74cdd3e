"""issue.toml validation: frozen values out, or one ManifestError naming key, line and fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from printedition.errors import ManifestError
from printedition.issue.keylines import KeyLines
from printedition.issue.manifest import load_manifest
from printedition.settings import DEFAULT_BLEED_MM, VARIANTS

HEAD = """\
[paper]
name = "The Test Paper"
format = "tabloid"

[issue]
number = 7
cover_date = "March 2027"

[cover]
article = "one"
"""


def _write(tmp_path: Path, body: str, head: str = HEAD) -> Path:
    for slug in ("one", "two", "three"):
        (tmp_path / slug).mkdir(exist_ok=True)
        (tmp_path / slug / "index.html").write_text("<html></html>")
    path = tmp_path / "issue.toml"
    path.write_text(head + textwrap.dedent(body))
    return path


SECTIONS = """
[[sections]]
title = "News"
articles = ["one/index.html", "two/"]

[[sections]]
title = "Opinion"

  [[sections.articles]]
  source = "three/index.html"
  headline = "A shorter print headline"
  only = "print"
  lead = "omit"
"""


def test_valid_manifest_parses_into_frozen_values(tmp_path: Path) -> None:
    m = load_manifest(_write(tmp_path, SECTIONS + '\n[[house]]\nkind = "appeal"\ntitle = "Help"\n'))
    assert m.paper.paper.name == "The Test Paper" and m.paper.colour == "grey"
    assert m.issue.number == 7 and m.issue.cover_date == "March 2027"
    assert [s.title for s in m.sections] == ["News", "Opinion"]
    one, two, three = m.entries()
    assert one.source == str(tmp_path / "one" / "index.html")
    assert two.source == str(tmp_path / "two")
    assert three.headline == "A shorter print headline" and three.only == "print"
    assert three.lead is not None and three.lead.omit
    assert not three.in_epub and three.in_print
    assert m.cover.article == one.source
    assert m.house[0].kind == "appeal"
    with pytest.raises(AttributeError):
        m.issue.number = 8  # type: ignore[misc]


def test_sample_issue_is_valid() -> None:
    sample = Path(__file__).parent.parent / "samples" / "issue" / "issue.toml"
    m = load_manifest(sample)
    assert len(m.sections) >= 4
    assert {k.kind for k in m.house} >= {"subscription", "appeal", "contents"}
    article_dirs = sorted(
        p.parent for p in (sample.parent.parent / "articles").glob("*/index.html")
    )
    assert sorted(Path(e.source).parent for e in m.entries()) == article_dirs


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            SECTIONS.replace('only = "print"', 'only = "paper"'),
            r"issue.toml:22: sections\[1\].articles\[0\].only: must be one of 'both', 'print', 'epub', not 'paper'",
        ),
        (
            SECTIONS.replace('headline = "A', 'hedline = "A'),
            r"issue.toml:21: sections\[1\].articles\[0\].hedline: unknown key; did you mean 'headline'\?",
        ),
        (
            SECTIONS.replace("three/index.html", "four/index.html"),
            r"issue.toml:20: sections\[1\].articles\[0\].source: article page 'four/index.html' not found",
        ),
        (
            SECTIONS.replace('title = "Opinion"', 'title = "news"'),
            r"issue.toml:17: sections\[1\].title: section 'news' appears twice",
        ),
        (
            SECTIONS.replace('"two/"]', '"two/", "one/index.html"]'),
            r"issue.toml:14: sections\[0\].articles\[2\]: this article is already listed at line 14",
        ),
        (
            SECTIONS.replace('lead = "omit"', 'lead_credit = "AP"'),
            r"issue.toml:23: sections\[1\].articles\[0\].lead_credit: only applies with lead",
        ),
        (
            SECTIONS + '\n[[house]]\nkind = "advert"\ntitle = "x"\n',
            r"issue.toml:26: house\[0\].kind: must be one of 'subscription', 'appeal', 'contents', 'notice'",
        ),
        (
            SECTIONS + "\n[limits]\nfetch_timeout = -1\n",
            r"issue.toml:26: limits.fetch_timeout: must be a number ≥ 0",
        ),
        (
            '\n[[sections]]\ntitle = "News"\narticles = []\n',
            r"issue.toml:14: sections\[0\].articles: must list at least one article",
        ),
        (
            SECTIONS.replace('"two/"', '"ftp://example.org/a"'),
            r"issue.toml:14: sections\[0\].articles\[1\]: must be a local path or an http\(s\) URL",
        ),
    ],
    ids=[
        "choice",
        "unknown-key",
        "missing-file",
        "duplicate-section",
        "duplicate-article",
        "lead-extra",
        "house-kind",
        "limits",
        "empty-section",
        "bad-scheme",
    ],
)
def test_errors_name_key_line_and_fix(tmp_path: Path, body: str, expected: str) -> None:
    with pytest.raises(ManifestError, match=expected):
        load_manifest(_write(tmp_path, body))


@pytest.mark.parametrize(
    ("head_change", "expected"),
    [
        (
            ('format = "tabloid"', 'format = "quarto"'),
            r"issue.toml:3: paper.format: unknown page format 'quarto'",
        ),
        (
            ('format = "tabloid"', 'colour = "cmyk"'),
            r"issue.toml:3: paper.colour: cmyk needs the printer's profile",
        ),
        (
            ("number = 7", "number = 0"),
            r"issue.toml:6: issue.number: must be a whole number ≥ 1, not 0",
        ),
        (
            ('cover_date = "March 2027"', "cover_date = 3"),
            r"issue.toml:7: issue.cover_date: must be the date as printed",
        ),
        (
            ('article = "one"', 'article = "nine"'),
            r"issue.toml:10: cover.article: 'nine' is not one of the articles",
        ),
        (
            ('format = "tabloid"', 'variant = "pdf/x-3"'),
            r"issue.toml:3: paper.variant: must be one of 'x-1a' \(PDF/X-1a:2003\), "
            r"'x-4' \(PDF/X-4, needs the ICC profile\), 'none' \(a plain PDF, not for press\), "
            r"not 'pdf/x-3'$",
        ),
        (
            ('format = "tabloid"', 'variant = "x-4"'),
            r"issue.toml:3: paper.variant: 'x-4' needs the printer's profile: "
            r'add icc = "profile.icc" \(or use variant = "x-1a"\)$',
        ),
        (
            ('format = "tabloid"', "bleed = 50"),
            r"issue.toml:3: paper.bleed: must be a number from 0 to 20 \(mm\), not 50$",
        ),
        (
            ('format = "tabloid"', 'bleed = "3mm"'),
            r"issue.toml:3: paper.bleed: must be a number from 0 to 20 \(mm\), not '3mm'$",
        ),
        (
            ('article = "one"', 'article = "one"\njump = "yes"'),
            r"issue.toml:11: cover.jump: must be true or false, not 'yes'$",
        ),
    ],
    ids=[
        "format",
        "cmyk-without-icc",
        "number",
        "cover-date",
        "cover-article",
        "variant-x3",
        "x4-without-icc",
        "bleed-50",
        "bleed-text",
        "cover-jump",
    ],
)
def test_header_errors(tmp_path: Path, head_change: tuple[str, str], expected: str) -> None:
    with pytest.raises(ManifestError, match=expected):
        load_manifest(_write(tmp_path, SECTIONS, HEAD.replace(*head_change)))


@pytest.mark.parametrize(
    ("spelling", "variant"),
    [("x-1a", "x-1a"), ("pdf/x-1a", "x-1a"), ("PDF/X-4", "x-4"), ("x-4", "x-4"), ("none", "none")],
)
def test_variant_spellings_read_as_the_registry_name(
    tmp_path: Path, spelling: str, variant: str
) -> None:
    # The manifest once spelled variants "pdf/x-1a"; those files still load, as the one name
    # the press, the CLI and the preflight know.
    (tmp_path / "printer.icc").write_bytes(b"a profile")
    head = HEAD.replace('format = "tabloid"', f'variant = "{spelling}"\nicc = "printer.icc"')
    m = load_manifest(_write(tmp_path, SECTIONS, head))
    assert m.paper.variant == variant and m.paper.variant in VARIANTS
    assert m.paper.bleed_mm == DEFAULT_BLEED_MM


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"issue.toml:13: not valid TOML"):
        load_manifest(_write(tmp_path, '\n[[sections]]\ntitle = "News\n'))


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no such file"):
        load_manifest(tmp_path / "nope.toml")


def test_key_lines_for_multiline_arrays() -> None:
    lines = KeyLines('a = [\n  "x",\n  { source = "y" },\n  "z" ]\n[t]\nk = 1\n')
    assert [lines.line(("a", i)) for i in range(3)] == [2, 3, 4]
    assert lines.line(("a", 1, "source")) == 3
    assert lines.line(("t", "k")) == 6 and lines.line(("t", "missing")) == 5


def test_make_up_controls_are_read_and_checked(tmp_path: Path) -> None:
    """size, page and span per article and pages per issue: read, and a bad one named."""
    page = tmp_path / "a.html"
    page.write_text("<html><body><article><h1>A</h1><p>Text.</p></article></body></html>")
    base = (
        '[paper]\nname = "P"\n[issue]\nnumber = 1\ncover_date = "May 2026"\npages = 8\n'
        '[cover]\narticle = "a.html"\n[[sections]]\ntitle = "News"\n'
        '  [[sections.articles]]\n  source = "a.html"\n  size = "brief"\n  page = 3\n  span = 2\n'
    )
    (tmp_path / "issue.toml").write_text(base)
    manifest = load_manifest(tmp_path / "issue.toml")
    entry = manifest.entries()[0]
    assert (entry.size, entry.page, entry.span, manifest.issue.pages) == ("brief", 3, 2, 8)
    (tmp_path / "issue.toml").write_text(base.replace('size = "brief"', 'size = "huge"'))
    with pytest.raises(ManifestError, match=r"issue\.toml:\d+: sections\[0\]\.articles\[0\]\.size"):
        load_manifest(tmp_path / "issue.toml")
