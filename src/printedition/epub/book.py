"""EPUB book: chapter models → one EPUB 3 file (the stage entry point, ``write_epub``).

Goes in: ``(Article, ResourcePolicy)`` pairs in reading order and ``EpubOptions``. Comes out: an
EPUB 3 written atomically, with nav.xhtml (toc and landmarks) and toc.ncx, a cover declared both
ways, title, contents and colophon pages, one XHTML per article, full Dublin Core and schema.org
accessibility metadata, and an ``EpubResult`` listing the warnings the build survived.

Steps: 1. load and prepare every image once (cached by source digest), 2. render each article
through ``render`` with prev/next/contents links, 3. build the front and back matter and the
cover, 4. assemble the package (``package``, where ebooklib lives), 5. write a deterministic zip (fixed times and order,
images stored, ``mimetype`` first).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from printedition import __version__
from printedition.cover import CoverSpec, generate_cover
from printedition.epub.budget import check_size
from printedition.epub.imagestore import ImageCache, ImageStore, process_image
from printedition.epub.metadata import (
    Audit,
    clean_language,
    modified_time,
    newest_date,
    one_line,
    package_metadata,
    stable_identifier,
    utc,
)
from printedition.epub.package import (
    Document,
    Package,
    TocLink,
    TocSection,
    package_members,
    write_zip,
)
from printedition.epub.pages import (
    CSS_HREF,
    ArticleEntry,
    BookText,
    article_document,
    colophon_document,
    contents_document,
    cover_document,
    page_id,
    title_document,
)
from printedition.errors import ConfigError, InputError, OutputError
from printedition.model import Article, BuildWarning, ImageRef, PageBreak, figures
from printedition.outputs import atomic_path
from printedition.render import byline_text, format_date, xml_safe
from printedition.resources import ResourcePolicy, read_resource
from printedition.settings import EpubBudget, Limits, Paper
from printedition.style import PageStyle, default_style


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
    budget: EpubBudget = field(default_factory=EpubBudget)  # warn / fail above these sizes
    style: PageStyle = field(default_factory=default_style)  # its epub.css is the book's
    # The print edition's pages: where each begins in the articles (from the press layout),
    # and the edition's name (pageBreakSource). Without both, no page list.
    page_breaks: tuple[PageBreak, ...] = ()
    page_source: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class EpubResult:
    path: Path
    identifier: str
    warnings: tuple[BuildWarning, ...]
    images: int  # image files stored (cover included)
    bytes: int
    conforms: bool  # dcterms:conformsTo was earned and declared
    accessibility_summary: str


def _stylesheet(style: PageStyle) -> bytes:
    try:
        return style.read("epub.css")
    except (OSError, PermissionError) as exc:
        raise ConfigError(
            f"the style has no readable epub.css ({exc})", where=str(style.folder)
        ) from None


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


def _presentable(article: Article) -> Article:
    """The article's own strings made XML-safe (a model JSON may carry control characters or
    lone surrogates, which neither lxml nor UTF-8 accept), and a headline when it has none:
    every document, nav entry and dc:title needs text."""
    headline = xml_safe(article.headline).strip()
    if not headline:
        headline = re.sub(r"[-_]+", " ", article.slug).strip().capitalize() or "Untitled article"
    return article.with_changes(
        headline=xml_safe(headline),
        slug=xml_safe(article.slug),
        url=xml_safe(article.url),
        source_url=xml_safe(article.source_url),
        kicker=xml_safe(article.kicker),
        standfirst=xml_safe(article.standfirst),
        description=xml_safe(article.description),
        site_name=xml_safe(article.site_name),
        language=xml_safe(article.language),
        tags=tuple(xml_safe(t) for t in article.tags),
        authors=tuple(dataclasses.replace(a, name=xml_safe(a.name)) for a in article.authors),
    )


def _slug_file(index: int, slug: str) -> str:
    clean = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-")[:48] or "article"
    return f"a{index + 1:03d}-{clean}.xhtml"


@dataclass(frozen=True, slots=True, kw_only=True)
class _Facts:
    """Book-level facts, each from an option or else from the articles themselves."""

    title: str
    language: str
    language_declared: bool
    publisher: str
    date: datetime | None  # dc:date
    modified: datetime  # dcterms:modified and every zip member's time
    identifier: str
    plan: list[tuple[str, list[int]]]  # (section title, article indexes) in reading order
    files: dict[int, str]  # article index → XHTML file name
    credit_label: str  # the style's label before photo credits

    @property
    def order(self) -> list[int]:
        return [i for _, ids in self.plan for i in ids]

    def section_of(self, index: int) -> tuple[str, str]:
        """(section title, anchor id) of an article; ('', '') outside sections."""
        for n, (title, ids) in enumerate(self.plan):
            if index in ids:
                return (title, f"section-{n + 1}") if title else ("", "")
        return ("", "")


def _facts(models: Sequence[Article], options: EpubOptions) -> _Facts:
    paper = Paper()
    found = next((x for x in (clean_language(a.language) for a in models) if x), "")
    language = clean_language(options.language) or found
    sites = dict.fromkeys(a.site_name for a in models if a.site_name)
    publisher = options.publisher or ", ".join(sites)
    date = utc(options.date) if options.date else newest_date(models)
    if options.title:
        title = options.title
    elif len(models) == 1:
        title = models[0].headline
    else:
        title = " · ".join(x for x in (publisher or paper.name, format_date(date)) if x)
    return _Facts(
        title=title,
        language=language or clean_language(paper.language) or "en",
        language_declared=bool(language),
        publisher=publisher,
        date=date,
        modified=modified_time(options.source_date_epoch, models),
        identifier=options.identifier or stable_identifier(models),
        plan=_plan_sections(len(models), options.sections),
        files={i: _slug_file(i, a.slug) for i, a in enumerate(models)},
        credit_label=options.style.credit.epub_label,
    )


def _page_marks(
    models: Sequence[Article], facts: _Facts, breaks: Sequence[PageBreak]
) -> tuple[dict[int, dict[int, list[PageBreak]]], list[tuple[str, str]]]:
    """Each print page marked once, where one story's text on it begins: article index →
    block → its breaks; and the page list (href, label) in reading order.

    A page holds several stories, and the book's reading order is not the pages' order (a
    brief may stand on a later page than the story after it), so each page, in page order,
    takes the first of its stories that comes after the previous page's mark: the page
    numbers then run on through the book wherever the layout allows it."""
    position = {i: pos for pos, i in enumerate(facts.order)}
    by_slug = {a.slug: i for i, a in enumerate(models)}
    Place = tuple[int, int, int, int]  # (reading position, block, letters before, article)
    where: dict[int, list[tuple[Place, PageBreak]]] = {}
    for brk in breaks:
        i = by_slug.get(brk.slug)
        if i is None or not 0 <= brk.block < len(models[i].body):
            continue  # (a story not in this book)
        place = (position[i], brk.block, brk.before, i)
        where.setdefault(brk.page, []).append((place, brk))
    chosen: dict[int, tuple[Place, PageBreak]] = {}
    last: Place = (-1, -1, -1, -1)
    for page in sorted(where):
        places = sorted(where[page], key=lambda x: x[0])
        pick = next((p for p in places if p[0][:3] >= last[:3]), places[0])
        chosen[page] = pick
        last = max(last, pick[0])
    marks: dict[int, dict[int, list[PageBreak]]] = {}
    for page in sorted(chosen):
        (_, block, _, i), brk = chosen[page]
        marks.setdefault(i, {}).setdefault(block, []).append(brk)
    order = sorted(chosen, key=lambda p: (chosen[p][0][:3], p))
    pages = [(f"{facts.files[chosen[p][0][3]]}#{page_id(p)}", str(p)) for p in order]
    return marks, pages


def _render_articles(
    articles: Sequence[tuple[Article, ResourcePolicy]],
    facts: _Facts,
    images: ImageStore,
    marks: dict[int, dict[int, list[PageBreak]]],
) -> tuple[list[Document], Audit]:
    """One XHTML document per article in reading order, and the accessibility audit."""
    docs: list[Document] = []
    order = facts.order
    shown = missing_alt = 0
    headings_ok = True
    for pos, i in enumerate(order):
        article, policy = articles[i]

        def resolve(
            ref: ImageRef, _p: ResourcePolicy = policy, _a: Article = article
        ) -> str | None:
            return images.resolve(ref, _p, _a)

        def link(j: int | None) -> tuple[str, str] | None:
            return (facts.files[j], articles[j][0].headline) if j is not None else None

        doc = article_document(
            article,
            resolve=resolve,
            lang=clean_language(article.language) or facts.language,
            section=facts.section_of(i)[0],
            prev=link(order[pos - 1] if pos > 0 else None),
            next=link(order[pos + 1] if pos + 1 < len(order) else None),
            contents="contents.xhtml",
            credit_label=facts.credit_label,
            page_breaks=marks.get(i),
        )
        docs.append(
            Document(
                uid=f"a{i + 1:03d}",
                file=facts.files[i],
                title=article.headline,
                xhtml=doc.xhtml,
                lang=doc.lang,
            )
        )
        headings_ok = headings_ok and doc.headings_in_order
        kept = [fig for fig in figures(article) if images.kept(fig.image, policy)]
        shown += len(kept)
        missing_alt += sum(1 for fig in kept if not fig.decorative and not fig.alt.strip())
    audit = Audit(
        images=shown,
        missing_alt=missing_alt,
        language_declared=facts.language_declared,
        headings_in_order=headings_ok,
    )
    return docs, audit


def _front_and_back(
    models: Sequence[Article], facts: _Facts, options: EpubOptions, cover_href: str
) -> tuple[list[Document], Document]:
    """Cover, title and contents pages; the colophon."""
    text = BookText(title=facts.title, language=facts.language)
    entries = []
    for i in facts.order:
        a = models[i]
        section, section_id = facts.section_of(i)
        entries.append(
            ArticleEntry(
                file=facts.files[i],
                headline=a.headline,
                byline=byline_text(a),
                description=one_line(a.standfirst or a.description),
                section=section,
                section_id=section_id,
                url=a.url or a.source_url,
                published=format_date(a.published),
                updated=format_date(a.updated),
            )
        )
    title_page = title_document(
        text, subtitle=options.subtitle, publisher=facts.publisher, date=format_date(facts.date)
    )
    colophon = colophon_document(
        text,
        entries,
        publisher=facts.publisher,
        rights=options.rights or Paper().rights,
        built=format_date(facts.modified),
        built_iso=facts.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        generator=f"printedition {__version__}",
    )
    lang = facts.language
    front = [
        Document(
            uid="cover",
            file="cover.xhtml",
            title="Cover",
            xhtml=cover_document(text, cover_href),
            lang=lang,
        ),
        Document(
            uid="titlepage", file="title.xhtml", title="Title page", xhtml=title_page, lang=lang
        ),
        Document(
            uid="contents",
            file="contents.xhtml",
            title="Contents",
            xhtml=contents_document(text, entries),
            lang=lang,
        ),
    ]
    return front, Document(
        uid="colophon", file="colophon.xhtml", title="Colophon", xhtml=colophon, lang=lang
    )


def _toc(facts: _Facts, headlines: dict[int, str]) -> list[TocLink | TocSection]:
    """Contents, then section → article (or articles alone), then the colophon."""
    toc: list[TocLink | TocSection] = [
        TocLink(href="contents.xhtml", title="Contents", uid="toc-contents")
    ]
    for sec_title, ids in facts.plan:
        links = tuple(
            TocLink(href=facts.files[i], title=headlines[i], uid=f"toc-a{i + 1:03d}") for i in ids
        )
        if sec_title:
            # The section points at its first article: nav targets must follow spine order.
            toc.append(TocSection(title=sec_title, href=facts.files[ids[0]], links=links))
        else:
            toc.extend(links)
    toc.append(TocLink(href="colophon.xhtml", title="Colophon", uid="toc-colophon"))
    return toc


def write_epub(
    articles: Sequence[tuple[Article, ResourcePolicy]],
    out: Path,
    options: EpubOptions | None = None,
    *,
    image_cache: ImageCache | None = None,
) -> EpubResult:
    """Write ``articles`` (in reading order) as one EPUB 3 at ``out``, atomically.

    ``image_cache`` (optional) maps ``image_cache_key`` → ``ProcessedImage`` and is shared
    between builds so that each source image is decoded and resampled once.
    """
    options = options or EpubOptions()
    if not articles:
        raise InputError("no articles to put in the EPUB")
    folder = Path(out).parent
    if not folder.is_dir():  # fail before the work, not after it
        raise OutputError(f"output folder {folder} does not exist", where=str(out))
    articles = [(_presentable(a), policy) for a, policy in articles]
    models = [a for a, _ in articles]
    facts = _facts(models, options)
    images = ImageStore(
        max_edge=options.max_image_edge,
        limits=options.limits,
        strict=options.strict,
        cache=image_cache,
    )
    # 1–2. Articles; images are loaded, processed and stored as the renderer asks for them;
    # the print pages marked where they begin.
    marks, page_list = (
        _page_marks(models, facts, options.page_breaks) if options.page_source else ({}, [])
    )
    docs, audit = _render_articles(articles, facts, images, marks)
    if page_list:
        audit = dataclasses.replace(audit, page_source=options.page_source)
    # 3. Cover, front and back matter.
    cover_href = _cover(options, articles, images, facts)
    front, colophon = _front_and_back(models, facts, options, cover_href)
    # 4. The book, as zip members.
    metadata = package_metadata(
        models,
        publisher=facts.publisher,
        date=facts.date,
        description=options.description,
        rights=options.rights or Paper().rights,
        audit=audit,
    )
    headlines = {i: a.headline for i, a in enumerate(models)}
    package = Package(
        identifier=facts.identifier,
        title=facts.title,
        language=facts.language,
        modified=facts.modified,
        metadata=metadata,
        stylesheet=(CSS_HREF, _stylesheet(options.style)),
        images=images.files,
        cover_href=cover_href,
        spine=[*front, *docs, colophon],
        toc=_toc(facts, headlines),
        page_list=page_list,
        landmarks=[
            ("cover.xhtml", "Cover", "cover"),
            ("contents.xhtml", "Contents", "toc"),
            (facts.files[facts.order[0]], "Start of content", "text"),
        ],
    )
    members = package_members(package)
    # 5. The zip, atomically.
    with atomic_path(out) as tmp:
        write_zip(tmp, members, facts.modified)
        large = check_size(tmp.stat().st_size, options.budget, where=str(out))
    return EpubResult(
        path=Path(out),
        identifier=facts.identifier,
        warnings=(*images.warnings, *([large] if large else [])),
        images=len(images.files),
        bytes=Path(out).stat().st_size,
        conforms=audit.conforms,
        accessibility_summary=audit.summary(),
    )


def _cover(
    options: EpubOptions,
    articles: Sequence[tuple[Article, ResourcePolicy]],
    images: ImageStore,
    facts: _Facts,
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
        masthead=options.masthead or facts.publisher or paper.name,
        title=facts.title,
        date_line=format_date(facts.date),
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


__all__ = ["EpubOptions", "EpubResult", "Section", "write_epub"]
