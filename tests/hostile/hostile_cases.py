"""The hostile input set: each case is a folder (``index.html`` plus files) built at run time.

A case names what it attacks (its *class*, so a new example of the same class is defended the
same way), how to build it, and what a correct run gives for each command:

- ``"ok"``: the command succeeds and writes a valid output (warnings allowed);
- ``"error"``: exit code ≠ 0 and exactly one ``Error: …`` line naming the input;
- ``"either"``: one of the two (e.g. an article with no paragraphs may be refused or kept).

Every case is built beside a sibling folder ``outside/`` holding a secret photo and text file:
nothing from there (nor /etc/passwd) may ever reach an output. Used by tests/test_hostile*.py
and bench/hostile.py.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import hostile_images as img

SECRET_TEXT = "PRINTEDITION-SECRET-7f3a9c"
PASSWD_MARK = "root:x:0:0"
COMMANDS = ("normalise", "epub", "pdf", "issue")

BODY = " ".join(
    [
        "The council met on Tuesday to discuss the budget for the coming year, and the",
        "debate ran late into the evening as members argued over cuts to library hours,",
        "road repairs and the future of the swimming pool that has served the town since",
        "the nineteen-seventies.",
    ]
)


def page(
    body: str,
    *,
    headline: str = "Council budget row deepens",
    head: str = "",
    lang: str = "en-GB",
    paragraphs: int = 4,
) -> str:
    """A plain article page: ``body`` is placed after a few ordinary paragraphs."""
    paras = "\n".join(f"<p>{BODY} ({i + 1})</p>" for i in range(paragraphs))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{headline} | Test Times</title>{head}</head>\n<body><article>"
        f'<h1 class="entry-title">{headline}</h1>\n'
        f'<div class="entry-content">\n{paras}\n{body}\n</div></article></body></html>\n'
    )


def figure(src: str, caption: str = "A photo. Photo: Test Agency", extra: str = "") -> str:
    return f'<figure><img src="{src}" alt="a photo" {extra}/><figcaption>{caption}</figcaption></figure>'


Builder = Callable[[Path], None]

PHOTO_CLASSES = frozenset(
    {
        "local-file",
        "base-href",
        "ssrf",
        "scheme",
        "data-url",
        "svg",
        "image-bomb",
        "image-corrupt",
        "url-parse",
        "size",
    }
)


@dataclass(frozen=True)
class Case:
    name: str
    cls: str  # the class of attack or breakage this example stands for
    build: Builder
    expect: dict[str, str] = field(default_factory=dict)  # command → ok|error|either
    checks: tuple[str, ...] = ()  # extra output checks: "upright", "no-secret", "glyph-warning"...
    heavy: bool = False  # large input: built and run only when asked (bench, slow tests)
    extra_roots: tuple[str, ...] = ()  # folders (under the build root) this input may read
    # False when the input lies about where it came from (a model JSON whose source_url is
    # /etc/passwd): an error may then name the claimed source rather than the file.
    names_input: bool = True

    def expected(self, command: str) -> str:
        found = self.expect.get(command, self.expect.get("*", "ok"))
        if command == "pdf" and found == "ok" and self.cls in PHOTO_CLASSES:
            # ``pdf`` is strict about photos by design (a press file with a photo missing
            # must not go out silently); the issue build warns and carries on instead.
            return "either"
        return found


def _html(text: str) -> Builder:
    def build(folder: Path) -> None:
        (folder / "index.html").write_text(text, encoding="utf-8")

    return build


def _html_with(text: str, files: dict[str, bytes]) -> Builder:
    def build(folder: Path) -> None:
        (folder / "index.html").write_text(text, encoding="utf-8")
        for name, data in files.items():
            (folder / name).write_bytes(data)

    return build


def _raw(data: Callable[[], bytes]) -> Builder:
    def build(folder: Path) -> None:
        (folder / "index.html").write_bytes(data())

    return build


def build_outside(root: Path) -> Path:
    """The folder every case tries to reach: ``root/outside`` with a photo and a secret."""
    outside = root / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.jpg").write_bytes(img.secret_jpeg())
    (outside / "secret.txt").write_text(SECRET_TEXT + "\n" + PASSWD_MARK + "\n")
    (outside / "secret.css").write_text(
        f'body::before {{ content: "{SECRET_TEXT}"; }} img {{ background: url(secret.jpg); }}'
    )
    (outside / "secret.html").write_text(f"<p>{SECRET_TEXT}</p>")
    (outside / "secret.svg").write_bytes(img.SVG_SCRIPT)
    return outside


def _leaks(folder_name: str) -> Builder:
    """A page that tries every way of pulling in a file from outside its folder."""

    def build(folder: Path) -> None:
        outside = (folder.parent / "outside").resolve()
        secret = outside / "secret.jpg"
        hrefs = {
            "file-url": [f"file://{secret}", "file:///etc/passwd", "FILE:///etc/passwd"],
            "file-host": ["file://localhost/etc/passwd", "file://evil.example/share/x.jpg"],
            "absolute-path": [str(secret), "/etc/passwd", "/proc/self/environ"],
            "dotdot": [
                "../outside/secret.jpg",
                "../../../../../../etc/passwd",
                "..%2Foutside%2Fsecret.jpg",
                "sub/../../outside/secret.jpg",
            ],
            "symlink": ["link.jpg", "linkdir/secret.jpg"],
            "nul-byte": ["photo.jpg%00.png", "../outside/secret.jpg%00"],
        }[folder_name]
        figs = "\n".join(figure(h, f"Figure {i}. Photo: Agency") for i, h in enumerate(hrefs))
        (folder / "index.html").write_text(page(figs), encoding="utf-8")
        (folder / "photo.jpg").write_bytes(img.photo_jpeg())
        if folder_name == "symlink":
            (folder / "link.jpg").symlink_to(secret)
            (folder / "linkdir").symlink_to(outside, target_is_directory=True)

    return build


def _leak_markup(folder: Path) -> None:
    """srcset, lazy attributes, CSS url(), @import, <link>, iframe, object, embed, SVG."""
    secret = (folder.parent / "outside" / "secret.jpg").resolve()
    body = f"""
