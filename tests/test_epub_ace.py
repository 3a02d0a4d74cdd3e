"""DAISY Ace on the sample EPUB (opt-in: it needs Chromium and the @daisy/ace npm package).

Set ACE_PUPPETEER to the ace-puppeteer script to run it, e.g. after
``apt-get install chromium`` and ``npm install --ignore-scripts @daisy/ace`` in some folder:
``ACE_PUPPETEER=<folder>/node_modules/.bin/ace-puppeteer pytest tests/test_epub_ace.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ace import ACE, CHROMIUM, MISSING, ace_report

from printedition.epub import EpubOptions, write_epub
from printedition.ingest.load import load_article

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (ACE and CHROMIUM), reason=MISSING),
]


def test_ace_finds_no_violation_in_all_samples(tmp_path: Path) -> None:
    pages = sorted(
        p for p in (ROOT / "samples" / "articles").iterdir() if (p / "index.html").is_file()
    )
    book = tmp_path / "all.epub"
    write_epub([load_article(p) for p in pages], book, EpubOptions(source_date_epoch=0))
    violations, outcome = ace_report(book, tmp_path / "ace")
    assert violations == []
    assert outcome == "pass"
