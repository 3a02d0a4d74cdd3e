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


# --- pdf / proof ----------------------------------------------------------------------------
# (print edition: `printedition pdf`, `printedition proof`)


# --- check ----------------------------------------------------------------------------------
# (`printedition check FILE.epub|FILE.pdf`)


# --- issue ----------------------------------------------------------------------------------
# (`printedition issue build`)


if __name__ == "__main__":  # pragma: no cover
    main()
