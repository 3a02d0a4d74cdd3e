"""Stamp: a built EPUB and one supporter → that supporter's personal copy (social DRM).

Goes in: the EPUB (read once into a ``StampSource``) and a ``Personal`` (name, "supporter
since", the copy's identifier). Comes out: the copy's bytes — the same zip with an ex-libris
page ("Prepared for NAME") in the spine after the cover and the copy's identifier as a second
``dc:identifier``. Every member the stamp does not change is copied as its stored, compressed
bytes (read once from the source's local headers, never inflated or deflated again), so a copy
costs two small deflates and a write; the zip is written by hand with fixed times, so the
same supporter and inputs give the same bytes.
"""

from __future__ import annotations

import copy
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from printedition.epub.container import DC_NS, OPF_NS, open_epub, read_facts
from printedition.epub.pages import document
from printedition.errors import InputError
from printedition.render import attr, plain_text, text

EX_LIBRIS = "ex-libris.xhtml"
_EX_LIBRIS_ID = "ex-libris"
_COPY_ID = "copy-id"
# Stands in the OPF template where each copy's identifier goes (checked absent from the source).
_COPY_SLOT = "urn:printedition:copy-identifier-slot"
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")


@dataclass(frozen=True, slots=True, kw_only=True)
class Personal:
    """What one copy says about its reader."""

    name: str
    since: str = ""  # as the ex-libris prints it, e.g. "April 2021" ("" to leave it out)
    copy_id: str  # e.g. "urn:uuid:…": the per-copy mark in the metadata and on the page


@dataclass(frozen=True, slots=True)
class _Member:
    name: str
    method: int
    crc: int
    size: int
    raw: bytes  # the compressed bytes, exactly as stored in the source
    dos_time: int
    dos_date: int


