"""The front page's jump ([cover] jump = true), on a two-story issue of its own (a test file
apart from test_issue_build.py, whose tests share the session's sample build: the test
workers balance better)."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from test_issue_build import ROOT, _letters, page_list, pdftotext, squash

from printedition.issue import BuildOptions, IssueReport, build_issue, load_manifest
from printedition.validate import check_epub

pytestmark = pytest.mark.slow

ARTICLES = ROOT / "samples" / "articles"


def _build(
    tmp_path: Path,
    number: int,
    slugs: list[str],
    *,
    issue: str = "",
    cover: str = "",
    validate: bool = True,
) -> IssueReport:
    """A small issue of sample articles in one News section, the first the cover story,
    built into ``tmp_path/out``; ``issue`` and ``cover``: more lines of those tables."""
    listed = "".join(f'  "{ARTICLES}/{slug}/index.html",\n' for slug in slugs)
    manifest = tmp_path / "issue.toml"
    manifest.write_text(
        '[paper]\nname = "Byline Times"\nformat = "tabloid"\n'
        f'[issue]\nnumber = {number}\ncover_date = "December 2026"\ndate = 2026-12-01\n{issue}'
        f'[cover]\narticle = "{slugs[0]}"\n{cover}'
        f"[[sections]]\ntitle = \"News\"\narticles = [\n{listed}]\n",
        encoding="utf-8",
    )
    return build_issue(
        load_manifest(manifest),
        BuildOptions(
            out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", source_date_epoch=1_790_000_000,
            validate=validate,
        ),
    )


def test_a_cover_story_that_jumps_continues_inside_without_repeating(tmp_path: Path) -> None:
    """[cover] jump = true: the front page opens the story ("Continued on page N"), page N
    carries on from there under "Continued from page 1", nothing is printed twice, nothing
    lost, and the contents say the story starts on page 1. The EPUBs' page lists follow it:
    page 1 at the story's start, each later page at text printed on it."""
    from printedition.model import Paragraph, inline_text

    articles = ARTICLES
    report = _build(
        tmp_path, 7, ["councils-face-funding-cliff", "rail-strike-called-off"], cover="jump = true\n"
    )
    assert report.ok
    pdf = tmp_path / "out" / "issue-7-press.pdf"
    with pikepdf.open(pdf) as doc:
        pages = len(doc.pages)
    texts = {n: squash(pdftotext(pdf, n)) for n in range(1, pages + 1)}
    turn = re.search(r"continued on page (\d+)", texts[1])
    assert turn, texts[1][:2000]
    inside = int(turn.group(1))
    assert inside > 1 and "continued from page 1" in texts[inside]
    assert "full story, page" not in texts[1]
    # Every paragraph printed once in the whole PDF: the opening on the front, the rest inside.
    story = next(a for a in report.articles if a.slug == "councils-face-funding-cliff")
    from printedition.ingest.normalise import normalise_file

    model = normalise_file(articles / story.slug / "index.html")
    everything = " ".join(texts.values())
    paras = [squash(inline_text(b.content)) for b in model.body if isinstance(b, Paragraph)]
    first_words = [p[:60] for p in paras if len(p) > 80]
    assert first_words
    for start in first_words:
        assert everything.count(start) == 1, start
    assert first_words[0] in texts[1] and first_words[0] not in texts[inside]
    # The contents list the cover story at page 1, where it starts.
    contents = next(n for n, t in texts.items() if "contents no. 7" in t)
    rows = [squash(x) for x in pdftotext(pdf, contents, layout=True).splitlines()]
    head = squash(story.headline)[:30]
    row = next(i for i, x in enumerate(rows) if x.startswith(head))
    claimed = next(m for x in rows[row : row + 2] if (m := re.search(r" (\d{1,3})$", x)))
    assert int(claimed.group(1)) == 1
    # The issue EPUB holds the story whole, once: page 1 marks its start, page N the words
    # the continuation opens with there.
    listed = page_list(tmp_path / "out" / "issue-7.epub")
    own = [(n, w) for n, w in listed if n in (1, inside)]
    assert [n for n, _ in own] == [1, inside]
    assert _letters(" ".join(own[0][1])) == _letters(paras[0])[: len(_letters(" ".join(own[0][1])))]
    for page, words in listed:
        assert words and _letters(" ".join(words)) in _letters(pdftotext(pdf, page)), (page, words)
    assert [m.format() for m in check_epub([tmp_path / "out" / "issue-7.epub"])] == []


