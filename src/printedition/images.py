"""Images: decode untrusted image bytes safely and prepare them for a writer (Pillow lives here).

Goes in: bytes read through ``resources.read_resource``. Comes out: upright, metadata-free
``ProcessedImage`` values — sRGB JPEG/PNG for screens (EPUB), grey or CMYK for the press.
Decoding refuses decompression bombs, truncated or corrupt files and anything that is not an
image, with an ``ImageError`` naming the source.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from printedition.errors import ImageError
from printedition.settings import Limits

# Formats we decode. SVG, PDF, PSD and the like are refused: they can reference other files
# or run code in other readers, and no reader of ours needs them.
# TIFF is left out too: no browser shows it on a web page, and libtiff is the largest decoder
# surface Pillow has (the fuzzer reached its C error paths within minutes).
_DECODE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP")  # MPO (camera JPEG) opens as JPEG

_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessedImage:
    data: bytes
    media_type: str  # "image/jpeg" or "image/png"
    width: int
    height: int

    @property
    def extension(self) -> str:
        return ".png" if self.media_type == "image/png" else ".jpg"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


# Modes every later step understands; anything else is converted right after decoding.
_PLAIN_MODES = ("1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK")
_MODE_FIXES = {
    "La": "LA",
    "RGBa": "RGBA",
    "RGBX": "RGB",
    "YCbCr": "RGB",
    "LAB": "RGB",
    "HSV": "RGB",
}


@contextlib.contextmanager
def _decoding(where: str) -> Iterator[None]:
    """Turn whatever Pillow raises on hostile bytes into one ``ImageError`` naming the source.

    Pillow's decoders raise many exception types on malformed input (OSError, ValueError,
    SyntaxError, struct.error, ZeroDivisionError, IndexError...), none of which is a bug of
    ours, so everything but our own errors and interrupts is caught here, and only here.
    Pillow's own warnings (corrupt EXIF, odd palettes) are silenced; bomb warnings are errors.
    """
    # WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES = True when it is imported, which would
    # let a truncated photo through as half grey. Set it back and leave it so (not restored:
    # with press threads a save/restore pair could race; WeasyPrint only ever decodes the
    # complete images we made).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except ImageError:
            raise
        except UnidentifiedImageError:
            raise ImageError(
                "not an image, or an image format we do not read", where=where
            ) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(
                "image is too large to decode safely (a decompression bomb?)", where=where
            ) from None
        except MemoryError:
            raise ImageError("image is too large to decode", where=where) from None
        except RecursionError:
            raise ImageError("image is corrupt (nested too deeply)", where=where) from None
        except Exception as exc:
            detail = str(exc)[:120] or type(exc).__name__
            raise ImageError(f"image is corrupt or truncated ({detail})", where=where) from None


def _precheck(data: bytes, where: str, limits: Limits) -> None:
    if not data:
        raise ImageError("image is empty", where=where)
    if len(data) > limits.max_image_bytes:
        raise ImageError(f"image is larger than {limits.max_image_bytes} bytes", where=where)
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml", b"<!doctype", b"<html")) or b"<svg" in head:
        raise ImageError("SVG or HTML is not an image we read", where=where)


def _check_pixels(width: int, height: int, where: str, limits: Limits) -> None:
    if width <= 0 or height <= 0:
        raise ImageError("image has no pixels", where=where)
    if width * height > limits.max_image_pixels:
        raise ImageError(
            f"image is {width}×{height} pixels, over the limit of "
            f"{limits.max_image_pixels:,} (Limits.max_image_pixels; a decompression bomb?)",
            where=where,
        )


def open_image(
    data: bytes, *, where: str, limits: Limits | None = None, max_edge: int | None = None
) -> Image.Image:
    """Decode image bytes: checked size, fully loaded, EXIF orientation applied.

    The returned image carries no EXIF, XMP or other metadata: ``info`` holds only
    ``source_format`` and any ICC profile (kept so colour conversion can use it). Its mode is
    one of ``_PLAIN_MODES`` (16-bit and float images are scaled to 8-bit grey). With
    ``max_edge``, JPEGs are decoded at a reduced scale when the caller will shrink them anyway.
    """
    limits = limits or Limits()
    _precheck(data, where, limits)
    with _decoding(where):
        img: Image.Image = Image.open(io.BytesIO(data), formats=_DECODE_FORMATS)
        _check_pixels(img.width, img.height, where, limits)
        source_format = img.format
        img.seek(0)
        if max_edge and source_format in ("JPEG", "MPO"):
            img.draft(img.mode, (max_edge, max_edge))
        img.load()
        icc = img.info.get("icc_profile")
        # Apply the camera's orientation so the photo comes out upright, then drop EXIF.
        # in_place: no second full-size copy when the photo is already upright.
        ImageOps.exif_transpose(img, in_place=True)
        img = _to_8bit(img)
        if "transparency" in img.info and img.mode in ("P", "L", "RGB"):
            # A palette or colour-key transparency lives in ``info``, which is cleared below:
            # make it a real alpha channel while we still know it.
            img = img.convert("LA" if img.mode == "L" else "RGBA")
        if img.mode not in _PLAIN_MODES:
            img = img.convert(_MODE_FIXES.get(img.mode, "RGB"))
    img.info = {"source_format": source_format}
    if icc and isinstance(icc, bytes):
        img.info["icc_profile"] = icc
    return img


def _has_alpha(img: Image.Image) -> bool:
    if img.mode in ("RGBA", "LA", "PA"):
        low = img.getchannel("A").getextrema()[0]
        return isinstance(low, int | float) and low < 255
    return img.mode == "P" and "transparency" in img.info


def _to_8bit(img: Image.Image) -> Image.Image:
    """16- and 32-bit single-channel images scaled to 8-bit grey (not clipped)."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        img = img.convert("I")
    if img.mode == "I":
        high = img.getextrema()[1]
        peak = int(high) if isinstance(high, int | float) else 255
        scale = 255.0 / max(255, peak)
        return img.point(lambda v: v * scale).convert("L")
    if img.mode == "F":
        return img.convert("L")
    return img


