"""Engine: print HTML → laid-out PDF pages (WeasyPrint lives here and only here).

Goes in: one document's HTML, the processed images it may use (href → bytes) and the PDF
variant. The fetcher serves the package's styles and fonts and those images, and refuses and
records everything else. Comes out: a ``Rendered`` record: the PDF bytes, what stands on each
page (``PageSpace``: how far down it printed, the anchors on it) and the layout's warnings.
"""

from __future__ import annotations

import logging
import os
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


def render(
    html: str, images: dict[str, bytes], *, variant: str, date: str, style: PageStyle
) -> Rendered:
    """Lay ``html`` out and write its PDF; every page measured, the log kept as warnings.
    ``date`` (ISO) stamps the subset fonts when SOURCE_DATE_EPOCH is not set; the
    stylesheets and fonts are the ``style`` folder's."""
    fetcher = PressFetcher(images, style)
    boxes: list[dict[str, tuple[float, float]]] = []
    with _captured_weasyprint_log() as log, _source_date(date):
        spaces: list[PageSpace] = []
        pdf = _render(html, fetcher, variant, spaces, boxes)
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
    return Rendered(pdf=pdf, spaces=tuple(spaces), warnings=tuple(found), boxes=tuple(boxes))


def _render(
    html: str,
    fetcher: PressFetcher,
    variant: str,
    spaces: list[PageSpace] | None = None,
    boxes: list[dict[str, tuple[float, float]]] | None = None,
) -> bytes:
    """Lay ``html`` out and write the PDF; ``spaces``, when given, receives each page's
    measurements (the house material is fitted to them)."""
    document = weasyprint.HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher)
    pdf_variant = variant_named(variant).weasyprint
    try:
        rendered = document.render(pdf_variant=pdf_variant, uncompressed_pdf=False)
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


def render_html_only(html: str, images: dict[str, bytes], style: PageStyle) -> bytes:
    """WeasyPrint alone on an already generated document (the benchmark's baseline)."""
    return _render(html, PressFetcher(images, style), "x-1a")


__all__ = ["PageSpace", "PressFetcher", "Rendered", "render", "render_html_only"]
