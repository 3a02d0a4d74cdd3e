"""Raw post content (as a WXR export holds it) → the HTML WordPress would render for it.

Goes in: ``post_content`` as stored: block comments (``<!-- wp:paragraph -->``), unrendered
shortcodes, and for classic-editor posts no ``<p>`` at all (paragraphs are blank-line
separated). Comes out: HTML with paragraphs, ``[caption]`` as a captioned figure, other
shortcodes reduced to their enclosed content, block comments gone, the typography
``wptexturize`` gives (curly quotes, dashes, ellipses).

The paragraph rules are those of WordPress's ``wpautop`` (wp-includes/formatting.php), which
runs only on posts without blocks, as ``do_blocks`` decides.
"""

from __future__ import annotations

import html
import re

_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section"
    r"|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_BLOCK_COMMENT = re.compile(r"\s*/?wp:", re.S)  # a comment's text that makes it a block's
_PRE = re.compile(r"<pre[\s>]", re.I)
_SHORTCODE = re.compile(r"\[(/?)([a-zA-Z][\w-]*)(\s[^\]\[]*)?\]")
_CLOSER = re.compile(r"\[/([a-zA-Z][\w-]*)\]")
# WordPress's own shortcodes (plugins add more: those are known by attributes or a closer).
_CORE = {"caption", "wp_caption", "gallery", "playlist", "audio", "video", "embed"}
_WHOLE_SHORTCODE = re.compile(r"\[([a-zA-Z][\w-]*)[^\]]*\].*\[/\1\]", re.S)
_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"|(\w+)\s*=\s*\'([^\']*)\'')
_IMG_OR_LINK = re.compile(r"^\s*((?:<a [^>]*>\s*)?<img [^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)


# wptexturize: only text outside tags and shortcodes, never inside these elements.
_NO_TEXTURIZE = {"pre", "code", "kbd", "style", "script", "tt", "textarea"}
_OPENERS = re.compile(r"[<\[]")
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][\w-]*)")
_TEXTURIZE = (
    (re.compile(r"\.\.\."), "\u2026"),
    (re.compile(r"``"), "\u201c"),
    (re.compile(r"''"), "\u201d"),
    (re.compile(r" \(tm\)", re.I), " \u2122"),
    (re.compile(r"---"), "\u2014"),
    (re.compile(r"(?<!\S)--(?!\S)"), "\u2014"),
    (re.compile(r"(?<!xn)--"), "\u2013"),
    (re.compile(r"(?<!\S)-(?!\S)"), "\u2013"),
    (re.compile(r"\b(\d[\d.,]{0,20})x(-?\d[\d.,]{0,20})\b"), "\\1\u00d7\\2"),
    (re.compile(r"'(?=\d\d(?:\Z|(?![%\d]|[.,]\d)))"), "\u2019"),  # '90s
    (re.compile(r"(?:(?<=\A)|(?<=[\s(\[{\"-]))'"), "\u2018"),
    (re.compile(r"'"), "\u2019"),
    (re.compile(r"(?:(?<=\A)|(?<=[\s(\[{-]))\"(?!\s)"), "\u201c"),
    (re.compile(r"\""), "\u201d"),
)


def wptexturize(text: str) -> str:
    """WordPress's ``wptexturize`` for its common cases: curly quotes and apostrophes,
    dashes, ellipses, × between numbers (the_content and the_title run it; an export holds
    the text as typed)."""
    out: list[str] = []
    skip: list[str] = []
    for markup, part in _split_markup(text):
        if markup:  # a tag, comment or shortcode: kept as it is
            tag = _TAG_NAME.match(part)
            if tag and tag.group(2).lower() in _NO_TEXTURIZE and not part.endswith("/>"):
                if tag.group(1):
                    if skip and skip[-1] == tag.group(2).lower():
                        skip.pop()
                else:
                    skip.append(tag.group(2).lower())
        elif not skip:
            for pattern, replacement in _TEXTURIZE:
                part = pattern.sub(replacement, part)
        out.append(part)
    return "".join(out)


def _split_markup(text: str) -> list[tuple[bool, str]]:
    """Text and markup (tags, comments, one-line shortcodes) in order. Each search's answer
    is kept until passed, so text full of unclosed ``<`` or ``[`` costs linear time."""
    pieces: list[tuple[bool, str]] = []
    n = len(text)
    found = {">": -1, "]": -1, "\n": -1, "-->": -1}

    def next_of(token: str, start: int) -> int:
        if found[token] < start and found[token] != n:
            at = text.find(token, start)
            found[token] = n if at < 0 else at
        return found[token]

    pos = text_from = 0
    while True:
        m = _OPENERS.search(text, pos)
        if m is None:
            break
        at = m.start()
        if text.startswith("<!--", at):
            close = next_of("-->", at + 4)
            end = close + 3 if close < n else -1
        elif m.group() == "<":
            close = next_of(">", at)
            end = close + 1 if close < n else -1
        else:
            close = next_of("]", at)
            end = close + 1 if close < n and close < next_of("\n", at) else -1
        if end < 0:
            pos = at + 1
            continue
        if at > text_from:
            pieces.append((False, text[text_from:at]))
        pieces.append((True, text[at:end]))
        pos = text_from = end
    if text_from < n:
        pieces.append((False, text[text_from:]))
    return pieces


def has_blocks(content: str) -> bool:
    return "<!-- wp:" in content


def render_content(content: str) -> str:
    """What ``the_content`` makes of raw post content, for the parts a printed page needs."""
    blocks = has_blocks(content)
    content = wptexturize(strip_block_comments(content))
    if not blocks:
        # the_content's order: wpautop (priority 10), shortcode_unautop, do_shortcode (11)
        content = shortcode_unautop(wpautop(content))
    return render_shortcodes(content)


