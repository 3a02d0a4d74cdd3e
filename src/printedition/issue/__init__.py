"""Issue: manifest → every output of the monthly issue (the batch orchestrator).

Stages: ``manifest`` (issue.toml → Manifest) → ``build`` (ingest, images, EPUBs, press PDF,
validation, all through the cache) → ``report`` (report.json and the readable summary).
"""

from __future__ import annotations

from printedition.issue.manifest import Manifest, load_manifest

__all__ = ["Manifest", "load_manifest"]
