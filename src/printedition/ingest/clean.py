"""Page text → a parsed, de-cluttered HTML tree.

Goes in: a page's text (see decode.py for its bytes). Comes out: an lxml document with
scripts, styles, forms, hidden elements and always-clutter removed, lazy images made real.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import cast

from lxml import etree

from printedition.errors import NoArticleError
from printedition.ingest.selectors import Rules

# Plain lxml elements (not lxml.html's): lxml.html looks up a Python class for every element
# it touches, which costs more than the whole extraction.
HtmlElement = etree._Element
_STRING = etree.XPath("string()", smart_strings=False)


def _attrs(el: HtmlElement) -> list[tuple[str, str]]:
    """An element's attributes as text (HTML parsing never gives bytes)."""
    return cast("list[tuple[str, str]]", el.items())


def select(xpath: etree.XPath, el: HtmlElement) -> list[HtmlElement]:
    """Run an XPath that selects elements (typed for mypy; no copying)."""
    return cast("list[HtmlElement]", xpath(el))


def measure(xpath: etree.XPath, el: HtmlElement) -> float:
    """Run an XPath that returns a number."""
    return cast(float, xpath(el))


def text_of(el: HtmlElement) -> str:
    """All text inside an element (like DOM textContent)."""
    return str(_STRING(el))


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# libxml2 stops reading HTML nested deeper than this; what follows is lost.
PARSER_DEPTH_LIMIT = 255


_PARSER = etree.HTMLParser(
    remove_comments=True, remove_pis=True, no_network=True, collect_ids=False
)


_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_C0 = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _has_control_chars(text: str) -> bool:
    """Whether ``_CONTROL_CHARS`` would find anything, told on the UTF-8 bytes (byte
    operations scan a page in about half the time the regular expression takes)."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return True
    if len(data.translate(None, _C0)) != len(data):
        return True
    # U+FFFE and U+FFFF (U+FFxx share their first two bytes: one search for most pages)
    return b"\xef\xbf" in data and (b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data)


def _control_replacement(m: re.Match[str]) -> str:
    return " " if m.group() == "\x0c" else ""


def parse_html(text: str, where: str = "") -> HtmlElement:
    """Text → lxml document (``<html>`` element). Never raises anything but NoArticleError."""
    text = _XML_DECL.sub("", text, count=1)
    # NUL and the other C0 controls (but tab, LF, CR; form feed is HTML whitespace) cannot be
    # carried by lxml text nodes: setting one later raises ValueError. Browsers drop them too.
    if _has_control_chars(text):
        text = _CONTROL_CHARS.sub(_control_replacement, text)
    try:
        root = etree.fromstring(text, _PARSER) if text.strip() else None
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        raise NoArticleError("no HTML document could be read from the page", where=where)
    return root


def deeper_than(root: HtmlElement, depth: int) -> bool:
    """Whether any element is nested more than ``depth`` levels below ``root`` (in C)."""
    return bool(root.xpath("boolean(" + "*/" * depth + "*)"))


def elements(root: HtmlElement) -> Iterator[HtmlElement]:
    """Every element below ``root`` (not comments/PIs), document order."""
    for el in root.iter():
        if isinstance(el.tag, str):
            yield el


def _append_text(parent: HtmlElement, prev: HtmlElement | None, text: str) -> None:
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def drop(el: HtmlElement) -> None:
    """Remove an element and its content, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        _append_text(parent, el.getprevious(), el.tail)
    parent.remove(el)


def unwrap(el: HtmlElement) -> None:
    """Remove an element's tag but keep its content in place."""
    parent = el.getparent()
    if parent is None:
        return
    prev = el.getprevious()
    index = parent.index(el)
    children = list(el)
    text, tail = el.text, el.tail
    el.tail = None
    parent.remove(el)
    for i, child in enumerate(children):
        parent.insert(index + i, child)
    if text:
        _append_text(parent, prev, text)
    if tail:
        _append_text(parent, children[-1] if children else prev, tail)


def is_hidden(el: HtmlElement, rules: Rules) -> bool:
    attrib = el.attrib
    if "hidden" in attrib:
        return True
    if attrib.get("aria-hidden") == "true" and "fallback-image" not in attrib.get("class", ""):
        return True
    style = attrib.get("style")
    return bool(style and rules.hidden_style.search(style))


_LAZY_ATTRS = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-lazy",
    "data-url",
    "data-orig-file",
)
_LAZY_SRCSET = ("data-srcset", "data-lazy-srcset")
_PLACEHOLDER = re.compile(r"^data:|blank\.gif|spacer\.gif|placeholder|lazy[-_]?load|1x1\.", re.I)


def fix_lazy_image(img: HtmlElement) -> None:
    """Copy a lazy-loading image's real URL into ``src``/``srcset``."""
    src = img.get("src", "").strip()
    if not src or (_PLACEHOLDER.search(src) and not src.startswith("data:image/svg")):
        for attr in _LAZY_ATTRS:
            value = img.get(attr, "").strip()
            if value and not value.startswith("data:"):
                img.set("src", value)
                break
        else:
            # Readability's rule: any attribute whose value looks like an image URL.
            for name, value in _attrs(img):
                if name in ("src", "srcset", "alt", "class", "title"):
                    continue
                if re.match(r"^\s*\S+\.(jpe?g|png|webp|gif|avif)\S*\s*$", value, re.I):
                    img.set("src", value.strip())
                    break
    for attr in _LAZY_SRCSET:
        value = img.get(attr, "").strip()
        if value and (not img.get("srcset") or _PLACEHOLDER.search(img.get("srcset", ""))):
            img.set("srcset", value)
            break


