"""A WordPress export file (WXR) → post records, offline and safely parsed.

Goes in: the bytes of ``wp export`` / Tools → Export (WXR 1.0–1.2, RSS with ``wp:``,
``content:``, ``excerpt:`` and ``dc:`` elements). Comes out: ``SiteInfo`` and a
``PostRecord`` per post, its body rendered from the raw ``content:encoded`` the way
WordPress would (``autop``), its featured image found through ``_thumbnail_id`` → the
attachment's ``wp:attachment_url`` (the original upload from ``_wp_attachment_metadata``).

Hostile files: the parser resolves no entities, loads no DTD and reads nothing from the
network; a file with a DOCTYPE is refused outright (an export never has one), so no entity can
be expanded and no local file read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin

from lxml import etree

from printedition.errors import InputError
from printedition.model import Author
from printedition.wordpress.autop import render_content, wpautop, wptexturize
from printedition.wordpress.records import LeadImage, PostRecord, SiteInfo

MAX_WXR_BYTES = 512 * 1024 * 1024
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DC = "http://purl.org/dc/elements/1.1/"
_SIZE_FILE = re.compile(r's:4:"file";s:\d+:"([^"]+)";s:5:"width";i:(\d+);')
_DIMENSIONS = re.compile(r'^a:\d+:\{s:5:"width";i:(\d+);s:6:"height";i:(\d+);')
_ORIGINAL = re.compile(r's:14:"original_image";s:\d+:"([^"]+)";')


@dataclass(frozen=True, slots=True, kw_only=True)
class WxrExport:
    site: SiteInfo
    posts: tuple[PostRecord, ...]

    def post(self, post_id: int) -> PostRecord | None:
        return next((p for p in self.posts if p.id == post_id), None)


def _ns_kind(tag: str) -> tuple[str, str]:
    """``{namespace}local`` → (short kind, local name); every WXR version's wp: is "wp"."""
    if not tag.startswith("{"):
        return "", tag
    ns, _, local = tag[1:].partition("}")
    if ns.startswith("http://wordpress.org/export/"):
        return ("excerpt" if ns.rstrip("/").endswith("excerpt") else "wp"), local
    if ns == _CONTENT:
        return "content", local
    if ns == _DC:
        return "dc", local
    return "?", local


def _children(el: etree._Element, kind: str, name: str) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and _ns_kind(c.tag) == (kind, name)]


def _text(el: etree._Element, kind: str, name: str) -> str:
    found = _children(el, kind, name)
    return (found[0].text or "") if found else ""


