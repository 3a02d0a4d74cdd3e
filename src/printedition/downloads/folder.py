"""Folder: a ``Shelf`` → the ``downloads/`` folder the website serves (the stage entry point,
``write_downloads``).

Goes in: the month's ``Shelf`` (its built EPUBs and the words about them) and the folder.
Comes out: the EPUBs under their conventional names, a cover and a thumbnail of each (baseline
JPEGs, from the EPUB's own cover), ``index.html`` and ``opds.xml``, each written atomically
and only when its bytes changed; files of this month that are no longer part of it (an
article dropped from the issue) are removed. Returns a ``DownloadsResult`` listing the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from printedition.downloads.links import PAGE_NAME
from printedition.downloads.names import article_stem, issue_stem
from printedition.downloads.opds import FEED_NAME, render_feed
from printedition.downloads.page import render_index
from printedition.downloads.shelf import Book, Entry, Shelf
from printedition.epub.container import open_epub, read_facts
from printedition.epub.imagestore import ImageCache, process_image
from printedition.errors import OutputError
from printedition.outputs import atomic_write_bytes, describe_os_error
from printedition.settings import Limits

COVER_EDGE = 900  # px, the long edge of the cover a reading app shows
THUMBNAIL_EDGE = 240  # px, the thumbnail in lists and on the index page
COVERS = "covers"


@dataclass(frozen=True, slots=True, kw_only=True)
class DownloadsResult:
    folder: Path
    issue: Entry
    articles: tuple[Entry, ...]
    files: tuple[str, ...]  # every file of the month, relative to the folder, sorted
    written: tuple[str, ...]  # those whose bytes changed (the rest were already in place)
    removed: tuple[str, ...]  # files of this month no longer part of it


def _put(folder: Path, name: str, data: bytes, files: list[str]) -> None:
    """Write ``folder/name`` atomically unless it already holds these bytes (then the name
    goes in ``files`` with a leading '=' : kept, not written)."""
    path = folder / name
    try:
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            files.append("=" + name)
            return
    except OSError:
        pass
    atomic_write_bytes(path, data)
    files.append(name)


def _shelve(
    book: Book, stem: str, folder: Path, limits: Limits, files: list[str], cache: ImageCache | None
) -> Entry:
    """Copy one EPUB in under its name, with its cover and thumbnail; its ``Entry``."""
    where = str(book.epub)
    try:
        data = Path(book.epub).read_bytes()
    except OSError as exc:
        raise OutputError(
            f"cannot read the built EPUB: {describe_os_error(exc)}", where=where
        ) from None
    with open_epub(data, where) as zf:
        facts, _ = read_facts(zf, where)
        cover = zf.read(facts.cover_path) if facts.cover_path else None
    name = f"{stem}.epub"
    _put(folder, name, data, files)
    cover_name = thumb_name = image_type = ""
    cover_size = thumb_size = (0, 0)
    if cover is not None:
        # (Through the build's image cache: most covers are last month's, or last build's.)
        big = process_image(
            cover, where=f"{where} cover", max_edge=COVER_EDGE, limits=limits, cache=cache
        )
        small = process_image(
            cover, where=f"{where} cover", max_edge=THUMBNAIL_EDGE, limits=limits, cache=cache
        )
        cover_name = f"{COVERS}/{stem}{big.extension}"
        thumb_name = f"{COVERS}/{stem}-thumb{small.extension}"
        image_type = big.media_type
        cover_size, thumb_size = (big.width, big.height), (small.width, small.height)
        _put(folder, cover_name, big.data, files)
        _put(folder, thumb_name, small.data, files)
    return Entry(
        book=book,
        file=name,
        bytes=len(data),
        identifier=facts.identifier,
        modified=facts.modified or "1970-01-01T00:00:00Z",
        language=facts.language,
        cover=cover_name,
        thumbnail=thumb_name,
        image_type=image_type,
        cover_size=cover_size,
        thumbnail_size=thumb_size,
    )


def write_downloads(
    shelf: Shelf, folder: Path, *, limits: Limits | None = None, cache: ImageCache | None = None
) -> DownloadsResult:
    """Write the month's downloads folder; see the module doc. ``cache``: processed images
    by source digest and size (the issue build's), for the covers and thumbnails."""
    limits = limits or Limits()
    folder = Path(folder)
    try:
        (folder / COVERS).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the downloads folder: {describe_os_error(exc)}", where=str(folder)
        ) from None
    stem = issue_stem(
        shelf.paper, date=shelf.date, cover_date=shelf.cover_date, number=shelf.number
    )
    files: list[str] = []
    issue = _shelve(shelf.issue, stem, folder, limits, files, cache)
    articles = tuple(
        _shelve(book, article_stem(stem, book.slug), folder, limits, files, cache)
        for book in shelf.articles
    )
    _put(folder, PAGE_NAME, render_index(shelf, issue, articles), files)
    _put(folder, FEED_NAME, render_feed(shelf, issue, articles), files)
    names = sorted(n.removeprefix("=") for n in files)
    removed = _remove_stale(folder, stem, set(names))
    return DownloadsResult(
        folder=folder,
        issue=issue,
        articles=articles,
        files=tuple(names),
        written=tuple(sorted(n for n in files if not n.startswith("="))),
        removed=removed,
    )


def _remove_stale(folder: Path, stem: str, keep: set[str]) -> tuple[str, ...]:
    """This month's EPUBs and covers that the build no longer makes (other months' files, and
    anything not named like ours, are left alone)."""
    removed: list[str] = []
    for path in sorted([*folder.glob(f"{stem}*.epub"), *(folder / COVERS).glob(f"{stem}*")]):
        name = path.relative_to(folder).as_posix()
        if name not in keep and path.is_file():
            path.unlink()
            removed.append(name)
    return tuple(removed)


__all__ = ["COVERS", "DownloadsResult", "write_downloads"]
