"""Downloads: built EPUBs → the folder a website serves to supporters, and the catalogue.

Stages: ``names`` (conventional file names, sizes in words) → ``folder`` (the EPUBs copied in
under their names, covers and thumbnails, stale files removed) → ``page`` (``index.html``) and
``opds`` (``opds.xml``, and several months merged into one catalogue) → ``links`` (every link
of the page and the feed followed to a file). ``shelf`` holds the types they share.
"""

from __future__ import annotations

from printedition.downloads.folder import DownloadsResult, write_downloads
from printedition.downloads.links import LinkCheck, check_links
from printedition.downloads.names import article_stem, human_size, issue_stem
from printedition.downloads.opds import merge_feeds, render_feed
from printedition.downloads.page import render_index
from printedition.downloads.shelf import Book, Entry, Shelf

__all__ = [
    "Book",
    "DownloadsResult",
    "Entry",
    "LinkCheck",
    "Shelf",
    "article_stem",
    "check_links",
    "human_size",
    "issue_stem",
    "merge_feeds",
    "render_feed",
    "render_index",
    "write_downloads",
]
