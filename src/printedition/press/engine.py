"""Engine: print HTML → laid-out PDF pages (WeasyPrint lives here and only here).

Goes in: one document's HTML, the processed images it may use (href → bytes) and the PDF
variant. The fetcher serves the package's styles and fonts and those images, and refuses and
records everything else. Comes out: a ``Rendered`` record: the PDF bytes, what stands on each
page (``PageSpace``: how far down it printed, the anchors on it) and the layout's warnings.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import logging
import os
import re
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

with warnings.catch_warnings():
    # WeasyPrint warns at import when the system lacks libharfbuzz-subset (it falls back to
    # fontTools): an installation detail, not something a user's build can act on.
    warnings.filterwarnings("ignore", message=".*HarfBuzz-Subset.*", category=DeprecationWarning)
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

from printedition.errors import ConfigError, OutputError
from printedition.model import BuildWarning
from printedition.press.body import Strip
from printedition.press.layout import IMAGE_SCHEME
from printedition.settings import variant_named
from printedition.style import PageStyle, default_style


class PressFetcher(URLFetcher):  # type: ignore[misc]
    """Serves the style folder's files (stylesheets, fonts: read-only, nothing outside the
    folder and its base's, no link out of them) and the already processed images; refuses and
    records everything else. Nothing else is read from disk, nothing fetched."""

    def __init__(self, images: dict[str, bytes], style: PageStyle | None = None) -> None:
        super().__init__(allowed_protocols=())
        self.images = images
        self.style = style or default_style()
        self.base_url = self.style.base_url
        self.refused: list[str] = []
        self.missing: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith(IMAGE_SCHEME):
            data = self.images.get(url)
            if data is None:
                self.refused.append(url)
                raise ValueError(f"unknown image {url}")
            media = "image/png" if url.endswith(".png") else "image/jpeg"
            return URLFetcherResponse(url, data, {"Content-Type": media})
        if url.startswith("file:"):
            try:
                rel = self.style.path_of_url(url)
                path = self.style.find(rel)
            except PermissionError:
                self.refused.append(url[:200])
                raise ValueError(f"refused: {url[:80]}") from None
            if path is None:
                self.missing.append(rel)
                raise ValueError(f"the style has no {rel}")
            media = "text/css" if rel.endswith(".css") else "font/woff"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media})
        self.refused.append(url[:200])
        raise ValueError(f"refused: {url[:80]}")


@contextmanager
def _captured_weasyprint_log() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("weasyprint")
    handler = _Collect(level=logging.WARNING)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


@contextmanager
def _source_date(date: str) -> Iterator[None]:
    """fontTools stamps each subset font with the current time unless SOURCE_DATE_EPOCH is
    set: pin it to the document's date (the user's own setting wins) for identical bytes."""
    if not date or "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    epoch = int(datetime.fromisoformat(date).timestamp())
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


@dataclass(frozen=True, slots=True, kw_only=True)
class PageSpace:
    """What the layout put on one page: how far down it printed, the ids that stand on it,
    and whether a house panel on it holds more than its box (then it is not used)."""

    used_mm: float  # from the top of the page area to the foot of the lowest line, photo or rule
    height_mm: float  # the page area's height
    anchors: tuple[str, ...]
    overflow: bool = False
    filled: float = 1.0  # the share of a house panel's box its content takes up


PX_TO_MM = 25.4 / 96
SPARSE_PANEL = 0.4  # a house panel whose content spans less of its box looks empty


def _descendants(box: Any) -> Iterator[Any]:
    stack = [box]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(getattr(node, "children", None) or ())


def _measure(document: Any) -> list[PageSpace]:
    """Read the laid-out pages (WeasyPrint's box tree): the lowest thing printed on each."""
    from weasyprint.formatting_structure import boxes

    spaces = []
    for page in document.pages:
        page_box = page._page_box
        top = page_box.content_box_y()
        used = top
        overflow = False
        filled = 1.0
        for root in page_box.children:
            if isinstance(root, boxes.MarginBox):
                continue
            for box in _descendants(root):
                if isinstance(box, boxes.LineBox | boxes.ReplacedBox):
                    used = max(used, box.position_y + box.margin_height())
                elif isinstance(box, boxes.BlockBox) and box.border_bottom_width:
                    used = max(used, box.position_y + box.margin_height() - box.margin_bottom)
                element = getattr(box, "element", None)
                if element is not None and "house-gap" in (element.get("class") or "").split():
                    overflow = overflow or _overflows(box)
                    filled = min(filled, _filled(box))
        spaces.append(
            PageSpace(
                used_mm=(used - top) * PX_TO_MM,
                height_mm=page_box.height * PX_TO_MM,
                anchors=tuple(sorted(page.anchors)),
                overflow=overflow,
                filled=filled,
            )
        )
    return spaces


def _overflows(panel: Any) -> bool:
    """Whether a house panel's box (a table: it grows to hold its content) came out taller
    than the space it was made for."""
    planned = float(panel.element.get("data-height-mm") or 0) / PX_TO_MM
    return bool(panel.margin_height() - panel.margin_top - panel.margin_bottom > planned + 0.5)


def _filled(panel: Any) -> float:
    """The share of a house panel's height that its lines and pictures span."""
    from weasyprint.formatting_structure import boxes

    tops, bottoms = [], []
    for box in _descendants(panel):
        if isinstance(box, boxes.LineBox | boxes.ReplacedBox):
            tops.append(box.position_y)
            bottoms.append(box.position_y + box.margin_height())
    height = panel.margin_height() - panel.margin_top - panel.margin_bottom
    return (max(bottoms) - min(tops)) / height if tops and height > 0 else 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    """One laid-out document."""

    pdf: bytes
    spaces: tuple[PageSpace, ...]
    warnings: tuple[BuildWarning, ...] = ()
    # Each page's elements with an id: id → (top, bottom) in mm from the page's top edge.
    boxes: tuple[dict[str, tuple[float, float]], ...] = ()
    # ``strips``: the stripped element's pieces, in order (its PDF has one page for each).
    strips: tuple[Strip, ...] = ()


def render(
    html: str,
    images: dict[str, bytes],
    *,
    variant: str,
    date: str,
    style: PageStyle,
    strip: str = "",
) -> Rendered:
    """Lay ``html`` out and write its PDF; every page measured, the log kept as warnings.
    ``date`` (ISO) stamps the subset fonts when SOURCE_DATE_EPOCH is not set; the
    stylesheets and fonts are the ``style`` folder's. ``strip``: the class of an element
    whose content is written as strips instead of the pages (``strips``): one PDF page for
    each of its lines and unbreakable blocks, the page it stood on pruned to that piece, so
    that the pieces can be laid in columns of any height without laying the text out again."""
    fetcher = PressFetcher(images, style)
    boxes: list[dict[str, tuple[float, float]]] = []
    strips: list[Strip] = []
    with _captured_weasyprint_log() as log, _source_date(date):
        spaces: list[PageSpace] = []
        pdf = _render(html, fetcher, variant, spaces, boxes, strip=strip, strips=strips)
    if fetcher.missing:
        raise ConfigError(
            f"the style is missing {', '.join(sorted(set(fetcher.missing)))}",
            where=str(style.folder),
        )
    found = [
        BuildWarning(code="resource-refused", message="refused to fetch", where=url)
        for url in sorted(set(fetcher.refused))
    ]
    seen: set[str] = set()
    for record in log:
        message = record.getMessage()[:300]
        if "HarfBuzz-Subset" in message or message in seen:
            continue  # the subsetter in use is an installation detail, not a layout problem
        seen.add(message)
        found.append(BuildWarning(code="layout", message=message, where="weasyprint"))
    return Rendered(
        pdf=pdf,
        spaces=tuple(spaces),
        warnings=tuple(found),
        boxes=tuple(boxes),
        strips=tuple(strips),
    )


def render_job(job: tuple[str, dict[str, bytes], str, str, PageStyle, str]) -> Rendered:
    """Worker side: one layout (``render``'s arguments in a tuple). It lives here so that a
    layout worker imports this module and WeasyPrint, not the whole make-up (a worker starts
    the faster)."""
    html, images, variant, date, style, strip = job
    return render(html, images, variant=variant, date=date, style=style, strip=strip)


@dataclass(slots=True)
class _Resources:
    """What a process keeps from layout to layout for one style folder: the font
    configuration and the style's stylesheets, parsed."""

    fonts: Any  # weasyprint's FontConfiguration
    sheets: dict[tuple[str, str], Any]  # (URL, digest of its bytes) → weasyprint.CSS


_RESOURCES: dict[tuple[int, str], _Resources] = {}


def _resources(fetcher: PressFetcher) -> _Resources:
    """One font configuration a process and style folder, kept from layout to layout: a new
    one loads every system font and decodes the style's web fonts again (seconds a
    document). The same bytes come out either way; the style's fonts are fetched once."""
    from weasyprint.text.fonts import FontConfiguration

    key = (os.getpid(), fetcher.base_url)
    found = _RESOURCES.get(key)
    if found is None:
        for old in [k for k in _RESOURCES if k[0] != key[0]]:
            del _RESOURCES[old]  # (a forked worker's parent's)
        found = _RESOURCES[key] = _Resources(fonts=FontConfiguration(), sheets={})
    return found


def _font_config(fetcher: PressFetcher) -> Any:
    return _resources(fetcher).fonts


# The stylesheets of a press document, as its writers put them in its head (layout.py
# ``stylesheet_links`` and the documents' own ``<style>``), in document order.
_SHEET = re.compile(
    r'<link rel="stylesheet" href="(?P<href>[^"<>]*)"/>\n|<style>\n(?P<css>[^<]*)</style>\n'
)
# What would make moving the sheets out of the document change the cascade: a stylesheet
# or style element the pattern above does not take, a style attribute marked !important
# (an author declaration, which a user sheet's !important would now beat), and the rules
# whose state WeasyPrint keeps per document.
_UNSAFE = re.compile(r"<style|<link[^>]*stylesheet|style=\"[^\"]*!important", re.IGNORECASE)
_PER_DOCUMENT = ("@layer", "@counter-style", "@color-profile", "@import")


def _own_sheets(html: str, fetcher: PressFetcher) -> tuple[str, list[Any]] | None:
    """``html`` without its stylesheets, and those stylesheets parsed (the style's files once
    a process: parsing them took a fifth of a press layout), or None where that would not
    lay the document out exactly as its ``<link>`` and ``<style>`` elements do.

    WeasyPrint parses a document's linked stylesheets again for every document, and only
    takes parsed ones as ``stylesheets=``, the user's origin. Every stylesheet of the document
    moves there, in document order, so none is left in the author's origin to outrank them:
    within one origin the cascade (specificity, then order) is the same; the user agent's
    sheet stays below and style attributes above, as before. The same bytes come out
    (checked on every layout of a 40-article issue)."""
    from weasyprint import CSS
    from weasyprint.html import parse_url

    head, _, _ = html.partition("</head>")
    sheets: list[tuple[str, str]] = [
        ("link", found["href"]) if found["href"] is not None else ("style", found["css"])
        for found in _SHEET.finditer(head)
    ]
    bare = _SHEET.sub("", html) if sheets else html
    if not sheets or _UNSAFE.search(bare):
        return None
    resources = _resources(fetcher)
    parsed: list[Any] = []
    for kind, value in sheets:
        if kind == "style":
            if any(at in value for at in _PER_DOCUMENT):
                return None
            parsed.append(
                CSS(
                    string=value,
                    base_url=fetcher.base_url,
                    url_fetcher=fetcher,
                    font_config=resources.fonts,
                )
            )
            continue
        url = parse_url(htmllib.unescape(value), fetcher.base_url)
        if url is None:
            return None
        try:
            data = fetcher.fetch(url).read()
        except ValueError:
            return None  # (laid out with its links: WeasyPrint reports it as before)
        if any(at.encode() in data for at in _PER_DOCUMENT):
            return None
        key = (url, hashlib.sha256(data).hexdigest())
        sheet = resources.sheets.get(key)
        if sheet is None:
            problems = len(fetcher.missing) + len(fetcher.refused)
            sheet = CSS(
                url=url, url_fetcher=fetcher, font_config=resources.fonts, _check_mime_type=True
            )
            if len(fetcher.missing) + len(fetcher.refused) == problems:
                resources.sheets[key] = sheet  # (else the next document finds them again)
        parsed.append(sheet)
    return bare, parsed


def _render(
    html: str,
    fetcher: PressFetcher,
    variant: str,
    spaces: list[PageSpace] | None = None,
    boxes: list[dict[str, tuple[float, float]]] | None = None,
    *,
    strip: str = "",
    strips: list[Strip] | None = None,
) -> bytes:
    """Lay ``html`` out and write the PDF; ``spaces``, when given, receives each page's
    measurements (the house material is fitted to them)."""
    pdf_variant = variant_named(variant).weasyprint
    try:
        own = _own_sheets(html, fetcher)
        if own is not None:
            html, sheets = own
        else:
            sheets = []
        document = weasyprint.HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher)
        rendered = document.render(
            stylesheets=sheets,
            pdf_variant=pdf_variant,
            uncompressed_pdf=False,
            font_config=_font_config(fetcher),
        )
        if spaces is not None:
            spaces.extend(_measure(rendered))
        if boxes is not None:
            for page in rendered.pages:
                boxes.append(
                    {
                        key: (box[1] * PX_TO_MM, box[3] * PX_TO_MM)
                        for key, box in sorted(page.anchors.items())
                    }
                )
        if strip:
            pages, found = strip_pages(rendered, strip)
            if strips is not None:
                strips.extend(found)
            rendered = rendered.copy(pages)
        out = rendered.write_pdf(pdf_variant=pdf_variant, uncompressed_pdf=False)
    except OSError as exc:
        # WeasyPrint writes the embedded fonts to a temporary folder: a full /tmp lands here.
        from printedition.outputs import describe_os_error

        raise OutputError(
            f"cannot lay out the pages: {describe_os_error(exc)} (temporary folder)",
            where=tempfile.gettempdir(),
        ) from None
    if not isinstance(out, bytes):  # pragma: no cover - WeasyPrint returns bytes without target
        raise RuntimeError("WeasyPrint returned no PDF")
    return out


