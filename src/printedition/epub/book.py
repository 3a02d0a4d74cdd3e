"""EPUB book: chapter models → one EPUB 3 file (ebooklib lives here only).

Goes in: ``(Article, ResourcePolicy)`` pairs in reading order and ``EpubOptions``. Comes out: an
EPUB 3 written atomically, with nav.xhtml (toc and landmarks) and toc.ncx, a cover declared both
ways, title, contents and colophon pages, one XHTML per article, full Dublin Core and schema.org
accessibility metadata, and an ``EpubResult`` listing the warnings the build survived.

Steps: 1. load and prepare every image once (cached by source digest), 2. render each article
through ``render`` with prev/next/contents links, 3. build the front and back matter and the
cover, 4. assemble the book with ebooklib, 5. write a deterministic zip (fixed times and order,
images stored, ``mimetype`` first).
"""

from __future__ import annotations

import importlib.resources
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ebooklib import epub as eb
from lxml import etree

from printedition import __version__
from printedition.cover import CoverSpec, generate_cover
from printedition.epub.imagestore import ImageCache, ImageStore, process_image
from printedition.epub.metadata import (
    CONFORMS_TO,
    Audit,
    clean_language,
    file_as,
    modified_time,
    newest_date,
    one_line,
    package_metadata,
    stable_identifier,
    utc,
)
from printedition.epub.pages import (
    ArticleEntry,
    BookText,
    article_document,
    colophon_document,
    contents_document,
    cover_document,
    title_document,
)
from printedition.errors import ConfigError, InputError, OutputError
from printedition.model import Article, BuildWarning, ImageRef, figures
from printedition.outputs import atomic_path
from printedition.render import byline_text, format_date
from printedition.resources import ResourcePolicy, read_resource
from printedition.settings import Limits, Paper

_STORED = (".jpg", ".jpeg", ".png")
_XML = "{http://www.w3.org/XML/1998/namespace}"
_XHTML = "{http://www.w3.org/1999/xhtml}"
_EPUB_NS = "{http://www.idpf.org/2007/ops}"
_NCX = "{http://www.daisy.org/z3986/2005/ncx/}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """A group of articles in the issue build: nav and contents go section → article."""

    title: str
    articles: tuple[int, ...]  # indexes into the articles handed to write_epub


@dataclass(frozen=True, slots=True, kw_only=True)
class EpubOptions:
    title: str = ""  # default: the headline (one article) or "<site> · <date>"
    subtitle: str = ""
    language: str = ""  # default: the articles' language
    publisher: str = ""  # default: the articles' site name
    identifier: str = ""  # default: urn:uuid (uuid5) of the canonical URLs
    description: str = ""  # default: the standfirst (one article) or the headlines
    rights: str = ""  # default: Paper().rights
    masthead: str = ""  # on a generated cover; default: the publisher or Paper().name
    cover: Path | None = None  # a cover image file given by the user
    cover_image: bytes | None = None  # cover image bytes (the issue build's front page)
    date: datetime | None = None  # dc:date; default: the newest article date
    max_image_edge: int = 1600
    strict: bool = False  # a missing or corrupt image is an error, not a warning
    source_date_epoch: int | None = None  # default: $SOURCE_DATE_EPOCH, else newest date
    sections: tuple[Section, ...] = ()
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True, slots=True, kw_only=True)
class EpubResult:
    path: Path
    identifier: str
    warnings: tuple[BuildWarning, ...]
    images: int  # image files stored (cover included)
    bytes: int
    conforms: bool  # dcterms:conformsTo was earned and declared
    accessibility_summary: str


# ---------------------------------------------------------------------------------------------
# 4. Assembly (ebooklib) and 5. the deterministic zip
# ---------------------------------------------------------------------------------------------


class _Doc(eb.EpubHtml):  # type: ignore[misc]
    """An XHTML document we serialised ourselves: ebooklib lists it but does not re-parse it."""

    def __init__(self, uid: str, file_name: str, title: str, content: bytes, lang: str) -> None:
        super().__init__(uid=uid, file_name=file_name, title=title, lang=lang)
        self.raw = content

    def get_content(self, default: object = None) -> bytes:
        return self.raw


class _Collector:
    def __init__(self) -> None:
        self.members: list[tuple[str, bytes]] = []

    def writestr(self, name: str, data: str | bytes, compress_type: int | None = None) -> None:
        self.members.append((name, data.encode("utf-8") if isinstance(data, str) else data))


class _Writer(eb.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer, collecting members instead of zipping, with its gaps fixed:
    xml:lang on <package>, nav in the book's language with a real heading, NCX depth."""

    def __init__(self, book: eb.EpubBook, mtime: datetime, depth: int) -> None:
        options = {"mtime": mtime, "epub3_pages": False, "landmark_title": "Landmarks"}
        super().__init__("", book, options)
        self.depth = depth

    def members(self) -> list[tuple[str, bytes]]:
        self.out = _Collector()
        self.out.writestr("mimetype", "application/epub+zip")
        self._write_container()
        self._write_opf()
        self._write_items()
        members: list[tuple[str, bytes]] = self.out.members
        return members

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set(f"{_XML}lang", self.book.language)
        super()._write_opf_file(root)

    def _get_nav(self, item: eb.EpubNav) -> bytes:
        root = etree.fromstring(super()._get_nav(item))
        root.set("lang", self.book.language)
        root.set(f"{_XML}lang", self.book.language)
        for nav in root.iter(f"{_XHTML}nav"):
            kind = nav.get(f"{_EPUB_NS}type")
            heading = nav.find(f"{_XHTML}h2")
            if kind == "toc":
                nav.set("id", "toc")
                if heading is not None:
                    heading.tag = f"{_XHTML}h1"
                    heading.text = "Contents"
            elif kind == "landmarks":
                nav.set("hidden", "hidden")
        data: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
        return data.replace(b"?>", b"?>\n<!DOCTYPE html>", 1)

    def _get_ncx(self) -> bytes:
        root = etree.fromstring(super()._get_ncx())
        root.set(f"{_XML}lang", self.book.language)
        for meta in root.iter(f"{_NCX}meta"):
            if meta.get("name") == "dtb:depth":
                meta.set("content", str(self.depth))
        data: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
        return data


