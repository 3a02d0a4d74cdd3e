"""Benchmark the EPUB writer on the sample articles, against pandoc when it is installed.

Builds one EPUB per sample and one of all samples, each cold (no processed images) and with
every image already processed (the issue build's cache), and prints median times. With pandoc
on the PATH it builds the same articles from their normalised HTML (``normalise --format
html``, images as local files) with pandoc in the same run and prints the ratio. Normalising
the pages is done once up front and not timed, for either tool.

    python bench/epub.py [--runs 5] [--no-pandoc]

Targets (issue 3): all samples into one EPUB, images already processed, at least 2× faster
than pandoc; one article with two photos under 0.5 s cold.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from printedition.epub import EpubOptions, write_epub
from printedition.images import ProcessedImage
from printedition.ingest.load import load_article
from printedition.model import Article, figures
from printedition.render import render_article_html
from printedition.resources import ResourcePolicy

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "articles"
OPTIONS = EpubOptions(source_date_epoch=1718100000)

Item = tuple[Article, ResourcePolicy]


def median_time(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ours(items: list[Item], out: Path, cache: dict[str, ProcessedImage] | None) -> None:
    write_epub(items, out, OPTIONS, image_cache=cache)


def pandoc_inputs(items: list[Item], folder: Path) -> list[Path]:
    """Each article as clean HTML with its images pointing at the local files."""
    paths = []
    for n, (article, _) in enumerate(items):
        html = render_article_html(article)
        for fig in figures(article):
            url = fig.image.url
            if urlsplit(url).scheme == "file":
                html = html.replace(url, url2pathname(urlsplit(url).path))
        path = folder / f"{n:02d}-{article.slug}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(path)
    return paths


def pandoc(inputs: list[Path], out: Path, title: str) -> None:
    subprocess.run(
        [
            "pandoc",
            "-f",
            "html",
            "-t",
            "epub3",
            "-o",
            str(out),
            "--metadata",
            f"title={title}",
            *map(str, inputs),
        ],
        check=True,
        capture_output=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-pandoc", action="store_true")
    args = parser.parse_args()
    use_pandoc = not args.no_pandoc and shutil.which("pandoc") is not None

    pages = sorted(p for p in SAMPLES.iterdir() if (p / "index.html").is_file())
    items = {p.name: load_article(p) for p in pages}
    work = Path(tempfile.mkdtemp(prefix="bench-epub-"))
    try:
        warm: dict[str, ProcessedImage] = {}
        ours(list(items.values()), work / "prime.epub", warm)  # fill the cache once

        header = f"{'build':40} {'photos':>6} {'cold s':>8} {'cached s':>9}"
        if use_pandoc:
            header += f" {'pandoc s':>9} {'ratio':>6}"
        print(header)
        rows: list[tuple[str, list[Item]]] = [(name, [item]) for name, item in items.items()]
        rows.append(("ALL SAMPLES", list(items.values())))
        for name, group in rows:
            photos = sum(len(figures(a)) for a, _ in group)
            out = work / "out.epub"
            cold = median_time(lambda g=group, o=out: ours(g, o, None), args.runs)
            cached = median_time(lambda g=group, o=out: ours(g, o, warm), args.runs)
            line = f"{name[:40]:40} {photos:6d} {cold:8.3f} {cached:9.3f}"
            if use_pandoc:
                folder = work / f"pandoc-{len(group)}-{name[:20]}"
                folder.mkdir()
                inputs = pandoc_inputs(group, folder)
                title = group[0][0].headline
                took = median_time(
                    lambda i=inputs, t=title: pandoc(i, work / "p.epub", t), args.runs
                )
                line += f" {took:9.3f} {took / cached:5.1f}×"
            print(line)

        # One article with two photos, cold, end to end through the CLI (Python start-up,
        # normalising the page and writing the EPUB included).
        two = next(
            (
                n
                for n, (a, _) in items.items()
                if len(figures(a)) == 2 and all(f.image.url.endswith(".jpg") for f in figures(a))
            ),
            None,
        )
        if two is not None:
            cmd = [
                sys.executable,
                "-m",
                "printedition.cli",
                "epub",
                str(SAMPLES / two),
                "-o",
                str(work / "cli.epub"),
            ]
            took = median_time(
                lambda: subprocess.run(cmd, check=True, capture_output=True), args.runs
            )
            print(f"\nCLI end to end, {two} (2 photos, cold): {took:.3f} s median")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
