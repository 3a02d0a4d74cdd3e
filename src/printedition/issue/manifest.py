"""Manifest: issue.toml → a validated, frozen ``Manifest`` (or a ``ManifestError`` naming key+line).

Goes in: the path of an ``issue.toml``. Comes out: the paper's settings, the issue's number,
volume and cover date, the cover story, the sections in order with their articles (local pages
resolved against the manifest's folder, or http(s) URLs), per-article overrides, house panels
and fetch limits. Everything is checked before any work starts; each error names the key, its
line in the file and what would be right. (tomllib gives no positions, so lines are found by
scanning the text: ``KeyLines``.)
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from printedition.errors import ConfigError, ManifestError
from printedition.issue.keylines import KeyLines, KeyPath
from printedition.settings import (
    BLEED_MM,
    COLOUR_MODES,
    DEFAULT_BLEED_MM,
    DEFAULT_COLOUR,
    DEFAULT_FORMAT,
    DEFAULT_VARIANT,
    Bound,
    Limits,
    Paper,
    find_variant,
    page_format,
    page_formats_text,
    variants_text,
)
from printedition.style import (
    PageStyle,
    bundled_names,
    bundled_style,
    default_style,
    load_style,
)
from printedition.wordpress.records import WordPressRef

PANEL_KINDS = ("subscription", "appeal", "contents", "notice")
ONLY = ("both", "print", "epub")
SIZES = ("lead", "standard", "brief")  # an article's size in the make-up


# ---------------------------------------------------------------------------------------------
# The validated manifest
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperSettings:
    paper: Paper
    # The press settings, each already checked against the registry in ``settings``.
    format: str = DEFAULT_FORMAT  # a PAGE_FORMATS name or WxH in mm
    colour: str = DEFAULT_COLOUR  # a COLOUR_MODES name
    icc: Path | None = None  # the printer's CMYK profile (needed for cmyk and x-4)
    bleed_mm: float = DEFAULT_BLEED_MM
    variant: str = DEFAULT_VARIANT  # a VARIANTS name (older spellings are read as it)
    style: PageStyle = field(default_factory=default_style)  # the look (a style folder)


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueInfo:
    number: int
    volume: int = 0
    cover_date: str  # as printed, e.g. "December 2026"
    date: dt.date | None = None  # the issue's date, when given as a TOML date
    pages: int = 0  # a fixed page count (0: the smallest multiple of 4 that holds the issue)


@dataclass(frozen=True, slots=True, kw_only=True)
class LeadOverride:
    """``lead = "omit"`` drops the lead photo; a path/URL replaces it."""

    omit: bool = False
    source: str = ""  # file path (absolute, resolved) or http(s) URL
    alt: str = ""
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleEntry:
    source: str  # absolute local path or http(s) URL
    line: int  # where the entry starts in issue.toml (for messages)
    slug: str = ""  # override; otherwise the normaliser's slug
    headline: str = ""  # print headline override
    kicker: str = ""
    standfirst: str = ""
    description: str = ""  # the one-line description in the EPUB contents
    lead: LeadOverride | None = None
    only: str = "both"  # both | print | epub
    # The editor's make-up controls (all optional): the story's size, the page it must start
    # on, the columns it spans.
    size: str = ""  # lead | standard | brief ("": by its length)
    page: int = 0  # 0: where the flatplan puts it
    span: int = 0  # 0: the flatplan chooses
    wordpress: WordPressRef | None = None  # ``wordpress = <post id>`` under ``[source]``

    @property
    def is_url(self) -> bool:
        return self.source.startswith(("http://", "https://"))

    @property
    def in_print(self) -> bool:
        return self.only != "epub"

    @property
    def in_epub(self) -> bool:
        return self.only != "print"


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    title: str
    articles: tuple[ArticleEntry, ...]
    slug: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverStory:
    article: str  # the slug or source of an article in the sections
    headline: str = ""  # front-page headline override
    epub_cover: Path | None = None  # an image used as the EPUB cover instead of the front page
    jump: bool = False  # the front page opens the story, which continues inside (no repeat)


@dataclass(frozen=True, slots=True, kw_only=True)
class HousePanel:
    kind: str  # subscription | appeal | contents | notice
    title: str
    text: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Manifest:
    path: Path
    paper: PaperSettings
    issue: IssueInfo
    cover: CoverStory
    sections: tuple[Section, ...]
    house: tuple[HousePanel, ...] = ()
    limits: Limits = field(default_factory=Limits)
    title: str = ""  # the issue EPUB's title; default "<paper> — <cover date>"

    @property
    def folder(self) -> Path:
        return self.path.parent

    def entries(self) -> tuple[ArticleEntry, ...]:
        return tuple(a for s in self.sections for a in s.articles)

    def book_title(self) -> str:
        return self.title or f"{self.paper.paper.name} — {self.issue.cover_date}"


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = KeyLines(text)

    def fail(self, key: KeyPath, message: str) -> ManifestError:
        line = self.lines.line(key)
        where = f"{self.path}:{line}" if line else str(self.path)
        return ManifestError(f"{_dotted(key)}: {message}", where=where)

    def table(self, data: Any, key: KeyPath, known: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(key, f"must be a table, not {type(data).__name__}")
        for name in data:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
                raise self.fail((*key, name), f"unknown key; {hint}")
        return data

    def string(self, data: dict[str, Any], key: KeyPath, *, default: str | None = None) -> str:
        name = key[-1]
        if name not in data:
            if default is None:
                raise self.fail(
                    key, 'is missing: add it, e.g. name = "…"'.replace("name", str(name))
                )
            return default
        value = data[name]
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string in quotes, not {value!r}")
        if default is None and not value.strip():
            raise self.fail(key, "must not be empty")
        return value.strip()

    def integer(self, data: dict[str, Any], key: KeyPath, *, default: int | None, low: int) -> int:
        name = key[-1]
        if name not in data:
            if default is None:
                raise self.fail(key, f"is missing: add e.g. {name} = 1")
            return default
        value = data[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise self.fail(key, f"must be a whole number ≥ {low}, not {value!r}")
        return value

    def boolean(self, data: dict[str, Any], key: KeyPath, *, default: bool) -> bool:
        value = data.get(str(key[-1]), default)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, not {value!r}")
        return value

    def number(self, data: dict[str, Any], key: KeyPath, *, default: float, bound: Bound) -> float:
        name = str(key[-1])
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value not in bound:
            raise self.fail(
                key,
                f"must be a number from {bound.low:g} to {bound.high:g} ({bound.unit}), "
                f"not {value!r}",
            )
        return float(value)

    def choice(
        self, data: dict[str, Any], key: KeyPath, choices: tuple[str, ...], default: str
    ) -> str:
        value = self.string(data, key, default=default).lower()
        if value not in choices:
            raise self.fail(key, f"must be one of {', '.join(map(repr, choices))}, not {value!r}")
        return value

    def local_file(self, value: str, key: KeyPath, *, what: str) -> Path:
        path = (self.path.parent / value).resolve()
        if not path.exists():
            raise self.fail(
                key, f"{what} {value!r} not found (paths are relative to {self.path.name})"
            )
        return path


def load_manifest(path: Path) -> Manifest:
    """Read and validate ``issue.toml``; raises ``ManifestError`` on the first problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError("no such file", where=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read: {exc}", where=str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _toml_error_line(str(exc))
        where = f"{path}:{line}" if line else str(path)
        raise ManifestError(f"not valid TOML: {exc}", where=where) from None
    return parse_manifest(data, path.resolve(), text)


def _toml_error_line(message: str) -> int:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else 0


def parse_manifest(data: dict[str, Any], path: Path, text: str) -> Manifest:
    r = _Reader(path, text)
    r.table(data, (), ("title", "source", "paper", "issue", "cover", "sections", "house", "limits"))
    title = r.string(data, ("title",), default="")
    paper = _paper(r, data.get("paper", {}))
    if "issue" not in data:
        raise r.fail(("issue",), "is missing: add an [issue] table with number and cover_date")
    issue = _issue(r, data["issue"])
    sections = _sections(r, data.get("sections"), _wp_source(r, data.get("source")))
    cover = _cover(r, data.get("cover"), sections)
    house = _house(r, data.get("house", []))
    limits = _limits(r, data.get("limits", {}))
    return Manifest(
        path=path,
        paper=paper,
        issue=issue,
        cover=cover,
        sections=sections,
        house=house,
        limits=limits,
        title=title,
    )


def _paper(r: _Reader, raw: Any) -> PaperSettings:
    k: KeyPath = ("paper",)
    keys = ("name", "tagline", "url", "price", "publisher", "language", "rights")
    d = r.table(raw, k, (*keys, "format", "colour", "icc", "bleed", "variant", "style"))
    defaults = Paper()
    values = {name: r.string(d, (*k, name), default=getattr(defaults, name)) for name in keys}
    try:
        url_scheme = urlsplit(values["url"]).scheme if values["url"] else "https"
    except ValueError:
        url_scheme = ""
    if values["url"] and url_scheme not in ("http", "https"):
        raise r.fail(
            (*k, "url"),
            f'must be an http(s) URL such as "https://example.org", not {values["url"]!r}',
        )
    # The press settings are checked here, against the registry, so a value the press would
    # refuse stops the build at load, before any article is read.
    fmt = r.string(d, (*k, "format"), default=DEFAULT_FORMAT)
    try:
        page_format(fmt)
    except ConfigError:
        raise r.fail(
            (*k, "format"), f"unknown page format {fmt!r}: use one of {page_formats_text()}"
        ) from None
    colour = r.choice(d, (*k, "colour"), tuple(COLOUR_MODES), DEFAULT_COLOUR)
    icc_text = r.string(d, (*k, "icc"), default="")
    icc = r.local_file(icc_text, (*k, "icc"), what="ICC profile") if icc_text else None
    if COLOUR_MODES[colour].needs_icc and icc is None:
        raise r.fail(
            (*k, "colour"),
            f'{colour} needs the printer\'s profile: add icc = "profile.icc" '
            f'(or use colour = "{DEFAULT_COLOUR}")',
        )
    bleed = r.number(d, (*k, "bleed"), default=DEFAULT_BLEED_MM, bound=BLEED_MM)
    variant_text = r.string(d, (*k, "variant"), default=DEFAULT_VARIANT)
    variant = find_variant(variant_text)
    if variant is None:
        raise r.fail((*k, "variant"), f"must be one of {variants_text()}, not {variant_text!r}")
    if variant.needs_icc and icc is None:
        raise r.fail(
            (*k, "variant"),
            f'{variant.name!r} needs the printer\'s profile: add icc = "profile.icc" '
            f'(or use variant = "{DEFAULT_VARIANT}")',
        )
    return PaperSettings(
        paper=Paper(**values),
        format=fmt,
        colour=colour,
        icc=icc,
        bleed_mm=bleed,
        variant=variant.name,
        style=_style(r, d, (*k, "style")),
    )


def _style(r: _Reader, d: dict[str, Any], key: KeyPath) -> PageStyle:
    """A style folder relative to the manifest, or a bundled style's name. A broken style.toml
    fails here too, its error naming that file and key."""
    value = r.string(d, key, default="")
    if not value:
        return default_style()
    folder = r.path.parent / value
    if folder.is_dir():
        return load_style(folder)
    if value in bundled_names():
        return load_style(bundled_style(value))
    raise r.fail(
        key,
        f"style folder {value!r} not found (paths are relative to {r.path.name}; "
        f"bundled styles: {', '.join(bundled_names())})",
    )


def _issue(r: _Reader, raw: Any) -> IssueInfo:
    k: KeyPath = ("issue",)
    d = r.table(raw, k, ("number", "volume", "cover_date", "date", "pages"))
    number = r.integer(d, (*k, "number"), default=None, low=1)
    volume = r.integer(d, (*k, "volume"), default=0, low=0)
    date = d.get("date")
    if date is not None and (not isinstance(date, dt.date) or isinstance(date, dt.datetime)):
        raise r.fail(
            (*k, "date"), f"must be a TOML date such as 2026-12-01 (no quotes), not {date!r}"
        )
    cover_date = d.get("cover_date")
    if isinstance(cover_date, dt.date) and not isinstance(cover_date, dt.datetime):
        date = date or cover_date
        cover_date = f"{cover_date.strftime('%B')} {cover_date.year}"
    elif cover_date is None and date is not None:
        cover_date = f"{date.strftime('%B')} {date.year}"
    elif not isinstance(cover_date, str) or not cover_date.strip():
        raise r.fail(
            (*k, "cover_date"),
            'must be the date as printed, e.g. cover_date = "December 2026" (or a TOML date)',
        )
    pages = r.integer(d, (*k, "pages"), default=0, low=1) if "pages" in d else 0
    return IssueInfo(
        number=number, volume=volume, cover_date=cover_date.strip(), date=date, pages=pages
    )


def _wp_source(r: _Reader, raw: Any) -> WordPressRef | None:
    """``[source]``: the WordPress site (``site = "https://…"``) or export file (``wxr``)
    that ``wordpress = <post id>`` entries come from."""
    if raw is None:
        return None
    d = r.table(raw, ("source",), ("site", "wxr"))
    site = r.string(d, ("source", "site"), default="")
    wxr = r.string(d, ("source", "wxr"), default="")
    if bool(site) == bool(wxr):
        raise r.fail(("source",), 'give one of site = "https://…" or wxr = "export.xml"')
    if site and (urlsplit(site).scheme not in ("http", "https") or not urlsplit(site).hostname):
        raise r.fail(("source", "site"), f"must be the site's http(s) address, not {site!r}")
    path = str(r.local_file(wxr, ("source", "wxr"), what="export file")) if wxr else ""
    return WordPressRef(post=0, site=site.rstrip("/"), wxr=path)


def _sections(r: _Reader, raw: Any, wp: WordPressRef | None = None) -> tuple[Section, ...]:
    if raw is None:
        raise r.fail(
            ("sections",), 'is missing: add [[sections]] tables with title = "…" and articles'
        )
    if not isinstance(raw, list) or not raw:
        raise r.fail(("sections",), "must be a non-empty array of tables: [[sections]]")
    sections: list[Section] = []
    seen_sources: dict[str, KeyPath] = {}
    seen_titles: set[str] = set()
    for i, s in enumerate(raw):
        k: KeyPath = ("sections", i)
        d = r.table(s, k, ("title", "slug", "articles"))
        title = r.string(d, (*k, "title"))
        if title.lower() in seen_titles:
            raise r.fail(
                (*k, "title"), f"section {title!r} appears twice: merge them or rename one"
            )
        seen_titles.add(title.lower())
        arts = d.get("articles")
        if not isinstance(arts, list) or not arts:
            raise r.fail(
                (*k, "articles"), 'must list at least one article: articles = ["../articles/slug/"]'
            )
        entries = []
        for j, a in enumerate(arts):
            entry = _article(r, a, (*k, "articles", j), wp)
            if entry.source in seen_sources:
                first = r.lines.line(seen_sources[entry.source])
                raise r.fail((*k, "articles", j), f"this article is already listed at line {first}")
            seen_sources[entry.source] = (*k, "articles", j)
            entries.append(entry)
        slug = r.string(d, (*k, "slug"), default="") or _slugify(title)
        sections.append(Section(title=title, articles=tuple(entries), slug=slug))
    return tuple(sections)


def _source(r: _Reader, value: str, key: KeyPath) -> str:
    try:
        scheme = urlsplit(value).scheme.lower()
        host = urlsplit(value).hostname
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 bracket)
        raise r.fail(key, f"{value!r} is not a valid URL") from None
    if scheme in ("http", "https"):
        if not host:
            raise r.fail(key, f"URL {value!r} has no host")
        return value
    if scheme and len(scheme) > 1:
        raise r.fail(key, f"must be a local path or an http(s) URL, not a {scheme}: URL")
    path = r.local_file(value, key, what="article page")
    if path.is_dir() and not (path / "index.html").is_file():
        raise r.fail(key, f"folder {value!r} has no index.html: name the page file instead")
    return str(path)


