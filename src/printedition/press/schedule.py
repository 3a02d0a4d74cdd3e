"""Schedule: an edition → its parts laid out, each from the cache or on a worker.

Goes in: the edition (its sections of articles, and for an issue the front pages for given
story page numbers), the options, a cache store and a worker pool. Comes out: every part's
document and layout in page order, and what it took (``PartsStats``).

A part's layout depends on the page it starts on (folio numbers, left or right pages); its page
count does not (only the folio line changes). So: the count of a part laid out before is read
from the cache; otherwise the planner's estimate stands in. Parts are laid out in page order as
workers come free, each from the best start known at that moment, and a part whose start turns
out wrong is laid out again (its count is still right, so one more round settles it). The
front pages carry the stories' page numbers: they are laid out with the numbers known or
guessed, and again only if a number moved. Every layout is cached by its own HTML (which holds
the articles, the processed images' digests, the options, the start page and the side), so a
rebuild after one article changed lays out that article's section only. A plain edition is one
part laid out in this process: the small case of the same loop.
"""

from __future__ import annotations

import concurrent.futures as cf
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from printedition.cache import Store, cache_key
from printedition.model import Article
from printedition.press.fill import EditionMatter
from printedition.press.options import PartsStats, PressOptions
from printedition.press.parts import (
    PartDocument,
    PartLayout,
    front_document,
    render_part,
    story_document,
)
from printedition.press.pictures import ImageCache
from printedition.resources import ResourcePolicy
from printedition.workers import WorkerPool

# The edition's own matter with the stories' page numbers (slug → page) written in.
FrontPages = Callable[[Mapping[str, int]], EditionMatter]


