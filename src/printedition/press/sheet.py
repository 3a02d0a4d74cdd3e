"""Sheet: the press PDF and its flatplan → one PNG of every page, labelled (for the editor).

Goes in: the press file's bytes, the flatplan report (``flatplan.plan_report``) and the page
geometry. Comes out: PNG bytes: thumbnails in rows, each made-up page with its stories' and
house panels' rectangles outlined and named, and its page number and filler under it.
Rasterising is pypdfium2; Pillow draws through ``images.py``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from printedition.images import labelled_sheet
from printedition.press.layout import Geometry

THUMB_WIDTH_PX = 420


def flatplan_sheet(pdf: bytes, report: Mapping[str, Any], geometry: Geometry) -> bytes:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    images: list[bytes] = []
    try:
        for index in range(len(doc)):
            page = doc[index]
            trim = page.get_trimbox()
            page.set_cropbox(*trim)
            width_pt = trim[2] - trim[0]
            bitmap = page.render(scale=THUMB_WIDTH_PX / width_pt)
            buf = io.BytesIO()
            bitmap.to_pil().convert("RGB").save(buf, "PNG", compress_level=1)  # read back at once
            images.append(buf.getvalue())
    finally:
        doc.close()
    fmt = geometry.format
    plans = {int(p["page"]): p for p in report.get("pages", [])}
    boxes: list[list[tuple[tuple[float, float, float, float], str, bool]]] = []
    captions: list[str] = []
    for number in range(1, len(images) + 1):
        page = plans.get(number)
        found: list[tuple[tuple[float, float, float, float], str, bool]] = []
        if page is None:
            captions.append(f"p{number}  (front)")
            boxes.append(found)
            continue
        for story in page["stories"]:
            x, y, w, h = story["box_mm"]
            x0 = (geometry.side_mm + x) / fmt.width_mm
            y0 = (geometry.top_mm + y) / fmt.height_mm
            found.append(((x0, y0, x0 + w / fmt.width_mm, y0 + h / fmt.height_mm), story["slug"], False))
        filler = 100 * (float(page["empty"]) + float(page["house"]))
        captions.append(f"p{number}  {page['section'][:22]}  filler {filler:.0f} %")
        boxes.append(found)
    return labelled_sheet(images, boxes, captions)


__all__ = ["flatplan_sheet"]