def _article(r: _Reader, raw: Any, k: KeyPath, wp: WordPressRef | None) -> ArticleEntry:
    line = r.lines.line(k)
    if isinstance(raw, str):
        return ArticleEntry(source=_source(r, raw.strip(), k), line=line)
    known = ("source", "wordpress", "slug", "headline", "kicker", "standfirst", "description", "lead",
             "lead_alt", "lead_caption", "lead_credit", "only", "size", "page", "span")  # fmt: skip
    d = r.table(raw, k, known)
    ref = None
    if "wordpress" in d:
        post = r.integer(d, (*k, "wordpress"), default=None, low=1)
        if wp is None:
            raise r.fail((*k, "wordpress"), 'needs a [source] table with site = "https://…"')
        if "source" in d:
            raise r.fail((*k, "source"), "give either source or wordpress, not both")
        ref = WordPressRef(post=post, site=wp.site, wxr=wp.wxr)
        source = ref.label
    else:
        source = _source(r, r.string(d, (*k, "source")), (*k, "source"))
    lead: LeadOverride | None = None
    if "lead" in d:
        value = r.string(d, (*k, "lead"))
        if value.lower() == "omit":
            lead = LeadOverride(omit=True)
        else:
            src = (
                value
                if value.startswith(("http://", "https://"))
                else str(r.local_file(value, (*k, "lead"), what="lead image"))
            )
            lead = LeadOverride(
                source=src,
                alt=r.string(d, (*k, "lead_alt"), default=""),
                caption=r.string(d, (*k, "lead_caption"), default=""),
                credit=r.string(d, (*k, "lead_credit"), default=""),
            )
            if not lead.alt:
                raise r.fail(
                    (*k, "lead_alt"), 'a replacement lead image needs alt text: add lead_alt = "…"'
                )
    else:
        for extra in ("lead_alt", "lead_caption", "lead_credit"):
            if extra in d:
                raise r.fail(
                    (*k, extra), 'only applies with lead = "image.jpg" (a replacement photo)'
                )
    slug = r.string(d, (*k, "slug"), default="")
    if slug and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise r.fail((*k, "slug"), f"must be lower-case letters, digits and hyphens, not {slug!r}")
    return ArticleEntry(
        source=source,
        line=line,
        slug=slug,
        headline=r.string(d, (*k, "headline"), default=""),
        kicker=r.string(d, (*k, "kicker"), default=""),
        standfirst=r.string(d, (*k, "standfirst"), default=""),
        description=r.string(d, (*k, "description"), default=""),
        lead=lead,
        only=r.choice(d, (*k, "only"), ONLY, "both"),
        size=r.choice(d, (*k, "size"), SIZES, "") if "size" in d else "",
        page=r.integer(d, (*k, "page"), default=0, low=1) if "page" in d else 0,
        span=r.integer(d, (*k, "span"), default=0, low=1) if "span" in d else 0,
        wordpress=ref,
    )


