"""The issue build tidies up after itself, and only after itself: the EPUB of an article that
left the manifest goes at the next build, as do temporary files a killed build left; a user's
own files and a failed article's last EPUB stay."""

from __future__ import annotations

import json
from pathlib import Path

from printedition.issue import BuildOptions, build_issue, load_manifest
from printedition.issue.ledger import LEDGER, remove_leftovers
from printedition.outputs import atomic_path

BODY = (
    "The council met on Tuesday to discuss the budget for the coming year, and the debate "
    "ran late into the evening as members argued over cuts to library hours and road repairs."
)


def write_page(folder: Path, name: str) -> None:
    paras = "".join(f"<p>{BODY} ({i})</p>" for i in range(6))
    (folder / name).mkdir(parents=True, exist_ok=True)
    (folder / name / "index.html").write_text(
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{name}</title>'
        f'</head><body><article><h1 class="entry-title">Story {name}</h1>'
        f'<div class="entry-content">{paras}</div></article></body></html>',
        encoding="utf-8",
    )


def manifest(folder: Path, names: list[str]) -> Path:
    articles = "".join(
        f'\n  [[sections.articles]]\n  source = "{n}/index.html"\n  slug = "{n}"\n' for n in names
    )
    path = folder / "issue.toml"
    path.write_text(
        '[paper]\nname = "Ledger Times"\n\n[issue]\nnumber = 3\ncover_date = "March 2027"\n\n'
        f'[cover]\narticle = "{names[0]}/index.html"\n\n[[sections]]\ntitle = "News"\n{articles}',
        encoding="utf-8",
    )
    return path


def build(folder: Path, names: list[str], out: Path) -> list[str]:
    options = BuildOptions(
        out_dir=out,
        cache_dir=folder / "cache",
        only=frozenset({"epub"}),
        validate=False,
        source_date_epoch=1_790_000_000,
    )
    report = build_issue(load_manifest(manifest(folder, names)), options)
    return [f"{n.code} {Path(n.where).name}" for n in report.notes if n.code == "output-removed"]


def test_an_article_that_left_the_manifest_loses_its_epub_and_nothing_else(tmp_path: Path) -> None:
    for name in ("alpha", "beta", "gamma"):
        write_page(tmp_path, name)
    out = tmp_path / "out"
    assert build(tmp_path, ["alpha", "beta", "gamma"], out) == []
    articles = out / "articles"
    assert sorted(p.name for p in articles.glob("*.epub")) == [
        "alpha.epub",
        "beta.epub",
        "gamma.epub",
    ]
    recorded = json.loads((out / LEDGER).read_text())["articles"]
    assert sorted(recorded) == ["articles/alpha.epub", "articles/beta.epub", "articles/gamma.epub"]
    (articles / "my-own.epub").write_bytes(b"a user's file, never written by the build")

    # beta leaves the manifest; gamma stays but cannot be read this time.
    (tmp_path / "gamma" / "index.html").write_text("", encoding="utf-8")
    removed = build(tmp_path, ["alpha", "gamma"], out)

    assert removed == ["output-removed beta.epub"]
    assert sorted(p.name for p in articles.glob("*.epub")) == [
        "alpha.epub",
        "gamma.epub",
        "my-own.epub",
    ]
    recorded = json.loads((out / LEDGER).read_text())["articles"]
    assert sorted(recorded) == ["articles/alpha.epub", "articles/gamma.epub"]  # gamma may return


def test_a_killed_builds_temporary_files_are_removed_at_the_next_build(tmp_path: Path) -> None:
    write_page(tmp_path, "alpha")
    out = tmp_path / "out"
    (out / "articles").mkdir(parents=True)
    left = [
        out / ".issue-3-press.pdf.k1ll3d_x.part",
        out / "articles" / ".alpha.epub.abcd1234.part",
    ]
    for path in left:
        path.write_bytes(b"half a file")
    mine = [out / ".notes.part", out / "draft.part", out / "articles" / "keep.part"]
    for path in mine:
        path.write_bytes(b"mine")

    removed = build(tmp_path, ["alpha"], out)

    assert sorted(removed) == [
        "output-removed .alpha.epub.abcd1234.part",
        "output-removed .issue-3-press.pdf.k1ll3d_x.part",
    ]
    assert not any(p.exists() for p in left)
    assert all(p.exists() for p in mine)


def test_a_temporary_file_being_written_is_kept(tmp_path: Path) -> None:
    """Another build writing into the folder right now holds its file's lock."""
    dest = tmp_path / "issue-3.epub"
    with atomic_path(dest) as tmp:
        tmp.write_bytes(b"in progress")
        assert remove_leftovers(tmp_path) == []
        assert tmp.exists()
    assert dest.read_bytes() == b"in progress"
    assert not list(tmp_path.glob("*.part"))
