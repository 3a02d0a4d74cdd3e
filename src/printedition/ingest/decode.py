"""Decode: a page's bytes → its text, in the encoding the page is in.

Goes in: the bytes, and the HTTP ``Content-Type`` when the page was fetched. Comes out: the
text and the warnings decoding gave, or an ``InputError`` for empty and binary files. The order
is the one browsers and beautifulsoup4's ``EncodingDetector`` follow: a byte-order mark, the
HTTP header's charset, the page's own ``<meta charset>``, then detection (charset-normalizer,
the detector bs4 uses, its candidates ranked by how common each encoding is on the web), then
UTF-8 and Windows-1252. Bytes that are valid UTF-8 are read as UTF-8 first, whatever they
declare: a legacy encoding's text is almost never valid UTF-8 by chance, saved pages are often
re-encoded without their ``<meta>`` being fixed, and this keeps the common case fast.
"""

from __future__ import annotations

import codecs
import re

from bs4.dammit import EncodingDetector

from printedition.errors import InputError
from printedition.model import BuildWarning

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (EPUB, DOCX…)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"RIFF", "a RIFF file (WebP, WAV…)"),
    (b"\x7fELF", "a program"),
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
# Labels browsers read as Windows-1252 (its printable 0x80-0x9F where Latin-1 has controls).
_AS_1252 = {"latin-1", "iso8859-1", "ascii", "cp1252"}
_UNICODE = {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"}
# How common each encoding is on the web (W3Techs, legacy pages), most first: among detected
# candidates that read equally well, the more common one wins (a page of curly quotes is as
# clean in Windows-1250 as in Windows-1252).
WEB_ENCODINGS = (
    "cp1252", "cp1251", "shift_jis", "cp932", "gb18030", "gbk", "gb2312", "euc_kr", "cp949",
    "iso8859_2", "cp1250", "euc_jp", "big5", "iso8859_15", "cp1256", "iso8859_9", "cp1254",
    "koi8_r", "cp1257", "iso8859_7", "tis_620", "cp1253", "iso8859_5", "koi8_u", "cp874",
    "cp1255", "iso8859_8", "iso8859_4", "iso8859_13", "iso8859_10", "iso8859_16", "iso8859_3",
    "iso8859_14", "iso8859_6", "cp1258", "iso2022_jp", "big5hkscs",
)  # fmt: skip


def decode_html(
    data: bytes, where: str = "", content_type: str = ""
) -> tuple[str, list[BuildWarning]]:
    """Decode page bytes the way a browser would; refuse empty and binary files."""
    warnings: list[BuildWarning] = []
    if not data.strip():
        raise InputError("the file is empty: expected an HTML page", where=where)
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"this is {kind}, not an HTML page", where=where)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, errors="replace")
            return _check_text(text, where), warnings
    if data[:8192].count(b"\x00") > 0:
        raise InputError("binary data (NUL bytes), not an HTML page", where=where)
    header = _codec(_charset_of(content_type), "the HTTP header", where, warnings)
    try:
        return _check_text(data.decode("utf-8"), where), warnings
    except UnicodeDecodeError:
        pass
    declared = _codec(
        EncodingDetector.find_declared_encoding(data, is_html=True), "the page", where, warnings
    )

    def warn(code: str, message: str) -> None:
        warnings.append(BuildWarning(code=code, message=message, where=where))

    for source, name in (("HTTP header", header), ("meta", declared)):
        if name == "utf-8":
            text = data.decode("utf-8", errors="replace")
            bad = text.count("\ufffd")
            if bad <= max(3, len(text) // 2000):
                warn(
                    "invalid-bytes", f"{bad} byte sequence(s) are not valid UTF-8 and were replaced"
                )
                return _check_text(text, where), warnings
        elif name and name not in _UNICODE:
            decoded = _decode(data, name)
            if decoded is not None:
                return _check_text(decoded, where), warnings
            warn(
                "encoding-mislabelled", f"the {source} says {name} but the bytes are not: detected"
            )
    detected = detect_encoding(data)
    for name in (detected, "cp1252"):
        decoded = _decode(data, name) if name else None
        if decoded is not None:
            warn(
                "encoding-guessed",
                f"the page does not say its encoding and is not UTF-8: read as {name}",
            )
            return _check_text(decoded, where), warnings
    warn(
        "encoding-guessed",
        "the page's encoding could not be told: read as cp1252, bad bytes replaced",
    )
    return _check_text(data.decode("cp1252", errors="replace"), where), warnings


def _charset_of(content_type: str) -> str | None:
    m = _HEADER_CHARSET.search(content_type or "")
    return m.group(1) if m else None


def _codec(label: str | None, whose: str, where: str, warnings: list[BuildWarning]) -> str:
    """A charset label → Python's codec name ("" when none or unknown)."""
    if not label:
        return ""
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        warnings.append(
            BuildWarning(
                code="unknown-charset",
                message=f"{whose} names unknown charset {label!r}",
                where=where,
            )
        )
        return ""
    return "cp1252" if name in _AS_1252 else name


def _decode(data: bytes, name: str) -> str | None:
    try:
        return data.decode(name)
    except UnicodeDecodeError:
        if name == "cp1252":  # five bytes Windows-1252 leaves undefined: Latin-1 reads them
            return data.decode("latin-1")
        return None
    except LookupError:
        return None


def detect_encoding(data: bytes) -> str:
    """The encoding charset-normalizer finds for undeclared bytes ("" when none): of the
    candidates that read with the least chaos and about the best coherence, the one most used
    on the web."""
    from charset_normalizer import from_bytes  # (imported only for the rare undeclared page)

    matches = list(from_bytes(data))
    if not matches:
        return ""
    least = min(m.chaos for m in matches)
    clean = [m for m in matches if m.chaos <= least + 0.01]
    best = max(m.coherence for m in clean)
    likely = [m.encoding for m in clean if m.coherence >= best - 0.05]
    rank = {name: i for i, name in enumerate(WEB_ENCODINGS)}
    return min(likely, key=lambda name: (rank.get(name, len(rank)), likely.index(name)))


# Controls that no text holds: C0 but tab/LF/FF/CR, the C1 range (Latin-1's reading of binary
# data), and the replacement character.
_BINARY = re.compile("[\x00-\x08\x0b\x0e-\x1f\x80-\x9f\ufffd]")


def _check_text(text: str, where: str) -> str:
    sample = text[:20000]
    controls = len(_BINARY.findall(sample))
    if sample and controls / len(sample) > 0.05:
        raise InputError(
            "the file holds binary data or invalid bytes, not an HTML page", where=where
        )
    if "<" not in sample and len(text) > 0:
        raise InputError("no HTML markup found: expected an HTML page", where=where)
    return text
