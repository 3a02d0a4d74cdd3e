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
from printedition.settings import (
    BLEED_MM,
    COLOUR_MODES,
    DEFAULT_BLEED_MM,
    DEFAULT_COLOUR,
    DEFAULT_FORMAT,
    DEFAULT_VARIANT,
    LAYOUT_TIMEOUT,
    VARIANTS,
    find_variant,
    page_formats_text,
)

F = TypeVar("F", bound=Callable[..., Any])


# The press options' choices and ranges come from the registry in ``settings``, like the
# manifest's validation and the press's own check, so the three cannot disagree.
class VariantChoice(click.Choice[str]):
    """The registry's PDF variants; an older spelling (``pdf/x-1a``) is read as its variant."""

    def __init__(self) -> None:
        super().__init__(tuple(VARIANTS), case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        found = find_variant(value) if isinstance(value, str) else None
        return str(super().convert(found.name if found else value, param, ctx))


BLEED_RANGE = click.FloatRange(BLEED_MM.low, BLEED_MM.high)
COLOUR_HELP = "; ".join(f"{c.name}: {c.help}" for c in COLOUR_MODES.values())
VARIANT_HELP = "; ".join(f"{v.name}: {v.help}" for v in VARIANTS.values())
ICC_USERS = " and ".join(
    [f"--colour {c.name}" for c in COLOUR_MODES.values() if c.needs_icc]
    + [f"--variant {v.name}" for v in VARIANTS.values() if v.needs_icc]
)


def handle_errors(func: F) -> F:
    """Turn the project's errors (and Ctrl-C) into one line and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PrinteditionError as exc:
            click.echo(f"Error: {one_line(exc.format())}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Error: interrupted; no partial output was left behind", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def one_line(text: str) -> str:
    """Hostile names (a file called "a\nError: …", a URL with escape codes) stay on one line
    and cannot drive the terminal: control characters are shown escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def warn(message: str) -> None:
    click.echo(f"Warning: {one_line(message)}", err=True)


style_option = click.option(
    "--style",
    "style",
    metavar="DIR",
    default=None,
    help="The paper's look: a style folder (style.toml, stylesheets, fonts) or a bundled "
    "style's name (byline, newsletter). Default: byline.",
)


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
@style_option
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
    style: str | None,
) -> None:
    """Build one EPUB from article pages (or model JSON), one chapter each, in order."""
    from printedition.epub import EpubOptions, write_epub
    from printedition.ingest.load import load_article
    from printedition.style import resolve_style

    page_style = resolve_style(style)
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
        style=page_style,
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


@main.command()
@click.argument(
    "inputs",
    metavar="INPUT...",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path),
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The PDF to write.",
)
@click.option(
    "--format",
    "page_format",
    default=DEFAULT_FORMAT,
    show_default=True,
    help=f"Page format: {page_formats_text()}.",
)
@click.option(
    "--bleed",
    type=BLEED_RANGE,
    default=DEFAULT_BLEED_MM,
    show_default=True,
    help="Bleed in mm.",
)
@click.option(
    "--colour",
    "--color",
    "colour",
    type=click.Choice(tuple(COLOUR_MODES)),
    default=DEFAULT_COLOUR,
    show_default=True,
    help=f"{COLOUR_HELP}.",
)
@click.option(
    "--icc",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=f"The printer's CMYK output profile (needed for {ICC_USERS}).",
)
@click.option(
    "--variant",
    type=VariantChoice(),
    default=DEFAULT_VARIANT,
    show_default=True,
    help=f"The kind of PDF: {VARIANT_HELP}.",
)
@click.option(
    "--proof",
    is_flag=True,
    help="Write the proof instead of the press file: the same pages with crop marks, links, "
    "colour photos and a PROOF slug.",
)
@click.option("--month", default="", help="Folio month (default: the newest article's).")
@click.option("--issue-line", default="", help="Masthead issue line, e.g. 'No. 57 · June 2024'.")
@click.option(
    "--layout-timeout",
    type=click.FloatRange(0),
    default=LAYOUT_TIMEOUT,
    show_default=True,
    help="Seconds each layout may take (a story's, per story for the pages); past it the story "
    "is left out and named in an Error line. 0: no limit.",
)
@style_option
@handle_errors
def pdf(
    inputs: tuple[Path, ...],
    output: Path,
    page_format: str,
    bleed: float,
    colour: str,
    icc: Path | None,
    variant: str,
    proof: bool,
    month: str,
    issue_line: str,
    layout_timeout: float,
    style: str | None,
) -> None:
    """Lay out article pages (or model JSON) as a print-ready newspaper PDF."""
    from printedition.ingest.load import load_article
    from printedition.press.options import PressOptions
    from printedition.press.pdf import PressOutputs, write_pdf
    from printedition.press.schedule import Edition
    from printedition.settings import page_format as parse_format
    from printedition.style import resolve_style

    options = PressOptions(
        style=resolve_style(style),
        page_format=parse_format(page_format),
        bleed_mm=bleed,
        colour=colour,
        icc_profile=icc,
        variant=variant,
        month=month,
        issue_line=issue_line,
        layout_timeout=layout_timeout,
    )
    articles = [load_article(path) for path in inputs]
    for article, _ in articles:
        for w in article.warnings:
            warn(f"{w.where or article.slug}: {w.message}")
    edition = Edition.of(articles)
    where = PressOutputs(proof=output) if proof else PressOutputs(press=output)
    result = write_pdf(edition, where, options)
    from printedition.press.schedule import LAYOUT_FAILED

    seen: set[tuple[str, str, str]] = set()
    left_out = [w for w in result.warnings if w.code == LAYOUT_FAILED]
    for w in result.warnings:
        key = (w.code, w.message, w.where)
        if key not in seen and w.code != LAYOUT_FAILED:
            seen.add(key)
            warn(f"{w.where}: {w.message} [{w.code}]" if w.where else f"{w.message} [{w.code}]")
    if result.flatplan is not None:
        from printedition.press.flatplan import plan_report, summary_lines

        for line in summary_lines(plan_report(result.flatplan)):
            click.echo(line)
    padded = f", {result.padded_pages} padded" if result.padded_pages else ""
    click.echo(f"Wrote {output}: {result.pages} pages{padded}" + (" (proof)" if proof else ""))
    if result.preflight is not None:
        for line in result.preflight.summary_lines():
            click.echo(line)
        if not result.preflight.ok:
            click.echo(f"Error: {output}: preflight failed", err=True)
            sys.exit(1)
    for w in left_out:  # the others were printed; these stories were not
        click.echo(f"Error: {one_line(w.where)}: {one_line(w.message)}", err=True)
    if left_out:
        sys.exit(1)


