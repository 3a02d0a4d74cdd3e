"""Checks: the build's EPUBs → their EPUBCheck verdicts, cached by the EPUBs' bytes.

Goes in: the writers' reports of the EPUBs they wrote (or took from the cache), the cache
store and, optionally, the build's EPUBCheck run (``validate.EpubCheckRun``, started early).
Comes out: the same reports with EPUBCheck's verdict (valid, counts, messages). The cache key
is the EPUB's own bytes: a verdict is reused only for the very bytes it was given on, so a
changed EPUB is always checked again.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from printedition.cache import Store, cache_key
from printedition.errors import PrinteditionError
from printedition.issue.context import Progress, StopBuild
from printedition.issue.report import OutputReport
from printedition.validate import CHECKER, EpubCheckRun


def check_epubs(
    outputs: list[OutputReport],
    store: Store,
    report: Progress,
    *,
    strict: bool,
    checker: EpubCheckRun | None = None,
) -> list[OutputReport]:
    """Every EPUB among ``outputs`` with EPUBCheck's verdict: from the cache when these very
    bytes were checked before, else from one Java run for all the others (``checker``'s,
    when the build started one). A verdict that EPUBCheck could not give (Java stopped) is
    not kept."""
    epubs = [(i, o) for i, o in enumerate(outputs) if o.kind.endswith("epub")]
    verdicts: dict[int, dict[str, Any]] = {}
    unchecked: list[tuple[int, OutputReport, str]] = []
    for i, o in epubs:
        key = cache_key("epubcheck", Path(o.path).read_bytes())
        cached = store.get_json("epubcheck", key)
        if isinstance(cached, dict):
            verdicts[i] = cached
        else:
            unchecked.append((i, o, key))
    if unchecked:
        report("check", 0, 1)
        start = time.perf_counter()
        run = checker if checker is not None else EpubCheckRun()
        messages = run.check([o.path for _, o, _ in unchecked])
        seconds = time.perf_counter() - start
        for i, o, key in unchecked:
            mine = [m for m in messages if m.file == o.path and m.severity != "INFO"]
            verdict = {
                "errors": sum(1 for m in mine if m.is_error),
                "warnings": sum(1 for m in mine if not m.is_error),
                "messages": [m.format() for m in mine],
                "seconds": seconds / len(unchecked),
            }
            if not any(m.code == CHECKER for m in mine):
                store.put_json("epubcheck", key, verdict)
            verdicts[i] = verdict
        report("check", 1, 1)
    result = list(outputs)
    for i, o in epubs:
        v = verdicts[i]
        ok = v["errors"] == 0 and v["warnings"] == 0
        result[i] = dataclasses.replace(
            o,
            validator="EPUBCheck",
            valid=ok,
            validator_summary=f"{v['errors']} errors, {v['warnings']} warnings",
            messages=tuple(v["messages"]),
        )
        if strict and not ok:
            raise StopBuild(PrinteditionError("EPUBCheck found errors or warnings", where=o.path))
    return result


__all__ = ["check_epubs"]
