"""An issue whose articles are URLs, served from 127.0.0.1; plus the CLI's exit codes and errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from localhttp import Reply, serve, silent_server

from printedition.cli import main
from printedition.settings import BLEED_MM, COLOUR_MODES, PAGE_FORMATS, VARIANTS

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "samples" / "articles"
SLUGS = ("rail-strike-called-off", "opinion-local-news-deserts", "heatwave-amber-alert-schools")


def _routes() -> dict[str, object]:
    """Each sample page at /<slug>/ and its images beside it, with ETags like WordPress."""
    routes: dict[str, object] = {}
    for slug in SLUGS:
        folder = ARTICLES / slug
        html = (folder / "index.html").read_bytes()
        routes[f"/{slug}/"] = Reply(
            200, html, {"Content-Type": "text/html; charset=utf-8", "ETag": f'"{slug}"'}
        )
        for image in folder.iterdir():
            if image.suffix in (".jpg", ".png", ".webp"):
                kind = {"jpg": "jpeg"}.get(image.suffix[1:], image.suffix[1:])
                routes[f"/{slug}/{image.name}"] = Reply(
                    200, image.read_bytes(), {"Content-Type": f"image/{kind}"}
                )
    return routes


def _manifest(tmp_path: Path, base: str, silent: str) -> Path:
    entries = "\n".join(f'  "{base}/{slug}/",' for slug in SLUGS)
    text = f"""
[paper]
name = "Local Test Paper"

[issue]
number = 3
cover_date = "April 2027"

[cover]
article = "{base}/{SLUGS[0]}/"

[limits]
fetch_timeout = 0.5
fetch_retries = 0

[[sections]]
title = "News"
articles = [
{entries}
]

