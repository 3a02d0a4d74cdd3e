"""Finish: the joined pages and the house material → the press file and its proof, delivered.

Goes in: the joined edition (PDF bytes), the options and, for a proof, the photos in colour
keyed by the press file's image streams. The steps: for the **press** fix the
BleedBox (WeasyPrint caps it at 3.53 mm), set the PDF/X output intent, drop annotations and
stamp a content-derived ID; for the **proof**, from the very same pages, put the colour photos
in place of the press's, keep the links, draw crop marks and a PROOF slug outside the trim, and
drop the PDF/X claims. ``deliver`` preflights the press file and writes each file atomically.

Comes out: the files at their paths and a ``PressResult``.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf

from printedition.errors import OutputError
from printedition.images import ProcessedImage
from printedition.model import BuildWarning
from printedition.outputs import atomic_path
from printedition.press.options import (
    MM_TO_PT,
    REGISTERED_CONDITION,
    PressOptions,
    profile_description,
)
from printedition.press.pictures import stream_digest
from printedition.press.preflight import PreflightReport, preflight_pdf
from printedition.settings import variant_named
from printedition.style import PageStyle

PROOF_MARGIN_MM = 12.0  # room outside the bleed for crop marks and the slug
MARK_MM = 6.0  # length of a crop mark
MARK_OFFSET_MM = 3.0  # crop marks stand this far off the trim, outside the bleed


@dataclass(frozen=True, slots=True, kw_only=True)
class Finished:
    """The finished files' bytes (``proof`` empty when none was asked for)."""

    press: bytes
    proof: bytes
    pages: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ProofMarks:
    """What a proof adds: its photos in colour and the words of its slug."""

    colours: Mapping[str, ProcessedImage]  # press image stream digest → the colour image
    slug: str  # e.g. "The Byline · June 2024"


def _bleed_boxes(pdf: pikepdf.Pdf, bleed_mm: float) -> None:
    bleed_pt = bleed_mm * MM_TO_PT
    for page in pdf.pages:
        trim = [float(v) for v in page.obj.get("/TrimBox", page.obj.MediaBox)]
        media = [float(v) for v in page.obj.MediaBox]
        bleed_box = [
            max(media[0], trim[0] - bleed_pt),
            max(media[1], trim[1] - bleed_pt),
            min(media[2], trim[2] + bleed_pt),
            min(media[3], trim[3] + bleed_pt),
        ]
        page.obj["/BleedBox"] = pikepdf.Array([round(v, 4) for v in bleed_box])


def _output_intent(pdf: pikepdf.Pdf, icc: bytes | None) -> pikepdf.Dictionary:
    intent = pikepdf.Dictionary(Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX)
    if icc is not None:
        profile = pikepdf.Stream(pdf, icc)
        profile["/N"] = 4
        intent["/DestOutputProfile"] = pdf.make_indirect(profile)
        description = profile_description(icc) or "Custom"
        intent["/OutputConditionIdentifier"] = pikepdf.String("Custom")
        intent["/OutputCondition"] = pikepdf.String(description)
        intent["/Info"] = pikepdf.String(description)
    else:
        intent["/OutputConditionIdentifier"] = pikepdf.String(REGISTERED_CONDITION["identifier"])
        intent["/RegistryName"] = pikepdf.String(REGISTERED_CONDITION["registry"])
        intent["/OutputCondition"] = pikepdf.String(REGISTERED_CONDITION["condition"])
        intent["/Info"] = pikepdf.String(REGISTERED_CONDITION["condition"])
    return intent


def _save(pdf: pikepdf.Pdf, stamp: str) -> bytes:
    # A stable file identifier: the same input gives the same bytes.
    ident = pikepdf.String(bytes.fromhex(stamp[:32]))
    pdf.trailer["/ID"] = pikepdf.Array([ident, ident])
    out = io.BytesIO()
    pdf.save(out, static_id=True, deterministic_id=False)
    return out.getvalue()


def _press(pdf: pikepdf.Pdf, options: PressOptions, icc: bytes | None, stamp: str) -> bytes:
    for page in pdf.pages:
        if "/Annots" in page.obj:
            del page.obj["/Annots"]
    variant = variant_named(options.variant)
    if variant.is_pdfx:
        pdf.Root["/OutputIntents"] = pikepdf.Array([pdf.make_indirect(_output_intent(pdf, icc))])
        if variant.name == "x-4" and "/Metadata" in pdf.Root:
            # WeasyPrint writes a random DocumentID: make it a function of the content.
            xmp = bytes(pdf.Root.Metadata.read_bytes())
            start = xmp.find(b"xmp.did:")
            if start >= 0:
                end = xmp.find(b"<", start)
                xmp = xmp[:start] + f"xmp.did:{stamp}".encode() + xmp[end:]
                pdf.Root.Metadata.write(xmp)
    return _save(pdf, stamp)


def _colour_photos(pdf: pikepdf.Pdf, colours: Mapping[str, ProcessedImage]) -> None:
    """Each press photo's stream replaced by the same photo in colour (same pixels, so the
    page's placement of it holds)."""
    # Every image in the file: on the pages and inside the legs' forms alike.
    for xobject in list(pdf.objects):
        if not isinstance(xobject, pikepdf.Stream) or xobject.get("/Subtype") != "/Image":
            continue
        colour = colours.get(stream_digest(xobject.read_raw_bytes()))
        if colour is None or colour.width != int(xobject.Width):
            continue
        _replace_image(xobject, colour)


