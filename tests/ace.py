"""DAISY Ace, run on an EPUB for the opt-in accessibility tests (it needs Chromium and the
@daisy/ace npm package; set ACE_PUPPETEER to its ace-puppeteer script)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

ACE = os.environ.get("ACE_PUPPETEER", "")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MISSING = "set ACE_PUPPETEER (and install chromium)"


def ace_report(epub: Path, folder: Path) -> tuple[list[tuple[str, str]], str]:
    """Ace's violations in ``epub`` (document, rule) and its overall outcome."""
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=str(CHROMIUM))
    subprocess.run(
        [ACE, "-s", "-o", str(folder), str(epub)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    data = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    violations = [
        (a["earl:testSubject"]["url"], t["earl:test"]["dct:title"])
        for a in data.get("assertions", [])
        for t in a.get("assertions", [])
    ]
    return violations, str(data["earl:result"]["earl:outcome"])
