"""Screenshots of a downloads folder's index.html at phone and desktop widths (docs/).

Renders the page in headless Chromium (``chromium`` on the PATH) at 390 and 1280 CSS pixels
wide and writes small palette PNGs for the README and reviews:

    python tools/screenshot_downloads.py OUT/downloads docs/
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

SIZES = {"phone": (390, 1700), "desktop": (1280, 1250)}
MAX_BYTES = 150_000


def shoot(page: Path, width: int, height: int, dest: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or "google-chrome"
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "shot.png"
        subprocess.run(
            [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--force-device-scale-factor=1", f"--window-size={width},{height}",
             f"--screenshot={raw}", page.resolve().as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        with Image.open(raw) as img:
            colours = 128
            while True:
                img.convert("RGB").quantize(colours, dither=Image.Dither.NONE).save(
                    dest, optimize=True
                )
                if dest.stat().st_size <= MAX_BYTES or colours <= 16:
                    break
                colours //= 2


def main() -> None:
    folder, docs = Path(sys.argv[1]), Path(sys.argv[2])
    for name, (width, height) in SIZES.items():
        dest = docs / f"downloads-{name}.png"
        shoot(folder / "index.html", width, height, dest)
        print(f"{dest}: {width}×{height}, {dest.stat().st_size / 1000:.0f} kB")


if __name__ == "__main__":
    main()
