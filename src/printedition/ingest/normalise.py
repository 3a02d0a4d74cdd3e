"""Article page (HTML) → the chapter model: the ingest stage's entry point.

Goes in: a page's bytes or text and where it came from. Comes out: an ``Article``.
Steps: decode → parse → read metadata (JSON-LD, meta, markup) → remove clutter → find the
body (structure first, then scoring) → remove clutter inside it → convert to blocks →
lead figure, pull quotes, warnings.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from printedition.bounds import bound_article
from printedition.errors import InputError, NoArticleError
from printedition.ingest import blocks as blk
from printedition.ingest.clean import (
    PARSER_DEPTH_LIMIT,
    HtmlElement,
    deeper_than,
    drop,
    flatten_deep,
    parse_html,
    prepare,
    select,
    strip_junk,
    text_of,
)
from printedition.ingest.clutter import remove_clutter
from printedition.ingest.decode import decode_html
from printedition.ingest.extract import (
    BYLINE_WORDS,
    KEEP_ATTR,
    extract_content,
    find_byline_node,
    kept,
)
from printedition.ingest.lead import choose_lead, lead_element
from printedition.ingest.media import image_ref
from printedition.ingest.metadata import PageMeta, byline_from_markup, read_metadata
from printedition.ingest.readability import inner_text, link_density, text_len, text_similarity
from printedition.ingest.selectors import GroupMatches, default_rules
from printedition.ingest.text import clean_line
from printedition.model import (
    Article,
    Author,
    Block,
    BuildWarning,
    Figure,
    Paragraph,
    PullQuote,
    article_text,
    inline_text,
    iter_blocks,
)
from printedition.resources import time_limit
from printedition.settings import Limits

# Less readable text than this (characters) is not an article.
MIN_ARTICLE_CHARS = 80
# Never recurse deeper than this while converting, whatever the limit says.
_CONVERT_DEPTH = 150
_FIGURE_WITH_CAPTION = etree.XPath("//figure[.//figcaption]")


def normalise_article(
    html: str | bytes,
    base_url: str | None = None,
    *,
    limits: Limits | None = None,
    slug: str | None = None,
    content_type: str = "",
) -> Article:
    """Turn one article page into the chapter model.

    ``base_url`` is where the page came from: relative links and images resolve against it
    (or against the page's ``<base href>``); ``content_type``, the HTTP header it came with
    (its charset is trusted after a byte-order mark). Raises ``InputError`` for pages that
    cannot be read and ``NoArticleError`` when no article is found.
    """
    return _normalise(
        html,
        where=base_url or "page",
        source_url=base_url or "",
        image_base=None,
        limits=limits or Limits(),
        slug=slug,
        content_type=content_type,
    )


def normalise_file(path: Path, *, limits: Limits | None = None) -> Article:
    """Read a saved page from disk. Images relative to it resolve to files next to it."""
    limits = limits or Limits()
    path = Path(path)
    where = str(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError("not a file: expected an HTML page", where=where)
        if size > limits.max_page_bytes:
            raise InputError(
                f"the page is {_mb(size)}, over the {_mb(limits.max_page_bytes)} limit "
                "(Limits.max_page_bytes)",
                where=where,
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", where=where) from None
    except IsADirectoryError:
        raise InputError("is a folder: expected an HTML page", where=where) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=where) from None
    uri = path.resolve().as_uri()
    slug = (
        path.parent.resolve().name
        if path.name.lower() in ("index.html", "index.htm")
        else path.stem
    )
    return _normalise(
        data, where=where, source_url=uri, image_base=uri, limits=limits, slug=slugify(slug) or None
    )


def _mb(size: int) -> str:
    return f"{size / 1024**2:.1f} MB".replace(".0 MB", " MB")


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w]+", "-", text.lower(), flags=re.A).strip("-")
    return text[:80].strip("-")


def _join(base: str, url: str) -> str:
    """urljoin that gives "" for URLs it cannot parse (``<base href="http://[">``)."""
    try:
        joined = urljoin(base, url)
        urlsplit(joined)
    except ValueError:
        return ""
    return joined


def _slug_from_url(url: str) -> str:
    try:
        path = unquote(urlsplit(url).path).rstrip("/")
    except ValueError:
        return ""
    last = path.rsplit("/", 1)[-1]
    last = re.sub(r"\.(html?|php|aspx?)$", "", last)
    return slugify(last)


def _first_in(found: list[HtmlElement], scopes: list[HtmlElement]) -> list[HtmlElement]:
    """The matches inside the first scope that has any."""
    for scope in scopes:
        inside = [el for el in found if el is scope or any(a is scope for a in el.iterancestors())]
        if inside:
            return inside
    return []


def _header_scopes(doc: HtmlElement, found: GroupMatches) -> list[HtmlElement]:
    """Where the headline, kicker, standfirst and lead photo live: the article's header, then
    the largest ``<article>``."""
    scopes = found["header"][:1]
    articles = list(doc.iter("article"))
    if articles:
        scopes.append(max(articles, key=lambda a: len(text_of(a))))
    return scopes


def _standfirst(found: list[HtmlElement], scopes: list[HtmlElement]) -> str:
    for el in _first_in(found, scopes):
        text = clean_line(text_of(el))
        if 20 <= len(text) <= 600 and el.tag not in ("meta", "article", "main", "body"):
            return text
    return ""


def _kicker(found: list[HtmlElement], scopes: list[HtmlElement]) -> str:
    for el in _first_in(found, scopes):
        link = next(el.iter("a"), None)
        text = clean_line(text_of(link if link is not None else el))
        if 0 < len(text) <= 60:
            return text
    return ""


def _mark(doc: HtmlElement, found: GroupMatches) -> None:
    """Tag journalism the clean-up must keep, and each element's role (credit, pull quote,
    note), as attributes: they survive the copies the extractor makes."""
    for el in [*found["keep"], *select(_FIGURE_WITH_CAPTION, doc)]:
        el.set(KEEP_ATTR, "")
    for role, group in zip(blk.ROLES, ("pull_quote", "note", "credit"), strict=True):
        for el in found[group]:
            el.set(blk.ROLE_ATTR, role)
            if role != "credit":
                el.set(KEEP_ATTR, "")
    for el in found["header"]:
        el.set(HEADER_ATTR, "")


HEADER_ATTR = "data-printedition-header"
_HEADERS = etree.XPath(f".//*[@{HEADER_ATTR}]")


def _normalise(
    html: str | bytes,
    *,
    where: str,
    source_url: str,
    image_base: str | None,
    limits: Limits,
    slug: str | None,
    content_type: str = "",
) -> Article:
    with time_limit(limits.article_timeout, where=where, what="normalising the page"):
        return _normalise_page(
            html,
            where=where,
            source_url=source_url,
            image_base=image_base,
            limits=limits,
            slug=slug,
            content_type=content_type,
        )


def _normalise_page(
    html: str | bytes,
    *,
    where: str,
    source_url: str,
    image_base: str | None,
    limits: Limits,
    slug: str | None,
    content_type: str,
) -> Article:
    warnings: list[BuildWarning] = []
    size = len(html)
    if size > limits.max_page_bytes:
        raise InputError(
            f"the page is {_mb(size)}, over the {_mb(limits.max_page_bytes)} limit "
            "(Limits.max_page_bytes)",
            where=where,
        )
    if isinstance(html, bytes):
        text, decode_warnings = decode_html(html, where, content_type)
        warnings.extend(decode_warnings)
    else:
        if not html.strip():
            raise InputError("the page is empty: expected an HTML page", where=where)
        text = html
    doc = parse_html(text, where)
    too_deep = deeper_than(doc, PARSER_DEPTH_LIMIT - 2)
    if too_deep:
        warnings.append(
            BuildWarning(
                code="nesting-truncated",
                message=f"HTML nested over {PARSER_DEPTH_LIMIT} levels deep: the rest was not read",
                where=where,
            )
        )
    flatten_at = min(limits.max_nesting_depth, _CONVERT_DEPTH)
    if deeper_than(doc, flatten_at):
        flatten_deep(doc, flatten_at)

    rules = default_rules()
    meta = read_metadata(doc)
    page_base = source_url or None
    if meta.base_href:
        page_base = _join(source_url, meta.base_href) if source_url else meta.base_href
    link_base = page_base or (meta.canonical or None)
    if image_base is not None and meta.base_href:
        # A saved page's images live beside it, whatever <base> said on the web.
        link_base = page_base
    elif image_base is not None and meta.canonical.startswith(("http://", "https://")):
        link_base = meta.canonical
    img_base = image_base or page_base or (meta.canonical or None)

    strip_junk(doc, rules)
    # every selector in one pass, the removal list and byline hints too
    found = rules.page.select(doc, BYLINE_WORDS)
    prepare(doc, rules, found["remove"])
    found = found.attached(doc)
    scopes = _header_scopes(doc, found)
    standfirst = _standfirst(found["standfirst"], scopes)
    kicker = _kicker(found["kicker"], scopes) or meta.section
    lead_el = lead_element(_first_in(found["lead_image"], scopes)) if scopes else None
    authors = list(meta.authors)
    if not authors:
        body_el = doc.find("body")
        node = find_byline_node(
            body_el if body_el is not None else doc, set(found["byline"]), found.hinted
        )
        if node is not None:
            authors = byline_from_markup(node)
            if authors:
                drop(node)

    _mark(doc, found)
    extraction = extract_content(doc, meta.headline, found.by_selector("containers"))
    if extraction is None or _mostly_links(extraction.content):
        hint = " (the page nests HTML too deeply to be read)" if too_deep else ""
        raise NoArticleError(f"no article found in the page{hint}", where=where)
    content = extraction.content
    remove_clutter(content, rules, kept(content))
    for header in select(_HEADERS, content):
        drop(header)  # the article's header: its parts are metadata already
    _drop_furniture(content, meta.headline, standfirst, authors, kicker)

    ctx = blk.Context(
        base_url=img_base,
        link_base=link_base,
        rules=rules,
        max_blocks=limits.max_blocks,
        max_data_url=limits.max_data_url_bytes,
    )
    blk.prepare_context(content, ctx)
    body = blk.convert(content, ctx)
    if ctx.count > limits.max_blocks:
        warnings.append(
            BuildWarning(
                code="too-many-blocks",
                message=f"the article was cut at {limits.max_blocks} blocks (Limits.max_blocks)",
                where=where,
            )
        )

    lead, body = choose_lead(lead_el, body, meta, ctx, found["lead_image"])

    body_texts = {
        _norm(inline_text(b.content)) for b in iter_blocks(tuple(body)) if isinstance(b, Paragraph)
    }
    body = [
        PullQuote(text=b.text, attribution=b.attribution, repeats_body=_repeats(b.text, body_texts))
        if isinstance(b, PullQuote)
        else b
        for b in body
    ]
    if not _enough(body):
        raise NoArticleError("no article found in the page (too little text)", where=where)

    headline = meta.headline
    description = meta.description
    if description and standfirst and _norm(description) == _norm(standfirst):
        description = ""
    if standfirst and headline and _norm(standfirst) == _norm(headline):
        standfirst = ""
    slug = slug or _slug_from_url(meta.canonical or source_url) or slugify(headline) or "article"

    article = Article(
        slug=slug,
        headline=headline,
        url=(
            _join(link_base or "", meta.canonical) or source_url if meta.canonical else source_url
        ),
        source_url=source_url,
        kicker=kicker,
        standfirst=standfirst,
        description=description,
        authors=tuple(authors),
        published=meta.published,
        updated=meta.updated,
        language=meta.language,
        site_name=meta.site_name,
        tags=tuple(_tags(meta, doc)),
        lead=lead,
        body=tuple(body),
        warnings=(),
    )
    warnings.extend(
        BuildWarning(code=w.code, message=w.message, where=w.where or where) for w in ctx.warnings
    )
    warnings.extend(_warnings(article, meta, extraction.method, extraction.text_length, where))
    return bound_article(article.with_changes(warnings=tuple(warnings)), limits, where=where)


def _mostly_links(content: HtmlElement) -> bool:
    """A lone menu or link list, not prose."""
    length = text_len(content)
    return 0 < length < 4 * MIN_ARTICLE_CHARS and link_density(content) > 0.5


def _enough(body: list[Block]) -> bool:
    """Enough to be an article, judged on the model itself (so that normalising the clean
    HTML of an article gives the article again): some prose, or photos."""
    blocks = tuple(body)
    if len(article_text(Article(slug="-", headline="", body=blocks))) >= MIN_ARTICLE_CHARS:
        return True
    return any(isinstance(b, Figure) for b in iter_blocks(blocks))


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _repeats(text: str, body_texts: set[str]) -> bool:
    n = _norm(text)
    return bool(n) and any(n in t for t in body_texts)


def _tags(meta: PageMeta, doc: HtmlElement) -> list[str]:
    tags = list(meta.tags)
    if not tags:
        seen: set[str] = set()
        for a in doc.iter("a"):
            if "tag" in (a.get("rel") or "").split():
                t = clean_line(text_of(a))
                if t and t.lower() not in seen:
                    seen.add(t.lower())
                    tags.append(t)
    return tags


def _drop_furniture(
    content: HtmlElement, headline: str, standfirst: str, authors: list[Author], kicker: str
) -> None:
    """Remove a repeated headline, kicker, standfirst or byline line from the top of the
    body."""
    names = {a.name.lower() for a in authors}
    checked = 0
    for el in list(content.iter("h1", "h2", "p", "div", "span", "address")):
        if el.getparent() is None:
            continue
        text = clean_line(inner_text(el))  # as the headline was cleaned (zero-width junk gone)
        if not text:
            continue
        checked += 1
        if checked > 8:
            break
        if (
            (
                headline
                and el.tag in ("h1", "h2")
                and (text == headline or text_similarity(headline, text) > 0.9)
            )
            or (standfirst and _norm(text) == _norm(standfirst))
            or (kicker and len(text) <= 60 and _norm(text) == _norm(kicker))
            or (
                names
                and len(text) < 80
                and re.sub(r"^(by|par|von|por)\s+", "", text.lower()).strip() in names
            )
        ):
            drop(el)


def _warnings(
    article: Article, meta: PageMeta, method: str, length: int, where: str
) -> list[BuildWarning]:
    out: list[BuildWarning] = []
    if not article.authors:
        out.append(BuildWarning(code="no-byline", message="no author found", where=where))
    if article.published is None:
        out.append(BuildWarning(code="no-date", message="no publication date found", where=where))
    if meta.naive_dates:
        out.append(
            BuildWarning(
                code="date-no-timezone", message="a date had no timezone: read as UTC", where=where
            )
        )
    if method == "scoring" and length < 1500:
        out.append(
            BuildWarning(
                code="extraction-doubt",
                message=f"no article markup and little text ({length} characters): check the body",
                where=where,
            )
        )
    figs = ([article.lead] if article.lead else []) + [
        b for b in iter_blocks(article.body) if isinstance(b, Figure)
    ]
    for f in figs:
        if not f.alt and not f.decorative:
            out.append(
                BuildWarning(
                    code="figure-no-alt",
                    message=f"image has no alt text: {f.image.url}",
                    where=where,
                )
            )
        if not f.credit:
            out.append(
                BuildWarning(
                    code="figure-no-credit",
                    message=f"image has no credit: {f.image.url}",
                    where=where,
                )
            )
    return out


__all__ = ["image_ref", "normalise_article", "normalise_file", "slugify"]
