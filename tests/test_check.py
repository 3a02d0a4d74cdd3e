"""`printedition check`: EPUBCheck messages with file, line and column; exit 1 on any error;
PDFs go to the press preflight."""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from click.testing import CliRunner

from printedition import validate
from printedition.cache import Store
from printedition.cli import main
from printedition.epub import EpubOptions, write_epub
from printedition.issue.checks import check_epubs
from printedition.issue.context import no_progress
from printedition.issue.report import OutputReport
from printedition.model import Article, Author, Paragraph, Text
from printedition.resources import ResourcePolicy
from printedition.validate import CheckMessage, EpubCheckRun, _parse_batch, check_epub


def _good(path: Path) -> Path:
    article = Article(
        slug="check",
        headline="A headline",
        url="https://news.example/check/",
        authors=(Author(name="Ann Writer"),),
        language="en-GB",
        body=(Paragraph(content=(Text(text="One paragraph."),)),),
    )
    write_epub([(article, ResourcePolicy())], path, EpubOptions(source_date_epoch=0))
    return path


def _break(good: Path, bad: Path) -> None:
    """Same EPUB with the article's markup broken (a mismatched end tag on line 12)."""
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("EPUB/a001"):
                data = data.replace(b"</article>", b"</section>")
            dst.writestr(info, data)