[[sections]]
title = "Broken"
articles = ["{base}/gone-missing/", "{silent}/never-answers/"]
"""
    path = tmp_path / "issue.toml"
    path.write_text(text)
    return path


def test_url_issue_builds_reports_404_and_silent_server_and_exits_1(tmp_path: Path) -> None:
    with serve(_routes()) as srv, silent_server() as silent:  # type: ignore[arg-type]
        manifest = _manifest(tmp_path, srv.base, silent)
        args = ["issue", "build", str(manifest), "-o", str(tmp_path / "out"), "--only", "epub"]
        args += ["--cache-dir", str(tmp_path / "cache"), "--allow-private"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, result.output
        # A second build revalidates the cached pages with If-None-Match.
        again = CliRunner().invoke(main, [*args, "--quiet"])
        # Quiet: no progress, no summary, but one Error line for each failed article.
        assert again.exit_code == 1 and again.stdout == ""
        errors = again.stderr.splitlines()
        assert len(errors) == 2 and all(line.startswith("Error: http://") for line in errors)
        assert "gone-missing" in errors[0] and "HTTP 404" in errors[0]
        assert "never-answers" in errors[1] and "timeout" in errors[1]
    out = tmp_path / "out"
    report = json.loads((out / "report.json").read_text())
    status = {a["slug"]: a for a in report["articles"]}
    assert [status[s]["status"] for s in SLUGS] == ["ok", "ok", "ok"]
    assert status["gone-missing"]["status"] == "failed"
    assert "HTTP 404" in status["gone-missing"]["error"]
    assert status["never-answers"]["status"] == "failed"
    assert "timeout" in status["never-answers"]["error"]
    assert {p.stem for p in (out / "articles").glob("*.epub")} == set(SLUGS)
    issue_epub = next(o for o in report["outputs"] if o["kind"] == "issue-epub")
    assert issue_epub["valid"] is True, issue_epub["messages"]
    assert all(o["valid"] for o in report["outputs"]), "EPUBCheck: 0 errors, 0 warnings"
    assert "FAILED gone-missing" in result.output and "FAILED never-answers" in result.output
    assert "Built with problems: 2 article(s) failed" in result.output
    ua = {h["user-agent"] for _, h in srv.requests}
    assert len(ua) == 1 and ua.pop().startswith("printedition/")
    page_requests = [h for p, h in srv.requests if p == f"/{SLUGS[0]}/"]
    assert page_requests[-1].get("if-none-match") == f'"{SLUGS[0]}"'


def test_private_addresses_are_refused_without_allow_private(tmp_path: Path) -> None:
    with serve(_routes()) as srv, silent_server() as silent:  # type: ignore[arg-type]
        manifest = _manifest(tmp_path, srv.base, silent)
        args = ["issue", "build", str(manifest), "-o", str(tmp_path / "out"), "--only", "epub"]
        result = CliRunner().invoke(main, [*args, "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 1
    assert re.search(
        r"Error: .*issue.toml: no article could be read.*private, loopback", result.output
    )
    assert srv.requests == []


def test_strict_stops_at_the_first_problem(tmp_path: Path) -> None:
    with serve(_routes()) as srv, silent_server() as silent:  # type: ignore[arg-type]
        manifest = _manifest(tmp_path, srv.base, silent)
        args = ["issue", "build", str(manifest), "-o", str(tmp_path / "out"), "--strict"]
        args += ["--cache-dir", str(tmp_path / "cache"), "--allow-private"]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert re.search(
        r"^Error: http://127\.0\.0\.1:\d+/gone-missing/: HTTP 404 Not Found$", result.output, re.M
    )
    assert not (tmp_path / "out" / "issue-3.epub").exists()


def test_manifest_error_is_one_line_with_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "issue.toml"
    path.write_text('[paper]\nname = "X"\ncolour = "purple"\n')
    result = CliRunner().invoke(main, ["issue", "build", str(path), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {path}:3: paper.colour: must be one of 'grey', 'cmyk', not 'purple'\n"
    )


@pytest.mark.parametrize(
    ("setting", "error"),
    [
        (
            'variant = "pdf/x-3"',
            "paper.variant: must be one of 'x-1a' (PDF/X-1a:2003), 'x-4' (PDF/X-4, needs the "
            "ICC profile), 'none' (a plain PDF, not for press), not 'pdf/x-3'",
        ),
        ("bleed = 50", "paper.bleed: must be a number from 0 to 20 (mm), not 50"),
    ],
    ids=["variant-x3", "bleed-50"],
)
def test_invalid_press_setting_stops_the_build_before_any_article_is_read(
    tmp_path: Path, setting: str, error: str
) -> None:
    # The same manifest without the bad line fetches every page from this server (see
    # test_url_issue_builds_reports_404_and_silent_server_and_exits_1): here nothing may be.
    with serve(_routes()) as srv, silent_server() as silent:  # type: ignore[arg-type]
        manifest = _manifest(tmp_path, srv.base, silent)
        text = manifest.read_text().replace("[paper]\n", f"[paper]\n{setting}\n", 1)
        manifest.write_text(text)
        line = text.splitlines().index(setting) + 1
        out, cache = tmp_path / "out", tmp_path / "cache"
        args = ["issue", "build", str(manifest), "-o", str(out), "--cache-dir", str(cache)]
        result = CliRunner().invoke(main, [*args, "--allow-private"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: {manifest}:{line}: {error}\n"
    assert srv.requests == []  # no page was fetched
    assert not out.exists() and not cache.exists()  # nothing was laid out, or cached


def test_press_option_choices_come_from_the_registry() -> None:
    pdf, check = main.commands["pdf"], main.commands["check"]  # type: ignore[attr-defined]
    options = {(c.name, p.name): p for c in (pdf, check) for p in c.params}
    for command in ("pdf", "check"):
        variant = options[(command, "variant")].type
        assert isinstance(variant, click.Choice) and tuple(variant.choices) == tuple(VARIANTS)
        bleed = options[(command, "bleed")].type
        assert isinstance(bleed, click.FloatRange)
        assert (bleed.min, bleed.max) == (BLEED_MM.low, BLEED_MM.high)
    colour = options[("pdf", "colour")].type
    assert isinstance(colour, click.Choice) and tuple(colour.choices) == tuple(COLOUR_MODES)
    shown = CliRunner().invoke(main, ["pdf", "--help"], terminal_width=400).output
    assert f"[{'|'.join(VARIANTS)}]" in shown and f"[{'|'.join(COLOUR_MODES)}]" in shown
    assert all(name in shown for name in PAGE_FORMATS)
    # Older manifest spellings are the same variant on the command line too.
    assert variant.convert("PDF/X-1a", None, None) == "x-1a"
    refused = CliRunner().invoke(main, ["pdf", "x.json", "-o", "x.pdf", "--bleed", "50"])
    assert refused.exit_code == 2 and "50.0 is not in the range 0<=x<=20" in refused.output


@pytest.mark.parametrize("only", ["pdf,html", ""])
def test_only_is_checked(tmp_path: Path, only: str) -> None:
    path = tmp_path / "issue.toml"
    path.write_text("")
    result = CliRunner().invoke(main, ["issue", "build", str(path), "--only", only])
    assert result.exit_code == 2
    assert result.output == f"Error: --only {only!r}: use epub, pdf or epub,pdf\n"


def test_corrupt_image_is_reported_and_the_article_still_built(tmp_path: Path) -> None:
    source = ARTICLES / "heatwave-amber-alert-schools"
    folder = tmp_path / "articles" / source.name
    folder.parent.mkdir()
    import shutil

    shutil.copytree(source, folder)
    for image in folder.glob("*.jpg"):
        image.write_bytes(image.read_bytes()[:400])  # truncated: a corrupt JPEG
    for image in folder.glob("*.webp"):
        image.write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 garbage")
    shutil.copytree(
        ARTICLES / "rail-strike-called-off", tmp_path / "articles" / "rail-strike-called-off"
    )
    manifest = tmp_path / "issue.toml"
    manifest.write_text(
        '[issue]\nnumber = 1\ncover_date = "May 2027"\n[cover]\narticle = "rail-strike-called-off"\n'
        '[[sections]]\ntitle = "News"\narticles = ["articles/rail-strike-called-off/", '
        '"articles/heatwave-amber-alert-schools/index.html"]\n'
    )
    args = ["issue", "build", str(manifest), "-o", str(tmp_path / "out"), "--only", "epub"]
    result = CliRunner().invoke(main, [*args, "--cache-dir", str(tmp_path / "cache"), "--no-check"])
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    heat = next(a for a in report["articles"] if a["slug"] == "heatwave-amber-alert-schools")
    assert heat["status"] == "ok"
    assert "image-broken" in {w["code"] for w in heat["warnings"]}
    assert (tmp_path / "out" / "articles" / "heatwave-amber-alert-schools.epub").is_file()
    assert "1 image problem(s)" in result.output or "image problem(s)" in result.output