def _replace_image(xobject: Any, image: ProcessedImage) -> None:
    import PIL.Image

    with PIL.Image.open(io.BytesIO(image.data)) as probe:
        mode = probe.mode
    components = {"L": 1, "RGB": 3, "CMYK": 4}.get(mode)
    if components is None:
        return
    space = {1: "/DeviceGray", 3: "/DeviceRGB", 4: "/DeviceCMYK"}[components]
    if image.media_type == "image/jpeg":
        xobject.write(image.data, filter=pikepdf.Name.DCTDecode)
        if "/DecodeParms" in xobject:
            del xobject["/DecodeParms"]
    else:
        chunks, at, data = [], 8, image.data
        while at + 8 <= len(data):
            length = int.from_bytes(data[at : at + 4], "big")
            if data[at + 4 : at + 8] == b"IDAT":
                chunks.append(data[at + 8 : at + 8 + length])
            at += 12 + length
        parms = pikepdf.Dictionary(
            Predictor=15, Columns=image.width, Colors=components, BitsPerComponent=8
        )
        xobject.write(b"".join(chunks), filter=pikepdf.Name.FlateDecode, decode_parms=parms)
    xobject["/ColorSpace"] = pikepdf.Name(space)
    if "/Decode" in xobject:
        del xobject["/Decode"]


def _pdf_text(value: str) -> bytes:
    """A literal string for a base-14 font (WinAnsi): escaped, unknown characters dropped."""
    raw = value.encode("cp1252", "ignore")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _proof(pdf: pikepdf.Pdf, marks: ProofMarks, options: PressOptions, stamp: str) -> bytes:
    _colour_photos(pdf, marks.colours)
    margin = (max(options.bleed_mm, 0.0) + PROOF_MARGIN_MM) * MM_TO_PT
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    for number, page in enumerate(pdf.pages, start=1):
        x0, y0, x1, y1 = (float(v) for v in page.obj.get("/TrimBox", page.obj.MediaBox))
        box = pikepdf.Array([round(v, 4) for v in (x0 - margin, y0 - margin, x1 + margin, y1 + margin)])
        page.obj["/MediaBox"] = box
        if "/CropBox" in page.obj:
            page.obj["/CropBox"] = box
        off = (max(options.bleed_mm, 0.0) + MARK_OFFSET_MM) * MM_TO_PT
        length = MARK_MM * MM_TO_PT
        lines = []
        for x, y, sx, sy in ((x0, y0, -1, -1), (x1, y0, 1, -1), (x0, y1, -1, 1), (x1, y1, 1, 1)):
            lines.append(f"{x + sx * off:.2f} {y:.2f} m {x + sx * (off + length):.2f} {y:.2f} l S")
            lines.append(f"{x:.2f} {y + sy * off:.2f} m {x:.2f} {y + sy * (off + length):.2f} l S")
        slug = _pdf_text(f"PROOF - not for press - {marks.slug} - page {number}")
        page.add_resource(font, pikepdf.Name.Font, pikepdf.Name("/ProofSlug"))
        content = (
            "q 0 0 0 RG 0.25 w " + " ".join(lines) + " Q\n"
            f"q 0 0 0 rg BT /ProofSlug 7 Tf {x0:.2f} {y0 - off - length:.2f} Td ("
        ).encode() + slug + b") Tj ET Q\n"
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(b"Q\n" + content)
        page.contents_coalesce()
    # A proof is for screens and office printers: it claims no PDF/X conformance.
    for key in ("/OutputIntents", "/Metadata"):
        if key in pdf.Root:
            del pdf.Root[key]
    for key in ("/GTS_PDFXVersion", "/GTS_PDFXConformance"):
        if key in pdf.docinfo:
            del pdf.docinfo[key]
    return _save(pdf, stamp)


def finish(
    joined: bytes,
    *,
    options: PressOptions,
    icc: bytes | None,
    proof: ProofMarks | None,
    press: bool = True,
) -> Finished:
    """The press file and, when asked, its proof, from the same joined pages."""
    stamp = hashlib.sha256(joined).hexdigest()
    with pikepdf.open(io.BytesIO(joined)) as pdf:
        _bleed_boxes(pdf, options.bleed_mm)
        pages = len(pdf.pages)
        laid = io.BytesIO()
        pdf.save(laid, static_id=True, deterministic_id=False)
    press_bytes = proof_bytes = b""
    if press:
        with pikepdf.open(io.BytesIO(laid.getvalue())) as pdf:
            press_bytes = _press(pdf, options, icc, stamp)
    if proof is not None:
        with pikepdf.open(io.BytesIO(laid.getvalue())) as pdf:
            proof_bytes = _proof(pdf, proof, options, stamp)
    return Finished(press=press_bytes, proof=proof_bytes, pages=pages)


def fallback_fonts(pdf_bytes: bytes, style: PageStyle) -> list[BuildWarning]:
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


def write_file(path: Path, data: bytes) -> None:
    """Temp file, then rename: a failed write leaves nothing half-written at ``path``."""
    with atomic_path(Path(path)) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror}", where=str(path)) from None


def preflight_press(data: bytes, out: Path, options: PressOptions) -> PreflightReport:
    return preflight_pdf(
        data,
        where=str(out),
        page_format=options.page_format,
        bleed_mm=options.bleed_mm,
        variant=options.variant,
    )


__all__ = [
    "Finished",
    "ProofMarks",
    "fallback_fonts",
    "finish",
    "preflight_press",
    "write_file",
]