@dataclass(frozen=True, slots=True, kw_only=True)
class EditionSection:
    """A run of articles laid out as one part; ``title`` None: a plain edition's only part."""

    title: str | None
    articles: tuple[tuple[Article, ResourcePolicy], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Edition:
    """What to print: sections of articles and, for an issue, the front pages."""

    sections: tuple[EditionSection, ...]
    matter: EditionMatter = field(default_factory=EditionMatter)
    front_pages: FrontPages | None = None  # numbers → the front and contents pages

    @classmethod
    def of(cls, articles: Sequence[tuple[Article, ResourcePolicy]]) -> Edition:
        """A plain edition: the articles in one part, sharing pages, under the masthead."""
        return cls(sections=(EditionSection(title=None, articles=tuple(articles)),))

    @property
    def articles(self) -> list[Article]:
        return [a for s in self.sections for a, _ in s.articles]


@dataclass(frozen=True, slots=True, kw_only=True)
class LaidOut:
    documents: tuple[PartDocument, ...]
    layouts: tuple[PartLayout, ...]
    matter: EditionMatter  # with the final page numbers
    stats: PartsStats
    log: tuple[tuple[float, str, int, object], ...]  # when each layout started and ended


@dataclass(slots=True)
class _Part:
    name: str  # "front" or the section's title
    document: PartDocument  # at the current start
    count: int  # pages: exact when ``exact``, else the planner's estimate
    exact: bool
    shape: str  # the cache key of its page count (the same for every start)
    layout: PartLayout | None = None
    layout_key: str = ""
    running: set[str] = field(default_factory=set)


def _warm() -> None:
    """Worker side: import WeasyPrint ahead of the first part."""
    import printedition.press.engine  # noqa: F401


def _story_pages(layout: PartLayout) -> dict[str, int]:
    """Each story's page within its part: the first page its anchor stands on."""
    first: dict[str, int] = {}
    for n, space in enumerate(layout.spaces):
        for anchor in space.anchors:
            first.setdefault(anchor, n)
    return first


def lay_out(
    edition: Edition,
    options: PressOptions,
    *,
    store: Store,
    pool: WorkerPool | None,
    cache: ImageCache,
    colours: bool,
    counts_hint: Sequence[int] = (),
) -> LaidOut:
    """Every part of ``edition`` laid out at its start, from the cache where it can be."""
    started = time.perf_counter()
    articles = edition.articles
    kind = "press"
    front_pages = edition.front_pages

    def count_key(template: str) -> str:
        return cache_key(kind + "-count", template, options.variant)

    def layout_key(html: str) -> str:
        return cache_key(kind + "-part", html, options.variant)

    parts: list[_Part] = []
    matter = edition.matter
    if front_pages is not None:
        # The front part's count does not depend on its numbers: its shape is keyed with zeros.
        matter = front_pages({a.slug: 0 for a in articles})
        front_shape = front_document(options, matter, edition=articles)
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
    f = len(parts)  # 1 with front pages: sections are parts[f:]
    log: list[tuple[float, str, int, object]] = []
    futures: dict[cf.Future[PartLayout], tuple[int, str]] = {}
    workers = pool.jobs if pool is not None else 1
    shape_first = bool(f) and not parts[0].exact and len(counts_hint) != f + len(edition.sections)
    if pool is not None and workers > 1:
        # Workers import WeasyPrint while this process writes the sections' documents; the
        # front pages' count (every start depends on it) is laid out first when not known.
        if shape_first:
            key = layout_key(parts[0].document.html)
            futures[pool.executor().submit(render_part, parts[0].document)] = (0, key)
            parts[0].running.add(key)
            laid_out += 1
        for _ in range(workers - int(shape_first)):
            pool.executor().submit(_warm)
    for n, section in enumerate(edition.sections):
        doc = story_document(
            section.articles,
            options,
            edition.matter,
            cache=cache,
            section=section.title,
            edition=articles,
            colours=colours,
        )
        shape = count_key(doc.template)
        hint = store.get_json(kind + "-count", shape)
        if isinstance(hint, int):
            count, exact = hint, True
        elif n + f < len(counts_hint):
            count, exact = counts_hint[n + f], False
        else:
            count, exact = doc.estimate, False
        name = section.title or "edition"
        parts.append(_Part(name=name, document=doc, count=count, exact=exact, shape=shape))
    if f and len(counts_hint) == len(parts) and not parts[0].exact:
        parts[0].count = counts_hint[0]

    def retarget() -> None:
        """Every part's document for the starts and numbers known now."""
        nonlocal matter
        start = 1 + sum(p.count for p in parts[:f])
        numbers: dict[str, int] = {}
        for part in parts[f:]:
            part.document = part.document.starting_at(start)
            if part.layout is not None:
                local = _story_pages(part.layout)
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
        if front_pages is not None:
            matter = front_pages(numbers)
            parts[0].document = front_document(options, matter, edition=articles)

    def certain(i: int) -> bool:
        if i < f:
            return all(p.exact and p.layout is not None for p in parts[f:])
        return all(p.exact for p in parts[:i])

    def first_page(i: int) -> int:
        return 1 + sum(p.count for p in parts[:i])

    tried: dict[int, int] = {}

    def finish(i: int, key: str, layout: PartLayout) -> None:
        part = parts[i]
        # A late layout from an older start does not replace one at the current start.
        if part.layout is None or part.layout_key != layout_key(part.document.html):
            part.layout, part.layout_key = layout, key
        if not part.exact or part.count != layout.pages:
            part.count, part.exact = layout.pages, True
            store.put_json(kind + "-count", part.shape, layout.pages)

    def finish_layout(i: int, key: str, layout: PartLayout) -> None:
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
                    sections_todo = [i for i in todo if i >= f]
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
                if pool is None or workers == 1:
                    finish_layout(pick, keys[pick], render_part(parts[pick].document))
                    continue
                futures[pool.executor().submit(render_part, parts[pick].document)] = (
                    pick,
                    keys[pick],
                )
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
    layouts = []
    for part in parts:
        if part.layout is None:  # pragma: no cover - the loop ends only when all are laid out
            raise RuntimeError(f"part {part.name!r} was not laid out")
        layouts.append(part.layout)
    return LaidOut(
        documents=tuple(p.document for p in parts),
        layouts=tuple(layouts),
        matter=matter,
        stats=PartsStats(
            laid_out=laid_out,
            cached=cached,
            relaid=relaid,
            seconds=round(time.perf_counter() - started, 3),
        ),
        log=tuple(log),
    )


__all__ = ["Edition", "EditionSection", "FrontPages", "LaidOut", "lay_out"]