# ---------------------------------------------------------------------------------------------
# Strips: a laid-out element cut into the pieces a column may break between
# ---------------------------------------------------------------------------------------------

AVOID = frozenset({"avoid", "avoid-page", "avoid-column"})


def _decorated(box: Any) -> bool:
    """Whether a block draws anything of its own (background, border): it is kept whole."""
    if getattr(box, "background", None) is not None:
        return True
    return any(
        getattr(box, f"border_{side}_width", 0) for side in ("top", "right", "bottom", "left")
    )


def _extent(box: Any) -> tuple[float, float]:
    """The vertical extent of ``box`` and everything in it (floats reach past a line)."""
    top, bottom = float("inf"), float("-inf")
    for node in _descendants(box):
        y = getattr(node, "position_y", None)
        if y is None:
            continue
        height = node.margin_height() if hasattr(node, "margin_height") else 0.0
        margin_top = getattr(node, "margin_top", 0) or 0
        margin_bottom = getattr(node, "margin_bottom", 0) or 0
        top = min(top, y + margin_top)
        bottom = max(bottom, y + height - margin_bottom)
    return top, bottom


def _pieces(box: Any, path: tuple[Any, ...], out: list[tuple[tuple[Any, ...], Any]]) -> None:
    """The lines and unbreakable blocks in ``box``, each with the boxes above it."""
    from weasyprint.formatting_structure import boxes

    for child in box.children:
        here = (*path, child)
        whole = (
            not isinstance(child, boxes.BlockContainerBox)
            or isinstance(child, boxes.TableCellBox | boxes.InlineBlockBox)
            or not child.children
            or child.style["break_inside"] in AVOID
            or _decorated(child)
        )
        if isinstance(child, boxes.LineBox) or whole:
            out.append((path, child))
        else:
            _pieces(child, here, out)


