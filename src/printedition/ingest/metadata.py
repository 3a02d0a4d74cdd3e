"""Page metadata in order of trust: JSON-LD, OpenGraph/``article:*``, ``<meta>``, markup, title.

Goes in: the parsed page *before* cleaning (scripts and ``<meta>`` still there). Comes out:
``PageMeta``: headline, authors, dates (timezone-aware), language, site name, section, tags,
description, canonical URL, ``<base>`` URL.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from printedition.ingest.clean import (
    HtmlElement,
    text_of,
)
from printedition.ingest.text import clean_line, plain_text
from printedition.model import Author

ARTICLE_TYPES = re.compile(
    r"^(Article|AdvertiserContentArticle|NewsArticle|AnalysisNewsArticle|AskPublicNewsArticle|"
    r"BackgroundNewsArticle|OpinionNewsArticle|ReportageNewsArticle|ReviewNewsArticle|Report|"
    r"SatiricalArticle|ScholarlyArticle|MedicalScholarlyArticle|SocialMediaPosting|BlogPosting|"
    r"LiveBlogPosting|DiscussionForumPosting|TechArticle|APIReference)$"
)
_PROPERTY = re.compile(
    r"(article|dc|dcterm|og|twitter)\s*:\s*"
    r"(author|creator|description|published_time|modified_time|title|site_name|section|tag|locale|url|image)\s*$",
    re.I,
)
_NAME = re.compile(
    r"^\s*(?:(dc|dcterm|og|twitter|parsely|weibo:(article|webpage))\s*[-.:]\s*)?"
    r"(author|creator|pub-date|description|title|site_name|keywords|news_keywords|section|date|language)\s*$",
    re.I,
)
_BY = re.compile(r"^\s*(by|par|von|por|di|door|av|af)\s+", re.I)
_TITLE_SEP = re.compile(r" [|\-\\/>»] ")


@dataclass
class PageMeta:
    headline: str = ""
    authors: list[Author] = field(default_factory=list)
    description: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    language: str = ""
    site_name: str = ""
    section: str = ""
    tags: list[str] = field(default_factory=list)
    canonical: str = ""
    base_href: str = ""
    image: str = ""  # the share image (og:image, else JSON-LD image), as written
    image_alt: str = ""  # og:image:alt
    image_width: int = 0  # og:image:width, when given
    naive_dates: bool = False


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(node: dict[str, Any]) -> list[str]:
    return [t for t in _as_list(node.get("@type")) if isinstance(t, str)]


def _json_ld_nodes(doc: HtmlElement) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for script in doc.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = re.sub(r"^\s*<!\[CDATA\[|\]\]>\s*$", "", script.text or "")
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        stack = _as_list(data)
        while stack:
            item = stack.pop(0)
            if not isinstance(item, dict):
                continue
            nodes.append(item)
            stack.extend(x for x in _as_list(item.get("@graph")) if isinstance(x, dict))
    return nodes


def _text_value(value: Any) -> Any:
    """A JSON-LD string as text (see ``plain_text``); other values as they are."""
    return plain_text(value) if isinstance(value, str) else value


def _person_names(value: Any, by_id: dict[str, dict[str, Any]]) -> list[Author]:
    out: list[Author] = []
    for item in _as_list(value):
        if isinstance(item, str):
            for name in split_names(plain_text(item)):
                out.append(Author(name=name))
        elif isinstance(item, dict):
            if "name" not in item and isinstance(item.get("@id"), str):
                item = by_id.get(item["@id"], item)
            name = item.get("name")
            if isinstance(name, list):
                name = next((n for n in name if isinstance(n, str)), "")
            if isinstance(name, str) and plain_text(name):
                url = item.get("url") if isinstance(item.get("url"), str) else ""
                out.append(Author(name=plain_text(name), url=url or ""))
    return out


def split_names(text: str) -> list[str]:
    """ "By Jane Doe and John Roe" → ["Jane Doe", "John Roe"]."""
    text = _BY.sub("", clean_line(text))
    if not text or len(text) > 200:
        return []
    if "(" in text:
        return [text]
    parts = re.split(r"\s*(?:,|;|&| and | und | et | y | e )\s*", text)
    names = [p.strip() for p in parts if p.strip()]
    return names


def parse_date(value: str) -> tuple[datetime | None, bool]:
    """ISO 8601 / RFC 2822 → aware datetime; naive values are read as UTC (flag returned)."""
    value = clean_line(value)
    if not value:
        return None, False
    candidate = value.replace("Z", "+00:00").replace("z", "+00:00")
    candidate = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", candidate)
    dt: datetime | None = None
    try:
        dt = datetime.fromisoformat(candidate)
    except ValueError:
        try:
            dt = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            m = re.match(r"^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d(:\d\d)?)", value)
            if m:
                try:
                    dt = datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}")
                except ValueError:
                    dt = None
    if dt is None:
        return None, False
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC), True
    return dt, False


def _article_node(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    for node in nodes:
        if any(ARTICLE_TYPES.match(t) for t in _types(node)):
            return node
    return None


def doc_title(doc: HtmlElement) -> str:
    t = doc.find(".//title")
    return plain_text(text_of(t)) if t is not None else ""


def title_from_document(doc: HtmlElement) -> str:
    """The document title minus its " | Site" part (Readability's rules)."""
    orig = doc_title(doc)
    h1_texts = {clean_line(text_of(h)) for h in doc.iter("h1")}
    # The page's own heading is the whole title (as a metadata value: no-break spaces made
    # plain): nothing in it is the site's, and the heading is kept as the page writes it.
    as_title = {plain_text(text_of(h)): clean_line(text_of(h)) for h in doc.iter("h1")}
    if orig and orig in as_title:
        return as_title[orig]
    cur = orig
    hierarchical = False

    def words(s: str) -> int:
        return len(s.split())

    if _TITLE_SEP.search(cur):
        hierarchical = bool(re.search(r" [\\/>»] ", cur))
        cur = re.sub(r"(.*)[|\-\\/>»] .*", r"\1", orig)
        if words(cur) < 3:
            cur = re.sub(r"^[^|\-\\/>»]*[|\-\\/>»](.*)", r"\1", orig)
    elif ": " in cur:
        headings = [clean_line(text_of(h)) for h in doc.iter("h1", "h2")]
        if cur not in headings:
            cur = orig[orig.rfind(":") + 1 :]
            if words(cur) < 3:
                cur = orig[orig.find(":") + 1 :]
    elif len(cur) > 150 or len(cur) < 15:
        h1s = list(doc.iter("h1"))
        if len(h1s) == 1:
            cur = clean_line(text_of(h1s[0]))
    cur = cur.strip()
    n = words(cur)
    short = n <= 4 and (not hierarchical or n != words(re.sub(r"[|\-\\/>»]+", "", orig)) - 1)
    # Readability keeps a short title whole, unless the page's own heading says otherwise
    if short and cur not in h1_texts:
        cur = orig
    return cur


def _similarity(a: str, b: str) -> float:
    from printedition.ingest.readability import text_similarity

    return text_similarity(a, b)


def read_metadata(doc: HtmlElement) -> PageMeta:
    meta = PageMeta()
    nodes = _json_ld_nodes(doc)
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    art = _article_node(nodes)

    values: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    alt_text = image_width = ""
    for el in doc.iter("meta"):
        content = el.get("content")
        if not content or not content.strip():
            continue
        content = plain_text(content)
        prop = el.get("property") or ""
        name = el.get("name") or ""
        key = (prop or name).strip().lower()
        if key in ("og:image:alt", "twitter:image:alt") and not alt_text:
            alt_text = content
        elif key == "og:image:width" and not image_width:
            image_width = content
        matched = False
        for p in prop.split():
            m = _PROPERTY.search(p)
            if m:
                key = f"{m.group(1).lower()}:{m.group(2).lower()}"
                values.setdefault(key, content)
                multi.setdefault(key, []).append(content)
                matched = True
        if not matched and name and _NAME.match(name):
            key = re.sub(r"\s", "", name.lower()).replace(".", ":")
            values.setdefault(key, content)
            multi.setdefault(key, []).append(content)
        if el.get("http-equiv", "").lower() == "content-language":
            values.setdefault("http:language", content)
        itemprop = el.get("itemprop")
        if itemprop in ("datePublished", "dateModified", "author", "headline"):
            values.setdefault(f"itemprop:{itemprop}", content)

    # --- headline
    title: Any = ""
    if art is not None:
        ld_name, ld_headline = _text_value(art.get("name")), _text_value(art.get("headline"))
        if (
            isinstance(ld_name, str)
            and isinstance(ld_headline, str)
            and ld_name.strip() != ld_headline.strip()
        ):
            page_title = title_from_document(doc)
            name_ok = _similarity(ld_name, page_title) > 0.75
            head_ok = _similarity(ld_headline, page_title) > 0.75
            title = ld_headline if head_ok and not name_ok else ld_name
        elif isinstance(ld_name, str) and ld_name.strip():
            title = ld_name
        elif isinstance(ld_headline, str):
            title = ld_headline
    title = title or (
        values.get("dc:title")
        or values.get("dcterm:title")
        or values.get("og:title")
        or values.get("weibo:article:title")
        or values.get("weibo:webpage:title")
        or values.get("title")
        or values.get("twitter:title")
        or values.get("parsely-title")
        or ""
    )
    meta.headline = plain_text(title) or title_from_document(doc)

    # --- authors
    if art is not None:
        meta.authors = _person_names(art.get("author") or art.get("creator"), by_id)
    if not meta.authors:
        article_author = values.get("article:author", "")
        if re.match(r"^https?://", article_author):
            article_author = ""
        for key in ("dc:creator", "dcterm:creator", "author", "parsely-author"):
            if values.get(key) and not re.match(r"^https?://", values[key]):
                meta.authors = [Author(name=n) for n in split_names(values[key])]
                break
        if not meta.authors and article_author:
            meta.authors = [
                Author(name=n)
                for a in multi.get("article:author", [])
                for n in split_names(a)
                if not re.match(r"^https?://", a)
            ]

    # --- description, site, section, tags, language, dates
    description = ""
    if art is not None and isinstance(art.get("description"), str):
        description = plain_text(art["description"])
    meta.description = plain_text(
        description
        or values.get("dc:description")
        or values.get("dcterm:description")
        or values.get("og:description")
        or values.get("description")
        or values.get("twitter:description")
        or ""
    )
    site = ""
    if art is not None and isinstance(art.get("publisher"), dict):
        pub = art["publisher"]
        if "name" not in pub and isinstance(pub.get("@id"), str):
            pub = by_id.get(pub["@id"], pub)
        site = pub.get("name") if isinstance(pub.get("name"), str) else ""
    meta.site_name = plain_text(values.get("og:site_name") or site)
    section = art.get("articleSection") if art is not None else None
    if isinstance(section, list):
        section = next((s for s in section if isinstance(s, str)), "")
    meta.section = plain_text(section if isinstance(section, str) else "") or values.get(
        "article:section", ""
    )
    tags: list[str] = list(multi.get("article:tag", []))
    if art is not None:
        kw = art.get("keywords")
        if isinstance(kw, str):
            tags.extend(k for k in kw.split(","))
        elif isinstance(kw, list):
            tags.extend(k for k in kw if isinstance(k, str))
    if not tags:
        for key in ("news_keywords", "keywords"):
            if values.get(key):
                tags.extend(values[key].split(","))
                break
    seen: set[str] = set()
    for tag in tags:
        tag = plain_text(tag)
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            meta.tags.append(tag)

    html = doc if doc.tag == "html" else doc.getroottree().getroot()
    lang = (
        html.get("lang")
        or html.get("xml:lang")
        or html.get("{http://www.w3.org/XML/1998/namespace}lang")
        or ""
    )
    if not lang and art is not None and isinstance(art.get("inLanguage"), str):
        lang = art["inLanguage"]
    lang = lang or values.get("http:language", "") or values.get("og:locale", "").replace("_", "-")
    meta.language = clean_line(lang)

    def date_of(*candidates: Any) -> datetime | None:
        for c in candidates:
            if isinstance(c, str) and c.strip():
                dt, naive = parse_date(c)
                if dt is not None:
                    meta.naive_dates = meta.naive_dates or naive
                    return dt
        return None

    time_el: HtmlElement | None = None
    for t in doc.iter("time"):
        if t.get("datetime") and (
            t.get("itemprop") == "datePublished"
            or "publish" in t.get("class", "")
            or time_el is None
        ):
            time_el = t
            if t.get("itemprop") == "datePublished" or "publish" in t.get("class", ""):
                break
    meta.published = date_of(
        art.get("datePublished") if art is not None else None,
        values.get("article:published_time"),
        values.get("itemprop:datePublished"),
        values.get("parsely-pub-date"),
        values.get("dc:date"),
        values.get("date"),
        time_el.get("datetime") if time_el is not None else None,
    )
    meta.updated = date_of(
        art.get("dateModified") if art is not None else None,
        values.get("article:modified_time"),
        values.get("itemprop:dateModified"),
    )

    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href"):
            meta.canonical = link.get("href", "").strip()
            break
    if not meta.canonical:
        meta.canonical = values.get("og:url", "")
    base = doc.find(".//base[@href]")
    if base is not None:
        meta.base_href = base.get("href", "").strip()
    meta.image = values.get("og:image", "") or _ld_image(
        art.get("image") if art is not None else None, by_id
    )
    meta.image_alt = alt_text
    meta.image_width = int(image_width) if image_width.isdigit() and len(image_width) < 7 else 0
    return meta


def _ld_image(value: Any, by_id: dict[str, dict[str, Any]]) -> str:
    """A JSON-LD ``image``: a URL, an ``ImageObject`` (or its ``@id``), or a list of them."""
    for item in _as_list(value):
        if isinstance(item, str) and item.strip():
            return item.strip()
        if isinstance(item, dict):
            if "url" not in item and "contentUrl" not in item and isinstance(item.get("@id"), str):
                item = by_id.get(item["@id"], item)
            url = item.get("url") or item.get("contentUrl")
            if isinstance(url, str) and url.strip():
                return url.strip()
    return ""


def byline_from_markup(el: HtmlElement) -> list[Author]:
    """Authors from a byline element: its ``itemprop=name`` part, else its text ("By A and B");
    author links (``rel=author``, ``/author/`` URLs) give each name its URL."""
    named = next(
        (
            n
            for n in el.iter()
            if isinstance(n.tag, str) and "name" in (n.get("itemprop") or "").split()
        ),
        None,
    )
    text = clean_line(text_of(named if named is not None else el))
    if not text or len(text) >= 100:
        return []
    urls: dict[str, str] = {}
    for a in el.iter("a"):
        href = a.get("href", "")
        if href and ("author" in (a.get("rel") or "") or "/author" in href or "/profile" in href):
            urls.setdefault(clean_line(text_of(a)).lower(), href)
    return [Author(name=n, url=urls.get(n.lower(), "")) for n in split_names(text) if len(n) < 80]