def test_a_cover_story_that_does_not_jump_runs_whole_inside(tmp_path: Path) -> None:
    """By default ([cover] jump unset) the front page carries the cover story's opening and
    says "Full story, page N": page N carries the story whole, from its first paragraph, and
    the contents give page N; no "continued" line anywhere."""
    from printedition.model import Paragraph, inline_text

    articles = ARTICLES
    report = _build(
        tmp_path, 8, ["councils-face-funding-cliff", "rail-strike-called-off"], validate=False
    )
    assert report.ok
    pdf = tmp_path / "out" / "issue-8-press.pdf"
    with pikepdf.open(pdf) as doc:
        pages = len(doc.pages)
    texts = {n: squash(pdftotext(pdf, n)) for n in range(1, pages + 1)}
    turn = re.search(r"full story, page (\d+)", texts[1])
    assert turn, texts[1][:2000]
    inside = int(turn.group(1))
    story = next(a for a in report.articles if a.slug == "councils-face-funding-cliff")
    from printedition.ingest.normalise import normalise_file

    model = normalise_file(articles / story.slug / "index.html")
    paras = [squash(inline_text(b.content)) for b in model.body if isinstance(b, Paragraph)]
    # The opening is on the front page and again, whole story, inside.
    assert paras[0][:60] in texts[1] and paras[0][:60] in texts[inside]
    assert squash(story.headline)[:40] in texts[inside]
    assert "continued on page" not in texts[1] and "continued from page 1" not in texts[inside]
    contents = next(n for n, t in texts.items() if "contents no. 8" in t)
    rows = [squash(x) for x in pdftotext(pdf, contents, layout=True).splitlines()]
    row = next(i for i, x in enumerate(rows) if x.startswith(squash(story.headline)[:30]))
    claimed = next(m for x in rows[row : row + 2] if (m := re.search(r" (\d{1,3})$", x)))
    assert int(claimed.group(1)) == inside


def test_a_fixed_page_count_leaves_out_whole_stories_and_says_so(tmp_path: Path) -> None:
    """[issue] pages = 4 with more copy than four pages hold: the long read is left out whole
    (no part of it printed, nothing cut short), the contents do not list it, its article
    carries a warning saying by how much, and the summary's last line says stories are
    left out."""
    articles = ARTICLES
    slugs = ["councils-face-funding-cliff", "rail-strike-called-off", "the-river-that-ran-dry"]
    report = _build(tmp_path, 9, slugs, issue="pages = 4\n", validate=False)
    assert report.ok
    pdf = tmp_path / "out" / "issue-9-press.pdf"
    with pikepdf.open(pdf) as doc:
        assert len(doc.pages) == 4
    river = next(a for a in report.articles if a.slug == "the-river-that-ran-dry")
    (left,) = [w for w in river.warnings if w.code == "makeup-left-out"]
    assert "left out of the 4 pages" in left.message and "words" in left.message
    everything = squash(" ".join(pdftotext(pdf, n) for n in range(1, 5)))
    assert squash(river.headline)[:40] not in everything
    from printedition.ingest.normalise import normalise_file
    from printedition.model import Paragraph, inline_text

    model = normalise_file(articles / river.slug / "index.html")
    opening = squash(inline_text(next(b for b in model.body if isinstance(b, Paragraph)).content))
    assert opening[:60] not in everything
    assert "left out of the fixed page count" in report.summary().splitlines()[-1]
    press = next(o for o in report.outputs if o.kind == "press-pdf")
    assert any("do not fit the 4 pages" in n or "does not fit the 4 pages" in n for n in press.flatplan["notes"])
