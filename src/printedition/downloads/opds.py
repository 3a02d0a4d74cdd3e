"""OPDS: the month's entries → ``opds.xml``, an OPDS 1.2 acquisition feed; feeds of several
months → one catalogue.

Goes in: the ``Shelf`` and its ``Entry`` values, or the folders of earlier months. Comes out:
well-formed Atom (the same bytes for the same inputs) that reading apps subscribe to: each
EPUB an entry with title, authors, summary, ``dc:issued``, its cover and thumbnail
(``http://opds-spec.org/image[/thumbnail]``) and an acquisition link with type and length.
Every href is relative, so the folder can be served from anywhere; the catalogue rewrites
them relative to where it is written.
"""

from __future__ import annotations

import copy
import os
import posixpath
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from printedition.downloads.names import human_size
from printedition.downloads.page import EPUB_TYPE, FEED_TYPE
from printedition.downloads.shelf import Entry, Shelf
from printedition.errors import InputError

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/terms/"
OPDS_NS = "http://opds-spec.org/2010/catalog"
REL_ACQUISITION = "http://opds-spec.org/acquisition"
REL_IMAGE = "http://opds-spec.org/image"
REL_THUMBNAIL = "http://opds-spec.org/image/thumbnail"
FEED_NAME = "opds.xml"

_A = f"{{{ATOM_NS}}}"
_DC = f"{{{DC_NS}}}"
_NSMAP: Any = {None: ATOM_NS, "dc": DC_NS, "opds": OPDS_NS}  # lxml: None is the default
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)


def _add(parent: etree._Element, tag: str, text: str = "", **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text:
        el.text = text
    return el


def _issued(shelf: Shelf, issue: Entry) -> str:
    """The issue's date; else the month its EPUB was made (the build's fixed time)."""
    return shelf.date.isoformat() if shelf.date else issue.modified[:10]


def _entry(feed: etree._Element, shelf: Shelf, issue: Entry, entry: Entry) -> None:
    book = entry.book
    el = _add(feed, f"{_A}entry")
    _add(el, f"{_A}title", book.title)
    _add(
        el, f"{_A}id", entry.identifier or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, entry.file)}"
    )
    _add(el, f"{_A}updated", entry.modified or issue.modified)
    for name in book.authors or (shelf.paper,):
        _add(_add(el, f"{_A}author"), f"{_A}name", name)
    _add(el, f"{_DC}language", entry.language or shelf.language)
    _add(el, f"{_DC}issued", _issued(shelf, issue))
    _add(el, f"{_DC}publisher", shelf.publisher or shelf.paper)
    if book.section:
        _add(el, f"{_A}category", term=book.section, label=book.section)
    if book.summary:
        _add(el, f"{_A}summary", book.summary, type="text")
    if entry.cover:
        _add(el, f"{_A}link", rel=REL_IMAGE, href=entry.cover, type=entry.image_type)
    if entry.thumbnail:
        _add(el, f"{_A}link", rel=REL_THUMBNAIL, href=entry.thumbnail, type=entry.image_type)
    _add(
        el,
        f"{_A}link",
        rel=REL_ACQUISITION,
        href=entry.file,
        type=EPUB_TYPE,
        length=str(entry.bytes),
        title=f"EPUB, {human_size(entry.bytes)}",
    )


def _serialise(feed: etree._Element) -> bytes:
    data: bytes = etree.tostring(feed, encoding="utf-8", xml_declaration=True, pretty_print=True)
    return data


def render_feed(shelf: Shelf, issue: Entry, articles: Sequence[Entry]) -> bytes:
    """The issue's acquisition feed: the whole issue first, then each article."""
    feed = etree.Element(f"{_A}feed", nsmap=_NSMAP)
    if shelf.language:
        feed.set("{http://www.w3.org/XML/1998/namespace}lang", shelf.language)
    key = f"{issue.identifier or shelf.title}#downloads"
    _add(feed, f"{_A}id", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}")
    _add(feed, f"{_A}title", shelf.title)
    _add(feed, f"{_A}subtitle", shelf.subtitle)
    # The issue EPUB's dcterms:modified: the build's fixed time, so the bytes repeat.
    _add(feed, f"{_A}updated", issue.modified)
    author = _add(feed, f"{_A}author")
    _add(author, f"{_A}name", shelf.paper)
    if shelf.paper_url:
        _add(author, f"{_A}uri", shelf.paper_url)
    _add(feed, f"{_A}link", rel="self", href=FEED_NAME, type=FEED_TYPE)
    _add(feed, f"{_A}link", rel="start", href=FEED_NAME, type=FEED_TYPE)
    _add(feed, f"{_A}link", rel="alternate", href="index.html", type="text/html")
    for entry in (issue, *articles):
        _entry(feed, shelf, issue, entry)
    return _serialise(feed)