def to_srgb(img: Image.Image) -> Image.Image:
    """Convert any decoded image to sRGB ``RGB``/``RGBA`` (or ``L`` for grey images)."""
    icc = img.info.get("icc_profile")
    img = _to_8bit(img)
    if img.mode == "1":
        img = img.convert("L")
    if img.mode in ("P", "PA"):
        img = img.convert("RGBA" if _has_alpha(img) else "RGB")
    if img.mode == "LA":
        img = img.convert("RGBA")
    if icc and img.mode in ("RGB", "CMYK"):
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            img = (
                ImageCms.profileToProfile(
                    img, src, _SRGB, outputMode="RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL
                )
                or img
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken embedded profile: fall back to the plain conversion below
    if img.mode not in ("RGB", "RGBA", "L"):
        img = img.convert("RGB")
    img.info = {}
    return img


def flatten(img: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Composite transparency onto paper white."""
    if img.mode == "RGBA" or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        base = Image.new("RGB", rgba.size, background)
        base.paste(rgba, mask=rgba.getchannel("A"))
        return base
    if img.mode == "LA":
        return flatten(img.convert("RGBA"), background)
    return img


def is_graphic(img: Image.Image, source_format: str | None) -> bool:
    """Charts, logos and line art (lossless sources with alpha or few colours) stay PNG."""
    if source_format not in ("PNG", "GIF", "BMP", "WEBP"):
        return False
    if _has_alpha(img):
        return True
    # Sample down first (nearest: no blended colours), so a big photo is never copied whole.
    scale = max(1, max(img.size) // 128)
    small = img.resize(
        (max(1, img.width // scale), max(1, img.height // scale)), Image.Resampling.NEAREST
    )
    colours = small.convert("RGB").getcolors(maxcolors=256)
    return colours is not None


def resize_to_fit(img: Image.Image, max_edge: int) -> Image.Image:
    if max(img.size) <= max_edge:
        return img
    scale = max_edge / max(img.size)
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def encode_jpeg(img: Image.Image, *, quality: int = 85) -> bytes:
    out = io.BytesIO()
    # No exif=, no icc_profile=: nothing about the camera or place survives.
    img.save(out, "JPEG", quality=quality, optimize=True, progressive=False, subsampling="4:2:0")
    return out.getvalue()


def encode_png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()


def prepare_for_screen(
    data: bytes, *, where: str, max_edge: int = 1600, limits: Limits | None = None
) -> ProcessedImage:
    """Bytes of any supported image → an upright, metadata-free sRGB JPEG (photos) or PNG
    (graphics), at most ``max_edge`` pixels on its long edge. Never WebP, AVIF or CMYK."""
    img = open_image(data, where=where, limits=limits, max_edge=max_edge)
    with _decoding(where):
        source_format = img.info.get("source_format")
        graphic = is_graphic(img, source_format)
        img = resize_to_fit(to_srgb(img), max_edge)
        if graphic:
            encoded, media_type = encode_png(img), "image/png"
        else:
            encoded, media_type = encode_jpeg(flatten(img)), "image/jpeg"
    return ProcessedImage(data=encoded, media_type=media_type, width=img.width, height=img.height)


def image_size(data: bytes, *, where: str, limits: Limits | None = None) -> tuple[int, int]:
    """Pixel size after orientation, without keeping the decoded image."""
    img = open_image(data, where=where, limits=limits)
    return img.size


# ---------------------------------------------------------------------------------------------
# The press: grey or CMYK, resampled to the placed size
# ---------------------------------------------------------------------------------------------

PressColour = str  # "grey" | "cmyk"


def probe_image(data: bytes, *, where: str, limits: Limits | None = None) -> tuple[int, int]:
    """Pixel size as the photo will stand (EXIF rotation applied), read from the header only.

    Checks the same bounds as ``open_image`` so layout can plan before the full decode.
    """
    limits = limits or Limits()
    _precheck(data, where, limits)
    with _decoding(where):
        img = Image.open(io.BytesIO(data), formats=_DECODE_FORMATS)
        width, height = img.size
        try:
            orientation = int(img.getexif().get(0x0112, 1))
        except Exception:  # a broken EXIF block only loses the orientation hint
            orientation = 1
    _check_pixels(width, height, where, limits)
    if orientation in (5, 6, 7, 8):  # rotated a quarter turn: width and height swap
        width, height = height, width
    return width, height


def load_icc_profile(data: bytes, *, where: str) -> ImageCms.ImageCmsProfile:
    """A printer's output profile; it must be a CMYK output profile."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data))
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        raise ImageError("not a readable ICC profile", where=where) from None
    space = profile.profile.xcolor_space.strip()
    if space != "CMYK":
        raise ImageError(
            f"the ICC profile is for {space or 'an unknown'} colour, not CMYK", where=where
        )
    return profile


def prepare_for_press(
    data: bytes,
    *,
    where: str,
    colour: PressColour = "grey",
    icc: bytes | None = None,
    placed_width_mm: float,
    max_ppi: int = 300,
    limits: Limits | None = None,
    crop_ratio: float | None = None,
) -> ProcessedImage:
    """Bytes of any supported image → a press-ready JPEG (photos) or PNG (graphics).

    ``crop_ratio`` (height / width of the box it stands in): cropped to that shape about
    its centre first, so it fills its box exactly (the sides or the top and foot go).

    Upright, metadata-free, alpha flattened onto paper white, resampled so it stands at no
    more than ``max_ppi`` at ``placed_width_mm``, and converted before layout: ``grey`` gives
    8-bit grey (``L``); ``cmyk`` separates through the printer's ICC profile (``icc``,
    required) with ``PIL.ImageCms``; ``rgb`` keeps sRGB (proofs for screens only).
    """
    (processed,) = prepare_for_press_in(
        data,
        (colour,),
        where=where,
        icc=icc,
        placed_width_mm=placed_width_mm,
        max_ppi=max_ppi,
        limits=limits,
        crop_ratio=crop_ratio,
    )
    return processed


def prepare_for_press_in(
    data: bytes,
    colours: Sequence[PressColour],
    *,
    where: str,
    icc: bytes | None = None,
    placed_width_mm: float,
    max_ppi: int = 300,
    limits: Limits | None = None,
    crop_ratio: float | None = None,
) -> tuple[ProcessedImage, ...]:
    """``prepare_for_press`` in each of ``colours`` (the press's and a proof's), the photo
    decoded, cropped and resampled once for all of them: each comes out byte for byte as
    ``prepare_for_press`` makes it (only the last step, the colour conversion, differs)."""
    for colour in colours:
        if colour not in ("grey", "cmyk", "rgb"):
            raise ValueError(f"unknown press colour {colour!r}")
    img = open_image(data, where=where, limits=limits)
    with _decoding(where):
        graphic = is_graphic(img, img.info.get("source_format"))
        img = flatten(to_srgb(img))
        if crop_ratio is not None and crop_ratio > 0:
            if img.height / img.width > crop_ratio:
                keep = max(1, round(img.width * crop_ratio))
                top = (img.height - keep) // 2
                img = img.crop((0, top, img.width, top + keep))
            else:
                keep = max(1, round(img.height / crop_ratio))
                left = (img.width - keep) // 2
                img = img.crop((left, 0, left + keep, img.height))
        max_px = max(1, round(placed_width_mm / 25.4 * max_ppi))
        if img.width > max_px:
            height = max(1, round(img.height * max_px / img.width))
            img = img.resize((max_px, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return tuple(_in_colour(img, colour, graphic, icc, where) for colour in colours)


def _in_colour(
    img: Image.Image, colour: PressColour, graphic: bool, icc: bytes | None, where: str
) -> ProcessedImage:
    """The resampled photo converted to ``colour`` and encoded."""
    if colour == "grey":
        img = img.convert("L")
    elif colour == "cmyk":
        if icc is None:
            raise ImageError("a CMYK photo needs the printer's ICC profile", where=where)
        profile = load_icc_profile(icc, where=where)
        rgb = img.convert("RGB")
        try:
            converted = ImageCms.profileToProfile(
                rgb,
                _SRGB,
                profile,
                outputMode="CMYK",
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
            )
        except ImageCms.PyCMSError as exc:
            raise ImageError(f"cannot separate the photo to CMYK ({exc})", where=where) from None
        img = converted or rgb.convert("CMYK")
    elif img.mode == "L":
        img = img.copy()
    else:
        img = img.convert("RGB")
    img.info = {}
    if graphic and img.mode != "CMYK":
        encoded, media_type = encode_png(img), "image/png"
    elif graphic:
        # PNG has no CMYK: a chart separated for the press goes as a JPEG with no chroma
        # subsampling and little loss, so its lines and type stay sharp.
        out = io.BytesIO()
        img.save(out, "JPEG", quality=95, optimize=True, subsampling=0)
        encoded, media_type = out.getvalue(), "image/jpeg"
    else:
        encoded, media_type = encode_jpeg(img, quality=88), "image/jpeg"
    return ProcessedImage(data=encoded, media_type=media_type, width=img.width, height=img.height)


def icc_description(data: bytes) -> str:
    """The profile's own name (e.g. 'Coated FOGRA39'), or '' when it has none."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data))
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return ""
    return str(profile.profile.profile_description or "").strip()


def labelled_sheet(
    pages: Sequence[bytes],
    boxes: Sequence[Sequence[tuple[tuple[float, float, float, float], str, bool]]],
    captions: Sequence[str],
    *,
    width: int = 2400,
    per_row: int = 6,
) -> bytes:
    """PNG page images → one PNG of thumbnails in rows, each with its boxes outlined and
    labelled (``(x0, y0, x1, y1)`` as shares of the page, label, house material?) and a
    caption under it: a flatplan sheet."""
    from PIL import ImageDraw

    thumbs = [Image.open(io.BytesIO(p)).convert("RGB") for p in pages]
    per_row = max(1, min(per_row, len(thumbs)))
    gap = 20
    cell_w = (width - gap * (per_row + 1)) // per_row
    row_h = max(round(t.height * cell_w / t.width) for t in thumbs) + 34
    rows = (len(thumbs) + per_row - 1) // per_row
    sheet = Image.new("RGB", (width, gap + rows * (row_h + gap)), (210, 210, 210))
    draw = ImageDraw.Draw(sheet)
    for i, thumb in enumerate(thumbs):
        h = round(thumb.height * cell_w / thumb.width)
        x = gap + (i % per_row) * (cell_w + gap)
        y = gap + (i // per_row) * (row_h + gap)
        sheet.paste(thumb.resize((cell_w, h), Image.Resampling.LANCZOS), (x, y))
        for (x0, y0, x1, y1), label, house in boxes[i] if i < len(boxes) else ():
            rect = (x + x0 * cell_w, y + y0 * h, x + x1 * cell_w, y + y1 * h)
            colour = (160, 0, 0) if house else (0, 70, 200)
            draw.rectangle(rect, outline=colour, width=2)
            draw.text((rect[0] + 3, rect[1] + 3), label[:28], fill=colour)
        draw.text((x, y + h + 6), captions[i] if i < len(captions) else "", fill=(0, 0, 0))
    out = io.BytesIO()
    sheet.save(out, "PNG", compress_level=3)  # (optimize=True took seconds for a few % less)
    return out.getvalue()


def contact_sheet(pages: list[bytes], *, width: int = 2400, per_row: int = 4) -> bytes:
    """PNG page images → one PNG with every page in reading order, numbered, in rows."""
    from PIL import ImageDraw

    thumbs = [Image.open(io.BytesIO(p)).convert("RGB") for p in pages]
    per_row = max(1, min(per_row, len(thumbs)))
    gap = 24
    cell_w = (width - gap * (per_row + 1)) // per_row
    scaled = []
    for t in thumbs:
        h = round(t.height * cell_w / t.width)
        scaled.append(t.resize((cell_w, h), Image.Resampling.LANCZOS))
    row_h = max(s.height for s in scaled) + 30
    rows = (len(scaled) + per_row - 1) // per_row
    sheet = Image.new("RGB", (width, gap + rows * (row_h + gap)), (200, 200, 200))
    draw = ImageDraw.Draw(sheet)
    for i, s in enumerate(scaled):
        x = gap + (i % per_row) * (cell_w + gap)
        y = gap + (i // per_row) * (row_h + gap)
        sheet.paste(s, (x, y))
        draw.text((x, y + s.height + 6), f"page {i + 1}", fill=(0, 0, 0))
    out = io.BytesIO()
    sheet.save(out, "PNG", compress_level=3)  # (optimize=True took seconds for a few % less)
    return out.getvalue()
