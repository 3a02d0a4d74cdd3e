"""PDF: Article(s) → a print-ready newspaper PDF (WeasyPrint lives here and only here).

Goes in: articles with the resource policy their images may be read under, and
``PressOptions``. The stages, in order:

1. images: read each photo through ``resources.read_resource``, plan where it stands
   (``layout.plan_lead`` / ``plan_inline``), convert it for the press (grey, or CMYK through
   the printer's ICC profile) and resample it to at most 300 ppi at its placed width;
2. layout: ``layout.build_document`` writes the print HTML;
3. render: WeasyPrint lays it out, fetching only the style folder's stylesheets and fonts and
   the processed images (``PressFetcher``: everything else is refused and reported);
4. pad: blank house pages bring the count to a multiple of 4;
5. finish: pikepdf sets what WeasyPrint leaves short (BleedBox past 3.53 mm, the PDF/X output
   intent, stable IDs) and removes annotations from press files;
6. preflight: ``preflight.preflight_pdf`` checks the result; the file is written atomically.

Comes out: the PDF at ``out`` and a ``PressResult``.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pikepdf

with warnings.catch_warnings():
    # WeasyPrint warns at import when the system lacks libharfbuzz-subset (it falls back to
    # fontTools): an installation detail, not something a user's build can act on.
    warnings.filterwarnings("ignore", message=".*HarfBuzz-Subset.*", category=DeprecationWarning)
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

from printedition.errors import ConfigError, ImageError, InputError, OutputError
from printedition.images import (
    ProcessedImage,
    load_icc_profile,
    prepare_for_press,
    probe_image,
)
from printedition.model import Article, BuildWarning
from printedition.outputs import atomic_path
from printedition.press.house import (
    ContentsEntry,
    appeal_panel,
    choose_panels,
    default_panels,
    find_gaps,
    gap_candidates,
    house_document,
    pad_panels,
    subscription_panel,
)
from printedition.press.layout import (
    IMAGE_SCHEME,
    FigurePlan,
    Furniture,
    Geometry,
    Section,
    StoryLayout,
    build_document,
    default_date,
    default_month,
    figure_refs,
    plan_pages,
)
from printedition.press.preflight import PreflightReport, preflight_pdf
from printedition.render import byline_text
from printedition.resources import ResourcePolicy, read_resource
from printedition.settings import PAGE_FORMATS, PageFormat, Paper
from printedition.style import PageStyle, default_style

MM_TO_PT = 72 / 25.4
WEASYPRINT_BLEEDBOX_CAP_MM = 10 / MM_TO_PT  # WeasyPrint caps the BleedBox at 10 pt (3.53 mm)

# PDF variants: WeasyPrint's name and what the finished file must carry.
VARIANTS: dict[str, dict[str, Any]] = {
    "x-1a": {"weasyprint": "pdf/x-1a", "version": "PDF/X-1a:2003", "needs_icc": False},
    "x-4": {"weasyprint": "pdf/x-4", "version": "PDF/X-4", "needs_icc": True},
    "none": {"weasyprint": None, "version": "", "needs_icc": False},
}

# A registered printing condition (ICC registry): newsprint, ISO 12647-3, the IFRA26 set.
REGISTERED_CONDITION = {
    "identifier": "IFRA26",
    "registry": "http://www.color.org",
    "condition": "ISO 12647-3:2013 coldset offset on newsprint (ISOnewspaper26v4)",
}

ImageCache = MutableMapping[str, ProcessedImage]


@dataclass(frozen=True, slots=True, kw_only=True)
class PressOptions:
    """How to build the print edition. Defaults: a grey PDF/X-1a tabloid, 3 mm bleed."""

    page_format: PageFormat = field(default_factory=lambda: PAGE_FORMATS["tabloid"])
    bleed_mm: float = 3.0
    colour: str = "grey"  # "grey" | "cmyk"
    icc_profile: Path | None = None  # the printer's output profile (required for cmyk)
    variant: str = "x-1a"  # "x-1a" | "x-4" | "none"
    proof: bool = False  # crop marks, links kept, photos in colour, PROOF slug; not for press
    paper: Paper = field(default_factory=Paper)
    style: PageStyle = field(default_factory=default_style)  # the look: grid, type, stylesheets
    issue_line: str = ""  # e.g. "No. 57 · June 2024"; default: the month
    month: str = ""  # folio month; default: the newest article's month
    masthead: bool = True  # the first page carries the masthead
    pad_to_multiple: int = 4  # pages come in sheets of 4
    strict_images: bool = True  # a missing or broken photo stops the build (else: warning)
    # Hooks for the monthly issue build.
    sections: tuple[Section, ...] = ()
    front_page_html: str = ""  # XHTML fragment under the masthead on page 1
    contents_html: str = ""  # XHTML fragment on its own page after the front
    image_cache: ImageCache | None = None  # processed images keyed by source digest + use
    house_panels: tuple[str, ...] = ()  # issue build: XHTML for the pad pages, used in turn
    # issue build: processed images its own pages use (front-page photo), href → bytes
    extra_images: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PressResult:
    pages: int
    warnings: tuple[BuildWarning, ...]
    preflight: PreflightReport | None  # None for proofs
    html_bytes: int = 0
    padded_pages: int = 0
    house_panels: int = 0  # panels laid at the foot of pages where a story ends early


# ---------------------------------------------------------------------------------------------
# The URL fetcher
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------


def _in_article(exc: InputError, article: Article) -> InputError:
    """The error about a photo, naming the article page it came from (the user's input)."""
    page = article.source_url
    if page.startswith("file:"):
        from urllib.request import url2pathname

        page = url2pathname(page[5:].removeprefix("//localhost").removeprefix("//"))
    if not page or page == exc.where:
        return exc
    return type(exc)(f"{exc.message}: {exc.where[:200]}", where=page)


def _image_where(article: Article, url: str) -> str:
    if url.startswith("data:"):
        return f"{article.slug}: data: image"
    return url


@dataclass(frozen=True, slots=True, kw_only=True)
class _Source:
    data: bytes
    width: int
    height: int
    where: str


def _read_images(
    article: Article,
    policy: ResourcePolicy,
    options: PressOptions,
    warnings: list[BuildWarning],
) -> dict[str, _Source]:
    """Read every figure's bytes through the resource gate and probe its size (no decode)."""
    sources: dict[str, _Source] = {}
    for _, fig in figure_refs(article):
        url = fig.image.url
        if url in sources:
            continue
        where = _image_where(article, url)
        try:
            data = read_resource(url, policy)
            width_px, height_px = probe_image(data, where=where, limits=policy.limits)
        except InputError as exc:
            if options.strict_images:
                raise _in_article(exc, article) from None
            warnings.append(BuildWarning(code="image-missing", message=exc.message, where=where))
            continue
        sources[url] = _Source(data=data, width=width_px, height=height_px, where=where)
    return sources


def _cache_key(source: _Source, plan: FigurePlan, colour: str, icc_digest: str) -> str:
    digest = hashlib.sha256(source.data).hexdigest()
    return f"{digest}:{colour}:{icc_digest}:{plan.width_mm:.1f}:{plan.max_ppi}"


def _warm_cache(
    jobs: list[tuple[_Source, FigurePlan, ResourcePolicy]],
    *,
    colour: str,
    icc: bytes | None,
    icc_digest: str,
    cache: ImageCache,
) -> None:
    """Convert the photos not yet in the cache on two threads (Pillow releases the GIL while
    it resamples and encodes). Failures are left out: the ordered pass meets them again and
    reports them where they belong."""
    todo: dict[str, tuple[_Source, FigurePlan, ResourcePolicy]] = {}
    for source, plan, policy in jobs:
        key = _cache_key(source, plan, colour, icc_digest)
        if key not in cache and key not in todo:
            todo[key] = (source, plan, policy)
    if len(todo) < 2:
        return

    def work(item: tuple[_Source, FigurePlan, ResourcePolicy]) -> ProcessedImage | None:
        source, plan, policy = item
        try:
            return prepare_for_press(
                source.data,
                where=source.where,
                colour=colour,
                icc=icc,
                placed_width_mm=plan.width_mm,
                max_ppi=plan.max_ppi,
                limits=policy.limits,
            )
        except ImageError:
            return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        for key, processed in zip(todo, pool.map(work, todo.values()), strict=True):
            if processed is not None:
                cache[key] = processed


def _prepare_images(
    article: Article,
    sources: dict[str, _Source],
    plans: dict[str, FigurePlan],
    policy: ResourcePolicy,
    options: PressOptions,
    icc: bytes | None,
    icc_digest: str,
    images: dict[str, bytes],
    cache: ImageCache,
    warnings: list[BuildWarning],
) -> dict[str, str]:
    """Convert and resample each photo for where it stands; returns url → image href."""
    hrefs: dict[str, str] = {}
    colour = "rgb" if options.proof else options.colour
    for url, plan in plans.items():
        source = sources[url]
        key = _cache_key(source, plan, colour, icc_digest)
        processed = cache.get(key)
        if processed is None:
            try:
                processed = prepare_for_press(
                    source.data,
                    where=source.where,
                    colour=colour,
                    icc=icc,
                    placed_width_mm=plan.width_mm,
                    max_ppi=plan.max_ppi,
                    limits=policy.limits,
                )
            except ImageError as exc:
                if options.strict_images:
                    raise _in_article(exc, article) from None
                warnings.append(
                    BuildWarning(code="image-broken", message=exc.message, where=source.where)
                )
                continue
            cache[key] = processed
        ppi = processed.width / (plan.width_mm / 25.4)
        if ppi < plan.min_ppi:
            warnings.append(
                BuildWarning(
                    code="image-low-ppi",
                    message=(
                        f"photo stands at {ppi:.0f} ppi across {plan.columns} column(s) "
                        f"({plan.width_mm:.0f} mm; {source.width}×{source.height} px); "
                        f"the press wants {plan.min_ppi}"
                    ),
                    where=source.where,
                )
            )
        href = f"{IMAGE_SCHEME}{processed.digest}{processed.extension}"
        images[href] = processed.data
        hrefs[url] = href
    return hrefs


# ---------------------------------------------------------------------------------------------
# Rendering and finishing
# ---------------------------------------------------------------------------------------------


def _check_options(options: PressOptions) -> None:
    if options.variant not in VARIANTS:
        raise ConfigError(f"unknown PDF variant {options.variant!r}: use x-1a, x-4 or none")
    if options.colour not in ("grey", "cmyk"):
        raise ConfigError(f"unknown colour {options.colour!r}: use grey or cmyk")
    if not 0 <= options.bleed_mm <= 20:
        raise ConfigError(f"bleed {options.bleed_mm:g} mm is out of range (0–20 mm)")
    if options.pad_to_multiple < 1:
        raise ConfigError("pad_to_multiple must be at least 1")
    if not options.proof:
        if options.colour == "cmyk" and options.icc_profile is None:
            raise ConfigError("--colour cmyk needs the printer's profile: add --icc PROFILE.icc")
        if VARIANTS[options.variant]["needs_icc"] and options.icc_profile is None:
            raise ConfigError("PDF/X-4 needs an output profile: add --icc PROFILE.icc")


def _read_icc(options: PressOptions) -> tuple[bytes | None, str]:
    if options.icc_profile is None:
        return None, ""
    path = Path(options.icc_profile)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("ICC profile not found", where=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read ICC profile: {exc.strerror}", where=str(path)) from None
    try:
        load_icc_profile(data, where=str(path))
    except ImageError as exc:
        raise ConfigError(exc.message, where=str(path)) from None
    return data, hashlib.sha256(data).hexdigest()[:16]


def _icc_description(data: bytes) -> str:
    from printedition.images import icc_description

    return icc_description(data)


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


def _render(
    html: str,
    fetcher: PressFetcher,
    variant: str,
    proof: bool,
    spaces: list[PageSpace] | None = None,
) -> bytes:
    """Lay ``html`` out and write the PDF; ``spaces``, when given, receives each page's
    measurements (the house material is fitted to them)."""
    document = weasyprint.HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher)
    pdf_variant = None if proof else VARIANTS[variant]["weasyprint"]
    try:
        rendered = document.render(pdf_variant=pdf_variant, uncompressed_pdf=False)
        if spaces is not None:
            spaces.extend(_measure(rendered))
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


def _finish(
    pdf_bytes: bytes,
    house: _House | None,
    *,
    options: PressOptions,
    icc: bytes | None,
    stamp: str,
) -> tuple[bytes, int]:
    """pikepdf: lay the house panels over their pages, append the house pages, fix boxes, set
    the output intent, drop annotations."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        if house is not None:
            with pikepdf.open(io.BytesIO(house.pdf)) as extra:
                for page_index, house_index in house.overlays:
                    page = pdf.pages[page_index]
                    form = pdf.copy_foreign(extra.pages[house_index].as_form_xobject())
                    # Named here, not by pikepdf's add_overlay (a random name: bytes would vary).
                    name = pikepdf.Name(f"/HousePanel{house_index}")
                    page.add_resource(form, pikepdf.Name.XObject, name)
                    placement = page.calc_form_xobject_placement(
                        form, name, pikepdf.Rectangle(page.trimbox)
                    )
                    page.contents_add(b"q\n", prepend=True)
                    page.contents_add(b"Q\n" + placement)
                    page.contents_coalesce()
                if house.pages_pdf is house.pdf:
                    pdf.pages.extend([extra.pages[i] for i in house.pages])
            if house.pages_pdf is not house.pdf:
                with pikepdf.open(io.BytesIO(house.pages_pdf)) as spare:
                    pdf.pages.extend([spare.pages[i] for i in house.pages])
        bleed_pt = options.bleed_mm * MM_TO_PT
        for page in pdf.pages:
            if not options.proof and "/Annots" in page.obj:
                del page.obj["/Annots"]
            trim = [float(v) for v in page.obj.get("/TrimBox", page.obj.MediaBox)]
            media = [float(v) for v in page.obj.MediaBox]
            bleed_box = [
                max(media[0], trim[0] - bleed_pt),
                max(media[1], trim[1] - bleed_pt),
                min(media[2], trim[2] + bleed_pt),
                min(media[3], trim[3] + bleed_pt),
            ]
            page.obj["/BleedBox"] = pikepdf.Array([round(v, 4) for v in bleed_box])
        variant = VARIANTS[options.variant]
        if not options.proof and variant["version"]:
            intent = pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent,
                S=pikepdf.Name.GTS_PDFX,
            )
            if icc is not None:
                profile = pikepdf.Stream(pdf, icc)
                profile["/N"] = 4
                intent["/DestOutputProfile"] = pdf.make_indirect(profile)
                description = _icc_description(icc) or "Custom"
                intent["/OutputConditionIdentifier"] = pikepdf.String("Custom")
                intent["/OutputCondition"] = pikepdf.String(description)
                intent["/Info"] = pikepdf.String(description)
            else:
                intent["/OutputConditionIdentifier"] = pikepdf.String(
                    REGISTERED_CONDITION["identifier"]
                )
                intent["/RegistryName"] = pikepdf.String(REGISTERED_CONDITION["registry"])
                intent["/OutputCondition"] = pikepdf.String(REGISTERED_CONDITION["condition"])
                intent["/Info"] = pikepdf.String(REGISTERED_CONDITION["condition"])
            pdf.Root["/OutputIntents"] = pikepdf.Array([pdf.make_indirect(intent)])
            if options.variant == "x-4" and "/Metadata" in pdf.Root:
                # WeasyPrint writes a random DocumentID: make it a function of the content.
                xmp = bytes(pdf.Root.Metadata.read_bytes())
                start = xmp.find(b"xmp.did:")
                if start >= 0:
                    end = xmp.find(b"<", start)
                    xmp = xmp[:start] + f"xmp.did:{stamp}".encode() + xmp[end:]
                    pdf.Root.Metadata.write(xmp)
        # A stable file identifier: the same input gives the same bytes.
        ident = pikepdf.String(bytes.fromhex(stamp[:32]))
        pdf.trailer["/ID"] = pikepdf.Array([ident, ident])
        out = io.BytesIO()
        pdf.save(out, static_id=True, deterministic_id=False)
        pages = len(pdf.pages)
    return out.getvalue(), pages


@dataclass(frozen=True, slots=True, kw_only=True)
class _House:
    """The laid-out house document and what to take from it."""

    pdf: bytes
    pages_pdf: bytes  # the same document, or a plainer one when a house page ran over
    pages: tuple[int, ...]  # pages of ``pages_pdf`` appended to pad the edition, in order
    overlays: tuple[tuple[int, int], ...]  # (edition page, page of ``pdf`` laid over it)


def _contents(stories: Sequence[StoryLayout], spaces: Sequence[PageSpace]) -> list[ContentsEntry]:
    """Each story with the page it starts on (read from the laid-out edition)."""
    first: dict[str, int] = {}
    for number, space in enumerate(spaces, start=1):
        for anchor in space.anchors:
            first.setdefault(anchor, number)
    return [
        ContentsEntry(
            headline=s.article.headline,
            kicker=s.article.kicker,
            byline=byline_text(s.article),
            page=first[f"story-{s.article.slug}"],
        )
        for s in stories
        if f"story-{s.article.slug}" in first
    ]


def _house_material(
    stories: Sequence[StoryLayout],
    spaces: list[PageSpace],
    options: PressOptions,
    furniture: Furniture,
    geometry: Geometry,
    bleed: float,
    fetcher: PressFetcher,
) -> _House | None:
    """Stage 4, house material: fit panels into the space left at the foot of pages and make
    the pages that bring the edition to whole sheets; one more (light) layout for all of it."""
    count = len(spaces)
    pad = (-count) % options.pad_to_multiple
    panels = options.house_panels or default_panels(options.paper, _contents(stories, spaces))
    if options.house_panels:  # the issue build's panels, in turn
        page_panels = [panels[i % len(panels)] for i in range(pad)]
    else:
        page_panels = pad_panels(panels, pad)
    # The issue's front page keeps its own design; every other page's foot may be filled.
    first = 1 if options.front_page_html else 0
    height = min((s.height_mm for s in spaces), default=0.0)
    gaps = find_gaps([s.used_mm for s in spaces], height, first)
    # An edition with a contents page of its own does not repeat it at the foot of pages.
    gap_panels = [
        i
        for i, panel in enumerate(panels)
        if not (options.contents_html and 'class="house-panel house-contents"' in panel)
    ] or list(range(len(panels)))
    candidates = gap_candidates(gaps, panels, gap_panels)
    if not page_panels and not candidates:
        return None
    house_html = house_document(
        furniture=furniture,
        geometry=geometry,
        bleed_mm=bleed,
        first_page=count + 1,
        pages=page_panels,
        candidates=[(gap, panels[i]) for gap, i in candidates],
    )
    laid: list[PageSpace] = []
    house_pdf = _render(house_html, fetcher, options.variant, options.proof, laid)
    # Each candidate stands on a page of its own after the house pages; one that spilled
    # onto a second page (it cannot, with its fixed height, but the check is cheap) is unused.
    where: dict[str, int] = {}
    for i, space in enumerate(laid):
        for anchor in space.anchors:
            where.setdefault(anchor, i)
    starts = [where.get(f"house-gap-{n}") for n in range(len(candidates))]
    ends = [*starts[1:], len(laid)][: len(starts)]
    first_candidate = min((i for i in starts if i is not None), default=len(laid))
    fits = [
        (gap, panel, start)
        for (gap, panel), start, end in zip(candidates, starts, ends, strict=True)
        if start is not None and end == start + 1 and not laid[start].overflow
    ]
    # A panel that would stand lost in a tall space is the last resort, not the first.
    full = [(g, p, i) for g, p, i in fits if laid[i].filled >= SPARSE_PANEL]
    sparse_only = {g.key for g, _, _ in fits} - {g.key for g, _, _ in full}
    overlays = choose_panels(full + [(g, p, i) for g, p, i in fits if g.key in sparse_only])
    pages_pdf, pages = house_pdf, tuple(range(first_candidate))
    if first_candidate != len(page_panels):
        # A house page ran onto a second page (an issue's long panel, a small format): the
        # paper's own short adverts stand in, so the edition stays a whole number of sheets.
        plain = [subscription_panel(options.paper), appeal_panel(options.paper)]
        spare = [plain[(len(page_panels) - 1 - i) % 2] for i in range(len(page_panels))]
        laid_pages: list[PageSpace] = []
        pages_html = house_document(
            furniture=furniture,
            geometry=geometry,
            bleed_mm=bleed,
            first_page=count + 1,
            pages=spare,
            candidates=(),
        )
        pages_pdf = _render(pages_html, fetcher, options.variant, options.proof, laid_pages)
        pages = tuple(range(len(laid_pages)))
    return _House(pdf=house_pdf, pages_pdf=pages_pdf, pages=pages, overlays=tuple(overlays))


def write_pdf(
    articles: Sequence[tuple[Article, ResourcePolicy]],
    out: Path,
    options: PressOptions,
) -> PressResult:
    """Lay out ``articles`` as newspaper pages and write a print-ready PDF to ``out``."""
    if not articles:
        raise InputError("no articles to print")
    _check_options(options)
    icc, icc_digest = _read_icc(options)
    fmt = options.page_format
    geometry = Geometry.for_format(fmt, options.style)
    bleed = max(options.bleed_mm, 8.0) if options.proof else options.bleed_mm
    warnings: list[BuildWarning] = []
    images: dict[str, bytes] = dict(options.extra_images)
    cache: ImageCache = options.image_cache if options.image_cache is not None else {}

    # Stage 1, images: read and probe, plan the pages, then convert for where each stands.
    sources = [_read_images(a, p, options, warnings) for a, p in articles]
    own_pages = bool(options.front_page_html or options.contents_html)
    page_plans = plan_pages(
        [
            (a, {u: (s.width, s.height) for u, s in src.items()})
            for (a, _), src in zip(articles, sources, strict=True)
        ],
        geometry,
        first_page_used_mm=None if options.masthead else 0.0,
        share=not own_pages,
        section_starts=frozenset(s.start for s in options.sections),
    )
    _warm_cache(
        [
            (src[url], fplan, policy)
            for (_, policy), src, plan in zip(articles, sources, page_plans, strict=True)
            for url, fplan in plan.plans.items()
        ],
        colour="rgb" if options.proof else options.colour,
        icc=icc,
        icc_digest=icc_digest,
        cache=cache,
    )
    section_starts = {s.start for s in options.sections}
    stories = []
    for i, ((article, policy), src, plan) in enumerate(
        zip(articles, sources, page_plans, strict=True)
    ):
        plans = dict(plan.plans)
        hrefs = _prepare_images(
            article, src, plans, policy, options, icc, icc_digest, images, cache, warnings
        )
        stories.append(
            StoryLayout(
                article=article,
                plans=plans,
                hrefs=hrefs,
                follows=plan.follows and i not in section_starts,
            )
        )
    furniture = Furniture(
        paper=options.paper,
        month=options.month or default_month([a for a, _ in articles]),
        issue_line=options.issue_line,
        masthead=options.masthead,
        proof=options.proof,
        date=default_date([a for a, _ in articles]),
    )
    html = build_document(
        stories,
        geometry=geometry,
        furniture=furniture,
        bleed_mm=bleed,
        sections=options.sections,
        front_page_html=options.front_page_html,
        contents_html=options.contents_html,
    )
    fetcher = PressFetcher(images, options.style)
    with _captured_weasyprint_log() as log, _source_date(furniture.date):
        spaces: list[PageSpace] = []
        pdf_bytes = _render(html, fetcher, options.variant, options.proof, spaces)
        house = _house_material(stories, spaces, options, furniture, geometry, bleed, fetcher)
    if fetcher.missing:
        raise ConfigError(
            f"the style is missing {', '.join(sorted(set(fetcher.missing)))}",
            where=str(options.style.folder),
        )
    for url in sorted(set(fetcher.refused)):
        warnings.append(
            BuildWarning(code="resource-refused", message="refused to fetch", where=url)
        )
    seen_messages: set[str] = set()
    for record in log:
        message = record.getMessage()[:300]
        if "HarfBuzz-Subset" in message or message in seen_messages:
            continue  # the subsetter in use is an installation detail, not a layout problem
        seen_messages.add(message)
        warnings.append(BuildWarning(code="layout", message=message, where="weasyprint"))

    stamp = hashlib.sha256(pdf_bytes + (house.pdf + house.pages_pdf if house else b"")).hexdigest()
    final, pages = _finish(pdf_bytes, house, options=options, icc=icc, stamp=stamp)

    return _deliver(
        final, pages, house, out=out, options=options, warnings=warnings,
        html_bytes=len(html.encode("utf-8")),
    )


def _deliver(
    final: bytes,
    pages: int,
    house: _House | None,
    *,
    out: Path,
    options: PressOptions,
    warnings: list[BuildWarning],
    html_bytes: int,
) -> PressResult:
    """The last step of every press build (one pass or merged parts): preflight the press
    file, report fallback fonts, write it atomically."""
    report: PreflightReport | None = None
    if not options.proof:
        report = preflight_pdf(
            final,
            where=str(out),
            page_format=options.page_format,
            bleed_mm=options.bleed_mm,
            variant=options.variant,
        )
    warnings.extend(_fallback_fonts(final, options.style))
    with atomic_path(Path(out)) as tmp:
        try:
            tmp.write_bytes(final)
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror}", where=str(out)) from None
    return PressResult(
        pages=pages,
        warnings=tuple(warnings),
        preflight=report,
        html_bytes=html_bytes,
        padded_pages=len(house.pages) if house is not None else 0,
        house_panels=len(house.overlays) if house is not None else 0,
    )


def render_html_only(html: str, images: dict[str, bytes]) -> bytes:
    """WeasyPrint alone on an already generated document (the benchmark's baseline)."""
    return _render(html, PressFetcher(images), "x-1a", False)


def _fallback_fonts(pdf_bytes: bytes, style: PageStyle) -> list[BuildWarning]:
    """Fonts the machine lent for glyphs the style's faces lack: output would differ elsewhere."""
    # BaseFont names spell a family with hyphens ("Libre-Caslon-Text"): compare without them.
    bundled = tuple(family.replace(" ", "") for family in style.fonts.families)
    found: set[str] = set()
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            resources = page.obj.get("/Resources")
            fonts: Any = resources.get("/Font") if resources is not None else None
            for font in fonts.values() if fonts is not None else ():
                name = str(font.get("/BaseFont", "")).lstrip("/")
                name = name.split("+", 1)[-1]
                if name and not name.replace("-", "").startswith(bundled):
                    found.add(name)
    return [
        BuildWarning(
            code="font-fallback",
            message=f"some characters are set in {name}, a font of this machine, not one of the style's",
            where="fonts",
        )
        for name in sorted(found)
    ]


def _count_pages(pdf_bytes: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        return len(pdf.pages)


__all__ = [
    "VARIANTS",
    "PressFetcher",
    "PressOptions",
    "PressResult",
    "write_pdf",
]
