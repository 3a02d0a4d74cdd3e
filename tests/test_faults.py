"""Faults: a full disk, a build killed or interrupted mid-way, two builds at once.

Each must end in a clear error or a correct output, never a partial file, and never damage
the previous outputs or the cache. The disk is filled by simulation (an ENOSPC from fsync, and
in a subprocess a real file-size limit, so the writer itself fails mid-write); kills are
placed at fixed points in the code (no timing), by SIGKILL or Ctrl-C from inside the
process. (A corrupt cache entry: test_cache.py and test_issue_build.py.)
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from printedition.cache import Store
from printedition.cli import main

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
import hostile_cases as hc
import hostile_images as himg

# --- inputs ------------------------------------------------------------------------------------


def _article(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "photo.jpg").write_bytes(himg.photo_jpeg((900, 600), (40 * n % 255, 90, 120)))
    body = hc.figure("photo.jpg", f"Photo {n}. Photo: Agency")
    page = hc.page(body, headline=f"Council budget row number {n} deepens", paragraphs=6)
    page = page.replace(
        "</title>",
        '</title><meta name="author" content="A Reporter">'
        '<meta property="article:published_time" content="2026-11-02T09:00:00+00:00">',
    )
    (folder / "index.html").write_text(page, encoding="utf-8")
    return folder / "index.html"


@pytest.fixture(scope="module")
def issue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-article issue with small photos: issue.toml under <tmp>/issue. Shared by the
    module: a test that edits an article does it in ``edited_article`` (and so undoes it)."""
    tmp_path = tmp_path_factory.mktemp("faults")
    pages = [_article(tmp_path / f"a{n}", n) for n in (1, 2)]
    folder = tmp_path / "issue"
    folder.mkdir()
    rel = [os.path.relpath(p, folder) for p in pages]
    (folder / "issue.toml").write_text(
        textwrap.dedent(
            f"""
            [paper]
            name = "Fault Times"
            format = "a4"

            [issue]
            number = 7
            cover_date = "July 2027"

            [cover]
            article = "{rel[0]}"

            [[sections]]
            title = "News"

              [[sections.articles]]
              source = "{rel[0]}"

              [[sections.articles]]
              source = "{rel[1]}"
            """
        ),
        encoding="utf-8",
    )
    return folder / "issue.toml"


@dataclass(frozen=True)
class FirstBuild:
    out: Path
    cache: Path


@pytest.fixture(scope="module")
def first_build(issue: Path, tmp_path_factory: pytest.TempPathFactory) -> FirstBuild:
    """One cold build of ``issue``, which each fault test copies (its outputs and its cache)
    before breaking the next build."""
    base = tmp_path_factory.mktemp("first")
    out, cache = base / "out", base / "cache"
    first = CliRunner().invoke(main, _build_args(issue, out, cache))
    assert first.exit_code == 0, first.output
    return FirstBuild(out=out, cache=cache)


def _copy_first(first: FirstBuild, tmp_path: Path) -> tuple[Path, Path]:
    out, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(first.out, out)
    shutil.copytree(first.cache, cache)
    return out, cache


@contextlib.contextmanager
def edited_article(issue: Path) -> Iterator[None]:
    """Change an article so the next build has new outputs to write (undone afterwards: the
    models record where their page was read from, so the edit is made in place)."""
    a2 = issue.parent.parent / "a2" / "index.html"
    original = a2.read_bytes()
    a2.write_text(original.decode("utf-8").replace("deepens", "worsens"), encoding="utf-8")
    try:
        yield
    finally:
        a2.write_bytes(original)


