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
    VARIANTS,
    find_variant,
    page_formats_text,
)
from printedition.wordpress.records import POST_STATUSES

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
    )
    articles = [load_article(path) for path in inputs]
    for article, _ in articles:
        for w in article.warnings:
            warn(f"{w.where or article.slug}: {w.message}")
    edition = Edition.of(articles)
    where = PressOutputs(proof=output) if proof else PressOutputs(press=output)
    result = write_pdf(edition, where, options)
    seen: set[tuple[str, str, str]] = set()
    for w in result.warnings:
        key = (w.code, w.message, w.where)
        if key not in seen:
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


@main.command()
@click.argument("pdf_file", metavar="FILE.pdf", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for page-NNN.png and contact-sheet.png.",
)
@click.option("--dpi", type=click.IntRange(10, 300), default=60, show_default=True)
@handle_errors
def proof(pdf_file: Path, out_dir: Path, dpi: int) -> None:
    """Render a PDF to a PNG per page and a contact sheet, to look at before it goes to press."""
    from printedition.press.proof import write_proofs

    result = write_proofs(pdf_file, out_dir, dpi=dpi)
    click.echo(f"Wrote {len(result.pages)} page(s) and {result.contact_sheet}")


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
@click.option("--bleed", type=BLEED_RANGE, default=None, help="PDF: the expected bleed in mm.")
@click.option(
    "--variant",
    type=VariantChoice(),
    default=None,
    help="PDF: the expected variant (default: what the file says it is).",
)
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


@main.group()
def issue() -> None:
    """The monthly issue: one issue.toml → issue EPUB, press PDF, proof, per-article EPUBs
    (build); an issue.toml drafted from a WordPress site or export (draft)."""


def _default_cache_dir() -> Path:
    import os

    env = os.environ.get("PRINTEDITION_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "printedition"


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
              help="Build cache (default: $PRINTEDITION_CACHE or ~/.cache/printedition).")  # fmt: skip
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
        cache_dir=cache_dir or _default_cache_dir(),
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


# --- stamp, downloads -----------------------------------------------------------------------
# (personal copies: `printedition stamp`; the website's folder: `printedition downloads`)


@main.command()
@click.argument("epub_file", metavar="ISSUE.epub", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--supporters", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="CSV with a header row: name (required), since, id, email.")  # fmt: skip
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(path_type=Path, file_okay=False), help="Folder for the copies.")  # fmt: skip
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes.")  # fmt: skip
@handle_errors
def stamp(epub_file: Path, supporters: Path, out_dir: Path, jobs: int) -> None:
    """Write a personal copy of ISSUE.epub for every supporter: an ex-libris page "Prepared
    for NAME" after the cover and a per-copy identifier. Rows that cannot be read are named by
    line and skipped (exit 1); the rest are stamped."""
    from printedition.stamp import read_supporters, stamp_copies

    listed = read_supporters(supporters)
    result = stamp_copies(epub_file, listed, out_dir, jobs=jobs)
    for p in result.problems:
        click.echo(one_line(f"Error: {supporters}:{p.line}: row {p.message}"), err=True)
    for line in result.summary():
        click.echo(one_line(line))
    sys.exit(0 if result.ok else 1)


@main.group()
def downloads() -> None:
    """The supporters' downloads folder (written by `issue build` into OUT/downloads)."""


@downloads.command("catalogue")
@click.argument("folders", metavar="DIR...", nargs=-1, required=True,
                type=click.Path(path_type=Path, file_okay=False))  # fmt: skip
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The catalogue to write (hrefs are relative to its folder).")  # fmt: skip
@handle_errors
def downloads_catalogue(folders: tuple[Path, ...], output: Path) -> None:
    """Merge the opds.xml of several months' downloads folders into one OPDS catalogue."""
    from printedition.downloads import merge_feeds
    from printedition.outputs import atomic_write_bytes

    data = merge_feeds(list(folders), output)
    atomic_write_bytes(output, data)
    click.echo(f"Wrote {output}: {data.count(b'<entry>')} entries from {len(folders)} month(s)")


@issue.command("draft")
@click.option("--wordpress", "site", metavar="URL", help="The WordPress site (its REST API).")
@click.option("--wxr", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A WordPress export file instead of the site (offline).")  # fmt: skip
@click.option("--month", metavar="YYYY-MM", help="The issue's month, in the site's time zone.")
@click.option("--after", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The first day (with --before).")  # fmt: skip
@click.option("--before", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The day after the last.")  # fmt: skip
@click.option("--category", "categories", multiple=True, metavar="SLUG",
              help="Only posts in this category (repeat for more).")  # fmt: skip
@click.option("--status", type=click.Choice(POST_STATUSES), default="publish", show_default=True,
              help="Which posts; all but publish need PRINTEDITION_WP_USER and "
                   "PRINTEDITION_WP_APP_PASSWORD.")  # fmt: skip
@click.option("--sections", "order", default="", metavar="A,B,…",
              help="Section order: category names or slugs; the rest follow alphabetically.")  # fmt: skip
@click.option("--number", type=click.IntRange(1), default=None,
              help="Issue number (default: one more than --like's, or 1).")  # fmt: skip
@click.option("--like", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="Last issue's issue.toml: its [paper], [[house]] and [limits] are kept.")  # fmt: skip
@click.option("-o", "--output", "out", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("issue.toml"), show_default=True, help="The issue.toml to write.")  # fmt: skip
@click.option("--allow-private", is_flag=True, help="Allow a site on a private address.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Build cache (default: $PRINTEDITION_CACHE or ~/.cache/printedition).")  # fmt: skip
@click.option("--force", is_flag=True, help="Replace an issue.toml the editor has changed.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@handle_errors
def issue_draft(
    site: str | None, wxr: Path | None, month: str | None, after: Any, before: Any,
    categories: tuple[str, ...], status: str, order: str, number: int | None,
    like: Path | None, out: Path, allow_private: bool, cache_dir: Path | None, force: bool,
    quiet: bool,
) -> None:  # fmt: skip
    """Draft ISSUE.toml from a month of WordPress posts (sections from categories, the cover
    story a guess), fetching each post once into the build cache."""
    import os

    from printedition.errors import ConfigError
    from printedition.wordpress import draft
    from printedition.wordpress.rest import credentials_from_env

    if bool(site) == bool(wxr):
        raise ConfigError("give one of --wordpress URL or --wxr export.xml")
    window = draft.choose_window(month, after and after.date(), before and before.date())
    options = draft.DraftOptions(
        out=out, window=window, wordpress=site or "", wxr=wxr, categories=categories,
        status=status, section_order=tuple(order.split(",")), number=number or 0, like=like,
        cache_dir=cache_dir or _default_cache_dir(), allow_private=allow_private,
        credentials=credentials_from_env(dict(os.environ)), force=force,
    )  # fmt: skip
    result = draft.draft_issue(options, progress=None if quiet else warn_progress)
    if not quiet:
        stats = result.requests
        click.echo(
            f"Drafted {result.path}: {len(result.posts)} posts in {len(result.sections)} "
            f"sections, cover story {result.cover} (a guess); {result.fetched} of "
            f"{result.listed} posts fetched, {stats.requests} requests "
            f"({stats.not_modified} not modified) in {result.seconds:.1f} s"
        )


def warn_progress(line: str) -> None:
    click.echo(one_line(line), err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
