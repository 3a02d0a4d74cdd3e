"""Cover: the paper's details and a lead photo → a generated EPUB cover (Pillow).

Goes in: masthead, title, date line and optionally an already-processed lead photo (sRGB
JPEG/PNG bytes). Comes out: a 2:3 sRGB JPEG (designed at 1200 × 1800, drawn to fit ``max_edge``),
the same bytes for the same inputs. Type
is the default style's Libre Caslon / Libre Franklin when present, else Pillow's built-in font.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps

from printedition.images import ProcessedImage, encode_jpeg, open_image
from printedition.style import DEFAULT_STYLE, bundled_style

WIDTH, HEIGHT = 1200, 1800
MARGIN = 72
INK = (17, 17, 17)
PAPER = (255, 255, 255)
GREY = (90, 90, 90)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

# (family folder, weight) for each role, tried in order; the first that loads wins.
_FACES = {
    "masthead": (("libre-caslon-condensed", "700"), ("libre-caslon-text", "700")),
    "title": (("libre-caslon-text", "700"), ("libre-caslon-condensed", "700")),
    "label": (("libre-franklin", "600"), ("libre-franklin", "400")),
}
_FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverSpec:
    masthead: str
    title: str
    date_line: str = ""
    tagline: str = ""
    lead: bytes | None = None  # processed photo bytes (sRGB JPEG/PNG)
    max_edge: int = 1600  # the finished cover is scaled to fit this long edge

    def cache_key(self) -> str:
        h = hashlib.sha256()
        for part in (self.masthead, self.title, self.date_line, self.tagline):
            h.update(part.encode("utf-8") + b"\0")
        h.update(hashlib.sha256(self.lead).digest() if self.lead else b"-")
        return f"cover:v1:{self.max_edge}:{h.hexdigest()}"


@functools.lru_cache(maxsize=64)
def _font(role: str, size: int) -> Font:
    """The bundled face for a role (upright, given weight), else Pillow's own font."""
    fonts = bundled_style(DEFAULT_STYLE) / "fonts"
    for family, weight in _FACES[role]:
        folder = fonts / family
        if not folder.is_dir():
            continue
        # Shortest name first: "…-latin-700-normal" before "…-latin-ext-700-normal".
        names = sorted(
            (f.name for f in folder.iterdir() if f.name.endswith(_FONT_SUFFIXES)),
            key=lambda n: (len(n), n),
        )
        for name in names:
            if f"-{weight}-normal." not in name:
                continue
            try:
                return ImageFont.truetype(str(folder / name), size)
            except OSError:
                continue
    return ImageFont.load_default(size=size)


def _text_width(draw: ImageDraw.ImageDraw, text: str, font: Font) -> float:
    left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
    return right - left


def _fit_font(draw: ImageDraw.ImageDraw, role: str, text: str, width: int, start: int) -> Font:
    size = start
    font = _font(role, size)
    while size > 24 and _text_width(draw, text, font) > width:
        size -= 4
        font = _font(role, size)
    return font


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and _text_width(draw, trial, font) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def _title_block(
    draw: ImageDraw.ImageDraw, title: str, width: int, height: int, k: float
) -> tuple[Font, list[str], int]:
    """The largest title size (96 design px down to 36) whose wrapped lines fit the space."""
    for design in range(96, 35, -6):
        size = max(8, round(design * k))
        font = _font("title", size)
        lines = _wrap(draw, title, font, width)
        if len(lines) * size * 1.2 <= height:
            return font, lines, size
    size = max(8, round(36 * k))
    font = _font("title", size)
    lines = _wrap(draw, title, font, width)
    max_lines = max(1, int(height // (size * 1.2)))
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1].rstrip(".,;:") + "…"]
    return font, lines, size


def generate_cover(spec: CoverSpec) -> ProcessedImage:
    """Masthead across the top, rule, lead photo, title, date: a newspaper's front page.

    The layout is designed at 1200 × 1800 and drawn directly at the size that fits
    ``max_edge`` (no resampling of the finished page)."""
    k = min(1.0, spec.max_edge / HEIGHT)

    def px(value: float) -> int:
        return max(1, round(value * k))

    width, height, margin = px(WIDTH), px(HEIGHT), px(MARGIN)
    img = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(img)
    inner = width - 2 * margin
    y = margin

    mast_font = _fit_font(draw, "masthead", spec.masthead, inner, px(150))
    mast_w = _text_width(draw, spec.masthead, mast_font)
    draw.text(((width - mast_w) / 2, y), spec.masthead, font=mast_font, fill=INK, anchor="la")
    bbox = draw.textbbox((0, y), spec.masthead, font=mast_font, anchor="la")
    y = int(bbox[3]) + px(28)
    draw.rectangle((margin, y, width - margin, y + px(6)), fill=INK)
    y += px(18)
    if spec.tagline or spec.date_line:
        label = _font("label", px(30))
        if spec.tagline:
            draw.text((margin, y), spec.tagline, font=label, fill=GREY, anchor="la")
        if spec.date_line:
            w = _text_width(draw, spec.date_line, label)
            draw.text((width - margin - w, y), spec.date_line, font=label, fill=INK, anchor="la")
        y += px(48)
    draw.rectangle((margin, y, width - margin, y + px(2)), fill=INK)
    y += px(40)

    photo_bottom = height - margin - px(420) - px(40)
    if spec.lead is not None and photo_bottom - y > px(300):
        photo = open_image(spec.lead, where="cover photo").convert("RGB")
        box = (inner, photo_bottom - y)
        photo = ImageOps.fit(photo, box, Image.Resampling.BICUBIC, centering=(0.5, 0.4))
        img.paste(photo, (margin, y))
        y = photo_bottom + px(40)
    else:
        y += px(120)

    font, lines, size = _title_block(draw, spec.title, inner, height - margin - y, k)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=INK, anchor="la")
        y += int(size * 1.2)

    data = encode_jpeg(img, quality=88)
    return ProcessedImage(data=data, media_type="image/jpeg", width=width, height=height)


__all__ = ["CoverSpec", "generate_cover"]
