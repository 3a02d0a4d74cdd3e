"""Benchmark the print edition on the sample articles: the whole run against WeasyPrint alone.

The whole run is what ``printedition pdf samples/articles/* -o OUT.pdf`` does: normalise every
page, read and convert the photos, make the pages up (measure, plan, set the legs, compose),
finish with pikepdf, preflight, write atomically. During that run the generated HTML documents
(measures, legs, pages) and the processed images are captured; WeasyPrint alone then renders exactly
those documents again, in the same process, with the same fetcher. Each side runs ``--runs``
times, alternating, after one warm-up run (the first render in a process loads fontconfig,
hyphenation dictionaries and the UA stylesheet, whichever side runs first), and the fastest
of each is compared.

    python bench/pdf.py [--runs 2] [--format tabloid]

Prints pages, pages per second, peak memory (max RSS of the process) and the overhead ratio.
Target (issue 4): the whole run at most 15 % slower than WeasyPrint alone.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import printedition.press.engine as engine
from printedition.ingest.load import load_article
from printedition.press.options import PressOptions
from printedition.press.pdf import PressOutputs, write_pdf
from printedition.press.schedule import Edition
from printedition.settings import page_format

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "articles"


def _inputs() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if (p / "index.html").is_file())


def whole_run(
    inputs: list[Path], out: Path, options: PressOptions
) -> tuple[float, int, list[tuple[str, dict[str, bytes]]], float]:
    """Time the CLI's work; return (seconds, pages, captured documents, seconds in WeasyPrint)."""
    captured: list[tuple[str, dict[str, bytes]]] = []
    inside = [0.0]
    original = engine._render

    def recording(html: str, fetcher: Any, variant: str, *args: Any) -> bytes:
        captured.append((html, dict(fetcher.images)))
        t = time.perf_counter()
        try:
            return original(html, fetcher, variant, *args)
        finally:
            inside[0] += time.perf_counter() - t

    engine._render = recording  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        articles = [load_article(p) for p in inputs]
        result = write_pdf(Edition.of(articles), PressOutputs(press=out), options)
        elapsed = time.perf_counter() - start
    finally:
        engine._render = original  # type: ignore[assignment]
    return elapsed, result.pages, captured, inside[0]


def weasyprint_alone(
    captured: list[tuple[str, dict[str, bytes]]], variant: str, style: Any
) -> float:
    start = time.perf_counter()
    for html, images in captured:
        engine._render(html, engine.PressFetcher(images, style), variant)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--format", default="tabloid")
    args = parser.parse_args()
    # layout_timeout=0: the layouts run in this process, where the hook above sees them (with a
    # budget they run on a timed worker process; bench/hostile.py measures that path).
    options = PressOptions(page_format=page_format(args.format), layout_timeout=0)
    inputs = _inputs()
    if not inputs:
        print("no samples under samples/articles", file=sys.stderr)
        return 1
    whole: list[float] = []
    alone: list[float] = []
    inside: list[float] = []
    pages = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "all.pdf"
        # Warm the process first (fontconfig, hyphenation dictionaries, the UA stylesheet):
        # the first render in a process pays for them, whichever side runs first.
        whole_run(inputs[:1], Path(tmp) / "warm.pdf", options)
        for _ in range(args.runs):
            seconds, pages, captured, in_weasy = whole_run(inputs, out, options)
            whole.append(seconds)
            inside.append(in_weasy)
            alone.append(weasyprint_alone(captured, options.variant, options.style))
        size = out.stat().st_size
    best_whole, best_alone = min(whole), min(alone)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"samples: {len(inputs)} articles, {pages} {options.page_format.name} pages, {size / 1e6:.1f} MB"
    )
    print(
        f"whole run (normalise → preflight → write): {best_whole:.2f} s  ({pages / best_whole:.2f} pages/s)"
    )
    print(f"  of which inside WeasyPrint:              {min(inside):.2f} s")
    print(
        f"WeasyPrint alone, same HTML:               {best_alone:.2f} s  ({pages / best_alone:.2f} pages/s)"
    )
    print(f"overhead: whole / WeasyPrint alone = {best_whole / best_alone:.3f} (target ≤ 1.15)")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")
    print(
        f"runs: whole {', '.join(f'{t:.2f}' for t in whole)}; alone {', '.join(f'{t:.2f}' for t in alone)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
