"""Images: decode untrusted image bytes safely and prepare them for a writer (Pillow lives here).

Goes in: bytes read through ``resources.read_resource``. Comes out: upright, metadata-free
``ProcessedImage`` values — sRGB JPEG/PNG for screens (EPUB), grey or CMYK for the press.
Decoding refuses decompression bombs, truncated or corrupt files and anything that is not an
image, with an ``ImageError`` naming the source.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from printedition.errors import ImageError
from printedition.settings import Limits

# Formats we decode. SVG, PDF, PSD and the like are refused: they can reference other files
# or run code in other readers, and no reader of ours needs them.
_DECODE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "MPO")

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


def open_image(data: bytes, *, where: str, limits: Limits | None = None) -> Image.Image:
    """Decode image bytes: checked size, fully loaded, EXIF orientation applied.

    The returned image carries no EXIF, XMP or other metadata: ``info`` holds only
    ``source_format`` and any ICC profile (kept so colour conversion can use it).
    """
    limits = limits or Limits()
    if not data:
        raise ImageError("image is empty", where=where)
    if len(data) > limits.max_image_bytes:
        raise ImageError(f"image is larger than {limits.max_image_bytes} bytes", where=where)
    head = data[:512].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) or b"<svg" in head:
        raise ImageError("SVG images are not supported", where=where)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img: Image.Image = Image.open(io.BytesIO(data), formats=_DECODE_FORMATS)
            width, height = img.size
            if width <= 0 or height <= 0:
                raise ImageError("image has no pixels", where=where)
            if width * height > limits.max_image_pixels:
                raise ImageError(
                    f"image is {width}×{height} pixels, over the limit of "
                    f"{limits.max_image_pixels:,} (a decompression bomb?)",
                    where=where,
                )
            source_format = img.format
            img.seek(0)
            img.load()
            icc = img.info.get("icc_profile")
            # Apply the camera's orientation so the photo comes out upright, then drop EXIF.
            img = ImageOps.exif_transpose(img)
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
        except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError, KeyError) as exc:
            raise ImageError(f"image is corrupt or truncated ({exc})", where=where) from None
        except MemoryError:
            raise ImageError("image is too large to decode", where=where) from None
    img.info = {"source_format": source_format}
    if icc:
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
    if source_format not in ("PNG", "GIF", "BMP", "TIFF", "WEBP"):
        return False
    if _has_alpha(img):
        return True
    small = img.convert("RGB")
    small.thumbnail((128, 128))
    colours = small.getcolors(maxcolors=256)
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
    img = open_image(data, where=where, limits=limits)
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
