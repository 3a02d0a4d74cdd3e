"""Write the seed corpora for the fuzz targets: bench/fuzz/corpus/{images,normalise}/.

Seeds are small real inputs (the hostile images, tiny crops of the sample photos, and small
article pages), so the fuzzer starts from valid structure. The corpus is not committed.
"""

from __future__ import annotations

import hashlib
import io
import sys
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "hostile"))

import hostile_cases  # noqa: E402
import hostile_images as himg  # noqa: E402


def _put(folder: Path, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def image_seeds(folder: Path) -> None:
    for name in (
        "png_bomb",
        "jpeg_bomb",
        "gif_bomb",
        "truncated_jpeg",
        "corrupt_png",
        "cmyk_jpeg",
        "png16_grey",
        "png16_rgb",
        "palette_png_transparent",
        "exif_rotated_jpeg",
        "animated_gif",
        "webp_photo",
        "bad_exif_jpeg",
    ):
        _put(folder, getattr(himg, name)())
    small = Image.new("RGB", (24, 16), (200, 30, 30))
    for fmt, kw in (
        ("JPEG", {"progressive": True}),
        ("PNG", {}),
        ("GIF", {}),
        ("BMP", {}),
        ("TIFF", {"compression": "tiff_lzw"}),
        ("WEBP", {"lossless": True}),
    ):
        out = io.BytesIO()
        small.save(out, fmt, **kw)
        _put(folder, out.getvalue())
    for path in sorted((ROOT / "samples" / "articles").glob("*/*.*g"))[:6]:
        img = Image.open(path)
        img.thumbnail((48, 48))
        out = io.BytesIO()
        img.save(out, "JPEG" if path.suffix == ".jpg" else "PNG", exif=Image.open(path).getexif())
        _put(folder, out.getvalue())


def page_seeds(folder: Path) -> None:
    for case in hostile_cases.CASES:
        if case.heavy or case.name.startswith("json-") or case.cls in ("nesting", "special-file"):
            continue
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            src = hostile_cases.build_case(case, Path(tmp))
            data = src.read_bytes()
        if len(data) < 64_000:
            _put(folder, data)
    for path in sorted((ROOT / "samples" / "articles").glob("*/index.html")):
        data = path.read_bytes()
        _put(folder, data[:60_000])
    for path in sorted((ROOT / "tests" / "corpora").rglob("source.html"))[:40]:
        data = path.read_bytes()
        if len(data) < 60_000:
            _put(folder, data)


if __name__ == "__main__":
    image_seeds(HERE / "corpus" / "images")
    page_seeds(HERE / "corpus" / "normalise")
    for name in ("images", "normalise"):
        files = list((HERE / "corpus" / name).iterdir())
        print(f"{name}: {len(files)} seeds, {sum(f.stat().st_size for f in files) / 1e3:.0f} kB")
