"""Issue: manifest → every output of the monthly issue (the batch orchestrator).

Stages: ``manifest`` (issue.toml → Manifest) → ``work`` (ingest and images, per article, in
worker processes) → ``pages`` (front page, contents, house panels) → ``build`` (the writers,
the validators and the cache) → ``report`` (report.json and the readable summary).
"""

from __future__ import annotations

from printedition.issue.build import BuildOptions, build_issue
from printedition.issue.manifest import Manifest, load_manifest
from printedition.issue.report import IssueReport

__all__ = ["BuildOptions", "IssueReport", "Manifest", "build_issue", "load_manifest"]