def _breakable(a: tuple[tuple[Any, ...], Any], b: tuple[tuple[Any, ...], Any]) -> bool:
    """Whether a column may end after piece ``a`` when ``b`` follows (the style's
    ``break-*``, ``orphans`` and ``widows``)."""
    (path_a, box_a), (path_b, box_b) = a, b
    chain_a, chain_b = (*path_a, box_a), (*path_b, box_b)
    common = 0
    while common < min(len(chain_a), len(chain_b)) and chain_a[common] is chain_b[common]:
        common += 1
    if any(box.style["break_inside"] in AVOID for box in chain_a[1:common]):
        return False
    after, before = chain_a[common], chain_b[common]
    parent = chain_a[common - 1]
    from weasyprint.formatting_structure import boxes

    lines = [c for c in parent.children if isinstance(c, boxes.LineBox)]
    if after in lines and before in lines:
        n = lines.index(after) + 1
        return bool(n >= parent.style["orphans"] and len(lines) - n >= parent.style["widows"])
    # Between blocks: the ones that end here and the ones that start here may ask not to part.
    if any(box.style["break_after"] in AVOID for box in chain_a[common:]):
        return False
    return not any(box.style["break_before"] in AVOID for box in chain_b[common:])


def _pruned(chain: tuple[Any, ...], piece: Any) -> Any:
    """A copy of the page box holding only ``piece`` (and the boxes above it)."""
    node = piece
    for parent in reversed(chain):
        copy = parent.copy()
        copy.children = [node]
        node = copy
    return node


