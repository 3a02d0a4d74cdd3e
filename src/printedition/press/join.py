"""Join: laid-out parts → one PDF, pages in order, bookmarks and named destinations kept.

Goes in: each part's PDF and how many pages at its head are not printed. Comes out: the joined
file, keeping the first part's document information and metadata.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pikepdf

from printedition.press.parts import PartLayout


def _outline(
    pdf: pikepdf.Pdf, index: dict[tuple[int, int], int]
) -> list[tuple[str, int, list[Any], bool, list[Any]]]:
    """The bookmarks: (title, page index, rest of the destination, closed, children)."""

    def walk(items: Sequence[pikepdf.OutlineItem]) -> list[Any]:
        out = []
        for item in items:
            dest = item.destination
            if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen in index:
                out.append(
                    (
                        item.title,
                        index[dest[0].objgen],
                        list(dest[1:]),
                        item.is_closed,
                        walk(item.children),
                    )
                )
            else:
                out.extend(walk(item.children))
        return out

    with pdf.open_outline() as outline:
        return walk(outline.root)


def _dests(pdf: pikepdf.Pdf, index: dict[tuple[int, int], int]) -> list[tuple[str, int, list[Any]]]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    out = []
    for name, dest in pikepdf.NameTree(names.Dests).items():
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.get("/D", pikepdf.Array())
        if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen in index:
            out.append((str(name), index[dest[0].objgen], list(dest[1:])))
    return out


def merge_parts(parts: Sequence[PartLayout]) -> bytes:
    """The parts' printed pages in order, in one file that keeps the first part's document
    information and metadata, with every part's bookmarks and named destinations."""
    outline: list[Any] = []
    dests: list[tuple[str, int, list[Any]]] = []
    offsets = [0]
    for part in parts:
        offsets.append(offsets[-1] + part.pages)
    # Pages copied from another file keep reading its streams until the merged file is saved.
    sources: list[pikepdf.Pdf] = []
    with pikepdf.open(io.BytesIO(parts[0].pdf)) as merged:
        try:
            for n, part in enumerate(parts):
                source = merged if n == 0 else pikepdf.open(io.BytesIO(part.pdf))
                if n:
                    sources.append(source)
                if len(source.pages) != part.pages:
                    raise RuntimeError("a part's PDF does not match its layout record")
                index = {p.obj.objgen: offsets[n] + i for i, p in enumerate(source.pages)}
                outline.extend(_outline(source, index))
                dests.extend(_dests(source, index))
                if n:
                    merged.pages.extend(list(source.pages))
            pages = list(merged.pages)

            def item(entry: tuple[str, int, list[Any], bool, list[Any]]) -> pikepdf.OutlineItem:
                title, page, rest, closed, children = entry
                made = pikepdf.OutlineItem(title, pikepdf.Array([pages[page].obj, *rest]))
                made.is_closed = closed
                made.children.extend(item(c) for c in children)
                return made

            with merged.open_outline() as target:
                target.root.clear()
                target.root.extend(item(e) for e in outline)
            if dests:
                tree = pikepdf.NameTree.new(merged)
                for name, page, rest in sorted(dests, key=lambda d: d[0]):
                    tree[name] = pikepdf.Array([pages[page].obj, *rest])
                if "/Names" not in merged.Root:
                    merged.Root.Names = pikepdf.Dictionary()
                merged.Root.Names.Dests = tree.obj
            out = io.BytesIO()
            merged.save(out, static_id=True, deterministic_id=False)
        finally:
            for source in sources:
                source.close()
    return out.getvalue()


__all__ = ["merge_parts"]
