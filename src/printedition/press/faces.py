"""Font metrics: the style's bundled body faces, shaped with HarfBuzz as Pango shapes them.

Goes in: a style (its fonts.css and font files) and the body size in CSS px.
Comes out: a ``Face`` for each face of the body family the style ships (by italic, bold),
which says whether it has a character and how wide a string is set in it (in CSS px, with
kerning and common ligatures: what Pango, which shapes with HarfBuzz, lays out in
WeasyPrint). uharfbuzz and fontTools are used here only.
"""

from __future__ import annotations

import io
import re

import uharfbuzz as hb
from fontTools.ttLib import TTFont

from printedition.style import PageStyle

_FONT_FACE = re.compile(r"@font-face\s*\{(.*?)\}", re.S)


def _descriptor(block: str, name: str) -> str:
    found = re.search(rf"{name}\s*:\s*([^;]+);", block)
    return found.group(1).strip().strip("'\"") if found else ""


class Face:
    """One font file at the body size: advance widths of strings, in CSS px."""

    def __init__(self, data: bytes, size_px: float) -> None:
        font = TTFont(io.BytesIO(data))
        font.flavor = None  # HarfBuzz reads sfnt, not WOFF
        sfnt = io.BytesIO()
        font.save(sfnt)
        face = hb.Face(sfnt.getvalue())
        self._font = hb.Font(face)
        self._scale = size_px / face.upem
        self._chars = frozenset(face.unicodes)
        self._widths: dict[str, float] = {}

    def covers(self, text: str) -> bool:
        return all(ord(c) in self._chars for c in text)

    def width(self, text: str) -> float:
        found = self._widths.get(text)
        if found is None:
            buf = hb.Buffer()
            buf.add_str(text)
            buf.guess_segment_properties()
            # Pango's defaults, and the stylesheets' common-ligatures and kerning
            hb.shape(self._font, buf, {"kern": True, "liga": True, "clig": True})
            found = sum(p.x_advance for p in buf.glyph_positions) * self._scale
            self._widths[text] = found
        return found


def body_faces(style: PageStyle, size_px: float) -> dict[tuple[bool, bool], Face]:
    """The body family's faces by (italic, bold), from the style's fonts.css."""
    family = style.fonts.body
    faces = {}
    for block in _FONT_FACE.findall(style.read("fonts.css").decode("utf-8")):
        if _descriptor(block, "font-family") != family:
            continue
        weight = _descriptor(block, "font-weight") or "400"
        italic = _descriptor(block, "font-style") == "italic"
        url = re.search(r"url\(\s*['\"]?([^'\")]+)", _descriptor(block, "src"))
        if url is None or weight not in ("400", "700"):
            continue
        # Only faces the style ships: a face WeasyPrint would synthesise (bold italic when
        # there is none) cannot be measured, and its paragraphs are left to WeasyPrint.
        faces[(italic, weight == "700")] = Face(style.read(url.group(1)), size_px)
    return faces
