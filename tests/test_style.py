"""Paper styles: style.toml → a checked PageStyle, and every bad style as one clear error."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from printedition.cli import main
from printedition.errors import ConfigError, ManifestError
from printedition.issue.manifest import Manifest, load_manifest
from printedition.press.layout import Geometry, style_css
from printedition.settings import page_format
from printedition.style import bundled_names, default_style, load_style, resolve_style

ROOT = Path(__file__).resolve().parent.parent
BYLINE = ROOT / "styles" / "byline"


def _copy(tmp_path: Path, edit: tuple[str, str] | None = None) -> Path:
    """The default style's style.toml (only) in a folder of its own, with one line changed."""
    folder = tmp_path / "style"
    folder.mkdir()
    text = (BYLINE / "style.toml").read_text()
    if edit is not None:
        text, count = re.subn(edit[0], edit[1], text, count=1, flags=re.M)
        assert count == 1, edit
    (folder / "style.toml").write_text(text)
    return folder


def test_the_bundled_styles_load_and_the_newsletter_differs() -> None:
    assert set(bundled_names()) >= {"byline", "newsletter"}
    byline, newsletter = default_style(), resolve_style("newsletter")
    assert byline.folder == BYLINE.resolve() and byline.type.body_size_pt == 8.6
    assert newsletter.folders[1:] == byline.folders  # files it lacks come from its base
    assert newsletter.fonts.headline != byline.fonts.headline
    assert newsletter.type.body_size_pt != byline.type.body_size_pt
    a4 = page_format("a4")
    assert Geometry.for_format(a4, newsletter).columns == 3
    assert newsletter.pictures == byline.pictures  # keys it does not set: the base's
    assert newsletter.digest != byline.digest


def test_the_css_gets_its_numbers_from_the_style(tmp_path: Path) -> None:
    css = style_css(default_style())
    assert "--body-size: 8.6pt;" in css and "--leading: 11pt;" in css
    assert "--font-headline: 'Libre Caslon Condensed'" in css
    press = (BYLINE / "press.css").read_text()
    assert "8.6pt" not in press and "11pt" not in press  # said once, in style.toml
    bigger = load_style(_copy(tmp_path, (r"^body_size = 8\.6", "body_size = 9.5")))
    assert "--body-size: 9.5pt;" in style_css(bigger)


@pytest.mark.parametrize(
    ("edit", "key", "message"),
    [
        ((r"^columns = 5", "columns = 0"), "grid.columns", "from 1 to 12, not 0"),
        ((r"^columns = 5", 'columns = "five"'), "grid.columns", "whole number"),
        ((r"^body_size = 8\.6", "body_size = 300"), "type.body_size", "from 4 to 30"),
        ((r"^body_size = 8\.6", "bodysize = 8.6"), "type.bodysize", "unknown key"),
        ((r"^min_ppi = 200", "min_ppi = 400"), "pictures.preferred_ppi", "at least min_ppi"),
        ((r"^\[grid\.a4\]", "[grid.a5]"), "grid.a5", "unknown page format"),
        ((r"^sans = .*$", ""), "fonts.sans", "is missing"),
        ((r"^name = .*$", 'name = "x"\nbase = "nope"'), "base", "no bundled style 'nope'"),
    ],
)
def test_a_bad_style_toml_names_the_file_the_key_and_its_line(
    tmp_path: Path, edit: tuple[str, str], key: str, message: str
) -> None:
    folder = _copy(tmp_path, edit)
    with pytest.raises(ConfigError) as info:
        load_style(folder)
    error = info.value
    assert error.message.startswith(f"{key}: ") and message in error.message, error.format()
    assert error.where.startswith(str(folder.resolve() / "style.toml"))


def test_a_missing_or_unreadable_style_is_one_error_line(tmp_path: Path) -> None:
    article = ROOT / "samples" / "articles" / "the-river-that-ran-dry"
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "style.toml").write_text("columns = [")
    bad_value = _copy(tmp_path, (r"^column_gap = 4\.0", "column_gap = -1"))
    cases = {
        str(tmp_path / "nowhere"): f"Error: {tmp_path / 'nowhere'}: style folder not found",
        str(tmp_path / "empty"): f"Error: {tmp_path / 'empty'}: no style.toml",
        str(tmp_path / "broken"): f"Error: {tmp_path / 'broken' / 'style.toml'}: not valid TOML",
        str(bad_value): (
            f"Error: {bad_value / 'style.toml'}:10: grid.column_gap: must be a number from 0 "
            "to 30, not -1"
        ),
        "nonesuch": "Error: nonesuch: style folder not found (a folder with style.toml, or a bundled",
    }
    runner = CliRunner()
    for style, expected in cases.items():
        for command in (
            ["pdf", str(article), "-o", str(tmp_path / "o.pdf")],
            ["epub", str(article), "-o", str(tmp_path / "o.epub")],
        ):
            result = runner.invoke(main, [*command, "--style", style])
            assert result.exit_code == 2, result.output
            lines = result.output.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith(expected), (lines, expected)
    assert not list(tmp_path.glob("o.*"))
    issue = ROOT / "samples" / "issue" / "issue.toml"
    out = tmp_path / "issue-out"
    result = runner.invoke(
        main, ["issue", "build", str(issue), "-o", str(out), "--style", str(bad_value)]
    )
    assert result.exit_code == 2 and result.output.strip().splitlines() == [cases[str(bad_value)]]
    assert not out.exists()  # nothing read or laid out


def test_the_manifest_names_a_style_relative_to_itself(tmp_path: Path) -> None:
    shutil.copytree(BYLINE, tmp_path / "house-style", ignore=shutil.ignore_patterns("*.woff"))
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "index.html").write_text("<html></html>")
    path = tmp_path / "issue.toml"

    def manifest(style: str) -> Manifest:
        path.write_text(
            f'[paper]\nstyle = "{style}"\n\n[issue]\nnumber = 1\ncover_date = "May 2027"\n\n'
            '[cover]\narticle = "one"\n\n[[sections]]\ntitle = "News"\n'
            'articles = ["one/index.html"]\n'
        )
        return load_manifest(path)

    assert manifest("house-style").paper.style.folder == (tmp_path / "house-style").resolve()
    assert manifest("newsletter").paper.style.name == "Newsletter"
    with pytest.raises(ManifestError) as info:
        manifest("no-such-style")
    assert info.value.where == f"{path}:2"
    assert "paper.style: style folder 'no-such-style' not found" in info.value.message
    (tmp_path / "house-style" / "style.toml").write_text("[grid]\ncolumns = 99\n")
    with pytest.raises(ConfigError, match=r"style\.toml"):  # its own errors name its own file
        manifest("house-style")


def test_the_epub_takes_the_styles_epub_css(tmp_path: Path) -> None:
    folder = tmp_path / "style"
    shutil.copytree(BYLINE, folder, ignore=shutil.ignore_patterns("*.woff"))
    with (folder / "epub.css").open("a") as sheet:
        sheet.write("\n/* the production editor's own rule */\np { text-indent: 1.5em; }\n")
    model = ROOT / "samples" / "articles" / "rail-strike-called-off"
    out = tmp_path / "rail.epub"
    result = CliRunner().invoke(main, ["epub", str(model), "-o", str(out), "--style", str(folder)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as book:
        css = book.read("EPUB/style/epub.css").decode()
    assert css == (folder / "epub.css").read_text()