def _write_zip(path: Path, members: list[tuple[str, bytes]], when: datetime) -> None:
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            if name == "mimetype" or name.lower().endswith(_STORED):
                info.compress_type = zipfile.ZIP_STORED
                zf.writestr(info, data)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data, compresslevel=6)


def _stylesheet() -> bytes:
    return (importlib.resources.files("printedition") / "data" / "epub.css").read_bytes()


# ---------------------------------------------------------------------------------------------
# The stage entry point
# ---------------------------------------------------------------------------------------------


def _plan_sections(count: int, sections: tuple[Section, ...]) -> list[tuple[str, list[int]]]:
    """(section title, article indexes) in reading order; '' for articles outside sections."""
    if not sections:
        return [("", list(range(count)))]
    seen: set[int] = set()
    plan: list[tuple[str, list[int]]] = []
    for sec in sections:
        for i in sec.articles:
            if not 0 <= i < count:
                raise ConfigError(f"section {sec.title!r} names article {i}, but there are {count}")
            if i in seen:
                raise ConfigError(f"article {i} is in more than one section")
            seen.add(i)
        plan.append((sec.title, list(sec.articles)))
    rest = [i for i in range(count) if i not in seen]
    if rest:
        plan.append(("", rest))
    return [(t, ids) for t, ids in plan if ids]


def _slug_file(index: int, slug: str) -> str:
    clean = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-")[:48] or "article"
    return f"a{index + 1:03d}-{clean}.xhtml"