def _build_args(manifest: Path, out: Path, cache: Path) -> list[str]:
    return [
        "issue",
        "build",
        str(manifest),
        "-o",
        str(out),
        "--cache-dir",
        str(cache),
        "--no-check",
        "-q",
    ]


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _assert_whole(folder: Path) -> None:
    """Every output in ``folder`` is complete and valid of its kind."""
    import pikepdf

    for path in folder.rglob("*"):
        if not path.is_file() or path.name.endswith(".part"):
            continue
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as zf:
                assert zf.testzip() is None, path
        elif path.suffix == ".pdf":
            with pikepdf.open(path) as pdf:
                assert len(pdf.pages) > 0, path
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))


def _no_parts(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.part")]


# --- a full disk -----------------------------------------------------------------------------------


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        import stat

        if stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.parametrize("command, suffix", [("normalise", ".json"), ("epub", ".epub")])
def test_full_disk_gives_one_error_and_keeps_the_old_file(
    tmp_path: Path, disk_full: None, command: str, suffix: str
) -> None:
    page = _article(tmp_path / "a1", 1)
    dest = tmp_path / f"out{suffix}"
    dest.write_bytes(b"the previous output")
    result = CliRunner().invoke(main, [command, str(page), "-o", str(dest)])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert errors == [f"Error: {dest}: cannot write: the disk is full (or the quota is used up)"]
    assert "Traceback" not in result.output
    assert dest.read_bytes() == b"the previous output"
    assert _no_parts(tmp_path) == []


@pytest.mark.slow
def test_full_disk_during_an_issue_build(
    tmp_path: Path, issue: Path, first_build: FirstBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, cache = _copy_first(first_build, tmp_path)
    before = _snapshot(out)
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        import stat

        if stat.S_ISREG(os.fstat(fd).st_mode) and str(out) in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with edited_article(issue):
        result = CliRunner().invoke(main, _build_args(issue, out, cache))
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "disk is full" in errors[0], result.output
    assert _snapshot(out) == before  # every previous output untouched
    assert _no_parts(out) == []


@pytest.mark.slow
@pytest.mark.parametrize("command, suffix", [("epub", ".epub"), ("pdf", ".pdf")])
def test_file_size_limit_mid_write(tmp_path: Path, command: str, suffix: str) -> None:
    """A real write failure inside the writer (RLIMIT_FSIZE → EFBIG), not a patched call."""
    page = _article(tmp_path / "a1", 1)
    dest = tmp_path / f"out{suffix}"
    dest.write_bytes(b"old")
    code = textwrap.dedent(
        f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
        from printedition.cli import main
        main({[command, str(page), "-o", str(dest)]!r})
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, proc.stderr
    # The EPUB fails writing itself; WeasyPrint first writes its fonts to the temp folder.
    assert errors[0] in (
        f"Error: {dest}: cannot write: the file is larger than this disk or account allows",
        f"Error: {tempfile.gettempdir()}: cannot lay out the pages: the file is larger than "
        "this disk or account allows (temporary folder)",
    )
    assert dest.read_bytes() == b"old"
    assert _no_parts(tmp_path) == []


def test_output_folder_missing_or_unwritable(tmp_path: Path) -> None:
    page = _article(tmp_path / "a1", 1)
    result = CliRunner().invoke(
        main, ["normalise", str(page), "-o", str(tmp_path / "nope" / "x.json")]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 'nope' / 'x.json'}: output folder")
    if os.geteuid() != 0:  # root ignores permissions
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        result = CliRunner().invoke(main, ["epub", str(page), "-o", str(locked / "x.epub")])
        assert result.exit_code == 1 and "permission denied" in result.stderr


# --- killed mid-way -----------------------------------------------------------------------------------

KILLER = textwrap.dedent(
    """
    import os, signal, sys, zipfile
    point, out_dir = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    if point == "replace":
        real = os.replace
        def replace(src, dst, *a, **k):
            if str(dst).startswith(out_dir):
                os.kill(os.getpid(), signal.SIGKILL)  # the first output is about to land
            return real(src, dst, *a, **k)
        os.replace = replace
    elif point == "writing":
        real_write = zipfile.ZipFile.writestr
        calls = [0]
        def writestr(self, *a, **k):
            calls[0] += 1
            if calls[0] == 3 and str(getattr(self, "filename", "")).startswith(out_dir):
                os.kill(os.getpid(), signal.SIGKILL)  # half an EPUB written
            return real_write(self, *a, **k)
        zipfile.ZipFile.writestr = writestr
    elif point == "interrupt":
        real = os.replace
        def replace(src, dst, *a, **k):
            if str(dst).startswith(out_dir):
                raise KeyboardInterrupt  # Ctrl-C as the first output is about to land
            return real(src, dst, *a, **k)
        os.replace = replace
    from printedition.cli import main
    main(args)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["replace", "writing", "interrupt"])
def test_build_killed_midway_leaves_previous_outputs_whole(
    tmp_path: Path, issue: Path, first_build: FirstBuild, point: str
) -> None:
    out, cache = _copy_first(first_build, tmp_path)
    before = _snapshot(out)
    with edited_article(issue):
        proc = subprocess.run(
            [sys.executable, "-c", KILLER, point, str(out), *_build_args(issue, out, cache)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if point == "interrupt":
            # Ctrl-C is the one interruption the build sees: it cleans up and says so.
            assert proc.returncode == 130, proc.stderr[-2000:]
            assert proc.stderr.splitlines() == [
                "Error: interrupted; no partial output was left behind"
            ]
            assert _no_parts(out) == []
        else:
            assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
        after = {k: v for k, v in _snapshot(out).items() if not k.endswith(".part")}
        assert set(after) == set(before)
        if point in ("replace", "interrupt"):
            assert after == before  # stopped as the first output was to land: all as they were
        else:
            # Killed half-way through writing the first EPUB: the PDFs written before it are
            # whole new versions, the EPUBs still the previous ones.
            assert all(after[k] == before[k] for k in after if k.endswith(".epub"))
        _assert_whole(out)
        # The next build succeeds, and is not fooled by what the stopped one left in the cache.
        again = CliRunner().invoke(main, _build_args(issue, out, cache))
        assert again.exit_code == 0, again.output
    _assert_whole(out)
    assert _snapshot(out) != before
    for entry in Store(cache).entries():
        if not entry.name.endswith(".part"):
            kind = entry.relative_to(cache).parts[0]
            assert Store(cache).get(kind, entry.name) is not None, entry


# The reports carry timings and cache counts. The press PDF carries WeasyPrint's creation
# date (it ignores SOURCE_DATE_EPOCH; reported to the print helper), so it is not compared.
REPORTS = ("report.json", "summary.txt", "-press.pdf")


# --- two builds at once --------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_concurrent_builds_do_not_corrupt_each_other(tmp_path: Path, issue: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    env = dict(os.environ, SOURCE_DATE_EPOCH="1800000000")
    cmd = [sys.executable, "-m", "printedition.cli", *_build_args(issue, out, cache)]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    results = [p.communicate(timeout=900) for p in procs]
    for proc, (_stdout, stderr) in zip(procs, results, strict=True):
        assert "Traceback" not in stderr
        if proc.returncode != 0:  # refusing to run beside another build is allowed, if said clearly
            errors = [line for line in stderr.splitlines() if line.startswith("Error: ")]
            assert len(errors) == 1, stderr
    assert any(p.returncode == 0 for p in procs)
    _assert_whole(out)
    assert _no_parts(out) == []
    store = Store(cache)
    for entry in store.entries():
        assert not entry.name.endswith(".part"), entry
        kind = entry.relative_to(cache).parts[0]
        assert store.get(kind, entry.name) is not None, entry
    assert store.take_problems() == []
    # And a third build, alone, reproduces the same outputs.
    snap = _snapshot(out)
    third = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    assert third.returncode == 0, third.stderr
    now = _snapshot(out)
    changed = sorted(k for k in now if now[k] != snap.get(k) and not k.endswith(REPORTS))
    assert changed == []
