"""A post record → the chapter model.

Goes in: a ``PostRecord`` (from the REST API or a WXR export) and the limits. Comes out: an
``Article`` whose metadata comes from the record's structured fields (title, manual excerpt
as standfirst, dates in the site's zone, authors, primary category as kicker, tags, the
featured image as lead figure from the original upload) and whose body is the normaliser's
reading of the rendered content, so its boilerplate rules apply (plugin-injected sharing
buttons and related-post boxes are removed).
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import lxml.html
from lxml import etree

from printedition.ingest.normalise import normalise_article, slugify
from printedition.ingest.text import clean_line
from printedition.model import Article, BuildWarning, ImageRef, article_text
from printedition.settings import Limits
from printedition.wordpress.records import PostRecord

# The normaliser's warnings about metadata it looked for in the page: here the record gives it.
_PAGE_GUESSES = {"no-byline", "no-date", "date-no-timezone", "extraction-doubt"}
UNCATEGORISED = {"uncategorized", "uncategorised"}


def plain_text(fragment: str) -> str:
    """Rendered title or excerpt HTML → one clean line of text."""
    if not fragment.strip():
        return ""
    if "<" not in fragment:
        return clean_line(html.unescape(fragment))
    try:
        doc = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):  # nothing but markup the parser drops
        return clean_line(html.unescape(re.sub(r"<[^>]*>", " ", fragment)))
    return clean_line(doc.text_content())


def safe_slug(record: PostRecord) -> str:
    """The post's slug as issue.toml and file names accept it (WordPress percent-encodes
    non-ASCII slugs)."""
    slug = record.slug.lower()
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        return slug
    return slugify(unquote(record.slug)) or f"post-{record.id}"


def primary_category(record: PostRecord) -> tuple[str, str]:
    """(slug, name) of the first real category; ("", "") when the post has none."""
    for slug, name in record.categories:
        if slug.lower() not in UNCATEGORISED:
            return slug, name
    return "", ""


def _standfirst(record: PostRecord, body_text: str) -> str:
    """The excerpt when an editor wrote one: WordPress's own (the opening words, "[…]")
    is not a standfirst."""
    text = plain_text(record.excerpt_html)
    bare = re.sub(r"\s*(\[(…|\.\.\.)\]|…|\.\.\.)\s*$", "", text)
    if not bare or bare != text:
        return ""
    squash = " ".join(re.findall(r"\w+", bare.lower()))
    if squash and " ".join(re.findall(r"\w+", body_text.lower())).startswith(squash):
        return ""
    return text


def _page(record: PostRecord, title: str) -> str:
    """The record as a minimal page the normaliser reads: header with the featured image,
    then the body."""
    lead = ""
    if record.lead is not None:
        img = record.lead
        size = "".join(
            f' {k}="{v}"' for k, v in (("width", img.width), ("height", img.height)) if v
        )
        caption = f"<figcaption>{img.caption_html}</figcaption>" if img.caption_html.strip() else ""
        lead = (
            f'<figure class="post-thumbnail"><img class="wp-post-image" '
            f'src="{html.escape(img.url)}" alt="{html.escape(img.alt)}"{size}>{caption}</figure>'
        )
    return (
        f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body><article>"
        f'<header class="entry-header"><h1>{html.escape(title)}</h1>{lead}</header>'
        f'<div class="entry-content">{record.content_html}</div></article></body></html>'
    )


def article_from_record(record: PostRecord, *, limits: Limits | None = None) -> Article:
    title = plain_text(record.title_html) or record.slug
    base = record.link or (record.site.url if record.site else None)
    slug = safe_slug(record)
    article = normalise_article(_page(record, title), base, limits=limits, slug=slug)
    lead = article.lead
    if lead is not None and record.lead is not None and lead.image.url == record.lead.url:
        candidates = tuple(u for u in (record.lead.full, *record.lead.sizes) if u)
        lead = lead.__class__(
            image=ImageRef(
                url=lead.image.url,
                width=record.lead.width,
                height=record.lead.height,
                candidates=candidates,
            ),
            alt=record.lead.alt.strip(),
            caption=lead.caption,
            credit=lead.credit,
            decorative=lead.decorative,
        )
    where = record.link or record.source_url
    warnings = [w for w in article.warnings if w.code not in _PAGE_GUESSES]
    if record.author_hidden:
        warnings.append(
            BuildWarning(
                code="wordpress-author-hidden",
                message="the site hides its authors (REST API error object): add a byline",
                where=where,
            )
        )
    elif not record.authors:
        warnings.append(BuildWarning(code="no-byline", message="no author found", where=where))
    _slug, kicker = primary_category(record)
    site = record.site
    return article.with_changes(
        headline=title,
        url=record.link or article.url,
        source_url=record.source_url,
        kicker=kicker,
        standfirst=_standfirst(record, article_text(article)),
        description="",
        authors=record.authors,
        published=record.published,
        updated=record.updated,
        language=site.language if site else "",
        site_name=site.name if site else "",
        tags=record.tags,
        lead=lead,
        warnings=tuple(warnings),
    )


__all__ = ["article_from_record", "plain_text", "primary_category", "safe_slug"]
