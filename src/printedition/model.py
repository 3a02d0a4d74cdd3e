"""The chapter model: one clean, frozen representation of an article that every writer reads.

Goes in: nothing (this is the bottom of the import graph). Comes out: the dataclasses below,
plus a stable JSON form (``to_json`` / ``from_json``) that round-trips exactly, and
``article_text`` (body text, one paragraph per line).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

MODEL_VERSION = 1


# ---------------------------------------------------------------------------------------------
# Inline content
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Text:
    """A run of plain text (already NFC-normalised, whitespace collapsed)."""

    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Emphasis:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    href: str
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class LineBreak:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Superscript:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscript:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Code:
    text: str


Inline = Text | Emphasis | Strong | Link | LineBreak | Superscript | Subscript | Code


# ---------------------------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageRef:
    """Where an image lives and what we know of it before loading it.

    ``url`` is absolute (http(s) or file URL resolved during ingest) or a data: URL.
    ``candidates`` keeps other URLs for the same image (srcset, lazy copies), best first.
    """

    url: str
    width: int | None = None
    height: int | None = None
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Paragraph:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Subheading:
    level: int  # 2..6; the headline is level 1
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockQuote:
    blocks: tuple[Block, ...]
    attribution: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PullQuote:
    """A quote set large in the layout. ``repeats_body`` is true when it repeats body text,
    so screen readers can skip it."""

    text: str
    attribution: str = ""
    repeats_body: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    image: ImageRef
    alt: str = ""
    caption: tuple[Inline, ...] = ()
    credit: str = ""
    decorative: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ListItem:
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ListBlock:
    ordered: bool
    items: tuple[ListItem, ...]
    start: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class TableCell:
    content: tuple[Inline, ...]
    header: bool = False
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class TableRow:
    cells: tuple[TableCell, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    rows: tuple[TableRow, ...]
    caption: tuple[Inline, ...] = ()
    header_rows: int = 0


EmbedKind = Literal["tweet", "video", "audio", "podcast", "instagram", "map", "other"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Embed:
    """Third-party media reduced to what paper and EPUB can honestly show."""

    kind: str  # one of EmbedKind
    url: str
    title: str = ""
    text: str = ""  # quoted text of a post, or a description
    author: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """Editor's notes, corrections, clarifications and updates."""

    kind: str  # "correction" | "update" | "note"
    blocks: tuple[Block, ...]


Block = (
    Paragraph
    | Subheading
    | BlockQuote
    | PullQuote
    | Figure
    | ListBlock
    | Table
    | Embed
    | Rule
    | Note
)


# ---------------------------------------------------------------------------------------------
# The article
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Author:
    name: str
    url: str = ""
    role: str = ""  # "reporter", "photographer", "translator"... empty when unknown


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildWarning:
    """A problem a build survives. ``code`` is stable (e.g. ``image-missing``)."""

    code: str
    message: str
    where: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PageBreak:
    """Where a page of the print edition begins in a story: the page's printed number, the
    story's slug and the index (in ``Article.body``) of the block that holds the first line
    of the story on that page. The press reports these; the EPUB writer marks them.

    When the page begins inside the block (a paragraph run on from the page before), ``line``
    is that first line's text as printed and ``before`` how many letters and digits of the
    block come before it (to tell repeated words apart)."""

    page: int
    slug: str
    block: int
    line: str = ""
    before: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    slug: str
    headline: str
    url: str = ""  # canonical URL when known, else the source URL
    source_url: str = ""  # where the page was read from (file or http URL)
    kicker: str = ""  # section label
    standfirst: str = ""
    description: str = ""  # SEO/meta description, when distinct from the standfirst
    authors: tuple[Author, ...] = ()
    published: datetime | None = None  # timezone-aware
    updated: datetime | None = None  # timezone-aware
    language: str = ""
    site_name: str = ""
    tags: tuple[str, ...] = ()
    lead: Figure | None = None
    body: tuple[Block, ...] = ()
    warnings: tuple[BuildWarning, ...] = ()

    def with_changes(self, **changes: Any) -> Article:
        return dataclasses.replace(self, **changes)


# ---------------------------------------------------------------------------------------------
# JSON form
# ---------------------------------------------------------------------------------------------

_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Text,
        Emphasis,
        Strong,
        Link,
        LineBreak,
        Superscript,
        Subscript,
        Code,
        ImageRef,
        Paragraph,
        Subheading,
        BlockQuote,
        PullQuote,
        Figure,
        ListItem,
        ListBlock,
        TableCell,
        TableRow,
        Table,
        Embed,
        Rule,
        Note,
        Author,
        BuildWarning,
        Article,
    )
}
_DATETIME_FIELDS = {"published", "updated"}
_HINTS: dict[type, dict[str, Any]] = {}


def _matches(value: Any, hint: Any) -> bool:
    """Does a decoded value fit a field's annotation? (A model JSON may come from anywhere.)"""
    if hint is Any:
        return True
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    origin = typing.get_origin(hint)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return isinstance(value, tuple) and all(_matches(v, item) for v in value)
    if origin is typing.Union or origin is types.UnionType:
        return any(_matches(value, arg) for arg in typing.get_args(hint))
    if origin is Literal:
        return value in typing.get_args(hint)
    return isinstance(value, hint)


