"""Ledger: what the issue build wrote into its output folder, so that the next build can tidy up
after it — and only after it.

Goes in: the output folder, the per-article EPUBs this build wrote (path and the manifest
source each came from) and the sources whose articles failed this time. Comes out: the ledger
file (``.printedition-outputs.json``), the notes of what was removed, and nothing else touched:

- ``remove_leftovers``: temporary files (``.NAME.XXXXXXXX.part``) that a killed build left in
  the folders the build owns (the output folder and its ``articles/``); a file another build
  is writing right now is locked and kept;
- ``remove_stale``: per-article EPUBs that an earlier build recorded and this one did not
  write, because their article left the manifest (an article that failed to load this time
  keeps its EPUB). A file the build did not write is never in the ledger, so never removed.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from printedition.model import BuildWarning
from printedition.outputs import abandoned, atomic_write_text

LEDGER = ".printedition-outputs.json"
ARTICLES = "articles"
# The temporary names outputs.atomic_path gives the files an issue build writes.
_PART = re.compile(
    r"\.(issue-[^/]*|report\.json|summary\.txt|\.printedition-outputs\.json|[^/]*\.epub)"
    r"\.[a-z0-9_]{8}\.part",
    re.ASCII,
)


def remove_leftovers(out: Path) -> list[BuildWarning]:
    """Temporary files a killed build left in ``out`` and ``out/articles``."""
    removed: list[BuildWarning] = []
    for folder in (out, out / ARTICLES):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(".*.part")):
            if _PART.fullmatch(path.name) and path.is_file() and abandoned(path):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(
                        BuildWarning(
                            code="output-removed",
                            message="removed a temporary file an interrupted build left",
                            where=str(path),
                        )
                    )
    return removed


def _read(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / LEDGER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    written = data.get("articles") if isinstance(data, dict) else None
    if not isinstance(written, dict):
        return {}
    return {k: v for k, v in written.items() if isinstance(k, str) and isinstance(v, str)}


def _owned(out: Path, rel: str) -> Path | None:
    """The recorded path, if it is a per-article EPUB inside ``out/articles`` (a ledger edited
    by hand must not reach anything else)."""
    parts = Path(rel).parts
    if len(parts) != 2 or parts[0] != ARTICLES or not parts[1].endswith(".epub"):
        return None
    if parts[1].startswith(".") or parts[1] in ("..", "."):
        return None
    return out / ARTICLES / parts[1]


def remove_stale(
    out: Path, written: Mapping[str, str], failed_sources: Iterable[str]
) -> list[BuildWarning]:
    """Per-article EPUBs an earlier build wrote whose article is gone; the ledger then
    records ``written`` (relative path → source) and what was kept for failed articles."""
    failed = set(failed_sources)
    previous = _read(out)
    kept = dict(written)
    removed: list[BuildWarning] = []
    for rel, source in sorted(previous.items()):
        if rel in written:
            continue
        path = _owned(out, rel)
        if path is None:
            continue
        if source in failed:
            kept[rel] = source  # its article is still in the manifest; it may load next time
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(
                BuildWarning(
                    code="output-removed",
                    message="removed the EPUB of an article no longer in the manifest",
                    where=str(path),
                )
            )
    ledger = {"articles": dict(sorted(kept.items()))}
    atomic_write_text(out / LEDGER, json.dumps(ledger, indent=1, ensure_ascii=False) + "\n")
    return removed


__all__ = ["LEDGER", "remove_leftovers", "remove_stale"]
