"""Inline content: HTML phrasing elements → the model's Text, Emphasis, Strong, Link…

Goes in: an element of the cleaned article. Comes out: a tuple of ``Inline`` nodes with text
cleaned (NFC, whitespace collapsed), adjacent runs merged, ends trimmed, links absolute.
"""

from __future__ import annotations

import re

from printedition.ingest.clean import HtmlElement, text_of
from printedition.ingest.media import resolve
from printedition.ingest.text import clean_text
from printedition.model import (
    Code,
    Emphasis,
    Inline,
    LineBreak,
    Link,
    Strong,
    Subscript,
    Superscript,
    Text,
    inline_text,
)

BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "figure",
    "blockquote",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "pre",
    "iframe",
    "img",
    "picture",
    "video",
    "audio",
    "center",
    "details",
    "summary",
    "address",
    "nav",
    "fieldset",
    "li",
    "figcaption",
    "tr",
    "td",
    "th",
    "tbody",
    "thead",
    "tfoot",
    "caption",
    "form",
    "object",
    "embed",
    "hgroup",
}
EMPHASIS = {"em", "i", "cite", "dfn", "var"}
STRONG = {"strong", "b"}
CODE = {"code", "kbd", "samp", "tt"}


def _inlines(el: HtmlElement, base: str | None, out: list[Inline], skip: set[HtmlElement]) -> None:
    """Append the inline content *inside* ``el`` (not its tail) to ``out``."""
    if el.text:
        out.append(Text(text=clean_text(el.text)))
    for child in el:
        if isinstance(child.tag, str) and child not in skip:
            out.extend(inline_node(child, base, skip))
        if child.tail:
            out.append(Text(text=clean_text(child.tail)))


def inline_node(
    el: HtmlElement, base: str | None, skip: set[HtmlElement] | None = None
) -> list[Inline]:
    """One inline element (and what it holds) → inline content; links resolve against
    ``base``."""
    skip = skip or set()
    tag = el.tag
    if tag == "br":
        return [LineBreak()]
    if tag in ("img", "picture", "iframe", "video", "audio", "figure", "figcaption"):
        return []
    children: list[Inline] = []
    _inlines(el, base, children, skip)
    kids = tuple(merge_inlines(children))
    if tag in CODE:
        return [Code(text=clean_text(text_of(el)))] if text_of(el).strip() else []
    if not kids:
        return []
    if tag in EMPHASIS:
        return [Emphasis(children=kids)]
    if tag in STRONG:
        return [Strong(children=kids)]
    if tag == "sup":
        return [Superscript(children=kids)]
    if tag == "sub":
        return [Subscript(children=kids)]
    if tag == "a":
        href = el.get("href", "").strip()
        if (
            href
            and not href.lower().startswith(("javascript:", "data:"))
            and not (href.startswith("#") and len(href) == 1)
        ):
            url = href if href.startswith("#") else resolve(href, base)
            return [Link(href=url, children=kids)]
        return list(kids)
    if tag in BLOCK_TAGS and tag not in ("li",):
        # A block inside inline context (e.g. a <div> in an <a>): keep its words apart.
        return [Text(text=" "), *kids, Text(text=" ")]
    return list(kids)


def merge_inlines(nodes: list[Inline]) -> list[Inline]:
    """Join adjacent Text runs and collapse the spaces between runs (linear time)."""
    out: list[Inline] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            joined = "".join(pending)
            out.append(Text(text=SPACES.sub(" ", joined) if "  " in joined else joined))
            pending.clear()

    for node in nodes:
        if isinstance(node, Text):
            if node.text:
                pending.append(node.text)
            continue
        flush()
        out.append(node)
    flush()
    return out


SPACES = re.compile(r" {2,}")


def _first_text(node: Inline) -> Text | None:
    if isinstance(node, Text):
        return node
    if isinstance(node, (Emphasis, Strong, Link, Superscript, Subscript)) and node.children:
        return _first_text(node.children[0])
    return None


def _replace_edge(node: Inline, first: bool, fn: object) -> Inline | None:
    """Apply ``fn`` to the first/last Text leaf of ``node``; None if the node becomes empty."""
    assert callable(fn)
    if isinstance(node, Text):
        new = fn(node.text)
        return Text(text=new) if new else None
    if isinstance(node, (Emphasis, Strong, Link, Superscript, Subscript)):
        kids = list(node.children)
        if not kids:
            return None
        idx = 0 if first else len(kids) - 1
        new_kid = _replace_edge(kids[idx], first, fn)
        if new_kid is None:
            kids.pop(idx)
        else:
            kids[idx] = new_kid
        if not kids:
            return None
        if isinstance(node, Link):
            return Link(href=node.href, children=tuple(kids))
        return type(node)(children=tuple(kids))
    return node


def trim_inlines(nodes: list[Inline]) -> tuple[Inline, ...]:
    """Strip whitespace and line breaks at both ends; collapse spaces around breaks."""
    items = merge_inlines(nodes)
    while items and isinstance(items[0], LineBreak):
        items.pop(0)
    while items and isinstance(items[-1], LineBreak):
        items.pop()
    while items:
        new = _replace_edge(items[0], True, str.lstrip)
        if new is None:
            items.pop(0)
            while items and isinstance(items[0], LineBreak):
                items.pop(0)
            continue
        items[0] = new
        break
    while items:
        new = _replace_edge(items[-1], False, str.rstrip)
        if new is None:
            items.pop()
            while items and isinstance(items[-1], LineBreak):
                items.pop()
            continue
        items[-1] = new
        break
    # spaces next to a line break are invisible noise
    for i, node in enumerate(items):
        if isinstance(node, LineBreak):
            if i > 0:
                prev = _replace_edge(items[i - 1], False, str.rstrip)
                if prev is not None:
                    items[i - 1] = prev
            if i + 1 < len(items):
                nxt = _replace_edge(items[i + 1], True, str.lstrip)
                if nxt is not None:
                    items[i + 1] = nxt
    return tuple(items)


def strip_suffix(nodes: tuple[Inline, ...], suffix_len: int) -> tuple[Inline, ...]:
    """Drop the last ``suffix_len`` characters of text (a credit split off a caption)."""
    items = list(nodes)
    remaining = suffix_len
    while items and remaining > 0:
        last = items[-1]
        length = len(inline_text((last,)))
        if length <= remaining:
            items.pop()
            remaining -= length
            continue
        cut = remaining

        def chop(t: str, cut: int = cut) -> str:
            return t[: len(t) - cut] if cut <= len(t) else ""

        new = _replace_edge(last, False, chop)
        if new is None:
            items.pop()
        else:
            items[-1] = new
        remaining = 0
    return trim_inlines([*items])


def inline_content(
    el: HtmlElement, base: str | None, skip: set[HtmlElement] | None = None
) -> tuple[Inline, ...]:
    """The inline content inside ``el`` (less ``skip``), trimmed."""
    out: list[Inline] = []
    _inlines(el, base, out, skip or set())
    return trim_inlines(out)
