"""Body: a story's text as laid out once in one column, and how it shares out over legs.

Goes in: the body's strips (``Strip``: each line and unbreakable block as the measuring layout
set it, in order, with whether a column may end after it). Comes out: the answers the make-up
needs, exactly rather than estimated from a line count:

- ``Body.fill``: where a leg of a given height that starts at a strip ends;
- ``Body.balanced``: the smallest leg height at which ``k`` legs (some starting lower, under a
  photo) hold the rest of the body; legs set at it end together within a line;
- ``Body.cut``: the strips of each leg of a plan (the last page's legs balanced), or None.

Pure arithmetic on the strips (bisection on running extents), fast enough for the packer to
ask it for every shape it tries. Nothing here lays out.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

TOLERANCE_MM = 0.3  # what a leg may hold beyond its height (rounding of line heights)
LINE_MM = 3.0  # a body line is at least this tall (mm) ...
LINE_MAX_MM = 7.0  # ... and at most this: a taller strip is a picture, table or box


@dataclass(frozen=True, slots=True, kw_only=True)
class Strip:
    """One unbreakable piece of the body (a line, or a block that does not break): where it
    stood, in mm from the top of the first page the body was set on (the pages one under the
    other), where it stood on its own page, and whether a column may end after it."""

    top_mm: float
    bottom_mm: float
    page_top_mm: float
    breakable: bool
    ident: str = ""  # the id of the element it is (or is in), if any
    page: int = 0  # its page in the strips' PDF (strips taken out leave the others' pages)
    text: str = ""  # a line's text (where a page begins inside a paragraph); "" for a block


@dataclass(frozen=True, slots=True, kw_only=True)
class Cut:
    """The strips ``first`` to ``last`` (inclusive) in one leg; ``first > last``: empty."""

    first: int
    last: int

    @property
    def empty(self) -> bool:
        return self.first > self.last


@dataclass(frozen=True, slots=True)
class Body:
    strips: tuple[Strip, ...]
    _reach: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _breaks: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _memo: dict[tuple[int, tuple[float, ...]], float] = field(
        init=False, repr=False, compare=False
    )
    _where: dict[str, int] = field(init=False, repr=False, compare=False)
    _without: dict[frozenset[str], Body] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        reach: list[float] = []
        breaks: list[int] = []
        low = float("-inf")
        last = -1
        for n, strip in enumerate(self.strips):
            low = max(low, strip.bottom_mm)
            reach.append(low)
            if strip.breakable:
                last = n
            breaks.append(last)
        object.__setattr__(self, "_reach", tuple(reach))
        object.__setattr__(self, "_breaks", tuple(breaks))
        object.__setattr__(self, "_memo", {})
        where: dict[str, int] = {}
        for n, strip in enumerate(self.strips):
            if strip.ident:
                where.setdefault(strip.ident, n)
        object.__setattr__(self, "_where", where)
        object.__setattr__(self, "_without", {})

    def __len__(self) -> int:
        return len(self.strips)

    @property
    def height_mm(self) -> float:
        """The body in one column."""
        return self.strips[-1].bottom_mm - self.strips[0].top_mm if self.strips else 0.0

    def rest_mm(self, start: int) -> float:
        """The body from strip ``start`` on, in one column."""
        if start >= len(self.strips):
            return 0.0
        return self._reach[-1] - self.strips[start].top_mm

    def fill(self, start: int, height: float) -> int:
        """The last strip a leg of ``height`` starting at ``start`` holds and may end after
        (``start - 1``: none)."""
        if start >= len(self.strips):
            return start - 1
        limit = self.strips[start].top_mm + height + TOLERANCE_MM
        j = bisect.bisect_right(self._reach, limit, lo=start) - 1
        if j < start:
            return start - 1
        end = self._breaks[j]
        return end if end >= start else start - 1

    def run(self, heights: Sequence[float], start: int = 0) -> tuple[list[Cut], int]:
        """Legs of ``heights`` filled in turn from ``start``: their cuts, and where the rest
        begins."""
        cuts = []
        at = start
        for height in heights:
            end = self.fill(at, height) if at < len(self.strips) else at - 1
            cuts.append(Cut(first=at, last=end))
            at = end + 1
        return cuts, at

    def balanced(self, offsets: Sequence[float], start: int = 0) -> float:
        """The smallest height H at which legs of H minus ``offsets`` (a leg under a photo
        starts lower) hold the body from ``start`` on."""
        key = (start, tuple(round(o, 2) for o in offsets))
        found = self._memo.get(key)
        if found is not None:
            return found
        rest = self.rest_mm(start)
        if rest <= 0:
            return max(offsets, default=0.0)
        low = max(max(offsets), (rest + sum(offsets)) / len(offsets)) - 1e-6
        high = max(offsets) + rest + TOLERANCE_MM
        if self.run([high - o for o in offsets], start)[1] < len(self.strips):
            high = max(offsets) + 2 * rest + 10.0  # an unbreakable run longer than a leg
        for _ in range(30):
            if high - low < 0.01:
                break
            mid = (low + high) / 2
            if self.run([mid - o for o in offsets], start)[1] >= len(self.strips):
                high = mid
            else:
                low = mid
        self._memo[key] = high
        return high

    def cut(self, heights: Sequence[float], last: int) -> list[Cut] | None:
        """The strips in legs of ``heights`` (the legs from index ``last`` on, a page's, are
        balanced: shortened alike as far as they still hold the rest), or None if they do not
        hold the body."""
        if not self.strips:
            return [Cut(first=0, last=-1) for _ in heights]
        before, at = self.run(heights[:last])
        final = list(heights[last:])
        if not final or self.run(final, at)[1] < len(self.strips):
            return None
        tallest = max(final)
        need = self.balanced([tallest - h for h in final], at)
        tail, done = self.run([h - max(0.0, tallest - need) for h in final], at)
        if done < len(self.strips):  # pragma: no cover - balanced() guarantees the fit
            tail, done = self.run(final, at)
        return before + tail

    def overflow_mm(self, heights: Sequence[float]) -> float:
        """How much of the body legs of ``heights`` leave over (mm of one column)."""
        _, at = self.run(heights)
        return self.rest_mm(at)

    def without(self, idents: frozenset[str]) -> Body:
        """The body with the strips of ``idents`` taken out (pictures set elsewhere), what
        follows each moved up by its height and the space under it."""
        if not idents or not any(s.ident in idents for s in self.strips):
            return self
        # (The planner asks for the same body without the same pictures in plan after plan.)
        if idents not in self._without:
            self._without[idents] = self._taken_out(idents)
        return self._without[idents]

    def _taken_out(self, idents: frozenset[str]) -> Body:
        kept: list[Strip] = []
        shift = 0.0
        strips = self.strips
        for n, strip in enumerate(strips):
            if strip.ident and strip.ident in idents:
                nxt = strips[n + 1].top_mm if n + 1 < len(strips) else strip.bottom_mm
                shift += nxt - strip.top_mm
                if kept and not kept[-1].breakable:
                    kept[-1] = replace(kept[-1], breakable=strip.breakable)
                continue
            kept.append(replace(strip, top_mm=strip.top_mm - shift, bottom_mm=strip.bottom_mm - shift))
        return Body(tuple(kept))

    def deferred(self, cuts: Sequence[Cut], heights: Sequence[float]) -> Body | None:
        """The body with one picture or box moved: the first that stands next in its leg, does
        not fit what is left of it (two lines or more) and fits the next leg goes to the top of
        that next leg, the lines that follow it moving up to fill the gap (as a float to the
        next column would). None when no leg ends short that way."""
        strips = self.strips
        for k in range(len(cuts) - 1):
            cut = cuts[k]
            j = cut.last + 1 if not cut.empty else cut.first
            if j >= len(strips) - 1:
                return None
            block = strips[j]
            gap = heights[k] - self.leg_mm(cut)
            above = max(0.0, strips[j + 1].top_mm - block.bottom_mm) if not cut.empty else 0.0
            tall = block.bottom_mm - block.top_mm
            if gap < 2 * LINE_MM or tall <= max(gap, LINE_MAX_MM) or tall > heights[k + 1]:
                continue
            if strips[j + 1].top_mm < block.bottom_mm - TOLERANCE_MM:
                continue  # lines stand beside it (a drop cap, a float): it moves with them
            # The lines after it that fill the gap, ending where the text may break.
            end = j
            for n in range(j + 1, len(strips)):
                piece = strips[n]
                if piece.bottom_mm - piece.top_mm > LINE_MAX_MM:
                    break
                if above + piece.bottom_mm - strips[j + 1].top_mm > gap + TOLERANCE_MM:
                    break
                if piece.breakable:
                    end = n
            if end == j:
                continue
            order = [*range(j), *range(j + 1, end + 1), j, *range(end + 1, len(strips))]
            return self._reordered(order, moved_last=end, block=j)
        return None

    def _reordered(self, order: Sequence[int], *, moved_last: int, block: int) -> Body:
        """The strips in ``order``, each keeping its own height and the space above it; the
        text may break before the moved block, and after it where it could after the lines
        moved past it."""
        strips = self.strips
        out: list[Strip] = []
        cursor = strips[0].top_mm  # the lowest foot so far
        prev = -2
        for n in order:
            strip = strips[n]
            if out and n == prev + 1:
                # Where it stood against the one before it (lines beside a drop cap overlap it).
                top = strip.top_mm + out[-1].top_mm - strips[prev].top_mm
            elif out:
                above = strip.top_mm - strips[n - 1].bottom_mm if n > 0 else 0.0
                top = cursor + max(0.0, above)
            else:
                top = strip.top_mm
            breakable = strip.breakable
            if n == moved_last:
                breakable = True
            elif n == block:
                breakable = strips[moved_last].breakable
            out.append(
                replace(strip, top_mm=top, bottom_mm=top + strip.bottom_mm - strip.top_mm, breakable=breakable)
            )
            cursor = max(cursor, top + strip.bottom_mm - strip.top_mm)
            prev = n
        return Body(tuple(out))

    def index_of(self, ident: str) -> int | None:
        return self._where.get(ident)

    def leg_mm(self, cut: Cut) -> float:
        if cut.empty:
            return 0.0
        return self._reach[cut.last] - self.strips[cut.first].top_mm


__all__ = ["TOLERANCE_MM", "Body", "Cut", "Strip"]
