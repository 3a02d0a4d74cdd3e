"""EPUB metadata: the book's identity, dates, creators and the accessibility audit, as data.

Goes in: the articles and the options the user gave. Comes out: a stable identifier, the
modified time, ``file-as`` forms, an accessibility audit, and the package metadata as
``(namespace, name, value, attributes)`` entries the book writer hands to ebooklib.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

from printedition.errors import ConfigError
from printedition.model import Article

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest time a zip member can carry
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")

MetaEntry = tuple[str | None, str, str, dict[str, str]]


def clean_language(tag: str) -> str:
    """A well-formed BCP 47 tag (``en_GB`` → ``en-GB``), or '' when it is not one."""
    tag = tag.strip().replace("_", "-")
    return tag if _LANG_RE.match(tag) else ""


def stable_identifier(articles: Sequence[Article]) -> str:
    """urn:uuid derived from the canonical URLs (slug and headline when a URL is unknown)."""
    keys = [a.url or a.source_url or f"{a.slug}\n{a.headline}" for a in articles]
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, chr(10).join(keys))}"


# Surname particles that file with the surname ("van Dyke, Jane", "Ó Briain, Tom").
_PARTICLES = frozenset(
    [
        "van",
        "von",
        "de",
        "der",
        "den",
        "ter",
        "da",
        "das",
        "dos",
        "di",
        "du",
        "del",
        "della",
        "le",
        "la",
        "ó",
        "ní",
        "nic",
        "mac",
        "bin",
        "ibn",
        "al",
        "el",
    ]
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FamilyNames:
    """The table of ``data/family_names.toml``: how to tell a name written family name first."""

    family_first: frozenset[str]
    ambiguous: frozenset[str]
    vietnamese_middle: frozenset[str]


@functools.cache
def family_names() -> FamilyNames:
    data = tomllib.loads(
        resources.files("printedition").joinpath("data/family_names.toml").read_text("utf-8")
    )
    return FamilyNames(
        family_first=frozenset(data["family_first"]),
        ambiguous=frozenset(data["ambiguous"]),
        vietnamese_middle=frozenset(data["vietnamese_middle"]),
    )


def _plain(word: str) -> str:
    """'Nguyễn' → 'nguyen', 'Đỗ' → 'do': the form the table is written in."""
    decomposed = unicodedata.normalize("NFD", word.casefold().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _east_asian_script(ch: str) -> bool:
    code = ord(ch)
    return (
        0x1100 <= code <= 0x11FF  # Hangul Jamo
        or 0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3FFFF
    )


def _vietnamese_letters(name: str) -> bool:
    lowered = name.casefold()
    return any(c in "ăâđêôơư" or 0x1EA0 <= ord(c) <= 0x1EF9 for c in lowered)


def family_name_first(name: str) -> bool:
    """Whether ``name`` is written family name first (Vietnamese, Chinese, Korean, Hungarian
    order), judged by its script and the table of family names — never by where it came from."""
    if any(_east_asian_script(c) for c in name):
        return True
    parts = name.split()
    if len(parts) < 2:
        return False
    table = family_names()
    first, rest = _plain(parts[0]).strip(".,"), [_plain(p) for p in parts[1:]]
    if first in table.family_first:
        return True
    if first in table.ambiguous:
        if len(rest) > 1 and rest[0] in table.vietnamese_middle:
            return True  # Lê Văn Lương, Le Thi Hong
        if rest[-1] in table.family_first:
            return False  # Hà Nguyễn, Yi Wang: given name first
        # Vietnamese letters, or a hyphenated given name: Kim Jong-un, Moon Jae-in
        return _vietnamese_letters(name) or (len(rest) == 1 and "-" in rest[0])
    return False


def file_as(name: str) -> str:
    """'Jane van Dyke' → 'van Dyke, Jane' (particles stay with the surname); a name written
    family name first ('Nguyễn Thị Hà', 'Kim Jong-un', '習近平') is filed as written."""
    parts = name.split()
    if len(parts) < 2 or family_name_first(name):
        return name
    cut = len(parts) - 1
    while cut > 1 and parts[cut - 1].lower() in _PARTICLES:
        cut -= 1
    return f"{' '.join(parts[cut:])}, {' '.join(parts[:cut])}"


_ROLES = {"photographer": "pht", "translator": "trl", "editor": "edt", "illustrator": "ill"}


def newest_date(articles: Sequence[Article]) -> datetime | None:
    dates = [d for a in articles for d in (a.published, a.updated) if d is not None]
    return max((utc(d) for d in dates), default=None)


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def modified_time(epoch: int | None, articles: Sequence[Article]) -> datetime:
    """SOURCE_DATE_EPOCH (the option, then the environment), else the newest article date."""
    if epoch is None and os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        try:
            epoch = int(os.environ["SOURCE_DATE_EPOCH"].strip())
        except ValueError:
            raise ConfigError(
                f"SOURCE_DATE_EPOCH must be whole seconds, not {os.environ['SOURCE_DATE_EPOCH']!r}"
            ) from None
    if epoch is not None:
        return max(datetime.fromtimestamp(epoch, UTC), ZIP_EPOCH)
    return max(newest_date(articles) or ZIP_EPOCH, ZIP_EPOCH).replace(microsecond=0)


def one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


# ---------------------------------------------------------------------------------------------
# Accessibility
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Audit:
    images: int
    missing_alt: int
    language_declared: bool
    headings_in_order: bool
    page_source: str = ""  # the print edition whose page numbers the book carries, if any

    @property
    def conforms(self) -> bool:
        return self.missing_alt == 0 and self.language_declared and self.headings_in_order

    def summary(self) -> str:
        parts = [
            "Articles are marked up with semantic headings, lists, tables and figures; "
            "the contents page and navigation document list every article; "
            "text can be resized and restyled by the reader."
        ]
        if self.images:
            if self.missing_alt:
                parts.append(
                    f"{self.missing_alt} of {self.images} images have no text alternative "
                    "(their captions may describe them)."
                )
            else:
                parts.append("Every image has a text alternative or is marked decorative.")
        if not self.language_declared:
            parts.append("The language of the text was not declared by the source and is assumed.")
        if not self.headings_in_order:
            parts.append("Some headings skip levels.")
        if self.page_source:
            parts.append(
                f"The page numbers of the print edition ({self.page_source}) are marked in "
                "the text and listed in a page list."
            )
        if self.conforms:
            parts.append(f"This publication meets {CONFORMS_TO}.")
        else:
            parts.append(f"For these reasons it does not claim {CONFORMS_TO}.")
        return " ".join(parts)


def package_metadata(
    models: Sequence[Article],
    *,
    publisher: str,
    date: datetime | None,
    description: str,
    rights: str,
    audit: Audit,
) -> list[MetaEntry]:
    """Everything after title, language and identifier, in a fixed order."""
    entries: list[MetaEntry] = []
    has_images = audit.images > 0

    def meta(ns: str | None, name: str, value: str, attrs: dict[str, str] | None = None) -> None:
        entries.append((ns, name, value, attrs or {}))

    creators: dict[str, str] = {}
    for article in models:
        for author in article.authors:
            if author.name and author.name not in creators:
                creators[author.name] = _ROLES.get(author.role.lower(), "aut")
    for n, (name, role) in enumerate(creators.items(), start=1):
        meta("DC", "creator", name, {"id": f"creator{n}"})
        meta(None, "meta", file_as(name), {"refines": f"#creator{n}", "property": "file-as"})
        meta(
            None,
            "meta",
            role,
            {"refines": f"#creator{n}", "property": "role", "scheme": "marc:relators"},
        )
    if publisher:
        meta("DC", "publisher", publisher)
    if date is not None:
        meta("DC", "date", date.strftime("%Y-%m-%dT%H:%M:%SZ"))
    for tag in dict.fromkeys(t.strip() for a in models for t in a.tags if t.strip()):
        meta("DC", "subject", tag)
    description = description or (
        models[0].standfirst or models[0].description
        if len(models) == 1
        else "; ".join(a.headline for a in models)
    )
    if description:
        meta("DC", "description", one_line(description, 1000))
    for url in dict.fromkeys(a.url or a.source_url for a in models):
        if url and not url.startswith("file:"):
            meta("DC", "source", url)
    if rights:
        meta("DC", "rights", rights)
    # schema.org accessibility set (EPUB Accessibility 1.1 discovery metadata).
    meta(None, "meta", "textual", {"property": "schema:accessMode"})
    if has_images:
        meta(None, "meta", "visual", {"property": "schema:accessMode"})
    if not has_images or audit.missing_alt == 0:
        meta(None, "meta", "textual", {"property": "schema:accessModeSufficient"})
    if has_images:
        meta(None, "meta", "textual,visual", {"property": "schema:accessModeSufficient"})
    features = [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ]
    if has_images and audit.missing_alt == 0:
        features.append("alternativeText")
    if audit.page_source:
        features.extend(["pageBreakMarkers", "pageNavigation"])
    for feature in features:
        meta(None, "meta", feature, {"property": "schema:accessibilityFeature"})
    meta(None, "meta", "none", {"property": "schema:accessibilityHazard"})
    if audit.page_source:  # EPUB Accessibility 1.1: the source of the page numbers
        meta(None, "meta", audit.page_source, {"property": "pageBreakSource"})
    meta(None, "meta", audit.summary(), {"property": "schema:accessibilitySummary"})
    if audit.conforms:
        meta(None, "meta", CONFORMS_TO, {"property": "dcterms:conformsTo"})
    return entries


__all__ = [
    "CONFORMS_TO",
    "ZIP_EPOCH",
    "Audit",
    "MetaEntry",
    "clean_language",
    "family_name_first",
    "file_as",
    "modified_time",
    "newest_date",
    "one_line",
    "package_metadata",
    "stable_identifier",
    "utc",
]
