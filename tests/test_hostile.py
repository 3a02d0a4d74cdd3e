"""The hostile matrix: every case in tests/hostile/ × normalise, epub, pdf and an issue build.

For each run: a correct output, or exit ≠ 0 with exactly one ``Error: …`` line naming the
input; never a traceback; no partial output; what is produced is valid (model JSON loads,
EPUBs pass EPUBCheck, PDFs open) and holds nothing from outside the input's folder; no file
outside the allowed folders is opened and no socket is dialled (Python audit hook in the
runner process; with strace, also every open made by C code). See tests/hostile/hostile_run.py.

normalise and epub run for every case (fast); pdf and the issue build are marked slow. Cases
marked heavy (100 MB page, a million paragraphs, a 72-megapixel zlib bomb) run only with
PRINTEDITION_HOSTILE_HEAVY=1 (and in bench/hostile.py).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
import hostile_cases as hc
import hostile_run as hr

HEAVY = os.environ.get("PRINTEDITION_HOSTILE_HEAVY") == "1"
NAMES = [c.name for c in hc.CASES if HEAVY or not c.heavy]
FAST_COMMANDS = ("normalise", "epub")
SLOW_COMMANDS = ("pdf", "issue")


def _matrix(
    tmp_path_factory: pytest.TempPathFactory, commands: tuple[str, ...]
) -> dict[tuple[str, str], hr.Outcome]:
    root = tmp_path_factory.mktemp("hostile")
    outcomes = hr.run_matrix_subprocess(root, NAMES, commands)
    return {(o.case, o.command): o for o in outcomes}


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], hr.Outcome]:
    return _matrix(tmp_path_factory, FAST_COMMANDS)


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], hr.Outcome]:
    return _matrix(tmp_path_factory, SLOW_COMMANDS)


def _explain(outcome: hr.Outcome) -> str:
    return "\n".join([*outcome.problems, "--- stderr:", outcome.stderr[-3000:]])


@pytest.mark.parametrize("command", FAST_COMMANDS)
@pytest.mark.parametrize("name", NAMES)
def test_case_fast(fast: dict[tuple[str, str], hr.Outcome], name: str, command: str) -> None:
    outcome = fast[(name, command)]
    assert outcome.problems == [], _explain(outcome)


@pytest.mark.slow
@pytest.mark.parametrize("command", SLOW_COMMANDS)
@pytest.mark.parametrize("name", NAMES)
def test_case_slow(slow: dict[tuple[str, str], hr.Outcome], name: str, command: str) -> None:
    outcome = slow[(name, command)]
    assert outcome.problems == [], _explain(outcome)


def test_the_audit_sees_reads(fast: dict[tuple[str, str], hr.Outcome]) -> None:
    """The audit is live: every run recorded opening its own input."""
    for (name, command), outcome in fast.items():
        if command == "epub" and outcome.exit_code == 0:
            assert any(f"/{name}/" in p for p in outcome.opened), (name, outcome.opened[:5])


@pytest.mark.slow
def test_every_epub_passes_epubcheck(fast: dict[tuple[str, str], hr.Outcome]) -> None:
    from printedition.validate import check_epub

    epubs = [Path(o.output) for (_, c), o in fast.items() if c == "epub" and o.exit_code == 0]
    assert len(epubs) > 20
    messages = check_epub(epubs)
    bad = [m.format() for m in messages if m.severity in ("FATAL", "ERROR")]
    assert bad == []


LEAK_CASES = [
    c.name
    for c in hc.CASES
    if c.cls in ("local-file", "base-href", "svg", "ssrf", "xml-entities") and c.cls != "by-design"
]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
@pytest.mark.parametrize("command", ["epub", "pdf"])
@pytest.mark.parametrize("name", LEAK_CASES)
def test_no_c_level_reads_outside(tmp_path: Path, name: str, command: str) -> None:
    """strace sees what the audit hook cannot: opens by lxml/libxml2, Pillow, fontconfig."""
    outcome = hr.run_one_subprocess(tmp_path, name, command)
    if not outcome.opened:
        pytest.skip("strace could not trace here (no ptrace permission)")
    outside = [p for p in outcome.problems if p.startswith(("opened", "connected"))]
    assert outside == []


@pytest.mark.slow
def test_every_issue_epub_passes_epubcheck(slow: dict[tuple[str, str], hr.Outcome]) -> None:
    from printedition.validate import check_epub

    epubs = [
        path
        for (_, command), o in slow.items()
        if command == "issue"
        for path in Path(o.output).glob("*.epub")
    ]
    assert len(epubs) > 10
    messages = check_epub(epubs)
    assert [m.format() for m in messages if m.severity in ("FATAL", "ERROR")] == []
