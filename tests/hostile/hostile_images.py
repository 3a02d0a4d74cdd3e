"""Hostile and awkward image bytes, generated small (no fixture file is committed over 200 KB).

Each function returns the bytes of one file. Bombs are headers that *claim* a huge size: a
decoder that trusts them allocates gigabytes, ours must refuse before decoding.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

SECRET_SIZE = (
    333,
    177,
)  # the outside-the-folder photo: if an output holds an image this size, it leaked


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header claiming width × height RGB pixels, with a tiny IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def png_zlib_bomb(width: int = 9_000, height: int = 8_000) -> bytes:
    """Within the pixel limit, but an IDAT of zeros that inflates ~1000×: built at run time."""
    row = b"\0" + b"\0" * (width * 3)
    comp = zlib.compressobj(9)
    out = [comp.compress(row) for _ in range(height)]
    out.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", b"".join(out))
        + _png_chunk(b"IEND", b"")
    )


def jpeg_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A small real JPEG whose SOF0 frame header is rewritten to claim width × height."""
    data = bytearray(photo_jpeg((16, 16)))
    i = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, i + 5, height, width)
    return bytes(data)


def gif_bomb(width: int = 65_535, height: int = 65_535) -> bytes:
    """A GIF whose logical screen is width × height, holding a 1×1 frame."""
    header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    image = b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return header + image + b";"


def photo_jpeg(
    size: tuple[int, int] = (640, 400), colour: tuple[int, int, int] = (90, 120, 160)
) -> bytes:
    img = Image.new("RGB", size, colour)
    for x in range(0, size[0], 16):  # some detail so it is not a flat graphic
        img.paste((x % 255, 80, 200 - x % 200), (x, 0, x + 8, size[1]))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def secret_jpeg() -> bytes:
    return photo_jpeg(SECRET_SIZE, (255, 0, 255))


def truncated_jpeg() -> bytes:
    data = photo_jpeg((800, 600))
    return data[: len(data) // 3]


def corrupt_png() -> bytes:
    """A PNG whose image data is garbage (right CRCs, wrong zlib stream)."""
    ihdr = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", b"this is not zlib data at all" * 4)
        + _png_chunk(b"IEND", b"")
    )


def html_as_image() -> bytes:
    return b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>"


def cmyk_jpeg() -> bytes:
    img = Image.new("CMYK", (400, 300), (0, 200, 200, 20))
    img.paste((200, 0, 0, 0), (0, 0, 200, 150))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def png16_grey() -> bytes:
    img = Image.new("I;16", (300, 200))
    img.putdata([(x * 218) % 65536 for x in range(300 * 200)])
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def png16_rgb() -> bytes:
    """A 16-bit-per-channel RGB PNG (Pillow cannot write one, so it is written by hand)."""
    width, height = 120, 80
    raw = b"".join(
        b"\0" + b"".join(struct.pack(">HHH", x * 500, y * 800, 30000) for x in range(width))
        for y in range(height)
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(raw))
        + _png_chunk(b"IEND", b"")
    )


def palette_png_transparent() -> bytes:
    img = Image.new("P", (200, 120), 0)
    img.putpalette([255, 255, 255, 200, 30, 30, 30, 30, 200] + [0] * 759)
    img.paste(1, (20, 20, 100, 100))
    img.paste(2, (110, 20, 180, 100))
    out = io.BytesIO()
    img.save(out, "PNG", transparency=0)
    return out.getvalue()


def exif_rotated_jpeg() -> bytes:
    """Stored landscape 300×200 with EXIF orientation 6: upright it is a 200×300 portrait
    whose top quarter is red (the rest blue), so a test can tell which way up it came out."""
    upright = Image.new("RGB", (200, 300), (20, 40, 220))
    upright.paste((230, 20, 20), (0, 0, 200, 75))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # orientation 6 turns it back
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("P", (60, 40), i) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def webp_photo() -> bytes:
    img = Image.open(io.BytesIO(photo_jpeg((400, 260))))
    out = io.BytesIO()
    img.save(out, "WEBP", quality=70)
    return out.getvalue()


def bad_exif_jpeg() -> bytes:
    """A JPEG whose EXIF block is garbage (orientation tag pointing nowhere)."""
    data = photo_jpeg((120, 80))
    app1 = b"Exif\0\0MM\0*\0\0\0\x08\0\x05\x01\x12\0\x03\xff\xff\xff\xff\0\x06\0\0"
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    return data[:2] + segment + data[2:]


SVG_XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><text y="20">&xxe;</text></svg>
"""

SVG_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY a "lollollollollollollollollollol">\n'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n'.encode() for i in range(9)
    )
    + b']>\n<svg xmlns="http://www.w3.org/2000/svg"><text>&j;</text></svg>\n'
)

SVG_SCRIPT = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100" onload="alert(1)">
<script>fetch('http://169.254.169.254/latest/meta-data/')</script>
<image href="file:///etc/passwd" width="10" height="10"/>
<image xlink:href="../outside/secret.jpg" width="10" height="10"/>
</svg>
"""
