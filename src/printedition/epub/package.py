"""EPUB package: documents, images and metadata → the EPUB's zip members, and the zip itself
(ebooklib lives here only).

Goes in: XHTML documents in spine order, processed images, metadata entries, the toc
(section → article) and landmarks. Comes out: ``(name, bytes)`` members in a fixed order
(``mimetype`` first), written by ``write_zip`` with fixed times, images stored, text deflated.
ebooklib's writer is used for the OPF, nav and NCX, with its gaps fixed: ``xml:lang`` on
``<package>``, the nav in the book's language with a real heading, the NCX depth, and no
current-time stamps anywhere.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ebooklib import epub as eb
from lxml import etree

from printedition.epub.metadata import MetaEntry
from printedition.epub.pages import text_direction
from printedition.images import ProcessedImage
from printedition.render import xml_safe

_STORED = (".jpg", ".jpeg", ".png")
_XML = "{http://www.w3.org/XML/1998/namespace}"
_XHTML = "{http://www.w3.org/1999/xhtml}"
_EPUB_NS = "{http://www.idpf.org/2007/ops}"
_NCX = "{http://www.daisy.org/z3986/2005/ncx/}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    uid: str
    file: str
    title: str
    xhtml: bytes
    lang: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TocLink:
    href: str
    title: str
    uid: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TocSection:
    title: str
    href: str
    links: tuple[TocLink, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Package:
    identifier: str
    title: str
    language: str
    modified: datetime  # UTC
    metadata: Sequence[MetaEntry]
    stylesheet: tuple[str, bytes]  # (href, css)
    images: dict[str, ProcessedImage]  # href → image, in first-use order
    cover_href: str
    spine: Sequence[Document]
    toc: Sequence[TocLink | TocSection]
    landmarks: Sequence[tuple[str, str, str]]  # (href, title, EPUB 2 guide type)
    page_list: Sequence[tuple[str, str]] = ()  # (href, printed page number) in reading order


class _Doc(eb.EpubHtml):  # type: ignore[misc]
    """An XHTML document we serialised ourselves: ebooklib lists it but does not re-parse it."""

    def __init__(self, uid: str, file_name: str, title: str, content: bytes, lang: str) -> None:
        super().__init__(uid=uid, file_name=file_name, title=title, lang=lang)
        self.raw = content

    def get_content(self, default: object = None) -> bytes:
        return self.raw


class _Collector:
    def __init__(self) -> None:
        self.members: list[tuple[str, bytes]] = []

    def writestr(self, name: str, data: str | bytes, compress_type: int | None = None) -> None:
        self.members.append((name, data.encode("utf-8") if isinstance(data, str) else data))


class _Writer(eb.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer, collecting members instead of zipping, with its gaps fixed:
    xml:lang on <package>, nav in the book's language with a real heading, NCX depth."""

    def __init__(
        self,
        book: eb.EpubBook,
        mtime: datetime,
        depth: int,
        pages: Sequence[tuple[str, str]] = (),
    ) -> None:
        # (ebooklib's own page list parses every document for its markers: ours is given.)
        options = {"mtime": mtime, "epub3_pages": False, "landmark_title": "Landmarks"}
        super().__init__("", book, options)
        self.depth = depth
        self.pages = pages

    def members(self) -> list[tuple[str, bytes]]:
        self.out = _Collector()
        self.out.writestr("mimetype", "application/epub+zip")
        self._write_container()
        self._write_opf()
        self._write_items()
        members: list[tuple[str, bytes]] = self.out.members
        return members

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set(f"{_XML}lang", self.book.language)
        super()._write_opf_file(root)

    def _get_nav(self, item: eb.EpubNav) -> bytes:
        root = etree.fromstring(super()._get_nav(item))
        root.set("lang", self.book.language)
        root.set(f"{_XML}lang", self.book.language)
        for nav in root.iter(f"{_XHTML}nav"):
            kind = nav.get(f"{_EPUB_NS}type")
            heading = nav.find(f"{_XHTML}h2")
            if kind == "toc":
                nav.set("id", "toc")
                if heading is not None:
                    heading.tag = f"{_XHTML}h1"
                    heading.text = "Contents"
            elif kind == "landmarks":
                nav.set("hidden", "hidden")
        if self.pages:
            body = root.find(f"{_XHTML}body")
            if body is not None:
                self._page_list(body)
        data: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
        return data.replace(b"?>", b"?>\n<!DOCTYPE html>", 1)

    def _page_list(self, body: etree._Element) -> None:
        """The print edition's pages: a hidden nav, as reading systems offer it on their own
        ("go to page")."""
        nav = etree.SubElement(body, f"{_XHTML}nav")
        nav.set(f"{_EPUB_NS}type", "page-list")
        nav.set("id", "page-list")
        nav.set("hidden", "hidden")
        etree.SubElement(nav, f"{_XHTML}h2").text = "Pages"
        ol = etree.SubElement(nav, f"{_XHTML}ol")
        for href, label in self.pages:
            link = etree.SubElement(etree.SubElement(ol, f"{_XHTML}li"), f"{_XHTML}a")
            link.set("href", href)
            link.text = label

    def _get_ncx(self) -> bytes:
        root = etree.fromstring(super()._get_ncx())
        root.set(f"{_XML}lang", self.book.language)
        for meta in root.iter(f"{_NCX}meta"):
            if meta.get("name") == "dtb:depth":
                meta.set("content", str(self.depth))
        data: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
        return data