def strip_pages(document: Any, name: str) -> tuple[list[Any], list[Strip]]:
    """The pieces of the element of class ``name`` (lines, unbreakable blocks), each as a
    page of its own, and where they stood. A piece whose extent reaches into the next one
    (a drop capital) is not broken after."""
    from weasyprint.document import Page
    from weasyprint.formatting_structure import boxes

    pages: list[Any] = []
    strips: list[Strip] = []
    offset = 0.0
    found: list[tuple[tuple[Any, ...], Any]] = []
    idents: list[str] = []
    texts: list[str] = []
    where: list[tuple[float, float, float]] = []
    for page in document.pages:
        page_box = page._page_box
        top_of_area = page_box.content_box_y()
        chain = _chain_to(page_box, name)
        if chain is not None:
            pieces: list[tuple[tuple[Any, ...], Any]] = []
            _pieces(chain[-1], chain, pieces)
            for path, piece in pieces:
                top, bottom = _extent(piece)
                if top == float("inf"):
                    continue
                found.append((path, piece))
                idents.append(_ident((*path[len(chain) :], piece)))
                texts.append(_line_text(piece) if isinstance(piece, boxes.LineBox) else "")
                where.append((offset + top - top_of_area, offset + bottom - top_of_area, top))
                pages.append(Page(_pruned(path, piece)))
        offset += page_box.height
    reach = float("-inf")  # the lowest point of any piece so far
    below = [float("inf")] * (len(where) + 1)  # the highest point of any piece after n
    for n in range(len(where) - 1, -1, -1):
        below[n] = min(below[n + 1], where[n][0])
    for n, (piece, (top, bottom, own)) in enumerate(zip(found, where, strict=True)):
        nxt = found[n + 1] if n + 1 < len(found) else None
        reach = max(reach, bottom)
        breakable = nxt is None or (
            piece[0][0] is not nxt[0][0]  # another page: the layout broke there
            or (_breakable(piece, nxt) and reach <= below[n + 1] + 0.5)
        )
        strips.append(
            Strip(
                top_mm=top * PX_TO_MM,
                bottom_mm=bottom * PX_TO_MM,
                page_top_mm=own * PX_TO_MM,
                breakable=breakable,
                ident=idents[n],
                page=n,
                text=texts[n],
            )
        )
    return pages, strips