@pytest.mark.slow
def test_check_reports_file_line_column_and_fails(tmp_path: Path) -> None:
    good = _good(tmp_path / "good.epub")
    bad = tmp_path / "bad.epub"
    _break(good, bad)
    result = CliRunner().invoke(main, ["check", str(good), str(bad)])
    assert result.exit_code == 1, result.output
    lines = [
        line for line in result.output.splitlines() if ": FATAL: " in line or ": ERROR: " in line
    ]
    assert lines, result.output
    doc = f"{bad}/EPUB/a001-check.xhtml"
    assert any(line.startswith(f"{doc}:") for line in lines), lines
    located = next(line for line in lines if line.startswith(f"{doc}:"))
    file_line_col = located.split(": ", 1)[0]
    _, line_no, col_no = file_line_col.rsplit(":", 2)
    assert int(line_no) > 0 and int(col_no) > 0
    assert not any(str(good) + "/" in line for line in lines)
    assert f"{good}: EPUBCheck 0 fatal, 0 errors, 0 warnings" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_check_passes_a_clean_epub_one_java_run_per_file_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where no Java compiler exists, each file gets its own `java -jar` run with a JSON report.
    monkeypatch.setattr(validate, "_can_compile", lambda java: False)
    good = _good(tmp_path / "good.epub")
    result = CliRunner().invoke(main, ["check", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{good}: EPUBCheck 0 fatal, 0 errors, 0 warnings\n"


def test_check_refuses_other_files(tmp_path: Path) -> None:
    runner = CliRunner()
    txt = tmp_path / "notes.txt"
    txt.write_text("x")
    r = runner.invoke(main, ["check", str(txt)])
    assert r.exit_code == 1 and r.output == f"Error: {txt}: check reads .epub and .pdf files\n"
    missing = tmp_path / "missing.epub"
    r = runner.invoke(main, ["check", str(missing)])
    assert r.exit_code == 1 and r.output == f"Error: {missing}: no such file\n"


def test_check_sends_pdfs_to_the_preflight(tmp_path: Path) -> None:
    pdf = tmp_path / "page.pdf"
    doc = pikepdf.new()
    doc.add_blank_page(page_size=(595, 842))
    doc.save(pdf)
    # A blank page claims no PDF/X: as itself it passes, with the TrimBox missing a warning.
    r = CliRunner().invoke(main, ["check", str(pdf), "--format", "a4"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"{pdf}: 1 page(s)")
    assert "  warning: [trimbox-missing] no TrimBox (page 1)" in r.output.splitlines()
    # Asked to be a press file (in the manifest's older spelling of x-1a), it fails.
    r = CliRunner().invoke(main, ["check", str(pdf), "--format", "a4", "--variant", "pdf/x-1a"])
    assert r.exit_code == 1, r.output
    lines = r.output.splitlines()
    assert "  error: [trimbox-missing] no TrimBox (page 1)" in lines
    assert "  error: [pdfx-version] file is not identified as PDF/X-1a (found nothing)" in lines
    assert lines[-1] == "  preflight: FAILED (5 error(s))"


def test_batch_output_parsing() -> None:
    output = "\n".join(
        [
            "ERROR\tRSC-005\ta.epub\tEPUB/x.xhtml\t12\t7\tError while parsing file",
            "USAGE\tACC-001\ta.epub\tEPUB/x.xhtml\t1\t1\tignored",
            "DONE\t\ta.epub\t\t-1\t-1\t",
            "java.lang.OutOfMemoryError: heap",
        ]
    )
    messages = _parse_batch(output, ["a.epub", "b.epub"])
    assert messages[0] == CheckMessage(
        severity="ERROR",
        code="RSC-005",
        file="a.epub",
        path="EPUB/x.xhtml",
        line=12,
        column=7,
        text="Error while parsing file",
    )
    assert (
        messages[0].format()
        == "a.epub/EPUB/x.xhtml:12:7: ERROR: [RSC-005] Error while parsing file"
    )
    assert messages[1].severity == "FATAL" and messages[1].file == "b.epub"
    assert "stopped before checking" in messages[1].text
    assert len(messages) == 2


def test_no_java_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "x.epub"
    good.write_bytes(b"PK")
    monkeypatch.setattr(validate.shutil, "which", lambda name: None)
    r = CliRunner().invoke(main, ["check", str(good)])
    assert r.exit_code == 2
    assert r.output == (
        "Error: EPUBCheck needs Java 17 or later: install a JRE (e.g. openjdk-17-jre)\n"
    )


# ---------------------------------------------------------------------------------------------
# A build's EPUBCheck run: started early, warmed up, verdicts kept by the EPUB's bytes
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_warm_up_epub_passes_epubcheck(tmp_path: Path) -> None:
    # It loads the schemas the build's EPUBs need; a clean one says nothing.
    assert check_epub([validate.write_warm_up_epub(tmp_path / "w.epub")]) == []


@pytest.mark.slow
def test_a_run_started_early_says_what_a_run_at_the_end_says(tmp_path: Path) -> None:
    good = _good(tmp_path / "good.epub")
    bad = tmp_path / "bad.epub"
    _break(good, bad)
    expected = [m.format() for m in check_epub([good, bad])]
    assert any(": FATAL: " in m or ": ERROR: " in m for m in expected), expected
    with EpubCheckRun() as run:
        run.start()  # Java loads the schemas on the warm-up EPUB while the caller works
        assert run.started
        got = [m.format() for m in run.check([good, bad])]
        assert not run.started  # one check a run: it has ended
    assert got == expected  # nothing of the warm-up EPUB, every message of the two files


@pytest.mark.slow
def test_a_run_that_died_early_leaves_its_files_to_a_run_of_their_own(tmp_path: Path) -> None:
    good = _good(tmp_path / "good.epub")
    bad = tmp_path / "bad.epub"
    _break(good, bad)
    run = EpubCheckRun()
    run.start()
    assert run._process is not None
    run._process.kill()  # Java gone before the build's files were named to it
    got = [m.format() for m in run.check([good, bad])]
    assert got == [m.format() for m in check_epub([good, bad])]
    assert any(str(bad) in m for m in got) and not any(str(good) + ":" in m for m in got)


@pytest.mark.slow
def test_a_run_not_needed_is_ended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def recorded(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process = popen(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(subprocess, "Popen", recorded)
    run = EpubCheckRun()
    run.start()
    run.close()
    assert len(started) == 1 and started[0].returncode is not None
    run.start()  # an ended run starts no more
    assert len(started) == 1 and not run.started


@pytest.mark.slow
def test_a_verdict_is_kept_for_the_same_bytes_only(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    epub = _good(tmp_path / "a.epub")
    asked: list[list[str]] = []

    class Spy(EpubCheckRun):
        def check(self, paths: Sequence[Path | str]) -> list[CheckMessage]:
            asked.append([Path(p).name for p in paths])
            return super().check(paths)

    def verdict() -> OutputReport:
        (report,) = check_epubs(
            [OutputReport(kind="article-epub", path=str(epub))],
            store,
            no_progress,
            strict=False,
            checker=Spy(),
        )
        return report

    first = verdict()
    assert first.valid is True and first.validator == "EPUBCheck" and asked == [["a.epub"]]
    again = verdict()  # the same bytes: EPUBCheck's verdict on them, from the cache
    assert again == first and asked == [["a.epub"]]
    # Broken in place (the same name, other bytes): checked again, and it fails.
    _break(epub, tmp_path / "broken.epub")
    (tmp_path / "broken.epub").replace(epub)
    broken = verdict()
    assert asked == [["a.epub"], ["a.epub"]]
    assert broken.valid is False and broken.messages, broken
    assert verdict() == broken and len(asked) == 2  # a failing verdict is kept too


@pytest.mark.slow
def test_the_launcher_compiled_during_one_check_serves_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if validate._javac(validate._java()) is None:
        pytest.skip("no javac: the launcher is run from its source")
    good = _good(tmp_path / "good.epub")
    bad = tmp_path / "bad.epub"
    _break(good, bad)
    store = Store(tmp_path / "cache")
    commands: list[list[str]] = []
    popen = subprocess.Popen

    def recorded(cmd: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        commands.append([str(c) for c in cmd])
        return popen(cmd, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", recorded)
    said = []
    for _ in range(2):
        with EpubCheckRun(store=store) as run:
            run.start()
            said.append([m.format() for m in run.check([good, bad])])
    assert said[0] == said[1] == [m.format() for m in check_epub([good, bad])]
    assert len(list(store.entries(["epubcheck-launcher"]))) == 1
    javas = [c for c in commands if Path(c[0]).name == "java"]
    compilers = [c for c in commands if Path(c[0]).name == "javac"]
    assert len(compilers) == 1  # during the first check, and never again
    assert javas[0][-1].endswith("EpubCheckBatch.java")
    assert javas[1][-1] == "EpubCheckBatch"  # the next run starts from the compiled classes
    # ... with the unsigned copies of the signed libraries first on its class path.
    signed = [lib.name for lib in validate._libraries(validate._jar()) if validate.unsigned_copy(lib)]
    classpath = javas[1][javas[1].index("-cp") + 1].split(os.pathsep)
    assert [Path(c).name for c in classpath[: len(signed)]] == signed
    assert all(Path(c).parent.name == "unsigned" for c in classpath[: len(signed)])


def test_an_unsigned_copy_holds_the_same_classes() -> None:
    """EPUBCheck's signed library (Saxon, in 5.3) without its signature: every other member the same
    bytes; a jar that is not signed has no copy."""
    libraries = validate._libraries(validate._jar())
    assert libraries and all(lib.is_file() for lib in libraries)
    signed = [lib for lib in libraries if validate.unsigned_copy(lib) is not None]
    if not signed:
        pytest.skip("this EPUBCheck has no signed library")
    copy = validate.unsigned_copy(signed[0])
    assert copy is not None
    with zipfile.ZipFile(signed[0]) as original, zipfile.ZipFile(io.BytesIO(copy)) as unsigned:
        kept = [n for n in original.namelist() if not validate._is_signature(n)]
        assert len(kept) < len(original.namelist())  # (.SF and .RSA gone)
        assert unsigned.namelist() == kept
        for name in kept:
            if name != "META-INF/MANIFEST.MF":
                assert unsigned.read(name) == original.read(name), name
        manifest = unsigned.read("META-INF/MANIFEST.MF").decode()
        assert manifest.startswith("Manifest-Version:") and "Digest" not in manifest
    plain = next(lib for lib in libraries if lib not in signed)
    assert validate.unsigned_copy(plain) is None
