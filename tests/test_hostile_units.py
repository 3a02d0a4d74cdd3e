"""Hostile input at the gates themselves: resources (files, URLs, hosts), images, render, model JSON.

These need no writer: they prove each gate refuses a whole class with the project's own error.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
from PIL import Image

from printedition.errors import ImageError, InputError, UnsafeResourceError
from printedition.images import open_image, prepare_for_screen
from printedition.model import Article, figures, from_json, to_json
from printedition.render import RenderOptions, render_article_html, render_blocks, text
from printedition.resources import ResourcePolicy, check_host, read_resource
from printedition.settings import Limits

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
import hostile_cases as cases
import hostile_images as himg

# --- hosts -------------------------------------------------------------------------------------

FORBIDDEN = [
    "169.254.169.254",
    "metadata.google.internal",
    "metadata.google.internal.",
    "METADATA",
    "instance-data",
    "fd00:ec2::254",
    "[fd00:ec2::254]",
    "100.100.100.200",
    "192.0.0.192",
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0177.0.0.1",
    "0x7f.0.0.1",
    "0x7f000001",
    "017700000001",
    "::1",
    "[::1]",
    "::ffff:127.0.0.1",
    "::ffff:a9fe:a9fe",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b::7f00:1",
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "::127.0.0.1",
    "localhost",
    "LocalHost.",
    "localhost.localdomain",
    "a.b.localhost",
    "printer.local",
    "db.internal",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.0.1",
    "100.64.0.1",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "0.0.0.0",
    "0",
    "::",
    "224.0.0.1",
    "255.255.255.255",
    "",
]


@pytest.mark.parametrize("host", FORBIDDEN)
def test_forbidden_hosts_are_refused_without_dns(host: str) -> None:
    with pytest.raises(UnsafeResourceError):
        check_host(host, resolve=False)


@pytest.mark.parametrize(
    "host",
    [
        "169.254.169.254",
        "metadata.google.internal",
        "fd00:ec2::254",
        "2852039166",  # 169.254.169.254 as one decimal number
        "0251.0376.0251.0376",  # octal
        "0xa9.0xfe.0xa9.0xfe",  # hex
        "::ffff:169.254.169.254",
        "::ffff:a9fe:a9fe",
        "64:ff9b::a9fe:a9fe",  # NAT64
        "2002:a9fe:a9fe::1",  # 6to4
        "[::ffff:100.100.100.200]",
    ],
)
def test_metadata_is_refused_even_when_private_is_allowed(host: str) -> None:
    with pytest.raises(UnsafeResourceError):
        check_host(host, allow_private=True, resolve=False)


@pytest.mark.parametrize(
    "host",
    [
        "93.184.215.14",
        "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
        "example.com",  # names are checked again at connect time
    ],
)
def test_public_addresses_pass(host: str) -> None:
    # check_host raises for a refused host and returns nothing for an allowed one.
    assert check_host(host, resolve=False) is None


def test_names_resolving_to_loopback_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def fake(name: str, *args: object, **kw: object) -> list[tuple[object, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(UnsafeResourceError, match="private, loopback"):
        check_host("rebind.example.com")


# --- local files --------------------------------------------------------------------------------


@pytest.fixture
def article_dir(tmp_path: Path) -> Path:
    cases.build_outside(tmp_path)
    folder = tmp_path / "article"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(himg.photo_jpeg((64, 48)))
    (folder / "sub").mkdir()
    (folder / "sub" / "inner.jpg").write_bytes(himg.photo_jpeg((32, 24)))
    (folder / "link.jpg").symlink_to(tmp_path / "outside" / "secret.jpg")
    (folder / "linkdir").symlink_to(tmp_path / "outside", target_is_directory=True)
    os.mkfifo(folder / "fifo.jpg")
    return folder


def _policy(folder: Path, **kw: object) -> ResourcePolicy:
    return ResourcePolicy(**kw).with_root(folder)  # type: ignore[arg-type]


def test_files_inside_the_folder_are_read(article_dir: Path) -> None:
    policy = _policy(article_dir)
    assert read_resource((article_dir / "photo.jpg").as_uri(), policy)[:2] == b"\xff\xd8"
    assert read_resource((article_dir / "sub" / "inner.jpg").as_uri(), policy)[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    "make_url",
    [
        lambda d: (d.parent / "outside" / "secret.jpg").as_uri(),
        lambda d: d.as_uri() + "/../outside/secret.jpg",
        lambda d: d.as_uri() + "/%2e%2e/outside/secret.jpg",
        lambda d: d.as_uri() + "/sub/../../outside/secret.jpg",
        lambda d: (d / "link.jpg").as_uri(),
        lambda d: (d / "linkdir" / "secret.jpg").as_uri(),
        lambda d: "file:///etc/passwd",
        lambda d: "FILE:///etc/passwd",
        lambda d: "file://localhost/etc/passwd",
        lambda d: "file:/etc/passwd",
        lambda d: "file:///proc/self/environ",
        lambda d: "file:///dev/zero",
        lambda d: (d.parent / "outside" / "missing.jpg").as_uri(),
        lambda d: "  file:///etc/passwd  ",
    ],
)
def test_files_outside_the_folder_are_refused(article_dir: Path, make_url: object) -> None:
    url = make_url(article_dir)  # type: ignore[operator]
    with pytest.raises(UnsafeResourceError) as info:
        read_resource(url, _policy(article_dir))
    assert info.value.where  # the error names the URL


@pytest.mark.parametrize(
    "url",
    [
        "file://evil.example/share/x.jpg",
        "/etc/passwd",
        "../outside/secret.jpg",
        "photo.jpg",
        "javascript:alert(1)",
        "vbscript:x",
        "about:blank",
        "blob:http://127.0.0.1/uuid",
        "jar:file:///etc/passwd!/x",
        "gopher://127.0.0.1:6379/_INFO",
        "ftp://127.0.0.1/x.jpg",
        "http://[::1/x.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "",
    ],
)
def test_other_urls_are_refused(article_dir: Path, url: str) -> None:
    with pytest.raises(InputError) as info:
        read_resource(url, _policy(article_dir))
    assert info.value.where or url == ""


def test_odd_local_files(article_dir: Path) -> None:
    policy = _policy(article_dir)
    for url, err in [
        ((article_dir / "fifo.jpg").as_uri(), "not a regular file"),
        (article_dir.as_uri() + "/photo.jpg%00.png", "not found"),
        ((article_dir / "sub").as_uri(), "not a regular file"),
        ((article_dir / "nope.jpg").as_uri(), "not found"),
    ]:
        with pytest.raises(InputError, match=err):
            read_resource(url, policy)


def test_no_roots_means_no_files(article_dir: Path) -> None:
    with pytest.raises(UnsafeResourceError):
        read_resource((article_dir / "photo.jpg").as_uri(), ResourcePolicy())


def test_size_limit_on_files_and_data_urls(article_dir: Path) -> None:
    small = Limits(max_image_bytes=100, max_data_url_bytes=100)
    policy = ResourcePolicy(limits=small).with_root(article_dir)
    with pytest.raises(InputError, match="larger than"):
        read_resource((article_dir / "photo.jpg").as_uri(), policy)
    with pytest.raises(InputError, match="larger than"):
        read_resource("data:image/png;base64," + "A" * 1000, policy)


def test_remote_urls_need_a_fetcher_and_a_safe_host(article_dir: Path) -> None:
    calls: list[str] = []
    policy = ResourcePolicy(fetcher=lambda u: calls.append(u) or b"x").with_root(article_dir)
    for url in cases.FORBIDDEN_HOSTS:
        with pytest.raises(InputError):
            read_resource(url, policy)
    assert calls == []
    with pytest.raises(UnsafeResourceError, match="fetching remote resources is off"):
        read_resource("https://example.com/x.jpg", ResourcePolicy())


def test_data_urls() -> None:
    policy = ResourcePolicy()
    assert read_resource("data:text/plain,hello%20there", policy) == b"hello there"
    assert read_resource("data:image/png;BASE64,aGk=", policy) == b"hi"
    with pytest.raises(InputError, match="malformed"):
        read_resource("data:image/png;base64,a", policy)
    with pytest.raises(InputError, match="malformed"):
        read_resource("data:no-comma", policy)


# --- images -------------------------------------------------------------------------------------

REFUSED = {
    "png_bomb": "decompression bomb",
    "jpeg_bomb": "decompression bomb",
    "gif_bomb": "decompression bomb",
    "truncated_jpeg": "corrupt or truncated",
    "corrupt_png": "corrupt or truncated",
    "html_as_image": "not an image",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_images_are_refused(name: str) -> None:
    data = getattr(himg, name)()
    with pytest.raises(ImageError, match=REFUSED[name]) as info:
        prepare_for_screen(data, where=f"{name}.img")
    assert info.value.where == f"{name}.img"


@pytest.mark.parametrize(
    "data",
    [
        himg.SVG_XXE,
        himg.SVG_LAUGHS,
        himg.SVG_SCRIPT,
        b"",
        b"\0" * 100,
        b"GIF89a",
        b"\x89PNG\r\n\x1a\n",
    ],
)
def test_svg_empty_and_stub_images_are_refused(data: bytes) -> None:
    with pytest.raises(ImageError):
        open_image(data, where="x")


def test_pixel_limit_is_a_setting() -> None:
    data = himg.photo_jpeg((400, 300))
    with pytest.raises(ImageError, match="over the limit"):
        open_image(data, where="x", limits=Limits(max_image_pixels=100_000))
    assert open_image(data, where="x").size == (400, 300)


@pytest.mark.parametrize(
    "name, media_type, mode",
    [
        ("cmyk_jpeg", "image/jpeg", "RGB"),
        ("png16_grey", "image/png", "L"),
        ("png16_rgb", "image/jpeg", "RGB"),
        ("palette_png_transparent", "image/png", "RGBA"),
        ("animated_gif", "image/png", None),
        ("webp_photo", "image/jpeg", "RGB"),
        ("bad_exif_jpeg", "image/jpeg", "RGB"),
    ],
)
def test_awkward_images_come_out_screen_ready(name: str, media_type: str, mode: str | None) -> None:
    out = prepare_for_screen(getattr(himg, name)(), where=name)
    assert out.media_type == media_type
    decoded = Image.open(io.BytesIO(out.data))
    assert decoded.format in ("JPEG", "PNG")
    if mode:
        assert decoded.mode == mode
    assert not decoded.getexif()


def test_exif_rotated_photo_comes_out_upright() -> None:
    out = prepare_for_screen(himg.exif_rotated_jpeg(), where="r.jpg")
    decoded = Image.open(io.BytesIO(out.data)).convert("RGB")
    assert decoded.size == (200, 300)
    r, _g, b = decoded.getpixel((100, 10))  # type: ignore[misc]
    assert r > 180 and b < 80  # red band on top
    r, _g, b = decoded.getpixel((100, 290))  # type: ignore[misc]
    assert b > 180 and r < 80
    assert not decoded.getexif()


def test_16bit_grey_keeps_its_range() -> None:
    img = open_image(himg.png16_grey(), where="g.png")
    assert img.mode == "L"
    _low, high = img.getextrema()  # type: ignore[misc]
    assert high > 200  # scaled, not clipped to white or crushed to black


# --- render and model JSON ----------------------------------------------------------------------


def test_render_drops_characters_xml_cannot_carry() -> None:
    assert text("a\x00b\x1bc\ud800d\ufffee<") == "abcde&lt;"
    article = Article(slug="x", headline="Bad \x00 \ud800 head")
    html = render_article_html(article)
    html.encode("utf-8")  # no lone surrogate survives
    assert "\x00" not in html


def test_model_json_is_type_checked() -> None:
    base = json.loads(to_json(Article(slug="x", headline="h")))
    for field, value in [
        ("headline", 5),
        ("tags", "abc"),
        ("authors", [{"type": "Paragraph", "content": []}]),
        ("published", "not a date"),
        ("lead", {"type": "Text", "text": "x"}),
        ("body", [{"type": "Subheading", "level": "2", "content": []}]),
        ("body", [{"type": "Subheading", "level": True, "content": []}]),
        ("body", [{"type": "Nope"}]),
        ("body", [{"type": "Paragraph"}]),
    ]:
        bad = dict(base, **{field: value})
        with pytest.raises((ValueError, TypeError)):
            from_json(json.dumps(bad))
    with pytest.raises(ValueError):
        from_json("[1, 2]")


def test_render_survives_a_deep_model() -> None:
    from printedition.model import BlockQuote, Paragraph, Text

    block: object = Paragraph(content=(Text(text="x"),))
    for _ in range(150):
        block = BlockQuote(blocks=(block,))  # type: ignore[arg-type]
    html = render_blocks((block,), RenderOptions(resolve_image=lambda r: None))  # type: ignore[arg-type]
    assert html.count("<blockquote>") == 150


def test_truncated_images_are_refused_even_after_weasyprint_loosens_pillow() -> None:
    import warnings

    from PIL import ImageFile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import weasyprint  # noqa: F401 - its import sets ImageFile.LOAD_TRUNCATED_IMAGES = True

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint's first import leaves it
    for name in ("truncated_jpeg", "corrupt_png"):
        with pytest.raises(ImageError, match="corrupt or truncated"):
            prepare_for_screen(getattr(himg, name)(), where=name)


@pytest.mark.parametrize(
    "name", ["png_bomb", "jpeg_bomb", "gif_bomb", "html_as_image", "bad_exif_jpeg"]
)
def test_probe_guards_like_open(name: str) -> None:
    from printedition.images import probe_image

    data = getattr(himg, name)()
    if name == "bad_exif_jpeg":
        assert probe_image(data, where=name) == (120, 80)
        return
    with pytest.raises(ImageError):
        probe_image(data, where=name)
    assert probe_image(himg.exif_rotated_jpeg(), where="r") == (200, 300)


def test_hostile_names_cannot_forge_lines_or_drive_the_terminal(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from printedition.cli import main

    folder = tmp_path / "a\nError: all is well\x1b[2J"
    folder.mkdir()
    page = folder / "index.html"
    page.write_text(cases.page('<img src="x&#10;Error: forged.jpg"/>'), encoding="utf-8")
    result = CliRunner().invoke(main, ["epub", str(page), "-o", str(tmp_path / "nope" / "x.epub")])
    lines = result.stderr.splitlines()
    assert sum(line.startswith("Error: ") for line in lines) == 1
    assert "\x1b" not in result.stderr
    assert all(line.startswith(("Error: ", "Warning: ")) for line in lines)


def test_unknown_bytes_and_tiff_are_not_images() -> None:
    import random

    tiff = io.BytesIO()
    Image.new("RGB", (10, 10)).save(tiff, "TIFF")
    junk = bytes(random.Random(5).randrange(256) for _ in range(600))
    for data in (tiff.getvalue(), junk, b"\x00" * 64):
        with pytest.raises(ImageError, match="not an image"):
            open_image(data, where="x")


# --- crashes the fuzzer found (bench/fuzz), kept as regressions -----------------------------------


@pytest.mark.parametrize(
    "attrs",
    [
        'width="' + "9" * 400 + '"',  # float(400-digit int) overflowed
        'width="' + "9" * 5000 + '"',  # int() refuses past 4,300 digits
        'srcset="a.jpg ' + "9" * 400 + 'w"',  # inf width, then int(inf)
        'srcset="a.jpg 1e999w, b.jpg nanw, c.jpg -5w, d.jpg 0w"',
    ],
)
def test_normaliser_survives_absurd_image_numbers(attrs: str) -> None:
    from printedition.ingest.normalise import normalise_article

    para = "<p>" + "The council met on Tuesday to discuss the budget for the year. " * 4 + "</p>"
    html = f"<html><body><article><h1>A headline here</h1>{para * 3}"
    html += f'<figure><img src="b.jpg" {attrs}/><figcaption>c</figcaption></figure>{para}'
    article = normalise_article(html + "</article></body></html>", "https://x.test/a/")
    assert article.body


def test_fuzzer_crash_input_is_refused_or_read() -> None:
    from printedition.errors import PrinteditionError
    from printedition.ingest.normalise import normalise_article

    data = (Path(__file__).parent / "hostile" / "fuzz-normalise-width-overflow.html").read_bytes()
    try:
        article = normalise_article(data, base_url="file:///fuzz/case/index.html")
    except PrinteditionError:
        return  # refusing the page is allowed; crashing on its 400-digit width is not
    assert article.body
    # The overflowing width is read as no width, never as a float infinity or a huge number.
    sizes = [(f.image.width, f.image.height) for f in figures(article)]
    assert sizes and all(v is None or 0 < v < 10**9 for size in sizes for v in size)
