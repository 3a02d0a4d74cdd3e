"""EPUB export: chapter models → EPUB 3 (``book`` assembles and writes, ``pages`` makes the
XHTML documents). ebooklib is imported in ``book`` only."""

from printedition.epub.book import (
    CONFORMS_TO,
    EpubOptions,
    EpubResult,
    ImageCache,
    Section,
    clean_language,
    file_as,
    image_cache_key,
    modified_time,
    process_image,
    stable_identifier,
    write_epub,
)

__all__ = [
    "CONFORMS_TO",
    "EpubOptions",
    "EpubResult",
    "ImageCache",
    "Section",
    "clean_language",
    "file_as",
    "image_cache_key",
    "modified_time",
    "process_image",
    "stable_identifier",
    "write_epub",
]