def _check_fields(cls: type, kwargs: dict[str, Any]) -> None:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    for key, value in kwargs.items():
        if not _matches(value, hints[key]):
            raise ValueError(f"{cls.__name__}.{key} has the wrong type ({type(value).__name__})")


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {"type": type(value).__name__}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            if f.name in _DATETIME_FIELDS and isinstance(v, datetime):
                out[f.name] = v.isoformat()
            else:
                out[f.name] = _encode(v)
        return out
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        name = value.get("type")
        cls = _TYPES.get(name) if isinstance(name, str) else None
        if cls is None:
            raise ValueError(f"unknown model type {name!r}")
        kwargs: dict[str, Any] = {}
        names = {f.name for f in dataclasses.fields(cls)}
        for key, v in value.items():
            if key == "type":
                continue
            if key not in names:
                raise ValueError(f"unknown field {key!r} for {name}")
            if key in _DATETIME_FIELDS and isinstance(v, str):
                kwargs[key] = datetime.fromisoformat(v)
            else:
                kwargs[key] = _decode(v)
        _check_fields(cls, kwargs)
        return cls(**kwargs)
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def to_dict(article: Article) -> dict[str, Any]:
    data: dict[str, Any] = _encode(article)
    data["model_version"] = MODEL_VERSION
    return data


def from_dict(data: dict[str, Any]) -> Article:
    if not isinstance(data, dict):
        raise ValueError("JSON does not describe an Article")
    data = dict(data)
    version = data.pop("model_version", MODEL_VERSION)
    if version != MODEL_VERSION:
        raise ValueError(f"model version {version} is not supported (expected {MODEL_VERSION})")
    article = _decode(data)
    if not isinstance(article, Article):
        raise ValueError("JSON does not describe an Article")
    return article


def to_json(article: Article) -> str:
    """Stable JSON: sorted keys, two-space indent, UTF-8 text (no ASCII escaping)."""
    return json.dumps(to_dict(article), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def from_json(text: str) -> Article:
    """Inverse of ``to_json``; raises ValueError on anything that is not a model document."""
    return from_dict(json.loads(text))


# ---------------------------------------------------------------------------------------------
# Text views
# ---------------------------------------------------------------------------------------------


def inline_text(content: tuple[Inline, ...]) -> str:
    parts: list[str] = []
    for node in content:
        match node:
            case Text(text=t) | Code(text=t):
                parts.append(t)
            case LineBreak():
                parts.append("\n")
            case (
                Emphasis(children=c)
                | Strong(children=c)
                | Superscript(children=c)
                | Subscript(children=c)
                | Link(children=c)
            ):
                parts.append(inline_text(c))
    return "".join(parts)


def _block_lines(block: Block) -> list[str]:
    match block:
        case Paragraph(content=c) | Subheading(content=c):
            return [inline_text(c)]
        case BlockQuote(blocks=bs, attribution=a):
            lines = [line for b in bs for line in _block_lines(b)]
            return lines + ([a] if a else [])
        case PullQuote():
            # Pull quotes repeat the body or are display furniture: not body text.
            return []
        case Figure(caption=cap):
            text = inline_text(cap)
            return [text] if text else []
        case ListBlock(items=items):
            return [line for item in items for b in item.blocks for line in _block_lines(b)]
        case Table(rows=rows, caption=cap):
            lines = [inline_text(cap)] if cap else []
            for row in rows:
                lines.append(" ".join(inline_text(cell.content) for cell in row.cells))
            return lines
        case Embed(title=title, text=text):
            return [t for t in (text or title,) if t]
        case Rule():
            return []
        case Note(blocks=bs):
            return [line for b in bs for line in _block_lines(b)]
    return []


def article_text(article: Article) -> str:
    """The body text only (not headline, byline or standfirst), one paragraph per line."""
    lines: list[str] = []
    for block in article.body:
        for line in _block_lines(block):
            for part in line.split("\n"):
                part = part.strip()
                if part:
                    lines.append(part)
    return "\n".join(lines)


def iter_blocks(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """Every block, depth first (lists, quotes and notes opened up)."""
    for block in blocks:
        yield block
        match block:
            case BlockQuote(blocks=bs) | Note(blocks=bs):
                yield from iter_blocks(bs)
            case ListBlock(items=items):
                for item in items:
                    yield from iter_blocks(item.blocks)


def figures(article: Article) -> tuple[Figure, ...]:
    """The lead figure (if any) then every figure in the body, in reading order."""
    found = [article.lead] if article.lead else []
    found.extend(b for b in iter_blocks(article.body) if isinstance(b, Figure))
    return tuple(found)


def word_count(article: Article) -> int:
    return len(article_text(article).split())


__all__ = [name for name in _TYPES] + [
    "Inline",
    "Block",
    "to_json",
    "from_json",
    "to_dict",
    "from_dict",
    "article_text",
    "inline_text",
    "iter_blocks",
    "figures",
    "word_count",
    "PageBreak",
]
