"""Preflight: a PDF → findings a printer's check would raise (pikepdf reads the file).

Goes in: PDF bytes or a path, and optionally what the file should be (page format, bleed,
PDF/X variant). Comes out: a ``PreflightReport``: page count, the boxes of every page, the
fonts and whether each is embedded, every placed image with its effective ppi and colour
space, any RGB (content streams, images, shadings, annotations, form XObjects), annotations,
transparency, and the PDF/X identification and output intent; ``findings`` carry stable
codes and a severity, and ``ok`` is false when any finding is an error.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from printedition.errors import InputError
from printedition.settings import (
    HIGH_PPI,
    MIN_PPI,
    PageFormat,
    Variant,
    variant_named,
    variant_of_file,
)

PT_TO_MM = 25.4 / 72
BOX_TOLERANCE_MM = 0.2

_RGB_SPACES = {"/DeviceRGB", "/CalRGB", "/Lab"}
_PDFX_RE = re.compile(rb"GTS_PDFXVersion[^>]*>\s*([^<]+)<|GTS_PDFXVersion=\"([^\"]+)\"")


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    code: str  # stable: rgb-colour, annotation, font-not-embedded, trimbox, bleedbox, ...
    severity: str  # "error" | "warning" | "info"
    message: str
    page: int | None = None  # 1-based


@dataclass(frozen=True, slots=True, kw_only=True)
class PageBoxes:
    page: int
    media_mm: tuple[float, float, float, float]
    trim_mm: tuple[float, float, float, float] | None
    bleed_mm: tuple[float, float, float, float] | None

    @property
    def trim_size_mm(self) -> tuple[float, float] | None:
        if self.trim_mm is None:
            return None
        x0, y0, x1, y1 = self.trim_mm
        return (round(x1 - x0, 2), round(y1 - y0, 2))


@dataclass(frozen=True, slots=True, kw_only=True)
class FontInfo:
    name: str
    subtype: str
    embedded: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageInfo:
    page: int
    name: str
    width_px: int
    height_px: int
    colour_space: str
    filter: str
    placed_width_mm: float
    placed_height_mm: float
    ppi: float
    bbox_mm: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # where it is drawn


@dataclass(frozen=True, slots=True, kw_only=True)
class PreflightReport:
    where: str
    pages: int
    boxes: tuple[PageBoxes, ...]
    fonts: tuple[FontInfo, ...]
    images: tuple[ImageInfo, ...]
    rgb: tuple[str, ...]  # where RGB was found
    annotations: int
    transparency: tuple[str, ...]
    pdfx_version: str  # from the Info dictionary or XMP, "" when absent
    output_intents: tuple[str, ...]  # OutputConditionIdentifier of each intent
    pdf_version: str
    findings: tuple[Finding, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    def summary_lines(self) -> list[str]:
        """What `printedition check` and `printedition pdf` print."""
        lines = [f"{self.where}: {self.pages} page(s), PDF {self.pdf_version}"]
        sizes = sorted({b.trim_size_mm for b in self.boxes if b.trim_size_mm})
        if sizes:
            trims = ", ".join(f"{w:g}×{h:g} mm" for w, h in sizes)
            lines.append(f"  TrimBox: {trims}")
        bleeds = sorted({v for b in self.boxes if (v := _bleed_of(b)) is not None})
        if bleeds:
            lines.append("  bleed: " + ", ".join(f"{b:g} mm" for b in bleeds))
        embedded = sum(1 for f in self.fonts if f.embedded)
        lines.append(f"  fonts: {len(self.fonts)}, embedded {embedded}")
        if self.images:
            spaces = sorted({i.colour_space for i in self.images})
            low = min(i.ppi for i in self.images)
            high = max(i.ppi for i in self.images)
            lines.append(
                f"  images: {len(self.images)} ({', '.join(spaces)}), "
                f"{low:.0f}–{high:.0f} ppi at placed size"
            )
        else:
            lines.append("  images: none")
        lines.append(f"  RGB: {'none' if not self.rgb else f'{len(self.rgb)} place(s)'}")
        lines.append(f"  annotations: {self.annotations}")
        intents = ", ".join(self.output_intents) or "none"
        lines.append(f"  PDF/X: {self.pdfx_version or 'not identified'}; output intent: {intents}")
        for f in self.findings:
            page = f" (page {f.page})" if f.page else ""
            lines.append(f"  {f.severity}: [{f.code}] {f.message}{page}")
        lines.append(
            "  preflight: " + ("passed" if self.ok else f"FAILED ({len(self.errors)} error(s))")
        )
        return lines


def _bleed_of(boxes: PageBoxes) -> float | None:
    if boxes.trim_mm is None or boxes.bleed_mm is None:
        return None
    t, b = boxes.trim_mm, boxes.bleed_mm
    return round(min(t[0] - b[0], t[1] - b[1], b[2] - t[2], b[3] - t[3]), 2)


def _box_mm(obj: Any) -> tuple[float, float, float, float] | None:
    if obj is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in obj)
    return (
        round(min(x0, x1) * PT_TO_MM, 2),
        round(min(y0, y1) * PT_TO_MM, 2),
        round(max(x0, x1) * PT_TO_MM, 2),
        round(max(y0, y1) * PT_TO_MM, 2),
    )


# ---------------------------------------------------------------------------------------------
# Colour spaces
# ---------------------------------------------------------------------------------------------


def _space_name(space: Any) -> str:
    """A readable name: /DeviceGray, /DeviceCMYK, /DeviceRGB, ICCBased(N=4), Indexed(...)."""
    if space is None:
        return "?"
    if isinstance(space, pikepdf.Name):
        return str(space)
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = str(space[0])
        if family == "/ICCBased":
            n = int(space[1].get("/N", 0))
            return f"ICCBased(N={n})"
        if family == "/Indexed":
            return f"Indexed({_space_name(space[1])})"
        if family in ("/Separation", "/DeviceN"):
            return f"{family[1:]}({_space_name(space[2])})"
        return family
    return str(space)


def _is_rgb(name: str) -> bool:
    return name in _RGB_SPACES or "N=3" in name or "/DeviceRGB" in name or "/CalRGB" in name


def _resolve_space(name: Any, resources: Any) -> Any:
    if isinstance(name, pikepdf.Name) and str(name) not in (
        "/DeviceGray",
        "/DeviceRGB",
        "/DeviceCMYK",
        "/Pattern",
    ):
        spaces = resources.get("/ColorSpace")
        if spaces is not None and name in spaces:
            return spaces[name]
    return name


# ---------------------------------------------------------------------------------------------
# Walking the content
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Scan:
    images: list[ImageInfo] = field(default_factory=list)
    rgb: list[str] = field(default_factory=list)
    transparency: list[str] = field(default_factory=list)
    fonts: dict[str, FontInfo] = field(default_factory=dict)
    seen_forms: set[tuple[int, int]] = field(default_factory=set)


def _mul(
    a: tuple[float, float, float, float, float, float],
    b: tuple[float, float, float, float, float, float],
) -> tuple[float, float, float, float, float, float]:
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    return (
        a0 * b0 + a1 * b2,
        a0 * b1 + a1 * b3,
        a2 * b0 + a3 * b2,
        a2 * b1 + a3 * b3,
        a4 * b0 + a5 * b2 + b4,
        a4 * b1 + a5 * b3 + b5,
    )


def _font_info(font: Any) -> FontInfo:
    subtype = str(font.get("/Subtype", "?"))
    name = str(font.get("/BaseFont", "?")).lstrip("/")
    if subtype == "/Type3":
        return FontInfo(name=name or "Type3", subtype=subtype, embedded=True)
    descriptor = None
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        if descendants is not None and len(descendants) > 0:
            descriptor = descendants[0].get("/FontDescriptor")
    else:
        descriptor = font.get("/FontDescriptor")
    embedded = descriptor is not None and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
    )
    return FontInfo(name=name, subtype=subtype, embedded=embedded)


def _check_gstates(resources: Any, where: str, scan: _Scan) -> None:
    states = resources.get("/ExtGState")
    if states is None:
        return
    for key, state in states.items():
        for alpha in ("/CA", "/ca"):
            if alpha in state and float(state[alpha]) < 1:
                scan.transparency.append(
                    f"{where}: ExtGState {key} {alpha}={float(state[alpha]):g}"
                )
        smask = state.get("/SMask")
        if smask is not None and not (isinstance(smask, pikepdf.Name) and str(smask) == "/None"):
            scan.transparency.append(f"{where}: ExtGState {key} soft mask")
        mode = state.get("/BM")
        if mode is not None and str(mode) not in ("/Normal", "/Compatible"):
            scan.transparency.append(f"{where}: blend mode {mode}")


def _scan_content(
    owner: Any,
    resources: Any,
    ctm0: tuple[float, float, float, float, float, float],
    page_no: int,
    where: str,
    scan: _Scan,
    depth: int = 0,
) -> None:
    if resources is None:
        resources = pikepdf.Dictionary()
    if depth > 12:
        return
    fonts = resources.get("/Font")
    if fonts is not None:
        for key, font in fonts.items():
            ident = f"{key}:{font.objgen}"
            if ident not in scan.fonts:
                scan.fonts[ident] = _font_info(font)
    _check_gstates(resources, where, scan)
    shadings = resources.get("/Shading")
    if shadings is not None:
        for key, shading in shadings.items():
            space = _space_name(_resolve_space(shading.get("/ColorSpace"), resources))
            if _is_rgb(space):
                scan.rgb.append(f"{where}: shading {key} in {space}")
    patterns = resources.get("/Pattern")
    if patterns is not None:
        for key, pattern in patterns.items():
            shading = pattern.get("/Shading")
            if shading is not None:
                space = _space_name(_resolve_space(shading.get("/ColorSpace"), resources))
                if _is_rgb(space):
                    scan.rgb.append(f"{where}: pattern {key} in {space}")
    try:
        instructions = pikepdf.parse_content_stream(owner)
    except pikepdf.PdfError:
        return
    ctm = ctm0
    stack: list[tuple[float, float, float, float, float, float]] = []
    reported_ops: set[str] = set()
    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            scan.rgb.append(f"{where}: inline image (not checked)")
            continue
        operands, op = list(instruction.operands), str(instruction.operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else ctm0
        elif op == "cm" and len(operands) == 6:
            m = tuple(float(v) for v in operands)
            ctm = _mul(m, ctm)  # type: ignore[arg-type]
        elif op in ("rg", "RG") and op not in reported_ops:
            reported_ops.add(op)
            scan.rgb.append(f"{where}: '{op}' sets a DeviceRGB colour")
        elif op in ("cs", "CS") and operands:
            space = _space_name(_resolve_space(operands[0], resources))
            if _is_rgb(space) and op not in reported_ops:
                reported_ops.add(op)
                scan.rgb.append(f"{where}: '{op}' selects {space}")
        elif op == "BI":
            scan.rgb.append(f"{where}: inline image (not checked)")
        elif op == "Do" and operands:
            xobjects = resources.get("/XObject")
            if xobjects is None or operands[0] not in xobjects:
                continue
            xobj = xobjects[operands[0]]
            subtype = str(xobj.get("/Subtype", ""))
            if subtype == "/Image":
                _record_image(xobj, str(operands[0]), ctm, page_no, where, resources, scan)
            elif subtype == "/Form":
                matrix = tuple(float(v) for v in xobj.get("/Matrix", [1, 0, 0, 1, 0, 0]))
                group = xobj.get("/Group")
                if group is not None:
                    gspace = group.get("/CS")
                    if gspace is not None and _is_rgb(_space_name(gspace)):
                        scan.rgb.append(f"{where}: transparency group in {_space_name(gspace)}")
                    if str(group.get("/S", "")) == "/Transparency":
                        scan.transparency.append(f"{where}: transparency group")
                _scan_content(
                    xobj,
                    xobj.get("/Resources", resources),
                    _mul(matrix, ctm),  # type: ignore[arg-type]
                    page_no,
                    where,
                    scan,
                    depth + 1,
                )


def _record_image(
    xobj: Any,
    name: str,
    ctm: tuple[float, float, float, float, float, float],
    page_no: int,
    where: str,
    resources: Any,
    scan: _Scan,
) -> None:
    width_px = int(xobj.get("/Width", 0))
    height_px = int(xobj.get("/Height", 0))
    if bool(xobj.get("/ImageMask", False)):
        space = "ImageMask"
    else:
        space = _space_name(xobj.get("/ColorSpace"))
    filters = xobj.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        filter_name = "+".join(str(f).lstrip("/") for f in filters)
    else:
        filter_name = str(filters).lstrip("/") if filters is not None else "none"
    a, b, c, d, e, f = ctm
    xs = [a * u + c * v + e for u, v in ((0, 0), (1, 0), (0, 1), (1, 1))]
    ys = [b * u + d * v + f for u, v in ((0, 0), (1, 0), (0, 1), (1, 1))]
    bbox = (
        round(min(xs) * PT_TO_MM, 2),
        round(min(ys) * PT_TO_MM, 2),
        round(max(xs) * PT_TO_MM, 2),
        round(max(ys) * PT_TO_MM, 2),
    )
    placed_w = math.hypot(a, b) * PT_TO_MM
    placed_h = math.hypot(c, d) * PT_TO_MM
    ppi = width_px / (placed_w / 25.4) if placed_w > 0 else 0.0
    info = ImageInfo(
        page=page_no,
        name=name.lstrip("/"),
        width_px=width_px,
        height_px=height_px,
        colour_space=space,
        filter=filter_name,
        placed_width_mm=round(placed_w, 2),
        placed_height_mm=round(placed_h, 2),
        ppi=round(ppi, 1),
        bbox_mm=bbox,
    )
    scan.images.append(info)
    if _is_rgb(space):
        scan.rgb.append(f"{where}: image {info.name} in {space}")
    smask = xobj.get("/SMask")
    if smask is not None:
        scan.transparency.append(f"{where}: image {info.name} has a soft mask")


def _iter_annotations(page: pikepdf.Page) -> Iterator[Any]:
    annots = page.obj.get("/Annots")
    if annots is None:
        return
    yield from annots


def _pdfx_version(pdf: pikepdf.Pdf) -> str:
    info = pdf.trailer.get("/Info")
    if info is not None and "/GTS_PDFXVersion" in info:
        return str(info["/GTS_PDFXVersion"])
    metadata = pdf.Root.get("/Metadata")
    if metadata is not None:
        try:
            xmp = bytes(metadata.read_bytes())
        except pikepdf.PdfError:
            return ""
        match = _PDFX_RE.search(xmp)
        if match:
            value = match.group(1) or match.group(2) or b""
            return value.decode("utf-8", "replace").strip()
    return ""


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def _scan_pdf(pdf: pikepdf.Pdf, where: str) -> tuple[list[PageBoxes], _Scan, int]:
    boxes: list[PageBoxes] = []
    scan = _Scan()
    annotations = 0
    for number, page in enumerate(pdf.pages, start=1):
        obj = page.obj
        boxes.append(
            PageBoxes(
                page=number,
                media_mm=_box_mm(obj.MediaBox) or (0, 0, 0, 0),
                trim_mm=_box_mm(obj.get("/TrimBox")),
                bleed_mm=_box_mm(obj.get("/BleedBox")),
            )
        )
        here = f"page {number}"
        group = obj.get("/Group")
        if group is not None:
            gspace = group.get("/CS")
            if gspace is not None and _is_rgb(_space_name(gspace)):
                scan.rgb.append(f"{here}: page group in {_space_name(gspace)}")
            if str(group.get("/S", "")) == "/Transparency":
                scan.transparency.append(f"{here}: page transparency group")
        resources = obj.get("/Resources")
        _scan_content(obj, resources, (1, 0, 0, 1, 0, 0), number, here, scan)
        for annot in _iter_annotations(page):
            annotations += 1
            colour = annot.get("/C")
            if colour is not None and len(colour) == 3:
                scan.rgb.append(f"{here}: annotation colour is RGB")
            appearance = annot.get("/AP")
            if appearance is not None and "/N" in appearance:
                normal = appearance["/N"]
                if isinstance(normal, pikepdf.Stream):
                    _scan_content(
                        normal,
                        normal.get("/Resources"),
                        (1, 0, 0, 1, 0, 0),
                        number,
                        f"{here} annotation",
                        scan,
                    )
    return boxes, scan, annotations


def preflight_pdf(
    data: bytes,
    *,
    where: str = "",
    page_format: PageFormat | None = None,
    bleed_mm: float | None = None,
    variant: str | None = None,
) -> PreflightReport:
    """Check PDF bytes. ``variant`` names a ``settings.VARIANTS`` entry; None: what the file
    says it is."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        raise InputError(f"not a readable PDF ({exc})", where=where) from None
    with pdf:
        boxes, scan, annotations = _scan_pdf(pdf, where)
        pdfx = _pdfx_version(pdf)
        intents: list[str] = []
        intent_objs = list(pdf.Root.get("/OutputIntents", pikepdf.Array()))
        for intent in intent_objs:
            intents.append(str(intent.get("/OutputConditionIdentifier", "?")))
        info = pdf.trailer.get("/Info")
        trapped = str(info.get("/Trapped", "")) if info is not None else ""
        title = str(info.get("/Title", "")) if info is not None else ""
        pdf_version = str(pdf.pdf_version)
        has_profile = [("/DestOutputProfile" in i) for i in intent_objs]
        registry = [str(i.get("/RegistryName", "")) for i in intent_objs]
        pages = len(pdf.pages)

    spec: Variant = variant_of_file(pdfx) if variant is None else variant_named(variant)
    press = spec.is_pdfx
    findings: list[Finding] = []

    def add(code: str, severity: str, message: str, page: int | None = None) -> None:
        findings.append(Finding(code=code, severity=severity, message=message, page=page))

    for b in boxes:
        if b.trim_mm is None:
            add("trimbox-missing", "error" if press else "warning", "no TrimBox", b.page)
            continue
        if page_format is not None:
            w, h = b.trim_size_mm or (0.0, 0.0)
            if (
                abs(w - page_format.width_mm) > BOX_TOLERANCE_MM
                or abs(h - page_format.height_mm) > BOX_TOLERANCE_MM
            ):
                add(
                    "trimbox-size",
                    "error",
                    f"TrimBox is {w:g}×{h:g} mm, expected {page_format.width_mm:g}×{page_format.height_mm:g} mm",
                    b.page,
                )
        bleed = _bleed_of(b)
        if bleed_mm is not None and bleed_mm > 0:
            if bleed is None:
                add("bleedbox-missing", "error", "no BleedBox", b.page)
            elif abs(bleed - bleed_mm) > BOX_TOLERANCE_MM:
                add("bleedbox", "error", f"bleed is {bleed:g} mm, expected {bleed_mm:g} mm", b.page)
        if b.bleed_mm is not None:
            m, bb = b.media_mm, b.bleed_mm
            if (
                bb[0] < m[0] - 0.01
                or bb[1] < m[1] - 0.01
                or bb[2] > m[2] + 0.01
                or bb[3] > m[3] + 0.01
            ):
                add("bleedbox-outside-media", "error", "BleedBox extends past the MediaBox", b.page)
    if pages > 0 and pages % 4 != 0:
        add("page-count", "warning", f"{pages} pages is not a multiple of 4")
    for font in scan.fonts.values():
        if not font.embedded:
            add("font-not-embedded", "error", f"font {font.name} is not embedded")
    for image in scan.images:
        if image.ppi and image.ppi < MIN_PPI:
            add(
                "image-low-ppi",
                "warning",
                f"image {image.name} stands at {image.ppi:.0f} ppi (below {MIN_PPI})",
                image.page,
            )
        elif image.ppi > HIGH_PPI:
            add(
                "image-high-ppi",
                "info",
                f"image {image.name} stands at {image.ppi:.0f} ppi",
                image.page,
            )
    if scan.rgb:
        severity = "error" if press else "info"
        for place in scan.rgb[:20]:
            add("rgb", severity, f"RGB colour: {place}")
        if len(scan.rgb) > 20:
            add("rgb", severity, f"… and {len(scan.rgb) - 20} more places with RGB")
    if annotations:
        add("annotations", "error" if press else "info", f"{annotations} annotation(s) (links)")
    if press and not spec.transparency and scan.transparency:
        for place in scan.transparency[:10]:
            add("transparency", "error", f"transparency is not allowed in {spec.family}: {place}")
    if press:
        expected = spec.family
        if not pdfx.startswith(expected):
            add(
                "pdfx-version",
                "error",
                f"file is not identified as {expected} (found {pdfx or 'nothing'})",
            )
        if not intents:
            add("output-intent", "error", "no PDF/X output intent")
        else:
            for has, reg, ident in zip(has_profile, registry, intents, strict=True):
                if spec.needs_icc and not has:
                    add(
                        "output-intent",
                        "error",
                        f"{spec.family} output intent has no embedded profile",
                    )
                elif not has and not reg:
                    add(
                        "output-intent",
                        "error",
                        f"output intent {ident} names no registry and embeds no profile",
                    )
        if trapped not in ("/True", "/False"):
            add("trapped", "error", "the Info dictionary has no /Trapped key")
        if not title:
            add("title", "error", "the Info dictionary has no /Title")
        if spec.max_pdf_version and pdf_version > spec.max_pdf_version:
            add(
                "pdf-version",
                "error",
                f"{spec.version} needs PDF {spec.max_pdf_version} or earlier, file is {pdf_version}",
            )
    return PreflightReport(
        where=where,
        pages=pages,
        boxes=tuple(boxes),
        fonts=tuple(scan.fonts.values()),
        images=tuple(scan.images),
        rgb=tuple(scan.rgb),
        annotations=annotations,
        transparency=tuple(scan.transparency),
        pdfx_version=pdfx,
        output_intents=tuple(intents),
        pdf_version=pdf_version,
        findings=tuple(findings),
    )


def preflight_file(
    path: Path,
    *,
    page_format: PageFormat | None = None,
    bleed_mm: float | None = None,
    variant: str | None = None,
) -> PreflightReport:
    """``printedition check FILE.pdf``: read the file and check it."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", where=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None
    return preflight_pdf(
        data, where=str(path), page_format=page_format, bleed_mm=bleed_mm, variant=variant
    )


__all__ = [
    "Finding",
    "FontInfo",
    "ImageInfo",
    "PageBoxes",
    "PreflightReport",
    "preflight_file",
    "preflight_pdf",
]