# --- issue ----------------------------------------------------------------------------------
# (`printedition issue build`)


@main.group()
def issue() -> None:
    """The monthly issue: one issue.toml → issue EPUB, press PDF, proof, per-article EPUBs
    (build); an issue.toml drafted from a WordPress site or export (draft)."""


class _IssueProgress:
    """A one-line progress bar on a terminal (stderr); nothing otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.last = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        width = 30
        filled = width * done // total if total else width
        line = f"{stage:<8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        if line != self.last:
            click.echo("\r" + line.ljust(60), nl=False, err=True)
            self.last = line

    def end(self) -> None:
        if self.enabled and self.last:
            click.echo("\r" + " " * 60 + "\r", nl=False, err=True)


@issue.command("build")
@click.argument("manifest_path", metavar="ISSUE.toml", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
    default=Path("out"), show_default=True, help="Folder for the outputs.",
)  # fmt: skip
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes for ingest, image work and laying out the PDFs' parts.")  # fmt: skip
@click.option("--only", default="epub,pdf", show_default=True,
              help="Which outputs: epub, pdf, or both (comma-separated).")  # fmt: skip
@click.option("--strict", is_flag=True, help="Stop at the first problem.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.option("--allow-private", is_flag=True,
              help="Allow fetching from private, loopback and link-local addresses.")  # fmt: skip
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Build cache (default: $PRINTEDITION_CACHE or the platform's cache folder, "
                   "~/.cache/printedition on Linux).")  # fmt: skip
@click.option("--no-cache", is_flag=True, help="Rebuild everything (the cache is not read).")
@click.option("--no-check", is_flag=True, help="Skip EPUBCheck (the press preflight always runs).")
@style_option
@handle_errors
def issue_build(
    manifest_path: Path,
    out_dir: Path,
    jobs: int,
    only: str,
    strict: bool,
    quiet: bool,
    allow_private: bool,
    cache_dir: Path | None,
    no_cache: bool,
    no_check: bool,
    style: str | None,
) -> None:
    """Build every output of the issue described by ISSUE.toml into the output folder
    (``--style`` wins over the manifest's ``[paper] style``)."""
    import dataclasses
    import os

    from printedition.cache import default_cache_dir, default_max_bytes
    from printedition.errors import ConfigError
    from printedition.issue import build_issue, load_manifest
    from printedition.issue.build import BuildOptions

    wanted = frozenset(x.strip().lower() for x in only.split(",") if x.strip())
    if not wanted or not wanted <= {"epub", "pdf"}:
        raise ConfigError(f"--only {only!r}: use epub, pdf or epub,pdf")
    sde_text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if sde_text and not sde_text.isdigit():
        raise ConfigError(f"SOURCE_DATE_EPOCH={sde_text!r} must be whole seconds since 1970")
    manifest = load_manifest(manifest_path)
    if style:
        from printedition.style import resolve_style

        paper = dataclasses.replace(manifest.paper, style=resolve_style(style))
        manifest = dataclasses.replace(manifest, paper=paper)
    options = BuildOptions(
        out_dir=out_dir,
        cache_dir=cache_dir or default_cache_dir(),
        cache_max_bytes=default_max_bytes(),
        jobs=jobs,
        only=wanted,
        strict=strict,
        allow_private=allow_private,
        use_cache=not no_cache,
        validate=not no_check,
        source_date_epoch=int(sde_text) if sde_text else None,
    )
    progress = _IssueProgress(enabled=not quiet and sys.stderr.isatty())
    try:
        result = build_issue(manifest, options, progress=progress)
    finally:
        progress.end()
    if not quiet:
        click.echo(result.summary(), nl=False)
    else:
        # Quiet means no progress and no summary, never silence about what went wrong.
        for art in result.articles:
            if art.status != "ok":
                click.echo(one_line(f"Error: {art.source}: {art.error}"), err=True)
            elif art.problems:
                for w in art.problems:
                    click.echo(one_line(f"Error: {art.source}: {w.message}"), err=True)
        for out in result.outputs:
            if out.valid is False:
                click.echo(
                    one_line(f"Error: {out.path}: {out.validator} failed: {out.validator_summary}"),
                    err=True,
                )
    sys.exit(result.exit_code)


# --- stamp, downloads, issue draft, cache: in ``cli_more`` (registered on import) ----------
from printedition import cli_more  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    # Run as ``python -m printedition.cli``: the commands of ``cli_more`` are registered on the
    # ``main`` of the module ``printedition.cli``, not on this copy's.
    from printedition.cli import main as registered

    registered()
