"""Cleaned article HTML → the model's blocks and inline content.

Goes in: the extracted body element (see extract.py). Comes out: a tuple of ``Block``s:
paragraphs, subheadings, lists, quotes, pull quotes, figures with caption and credit split,
tables, embeds, rules and notes, with text cleaned and links made absolute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from printedition.ingest.clean import (
    HtmlElement,
    drop,
    select,
    text_of,
)
from printedition.ingest.inlines import (
    BLOCK_TAGS,
    SPACES,
    inline_content,
    inline_node,
    strip_suffix,
    trim_inlines,
)
from printedition.ingest.media import (
    credit_value,
    frame_embed,
    image_ref,
    is_tracker,
    own_embed,
    resolve,
    split_credit,
    tweet_embed,
)
from printedition.ingest.selectors import Rules
from printedition.ingest.text import clean_line, clean_text
from printedition.model import (
    Block,
    BlockQuote,
    BuildWarning,
    Code,
    Embed,
    Figure,
    Inline,
    LineBreak,
    ListBlock,
    ListItem,
    Note,
    Paragraph,
    PullQuote,
    Rule,
    Strong,
    Subheading,
    Table,
    TableCell,
    TableRow,
    Text,
    inline_text,
)

NOTE_TEXT = re.compile(
    r"^(correction|clarification|update|updated|editor[’']?s note|note)\s*(\(|:|\.|—|–|-)", re.I
)
_CAPTION_CLASS = re.compile(r"caption", re.I)
_FIGURE_CLASS = re.compile(
    r"(^|[\s_-])(wp-caption|figure|image|photo|media|picture)([\s_-]|$)", re.I
)


@dataclass
class Context:
    base_url: str | None  # images and embeds resolve against this
    link_base: str | None  # links resolve against this (<base> or canonical for saved pages)
    rules: Rules
    max_blocks: int
    max_data_url: int = 5 * 1024 * 1024
    warnings: list[BuildWarning] = field(default_factory=list)
    credits: set[HtmlElement] = field(default_factory=set)
    pull_quotes: set[HtmlElement] = field(default_factory=set)
    notes: set[HtmlElement] = field(default_factory=set)
    count: int = 0


# Roles marked on elements before extraction (see normalise._mark), in Rules.journalism_roles order.
ROLES = ("pullquote", "note", "credit")
ROLE_ATTR = "data-printedition-role"
_ROLE = etree.XPath(f"descendant-or-self::*[@{ROLE_ATTR}]")


def prepare_context(root: HtmlElement, ctx: Context) -> None:
    """Collect the credit, pull-quote and note elements marked inside ``root``."""
    for el in select(_ROLE, root):
        role = el.get(ROLE_ATTR)
        if role == "credit":
            ctx.credits.add(el)
        elif role == "pullquote":
            ctx.pull_quotes.add(el)
        elif role == "note":
            ctx.notes.add(el)


# ---------------------------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------------------------


def is_figure_wrapper(el: HtmlElement) -> bool:
    """A ``<div>`` that stands for a figure: a photo class (``wp-caption``…), one image and
    little text (its caption)."""
    return bool(
        el.tag == "div"
        and _FIGURE_CLASS.search(el.get("class", ""))
        and len(_images(el)) == 1
        and len(text_of(el)) < 600
    )


def _classes(el: HtmlElement) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}"


def _images(el: HtmlElement) -> list[HtmlElement]:
    return [i for i in el.iter("img") if not is_tracker(i)]


def _flush(run: list[Inline], out: list[Block], ctx: Context) -> None:
    """Turn a run of inline content into paragraphs (two or more <br> split paragraphs)."""
    if not run:
        return
    if ctx.count > ctx.max_blocks:
        run.clear()
        return
    if all(type(node) is Text for node in run):  # the common case: plain text
        text = SPACES.sub(" ", "".join(node.text for node in run)).strip()  # type: ignore[union-attr]
        if text:
            ctx.count += 1
            _add(out, Paragraph(content=(Text(text=text),)), ctx)
        run.clear()
        return
    parts: list[list[Inline]] = [[]]
    breaks = 0
    for node in run:
        if isinstance(node, LineBreak):
            breaks += 1
            continue
        if isinstance(node, Text) and not node.text.strip():
            if breaks:
                continue
            parts[-1].append(node)
            continue
        if breaks >= 2:
            parts.append([])
        elif breaks == 1:
            parts[-1].append(LineBreak())
        breaks = 0
        parts[-1].append(node)
    for part in parts:
        content = trim_inlines(part)
        if content and inline_text(content).strip():
            ctx.count += 1
            _add(out, Paragraph(content=content), ctx)
    run.clear()


def _add(out: list[Block], block: Block, ctx: Context) -> None:
    """(Blocks are bounded where they are made: block() and _flush() stop past the limit.)"""
    out.append(block)


def convert(el: HtmlElement, ctx: Context) -> list[Block]:
    """The blocks inside ``el`` (mixed inline runs become paragraphs)."""
    out: list[Block] = []
    run: list[Inline] = []
    if el.text:
        run.append(Text(text=clean_text(el.text)))
    for child in el:
        if isinstance(child.tag, str):
            if child.tag in BLOCK_TAGS or child in ctx.pull_quotes or child in ctx.notes:
                _flush(run, out, ctx)
                for b in block(child, ctx):
                    _add(out, b, ctx)
            elif (_images(child) and child.tag not in ("a",)) or (
                child.tag == "a" and _images(child) and not text_of(child).strip()
            ):
                _flush(run, out, ctx)
                for b in convert(child, ctx):
                    _add(out, b, ctx)
            else:
                run.extend(inline_node(child, ctx.link_base))
        if child.tail:
            run.append(Text(text=clean_text(child.tail)))
    _flush(run, out, ctx)
    return out


def block(el: HtmlElement, ctx: Context) -> list[Block]:
    tag = el.tag
    if ctx.count > ctx.max_blocks:
        return []
    if tag not in ("p", "div", "section", "article", "main"):
        ctx.count += 1  # a leaf-like block (paragraphs are counted where they are made)
    if el in ctx.pull_quotes:
        pq = pull_quote(el, ctx)
        return [pq] if pq else []
    if el in ctx.notes:
        return _note(el, ctx)
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        content = inline_content(el, ctx.link_base)
        if not inline_text(content).strip():
            return convert(el, ctx) if _images(el) else []
        return [Subheading(level=max(2, int(tag[1])), content=content)]
    if tag == "p":
        blocks = convert(el, ctx)
        if len(blocks) == 1 and isinstance(blocks[0], Paragraph):
            text = inline_text(blocks[0].content)
            if NOTE_TEXT.match(text):
                kind = _note_kind(text)
                return [Note(kind=kind, blocks=(blocks[0],))]
        return blocks
    if tag == "hr":
        return [Rule()]
    if tag == "pre":
        # Its lines kept as line breaks (the model's Code is inline text, so its own spaces
        # are collapsed as any inline code's are: the clean HTML reads back the same).
        pre: list[Inline] = []
        for line in text_of(el).split("\n"):
            if line := clean_text(line).strip():
                pre.extend([LineBreak(), Code(text=line)] if pre else [Code(text=line)])
        return [Paragraph(content=tuple(pre))] if pre else []
    if tag in ("ul", "ol"):
        return _list(el, ctx)
    if tag == "dl":
        out: list[Block] = []
        for item in el:
            if item.tag == "dt":
                c = inline_content(item, ctx.link_base)
                if c:
                    out.append(Paragraph(content=(Strong(children=c),)))
            elif isinstance(item.tag, str):
                out.extend(convert(item, ctx))
        return out
    if tag == "table":
        return _table(el, ctx)
    if tag == "blockquote":
        return _blockquote(el, ctx)
    if tag in ("figure",) or is_figure_wrapper(el):
        return _figure(el, ctx)
    if tag in ("img", "picture"):
        img = el if tag == "img" else el.find(".//img")
        if img is None or is_tracker(img):
            return []
        fig = _image_figure(img, el, None, ctx)
        return [fig] if fig else []
    if tag in ("iframe", "video", "audio", "object", "embed"):
        emb = frame_embed(el, ctx.base_url)
        return [emb] if emb else []
    if tag in ("figcaption", "caption"):
        return convert(el, ctx)
    if tag == "aside" and "embed" in el.get("class", "").split():
        own = own_embed(el, ctx.base_url)
        if own is not None:
            return [own]
    if "wp-block-embed" in el.get("class", ""):
        return _figure(el, ctx)
    return convert(el, ctx)


def _note_kind(text: str) -> str:
    low = text.lower()
    if low.startswith(("correction", "clarification")):
        return "correction"
    if low.startswith("update"):
        return "update"
    return "note"


def _note(el: HtmlElement, ctx: Context) -> list[Block]:
    blocks = tuple(convert(el, ctx))
    if not blocks:
        return []
    text = f"{_classes(el)} {text_of(el)[:40]}"
    kind = (
        "correction"
        if re.search(r"correct|clarif", text, re.I)
        else ("update" if re.search(r"update", text, re.I) else "note")
    )
    return [Note(kind=kind, blocks=blocks)]


def _list(el: HtmlElement, ctx: Context) -> list[Block]:
    items: list[ListItem] = []
    for li in el:
        if not isinstance(li.tag, str):
            continue
        if li.tag == "li":
            blocks = tuple(convert(li, ctx))
            if blocks:
                items.append(ListItem(blocks=blocks))
        elif li.tag in ("ul", "ol") and items:
            nested = _list(li, ctx)
            if nested:
                items[-1] = ListItem(blocks=items[-1].blocks + tuple(nested))
        else:
            blocks = tuple(convert(li, ctx)) if li.tag not in BLOCK_TAGS else tuple(block(li, ctx))
            if blocks:
                items.append(ListItem(blocks=blocks))
    if not items:
        return []
    start = 1
    start_text = el.get("start", "").strip()
    if el.tag == "ol" and start_text.lstrip("-").isdigit() and len(start_text) <= 10:
        start = int(start_text)  # (a 5,000-digit start would make int() raise)
    return [ListBlock(ordered=el.tag == "ol", items=tuple(items), start=start)]


def _rows(table: HtmlElement) -> list[tuple[HtmlElement, bool]]:
    rows: list[tuple[HtmlElement, bool]] = []
    for child in table:
        if child.tag in ("thead", "tbody", "tfoot"):
            for tr in child:
                if tr.tag == "tr":
                    rows.append((tr, child.tag == "thead"))
        elif child.tag == "tr":
            rows.append((child, False))
    return rows


def _span(value: str | None) -> int:
    try:
        return max(1, min(1000, int(value or 1)))
    except ValueError:
        return 1


def _table(el: HtmlElement, ctx: Context) -> list[Block]:
    rows = _rows(el)
    cells_total = sum(len([c for c in tr if c.tag in ("td", "th")]) for tr, _ in rows)
    layout = (
        el.find(".//table") is not None or cells_total <= 1 or (el.get("role") == "presentation")
    )
    if layout:
        out: list[Block] = []
        for tr, _ in rows:
            for cell in tr:
                if cell.tag in ("td", "th"):
                    out.extend(convert(cell, ctx))
        return out
    model_rows: list[TableRow] = []
    header_rows = 0
    leading = True
    for tr, in_head in rows:
        cells: list[TableCell] = []
        all_th = True
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            is_th = cell.tag == "th"
            all_th = all_th and is_th
            cells.append(
                TableCell(
                    content=inline_content(cell, ctx.link_base),
                    header=is_th or in_head,
                    colspan=_span(cell.get("colspan")),
                    rowspan=_span(cell.get("rowspan")),
                )
            )
        if not cells:
            continue
        if leading and (in_head or all_th):
            header_rows += 1
        else:
            leading = False
        model_rows.append(TableRow(cells=tuple(cells)))
    if not model_rows:
        return []
    cap = el.find("caption")
    caption = inline_content(cap, ctx.link_base) if cap is not None else ()
    return [Table(rows=tuple(model_rows), caption=caption, header_rows=header_rows)]


def _attribution(el: HtmlElement) -> tuple[str, set[HtmlElement]]:
    found: set[HtmlElement] = set()
    parts: list[str] = []
    for child in el.iter("cite", "footer", "figcaption"):
        if child is el:
            continue
        parent = child.getparent()
        inline_cite = (
            child.tag == "cite"
            and parent is not None
            and parent.tag == "p"
            and clean_line(text_of(parent)) != clean_line(text_of(child))
        )
        if inline_cite:  # a title in running text, not an attribution
            continue
        text = clean_line(text_of(child))
        if text:
            parts.append(text)
        found.add(child)
    attribution = " ".join(parts).lstrip("—–-― ").strip()
    return attribution, found


def _blockquote(el: HtmlElement, ctx: Context) -> list[Block]:
    cls = el.get("class", "")
    if "twitter-tweet" in cls or "twitter-video" in cls:
        return [tweet_embed(el, ctx.base_url)]
    if "instagram-media" in cls or "tiktok-embed" in cls:
        url = el.get("data-instgrm-permalink") or el.get("cite") or ""
        if not url:
            links = [a.get("href", "") for a in el.iter("a") if a.get("href")]
            url = links[0] if links else ""
        kind = "instagram" if "instagram" in cls else "other"
        return [
            Embed(kind=kind, url=resolve(url, ctx.base_url), text=clean_line(text_of(el))[:500])
        ]
    attribution, found = _attribution(el)
    blocks = tuple(convert_skipping(el, ctx, found))
    if not blocks and not attribution:
        return []
    return [BlockQuote(blocks=blocks, attribution=attribution)]


def convert_skipping(el: HtmlElement, ctx: Context, skip: set[HtmlElement]) -> list[Block]:
    if not skip:
        return convert(el, ctx)
    for s in skip:
        if s.getparent() is not None:
            drop(s)
    return convert(el, ctx)


def pull_quote(el: HtmlElement, ctx: Context) -> PullQuote | None:
    attribution, found = _attribution(el)
    paras = [
        clean_line(text_of(p))
        for p in el.iter("p")
        if not any(a in found for a in p.iterancestors())
    ]
    text = "\n".join(p for p in paras if p)
    if not text:
        for s in found:
            if s.getparent() is not None:
                drop(s)
        text = clean_line(text_of(el))
    if not text:
        return None
    return PullQuote(text=text, attribution=attribution)


def _caption_parts(fig: HtmlElement, ctx: Context) -> tuple[tuple[Inline, ...], str]:
    """(caption inlines, credit) from a figure's caption and credit markup."""
    cap_el = None
    for cand in fig.iter("figcaption"):
        cap_el = cand
        break
    if cap_el is None:
        for cand in fig.iterdescendants():
            if (
                isinstance(cand.tag, str)
                and cand.tag not in ("img", "picture", "a")
                and _CAPTION_CLASS.search(cand.get("class", ""))
            ):
                cap_el = cand
                break
    credit_els = [c for c in ctx.credits if _is_inside(c, fig)]
    if not credit_els and cap_el is not None:
        trailing = _trailing_credit(cap_el, ctx.rules)
        credit_els = [trailing] if trailing is not None else []
    credit = credit_value(
        " ".join(" ".join(map(str, c.itertext())) for c in credit_els), ctx.rules.credit_label
    )
    if cap_el is None:
        return (), credit
    skip = set(credit_els)
    caption = inline_content(cap_el, ctx.link_base, skip)
    text = inline_text(caption)
    if not credit:
        new_text, credit = split_credit(text, ctx.rules.credit_patterns)
        if credit:
            caption = strip_suffix(caption, len(text) - len(new_text))
            credit = credit_value(credit, ctx.rules.credit_label)
    return caption, credit


