"""PDF: an edition → the print-ready newspaper PDF and, from the very same pages, its proof.

Goes in: an ``Edition`` (sections of articles with the resource policy their images may be read
under; for an issue, its front pages), ``PressOptions`` and where to write the press file and
the proof. The one press pipeline, for ``printedition pdf`` (one part, in this process) and the
issue build (front pages and one part per section, cached, on workers) alike:

1. plan and lay out in parts (``schedule.lay_out``: ``parts.story_document`` reads, plans and
   processes the images and writes each part's HTML; ``parts.render_part`` lays it out in
   ``engine``, the only module that imports WeasyPrint);
2. join (``join.merge_parts``): the parts' pages in order, bookmarks and destinations kept;
3. fill (``fill.fit_house_material``): house panels at the foot of pages a story ended early
   on, house pages to whole sheets;
4. finish (``finish.finish``): the press file (boxes, output intent, no annotations) and the
   proof (colour photos, links, crop marks and slug) from the same joined pages;
5. preflight and deliver: the press file checked, both written atomically.

Comes out: the files and a ``PressResult``.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from printedition.cache import Store
from printedition.errors import InputError
from printedition.model import BuildWarning
from printedition.press.finish import (
    ProofMarks,
    fallback_fonts,
    finish,
    preflight_press,
    write_file,
)
from printedition.press.join import merge_parts
from printedition.press.options import PressOptions, PressResult, read_icc
from printedition.press.parts import furniture_for
from printedition.press.pictures import ImageCache
from printedition.press.schedule import Edition, FrontReady, lay_out
from printedition.settings import DEFAULT_COLOUR
from printedition.workers import WorkerPool


@dataclass(frozen=True, slots=True, kw_only=True)
class PressOutputs:
    """Where to write: the press file, its proof, or both."""

    press: Path | None = None
    proof: Path | None = None


def write_pdf(
    edition: Edition,
    outputs: PressOutputs,
    options: PressOptions,
    *,
    store: Store | None = None,
    pool: WorkerPool | None = None,
    cache: ImageCache | None = None,
    on_front: Callable[[FrontReady], None] | None = None,
) -> PressResult:
    """Lay ``edition`` out as newspaper pages and write the press file and/or its proof.
    ``on_front``: called with the laid-out front pages (a PDF) and where each page begins in
    the stories as soon as they are final (an issue's; the caller may start work that needs
    the front page or the page numbers)."""
    articles = edition.articles
    if not articles:
        raise InputError("no articles to print")
    if outputs.press is None and outputs.proof is None:
        raise InputError("nothing to write: name a press file or a proof")
    if outputs.press is None and options.icc_profile is None:
        # A proof alone needs no printer's profile: its pages are laid out as a grey press
        # file's (the photos' colour does not move a line), then shown in colour.
        options = dataclasses.replace(options, colour=DEFAULT_COLOUR, variant="none")
    icc, _ = read_icc(options)
    with tempfile.TemporaryDirectory(prefix="printedition-") as scratch:
        laid = lay_out(
            edition,
            options,
            store=store if store is not None else Store(Path(scratch), enabled=False),
            pool=pool,
            cache=cache if cache is not None else {},
            colours=outputs.proof is not None,
            on_front=on_front,
        )
    warnings: list[BuildWarning] = list(laid.warnings)
    for layout in laid.layouts:
        warnings.extend(w for w in layout.warnings if w not in warnings)
    joined = merge_parts(laid.layouts)
    furniture = furniture_for(options, edition.articles, masthead=options.masthead)
    proof = None
    if outputs.proof is not None:
        slug = " - ".join(x for x in (options.paper.name, furniture.month) if x)
        proof = ProofMarks(colours=laid.colours, slug=slug)
    done = finish(
        joined,
        options=options,
        icc=icc,
        proof=proof,
        press=outputs.press is not None or outputs.proof is None,
    )

    report = None
    if outputs.press is not None:
        report = preflight_press(done.press, outputs.press, options)
        warnings.extend(fallback_fonts(done.press, options.style))
        write_file(outputs.press, done.press)
    if outputs.proof is not None:
        if outputs.press is None:
            warnings.extend(fallback_fonts(joined, options.style))  # (the proof adds its slug's font)
        write_file(outputs.proof, done.proof)
    plan = laid.plan
    return PressResult(
        pages=done.pages,
        warnings=tuple(warnings),
        preflight=report,
        html_bytes=laid.html_bytes,
        padded_pages=sum(1 for p in plan.pages if not p.stories),
        house_panels=sum(len(p.panels) for p in plan.pages),
        parts=laid.stats,
        flatplan=plan,
        page_breaks=laid.page_breaks,
    )


__all__ = ["PressOutputs", "write_pdf"]