def write_zip(path: Path, members: list[tuple[str, bytes]], when: datetime) -> None:
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            if name == "mimetype" or name.lower().endswith(_STORED):
                info.compress_type = zipfile.ZIP_STORED
                zf.writestr(info, data)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data, compresslevel=6)


def package_members(pkg: Package) -> list[tuple[str, bytes]]:
    """The book as zip members: metadata, manifest, spine, toc (nav and NCX), landmarks."""
    book = eb.EpubBook()
    # Every string handed to ebooklib is made XML-safe: lxml refuses control characters and
    # lone surrogates, and a model JSON may carry them.
    book.set_identifier(xml_safe(pkg.identifier))
    book.set_title(xml_safe(pkg.title))
    book.set_language(pkg.language)
    for namespace, name, value, attrs in pkg.metadata:
        clean = {k: xml_safe(v) for k, v in attrs.items()}
        book.add_metadata(namespace, name, xml_safe(value), clean or None)
    css_href, css = pkg.stylesheet
    book.add_item(eb.EpubItem(uid="css", file_name=css_href, media_type="text/css", content=css))
    for href, image in pkg.images.items():
        if href == pkg.cover_href:
            book.set_cover(href, image.data, create_page=False)
        else:
            book.add_item(
                eb.EpubItem(
                    uid="img-" + Path(href).stem,
                    file_name=href,
                    media_type=image.media_type,
                    content=image.data,
                )
            )
    rtl = text_direction(pkg.language) == "rtl"
    if rtl:
        book.set_direction("rtl")  # spine page-progression-direction
    nav = eb.EpubNav(title="Contents", direction="rtl" if rtl else None)
    nav.add_link(href=css_href, rel="stylesheet", type="text/css")
    spine = [_Doc(d.uid, d.file, d.title, d.xhtml, d.lang) for d in pkg.spine]
    for doc in spine:
        book.add_item(doc)
    book.add_item(nav)
    book.add_item(eb.EpubNcx())
    book.spine = spine
    toc: list[object] = []
    for entry in pkg.toc:
        if isinstance(entry, TocSection):
            links = [eb.Link(x.href, xml_safe(x.title), x.uid) for x in entry.links]
            toc.append((eb.Section(xml_safe(entry.title), href=entry.href), links))
        else:
            toc.append(eb.Link(entry.href, xml_safe(entry.title), entry.uid))
    book.toc = toc
    book.guide = [{"href": h, "title": t, "type": k} for h, t, k in pkg.landmarks]
    depth = 2 if any(isinstance(e, TocSection) for e in pkg.toc) else 1
    return _Writer(book, pkg.modified.replace(tzinfo=None), depth, pkg.page_list).members()


__all__ = [
    "Document",
    "Package",
    "TocLink",
    "TocSection",
    "package_members",
    "write_zip",
]