def _meta(item: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for pm in _children(item, "wp", "postmeta"):
        key = _text(pm, "wp", "meta_key")
        if key and key not in out:
            out[key] = _text(pm, "wp", "meta_value")
    return out


def parse_xml(data: bytes, where: str) -> etree._Element:
    if len(data) > MAX_WXR_BYTES:
        raise InputError(f"the export is over {MAX_WXR_BYTES // 1024**2} MB", where=where)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(
            f"not a readable WordPress export (XML error: {exc})", where=where
        ) from None
    if getattr(root.getroottree().docinfo, "doctype", ""):
        raise InputError(
            "the export declares a DOCTYPE (WordPress never writes one): refused, "
            "entities are not expanded",
            where=where,
        )
    if root.tag != "rss" or root.find("channel") is None:
        raise InputError("not a WordPress export (no <rss><channel>)", where=where)
    return root


# Which posts to read in full (id, local date, status): rendering is the costly part.
Select = Callable[[int, datetime | None, str], bool]


def read_wxr_file(path: Path, select: Select | None = None) -> WxrExport:
    where = str(path)
    try:
        if path.stat().st_size > MAX_WXR_BYTES:
            raise InputError(f"the export is over {MAX_WXR_BYTES // 1024**2} MB", where=where)
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", where=where) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=where) from None
    return read_wxr(data, source=path.resolve().as_uri(), select=select)


def _stamp(value: str) -> datetime | None:
    value = value.strip()
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.fromisoformat(value.replace(" ", "T")).replace(tzinfo=None)
    except ValueError:
        return None


def _aware(local: datetime | None, gmt: datetime | None) -> datetime | None:
    """The export has no zone name: the offset is what the local and GMT dates differ by."""
    if gmt is None:
        return None
    if local is None:
        return gmt.replace(tzinfo=UTC)
    offset = timedelta(minutes=round((local - gmt).total_seconds() / 60))
    return gmt.replace(tzinfo=UTC).astimezone(timezone(offset))


def _lead(attachment: etree._Element | None) -> LeadImage | None:
    if attachment is None:
        return None
    full = _text(attachment, "wp", "attachment_url").strip()
    if not full:
        return None
    meta = _meta(attachment)
    serial = meta.get("_wp_attachment_metadata", "")
    original = _ORIGINAL.search(serial)
    url = urljoin(full, original.group(1)) if original else full
    width = height = None
    dims = _DIMENSIONS.search(serial)
    if dims and not original:
        width, height = int(dims.group(1)), int(dims.group(2))
    ranked = sorted(_SIZE_FILE.findall(serial), key=lambda fw: -int(fw[1]))
    sizes = tuple(
        dict.fromkeys(urljoin(full, f) for f, _w in ranked if urljoin(full, f) not in (url, full))
    )
    caption = _text(attachment, "excerpt", "encoded").strip()
    return LeadImage(
        url=url,
        full=full if full != url else "",
        width=width,
        height=height,
        alt=meta.get("_wp_attachment_image_alt", ""),
        caption_html=wpautop(wptexturize(caption)) if caption else "",
        sizes=sizes,
    )


def read_wxr(data: bytes, *, source: str = "export.xml", select: Select | None = None) -> WxrExport:
    root = parse_xml(data, source)
    channel = root.find("channel")
    assert channel is not None  # parse_xml checked
    site = SiteInfo(
        url=(_text(channel, "wp", "base_blog_url") or _text(channel, "", "link")).strip(),
        name=_text(channel, "", "title").strip(),
        language=_text(channel, "", "language").strip(),
    )
    people = {
        _text(a, "wp", "author_login"): _text(a, "wp", "author_display_name").strip()
        for a in _children(channel, "wp", "author")
    }
    items = _children(channel, "", "item")
    attachments = {
        _text(i, "wp", "post_id").strip(): i
        for i in items
        if _text(i, "wp", "post_type") == "attachment"
    }
    posts: list[PostRecord] = []
    for item in items:
        if _text(item, "wp", "post_type") != "post":
            continue
        post_id = _text(item, "wp", "post_id").strip()
        if not post_id.isdigit():
            continue
        local = _stamp(_text(item, "wp", "post_date"))
        status = _text(item, "wp", "status").strip() or "publish"
        if select is not None and not select(int(post_id), local, status):
            continue
        meta = _meta(item)
        login = _text(item, "dc", "creator").strip()
        name = people.get(login) or login
        categories, tags = [], []
        for cat in _children(item, "", "category"):
            label = (cat.text or "").strip()
            if cat.get("domain") == "category":
                categories.append((cat.get("nicename", ""), label))
            elif cat.get("domain") == "post_tag":
                tags.append(label)
        posts.append(
            PostRecord(
                id=int(post_id),
                slug=_text(item, "wp", "post_name").strip() or post_id,
                link=_text(item, "", "link").strip(),
                source_url=f"{source}#post-{post_id}",
                status=status,
                # the_title and the_excerpt run wptexturize on what the export holds as typed
                title_html=wptexturize(_text(item, "", "title")),
                excerpt_html=wptexturize(_text(item, "excerpt", "encoded")),
                content_html=render_content(_text(item, "content", "encoded")),
                date_local=local,
                published=_aware(local, _stamp(_text(item, "wp", "post_date_gmt"))),
                updated=_aware(
                    _stamp(_text(item, "wp", "post_modified")),
                    _stamp(_text(item, "wp", "post_modified_gmt")),
                ),
                authors=(Author(name=name),) if name else (),
                categories=tuple(categories),
                tags=tuple(tags),
                lead=_lead(attachments.get(meta.get("_thumbnail_id", "").strip())),
                site=site,
            )
        )
    return WxrExport(site=site, posts=tuple(posts))


__all__ = ["MAX_WXR_BYTES", "Select", "WxrExport", "parse_xml", "read_wxr", "read_wxr_file"]
