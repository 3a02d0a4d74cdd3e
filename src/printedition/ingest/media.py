"""Images and embeds: picking the best image URL, splitting photo credits, reducing embeds.

Goes in: ``<img>``/``<picture>``/``<figure>``/``<iframe>``/tweet elements and the page URL.
Comes out: ``ImageRef`` (best URL first, other candidates kept), credit/caption splits, and
``Embed`` blocks honest enough for paper: a tweet's text and author, a video's title and URL.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

from printedition.ingest.clean import (
    HtmlElement,
    text_of,
)
from printedition.ingest.text import clean_line
from printedition.model import Embed, ImageRef

_SRCSET_ITEM = re.compile(r"\s*(\S+?)(?:\s+([\d.]+)([wxh]))?\s*(?:,|$)")
_WP_SIZE = re.compile(
    r"^(?P<stem>.+?)-(?P<w>\d{2,5})x(?P<h>\d{2,5})(?P<ext>\.(?:jpe?g|png|gif|webp|avif))$", re.I
)
_WP_HOST = re.compile(r"(^|\.)(wp\.com|wordpress\.com)$|/wp-content/", re.I)
_RESIZE_PARAMS = {
    "w",
    "h",
    "width",
    "height",
    "resize",
    "fit",
    "crop",
    "quality",
    "strip",
    "ssl",
    "zoom",
}
_TRACKER = re.compile(
    r"pixel|spacer|blank\.gif|1x1|tracking|beacon|/feed/|gravatar\.com/avatar", re.I
)


def resolve(url: str, base: str | None) -> str:
    """``url`` made absolute against ``base``; "" when it cannot be parsed (e.g. ``http://[::1``)."""
    try:
        resolved = _resolve(url, base)
        if "[" in resolved:  # only IPv6-looking hosts can fail to parse
            urlsplit(resolved)
    except ValueError:
        return ""
    return resolved


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@functools.lru_cache(maxsize=64)
def _base_parts(base: str) -> tuple[str, str]:
    parts = urlsplit(base)
    return parts.scheme, parts.netloc


def _resolve(url: str, base: str | None) -> str:
    url = url.strip()
    if not url:
        return ""
    if _SCHEME.match(url):
        return url
    if not base:
        return "https:" + url if url.startswith("//") else url
    scheme, netloc = _base_parts(base)
    if url.startswith("//"):
        # A protocol-relative URL on a saved page meant the web, not this disk.
        return f"{'https' if scheme in ('file', '') else scheme}:{url}"
    if url.startswith("/") and netloc and "/." not in url:
        return f"{scheme}://{netloc}{url}"  # (what urljoin gives, without its cost)
    return urljoin(base, url)


def parse_srcset(value: str) -> list[tuple[str, float, bool]]:
    """``srcset`` → (url, size) pairs; size is width in px for ``w``, else the density × 1000
    so that any ``w`` candidate of a sane width outranks a density-only list. The flag says
    whether the size is a real width."""
    out: list[tuple[str, float, bool]] = []
    for m in _SRCSET_ITEM.finditer(value or ""):
        url, num, unit = m.group(1), m.group(2), m.group(3)
        if not url:
            continue
        url = url.rstrip(",")
        try:
            size = float(num) if num else 1.0
        except ValueError:
            size = 1.0
        if not 0 < size <= 100_000:  # "1e999w" (inf: int() of it raised), nan, 0, negative
            size = 1.0
        if unit != "w":
            size = size * 1000  # density descriptor (or none, meaning 1x)
        out.append((url, size, unit == "w"))
    return out


def wordpress_original(url: str) -> str | None:
    """The full-size original of a WordPress size variant, when the URL tells it."""
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed URL has no original either
        return None
    if not (_WP_HOST.search(parts.netloc) or _WP_HOST.search(parts.path)):
        return None
    path = parts.path
    changed = False
    m = _WP_SIZE.match(path)
    if m:
        path = m.group("stem") + m.group("ext")
        changed = True
    query = parts.query
    if query:
        params = parse_qs(query, keep_blank_values=True)
        if set(params) & _RESIZE_PARAMS:
            kept = [q for q in query.split("&") if q.split("=", 1)[0] not in _RESIZE_PARAMS]
            query = "&".join(kept)
            changed = True
    if not changed:
        return None
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _int(value: str | None) -> int | None:
    if not value:
        return None
    # At most 9 digits: a 400-digit width overflowed float() (found by the fuzzer), and past
    # 4,300 digits int() itself raises.
    m = re.match(r"\s*(\d{1,9})(?!\d)", value)
    return int(m.group(1)) if m else None


def is_tracker(img: HtmlElement) -> bool:
    w, h = _int(img.get("width")), _int(img.get("height"))
    if (w is not None and w <= 2) or (h is not None and h <= 2):
        return True
    return bool(_TRACKER.search(img.get("src", "")))


def image_ref(img: HtmlElement, base: str | None) -> ImageRef | None:
    """The best URL for an image (largest srcset/<picture> candidate, WordPress original when
    knowable), the rest kept as candidates."""
    ranked: list[tuple[float, str]] = []
    # (libxml2 may nest <source>s inside each other: look for them anywhere in the <picture>)
    picture = next(img.iterancestors("picture"), None)
    sources: list[HtmlElement] = list(picture.iter("source")) if picture is not None else []
    widths: dict[str, float] = {}
    for src_el in sources:
        kind = (src_el.get("type") or "").lower()
        penalty = 0.5 if ("webp" in kind or "avif" in kind) else 1.0  # paper wants JPEG/PNG
        for url, size, is_w in parse_srcset(
            src_el.get("srcset") or src_el.get("data-srcset") or ""
        ):
            ranked.append((size * penalty, url))
            if is_w:
                widths[resolve(url, base)] = size
    for url, size, is_w in parse_srcset(img.get("srcset", "")):
        ranked.append((size, url))
        if is_w:
            widths[resolve(url, base)] = size
    src = img.get("src", "").strip()
    width = _int(img.get("width"))
    if src and not (src.startswith("data:") and len(src) < 200):
        ranked.append((float(width or 1), src))
    if not ranked:
        return None
    ranked.sort(key=lambda t: -t[0])
    urls: list[str] = []
    for _, url in ranked:
        absolute = resolve(url, base)
        if absolute and absolute not in urls:
            urls.append(absolute)
    if not urls:
        return None
    best = urls[0]
    original = wordpress_original(best)
    if original and original not in urls:
        urls.insert(0, original)
    elif original:
        urls.remove(original)
        urls.insert(0, original)
    chosen = urls[0]
    w = h = None
    attr_w, attr_h = width, _int(img.get("height"))
    if chosen == resolve(src, base):
        w, h = attr_w, attr_h
    elif chosen in widths:
        w = int(widths[chosen])  # a "w" descriptor: the width is known, the height is not
    orig_size = img.get("data-orig-size", "")
    if chosen == original and re.match(r"^\d+,\d+$", orig_size):
        w, h = (int(v) for v in orig_size.split(","))
    return ImageRef(url=chosen, width=w, height=h, candidates=tuple(urls[1:]))


def split_credit(text: str, patterns: tuple[re.Pattern[str], ...]) -> tuple[str, str]:
    """ "A caption. Photo: AP/Alamy" → ("A caption.", "Photo: AP/Alamy")."""
    for pattern in patterns:
        m = pattern.search(text)
        if m:
            credit = m.group("credit").strip()
            if credit.endswith(")") and credit.count(")") > credit.count("("):
                credit = credit[:-1].strip()  # "(Photo: X)": the caption's bracket
            if credit.startswith("(") and credit.count("(") > credit.count(")"):
                credit = credit[1:].strip()
            caption = text[: m.start("credit")].rstrip(" ([-–—|/,;").rstrip()
            return caption, credit
    return text, ""


def credit_value(text: str, label: re.Pattern[str]) -> str:
    """A credit as the model keeps it: its labels gone ("Photo: AP/Alamy", "Credit Credit
    Jo Lee", "(© Jo Lee)" → "AP/Alamy", "Jo Lee"); the outputs set the house's label."""
    text = clean_line(text)
    if text[:1] + text[-1:] in ("()", "[]"):
        text = text[1:-1].strip()
    m = label.match(text)
    if m and m.end() < len(text):
        text = text[m.end() :].strip(" :.…-–—")
    return text


def own_embed(el: HtmlElement, base: str | None) -> Embed | None:
    """An embed as printedition's clean HTML writes it (render.py): ``<aside class="embed
    embed-KIND"><p>text</p><p class="embed-source">Label: author — title <span
    class="embed-url"><a href=URL>…</a></span></p></aside>``."""
    source = next((p for p in el.iter("p") if "embed-source" in p.get("class", "")), None)
    if source is None:
        return None
    kind = next(
        (c[6:] for c in el.get("class", "").split() if c.startswith("embed-") and len(c) > 6),
        "other",
    )
    link = next((a for a in source.iter("a") if a.get("href")), None)
    url_el = next((s for s in source.iter("span") if "embed-url" in s.get("class", "")), None)
    url = resolve(link.get("href", ""), base) if link is not None else ""
    if not url and url_el is not None:
        url = clean_line(text_of(url_el))
    text = " ".join(clean_line(text_of(p)) for p in el.iter("p") if p is not source).strip()
    footer = clean_line(text_of(source))
    if url_el is not None:
        footer = footer[: len(footer) - len(clean_line(text_of(url_el)))].strip()
    meta = footer.split(": ", 1)[1] if ": " in footer else ""
    author, _, title = meta.partition(" — ")
    if not title and not text:
        author, title = "", author
    if title == url and not text:
        title = ""
    return Embed(kind=kind, url=url, title=title, text=text, author=author)


_YOUTUBE = re.compile(
    r"(?:youtube(?:-nocookie)?\.com/(?:embed/|watch\?v=|v/|shorts/)|youtu\.be/)([\w-]{6,})"
)
_VIMEO = re.compile(r"vimeo\.com/(?:video/)?(\d+)")


def embed_url_kind(url: str) -> tuple[str, str]:
    """An embed's URL → (kind, canonical URL)."""
    m = _YOUTUBE.search(url)
    if m:
        return "video", f"https://www.youtube.com/watch?v={m.group(1)}"
    m = _VIMEO.search(url)
    if m:
        return "video", f"https://vimeo.com/{m.group(1)}"
    low = url.lower()
    if any(h in low for h in ("dailymotion", "twitch.tv", "v.qq.com", "wikimedia.org")):
        return "video", url
    if any(h in low for h in ("spotify.com", "acast.com", "podcasts.apple.com", "soundcloud.com")):
        return "podcast", url
    if "twitter.com" in low or "//x.com" in low:
        return "tweet", url
    if "instagram.com" in low:
        return "instagram", url
    if "google.com/maps" in low:
        return "map", url
    return "other", url


def tweet_embed(bq: HtmlElement, base: str | None) -> Embed:
    """``blockquote.twitter-tweet`` → Embed(kind="tweet") with text, author and status URL."""
    paras = [clean_line(text_of(p)) for p in bq.iter("p")]
    text = " ".join(p for p in paras if p)
    links = [resolve(a.get("href", ""), base) for a in bq.iter("a") if a.get("href")]
    status = [u.split("?")[0] for u in links if "/status/" in u]  # (no ?ref_src= tracking)
    url = status[-1] if status else (links[-1] if links else "")
    full = clean_line(text_of(bq))
    author = ""
    m = re.search(r"[—–-]\s*([^—–]+?)\s*(\(@\w+\))", full)
    if m:
        author = f"{m.group(1)} {m.group(2)}"
    elif (m := re.search(r"[—–]\s*(.+?)\s*$", full)) is not None:
        author = m.group(1)
    if not text:
        text = full
    return Embed(kind="tweet", url=url, text=text, author=author)


def frame_embed(el: HtmlElement, base: str | None, title: str = "") -> Embed | None:
    """``<iframe>``/``<video>``/``<audio>``/Gutenberg embed wrapper → Embed."""
    url = ""
    for attr in ("src", "data-src", "data-lazy-src", "data-url", "href"):
        if el.get(attr):
            url = el.get(attr, "")
            break
    if not url and el.tag in ("video", "audio"):
        for source in el.iter("source"):
            if source.get("src"):
                url = source.get("src", "")
                break
    if not url:
        text = clean_line(text_of(el))
        if re.match(r"^https?://\S+$", text):
            url = text
    if not url:
        return None
    url = resolve(url, base)
    kind, canonical = embed_url_kind(url)
    if el.tag == "video":
        kind = "video"
    elif el.tag == "audio":
        kind = "audio"
    title = title or clean_line(el.get("title") or el.get("aria-label") or "")
    return Embed(kind=kind, url=canonical, title=title)
