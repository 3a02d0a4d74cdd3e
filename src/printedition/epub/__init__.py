"""EPUB export: chapter models → EPUB 3.

``book`` is the stage entry point (``write_epub``); ``pages`` makes the XHTML documents,
``imagestore`` loads, processes and stores images once, ``metadata`` derives identity, dates
and the accessibility audit, and ``package`` turns it all into zip members (ebooklib is
imported there only) and writes the deterministic zip.
"""

from printedition.epub.book import EpubOptions, EpubResult, Section, write_epub
from printedition.epub.imagestore import ImageCache, image_cache_key, process_image
from printedition.epub.metadata import (
    CONFORMS_TO,
    clean_language,
    file_as,
    modified_time,
    stable_identifier,
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
