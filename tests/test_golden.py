"""Golden tests: every sample article page → its chapter model, compared with tests/golden/.

Run ``pytest --update-golden`` to rewrite the files after a deliberate change, then review the
diff. A sample without a golden file fails (it is never skipped silently).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from printedition.ingest.normalise import normalise_file
from printedition.model import from_json, to_json

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "articles"
GOLDEN = Path(__file__).resolve().parent / "golden"
# Sample images resolve to file:// URLs next to the page; the checkout's location is blanked
# (in the warnings' paths too).
PLACEHOLDER = "file:///SAMPLES"
PATH_PLACEHOLDER = "/SAMPLES"

PAGES = sorted(SAMPLES.glob("*/index.html"))


def test_samples_exist() -> None:
    assert len(PAGES) >= 9, f"expected the sample articles under {SAMPLES}"


def _golden_text(page: Path) -> str:
    text = to_json(normalise_file(page))
    text = text.replace(SAMPLES.resolve().as_uri(), PLACEHOLDER)
    return text.replace(str(SAMPLES.resolve()), PATH_PLACEHOLDER).replace(
        str(SAMPLES), PATH_PLACEHOLDER
    )


@pytest.mark.parametrize("page", PAGES, ids=[p.parent.name for p in PAGES])
def test_sample_matches_golden(page: Path, update_golden: bool) -> None:
    golden = GOLDEN / f"{page.parent.name}.json"
    got = _golden_text(page)
    if update_golden:
        golden.write_text(got, encoding="utf-8")
        return
    assert golden.exists(), (
        f"no golden file for sample {page.parent.name}: run `pytest tests/test_golden.py "
        "--update-golden` and review the new file"
    )
    want = golden.read_text(encoding="utf-8")
    assert from_json(got) == from_json(want)  # the model, field by field
    assert got == want  # and the exact bytes (stable JSON)


def test_no_orphan_goldens() -> None:
    names = {p.parent.name for p in PAGES}
    orphans = [g.name for g in GOLDEN.glob("*.json") if g.stem not in names]
    assert not orphans, f"golden files without a sample: {orphans}"
