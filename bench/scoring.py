"""Quality scoring of the normaliser against the Readability test pages (shared by the gate
test and bench/normalise.py).

Token F1 of ``article_text`` against the text of ``expected.html``; title exact match and
byline match (case-insensitive, whitespace collapsed, a leading "By" dropped, names compared
as a list so "A, B" and "A and B" agree) against ``expected-metadata.json``.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpora" / "readability"
# News pages written for precision: each article amid the clutter unseen sites carry (gallery
# chrome, teasers, tag lists, moderation notices, press-release boilerplate, consent text).
CLUTTER = CORPUS.parent / "clutter"
REAL_PAGE_BYTES = 5 * 1024
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def precision_recall(got: str, expected: str) -> tuple[float, float]:
    """Token precision (how much of what was kept is the article) and recall (how much of the
    article was kept)."""
    g, e = Counter(tokens(got)), Counter(tokens(expected))
    if not g and not e:
        return 1.0, 1.0
    overlap = sum((g & e).values())
    p = overlap / sum(g.values()) if g else 1.0
    r = overlap / sum(e.values()) if e else 1.0
    return p, r


def f1(got: str, expected: str) -> float:
    p, r = precision_recall(got, expected)
    return 2 * p * r / (p + r) if p + r else 0.0


def html_text(html: str) -> str:
    if not html.strip():
        return ""
    root = lxml.html.fromstring(html)
    return " ".join(t for t in root.itertext())


def _names(byline: str) -> list[str]:
    text = " ".join(byline.split()).lower()
    text = re.sub(r"^by\s+", "", text)
    return [n.strip() for n in re.split(r"\s*(?:,|;|&|\band\b)\s*", text) if n.strip()]


def byline_matches(got: str, expected: str) -> bool:
    return _names(got) == _names(expected)


def cases(real_only: bool = True, corpus: Path = CORPUS) -> list[Path]:
    """The corpus's cases (Readability's: the real pages, or the tiny synthetic ones)."""
    out = []
    for case in sorted(p for p in corpus.iterdir() if p.is_dir()):
        big = (case / "source.html").stat().st_size >= REAL_PAGE_BYTES
        if big == real_only or corpus != CORPUS:
            out.append(case)
    return out


@dataclass
class Result:
    case: str
    f1: float
    precision: float
    recall: float
    title_ok: bool
    byline_expected: bool
    byline_ok: bool
    got_title: str = ""
    want_title: str = ""
    got_byline: str = ""
    want_byline: str = ""


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    @property
    def f1_mean(self) -> float:
        return statistics.fmean(r.f1 for r in self.results)

    @property
    def precision_mean(self) -> float:
        return statistics.fmean(r.precision for r in self.results)

    @property
    def recall_mean(self) -> float:
        return statistics.fmean(r.recall for r in self.results)

    @property
    def f1_median(self) -> float:
        return statistics.median(r.f1 for r in self.results)

    @property
    def title_rate(self) -> float:
        return sum(r.title_ok for r in self.results) / len(self.results)

    @property
    def byline_rate(self) -> float:
        with_byline = [r for r in self.results if r.byline_expected]
        return sum(r.byline_ok for r in with_byline) / len(with_byline)

    def summary(self) -> str:
        return (
            f"{len(self.results)} pages: F1 mean {self.f1_mean:.3f} median {self.f1_median:.3f} "
            f"(precision {self.precision_mean:.3f}, recall {self.recall_mean:.3f}), "
            f"title {self.title_rate:.2f}, byline {self.byline_rate:.2f} "
            f"({sum(r.byline_expected for r in self.results)} with a byline)"
        )


Extractor = Callable[[bytes, str], tuple[str, str, str]]  # → (body text, title, byline)


def score(extract: Extractor, case_dirs: list[Path]) -> Report:
    report = Report()
    for case in case_dirs:
        source = (case / "source.html").read_bytes()
        expected = html_text((case / "expected.html").read_text("utf-8"))
        meta = json.loads((case / "expected-metadata.json").read_text("utf-8"))
        try:
            text, title, byline = extract(source, f"http://fakehost/test/{case.name}/")
        except Exception as exc:
            text, title, byline = "", "", f"<{type(exc).__name__}>"
        want_title = " ".join((meta.get("title") or "").split())
        precision, recall = precision_recall(text, expected)
        want_byline = meta.get("byline") or ""
        report.results.append(
            Result(
                case=case.name,
                f1=f1(text, expected),
                precision=precision,
                recall=recall,
                title_ok=" ".join(title.split()) == want_title,
                byline_expected=bool(want_byline),
                byline_ok=bool(want_byline) and byline_matches(byline, want_byline),
                got_title=title,
                want_title=want_title,
                got_byline=byline,
                want_byline=want_byline,
            )
        )
    return report


def printedition_extractor(source: bytes, url: str) -> tuple[str, str, str]:
    from printedition.ingest.normalise import normalise_article
    from printedition.model import article_text

    article = normalise_article(source, url)
    return article_text(article), article.headline, ", ".join(a.name for a in article.authors)