def write_epub(
    articles: Sequence[tuple[Article, ResourcePolicy]],
    out: Path,
    options: EpubOptions | None = None,
    *,
    image_cache: ImageCache | None = None,
) -> EpubResult:
    """Write ``articles`` (in reading order) as one EPUB 3 at ``out``, atomically."""
    options = options or EpubOptions()
    if not articles:
        raise InputError("no articles to put in the EPUB")
    folder = Path(out).parent
    if not folder.is_dir():  # fail before the work, not after it
        raise OutputError(f"output folder {folder} does not exist", where=str(out))
    models = [a for a, _ in articles]
    paper = Paper()
    images = ImageStore(
        max_edge=options.max_image_edge,
        limits=options.limits,
        strict=options.strict,
        cache=image_cache,
    )

    # Book-level facts, each from an option or else from the articles themselves.
    article_langs = [clean_language(a.language) for a in models]
    language = clean_language(options.language) or next((x for x in article_langs if x), "")
    language_declared = bool(language)
    language = language or clean_language(paper.language) or "en"
    sites = list(dict.fromkeys(a.site_name for a in models if a.site_name))
    publisher = options.publisher or ", ".join(sites)
    newest = newest_date(models)
    book_date = utc(options.date) if options.date else newest
    if options.title:
        title = options.title
    elif len(models) == 1:
        title = models[0].headline
    else:
        title = " · ".join(x for x in (publisher or paper.name, format_date(book_date)) if x)
    identifier = options.identifier or stable_identifier(models)
    modified = modified_time(options.source_date_epoch, models)
    plan = _plan_sections(len(models), options.sections)
    order = [i for _, ids in plan for i in ids]
    files = {i: _slug_file(i, models[i].slug) for i in range(len(models))}
    section_of = {i: t for t, ids in plan for i in ids}
    section_id = {
        i: f"section-{n + 1}" if t else "" for n, (t, ids) in enumerate(plan) for i in ids
    }

    # 1–2. Articles (images are loaded as the renderer asks for them).
    text = BookText(title=title, language=language)
    docs: list[_Doc] = []
    missing_alt = shown_figures = 0
    headings_ok = True
    for pos, i in enumerate(order):
        article, policy = articles[i]

        def resolve(
            ref: ImageRef, _p: ResourcePolicy = policy, _a: Article = article
        ) -> str | None:
            return images.resolve(ref, _p, _a)

        prev_i = order[pos - 1] if pos > 0 else None
        next_i = order[pos + 1] if pos + 1 < len(order) else None
        doc = article_document(
            article,
            resolve=resolve,
            lang=clean_language(article.language) or language,
            section=section_of[i],
            prev=(files[prev_i], models[prev_i].headline) if prev_i is not None else None,
            next=(files[next_i], models[next_i].headline) if next_i is not None else None,
            contents="contents.xhtml",
        )
        headings_ok = headings_ok and doc.headings_in_order
        docs.append(_Doc(f"a{i + 1:03d}", files[i], article.headline, doc.xhtml, doc.lang))
        kept = [fig for fig in figures(article) if images.kept(fig.image, policy)]
        shown_figures += len(kept)
        missing_alt += sum(1 for fig in kept if not fig.decorative and not fig.alt.strip())

    # 3. Cover, front and back matter.
    cover_href = _cover(options, models, articles, images, title, publisher, book_date)
    entries = [
        ArticleEntry(
            file=files[i],
            headline=models[i].headline,
            byline=byline_text(models[i]),
            description=one_line(models[i].standfirst or models[i].description),
            section=section_of[i],
            section_id=section_id[i],
            url=models[i].url or models[i].source_url,
            published=format_date(models[i].published),
            updated=format_date(models[i].updated),
        )
        for i in order
    ]
    audit = Audit(
        images=shown_figures,
        missing_alt=missing_alt,
        language_declared=language_declared,
        headings_in_order=headings_ok,
    )
    date_line = format_date(book_date)
    front = [
        _Doc("cover", "cover.xhtml", "Cover", cover_document(text, cover_href), language),
        _Doc(
            "titlepage",
            "title.xhtml",
            "Title page",
            title_document(text, subtitle=options.subtitle, publisher=publisher, date=date_line),
            language,
        ),
        _Doc("contents", "contents.xhtml", "Contents", contents_document(text, entries), language),
    ]
    colophon = _Doc(
        "colophon",
        "colophon.xhtml",
        "Colophon",
        colophon_document(
            text,
            entries,
            publisher=publisher,
            rights=options.rights or paper.rights,
            built=format_date(modified),
            built_iso=modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
            generator=f"printedition {__version__}",
        ),
        language,
    )

    # 4. The book.
    book = eb.EpubBook()
    book.set_identifier(identifier)
    book.set_title(title)
    book.set_language(language)
    package_entries = package_metadata(
        models,
        publisher=publisher,
        date=book_date,
        description=options.description,
        rights=options.rights or paper.rights,
        audit=audit,
    )
    for namespace, name, value, attrs in package_entries:
        book.add_metadata(namespace, name, value, attrs or None)
    book.add_item(
        eb.EpubItem(
            uid="css", file_name="style/epub.css", media_type="text/css", content=_stylesheet()
        )
    )
    for href, image in images.files.items():
        if href == cover_href:
            book.set_cover(href, image.data, create_page=False)
        else:
            uid = "img-" + Path(href).stem
            book.add_item(
                eb.EpubItem(
                    uid=uid, file_name=href, media_type=image.media_type, content=image.data
                )
            )
    nav = eb.EpubNav(title="Contents")
    nav.add_link(href="style/epub.css", rel="stylesheet", type="text/css")
    for doc in [*front, *docs, colophon]:
        book.add_item(doc)
    book.add_item(nav)
    book.add_item(eb.EpubNcx())
    book.spine = [*front, *docs, colophon]
    by_file = {d.file_name: d for d in docs}
    toc: list[object] = [eb.Link("contents.xhtml", "Contents", "toc-contents")]
    for sec_title, ids in plan:
        links = [eb.Link(files[i], models[i].headline, f"toc-a{i + 1:03d}") for i in ids]
        if sec_title:
            # The section points at its first article: nav targets must follow spine order.
            toc.append((eb.Section(sec_title, href=files[ids[0]]), links))
        else:
            toc.extend(links)
    toc.append(eb.Link("colophon.xhtml", "Colophon", "toc-colophon"))
    book.toc = toc
    first = by_file[files[order[0]]]
    book.guide = [
        {"href": "cover.xhtml", "title": "Cover", "type": "cover"},
        {"href": "contents.xhtml", "title": "Contents", "type": "toc"},
        {"href": first.file_name, "title": "Start of content", "type": "text"},
    ]
    depth = 2 if any(t for t, _ in plan) else 1
    members = _Writer(book, modified.replace(tzinfo=None), depth).members()

    # 5. Zip, atomically.
    with atomic_path(out) as tmp:
        _write_zip(tmp, members, modified)
    return EpubResult(
        path=Path(out),
        identifier=identifier,
        warnings=tuple(images.warnings),
        images=len(images.files),
        bytes=Path(out).stat().st_size,
        conforms=audit.conforms,
        accessibility_summary=audit.summary(),
    )


