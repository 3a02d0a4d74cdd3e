"""DAISY Ace on the sample EPUB (opt-in: it needs Chromium and the @daisy/ace npm package).

Set ACE_PUPPETEER to the ace-puppeteer script to run it, e.g. after
``apt-get install chromium`` and ``npm install --ignore-scripts @daisy/ace`` in some folder:
``ACE_PUPPETEER=<folder>/node_modules/.bin/ace-puppeteer pytest tests/test_epub_ace.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from printedition.epub import EpubOptions, write_epub
from printedition.ingest.load import load_article

ROOT = Path(__file__).resolve().parent.parent
ACE = os.environ.get("ACE_PUPPETEER", "")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (ACE and CHROMIUM), reason="set ACE_PUPPETEER (and install chromium)"),
]


def test_ace_finds_no_violation_in_all_samples(tmp_path: Path) -> None:
    pages = sorted(
        p for p in (ROOT / "samples" / "articles").iterdir() if (p / "index.html").is_file()
    )
    book = tmp_path / "all.epub"
    write_epub([load_article(p) for p in pages], book, EpubOptions(source_date_epoch=0))
    report = tmp_path / "ace"
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=str(CHROMIUM))
    subprocess.run(
        [ACE, "-s", "-o", str(report), str(book)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    violations = [
        (a["earl:testSubject"]["url"], t["earl:test"]["dct:title"])
        for a in data.get("assertions", [])
        for t in a.get("assertions", [])
    ]
    assert violations == []
    assert data["earl:result"]["earl:outcome"] == "pass"
