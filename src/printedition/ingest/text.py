"""Text hygiene shared by the ingest stage: NFC, collapsed whitespace, no zero-width junk."""

from __future__ import annotations

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
