"""Load one command-line input: an article page (HTML) or a saved chapter model (JSON).

Goes in: a local path. Comes out: the ``Article`` and the ``ResourcePolicy`` that says which
folders its images may be read from (the input's own folder; for a model JSON also the folder
of the page it was normalised from).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from printedition.bounds import bound_article
from printedition.errors import InputError
from printedition.model import Article, from_json
from printedition.resources import ResourcePolicy
from printedition.settings import Limits

_PAGE_SUFFIXES = (".html", ".htm", ".xhtml")


def _is_model_json(path: Path) -> bool:
    if path.suffix.lower() == ".json":
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(64).lstrip()
    except OSError:
        return False
    return head.startswith(b"{")


def load_article(path: Path, *, limits: Limits | None = None) -> tuple[Article, ResourcePolicy]:
    limits = limits or Limits()
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", where=str(path))
    if path.is_dir():
        index = path / "index.html"
        if not index.is_file():
            raise InputError("is a folder without an index.html", where=str(path))
        path = index
    if not path.is_file():  # a FIFO would block the first read, /dev/zero never end
        raise InputError("not a regular file: expected an HTML page or model JSON", where=str(path))
    policy = ResourcePolicy(limits=limits).with_root(path.parent)
    if _is_model_json(path):
        try:
            size = path.stat().st_size
            if size > limits.max_page_bytes:
                raise InputError(
                    f"file is larger than {limits.max_page_bytes} bytes", where=str(path)
                )
            article = from_json(path.read_text(encoding="utf-8"))
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            raise InputError(f"not a printedition model JSON ({exc})", where=str(path)) from None
        except RecursionError:
            raise InputError(
                "not a printedition model JSON (nested too deeply)", where=str(path)
            ) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None
        src = urlsplit(article.source_url)
        page = Path(url2pathname(src.path))
        # Only a page we could have normalised lends its folder: a model naming
        # file:///etc/passwd as its source must not open /etc to its image URLs.
        if src.scheme == "file" and page.suffix.lower() in _PAGE_SUFFIXES and page.is_file():
            policy = policy.with_root(page.parent)
        return bound_article(article, limits, where=str(path)), policy
    from printedition.ingest.normalise import normalise_file

    return normalise_file(path, limits=limits), policy
