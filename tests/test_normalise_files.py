"""normalise_file and the `printedition normalise` command: local pages, and bad input that
must end in one clear error line (never a traceback or a hang)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from printedition.cli import main
from printedition.errors import InputError, NoArticleError
from printedition.ingest.normalise import normalise_file
from printedition.model import figures, from_json
from printedition.settings import Limits

BODY = "".join(
    f"<p>Paragraph {i}: the river fell to its lowest level in thirty years, and farmers along "
    "its banks said the abstraction licences had never been added up by anyone.</p>"
    for i in range(4)
)
PAGE = (
    "<html lang='en'><head><meta charset='utf-8'><title>River Runs Dry | Paper</title>"
    "<link rel='canonical' href='https://paper.test/2024/08/river-runs-dry/'></head><body>"
    "<article><h1>River Runs Dry</h1><div class='entry-content'>"
    + BODY
    + "<figure><img src='photo-1024x683.jpg' "
    "srcset='photo-1024x683.jpg 1024w, photo.jpg 2400w' alt='A dry riverbed'><figcaption>The "
    "riverbed. Photo: R. Llewelyn</figcaption></figure><p>See <a href='/about/'>about us</a>.</p>"
    "</div></article></body></html>"
)


def _write(tmp_path: Path, rel: str, data: bytes | str) -> Path:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_local_page_images_resolve_next_to_it(tmp_path: Path) -> None:
    path = _write(tmp_path, "river-runs-dry/index.html", PAGE)
    a = normalise_file(path)
    assert a.slug == "river-runs-dry"
    assert a.source_url == path.resolve().as_uri()
    assert a.url == "https://paper.test/2024/08/river-runs-dry/"
    fig = figures(a)[0]
    assert fig.image.url == (tmp_path / "river-runs-dry" / "photo.jpg").resolve().as_uri()
    assert fig.image.width == 2400
    # links point at the web page, not at files on this machine
    assert "https://paper.test/about/" in from_json_text(a)


def from_json_text(article: object) -> str:
    from printedition.model import to_json

    return to_json(article)  # type: ignore[arg-type]


def test_slug_from_file_stem(tmp_path: Path) -> None:
    assert normalise_file(_write(tmp_path, "Some Story.html", PAGE)).slug == "some-story"


BAD_INPUTS = {
    "empty": (b"", InputError, "the file is empty"),
    "spaces": (b"  \n\t ", InputError, "the file is empty"),
    "png": (b"\x89PNG\r\n\x1a\n" + bytes(200), InputError, "PNG image"),
    "binary": (bytes(range(256)) * 40, InputError, "not an HTML page"),
    "invalid-bytes": (
        b"<p>" + b"\xff\xfe\x80\x81\x90" * 400 + b"</p>",
        InputError,
        "invalid bytes",
    ),
    "no-article": (
        b"<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>",
        NoArticleError,
        "no article found",
    ),
    "deep-nesting": (
        b"<html><body>" + b"<div>" * 60_000 + b"deep" + b"</div>" * 60_000 + b"</body></html>",
        NoArticleError,
        "nests HTML too deeply",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_raises_a_clear_error(tmp_path: Path, name: str) -> None:
    data, kind, words = BAD_INPUTS[name]
    path = _write(tmp_path, f"{name}.html", data)
    with pytest.raises(kind) as info:
        normalise_file(path)
    assert info.value.where == str(path)
    assert words in info.value.message


def test_page_over_the_size_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, "big.html", PAGE + "<!--" + "x" * 3_000_000 + "-->")
    with pytest.raises(InputError, match="over the 2 MB limit"):
        normalise_file(path, limits=Limits(max_page_bytes=2 * 1024 * 1024))
    normalise_file(path)  # fine under the default limit


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        normalise_file(tmp_path / "nope.html")
    with pytest.raises(InputError):
        normalise_file(tmp_path)


def test_deeply_nested_article_is_flattened_not_lost(tmp_path: Path) -> None:
    nested = "<div>" * 200 + BODY + "</div>" * 200
    path = _write(tmp_path, "nested.html", f"<html><body>{nested}</body></html>")
    assert "Paragraph 3" in from_json_text(normalise_file(path))


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_formats(tmp_path: Path) -> None:
    path = _write(tmp_path, "river/index.html", PAGE)
    runner = CliRunner()
    result = runner.invoke(main, ["normalise", str(path), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("River Runs Dry\n\nParagraph 0:")
    assert "The riverbed.\n" in result.stdout  # (its credit is not caption text)
    out = tmp_path / "river.json"
    result = runner.invoke(main, ["normalise", str(path), "-o", str(out)])
    assert result.exit_code == 0
    assert from_json(out.read_text("utf-8")).slug == "river"


@pytest.mark.parametrize("name", ["empty", "binary", "no-article", "deep-nesting"])
def test_cli_bad_input_is_one_error_line(tmp_path: Path, name: str) -> None:
    data, _, words = BAD_INPUTS[name]
    path = _write(tmp_path, f"{name}.html", data)
    result = CliRunner().invoke(main, ["normalise", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: ")
    assert words in result.output
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output
