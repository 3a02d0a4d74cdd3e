"""Cover: the paper's details and a lead photo → a generated EPUB cover (Pillow).

Goes in: masthead, title, date line and optionally an already-processed lead photo (sRGB
JPEG/PNG bytes). Comes out: a 2:3 sRGB JPEG (drawn at 1200 × 1800, scaled to fit ``max_edge``),
the same bytes for the same inputs. Type
is the bundled Libre Caslon / Libre Franklin when present, else Pillow's built-in font.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps

from printedition.images import ProcessedImage, encode_jpeg, open_image, resize_to_fit

WIDTH, HEIGHT = 1200, 1800
MARGIN = 72
INK = (17, 17, 17)
PAPER = (255, 255, 255)
GREY = (90, 90, 90)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

# (family folder, file) for each role, tried in order; the first that loads wins.
_FACES = {
    "masthead": (
        ("libre-caslon-condensed", "libre-caslon-condensed-latin-700-normal.woff"),
        ("libre-caslon-text", "libre-caslon-text-latin-700-normal.woff"),
    ),
    "title": (
        ("libre-caslon-text", "libre-caslon-text-latin-700-normal.woff"),
        ("libre-caslon-condensed", "libre-caslon-condensed-latin-700-normal.woff"),
    ),
    "label": (
        ("libre-franklin", "libre-franklin-latin-600-normal.woff"),
        ("libre-franklin", "libre-franklin-latin-400-normal.woff"),
    ),
}


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
    fonts = importlib.resources.files("printedition") / "fonts"
    for family, name in _FACES[role]:
        ref = fonts / family / name
        try:
            if ref.is_file():
                with importlib.resources.as_file(ref) as path:
                    return ImageFont.truetype(str(path), size)
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
    draw: ImageDraw.ImageDraw, title: str, width: int, height: int
) -> tuple[Font, list[str]]:
    """The largest title size (from 96 px down) whose wrapped lines fit the space."""
    for size in range(96, 35, -6):
        font = _font("title", size)
        lines = _wrap(draw, title, font, width)
        if len(lines) * size * 1.2 <= height:
            return font, lines
    font = _font("title", 36)
    lines = _wrap(draw, title, font, width)
    max_lines = max(1, int(height // (36 * 1.2)))
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1].rstrip(".,;:") + "…"]
    return font, lines


def generate_cover(spec: CoverSpec) -> ProcessedImage:
    """Masthead across the top, rule, lead photo, title, date: a newspaper's front page."""
    img = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(img)
    inner = WIDTH - 2 * MARGIN
    y = MARGIN

    mast_font = _fit_font(draw, "masthead", spec.masthead, inner, 150)
    mast_w = _text_width(draw, spec.masthead, mast_font)
    draw.text(((WIDTH - mast_w) / 2, y), spec.masthead, font=mast_font, fill=INK, anchor="la")
    bbox = draw.textbbox((0, y), spec.masthead, font=mast_font, anchor="la")
    y = int(bbox[3]) + 28
    draw.rectangle((MARGIN, y, WIDTH - MARGIN, y + 6), fill=INK)
    y += 18
    if spec.tagline or spec.date_line:
        label = _font("label", 30)
        if spec.tagline:
            draw.text((MARGIN, y), spec.tagline, font=label, fill=GREY, anchor="la")
        if spec.date_line:
            w = _text_width(draw, spec.date_line, label)
            draw.text((WIDTH - MARGIN - w, y), spec.date_line, font=label, fill=INK, anchor="la")
        y += 48
    draw.rectangle((MARGIN, y, WIDTH - MARGIN, y + 2), fill=INK)
    y += 40

    title_height = 420
    photo_bottom = HEIGHT - MARGIN - title_height - 40
    if spec.lead is not None and photo_bottom - y > 300:
        photo = open_image(spec.lead, where="cover photo").convert("RGB")
        box = (inner, photo_bottom - y)
        photo = ImageOps.fit(photo, box, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
        img.paste(photo, (MARGIN, y))
        y = photo_bottom + 40
    else:
        y += 120

    font, lines = _title_block(draw, spec.title, inner, HEIGHT - MARGIN - y)
    size = font.size if isinstance(font, ImageFont.FreeTypeFont) else 40
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=INK, anchor="la")
        y += int(size * 1.2)

    img = resize_to_fit(img, spec.max_edge)
    data = encode_jpeg(img, quality=88)
    return ProcessedImage(data=data, media_type="image/jpeg", width=img.width, height=img.height)


__all__ = ["CoverSpec", "generate_cover"]
