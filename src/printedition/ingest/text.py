"""Text hygiene shared by the ingest stage: NFC, collapsed whitespace, no zero-width junk."""

from __future__ import annotations

import html
import re
import unicodedata

# Zero-width space, word joiner, BOM, soft hyphen, bidi marks used as junk. ZWJ/ZWNJ are kept:
# they carry meaning in several scripts and in emoji.
_WS = re.compile(r"[ \t\n\r\f\v]+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_JUNK_OR_CONTROL = re.compile("[\u200b\u2060\ufeff\u00ad\u180e\x00-\x08\x0b\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Inline text: NFC, junk removed, runs of whitespace → one space (not stripped)."""
    if text.isascii():
        if _CONTROL.search(text):
            text = _CONTROL.sub("", text)
        return _WS.sub(" ", text)
    text = _WS.sub(" ", _JUNK_OR_CONTROL.sub("", text))
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def clean_line(text: str | None) -> str:
    """A one-line value (headline, name, caption): cleaned and stripped."""
    return clean_text(text or "").strip()


_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>", re.S)
_BLOCK_END = re.compile(r"</?(?:p|div|br|li|h[1-6]|tr|td|th|blockquote)\b[^<>]*>", re.I)
# No-break and other Unicode spaces a metadata value carries from its HTML.
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def plain_text(value: str | None) -> str:
    """A metadata string (JSON-LD, ``<meta content>``, ``<title>``) as text: HTML entities
    decoded, also when encoded twice (SEO plugins write ``&amp;#8220;``), tags stripped,
    whitespace (no-break spaces too) collapsed."""
    text = value or ""
    if "<" in text:
        text = _TAG.sub("", _BLOCK_END.sub(" ", text))
    for _ in range(3):  # (a value encoded twice needs two passes; more is a loop guard)
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
        if "<" in text:  # markup that was itself escaped: "&lt;em&gt;"
            text = _TAG.sub("", _BLOCK_END.sub(" ", text))
    return clean_line(_SPACES.sub(" ", text))
