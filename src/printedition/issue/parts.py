"""Parts: the press (or proof) PDF laid out in parts — the front pages and one part per
section — in worker processes, each part cached, then joined by press/merge.py.

Goes in: the printed articles grouped by section, the edition's ``PressOptions`` and a function
that writes the front pages for given story page numbers. Comes out: the PDF and its metadata
(the same record the one-pass writer gave).

A part's layout depends on the page it starts on (folio numbers, left or right pages); its page
count does not (only the folio line changes). So: the count of a part laid out before is read
from the cache; otherwise the planner's estimate stands in. Parts are laid out in page order as
workers come free, each from the best start known at that moment, and a part whose start turns
out wrong is laid out again (its count is still right, so one more round settles it). The
front pages carry the stories' page numbers: they are laid out with the numbers known or
guessed, and again only if a number moved. Every layout is cached by its own HTML (which holds
the articles, the processed images' digests, the options, the start page and the side), so a
rebuild after one article changed lays out that article's section only.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from printedition.cache import Store, cache_key
from printedition.issue.context import Loaded, WorkerPool
from printedition.issue.work import StoreImageCache
from printedition.model import Article

# A front page for given story page numbers (slug → page): the PressOptions to lay it out with.
FrontPages = Callable[[Mapping[str, int]], Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class PartsStats:
    laid_out: int  # layouts run (a part laid out twice counts twice)
    cached: int  # parts taken from the cache
    relaid: int  # layouts run again because the part's guessed start was wrong
    seconds: float


@dataclass(slots=True)
class _Part:
    name: str  # "front" or the section's title
    document: Any  # PartDocument at the current start
    count: int  # pages: exact when ``exact``, else the planner's estimate
    exact: bool
    shape: str  # the cache key of its page count (the same for every start)
    layout: Any = None  # PartLayout
    layout_key: str = ""
    running: set[str] = field(default_factory=set)


def _warm() -> None:
    """Worker side: import WeasyPrint ahead of the first part."""
    import printedition.press.merge  # noqa: F401


def render_job(job: tuple[Any, str, bool]) -> Any:
    """Worker side: lay one part out (press/merge.py ``render_part``)."""
    from printedition.press.merge import render_part

    document, variant, proof = job
    return render_part(document, variant=variant, proof=proof)


def write_in_parts(
    kind: str,
    sections: Sequence[tuple[str, Sequence[Loaded]]],
    options: Any,
    front_pages: FrontPages,
    path: Path,
    store: Store,
    pool: WorkerPool,
    *,
    counts_hint: Sequence[int] = (),
) -> tuple[dict[str, Any], list[int]]:
    """Lay out and join ``kind`` ("press-pdf" / "proof-pdf"); returns its metadata and each
    part's page count (front first), a good guess for a sister PDF of the same pages."""
    from printedition.press.merge import (
        PartLayout,
        assemble,
        front_document,
        section_document,
    )

    started = time.perf_counter()
    options = dataclasses.replace(options, image_cache=StoreImageCache(store))
    edition: list[Article] = [x.print_article for _, items in sections for x in items]
    variant, proof = options.variant, options.proof

    def count_key(template: str) -> str:
        return cache_key(kind + "-count", template, variant, proof)

    def layout_key(html: str) -> str:
        return cache_key(kind + "-part", html, variant, proof)

    # Each story's page within its part: the first page of a story is where its anchor stands.
    def story_pages(part: _Part) -> dict[str, int]:
        first: dict[str, int] = {}
        for n, space in enumerate(part.layout.spaces):
            for anchor in space.anchors:
                first.setdefault(anchor, n)
        return first

    # The front part's count does not depend on its numbers: its shape is keyed with zeros.
    zero = {a.slug: 0 for a in edition}
    front_shape = front_document(front_pages(zero), edition=edition)
    parts: list[_Part] = []
    shape = count_key(front_shape.template)
    hint = store.get_json(kind + "-count", shape)
    parts.append(
        _Part(
            name="front",
            document=front_shape,
            count=int(hint) if isinstance(hint, int) else 2,
            exact=isinstance(hint, int),
            shape=shape,
        )
    )
    laid_out = cached = relaid = 0
    log: list[tuple[float, str, int, Any]] = []  # when each layout started and ended
    futures: dict[cf.Future[Any], tuple[int, str]] = {}
    workers = max(1, pool.jobs)
    shape_first = not parts[0].exact and len(counts_hint) != 1 + len(sections)
    if workers > 1:
        # Workers import WeasyPrint while this process writes the sections' documents; the
        # front pages' count (every start depends on it) is laid out first when not known.
        if shape_first:
            key = layout_key(front_shape.html)
            futures[pool.executor().submit(render_job, (front_shape, variant, proof))] = (0, key)
            parts[0].running.add(key)
            laid_out += 1
        for _ in range(workers - int(shape_first)):
            pool.executor().submit(_warm)
    for n, (title, items) in enumerate(sections):
        doc = section_document(
            [(x.print_article, x.policy) for x in items],
            options,
            title=title,
            first_page=1,
            edition=edition,
        )
        shape = count_key(doc.template)
        hint = store.get_json(kind + "-count", shape)
        if isinstance(hint, int):
            count, exact = hint, True
        elif n + 1 < len(counts_hint):
            count, exact = counts_hint[n + 1], False
        else:
            count, exact = doc.estimate, False
        parts.append(_Part(name=title, document=doc, count=count, exact=exact, shape=shape))
    if len(counts_hint) == len(parts) and not parts[0].exact:
        parts[0].count = counts_hint[0]

    def retarget() -> None:
        """Every part's document for the starts and numbers known now."""
        start = 1 + parts[0].count
        numbers: dict[str, int] = {}
        for part in parts[1:]:
            part.document = part.document.starting_at(start)
            if part.layout is not None:
                local = story_pages(part)
            else:  # the planner's estimate of each story's pages
                local, at = {}, 0
                for story, pages in zip(
                    part.document.stories, part.document.story_estimates, strict=True
                ):
                    local[f"story-{story.article.slug}"] = at
                    at += pages
            for story in part.document.stories:
                slug = story.article.slug
                numbers[slug] = start + local.get(f"story-{slug}", 0)
            start += part.count
        front = front_document(front_pages(numbers), edition=edition)
        parts[0].document = front

    def certain(i: int) -> bool:
        if i == 0:
            return all(p.exact and p.layout is not None for p in parts[1:])
        return all(p.exact for p in parts[:i])

    def first_page(i: int) -> int:
        return 1 + sum(p.count for p in parts[:i])

    tried: dict[int, int] = {}

    def finish(i: int, key: str, layout: Any) -> None:
        part = parts[i]
        # A late layout from an older start does not replace one at the current start.
        if part.layout is None or part.layout_key != layout_key(part.document.html):
            part.layout, part.layout_key = layout, key
        if not part.exact or part.count != layout.pages:
            part.count, part.exact = layout.pages, True
            store.put_json(kind + "-count", part.shape, layout.pages)

    def finish_layout(i: int, key: str, layout: Any) -> None:
        store.put(kind + "-part", key, layout.pdf)
        store.put_json(kind + "-part-meta", key, layout.to_json())
        finish(i, key, layout)

    try:
        while True:
            retarget()
            keys = [layout_key(p.document.html) for p in parts]
            # Parts laid out before (this build or an earlier one) at their current start.
            progressed = False
            for i, part in enumerate(parts):
                if part.layout_key == keys[i] or keys[i] in part.running:
                    continue
                data = store.get(kind + "-part", keys[i])
                record = store.get_json(kind + "-part-meta", keys[i]) if data else None
                if data is not None and isinstance(record, dict):
                    finish(i, keys[i], PartLayout.from_json(data, record))
                    cached += 1
                    progressed = True
            if progressed:
                continue
            if all(p.layout_key == keys[i] for i, p in enumerate(parts)):
                break  # (a layout still running from a start since corrected is not waited for)
            todo = [
                i
                for i, p in enumerate(parts)
                if p.layout_key != keys[i] and keys[i] not in p.running
            ]
            busy = sum(len(p.running) for p in parts)
            pick = None
            if todo and busy < workers:
                if shape_first and not parts[0].exact:
                    # Every start waits on the front pages' count: with workers, their layout
                    # is already running; in one process they go first, numbers guessed.
                    pick = 0 if workers == 1 else None
                else:
                    # Sections whose start is sure, then the nearest one whose start is a
                    # guess; the front pages last (their numbers are sure once every section
                    # is laid out).
                    sections_todo = [i for i in todo if i > 0]
                    sure = [i for i in sections_todo if certain(i)]
                    pick = sure[0] if sure else sections_todo[0] if sections_todo else todo[0]
            if pick is None and not futures:
                raise RuntimeError("parts: nothing to lay out and nothing running")
            if pick is not None:
                tried[pick] = tried.get(pick, 0) + 1
                if tried[pick] > 6:
                    raise RuntimeError(f"part {parts[pick].name!r} does not settle on a start")
                relaid += int(parts[pick].layout is not None)
                laid_out += 1
                job = (parts[pick].document, variant, proof)
                if workers == 1:
                    finish_layout(pick, keys[pick], render_job(job))
                    continue
                futures[pool.executor().submit(render_job, job)] = (pick, keys[pick])
                parts[pick].running.add(keys[pick])
                log.append(
                    (round(time.perf_counter() - started, 2), "start", pick, first_page(pick))
                )
                if busy + 1 < workers and len(todo) > 1:
                    continue  # fill the other worker first
            if futures:
                done, _ = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    i, key = futures.pop(fut)
                    parts[i].running.discard(key)
                    finish_layout(i, key, fut.result())
                    log.append((round(time.perf_counter() - started, 2), "done", i, key == keys[i]))
    finally:
        for fut in futures:
            fut.cancel()
    documents = [p.document for p in parts]
    result = assemble([p.layout for p in parts], documents, edition, path, options)
    meta: dict[str, Any] = {
        "pages": result.pages,
        "padded": result.padded_pages,
        "warnings": [dataclasses.asdict(w) for w in result.warnings],
        "seconds": time.perf_counter() - started,
        "parts": dataclasses.asdict(
            PartsStats(
                laid_out=laid_out,
                cached=cached,
                relaid=relaid,
                seconds=round(time.perf_counter() - started, 3),
            )
        ),
    }
    meta["parts_log"] = log
    if result.preflight is not None:
        meta["preflight_ok"] = result.preflight.ok
        meta["preflight"] = result.preflight.summary_lines()
    return meta, [p.count for p in parts]


__all__ = ["PartsStats", "write_in_parts"]