_LOOSE_TEXT = etree.XPath("boolean(.//text()[normalize-space(.)])")


def _has_loose_text(el: HtmlElement) -> bool:
    return bool(_LOOSE_TEXT(el))


def _trailing_credit(caption: HtmlElement, rules: Rules) -> HtmlElement | None:
    """The element a caption ends with that is its credit: a ``<small>`` (or another of
    ``credit_trailing``), or a ``<cite>`` that starts with a credit label ("Photo: …"; a
    cite alone may be a work's title)."""
    children = [c for c in caption if isinstance(c.tag, str)]
    if not children or ((caption.text or "").strip() == "" and len(children) == 1):
        return None
    last = children[-1]
    if (last.tail or "").strip(" .)\n\t") or last.tag not in rules.credit_trailing:
        return None
    if last.tag == "cite" and not rules.credit_label.match(clean_line(text_of(last))):
        return None
    return last


def _is_inside(el: HtmlElement, container: HtmlElement) -> bool:
    return any(a is container for a in el.iterancestors())


def _figure(fig: HtmlElement, ctx: Context) -> list[Block]:
    # nested figures (galleries) and pull quotes dressed as figures
    inner_figs = list(fig.iterdescendants("figure"))
    if inner_figs:
        gallery: list[Block] = []
        for inner in inner_figs:
            if not any(a in inner_figs for a in inner.iterancestors()):
                gallery.extend(_figure(inner, ctx))
        return gallery
    for bq in fig.iter("blockquote"):
        if "twitter-tweet" in bq.get("class", "") or "instagram-media" in bq.get("class", ""):
            return _blockquote(bq, ctx)
    if fig.find(".//table") is not None and not _images(fig):
        tables = _table(fig.find(".//table"), ctx)  # type: ignore[arg-type]
        cap = fig.find(".//figcaption")
        if cap is not None and tables and isinstance(tables[0], Table):
            tables[0] = Table(
                rows=tables[0].rows,
                caption=inline_content(cap, ctx.link_base),
                header_rows=tables[0].header_rows,
            )
        return tables
    imgs = _images(fig)
    caption, credit = _caption_parts(fig, ctx)
    if fig.tag != "figure" and not caption and _has_loose_text(fig):
        return convert(fig, ctx)  # an image wrapper with text we cannot tell is a caption
    if not imgs:
        frames = [f for f in fig.iter("iframe", "video", "audio", "object", "embed")]
        title = inline_text(caption)
        if frames:
            emb = frame_embed(frames[0], ctx.base_url, title)
            return [emb] if emb else []
        wrapper = fig.find(".//*[@class]")
        if "wp-block-embed" in fig.get("class", ""):
            for cand in fig.iter():
                if isinstance(cand.tag, str) and "wp-block-embed__wrapper" in cand.get("class", ""):
                    emb = frame_embed(cand, ctx.base_url, title)
                    return [emb] if emb else []
        del wrapper
        if fig.find(".//blockquote") is not None:
            return _blockquote(fig.find(".//blockquote"), ctx)  # type: ignore[arg-type]
        return convert(fig, ctx)
    out: list[Block] = []
    for i, img in enumerate(imgs):
        last = i == len(imgs) - 1
        made = _image_figure(img, fig, (caption, credit) if last else ((), ""), ctx)
        if made:
            out.append(made)
    return out


def _image_figure(
    img: HtmlElement,
    container: HtmlElement,
    caption_credit: tuple[tuple[Inline, ...], str] | None,
    ctx: Context,
) -> Figure | None:
    ref = image_ref(img, ctx.base_url)
    if ref is None:
        return None
    if ref.url.startswith("data:") and len(ref.url) > ctx.max_data_url:
        ctx.warnings.append(
            BuildWarning(
                code="image-too-large",
                message=f"an inline (data:) image of {len(ref.url) // 1024} KB was left out "
                "(Limits.max_data_url_bytes)",
            )
        )
        return None
    if not re.match(r"^(https?|file|data):", ref.url):
        ctx.warnings.append(
            BuildWarning(
                code="image-relative-url",
                message=f"image {ref.url} cannot be located: the page's own URL is not known",
            )
        )
    caption, credit = caption_credit if caption_credit is not None else ((), "")
    alt = clean_line(img.get("alt"))
    decorative = img.get("alt") is not None and alt == "" and img.get("role") == "presentation"
    return Figure(image=ref, alt=alt, caption=caption, credit=credit, decorative=decorative)