def strip_block_comments(content: str) -> str:
    """Without ``<!-- wp:… -->`` and ``<!-- /wp:… -->`` (other comments stay). Found with
    ``str.find``: linear time, whatever a hostile post holds."""
    out: list[str] = []
    pos = 0
    while True:
        start = content.find("<!--", pos)
        end = content.find("-->", start + 4) if start >= 0 else -1
        if end < 0:
            break
        if _BLOCK_COMMENT.match(content, start + 4, end):
            out.append(content[pos:start])
            pos = end + 3
            while pos < len(content) and content[pos] in " \t\r\n":
                pos += 1
        else:
            out.append(content[pos : end + 3])
            pos = end + 3
    out.append(content[pos:])
    return "".join(out)


def shortcode_unautop(text: str) -> str:
    """WordPress's ``shortcode_unautop``: a paragraph that is one shortcode loses its ``<p>``."""
    parts = text.split("</p>")
    out: list[str] = []
    for k, chunk in enumerate(parts):
        if k == len(parts) - 1:
            out.append(chunk)
            break
        start = chunk.rfind("<p>")
        inner = chunk[start + 3 :].strip() if start >= 0 else ""
        if inner and _WHOLE_SHORTCODE.fullmatch(inner):
            out.append(chunk[:start] + inner)
            if k + 1 < len(parts):
                parts[k + 1] = parts[k + 1].lstrip("\n")
        else:
            out.append(chunk + "</p>")
    return "".join(out)


def render_shortcodes(content: str) -> str:
    """``[caption]`` → ``<figure class="wp-caption">`` with a figcaption (as WordPress writes
    it for themes with HTML5 captions); any other shortcode is reduced to what it encloses.

    Only what is surely a shortcode is touched (a core name, attributes, a closing tag):
    "[sic]" or "[Updated at 3pm]" in a story is text. One pass over the tags, so a hostile
    post full of unclosed brackets costs linear time.
    """
    closers = {m.group(1).lower() for m in _CLOSER.finditer(content)}
    out: list[str] = []
    opened: set[str] = set()
    caption: tuple[int, str] | None = None  # where the open caption's text starts, its attrs
    pos = 0
    for m in _SHORTCODE.finditer(content):
        closing, name, attrs = m.group(1), m.group(2).lower(), m.group(3) or ""
        surely = (
            name in _CORE
            or name in closers
            or "=" in attrs
            or m.group(0).endswith("/]")
            or (closing and name in opened)
        )
        if not surely:
            continue
        out.append(content[pos : m.start()])
        pos = m.end()
        if name in ("caption", "wp_caption"):
            if not closing:
                caption = (len(out), attrs)
            elif caption is not None:
                start, caption_attrs = caption
                inner = "".join(out[start:])
                del out[start:]
                out.append(_caption(caption_attrs, inner))
                caption = None
            continue
        if not closing:
            opened.add(name)
    out.append(content[pos:])
    return "".join(out)


def _caption(attrs_text: str, inner: str) -> str:
    attrs = {a or c: b or d for a, b, c, d in _ATTR.findall(attrs_text)}
    found = _IMG_OR_LINK.match(inner)
    image, text = (found.group(1), found.group(2)) if found else ("", inner)
    text = re.sub(r"^\s*(<br\s*/?>\s*)+", "", text)
    text = (attrs.get("caption") or text).strip()
    ident = f' id="{html.escape(attrs["id"])}"' if attrs.get("id") else ""
    align = html.escape(attrs.get("align", "alignnone"))
    return (
        f'<figure{ident} class="wp-caption {align}">{image}'
        f'<figcaption class="wp-caption-text">{text}</figcaption></figure>'
    )


def _keep_pre(text: str, pres: dict[str, str]) -> str:
    """``<pre>`` blocks out of the way of the paragraph rules (found with ``str.find``:
    linear time)."""
    out: list[str] = []
    pos = 0
    while (found := _PRE.search(text, pos)) is not None:
        end = _find_ci(text, "</pre>", found.start())
        if end < 0:
            break
        key = f"<pre wp-pre-tag-{len(pres)}></pre>"
        pres[key] = text[found.start() : end + 6]
        out += [text[pos : found.start()], key]
        pos = end + 6
    out.append(text[pos:])
    return "".join(out)


def _find_ci(text: str, needle: str, start: int) -> int:
    found = re.compile(re.escape(needle), re.I).search(text, start)
    return found.start() if found else -1


def wpautop(text: str, br: bool = True) -> str:
    """WordPress's ``wpautop``: double line breaks become paragraphs, single ones ``<br />``."""
    if not text.strip():
        return ""
    pres: dict[str, str] = {}
    text = _keep_pre(text + "\n", pres)
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = re.sub(rf"(<{_BLOCKS}[\s/>])", r"\n\n\1", text)
    text = re.sub(rf"(</{_BLOCKS}>)", r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p]
    text = "".join(f"<p>{p.strip(chr(10))}</p>\n" for p in paragraphs if p.strip())
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*(</?{_BLOCKS}[^<>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^<>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*(</?{_BLOCKS}[^<>]*>)", r"\1", text)
    text = re.sub(rf"(</?{_BLOCKS}[^<>]*>)\s*</p>", r"\1", text)
    if br:
        text = re.sub(r"<br>|<br/>", "<br />", text)
        text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
        text = re.sub(rf"(</?{_BLOCKS}[^<>]*>)\s*<br />", r"\1", text)
        text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^<>]*>)", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for key, pre in pres.items():
        text = text.replace(key, pre)
    return text


__all__ = [
    "has_blocks",
    "render_content",
    "render_shortcodes",
    "shortcode_unautop",
    "strip_block_comments",
    "wpautop",
    "wptexturize",
]
