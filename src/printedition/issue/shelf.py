"""Shelf: the built issue → its ``downloads/`` folder (the website's page, feed and files).

Goes in: the manifest, the loaded articles and the outputs the writers made. Comes out: the
folder written by ``downloads.write_downloads`` (the issue EPUB and each article's under
their conventional names, covers, ``index.html``, ``opds.xml``) and its ``OutputReport``.
"""

from __future__ import annotations

import time
from pathlib import Path

from printedition.downloads import Book, Shelf, write_downloads
from printedition.downloads.links import PAGE_NAME, check_links
from printedition.epub.budget import check_size
from printedition.epub.imagestore import ImageCache
from printedition.issue.context import Loaded
from printedition.issue.manifest import Manifest
from printedition.issue.report import OutputReport
from printedition.model import BuildWarning
from printedition.settings import EpubBudget

DOWNLOADS = "downloads"


def _book(item: Loaded, epub: Path) -> Book:
    article = item.article
    return Book(
        epub=epub,
        title=article.headline,
        authors=tuple(a.name for a in article.authors if a.name.strip()),
        summary=" ".join((article.standfirst or article.description).split()),
        section=item.section,
        slug=article.slug,
    )


def write_issue_downloads(
    manifest: Manifest,
    out_dir: Path,
    loaded: list[Loaded],
    outputs: list[OutputReport],
    notes: list[BuildWarning],
    images: ImageCache | None = None,
) -> list[OutputReport]:
    """The downloads folder of the issue, when its EPUBs were built (else nothing). An EPUB
    over the size budget's warning line is noted (built now or restored from the cache).
    ``images``: the build's image cache (covers and thumbnails made once)."""
    budget = EpubBudget()
    for o in outputs:
        if o.kind.endswith("epub"):
            large = check_size(o.bytes, budget, where=o.path)
            if large is not None and large not in notes:
                notes.append(large)
    issue_epub = next((Path(o.path) for o in outputs if o.kind == "issue-epub"), None)
    if issue_epub is None:
        return []
    start = time.perf_counter()
    built = {Path(o.path) for o in outputs if o.kind == "article-epub"}
    articles = [
        _book(x, path)
        for x in loaded
        if x.entry.in_epub
        and (path := Path(out_dir) / "articles" / f"{x.article.slug}.epub") in built
    ]
    paper = manifest.paper.paper
    info = manifest.issue
    headlines = "; ".join(b.title for b in articles)
    subtitle = f"No. {info.number}" + (f", volume {info.volume}" if info.volume else "")
    shelf = Shelf(
        paper=paper.name,
        paper_url=paper.url,
        publisher=paper.publisher,
        language=paper.language,
        title=manifest.book_title(),
        subtitle=subtitle,
        number=info.number,
        cover_date=info.cover_date,
        date=info.date,
        issue=Book(
            epub=issue_epub,
            title=manifest.book_title(),
            authors=(paper.name,),
            summary=f"{subtitle}, {info.cover_date}. In this issue: {headlines}.",
        ),
        articles=tuple(articles),
    )
    folder = Path(out_dir) / DOWNLOADS
    result = write_downloads(shelf, folder, limits=manifest.limits, cache=images)
    size = sum((folder / name).stat().st_size for name in result.files)
    links = check_links(folder)
    return [
        OutputReport(
            kind="downloads",
            path=str(folder / PAGE_NAME),
            bytes=size,
            seconds=round(time.perf_counter() - start, 3),
            cached=not result.written and not result.removed,
            validator="links",
            valid=not links.broken,
            validator_summary=f"{links.links} links, {len(links.broken)} broken",
            messages=(*links.broken, *(f"removed {name}" for name in result.removed)),
        )
    ]


__all__ = ["DOWNLOADS", "write_issue_downloads"]