# ---------------------------------------------------------------------------------------------
# The catalogue: several months in one feed
# ---------------------------------------------------------------------------------------------


def _read_feed(folder: Path) -> etree._Element:
    path = Path(folder) / FEED_NAME
    try:
        data = path.read_bytes()
    except OSError as exc:
        why = "no opds.xml here: is this a downloads folder?" if not path.exists() else exc.strerror
        raise InputError(f"cannot read the feed ({why})", where=str(path)) from None
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"the feed is not well-formed XML ({exc})", where=str(path)) from None
    if root.tag != f"{_A}feed":
        raise InputError("not an Atom feed (no <feed> root)", where=str(path))
    return root


def _relative(href: str, folder: Path, base: Path) -> str:
    if "://" in href or href.startswith(("/", "#", "data:")):
        return href
    target = (Path(folder) / href).resolve()
    return Path(os.path.relpath(target, base.resolve())).as_posix()


def merge_feeds(folders: Sequence[Path], out: Path) -> bytes:
    """One acquisition feed holding every entry of the months' feeds, newest month first,
    hrefs relative to ``out``'s folder. An entry listed twice (the same month given twice) is
    an ``InputError``."""
    if not folders:
        raise InputError("name at least one downloads folder")
    base = Path(out).parent
    months: list[tuple[str, int, etree._Element, Path]] = []
    for n, folder in enumerate(folders):
        feed = _read_feed(folder)
        issued = feed.findtext(f"{_A}entry/{_DC}issued", default="")
        updated = feed.findtext(f"{_A}updated", default="")
        months.append((f"{issued} {updated}", n, feed, Path(folder)))
    # Newest month first; the order given breaks ties, so the bytes never depend on the disk.
    months.sort(key=lambda m: (m[0], -m[1]), reverse=True)
    first = months[0][2]
    author = first.find(f"{_A}author")
    paper = author.findtext(f"{_A}name", default="") if author is not None else ""
    catalogue = etree.Element(f"{_A}feed", nsmap=_NSMAP)
    lang = first.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        catalogue.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    ids = sorted(m[2].findtext(f"{_A}id", default="") for m in months)
    _add(catalogue, f"{_A}id", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, ' '.join(ids))}")
    _add(catalogue, f"{_A}title", f"{paper}: every issue" if paper else "Every issue")
    _add(catalogue, f"{_A}updated", max(m[2].findtext(f"{_A}updated", default="") for m in months))
    if author is not None:
        catalogue.append(_copy(author))
    name = posixpath.basename(Path(out).as_posix())
    _add(catalogue, f"{_A}link", rel="self", href=name, type=FEED_TYPE)
    _add(catalogue, f"{_A}link", rel="start", href=name, type=FEED_TYPE)
    seen: dict[str, Path] = {}
    for _, _, feed, folder in months:
        for entry in feed.iterfind(f"{_A}entry"):
            key = entry.findtext(f"{_A}id", default="")
            if key in seen:
                raise InputError(
                    f"entry {key} is also in {seen[key]}: name each month once",
                    where=str(folder / FEED_NAME),
                )
            seen[key] = folder
            moved = _copy(entry)
            for link in moved.iterfind(f"{_A}link"):
                link.set("href", _relative(link.get("href", ""), folder, base))
            catalogue.append(moved)
    etree.cleanup_namespaces(catalogue)
    return _serialise(catalogue)


def _copy(el: etree._Element) -> etree._Element:
    return copy.deepcopy(el)


__all__ = [
    "ATOM_NS",
    "DC_NS",
    "FEED_NAME",
    "REL_ACQUISITION",
    "REL_IMAGE",
    "REL_THUMBNAIL",
    "merge_feeds",
    "render_feed",
]
