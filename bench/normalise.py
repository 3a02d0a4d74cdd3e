"""Benchmark the normaliser on the Readability test pages: speed and quality.

Prints pages per second (median of several runs over the 94 real pages) for printedition and,
when it is installed, trafilatura in the same run; then the quality figures (token F1 of
``article_text`` against expected.html with its precision and recall, title and byline match),
computed by bench/scoring.py, which the quality-gate test shares, on the Readability pages and
on the clutter set (tests/corpora/clutter: news pages in several CMS shapes, each with the kinds
of clutter that cost precision on unseen pages).

    python bench/normalise.py [--runs 5] [--no-trafilatura] [--quality-only]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scoring


def _seconds(run: Callable[[bytes, str], object], pages: list[tuple[bytes, str]]) -> float:
    start = time.perf_counter()
    for data, url in pages:
        with contextlib.suppress(Exception):  # a page that fails still took its time
            run(data, url)
    return time.perf_counter() - start


def _trafilatura() -> tuple[Callable[[bytes, str], object], scoring.Extractor] | None:
    try:
        import trafilatura
    except ImportError:
        return None

    def run(data: bytes, url: str) -> object:
        return trafilatura.extract(data, url=url)

    def extract(data: bytes, url: str) -> tuple[str, str, str]:
        doc = trafilatura.bare_extraction(data, url=url, with_metadata=True)
        if doc is None:
            return "", "", ""
        return doc.text or "", doc.title or "", doc.author or ""

    return run, extract


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-trafilatura", action="store_true")
    parser.add_argument("--quality-only", action="store_true", help="skip the timing runs")
    args = parser.parse_args()

    from printedition.ingest.normalise import normalise_article

    cases = scoring.cases()
    pages = [((c / "source.html").read_bytes(), f"http://fakehost/test/{c.name}/") for c in cases]
    size = sum(len(d) for d, _ in pages) / 1e6
    print(f"{len(pages)} Readability test pages ({size:.1f} MB), median of {args.runs} runs")

    def ours(data: bytes, url: str) -> object:
        return normalise_article(data, url)

    other = None if args.no_trafilatura else _trafilatura()
    if not args.quality_only:
        _speed(ours, other, pages, args.runs)
    clutter = scoring.cases(corpus=scoring.CLUTTER)
    for name, corpus in (("Readability pages", cases), ("clutter set", clutter)):
        print(f"quality on the {name} (bench/scoring.py):")
        print("  printedition ", scoring.score(scoring.printedition_extractor, corpus).summary())
        if other is not None:
            print("  trafilatura  ", scoring.score(other[1], corpus).summary())


def _speed(
    ours: Callable[[bytes, str], object],
    other: tuple[Callable[[bytes, str], object], scoring.Extractor] | None,
    pages: list[tuple[bytes, str]],
    runs: int,
) -> None:
    ours(*pages[0])  # warm-up: rules, regexes
    if other is not None:
        other[0](*pages[0])
    # Runs alternate between the two, so a busy machine slows both alike.
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        mine.append(len(pages) / _seconds(ours, pages))
        if other is not None:
            theirs.append(len(pages) / _seconds(other[0], pages))
    rate = statistics.median(mine)
    print(f"  printedition  {rate:6.1f} pages/s")
    if other is not None:
        t_rate = statistics.median(theirs)
        print(f"  trafilatura   {t_rate:6.1f} pages/s   (printedition is {rate / t_rate:.1f}×)")


if __name__ == "__main__":
    main()
