"""The command line, continued: personal copies (``stamp``), the downloads catalogue, drafting
an issue from WordPress (``issue draft``) and the cache (``cache prune``). Its commands are
registered on ``cli.main`` when ``cli`` imports this module; like ``cli``, it is the only kind
of module that prints, and it catches nothing itself (``handle_errors`` does)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from printedition.cli import BLEED_RANGE, VariantChoice, handle_errors, issue, main, one_line
from printedition.wordpress.records import POST_STATUSES

# --- proof, check --------------------------------------------------------------------------


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

    from printedition.cache import default_cache_dir
    from printedition.errors import ConfigError
    from printedition.wordpress import draft
    from printedition.wordpress.rest import credentials_from_env

    if bool(site) == bool(wxr):
        raise ConfigError("give one of --wordpress URL or --wxr export.xml")
    window = draft.choose_window(month, after and after.date(), before and before.date())
    options = draft.DraftOptions(
        out=out, window=window, wordpress=site or "", wxr=wxr, categories=categories,
        status=status, section_order=tuple(order.split(",")), number=number or 0, like=like,
        cache_dir=cache_dir or default_cache_dir(), allow_private=allow_private,
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


# --- cache ----------------------------------------------------------------------------------
# (`printedition cache prune`)


@main.group()
def cache() -> None:
    """The build cache (the platform's cache folder, or $PRINTEDITION_CACHE)."""


@cache.command("prune")
@click.option(
    "--max-size",
    "max_size",
    metavar="SIZE",
    default=None,
    help="Keep at most this much, e.g. 500M or 2G (default: $PRINTEDITION_CACHE_MAX_SIZE or 2G).",
)
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="The cache to prune (default: where issue build keeps it).")  # fmt: skip
@handle_errors
def cache_prune(max_size: str | None, cache_dir: Path | None) -> None:
    """Delete the least recently used cache entries until the cache fits in SIZE
    (and temporary files left by killed builds)."""
    from printedition.cache import default_cache_dir, default_max_bytes, parse_size, prune

    folder = cache_dir or default_cache_dir()
    limit = parse_size(max_size) if max_size is not None else default_max_bytes()
    result = prune(folder, limit)
    click.echo(
        f"Pruned {folder}: removed {result.removed} file(s), {result.freed / 1e6:.1f} MB; "
        f"{result.entries} entries, {result.size / 1e6:.1f} MB kept (limit {limit / 1e6:.1f} MB)"
    )


