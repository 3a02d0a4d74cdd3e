"""The lead figure: the article header's photo, else the body's first, else the page's share
image (``og:image`` / JSON-LD ``image``).

Goes in: the lead-image matches inside the article's header scopes, the converted body blocks,
the page's metadata and the conversion context. Comes out: the lead ``Figure`` (or ``None``)
and the body without it. The share image goes through the same conversion as a body image
(same URL resolution against the page, same inline-image limit, same tracker check), so the
writers fetch and check it like any other: SSRF guard, size limits and local-file rules.
"""

from __future__ import annotations

import re

from lxml import etree

from printedition.ingest import blocks as blk
from printedition.ingest.clean import HtmlElement
from printedition.ingest.media import image_ref, is_tracker, resolve, wordpress_original
from printedition.ingest.metadata import PageMeta
from printedition.model import Block, Figure, iter_blocks


def lead_element(candidates: list[HtmlElement]) -> HtmlElement | None:
    """The first lead-image match holding a real image, as the element that carries its
    caption: its ``<figure>``, or the captioned wrapper a classic theme puts around it
    (``div.featured-image > div.wp-caption > img + p.wp-caption-text``)."""
    for el in candidates:
        img = (
            el if el.tag == "img" else next((i for i in el.iter("img") if not is_tracker(i)), None)
        )
        if img is None:
            continue
        fig = next((a for a in img.iterancestors("figure")), None)
        if fig is not None:
            return fig
        for anc in img.iterancestors():
            if blk.is_figure_wrapper(anc):
                return anc
            if anc is el:
                break
        return img
    return None


def choose_lead(
    lead_el: HtmlElement | None,
    body: list[Block],
    meta: PageMeta,
    ctx: blk.Context,
    elsewhere: list[HtmlElement] | None = None,
) -> tuple[Figure | None, list[Block]]:
    """The lead figure and the body without it. ``elsewhere``: lead-image matches anywhere on
    the page (a theme may put the featured image outside the article's header), used when
    one of them is the share image."""
    lead: Figure | None = None
    if lead_el is not None:
        ctx.credits.update(e for e in ctx.rules.credit(lead_el) if isinstance(e, etree._Element))
        lead = next((b for b in blk.block(lead_el, ctx) if isinstance(b, Figure)), None)
        if lead is not None:
            body = [
                b for b in body if not (isinstance(b, Figure) and b.image.url == lead.image.url)
            ]
    if lead is None and body and isinstance(body[0], Figure):
        return body[0], body[1:]
    if lead is None:
        lead = share_image(meta, body, ctx, elsewhere or [])
    return lead, body


def share_image(
    meta: PageMeta, body: list[Block], ctx: blk.Context, elsewhere: list[HtmlElement]
) -> Figure | None:
    """The page's share image as a lead figure, unless it is a logo or placeholder, too small
    to print, or one of the body's photos already: the page's own featured image when it shows
    the same picture (its alt, caption, sizes), else the bare URL with ``og:image:alt``."""
    url = meta.image.strip()
    if not url or ctx.rules.not_lead_image.search(url):
        return None
    if meta.image_width and meta.image_width < ctx.rules.lead_min_width:
        return None
    absolute = resolve(url, ctx.base_url)
    same = {absolute, wordpress_original(absolute) or absolute}
    for block in iter_blocks(tuple(body)):
        if isinstance(block, Figure) and _same(same, {block.image.url, *block.image.candidates}):
            return None
    for el in elsewhere:
        found = lead_element([el])
        img = found if found is None or found.tag == "img" else next(found.iter("img"), None)
        ref = image_ref(img, ctx.base_url) if img is not None else None
        if found is not None and ref is not None and _same(same, {ref.url, *ref.candidates}):
            ctx.credits.update(e for e in ctx.rules.credit(found) if isinstance(e, etree._Element))
            fig = next((b for b in blk.block(found, ctx) if isinstance(b, Figure)), None)
            if fig is not None:
                return fig
    img = etree.Element("img", src=url, alt=meta.image_alt)
    return next((b for b in blk.block(img, ctx) if isinstance(b, Figure)), None)


def _same(wanted: set[str], urls: set[str]) -> bool:
    """Whether two sets of URLs name one picture (a size variant counts: WordPress's
    ``-1024x683`` and ``?w=1024``, or the same file name at the same place)."""

    def key(u: str) -> str:
        return re.sub(r"\?.*$", "", wordpress_original(u) or u)

    return bool({key(u) for u in wanted} & {key(u) for u in urls})
