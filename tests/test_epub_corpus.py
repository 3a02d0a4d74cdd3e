"""EPUBs from real pages: every sample article alone, all samples together, each of the 94 real
Readability test pages (and every synthetic one the normaliser accepts). All of them go through
ONE EPUBCheck run and must be 0/0/0.

The Readability pages' images are remote http(s) URLs; with no fetcher they are refused, so
those builds carry warnings and drop figures, and must still be valid EPUBs.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from printedition.epub import EpubOptions, EpubResult, write_epub
from printedition.errors import PrinteditionError
from printedition.images import ProcessedImage
from printedition.ingest.load import load_article
from printedition.validate import check_epub

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "articles"
READABILITY = ROOT / "tests" / "corpora" / "readability"
SDE = 1718100000
XHTML = "{http://www.w3.org/1999/xhtml}"

pytestmark = pytest.mark.slow


def _samples() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if (p / "index.html").is_file())


def _pages() -> list[Path]:
    return sorted(p for p in READABILITY.iterdir() if (p / "source.html").is_file())


def _real_pages() -> list[Path]:
    # The README's split: 94 real pages; the 36 synthetic ones are under 4 KB.
    return [p for p in _pages() if (p / "source.html").stat().st_size >= 4096]


def _synthetic_pages() -> list[Path]:
    return [p for p in _pages() if (p / "source.html").stat().st_size < 4096]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, EpubResult]:
    out = tmp_path_factory.mktemp("corpus")
    options = EpubOptions(source_date_epoch=SDE)
    cache: dict[str, ProcessedImage] = {}
    results: dict[str, EpubResult] = {}
    samples = [load_article(p) for p in _samples()]
    for path, item in zip(_samples(), samples, strict=True):
        results[f"sample:{path.name}"] = write_epub(
            [item], out / f"sample-{path.name}.epub", options, image_cache=cache
        )
    results["all"] = write_epub(samples, out / "all.epub", options, image_cache=cache)
    for page in _real_pages():
        item = load_article(page / "source.html")
        results[f"readability:{page.name}"] = write_epub(
            [item], out / f"readability-{page.name}.epub", options
        )
    # The tiny synthetic pages each test one parser oddity: any page the normaliser accepts
    # must give a valid EPUB too (a page it rejects is its business, not ours).
    for page in _synthetic_pages():
        try:
            item = load_article(page / "source.html")
        except PrinteditionError:
            continue
        results[f"synthetic:{page.name}"] = write_epub(
            [item], out / f"synthetic-{page.name}.epub", options
        )
    return results


def test_corpus_is_there() -> None:
    assert len(_samples()) >= 7
    assert len(_real_pages()) == 94


def test_every_real_page_was_built(builds: dict[str, EpubResult]) -> None:
    assert sum(name.startswith("readability:") for name in builds) == 94


def test_epubcheck_zero_messages_for_every_epub(builds: dict[str, EpubResult]) -> None:
    messages = check_epub([r.path for r in builds.values()])
    assert [m.format() for m in messages] == []


def test_images_clean_bounded_and_described(builds: dict[str, EpubResult]) -> None:
    images = 0
    for name, result in builds.items():
        with zipfile.ZipFile(result.path) as z:
            for member in z.namelist():
                data = z.read(member)
                if member.startswith("EPUB/images/"):
                    images += 1
                    img = Image.open(io.BytesIO(data))
                    assert img.format in ("JPEG", "PNG"), (name, member)
                    assert img.mode in ("RGB", "RGBA", "L"), (name, member)
                    assert max(img.size) <= 1600, (name, member)
                    assert not img.getexif() and "exif" not in img.info, (name, member)
                elif member.endswith(".xhtml"):
                    root = etree.fromstring(data)
                    for el in root.iter(f"{XHTML}img"):
                        assert el.get("alt") is not None, (name, member)
    assert images > len(builds)  # more than the covers alone


def test_remote_images_are_warnings_not_failures(builds: dict[str, EpubResult]) -> None:
    warnings = [
        w for name, r in builds.items() if name.startswith("readability:") for w in r.warnings
    ]
    refused = [w for w in warnings if w.code == "image-refused"]
    assert any(w.where.startswith(("http://", "https://")) for w in refused)
    assert {w.code for w in warnings} <= {"image-refused", "image-missing", "image-corrupt"}
    assert all("figure dropped from" in w.message for w in warnings)