def _cover(r: _Reader, raw: Any, sections: tuple[Section, ...]) -> CoverStory:
    k: KeyPath = ("cover",)
    if raw is None:
        raise r.fail(k, 'is missing: add [cover] with article = "<slug or path of an article>"')
    d = r.table(raw, k, ("article", "headline", "epub_cover", "jump"))
    ref = r.string(d, (*k, "article"))
    entries = [a for s in sections for a in s.articles]
    resolved = ref
    if not ref.startswith(("http://", "https://")) and ("/" in ref or ref.endswith(".html")):
        resolved = str((r.path.parent / ref).resolve())
    matches = [
        a for a in entries
        if a.source in (resolved, ref) or a.slug == ref
        or Path(a.source.rstrip("/")).name == ref
        or (Path(a.source).name == "index.html" and Path(a.source).parent.name == ref)
    ]  # fmt: skip
    if not matches:
        raise r.fail(
            (*k, "article"),
            f"{ref!r} is not one of the articles in [[sections]]: use its slug or path",
        )
    if not matches[0].in_print:
        raise r.fail(
            (*k, "article"), 'the cover story must be in print: remove only = "epub" from it'
        )
    epub_cover_text = r.string(d, (*k, "epub_cover"), default="")
    epub_cover = (
        r.local_file(epub_cover_text, (*k, "epub_cover"), what="cover image")
        if epub_cover_text
        else None
    )
    return CoverStory(
        article=matches[0].source,
        headline=r.string(d, (*k, "headline"), default=""),
        epub_cover=epub_cover,
        jump=r.boolean(d, (*k, "jump"), default=False),
    )


