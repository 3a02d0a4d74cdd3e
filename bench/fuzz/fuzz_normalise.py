"""atheris target: the normaliser (``normalise_article``) on arbitrary page bytes.

Anything but ``PrinteditionError`` escaping is a crash; so is a model that does not survive
its own JSON round-trip or cannot be rendered. Run: see bench/fuzz/README.md.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["printedition"]):
    from printedition.errors import PrinteditionError
    from printedition.ingest.normalise import normalise_article
    from printedition.model import from_json, to_json
    from printedition.render import render_article_html
    from printedition.settings import Limits

LIMITS = Limits(max_page_bytes=1_000_000, article_timeout=10.0)


def test_one_input(data: bytes) -> None:
    try:
        article = normalise_article(data, base_url="file:///fuzz/case/index.html", limits=LIMITS)
    except PrinteditionError:
        return
    assert from_json(to_json(article)) == article
    render_article_html(article).encode("utf-8")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
