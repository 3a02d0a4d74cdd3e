"""atheris target: the image loader (``images.prepare_for_screen``) on arbitrary bytes.

Anything but ``ImageError`` escaping is a crash. Pillow's Python plugins and printedition are
instrumented for coverage (the C decoders are not, but their inputs are reached through the
instrumented header parsers). Run: see bench/fuzz/README.md.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["printedition", "PIL"]):
    from printedition.errors import ImageError
    from printedition.images import open_image, prepare_for_screen
    from printedition.settings import Limits

# Smaller than the defaults so one input cannot take seconds: the guards are the same code.
LIMITS = Limits(max_image_pixels=4_000_000, max_image_bytes=2_000_000)


def test_one_input(data: bytes) -> None:
    try:
        out = prepare_for_screen(data, where="fuzz", max_edge=256, limits=LIMITS)
    except ImageError:
        return
    # What comes out must itself be a clean, readable image.
    again = open_image(out.data, where="fuzz-out", limits=LIMITS)
    assert again.size == (out.width, out.height), (again.size, out.width, out.height)
    assert out.media_type in ("image/jpeg", "image/png")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
