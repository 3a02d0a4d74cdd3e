"""Shelf: what a month's downloads are made from, and what the folder holds once written.

Goes in (``Shelf``): the issue's facts and its built EPUBs, each with the words a reader sees
(title, authors, standfirst, section). Comes out (``Entry``): each EPUB as it stands in the
folder — its conventional name, size, identifier and covers — which the page and the feed
both list, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, kw_only=True)
class Book:
    """One built EPUB and the words a reader sees about it."""

    epub: Path
    title: str
    authors: tuple[str, ...] = ()
    summary: str = ""  # the standfirst (an article) or the issue's line
    section: str = ""
    slug: str = ""  # an article's slug ("" for the whole issue)


@dataclass(frozen=True, slots=True, kw_only=True)
class Shelf:
    """A month of the paper: the whole-issue EPUB and one EPUB per article."""

    paper: str
    paper_url: str
    publisher: str
    language: str
    title: str  # the issue's title, e.g. "Byline Times — December 2026"
    subtitle: str  # e.g. "No. 42, volume 5"
    number: int
    cover_date: str  # as printed, e.g. "December 2026"
    date: dt.date | None
    issue: Book
    articles: tuple[Book, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """A book as the downloads folder holds it (every name relative to the folder)."""

    book: Book
    file: str  # e.g. "byline-times-2026-12.epub"
    bytes: int
    identifier: str  # the EPUB's dc:identifier
    modified: str  # its dcterms:modified
    language: str
    cover: str = ""  # "covers/<stem>.jpg" ("" when the EPUB has no cover)
    thumbnail: str = ""
    image_type: str = ""  # the covers' media type
    cover_size: tuple[int, int] = (0, 0)  # pixels (the page reserves the space before loading)
    thumbnail_size: tuple[int, int] = (0, 0)


__all__ = ["Book", "Entry", "Shelf"]