def _raw_members(data: bytes, zf: zipfile.ZipFile, where: str) -> list[_Member]:
    """Every member's stored bytes, sliced out of the source by its local header."""
    members = []
    for info in zf.infolist():
        offset = info.header_offset
        head = data[offset : offset + _LOCAL.size]
        if len(head) != _LOCAL.size or head[:4] != b"PK\x03\x04":
            raise InputError(f"the zip is damaged at {info.filename!r}", where=where)
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        start = offset + _LOCAL.size + name_len + extra_len
        raw = data[start : start + info.compress_size]
        encrypted = info.flag_bits & 0x1
        if len(raw) != info.compress_size or info.compress_type not in (0, 8) or encrypted:
            raise InputError(f"the zip member {info.filename!r} cannot be copied", where=where)
        year, month, day, hour, minute, second = info.date_time
        members.append(
            _Member(
                name=info.filename,
                method=info.compress_type,
                crc=info.CRC,
                size=info.file_size,
                raw=raw,
                dos_time=(hour << 11) | (minute << 5) | (second // 2),
                dos_date=((year - 1980) << 9) | (month << 5) | day,
            )
        )
    return members


def _deflated(name: str, data: bytes, like: _Member) -> _Member:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = packer.compress(data) + packer.flush()
    return _Member(
        name=name,
        method=zipfile.ZIP_DEFLATED,
        crc=zlib.crc32(data),
        size=len(data),
        raw=raw,
        dos_time=like.dos_time,
        dos_date=like.dos_date,
    )


def _zip_chunks(members: list[_Member]) -> list[bytes]:
    """The zip's bytes, as chunks (the big ones are the source's, not copies of them)."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for m in members:
        name = m.name.encode("utf-8")
        flags = 0x800 if not m.name.isascii() else 0
        local = _LOCAL.pack(
            0x04034B50, 20, flags, m.method, m.dos_time, m.dos_date, m.crc, len(m.raw), m.size,
            len(name), 0,
        )  # fmt: skip
        entry = _CENTRAL.pack(
            0x02014B50, (3 << 8) | 20, 20, flags, m.method, m.dos_time, m.dos_date, m.crc,
            len(m.raw), m.size, len(name), 0, 0, 0, 0, 0o100644 << 16, offset,
        )  # fmt: skip
        central.append(entry + name)
        out += [local, name, m.raw]
        offset += len(local) + len(name) + len(m.raw)
    directory = b"".join(central)
    out.append(directory)
    out.append(_END.pack(0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0))
    return out


class StampSource:
    """An EPUB read once, ready to give any number of personal copies."""

    def __init__(self, data: bytes, where: str) -> None:
        with open_epub(data, where) as zf:
            facts, opf = read_facts(zf, where)
            members = _raw_members(data, zf, where)
        if not members or members[0].name != "mimetype":
            raise InputError("not an EPUB (its first member is not 'mimetype')", where=where)
        self.where = where
        self.facts = facts
        self.members = members
        self.opf_index = next(i for i, m in enumerate(members) if m.name == facts.opf_path)
        self.title = facts.title or "this issue"
        self.language = facts.language or "en"
        self.opf_template = self._opf_template(opf)
        self.stylesheet = self._stylesheet(opf)
        # The ex-libris page goes in beside the package document (its href is then its name).
        self.page_name = posixpath.join(facts.folder, EX_LIBRIS)
        if any(m.name == self.page_name for m in members):
            raise InputError(
                "this EPUB has been stamped already (it has an ex-libris page)", where=where
            )

    @classmethod
    def read(cls, path: Path) -> StampSource:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None
        return cls(data, str(path))

    def _opf_template(self, source: etree._Element) -> str:
        opf = copy.deepcopy(source)
        meta = opf.find(f"{{{OPF_NS}}}metadata")
        manifest = opf.find(f"{{{OPF_NS}}}manifest")
        spine = opf.find(f"{{{OPF_NS}}}spine")
        if meta is None or manifest is None or spine is None:
            raise InputError(
                "the package document lacks metadata, manifest or spine", where=self.where
            )
        ids = {el.get("id") for el in opf.iter()}
        if _EX_LIBRIS_ID in ids or _COPY_ID in ids:
            raise InputError("this EPUB has been stamped already", where=self.where)
        # The copy's identifier follows the publication's: readers keep the book's identity.
        uid = opf.get("unique-identifier", "")
        first = next(
            (el for el in meta.iter(f"{{{DC_NS}}}identifier") if el.get("id") == uid), None
        )
        ident = etree.Element(f"{{{DC_NS}}}identifier", id=_COPY_ID)
        ident.text = _COPY_SLOT
        if first is not None:
            first.addnext(ident)
            ident.tail = first.tail
        else:
            meta.insert(0, ident)
        item = etree.SubElement(
            manifest,
            f"{{{OPF_NS}}}item",
            {"href": EX_LIBRIS, "id": _EX_LIBRIS_ID, "media-type": "application/xhtml+xml"},
        )
        item.tail = "\n  "
        refs = list(spine.iterfind(f"{{{OPF_NS}}}itemref"))
        after = self._cover_ref(opf, refs)
        ref = etree.Element(f"{{{OPF_NS}}}itemref", idref=_EX_LIBRIS_ID)
        if after is not None:
            after.addnext(ref)
            ref.tail = after.tail
        else:
            spine.insert(0, ref)
            ref.tail = "\n    "
        data: bytes = etree.tostring(opf, encoding="utf-8", xml_declaration=True)
        template = data.decode("utf-8")
        if template.count(_COPY_SLOT) != 1:
            raise InputError("the package document cannot be stamped", where=self.where)
        return template

    @staticmethod
    def _cover_ref(opf: etree._Element, refs: list[etree._Element]) -> etree._Element | None:
        """The spine's cover page: named by the guide, else a first page called cover."""
        hrefs = {el.get("id"): el.get("href", "") for el in opf.iter(f"{{{OPF_NS}}}item")}
        covers = {
            el.get("href", "").split("#")[0]
            for el in opf.iter(f"{{{OPF_NS}}}reference")
            if el.get("type") == "cover"
        }
        for ref in refs:
            if hrefs.get(ref.get("idref")) in covers:
                return ref
        if refs and "cover" in (ref_id := refs[0].get("idref") or "") + hrefs.get(ref_id, ""):
            return refs[0]
        return None

    @staticmethod
    def _stylesheet(opf: etree._Element) -> str:
        for el in opf.iter(f"{{{OPF_NS}}}item"):
            if el.get("media-type") == "text/css":
                return el.get("href", "")
        return ""

    def page(self, who: Personal) -> bytes:
        """The ex-libris page: who the copy is for, since when, which issue, which copy."""
        parts = [
            '<section class="ex-libris" aria-labelledby="ex-libris-title">',
            f'<h1 id="ex-libris-title">Prepared for {text(who.name)}</h1>',
        ]
        if who.since:
            parts.append(f'<p class="supporter-since">Supporter since {text(who.since)}</p>')
        parts += [
            f"<p>This copy of <cite>{text(self.title)}</cite> was prepared for "
            f"{text(who.name)}, whose support pays for the journalism in it. "
            "Please keep it for your own reading.</p>",
            f'<p class="copy-id">Copy {plain_text(who.copy_id)}</p>',
            "</section>",
        ]
        xhtml = document(title="Ex libris", lang=self.language, body="\n".join(parts))
        if self.stylesheet != "style/epub.css":  # an EPUB we did not write: its own stylesheet
            link = b'<link rel="stylesheet" type="text/css" href="style/epub.css"/>\n'
            own = (
                f'<link rel="stylesheet" type="text/css" href="{attr(self.stylesheet)}"/>\n'
                if self.stylesheet
                else ""
            )
            xhtml = xhtml.replace(link, own.encode("utf-8"), 1)
        return xhtml

    def stamp(self, who: Personal) -> list[bytes]:
        """The personal copy's bytes, as chunks to write one after another."""
        opf = self.opf_template.replace(_COPY_SLOT, plain_text(who.copy_id)).encode("utf-8")
        like = self.members[self.opf_index]
        members = list(self.members)
        members[self.opf_index] = _deflated(like.name, opf, like)
        members.append(_deflated(self.page_name, self.page(who), like))
        return _zip_chunks(members)


__all__ = ["EX_LIBRIS", "Personal", "StampSource"]
