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
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[^>]*?-->\s*", re.S)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.S | re.I)
_CAPTION = re.compile(r"\[(caption|wp_caption)([^\]]*)\](.*?)\[/\1\]", re.S | re.I)
_ENCLOSING = re.compile(r"\[([a-zA-Z][\w-]*)(?:\s[^\]]*)?\](.*?)\[/\1\]", re.S)
_SELF = re.compile(r"\[/?[a-zA-Z][\w-]*(?:\s[^\]]*)?/?\]")
_UNAUTOP = re.compile(r"<p>\s*(\[([a-zA-Z][\w-]*)[^\]]*\].*?\[/\2\])\s*</p>\s*", re.S)
_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"|(\w+)\s*=\s*\'([^\']*)\'')
_IMG_OR_LINK = re.compile(r"^\s*((?:<a [^>]*>\s*)?<img [^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)


# wptexturize: only text outside tags and shortcodes, never inside these elements.
_NO_TEXTURIZE = {"pre", "code", "kbd", "style", "script", "tt", "textarea"}
_TOKENS = re.compile(r"(<!--.*?-->|<[^>]*>|\[[^\]\n]*\])", re.S)
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
    (re.compile(r"\b(\d[\d.,]*)x(-?\d[\d.,]*)\b"), "\\1\u00d7\\2"),
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
    for i, part in enumerate(_TOKENS.split(text)):
        if i % 2:  # a tag, comment or shortcode: kept as it is
            tag = _TAG_NAME.match(part)
            if tag and tag.group(2).lower() in _NO_TEXTURIZE and not part.endswith("/>"):
                if tag.group(1):
                    if skip and skip[-1] == tag.group(2).lower():
                        skip.pop()
                else:
                    skip.append(tag.group(2).lower())
            out.append(part)
            continue
        if not skip:
            for pattern, replacement in _TEXTURIZE:
                part = pattern.sub(replacement, part)
        out.append(part)
    return "".join(out)


def has_blocks(content: str) -> bool:
    return "<!-- wp:" in content


def render_content(content: str) -> str:
    """What ``the_content`` makes of raw post content, for the parts a printed page needs."""
    blocks = has_blocks(content)
    content = wptexturize(_BLOCK_COMMENT.sub("", content))
    if not blocks:
        # the_content's order: wpautop (priority 10), shortcode_unautop, do_shortcode (11)
        content = _UNAUTOP.sub(r"\1", wpautop(content))
    return render_shortcodes(content)


def render_shortcodes(content: str) -> str:
    """``[caption]`` → ``<figure class="wp-caption">`` with a figcaption (as WordPress writes
    it for themes with HTML5 captions); any other shortcode is reduced to what it encloses."""

    def caption(m: re.Match[str]) -> str:
        attrs = {a or c: b or d for a, b, c, d in _ATTR.findall(m.group(2))}
        inner = m.group(3)
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

    content = _CAPTION.sub(caption, content)
    for _ in range(5):  # nested shortcodes: a few rounds, never for ever
        content, n = _ENCLOSING.subn(lambda m: m.group(2), content)
        if not n:
            break
    return _SELF.sub("", content)


def wpautop(text: str, br: bool = True) -> str:
    """WordPress's ``wpautop``: double line breaks become paragraphs, single ones ``<br />``."""
    if not text.strip():
        return ""
    pres: dict[str, str] = {}

    def keep_pre(m: re.Match[str]) -> str:
        key = f"<pre wp-pre-tag-{len(pres)}></pre>"
        pres[key] = m.group(0)
        return key

    text = _PRE.sub(keep_pre, text + "\n")
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
    text = re.sub(rf"<p>\s*(</?{_BLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*(</?{_BLOCKS}[^>]*>)", r"\1", text)
    text = re.sub(rf"(</?{_BLOCKS}[^>]*>)\s*</p>", r"\1", text)
    if br:
        text = re.sub(r"<br>|<br/>", "<br />", text)
        text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
        text = re.sub(rf"(</?{_BLOCKS}[^>]*>)\s*<br />", r"\1", text)
        text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for key, pre in pres.items():
        text = text.replace(key, pre)
    return text


__all__ = ["has_blocks", "render_content", "render_shortcodes", "wpautop", "wptexturize"]
