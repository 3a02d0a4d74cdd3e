"""Quality gate: the normaliser against Mozilla Readability's test pages (tests/corpora/readability).

On the 94 real pages (source.html ≥ 5 KB): token F1 of ``article_text`` against the text of
expected.html, mean ≥ 0.96 and median ≥ 0.99; title exact match ≥ 0.90; byline match ≥ 0.80
where a byline is expected. The 36 tiny synthetic pages each give an article or a clear
NoArticleError. The scorer is bench/scoring.py, shared with bench/normalise.py. The gate
counts its cases, so it cannot pass by scoring fewer pages.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import scoring

from printedition.errors import NoArticleError
from printedition.ingest.normalise import normalise_article

REAL_PAGES = 94
SYNTHETIC_PAGES = 36


@pytest.fixture(scope="module")
def report() -> scoring.Report:
    cases = scoring.cases(real_only=True)
    assert len(cases) == REAL_PAGES, f"expected {REAL_PAGES} real pages under {scoring.CORPUS}"
    return scoring.score(scoring.printedition_extractor, cases)


def test_every_real_page_scored(report: scoring.Report) -> None:
    assert len(report.results) == REAL_PAGES
    failed = [r.case for r in report.results if r.got_byline.startswith("<")]
    assert not failed, f"pages that raised instead of giving an article: {failed}"


def test_body_text_f1(report: scoring.Report) -> None:
    worst = sorted(report.results, key=lambda r: r.f1)[:5]
    detail = ", ".join(f"{r.case} {r.f1:.2f}" for r in worst)
    assert report.f1_mean >= 0.96, f"{report.summary()}; worst: {detail}"
    assert report.f1_median >= 0.99, report.summary()


def test_title_exact_match(report: scoring.Report) -> None:
    misses = [(r.case, r.got_title, r.want_title) for r in report.results if not r.title_ok]
    assert report.title_rate >= 0.90, f"{report.summary()}; misses: {misses}"


def test_byline_match(report: scoring.Report) -> None:
    expected = [r for r in report.results if r.byline_expected]
    assert len(expected) >= 70  # the corpus has 71 real pages with a byline
    misses = [(r.case, r.got_byline, r.want_byline) for r in expected if not r.byline_ok]
    assert report.byline_rate >= 0.80, f"{report.summary()}; misses: {misses}"


def test_synthetic_pages_give_an_article_or_a_clear_error() -> None:
    cases = scoring.cases(real_only=False)
    assert len(cases) == SYNTHETIC_PAGES
    articles = 0
    for case in cases:
        try:
            article = normalise_article((case / "source.html").read_bytes(), "http://fakehost/")
        except NoArticleError as exc:
            assert "no article found" in exc.message
            continue
        assert article.body, case.name
        articles += 1
    assert articles >= 30  # only a handful of them hold (next to) no text at all


def test_scorer_itself() -> None:
    assert scoring.f1("a b c", "a b c") == 1.0
    assert scoring.f1("", "a") == 0.0
    assert round(scoring.f1("a b", "a c"), 2) == 0.5
    assert scoring.byline_matches("Jane Doe", "By JANE   doe")
    assert scoring.byline_matches("A, B", "A and B")
    assert not scoring.byline_matches("A", "A and B")
