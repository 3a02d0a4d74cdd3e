"""Generate the placeholder photos and graphics of samples/articles/ (deterministic, seeded).

The sample pages under samples/articles/<slug>/index.html are static files kept in git;
this script only (re)makes the images they reference. Every photo is a photo-like
placeholder (gradients, soft shapes, mild grain) with EXIF that includes GPS tags, so
later stages can prove they strip metadata. A few are deliberately awkward:

* a low-resolution lead photo (640x427) so the print preflight can warn about < 200 ppi;
* a photo stored sideways with an EXIF Orientation tag (6) so later stages can prove they
  turn it upright;
* a PNG chart with a transparent background;
* a WebP copy offered through a <picture> source.

Run from the repository root:  python tools/make_samples.py [--check]
With --check it regenerates into memory and reports any file that differs from disk.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent / "samples" / "articles"

# Target size window for full-size JPEGs (bytes); quality is searched to land inside it.
TARGET_BYTES = (150_000, 400_000)
TARGET_MID = 260_000


@dataclass(frozen=True, slots=True)
class Photo:
    """One placeholder photo: where it goes, its pixel size and how it looks."""

    slug: str
    name: str  # file name without extension
    width: int  # as displayed (after any EXIF Orientation is applied)
    height: int
    seed: int
    palette: str  # key of PALETTES
    gps: tuple[float, float]  # latitude, longitude (decimal degrees)
    taken: str  # EXIF DateTimeOriginal, "YYYY:MM:DD HH:MM:SS"
    variants: tuple[tuple[int, int], ...] = ()  # WordPress size variants, -WxH suffix
    orientation: int = 1  # EXIF Orientation; 6 = stored rotated, display turned 90° CW
    fixed_quality: int | None = None  # skip the size search (small images)
    webp: bool = False  # also write <name>.webp (for a <picture> source)


# Sky/ground colour pairs plus an accent for the soft shapes.
PALETTES: dict[str, tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]] = {
    "dusk": ((38, 52, 98), (196, 120, 84), (236, 200, 150)),
    "rain": ((92, 104, 116), (44, 48, 54), (170, 60, 60)),
    "flags": ((120, 160, 205), (150, 40, 40), (240, 240, 240)),
    "ruin": ((170, 170, 160), (70, 62, 50), (40, 40, 36)),
    "council": ((150, 180, 210), (110, 110, 100), (200, 170, 120)),
    "river": ((200, 190, 160), (120, 100, 70), (60, 90, 110)),
    "estuary": ((170, 190, 200), (70, 90, 80), (210, 200, 170)),
    "heat": ((250, 200, 120), (180, 90, 40), (255, 240, 200)),
    "cafe": ((90, 60, 40), (200, 160, 110), (250, 230, 200)),
    "stage": ((20, 10, 40), (120, 30, 90), (250, 220, 120)),
    "delta": ((160, 200, 210), (60, 120, 50), (220, 210, 120)),
}

PHOTOS: tuple[Photo, ...] = (
    # --- the seed article, rebuilt -------------------------------------------------------
    Photo(
        "returning-to-putins-russia",
        "putin-moscow-june-11",
        2400,
        1600,
        101,
        "dusk",
        (55.7520, 37.6175),
        "2024:06:11 14:02:31",
        variants=((1024, 683), (768, 512), (300, 200)),
    ),
    Photo(
        "returning-to-putins-russia",
        "moscow-rain-umbrella",
        2048,
        1365,
        102,
        "rain",
        (55.7558, 37.6173),
        "2024:06:11 16:40:05",
        variants=((1024, 683), (768, 512)),
    ),
    Photo(
        "returning-to-putins-russia",
        "red-square-flags",
        2400,
        1600,
        103,
        "flags",
        (55.7539, 37.6208),
        "2024:06:12 19:15:44",
        variants=((1024, 683), (768, 512)),
    ),
    Photo(
        "returning-to-putins-russia",
        "bucha-armoured-column",
        2048,
        1365,
        104,
        "ruin",
        (50.5440, 30.2120),
        "2022:03:01 11:20:00",
        variants=((1024, 683), (768, 512)),
    ),
    # --- original sample articles ---------------------------------------------------------
    Photo(
        "councils-face-funding-cliff",
        "town-hall-budget-meeting",
        2400,
        1600,
        201,
        "council",
        (52.4862, -1.8904),
        "2024:02:27 18:30:12",
        variants=((1024, 683), (300, 200)),
    ),
    Photo(
        "the-river-that-ran-dry",
        "dry-riverbed-cerrig",
        2400,
        1600,
        301,
        "river",
        (52.0567, -2.7160),
        "2024:08:14 07:12:40",
        variants=((1024, 683),),
    ),
    # A 1600x2400 portrait stored sideways (2400x1600 pixels) with Orientation 6: viewers
    # that honour EXIF turn it upright; ones that ignore it show it lying on its side.
    Photo(
        "the-river-that-ran-dry",
        "hill-farmer-portrait",
        1600,
        2400,
        302,
        "estuary",
        (52.1030, -2.6480),
        "2024:08:15 09:45:03",
        orientation=6,
    ),
    Photo(
        "the-river-that-ran-dry",
        "sewage-outfall-estuary",
        2048,
        1365,
        303,
        "estuary",
        (51.6110, -2.6660),
        "2024:08:16 17:05:59",
    ),
    Photo(
        "heatwave-amber-alert-schools",
        "playground-heat-haze",
        2400,
        1600,
        401,
        "heat",
        (51.5072, -0.1276),
        "2024:07:19 13:10:10",
        variants=((1024, 683), (768, 512)),
        webp=True,
    ),
    Photo(
        "cafe-owners-count-cost-of-border-checks",
        "cafe-counter-dundalk",
        2048,
        1365,
        501,
        "cafe",
        (54.0090, -6.4049),
        "2024:04:09 08:55:21",
        variants=((1024, 683),),
    ),
    Photo(
        "fringe-review-the-salt-choir",
        "salt-choir-stage",
        2400,
        1600,
        601,
        "stage",
        (55.9533, -3.1883),
        "2024:08:05 21:30:00",
    ),
    Photo(
        "fringe-review-the-salt-choir",
        "salt-choir-rehearsal",
        2048,
        1365,
        602,
        "dusk",
        (55.9490, -3.1900),
        "2024:08:03 15:00:00",
    ),
    # Deliberately small: too few pixels for a print-width lead at 200 ppi.
    Photo(
        "mekong-delta-farmers-saltwater",
        "mekong-rice-paddy-lowres",
        640,
        427,
        701,
        "delta",
        (10.0452, 105.7469),
        "2024:03:22 06:40:00",
        fixed_quality=85,
    ),
    Photo(
        "mekong-delta-farmers-saltwater",
        "mekong-sluice-gate",
        2048,
        1365,
        702,
        "river",
        (9.9800, 105.8000),
        "2024:03:22 10:05:00",
        variants=((1024, 683),),
    ),
)


def _gradient(
    w: int, h: int, top: tuple[int, int, int], bottom: tuple[int, int, int], horizon: float
) -> Image.Image:
    """A vertical two-tone gradient with a soft horizon band."""
    col = Image.new("RGB", (1, h))
    px = col.load()
    assert px is not None
    for y in range(h):
        t = y / max(h - 1, 1)
        # steeper change around the horizon, like sky meeting ground
        k = 1 / (1 + pow(2.718281828, -(t - horizon) * 9))
        px[0, y] = tuple(round(a + (b - a) * k) for a, b in zip(top, bottom, strict=True))
    return col.resize((w, h), Image.Resampling.BILINEAR)


def _scene(photo: Photo) -> Image.Image:
    """Draw the photo-like placeholder at full size (before orientation handling)."""
    rng = random.Random(photo.seed)
    top, bottom, accent = PALETTES[photo.palette]
    # Compose at quarter size, then upscale: smooth shapes, cheap to draw.
    sw, sh = max(photo.width // 4, 64), max(photo.height // 4, 43)
    base = _gradient(sw, sh, top, bottom, rng.uniform(0.45, 0.65))
    layer = Image.new("RGBA", (sw, sh), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(rng.randint(14, 22)):
        cx, cy = rng.uniform(0, sw), rng.uniform(0, sh)
        rx, ry = rng.uniform(sw * 0.03, sw * 0.22), rng.uniform(sh * 0.03, sh * 0.25)
        mix = rng.random()
        colour = tuple(round(a * mix + c * (1 - mix)) for a, c in zip(accent, bottom, strict=True))
        draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=(*colour, rng.randint(60, 170)))
    # a few "buildings"/"posts": hard-ish verticals give the JPEG some real edges
    for _ in range(rng.randint(5, 12)):
        x = rng.uniform(0, sw)
        bw = rng.uniform(sw * 0.01, sw * 0.06)
        top_y = rng.uniform(sh * 0.35, sh * 0.7)
        shade = rng.randint(20, 90)
        draw.rectangle(
            (x, top_y, x + bw, sh), fill=(shade, shade, shade + 10, rng.randint(120, 220))
        )
    layer = layer.filter(ImageFilter.GaussianBlur(radius=max(sw / 300, 1.2)))
    scene = Image.alpha_composite(base.convert("RGBA"), layer).convert("RGB")
    scene = scene.resize((photo.width, photo.height), Image.Resampling.BICUBIC)
    # Mild film grain from a seeded byte stream (Image.effect_noise is not seedable).
    grain_src = random.Random(photo.seed * 7919).randbytes(photo.width * photo.height)
    grain = Image.frombytes("L", (photo.width, photo.height), grain_src)
    grain = grain.point(lambda v: 128 + (v - 128) // 14).filter(ImageFilter.GaussianBlur(0.6))
    return ImageChops.add(scene, Image.merge("RGB", (grain, grain, grain)), 1.0, -128)


def _rational(deg: float) -> tuple[float, float, float]:
    """Decimal degrees → (degrees, minutes, seconds) as EXIF rationals."""
    deg = abs(deg)
    d = int(deg)
    m = int((deg - d) * 60)
    s = round(((deg - d) * 60 - m) * 60, 2)
    return (float(d), float(m), s)


def _exif(photo: Photo) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010E] = f"printedition sample placeholder {photo.name}"  # ImageDescription
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS R6"  # Model
    exif[0x0112] = photo.orientation  # Orientation
    exif[0x0131] = "printedition tools/make_samples.py"  # Software
    exif[0x0132] = photo.taken  # DateTime
    exif[0x013B] = "Sample Photographer"  # Artist
    exif[0x8298] = "Placeholder image, no rights reserved"  # Copyright
    lat, lon = photo.gps
    gps = exif.get_ifd(0x8825)
    gps[0x00] = b"\x02\x03\x00\x00"  # GPSVersionID
    gps[0x01] = "N" if lat >= 0 else "S"
    gps[0x02] = _rational(lat)
    gps[0x03] = "E" if lon >= 0 else "W"
    gps[0x04] = _rational(lon)
    gps[0x05] = b"\x00"  # altitude above sea level
    gps[0x06] = 42.0
    gps[0x1D] = photo.taken[:10]  # GPSDateStamp
    return exif


def _jpeg(img: Image.Image, exif: Image.Exif, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, optimize=True, exif=exif)
    return buf.getvalue()


def _encode_in_window(img: Image.Image, exif: Image.Exif) -> bytes:
    """Pick the JPEG quality that lands closest to TARGET_MID inside TARGET_BYTES."""
    best: bytes | None = None
    lo, hi = 30, 95
    while lo <= hi:
        q = (lo + hi) // 2
        data = _jpeg(img, exif, q)
        if best is None or abs(len(data) - TARGET_MID) < abs(len(best) - TARGET_MID):
            best = data
        if len(data) > TARGET_MID:
            hi = q - 1
        else:
            lo = q + 1
    assert best is not None
    if not TARGET_BYTES[0] <= len(best) <= TARGET_BYTES[1]:
        raise SystemExit(f"cannot fit size window: {len(best)} bytes")
    return best


def render_photo(photo: Photo) -> dict[str, bytes]:
    """All files of one photo: original, size variants, optional WebP."""
    scene = _scene(photo)
    exif = _exif(photo)
    stored = scene
    if photo.orientation == 6:
        # Orientation 6 means "rotate 90° clockwise to display", so store it turned back.
        stored = scene.transpose(Image.Transpose.ROTATE_90)
    files: dict[str, bytes] = {}
    if photo.fixed_quality is not None:
        files[f"{photo.name}.jpg"] = _jpeg(stored, exif, photo.fixed_quality)
    else:
        files[f"{photo.name}.jpg"] = _encode_in_window(stored, exif)
    for w, h in photo.variants:
        # WordPress regenerates its sizes from the original and keeps the EXIF.
        small = scene.resize((w, h), Image.Resampling.LANCZOS)
        files[f"{photo.name}-{w}x{h}.jpg"] = _jpeg(small, exif, 82)
    if photo.webp:
        buf = io.BytesIO()
        scene.resize(
            (1600, round(1600 * photo.height / photo.width)), Image.Resampling.LANCZOS
        ).save(buf, "WEBP", quality=70, method=4)
        files[f"{photo.name}.webp"] = buf.getvalue()
    return files


def render_chart() -> bytes:
    """A bar chart PNG with a transparent background (council funding gaps)."""
    w, h = 1600, 1000
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=34)
    small = ImageFont.load_default(size=28)
    d.text((80, 40), "Councils' combined funding gap, £bn", fill=(20, 20, 20, 255), font=font)
    years = ["2024-25", "2025-26", "2026-27", "2027-28"]
    values = [2.3, 3.9, 5.1, 6.2]
    x0, y0, plot_h = 160, 900, 700
    d.line((x0, y0, w - 80, y0), fill=(40, 40, 40, 255), width=4)
    d.line((x0, y0, x0, y0 - plot_h - 20), fill=(40, 40, 40, 255), width=4)
    for i in range(0, 8, 2):
        y = y0 - plot_h * i / 7
        d.line((x0, y, w - 80, y), fill=(120, 120, 120, 110), width=2)
        d.text((70, y - 16), f"{i}", fill=(40, 40, 40, 255), font=small)
    bar_w = 220
    for i, (label, v) in enumerate(zip(years, values, strict=True)):
        x = x0 + 90 + i * 330
        top = y0 - plot_h * v / 7
        d.rectangle((x, top, x + bar_w, y0 - 2), fill=(178, 34, 52, 230))
        d.text((x + 60, top - 44), f"{v:.1f}", fill=(20, 20, 20, 255), font=small)
        d.text((x + 50, y0 + 20), label, fill=(20, 20, 20, 255), font=small)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def all_files() -> dict[Path, bytes]:
    """Every generated file, keyed by its path under samples/articles/."""
    out: dict[Path, bytes] = {}
    for photo in PHOTOS:
        for name, data in render_photo(photo).items():
            out[ROOT / photo.slug / name] = data
    out[ROOT / "councils-face-funding-cliff" / "funding-gap-chart.png"] = render_chart()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with files on disk")
    args = parser.parse_args(argv)
    stale = 0
    for path, data in sorted(all_files().items()):
        rel = path.relative_to(ROOT.parent.parent)
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                print(f"differs: {rel}")
                stale += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"{len(data) / 1000:8.1f} kB  {rel}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
