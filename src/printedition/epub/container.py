"""EPUB container: a built EPUB file → the facts a later stage reads from it.

Goes in: the bytes (or path) of an EPUB. Comes out: ``EpubFacts`` — where its package document
lives, the parsed OPF, its identifier, title, language, modification time and cover image —
for the downloads folder (covers, feed entries) and for personal copies (the stamp). Only
reads; refuses a file that is not an EPUB with an ``InputError`` naming it.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from printedition.errors import InputError

OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
_CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class EpubFacts:
    opf_path: str  # the package document's name inside the zip, e.g. "EPUB/content.opf"
    identifier: str  # the unique-identifier's value
    title: str
    language: str
    modified: str  # dcterms:modified as written ("" when absent)
    cover_path: str  # the cover image's name inside the zip ("" when none is declared)
    cover_type: str  # its media type

    @property
    def folder(self) -> str:
        """The OPF's folder inside the zip ('' at the root): hrefs in the OPF are relative to it."""
        return posixpath.dirname(self.opf_path)


def open_epub(data: bytes, where: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError("not an EPUB (not a zip file)", where=where) from None


def parse_xml(data: bytes, where: str) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML ({exc})", where=where) from None


def opf_path(zf: zipfile.ZipFile, where: str) -> str:
    """The package document named by META-INF/container.xml."""
    try:
        container = zf.read("META-INF/container.xml")
    except KeyError:
        raise InputError("not an EPUB (no META-INF/container.xml)", where=where) from None
    root = parse_xml(container, f"{where}/META-INF/container.xml")
    found = root.find(f".//{{{_CONTAINER_NS}}}rootfile")
    path = found.get("full-path", "") if found is not None else ""
    if not path or path not in zf.namelist():
        raise InputError("not an EPUB (container.xml names no package document)", where=where)
    return path


def read_facts(zf: zipfile.ZipFile, where: str) -> tuple[EpubFacts, etree._Element]:
    """The EPUB's facts and its parsed OPF (the stamp edits a copy of it)."""
    path = opf_path(zf, where)
    opf = parse_xml(zf.read(path), f"{where}/{path}")
    meta = opf.find(f"{{{OPF_NS}}}metadata")
    if meta is None:
        raise InputError("the package document has no <metadata>", where=f"{where}/{path}")
    uid = opf.get("unique-identifier", "")
    identifier = ""
    for el in meta.iter(f"{{{DC_NS}}}identifier"):
        if not identifier or el.get("id") == uid:
            identifier = (el.text or "").strip()
    title = meta.findtext(f"{{{DC_NS}}}title", default="").strip()
    language = meta.findtext(f"{{{DC_NS}}}language", default="").strip()
    modified = ""
    for el in meta.iter(f"{{{OPF_NS}}}meta"):
        if el.get("property") == "dcterms:modified":
            modified = (el.text or "").strip()
    cover_path, cover_type = "", ""
    folder = posixpath.dirname(path)
    for item in opf.iter(f"{{{OPF_NS}}}item"):
        if "cover-image" in (item.get("properties") or "").split():
            cover_path = posixpath.normpath(posixpath.join(folder, item.get("href", "")))
            cover_type = item.get("media-type", "")
            break
    facts = EpubFacts(
        opf_path=path,
        identifier=identifier,
        title=title,
        language=language,
        modified=modified,
        cover_path=cover_path if cover_path in zf.namelist() else "",
        cover_type=cover_type,
    )
    return facts, opf


def epub_facts(path: Path) -> EpubFacts:
    """The facts of the EPUB at ``path``."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None
    with open_epub(data, str(path)) as zf:
        return read_facts(zf, str(path))[0]


def cover_bytes(path: Path) -> bytes | None:
    """The cover image of the EPUB at ``path`` (None when it declares none)."""
    data = Path(path).read_bytes()
    with open_epub(data, str(path)) as zf:
        facts, _ = read_facts(zf, str(path))
        return zf.read(facts.cover_path) if facts.cover_path else None


__all__ = [
    "DC_NS",
    "OPF_NS",
    "EpubFacts",
    "cover_bytes",
    "epub_facts",
    "open_epub",
    "opf_path",
    "parse_xml",
    "read_facts",
]