def _single_img(el: HtmlElement) -> HtmlElement | None:
    if el.tag == "img":
        return el
    imgs = list(el.iter("img"))
    if len(imgs) == 1 and not (text_of(el) or "").strip():
        return imgs[0]
    return None


def unwrap_noscript_images(root: HtmlElement) -> None:
    """A ``<noscript>`` copy of an image replaces the lazy placeholder before it."""
    for ns in list(root.iter("noscript")):
        if ns.getparent() is None:
            continue
        inner = list(ns.iter("img"))
        if not inner:
            # libxml2 may keep noscript content as text: parse it.
            raw = (ns.text or "").strip()
            if "<img" in raw:
                try:
                    frag = etree.fromstring(f"<div>{raw}</div>", _PARSER)
                except (etree.ParserError, etree.XMLSyntaxError, ValueError):
                    frag = None
                inner = list(frag.iter("img")) if frag is not None else []
        if len(inner) != 1:
            continue
        new_img = inner[0]
        prev = ns.getprevious()
        placeholder = _single_img(prev) if prev is not None else None
        if placeholder is not None:
            for name, value in _attrs(placeholder):
                wanted = name.startswith("data-") or name in ("class", "alt", "width", "height")
                if wanted and name not in new_img.attrib:
                    new_img.set(name, value)
            new_img.tail = placeholder.tail
            placeholder.getparent().replace(placeholder, new_img)  # type: ignore[union-attr]
            drop(ns)
        else:
            new_img.tail = ns.tail
            ns.getparent().replace(ns, new_img)  # type: ignore[union-attr]


_EMBED_HOSTS = re.compile(
    r"//(www\.)?((dailymotion|youtube|youtube-nocookie|player\.vimeo|vimeo|v\.qq)\.com|"
    r"youtu\.be|(archive|upload\.wikimedia)\.org|player\.twitch\.tv|open\.spotify\.com|"
    r"w\.soundcloud\.com|embed\.acast\.com|podcasts\.apple\.com|embed\.podcasts\.apple\.com|"
    r"(platform\.)?twitter\.com|x\.com|instagram\.com|google\.com/maps|datawrapper\.dwcdn\.net|flo\.uri\.sh)",
    re.I,
)


def is_known_embed(el: HtmlElement) -> bool:
    return any(_EMBED_HOSTS.search(v) for _, v in _attrs(el))


_MAYBE_HIDDEN = etree.XPath("//*[@hidden or @aria-hidden or @style]")


def strip_junk(root: HtmlElement, rules: Rules) -> None:
    """Remove scripts, styles, forms' controls and unknown frames; put <noscript> images in
    place of their lazy placeholders. Mutates ``root``."""
    unwrap_noscript_images(root)
    etree.strip_elements(root, *rules.remove_tags, with_tail=False)
    for el in list(root.iter("iframe", "object", "embed")):
        if not is_known_embed(el):
            drop(el)


# Images that may be lazy-loaded: no real src, a placeholder src, or lazy attributes.
_MAYBE_LAZY = etree.XPath(
    "//img[not(@src) or normalize-space(@src)='' or starts-with(@src, 'data:') or @data-src"
    " or @data-lazy-src or @data-original or @data-lazy or @data-url or @data-orig-file"
    " or @data-srcset or @data-lazy-srcset or contains(@src, 'blank') or contains(@src, 'spacer')"
    " or contains(@src, 'placeholder') or contains(@src, 'lazy') or contains(@src, '1x1.')"
    " or contains(@srcset, 'placeholder') or contains(@srcset, 'data:')]"
)


def prepare(root: HtmlElement, rules: Rules, remove: list[HtmlElement] | None = None) -> None:
    """Remove what is never journalism and make lazy images real. Mutates ``root``.

    ``remove`` is what ``rules.remove`` matched after ``strip_junk`` (when the caller matched
    it together with other selectors); without it both steps run here.
    """
    if remove is None:
        strip_junk(root, rules)
        remove = rules.remove(root)
    doomed = [
        el
        for el in select(_MAYBE_HIDDEN, root)
        if el.tag not in ("html", "body") and is_hidden(el, rules)
    ]
    doomed.extend(remove)
    for el in doomed:
        drop(el)
    for form in list(root.iter("form")):
        # Some sites wrap the whole page in a <form>: keep its content, drop real forms.
        if len(form.findall(".//p")) >= 3 and len(text_of(form)) > 500:
            unwrap(form)
        else:
            drop(form)
    for img in select(_MAYBE_LAZY, root):
        fix_lazy_image(img)


def flatten_deep(root: HtmlElement, limit: int) -> bool:
    """Replace every subtree nested deeper than ``limit`` by its text. True if any was."""
    changed = False
    stack: list[tuple[HtmlElement, int]] = [(root, 0)]
    while stack:
        el, d = stack.pop()
        if d >= limit:
            text = text_of(el)
            for child in list(el):
                el.remove(child)
            el.text = text
            changed = True
            continue
        stack.extend((c, d + 1) for c in el if isinstance(c.tag, str))
    return changed