def _line_text(box: Any) -> str:
    """The text set in a line, in order."""
    own = getattr(box, "text", None)
    if isinstance(own, str):
        return own
    return "".join(_line_text(child) for child in getattr(box, "children", None) or ())


def _ident(boxes: tuple[Any, ...]) -> str:
    """The id of the innermost element with one among ``boxes`` (a piece and the boxes
    between it and the stripped element)."""
    for box in reversed(boxes):
        element = getattr(box, "element", None)
        if element is not None and element.get("id"):
            return str(element.get("id"))
    return ""


def _chain_to(page_box: Any, name: str) -> tuple[Any, ...] | None:
    """The boxes from the page down to the first one of the element of class ``name``."""
    stack: list[tuple[Any, ...]] = [(page_box,)]
    while stack:
        chain = stack.pop()
        box = chain[-1]
        element = getattr(box, "element", None)
        if element is not None and name in (element.get("class") or "").split() and len(chain) > 1:
            return chain
        stack.extend((*chain, child) for child in reversed(getattr(box, "children", None) or ()))
    return None


_IMAGE_URL = re.compile(re.escape(IMAGE_SCHEME) + r"[^\"'(),\s<>]+")


def images_used(html: str, images: dict[str, bytes]) -> dict[str, bytes]:
    """The processed images ``html`` refers to: what a layout worker is sent (a page of a
    long read need not carry the other pages' thousands of pictures)."""
    return {url: images[url] for url in sorted(set(_IMAGE_URL.findall(html))) if url in images}


def render_html_only(html: str, images: dict[str, bytes], style: PageStyle) -> bytes:
    """WeasyPrint alone on an already generated document (the benchmark's baseline)."""
    return _render(html, PressFetcher(images, style), "x-1a")


__all__ = [
    "PageSpace",
    "PressFetcher",
    "Rendered",
    "Strip",
    "images_used",
    "render",
    "render_html_only",
    "render_job",
]