<figure><img src="photo.jpg" srcset="../outside/secret.jpg 4000w, file:///etc/passwd 3000w, photo.jpg 640w" alt="x"/><figcaption>Srcset. Photo: A</figcaption></figure>
<figure><img src="photo.jpg" data-src="../outside/secret.jpg" data-lazy-src="file://{secret}" data-srcset="/etc/passwd 9999w" alt="x"/><figcaption>Lazy. Photo: B</figcaption></figure>
<picture><source srcset="file://{secret} 5000w" type="image/jpeg"/><img src="photo.jpg" alt="pic"/></picture>
<noscript><img src="../outside/secret.jpg"/></noscript>
<div style="background-image: url('../outside/secret.jpg'); width: 10px">styled</div>
<p style="background: url(file:///etc/passwd)">Styled paragraph with url().</p>
<style>@import url("../outside/secret.css"); @import 'file:///etc/passwd'; body {{ background: url(../outside/secret.jpg) }}</style>
<iframe src="../outside/secret.html" width="10" height="10"></iframe>
<iframe srcdoc="&lt;img src=file:///etc/passwd&gt;"></iframe>
<object data="../outside/secret.svg" type="image/svg+xml"></object>
<embed src="file:///etc/passwd"/>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20"><image href="../outside/secret.jpg" width="20" height="20"/><image xlink:href="file:///etc/passwd"/></svg>
<img src="../outside/secret.svg" alt="svg"/>
<video poster="../outside/secret.jpg" src="file:///etc/passwd"></video>
<audio src="../outside/secret.txt"></audio>
<input type="image" src="../outside/secret.jpg"/>
<table background="../outside/secret.jpg"><tr><td background="file:///etc/passwd">cell</td></tr></table>
"""
    head = '<link rel="stylesheet" href="../outside/secret.css"/><link rel="icon" href="../outside/secret.jpg"/><link rel="preload" as="image" href="file:///etc/passwd"/>'
    (folder / "index.html").write_text(page(body, head=head), encoding="utf-8")
    (folder / "photo.jpg").write_bytes(img.photo_jpeg())


def _base_tricks(folder: Path) -> None:
    head = '<base href="file:///etc/"/>'
    body = figure("passwd") + figure("../outside/secret.jpg") + figure("photo.jpg")
    (folder / "index.html").write_text(page(body, head=head), encoding="utf-8")
    (folder / "photo.jpg").write_bytes(img.photo_jpeg())


def _base_remote(folder: Path) -> None:
    head = '<base href="http://169.254.169.254/latest/meta-data/"/>'
    body = figure("iam/security-credentials/role.jpg") + figure("photo.jpg")
    (folder / "index.html").write_text(page(body, head=head), encoding="utf-8")
    (folder / "photo.jpg").write_bytes(img.photo_jpeg())


FORBIDDEN_HOSTS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://[fd00:ec2::254]/latest/",
    "http://100.100.100.200/latest/meta-data/",
    "http://127.0.0.1/x.jpg",
    "http://127.1/x.jpg",
    "http://2130706433/x.jpg",
    "http://0177.0.0.1/x.jpg",
    "http://0x7f.0.0.1/x.jpg",
    "http://0x7f000001/x.jpg",
    "http://[::1]/x.jpg",
    "http://[::ffff:127.0.0.1]/x.jpg",
    "http://[::ffff:a9fe:a9fe]/x.jpg",
    "http://[64:ff9b::a9fe:a9fe]/x.jpg",
    "http://localhost/x.jpg",
    "http://localhost.localdomain/x.jpg",
    "http://LOCALHOST./x.jpg",
    "http://foo.localhost/x.jpg",
    "http://10.0.0.1/x.jpg",
    "http://172.16.0.1/x.jpg",
    "http://192.168.1.1/x.jpg",
    "http://100.64.0.1/x.jpg",
    "http://[fe80::1]/x.jpg",
    "http://[fc00::1]/x.jpg",
    "http://0.0.0.0/x.jpg",
    "http://user@127.0.0.1:80@example.com/x.jpg",
    "https://127.0.0.1:443/x.jpg",
    "http://[::1/x.jpg",
    "gopher://127.0.0.1:6379/_INFO",
    "ftp://127.0.0.1/x.jpg",
    "dict://127.0.0.1:11211/stat",
]


def _forbidden_addresses(folder: Path) -> None:
    figs = "\n".join(figure(u, f"Remote {i}. Photo: X") for i, u in enumerate(FORBIDDEN_HOSTS))
    links = "".join(f'<p>See <a href="{u}">this</a>.</p>' for u in FORBIDDEN_HOSTS[:4])
    (folder / "index.html").write_text(page(figs + links), encoding="utf-8")


def _schemes(folder: Path) -> None:
    body = (
        figure("javascript:alert(document.cookie)")
        + figure("vbscript:msgbox(1)")
        + figure("data:text/html,<script>alert(1)</script>")
        + figure("data:image/svg+xml;base64," + base64.b64encode(img.SVG_XXE).decode())
        + figure("data:image/jpeg;base64,!!!!not-base64")
        + figure("data:image/jpeg;base64," + base64.b64encode(img.photo_jpeg((200, 120))).decode())
        + figure("about:blank")
        + figure("blob:http://127.0.0.1/uuid")
        + figure("jar:file:///etc/passwd!/x")
        + '<p><a href="javascript:alert(1)">click</a> and <a href="  JaVaScRiPt:alert(1)">this</a>'
        + ' and <a href="data:text/html,<script>x</script>">that</a>'
        + ' and <a href="file:///etc/passwd">passwd</a></p>'
        + '<p onclick="alert(1)" onmouseover="fetch(\'http://169.254.169.254/\')">Handlers.</p>'
        + "<script>document.write('<img src=file:///etc/passwd>')</script>"
    )
    (folder / "index.html").write_text(page(body), encoding="utf-8")


def _huge_attributes(folder: Path) -> None:
    """Numbers no layout should take at their word."""
    (folder / "photo.jpg").write_bytes(img.photo_jpeg())
    body = (
        f'<ol start="{"9" * 5000}"><li>one</li><li>two</li></ol>'
        '<ol start="-99999999999"><li>minus</li></ol>'
        '<table><tr><th colspan="999999999">Head</th><th rowspan="4294967296">R</th></tr>'
        '<tr><td colspan="-5">a</td><td colspan="1e9">b</td><td rowspan="0">c</td></tr></table>'
        '<img src="photo.jpg" width="99999999999" height="-1" alt="x"/>'
        "<h7>Not a heading</h7><h0>Nor this</h0>"
        '<p style="font-size: 99999px; width: 99999999px">Styled big.</p>'
    )
    (folder / "index.html").write_text(page(body), encoding="utf-8")


def _malformed_urls(folder: Path) -> None:
    head = '<base href="http://[::1"/><link rel="canonical" href="http://[bad"/><meta property="og:image" content="http://[::1/x"/>'
    body = (
        figure("http://[::1/x.jpg")
        + figure("photo.jpg", extra='srcset="http://[ 100w, :::: 2x, photo.jpg 1e999w, ,,, 5w"')
        + '<p><a href="http://[">bad link</a> <a href="https://exa mple.com/">space</a> <a href="http://%zz/">pct</a></p>'
        + figure("//[::1]:99999/x.jpg")
        + figure("http://example.com:99999999/x.jpg")
        + figure("photo.jpg")
    )
    (folder / "index.html").write_text(page(body, head=head), encoding="utf-8")
    (folder / "photo.jpg").write_bytes(img.photo_jpeg())


def _huge_data_url(folder: Path) -> None:
    payload = base64.b64encode(b"\xff\xd8\xff" + b"\0" * (7 * 1024 * 1024)).decode()
    body = figure(f"data:image/jpeg;base64,{payload}") + figure("photo.jpg")
    (folder / "index.html").write_text(page(body), encoding="utf-8")
    (folder / "photo.jpg").write_bytes(img.photo_jpeg())


def _svg_files(folder: Path) -> None:
    (folder / "xxe.svg").write_bytes(img.SVG_XXE)
    (folder / "laughs.svg").write_bytes(img.SVG_LAUGHS)
    (folder / "script.svg").write_bytes(img.SVG_SCRIPT)
    (folder / "xxe.jpg").write_bytes(img.SVG_XXE)  # SVG pretending to be a JPEG
    (folder / "photo.jpg").write_bytes(img.photo_jpeg())
    inline = img.SVG_LAUGHS.decode().split("?>", 1)[1]
    body = figure("xxe.svg") + figure("laughs.svg") + figure("script.svg") + figure("xxe.jpg")
    body += figure("photo.jpg") + f"<div>{inline}</div>"
    (folder / "index.html").write_text(page(body), encoding="utf-8")


def _xxe_page(folder: Path) -> None:
    """The page itself as XHTML with entities: the parser must not expand external ones."""
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
        '<!ENTITY sec SYSTEM "../outside/secret.txt">'
        '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + "]>\n"
        + page("<p>&xxe; &sec; &j;</p>").split("\n", 1)[1]
    )
    (folder / "index.html").write_text(text, encoding="utf-8")


def _image_case(name: str, data: Callable[[], bytes], ext: str = ".jpg") -> Builder:
    def build(folder: Path) -> None:
        (folder / f"picture{ext}").write_bytes(data())
        (folder / "photo.jpg").write_bytes(img.photo_jpeg())
        body = figure(f"picture{ext}", f"The {name} image. Photo: Agency") + figure("photo.jpg")
        (folder / "index.html").write_text(page(body), encoding="utf-8")

    return build


def _deep_nesting(depth: int, tag: str = "div") -> Builder:
    def build(folder: Path) -> None:
        inner = f"<p>{BODY} deep</p>"
        text = page(f"<{tag}>" * depth + inner + f"</{tag}>" * depth)
        (folder / "index.html").write_text(text, encoding="utf-8")

    return build


def _unclosed_nesting(folder: Path) -> None:
    (folder / "index.html").write_text(
        page("<div><span><b><i>" * 15_000 + "<p>end</p>"), encoding="utf-8"
    )


def _huge_page(folder: Path) -> None:
    with open(folder / "index.html", "w", encoding="utf-8") as fh:
        fh.write(page("<p>start</p>").split("<p>start</p>")[0])
        chunk = f"<p>{BODY}</p>\n" * 1000
        written = 0
        while written < 100 * 1024 * 1024:
            fh.write(chunk)
            written += len(chunk)
        fh.write("</div></article></body></html>")


def _million_paragraphs(folder: Path) -> None:
    (folder / "index.html").write_text(page("<p>a</p>" * 1_000_000), encoding="utf-8")


def _many_images(folder: Path) -> None:
    (folder / "photo.jpg").write_bytes(img.photo_jpeg((64, 48)))
    body = "".join(f'<p>Para {i}</p><img src="photo.jpg?{i}" alt=""/>' for i in range(3000))
    (folder / "index.html").write_text(page(body), encoding="utf-8")


def _invalid_utf8() -> bytes:
    text = page("<p>Caf\xe9 bytes: XXX and more text here.</p>").encode("utf-8")
    return text.replace(b"XXX", b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xed\xa0\x80")


def _utf16_bom() -> bytes:
    text = page("<p>Zoë Brontë met Ørjan in Kraków — “quoted”.</p>").replace(
        '<meta charset="utf-8">', ""
    )
    return b"\xff\xfe" + text.encode("utf-16-le")


def _utf16_no_bom_lying_meta() -> bytes:
    return page("<p>Zoë says hi.</p>").encode("utf-16-be")


def _nul_bytes() -> bytes:
    text = page(
        "<p>Nul\0 bytes\0 in\0 the\0 text and a\x01control\x1b[31m escape\x7f.</p>"
    ).encode()
    return text.replace(b"<h1", b"\0\0<h1")


def _control_chars(folder: Path) -> None:
    text = page(
        "<p>Form\x0cfeed, vertical\x0btab, \ufffe non-char, \ud7ff ok, bidi \u202eevil\u202c, "
        "zero\u200bwidth, soft\u00adhyphen, BOM\ufeffinside, &#0; &#xD800; &#x110000; &#1;</p>"
    ).encode("utf-8", "surrogatepass")
    (folder / "index.html").write_bytes(text)


def _rtl_cjk_emoji(folder: Path) -> None:
    body = (
        '<p lang="ar" dir="rtl">قال رئيس المجلس إن الميزانية ستُناقش الأسبوع المقبل.</p>'
        '<p lang="he" dir="rtl">ראש המועצה אמר שהתקציב יידון בשבוע הבא.</p>'
        '<p lang="zh">市议会周二开会讨论明年的预算。</p>'
        '<p lang="ja">議会は火曜日に来年度の予算を審議した。</p>'
        '<p lang="ko">시의회는 화요일에 내년 예산을 논의했다.</p>'
        "<p>Emoji: 🎉👩🏽‍⚕️🇬🇧 and symbols ∑ ≠ ∞ ☃ and Devanagari नमस्ते and Thai สวัสดี.</p>"
    )
    (folder / "index.html").write_text(
        page(body, headline="Budget 预算 الميزانية 🎉"), encoding="utf-8"
    )


def _long_words(folder: Path) -> None:
    word = "Llanfairpwllgwyngyll" * 25
    url = (
        "https://example.com/" + "/".join(["averyveryverylongpathsegment"] * 20) + "?q=" + "x" * 300
    )
    body = (
        f"<p>A word longer than any column: {word} and it goes on.</p>"
        f'<p>A URL: <a href="{url}">{url}</a></p>'
        f"<p>{'A' * 2000}</p>"
        f"<table><tr><td>{word}</td><td>{url}</td></tr></table>"
        f"<pre>{'x' * 3000}</pre>"
    )
    (folder / "index.html").write_text(page(body), encoding="utf-8")


def _no_spaces(letters: int) -> Builder:
    """One paragraph of ``letters`` letters without a space (a pasted blob, a spammer's line):
    a layout that searches it for a break takes minutes and gigabytes."""

    def build(folder: Path) -> None:
        run = (string.ascii_lowercase * (letters // 26 + 1))[:letters]
        (folder / "index.html").write_text(page(f"<p>{run}</p>"), encoding="utf-8")

    return build


def _wide_table(folder: Path) -> None:
    """A table of 20,000 columns (a spreadsheet pasted sideways)."""
    head = "".join(f"<th>c{i}</th>" for i in range(20_000))
    row = "".join(f"<td>{i}</td>" for i in range(20_000))
    table = f"<table><thead><tr>{head}</tr></thead><tbody><tr>{row}</tr></tbody></table>"
    (folder / "index.html").write_text(page(table), encoding="utf-8")


def _long_headline(folder: Path) -> None:
    headline = " ".join(f"word{i}" for i in range(300))
    (folder / "index.html").write_text(page("", headline=headline), encoding="utf-8")


def _no_paragraphs(folder: Path) -> None:
    (folder / "photo.jpg").write_bytes(img.photo_jpeg())
    text = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Pictures only</title></head>'
        '<body><article><h1>Pictures only</h1><figure><img src="photo.jpg" alt="x"/>'
        "<figcaption>Only a photo. Photo: A</figcaption></figure>"
        "<ul><li>one</li><li>two</li></ul></article></body></html>"
    )
    (folder / "index.html").write_text(text, encoding="utf-8")


def _headline_only(folder: Path) -> None:
    (folder / "index.html").write_text(
        "<!DOCTYPE html><html><head><title>Nothing here</title></head><body><h1>Nothing here</h1></body></html>",
        encoding="utf-8",
    )


def _json_model(data: Callable[[Path], str]) -> Builder:
    def build(folder: Path) -> None:
        (folder / "photo.jpg").write_bytes(img.photo_jpeg())
        (folder / "index.html").write_text(data(folder), encoding="utf-8", errors="surrogatepass")

    return build


def _model(body: list[dict[str, object]], **extra: object) -> dict[str, object]:
    return {
        "type": "Article",
        "model_version": 1,
        "slug": "x",
        "headline": "Model input",
        "body": body,
        **extra,
    }


def _para(text: str) -> dict[str, object]:
    return {"type": "Paragraph", "content": [{"type": "Text", "text": text}]}


def _fig(url: str) -> dict[str, object]:
    return {
        "type": "Figure",
        "image": {"type": "ImageRef", "url": url},
        "caption": [],
        "credit": "X",
    }


def _json_leak(folder: Path) -> str:
    secret = (folder.parent / "outside" / "secret.jpg").resolve()
    body = [
        _para(BODY),
        _fig(f"file://{secret}"),
        _fig("file:///etc/passwd"),
        _fig("http://169.254.169.254/x"),
    ]
    return json.dumps(_model(body, source_url="file:///etc/passwd", lead=_fig(f"file://{secret}")))


def _json_source_root(folder: Path) -> str:
    """A model claiming it came from a page beside the secret: that folder is not handed over."""
    outside = (folder.parent / "outside").resolve()
    body = [_para(BODY), _fig(f"file://{outside}/secret.jpg")]
    return json.dumps(_model(body, source_url=f"file://{outside}/secret.html"))


def _json_bad_types(folder: Path) -> str:
    body = [
        {"type": "Subheading", "level": '2"><script>alert(1)</script>', "content": []},
        {"type": "ListBlock", "ordered": True, "start": '1" onload="x', "items": []},
        {"type": "Paragraph", "content": "not a list"},
    ]
    return json.dumps(_model(body))


def _json_surrogates(folder: Path) -> str:
    return json.dumps(_model([_para("lone \ud800 surrogate and \x00 nul and \x1b esc")]))


def _json_deep(folder: Path) -> str:
    depth = 5000  # written by hand: json.dumps itself cannot nest this deep
    inner = json.dumps(_para("deep"))
    opened = '{"type": "BlockQuote", "blocks": [' * depth
    body = opened + inner + "]}" * depth
    return json.dumps(_model([])).replace('"body": []', f'"body": [{body}]')


def _json_huge_numbers(folder: Path) -> str:
    body = [
        {"type": "ListBlock", "ordered": True, "start": 10**400, "items": []},
        {
            "type": "Table",
            "rows": [
                {
                    "type": "TableRow",
                    "cells": [
                        {"type": "TableCell", "content": [], "colspan": 10**9, "rowspan": -5}
                    ],
                }
            ],
        },
        {"type": "Subheading", "level": 10**6, "content": [{"type": "Text", "text": "x"}]},
        _para(BODY),
    ]
    return json.dumps(_model(body))


def _json_bad_dates(folder: Path) -> str:
    return json.dumps(_model([_para(BODY)], published="not a date", updated="9999-99-99"))


def _binary(folder: Path) -> None:
    import random

    rng = random.Random(6)
    (folder / "index.html").write_bytes(bytes(rng.randrange(256) for _ in range(20_000)))


def _empty(folder: Path) -> None:
    (folder / "index.html").write_bytes(b"")


def _fifo(folder: Path) -> None:
    os.mkfifo(folder / "index.html")  # the first read would wait for a writer for ever


def _device(folder: Path) -> None:
    (folder / "index.html").symlink_to("/dev/zero")  # a read that never ends


def _whitespace_only(folder: Path) -> None:
    (folder / "index.html").write_text(" \n\t\n " * 100)


ERR = {"*": "error"}
EITHER = {"*": "either"}
# normalise and the issue build read pages (HTML), so a model JSON given to them may be
# refused or read as text; epub and pdf read it as a model.
JSON_OK = {"normalise": "either", "issue": "either", "*": "ok"}
JSON_ERR = {"normalise": "either", "issue": "either", "*": "error"}

CASES: tuple[Case, ...] = (
    # --- reading outside the folder ------------------------------------------------------------
    Case("file-url", "local-file", _leaks("file-url"), checks=("no-secret",)),
    Case("file-url-remote-host", "local-file", _leaks("file-host"), checks=("no-secret",)),
    Case("absolute-path", "local-file", _leaks("absolute-path"), checks=("no-secret",)),
    Case("dotdot-path", "local-file", _leaks("dotdot"), checks=("no-secret",)),
    Case("symlink-out", "local-file", _leaks("symlink"), checks=("no-secret",)),
    Case("nul-in-path", "local-file", _leaks("nul-byte"), checks=("no-secret",)),
    Case("markup-that-loads", "local-file", _leak_markup, checks=("no-secret",)),
    Case("base-href-file", "base-href", _base_tricks, checks=("no-secret",)),
    Case("base-href-metadata", "base-href", _base_remote, checks=("no-secret",)),
    Case("xhtml-entities", "xml-entities", _xxe_page, expect=EITHER, checks=("no-secret",)),
    # --- network ------------------------------------------------------------------------------
    Case("forbidden-addresses", "ssrf", _forbidden_addresses, checks=("no-secret",)),
    Case("odd-schemes", "scheme", _schemes, checks=("no-secret",)),
    Case("huge-data-url", "data-url", _huge_data_url),
    Case("malformed-urls", "url-parse", _malformed_urls),
    # --- SVG -------------------------------------------------------------------------------------
    Case("svg-xxe-laughs-script", "svg", _svg_files, checks=("no-secret",)),
    # --- images ----------------------------------------------------------------------------------
    Case("png-bomb", "image-bomb", _image_case("bomb", img.png_bomb, ".png")),
    Case("jpeg-bomb", "image-bomb", _image_case("bomb", img.jpeg_bomb)),
    Case("gif-bomb", "image-bomb", _image_case("bomb", img.gif_bomb, ".gif")),
    Case(
        "png-zlib-bomb",
        "image-bomb",
        _image_case("zlib bomb", img.png_zlib_bomb, ".png"),
        heavy=True,
    ),
    Case("truncated-jpeg", "image-corrupt", _image_case("truncated", img.truncated_jpeg)),
    Case("corrupt-png", "image-corrupt", _image_case("corrupt", img.corrupt_png, ".png")),
    Case("html-as-image", "image-corrupt", _image_case("html", img.html_as_image)),
    Case("empty-image", "image-corrupt", _image_case("empty", lambda: b"")),
    Case("bad-exif", "image-corrupt", _image_case("bad exif", img.bad_exif_jpeg)),
    Case("cmyk-jpeg", "image-colour", _image_case("cmyk", img.cmyk_jpeg)),
    Case("png-16bit-grey", "image-colour", _image_case("16-bit grey", img.png16_grey, ".png")),
    Case("png-16bit-rgb", "image-colour", _image_case("16-bit rgb", img.png16_rgb, ".png")),
    Case(
        "palette-transparent",
        "image-colour",
        _image_case("palette", img.palette_png_transparent, ".png"),
    ),
    Case("animated-gif", "image-colour", _image_case("animated", img.animated_gif, ".gif")),
    Case("webp", "image-colour", _image_case("webp", img.webp_photo, ".webp")),
    Case(
        "exif-rotated",
        "image-orientation",
        _image_case("rotated", img.exif_rotated_jpeg),
        checks=("upright",),
    ),
    Case("many-images", "size", _many_images, expect=EITHER),
    # --- size and structure ----------------------------------------------------------------------
    Case("deep-nesting-60000", "nesting", _deep_nesting(60_000), expect=EITHER),
    Case("deep-nesting-inline", "nesting", _deep_nesting(60_000, "b"), expect=EITHER),
    Case("unclosed-nesting", "nesting", _unclosed_nesting, expect=EITHER),
    Case("huge-attributes", "numbers", _huge_attributes),
    Case("page-100mb", "size", _huge_page, expect=ERR, heavy=True),
    Case("million-paragraphs", "size", _million_paragraphs, expect=EITHER, heavy=True),
    Case("empty-file", "empty", _empty, expect=ERR),
    Case("whitespace-only", "empty", _whitespace_only, expect=ERR),
    Case("fifo-input", "special-file", _fifo, expect=ERR),
    Case("device-input", "special-file", _device, expect=ERR),
    Case("binary-file", "encoding", _binary, expect=ERR),
    Case("headline-only", "empty", _headline_only, expect=EITHER),
    Case("no-paragraphs", "empty", _no_paragraphs, expect=EITHER),
    # --- encodings -------------------------------------------------------------------------------
    Case("invalid-utf8", "encoding", _raw(_invalid_utf8)),
    Case("utf16-bom", "encoding", _raw(_utf16_bom)),
    Case("utf16-no-bom", "encoding", _raw(_utf16_no_bom_lying_meta), expect=EITHER),
    Case("nul-bytes", "encoding", _raw(_nul_bytes), expect=EITHER),
    Case("control-chars", "encoding", _control_chars),
    # --- text ------------------------------------------------------------------------------------
    Case("rtl-cjk-emoji", "script", _rtl_cjk_emoji, checks=("glyph-warning",)),
    Case("long-words", "overflow", _long_words, checks=("no-overflow",)),
    Case("headline-300-words", "overflow", _long_headline, expect=EITHER),
    # (Each stalled the press for minutes before runs were capped and layouts timed.)
    Case("word-200k-letters", "stall", _no_spaces(200_000), checks=("no-overflow",)),
    Case("paragraph-2mb-no-spaces", "stall", _no_spaces(2_000_000), checks=("no-overflow",)),
    Case("table-20000-columns", "stall", _wide_table, checks=("no-overflow",)),
    # --- model JSON inputs ------------------------------------------------------------------------
    # (``normalise`` reads HTML, so a model JSON given to it may be refused or read as text.)
    Case(
        "json-leak",
        "local-file",
        _json_model(_json_leak),
        expect=JSON_OK,
        checks=("no-secret",),
        names_input=False,
    ),
    # By design a model lends the folder of the page it was normalised from (an existing
    # .html file): the model names it, so the user handed it over. See ingest/load.py.
    Case(
        "json-source-root",
        "by-design",
        _json_model(_json_source_root),
        expect=JSON_OK,
        extra_roots=("outside",),
    ),
    Case("json-bad-types", "json", _json_model(_json_bad_types), expect=JSON_ERR),
    Case("json-surrogates", "json", _json_model(_json_surrogates), expect=EITHER),
    Case("json-deep", "json", _json_model(_json_deep), expect=JSON_ERR),
    Case("json-huge-numbers", "json", _json_model(_json_huge_numbers), expect=EITHER),
    Case("json-bad-dates", "json", _json_model(_json_bad_dates), expect=JSON_ERR),
)

BY_NAME = {c.name: c for c in CASES}


def input_name(case: Case) -> str:
    return "index.json" if case.name.startswith("json-") else "index.html"


def build_case(case: Case, root: Path) -> Path:
    """Build ``case`` under ``root`` (beside ``root/outside``); returns the input file."""
    build_outside(root)
    folder = root / case.name
    if folder.exists():
        shutil.rmtree(folder)  # built afresh for every run
    folder.mkdir(parents=True)
    case.build(folder)
    src = folder / "index.html"
    if case.name.startswith("json-"):
        dest = folder / "index.json"
        src.rename(dest)
        return dest
    return src