def _house(r: _Reader, raw: Any) -> tuple[HousePanel, ...]:
    if not isinstance(raw, list):
        raise r.fail(("house",), 'must be an array of tables: [[house]] with kind = "subscription"')
    panels = []
    for i, p in enumerate(raw):
        k: KeyPath = ("house", i)
        d = r.table(p, k, ("kind", "title", "text", "url"))
        kind = r.choice(d, (*k, "kind"), PANEL_KINDS, "notice")
        default_title = {"contents": "In this issue"}.get(kind)
        panels.append(
            HousePanel(
                kind=kind,
                title=r.string(d, (*k, "title"), default=default_title),
                text=r.string(d, (*k, "text"), default=""),
                url=r.string(d, (*k, "url"), default=""),
            )
        )
    return tuple(panels)


def _limits(r: _Reader, raw: Any) -> Limits:
    k: KeyPath = ("limits",)
    defaults = Limits()
    names = tuple(f for f in Limits.__dataclass_fields__)
    d = r.table(raw, k, names)
    changes: dict[str, Any] = {}
    for name, value in d.items():
        current = getattr(defaults, name)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise r.fail((*k, name), f"must be a number ≥ 0 (default {current}), not {value!r}")
        if isinstance(current, int) and not isinstance(value, int):
            raise r.fail((*k, name), f"must be a whole number (default {current}), not {value!r}")
        changes[name] = type(current)(value)
    return Limits(**changes)


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "section"


__all__ = [
    "ArticleEntry",
    "CoverStory",
    "HousePanel",
    "IssueInfo",
    "KeyLines",
    "LeadOverride",
    "Manifest",
    "PaperSettings",
    "Section",
    "load_manifest",
    "parse_manifest",
]