def _cover(
    options: EpubOptions,
    models: list[Article],
    articles: Sequence[tuple[Article, ResourcePolicy]],
    images: ImageStore,
    title: str,
    publisher: str,
    date: datetime | None,
) -> str:
    """The cover's href: the given image, or a generated front page."""
    cache = images.cache
    if options.cover_image is not None or options.cover is not None:
        if options.cover_image is not None:
            data, where = options.cover_image, "cover image"
        else:
            path = Path(options.cover or "").resolve()
            where = str(options.cover)
            policy = ResourcePolicy(limits=options.limits).with_root(path.parent)
            try:
                data = read_resource(path.as_uri(), policy)
            except InputError as exc:
                raise InputError(exc.message, where=where) from None
        image = process_image(
            data,
            where=where,
            max_edge=options.max_image_edge,
            limits=options.limits,
            cache=cache,
        )
        return images.store(image, "cover")
    lead: bytes | None = None
    for article, policy in articles:
        if article.lead is not None:
            href = images.by_source.get((article.lead.image.url, policy))
            if href is not None:
                lead = images.processed[href].data
                break
    paper = Paper()
    spec = CoverSpec(
        masthead=options.masthead or publisher or paper.name,
        title=title,
        date_line=format_date(date),
        tagline=options.subtitle,
        lead=lead,
        max_edge=options.max_image_edge,
    )
    key = spec.cache_key()
    cover = cache.get(key) if cache is not None else None
    if cover is None:
        cover = generate_cover(spec)
        if cache is not None:
            cache[key] = cover
    return images.store(cover, "cover")


__all__ = [
    "CONFORMS_TO",
    "EpubOptions",
    "EpubResult",
    "Section",
    "clean_language",
    "file_as",
    "stable_identifier",
    "write_epub",
]
