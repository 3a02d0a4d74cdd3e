"""printedition: newspaper article pages → a clean chapter model → EPUB and print-ready PDF.

Stages (one module each): ingest (fetch, normalise) → model → render (semantic XHTML) →
epub / press (layout, pdf, preflight, proof) → issue (the monthly batch) → cli.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from printedition.errors import PrinteditionError
from printedition.model import Article, article_text

try:
    __version__ = version("printedition")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from printedition.ingest.normalise import normalise_article as normalise_article


def __getattr__(name: str) -> Any:
    # Imported lazily so `import printedition` stays cheap for the model-only users (cache, CLI).
    if name == "normalise_article":
        from printedition.ingest.normalise import normalise_article

        return normalise_article
    raise AttributeError(name)


__all__ = ["Article", "PrinteditionError", "__version__", "article_text", "normalise_article"]
