"""Shared pytest options and fixtures."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # imported by the fixture: a session that never builds an issue stays light
    from printedition.issue import IssueReport


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files (tests/golden/) from the current output; review the diff.",
    )


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With pytest-xdist (``--dist loadgroup``): a test file runs whole on one worker, so its
    module fixtures (a shared build, the hostile matrix) are made once; the files that read
    the session's sample issue build run on the same worker, so it is built once too."""
    shared = {item.module.__name__ for item in items if "sample_issue" in getattr(item, "fixturenames", ())}  # type: ignore[attr-defined]
    for item in items:
        module = item.module.__name__  # type: ignore[attr-defined]
        item.add_marker(pytest.mark.xdist_group("sample-issue" if module in shared else module))


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files."""
    return bool(request.config.getoption("--update-golden"))


# The sample issue built once per test session: test_issue_build.py and test_downloads.py (and
# test_stamp.py) read the same build instead of each paying for a cold one.
ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ISSUE = ROOT / "samples" / "issue" / "issue.toml"


@dataclass
class SampleIssue:
    out: Path
    cache: Path
    report: IssueReport
    workdir: Path  # a copy of samples/ that tests may edit (and must put back)


@pytest.fixture(scope="session")
def sample_issue(tmp_path_factory: pytest.TempPathFactory) -> SampleIssue:
    from printedition.issue import BuildOptions, build_issue, load_manifest

    base = tmp_path_factory.mktemp("issue")
    work = base / "work"
    shutil.copytree(ROOT / "samples" / "articles", work / "articles")
    (work / "issue").mkdir()
    shutil.copy(SAMPLE_ISSUE, work / "issue" / "issue.toml")
    out, cache = base / "out", base / "cache"
    options = BuildOptions(out_dir=out, cache_dir=cache, source_date_epoch=1_790_000_000)
    report = build_issue(load_manifest(work / "issue" / "issue.toml"), options)
    return SampleIssue(out=out, cache=cache, report=report, workdir=work)
