"""The command line: the only module that prints, and the only one that catches.

Each command is a thin wrapper over a library function; a ``PrinteditionError`` becomes one
``Error: …`` line and its exit code, anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from printedition import __version__
from printedition.errors import PrinteditionError

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Turn the project's errors (and Ctrl-C) into one line and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PrinteditionError as exc:
            click.echo(f"Error: {exc.format()}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Error: interrupted; no partial output was left behind", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def warn(message: str) -> None:
    click.echo(f"Warning: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="printedition")
def main() -> None:
    """Turn a newspaper's article pages into EPUBs and a print-ready PDF."""


# --- normalise ------------------------------------------------------------------------------


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write here instead of standard output.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text", "html"]),
    default="json",
    show_default=True,
    help="json: the chapter model; text: headline then body text; html: clean semantic HTML.",
)
@handle_errors
def normalise(input_path: Path, output: Path | None, fmt: str) -> None:
    """Read a saved article page (HTML) and print its clean chapter model."""
    from printedition.ingest.normalise import normalise_file
    from printedition.model import article_text, to_json
    from printedition.outputs import atomic_write_text

    article = normalise_file(input_path)
    for w in article.warnings:
        warn(f"{input_path}: {w.message}")
    if fmt == "json":
        text = to_json(article)
    elif fmt == "text":
        text = f"{article.headline}\n\n{article_text(article)}\n"
    else:
        from printedition.render import render_article_html

        text = render_article_html(article)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)


# --- epub -----------------------------------------------------------------------------------
# (EPUB export: `printedition epub`)


@main.command()
@click.argument(
    "inputs", metavar="INPUT...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The EPUB to write.",
)
@click.option("--title", default="", help="Book title (default: the headline, or site and date).")
@click.option(
    "--cover",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Cover image (default: a generated front page).",
)
@click.option("--language", default="", help="BCP 47 language tag (default: the articles').")
@click.option("--publisher", default="", help="Publisher (default: the articles' site name).")
@click.option(
    "--identifier", default="", help="dc:identifier (default: a UUID derived from the URLs)."
)
@click.option(
    "--max-image-size",
    type=click.IntRange(64, 10000),
    default=1600,
    show_default=True,
    help="Longest image edge in pixels.",
)
@click.option("--strict", is_flag=True, help="A missing or corrupt image is an error.")
@handle_errors
def epub(
    inputs: tuple[Path, ...],
    output: Path,
    title: str,
    cover: Path | None,
    language: str,
    publisher: str,
    identifier: str,
    max_image_size: int,
    strict: bool,
) -> None:
    """Build one EPUB from article pages (or model JSON), one chapter each, in order."""
    from printedition.epub import EpubOptions, write_epub
    from printedition.ingest.load import load_article

    loaded = []
    for path in inputs:
        article, policy = load_article(path)
        for w in article.warnings:
            warn(f"{w.where or path}: {w.message}")
        loaded.append((article, policy))
    options = EpubOptions(
        title=title,
        cover=cover,
        language=language,
        publisher=publisher,
        identifier=identifier,
        max_image_edge=max_image_size,
        strict=strict,
    )
    result = write_epub(loaded, output, options)
    for w in result.warnings:
        warn(f"{w.where}: {w.message}")
    click.echo(
        f"Wrote {output}: {len(loaded)} article{'s' if len(loaded) != 1 else ''}, "
        f"{result.images} images, {result.bytes / 1024:.0f} KiB"
    )


# --- pdf / proof ----------------------------------------------------------------------------
# (print edition: `printedition pdf`, `printedition proof`)


# --- check ----------------------------------------------------------------------------------
# (`printedition check FILE.epub|FILE.pdf`)


@main.command()
@click.argument(
    "files",
    metavar="FILE...",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
)
@click.option(
    "--format", "page_format", default=None, help="PDF: the expected page format (e.g. tabloid)."
)
@click.option("--bleed", type=float, default=None, help="PDF: the expected bleed in mm.")
@click.option("--variant", default=None, help="PDF: the expected PDF/X variant.")
@handle_errors
def check(
    files: tuple[Path, ...], page_format: str | None, bleed: float | None, variant: str | None
) -> None:
    """Validate EPUBs with EPUBCheck and PDFs with the press preflight; exit 1 on any error."""
    from printedition.errors import InputError

    kinds: dict[str, list[Path]] = {".epub": [], ".pdf": []}
    for path in files:
        if path.suffix.lower() not in kinds:
            raise InputError("check reads .epub and .pdf files", where=str(path))
        if not path.is_file():
            raise InputError("no such file", where=str(path))
        kinds[path.suffix.lower()].append(path)
    errors = 0
    if kinds[".epub"]:
        from printedition.validate import check_epub, count_by_severity

        messages = check_epub(kinds[".epub"])
        for m in messages:
            click.echo(m.format())
        for path in kinds[".epub"]:
            counts = count_by_severity([m for m in messages if m.file == str(path)])
            errors += counts["FATAL"] + counts["ERROR"]
            click.echo(
                f"{path}: EPUBCheck {counts['FATAL']} fatal, {counts['ERROR']} errors, "
                f"{counts['WARNING']} warnings",
                err=True,
            )
    if kinds[".pdf"]:
        from printedition.press.preflight import preflight_file
        from printedition.settings import page_format as parse_format

        fmt = parse_format(page_format) if page_format else None
        for path in kinds[".pdf"]:
            report = preflight_file(path, page_format=fmt, bleed_mm=bleed, variant=variant)
            for line in report.summary_lines():
                click.echo(line)
            errors += len(report.errors)
    if errors:
        sys.exit(1)


# --- issue ----------------------------------------------------------------------------------
# (`printedition issue build`)


if __name__ == "__main__":  # pragma: no cover
    main()
