"""Total-fit line breaking: a body paragraph broken as a whole, before WeasyPrint sets it.

Goes in: a paragraph's inline content (the model's ``Inline`` nodes), whether its first line
is indented, its language, and a ``LineBreaker`` made for one style and one column width
(the body faces' metrics from the style's bundled fonts, ``faces``; the hyphenation points
from pyphen's dictionary for the language, as WeasyPrint finds them; the ranges and
demerits of style.toml's ``[justify]``).

Comes out: the paragraph as HTML whose lines are already decided (``set_paragraph``), or
None where it cannot be set that way (markup it cannot measure, a word wider than the
column, a character the body face lacks): the caller then sets the paragraph as before and
WeasyPrint's greedy breaker breaks it.

The breaker is Knuth and Plass's (TeX's): boxes (words and pieces of words), glue (the word
spaces: an ideal width that shrinks to the tightest space the style allows and stretches
to its loose limit) and penalties (the hyphenation points), and the breaks chosen for the
fewest demerits over the whole paragraph, with no more hyphenated lines in a row than the
style allows. WeasyPrint justifies by widening spaces only, never narrowing them: so a line
at its tightest spaces must fit the column, less a small margin for the measuring error,
and the paragraph is set at that tightest spacing. Inside a line the spaces are no-break
spaces (WeasyPrint widens them like spaces); a line ends at an ordinary space, or at a soft
hyphen in a broken word (WeasyPrint draws the hyphen; pdftotext joins the word again). So
WeasyPrint has nowhere to break but where the breaker did (``tests/test_linebreak.py`` lays
the samples out and checks it line by line), and its layout is cheaper than its own
breaking with hyphenation.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import pyphen

from printedition.model import Emphasis, Inline, Link, Strong, Text
from printedition.press.faces import Face, body_faces
from printedition.render import attr, plain_text, safe_href
from printedition.style import PageStyle

PX_PER_MM = 96 / 25.4
PX_PER_PT = 96 / 72
LINE_PENALTY = 10  # TeX's \linepenalty: every line costs a little, so fewer lines win ties
HYPHEN = "-"  # the style's hyphenate-character (press.css, makeup.css)

# A run of text and what it is set in: its markup, outermost first, each an (open, close)
# pair of tags; italic and bold say which face of the body family it takes.
Tags = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class _Run:
    text: str
    tags: Tags
    italic: bool
    bold: bool


# ---------------------------------------------------------------------------------------------
# The paragraph as runs, words and spaces
# ---------------------------------------------------------------------------------------------


class _Unmeasurable(Exception):
    """Inside this module only: the paragraph holds something the breaker cannot measure."""


def _runs(
    content: tuple[Inline, ...], tags: Tags = (), italic: bool = False, bold: bool = False
) -> Iterator[_Run]:
    for node in content:
        match node:
            case Text(text=t):
                yield _Run(t, tags, italic, bold)
            case Emphasis(children=c):
                yield from _runs(c, (*tags, ("<em>", "</em>")), True, bold)
            case Strong(children=c):
                yield from _runs(c, (*tags, ("<strong>", "</strong>")), italic, True)
            case Link(href=href, children=c):
                target = safe_href(href)
                inner = (*tags, (f'<a href="{attr(target)}">', "</a>")) if target else tags
                yield from _runs(c, inner, italic, bold)
            case _:  # line breaks, superscripts, code: other fonts and sizes
                raise _Unmeasurable


# A word is a list of (text, run) pieces (a word may change face: "<em>Times</em>'s");
# a space is the run it stands in.
_Piece = tuple[str, _Run]


@dataclass(slots=True)
class _Word:
    pieces: list[_Piece]
    breaks: list[tuple[int, bool]]  # (character offset, a hyphen is added there)

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.pieces)


def _words(runs: list[_Run]) -> tuple[list[_Word], list[_Run]]:
    """The words and, between each two, the run of the space (len(spaces) = len(words) - 1)."""
    words: list[_Word] = []
    spaces: list[_Run] = []
    current: list[_Piece] = []
    pending_space: _Run | None = None
    for run in runs:
        for chunk in re.split(r"( +)", run.text):
            if not chunk:
                continue
            if chunk.startswith(" "):
                if current:
                    words.append(_Word(current, []))
                    current = []
                if words:
                    pending_space = pending_space or run
                continue
            if any(
                unicodedata.category(c) in ("Zs", "Zl", "Zp", "Cc", "Cf") and c != "\u00a0"
                for c in chunk
            ):
                raise _Unmeasurable  # soft hyphens, zero-width spaces, tabs: leave them to WeasyPrint
            if pending_space is not None and not current:
                spaces.append(pending_space)
                pending_space = None
            current.append((chunk, run))
    if current:
        words.append(_Word(current, []))
    return words, spaces


_CORE = re.compile(r"^([^\w]*)(\w+(?:['’]\w+)*)([^\w]*)$")


# ---------------------------------------------------------------------------------------------
# The breaker
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    kind: str  # "box", "glue", "penalty"
    width: float
    stretch: float = 0.0
    shrink: float = 0.0
    penalty: float = 0.0
    flagged: bool = False
    where: tuple[int, int] = (0, 0)  # box/penalty: (word, offset); glue: (space, 0)


@dataclass(slots=True)
class _Node:
    item: int  # the break's item (-1: the paragraph's start)
    line: int  # lines before the break
    fitness: int
    run: int  # hyphenated lines in a row ending here
    demerits: float
    prev: _Node | None
    flagged: bool


class LineBreaker:
    """Breaks paragraphs for one style's body at one column width."""

    def __init__(self, style: PageStyle, column_mm: float) -> None:
        j = style.justify
        self.justify = j
        self.em = style.type.body_size_pt * PX_PER_PT
        self.width = column_mm * PX_PER_MM
        self.margin = j.margin_mm * PX_PER_MM
        self.faces = body_faces(style, self.em)
        self._dictionaries: dict[str, pyphen.Pyphen | None] = {}

    # -- metrics ------------------------------------------------------------------------------

    def _face(self, run: _Run) -> Face:
        face = self.faces.get((run.italic, run.bold))
        if face is None:
            raise _Unmeasurable
        return face

    def _width(self, pieces: list[_Piece], upto: int, hyphen: bool = False) -> float:
        """The width of a word's first ``upto`` characters (and a hyphen after them)."""
        total, seen = 0.0, 0
        for text, run in pieces:
            if seen >= upto:
                break
            take = text[: upto - seen]
            seen += len(take)
            total += self._face(run).width(take + (HYPHEN if hyphen and seen == upto else ""))
        return total

    def _dictionary(self, language: str) -> pyphen.Pyphen | None:
        if language not in self._dictionaries:
            lang = pyphen.language_fallback(language) if language else None
            j = self.justify
            self._dictionaries[language] = (
                pyphen.Pyphen(lang=lang, left=j.hyphen_before, right=j.hyphen_after)
                if lang
                else None
            )
        return self._dictionaries[language]

    def _break_points(
        self, word: _Word, dictionary: pyphen.Pyphen | None
    ) -> list[tuple[int, bool]]:
        text = word.text
        points: list[tuple[int, bool]] = []
        # After a hyphen inside a word ("well-known"), as Pango breaks: no hyphen added.
        for found in re.finditer(r"(?<=\w)-(?=\w)", text):
            points.append((found.end(), False))
        if dictionary is None or points:
            return points
        core = _CORE.match(text)
        if core is None or len(core.group(2)) < self.justify.hyphen_word:
            return points
        start = len(core.group(1))
        for at in dictionary.positions(core.group(2)):
            points.append((start + at, True))
        return points

    # -- items ---------------------------------------------------------------------------------

    def _items(self, words: list[_Word], spaces: list[_Run], language: str) -> list[_Item]:
        j = self.justify
        dictionary = self._dictionary(language)
        items: list[_Item] = []
        for w, word in enumerate(words):
            for text, run in word.pieces:
                if not self._face(run).covers(text):
                    raise _Unmeasurable  # WeasyPrint would take the character from a fallback face
            word.breaks = self._break_points(word, dictionary)
            n = len(word.text)
            prev = 0
            for at, hyphen in word.breaks:
                items.append(
                    _Item(
                        "box",
                        self._width(word.pieces, at) - self._width(word.pieces, prev),
                        where=(w, prev),
                    )
                )
                extra = (
                    self._width(word.pieces, at, hyphen=True) - self._width(word.pieces, at)
                    if hyphen
                    else 0.0
                )
                items.append(
                    _Item("penalty", extra, penalty=j.hyphen_penalty, flagged=True, where=(w, at))
                )
                prev = at
            items.append(
                _Item(
                    "box",
                    self._width(word.pieces, n) - self._width(word.pieces, prev),
                    where=(w, prev),
                )
            )
            if w < len(spaces):
                face = self._face(spaces[w]).width(" ")
                tightest = face + (j.word_spacing_em + j.tightest_em) * self.em
                ideal = max(tightest, j.space_em * self.em)
                loose = max(ideal + 0.01, j.loose_em * self.em)
                items.append(
                    _Item(
                        "glue", ideal, stretch=loose - ideal, shrink=ideal - tightest, where=(w, 0)
                    )
                )
        # The last line: set at its narrowest spaces, never justified.
        items.append(_Item("glue", 0.0, stretch=math.inf, where=(len(words), 0)))
        items.append(_Item("penalty", 0.0, penalty=-math.inf, where=(len(words), 0)))
        return items

    # -- Knuth–Plass ---------------------------------------------------------------------------

    def _breaks(self, items: list[_Item], indent: float) -> list[int] | None:
        j = self.justify
        n = len(items)
        sw = [0.0] * (n + 1)
        sy = [0.0] * (n + 1)
        sz = [0.0] * (n + 1)
        for i, it in enumerate(items):
            glue = it.kind == "glue"
            sw[i + 1] = sw[i] + (it.width if it.kind != "penalty" else 0.0)
            sy[i + 1] = sy[i] + (it.stretch if glue else 0.0)
            sz[i + 1] = sz[i] + (it.shrink if glue else 0.0)
        active: list[_Node] = [_Node(-1, 0, 1, 0, 0.0, None, False)]
        for b, it in enumerate(items):
            if it.kind == "box":
                continue
            if it.kind == "glue" and (b == 0 or items[b - 1].kind != "box"):
                continue
            if it.kind == "penalty" and it.penalty == math.inf:
                continue
            forced = it.kind == "penalty" and it.penalty == -math.inf
            best: dict[tuple[int, int], _Node] = {}
            keep: list[_Node] = []
            for a in active:
                start = a.item + 1
                width = sw[b] - sw[start] + (it.width if it.kind == "penalty" else 0.0)
                stretch, shrink = sy[b] - sy[start], sz[b] - sz[start]
                room = self.width - (indent if a.line == 0 else 0.0)
                if width - shrink > room - self.margin:
                    continue  # too wide even at the narrowest spaces: and so is every later break
                keep.append(a)
                if width >= room:
                    ratio = (room - width) / shrink if shrink > 0 else 0.0
                elif stretch == math.inf:
                    ratio = 0.0
                elif stretch > 0:
                    ratio = (room - width) / stretch
                else:
                    ratio = 1e3  # a line of one word, with no space to widen
                badness = 100 * abs(ratio) ** 3
                flagged = it.kind == "penalty" and it.flagged
                run = a.run + 1 if flagged else 0
                if run > j.hyphen_run:
                    continue
                if forced and a.flagged:
                    continue  # the last line is never the rest of a broken word
                if forced and a.prev is not None:
                    # WeasyPrint would pull up a last line that fits after the one before
                    # it (counted without the space between: on the safe side)
                    above = a.prev.item + 1
                    before = sw[a.item] - sw[above] - (sz[a.item] - sz[above])
                    if before + width - shrink <= self.width - (indent if a.line == 1 else 0.0):
                        continue
                demerits = (LINE_PENALTY + badness) ** 2
                if it.kind == "penalty" and not forced and it.penalty > 0:
                    demerits += it.penalty**2
                if flagged and a.flagged:
                    demerits += j.hyphen_run_demerits
                fitness = 0 if ratio < -0.5 else 1 if ratio <= 0.5 else 2 if ratio <= 1 else 3
                if abs(fitness - a.fitness) > 1 and not forced:
                    demerits += j.fitness_demerits
                total = a.demerits + demerits
                key = (fitness, run)
                if key not in best or total < best[key].demerits:
                    best[key] = _Node(b, a.line + 1, fitness, run, total, a, flagged)
            active = keep + sorted(best.values(), key=lambda node: (node.fitness, node.run))
            if forced:
                ends = [node for node in active if node.item == b]
                if not ends:
                    return None
                node: _Node | None = min(ends, key=lambda node: node.demerits)
                found = []
                while node is not None and node.item >= 0:
                    found.append(node.item)
                    node = node.prev
                return found[::-1]
            if not active:
                return None
        return None

    # -- the paragraph -------------------------------------------------------------------------

    def set_paragraph(
        self, content: tuple[Inline, ...], *, indent: bool, language: str, end: str = ""
    ) -> str | None:
        """The paragraph as ``<p class="kp">`` with its lines decided, or None (see above).
        ``end``: HTML that closes the paragraph's last line (a story's end mark), for which
        the style's ``end_room`` is kept free there."""
        try:
            runs = list(_runs(content))
            words, spaces = _words(runs)
            if len(words) < 2:
                return None
            items = self._items(words, spaces, language)
            if end:
                room = _Item("box", self.justify.end_room_em * self.em, where=(len(words), 0))
                items.insert(len(items) - 2, room)
        except _Unmeasurable:
            return None
        breaks = self._breaks(items, self.justify.indent_em * self.em if indent else 0.0)
        if breaks is None:
            return None
        lines = self._lines(items, breaks)
        if lines is None:
            return None
        spacing = self._last_spacing(
            items, breaks, self.justify.indent_em * self.em if indent else 0.0
        )
        inner = _html(words, spaces, items, breaks, spacing, end)
        return f'<p class="kp{"" if indent else " flush"}">{inner}</p>'

    def _last_spacing(self, items: list[_Item], breaks: list[int], indent: float) -> str:
        """The last line's word spacing (CSS) where the stylesheet's is too wide for it to fit
        (it is not justified: it is set at the body's spacing, not the tightest), narrowed by
        just enough and rounded down; "" where it fits."""
        j = self.justify
        start = breaks[-2] + 1 if len(breaks) > 1 else 0
        line = [it for it in items[start : breaks[-1]] if it.stretch != math.inf]
        tight = sum(it.width - it.shrink for it in line if it.kind != "penalty")
        gaps = sum(it.kind == "glue" for it in line)
        room = self.width - self.margin - (indent if len(breaks) == 1 else 0.0)
        over = tight - j.tightest_em * self.em * gaps - room  # at the stylesheet's spacing
        if over <= 0 or gaps == 0:
            return ""
        narrower = math.floor((j.word_spacing_em - over / gaps / self.em) * 1000) / 1000
        return f"word-spacing: {narrower:g}em"

    def _lines(self, items: list[_Item], breaks: list[int]) -> list[tuple[int, int]] | None:
        """The lines as (first item, break item); None where WeasyPrint might not break as
        the breaker did: a word broken twice (its soft hyphens are WeasyPrint's to choose
        from), or a last line short enough to join the line before it."""
        lines = []
        start = 0
        broken: set[int] = set()
        for b in breaks:
            lines.append((start, b))
            if items[b].kind == "penalty" and items[b].penalty != -math.inf:
                word = items[b].where[0]
                if word in broken:
                    return None
                broken.add(word)
            start = b + 1
        for (a0, b0), (a1, b1) in itertools.pairwise(lines):
            # the next line's first unbreakable stretch: all of it, or up to its hyphen
            before = sum(it.width - it.shrink for it in items[a0:b0] if it.kind != "penalty")
            after = sum(it.width - it.shrink for it in items[a1:b1] if it.kind != "penalty")
            if before + after <= self.width:
                return None
        return lines


# ---------------------------------------------------------------------------------------------
# Lines → HTML
# ---------------------------------------------------------------------------------------------


# Characters a word may hold without giving WeasyPrint (Pango) a break opportunity inside it;
# a word with any other (a hyphen, a dash, a slash) is kept whole in a span that does not wrap.
_NO_BREAK_INSIDE = re.compile(r"^[\w.,;:!?'’‘“”\"()\u00a0]*$")
NBSP = "\u00a0"


def _html(
    words: list[_Word],
    spaces: list[_Run],
    items: list[_Item],
    breaks: list[int],
    last_spacing: str,
    end: str,
) -> str:
    """The paragraph with its line breaks fixed: the spaces inside a line no-break spaces
    (WeasyPrint widens them to justify the line, as it does spaces), a space where a line
    ends, a soft hyphen where a word is broken, ``<wbr/>`` after a word's own hyphen. The
    last line in a span of its own, set at the stylesheet's word spacing (the paragraph's
    is the tightest the breaker may use: WeasyPrint only widens it)."""
    glue_breaks = {items[b].where[0] for b in breaks if items[b].kind == "glue"}
    word_breaks: dict[int, tuple[int, bool]] = {}
    for b in breaks:
        it = items[b]
        if it.kind == "penalty" and it.penalty != -math.inf:
            word = words[it.where[0]]
            word_breaks[it.where[0]] = (it.where[1], dict(word.breaks)[it.where[1]])
    last_starts = max((items[b].where[0] + 1 for b in breaks[:-1]), default=0)
    body: list[tuple[Tags, str]] = []
    last: list[tuple[Tags, str]] = []
    for w, word in enumerate(words):
        out = last if w >= last_starts and len(breaks) > 1 else body
        where = word_breaks.get(w)
        if where is not None and where[1]:
            # in an element of its own: WeasyPrint looks for soft hyphens in the rest of a
            # text, and the rest of the paragraph would be a long search on every line
            broken: Tags = (('<span class="kp-broken">', "</span>"),)
            out.extend((tags + broken, t) for tags, t in _split(word.pieces, where[0], "\u00ad"))
        elif where is not None:
            out.extend(_split(word.pieces, where[0], "<wbr/>"))
        elif _NO_BREAK_INSIDE.match(word.text):
            out.extend((run.tags, plain_text(t)) for t, run in word.pieces)
        else:
            whole: Tags = (('<span class="kp-whole">', "</span>"),)
            out.extend(((*run.tags, *whole), plain_text(t)) for t, run in word.pieces)
        if w < len(spaces):
            out.append((spaces[w].tags, " " if w in glue_breaks else NBSP))
    if len(breaks) == 1:
        last, body = body, []
    style = f' style="{last_spacing}"' if last_spacing else ""
    return (
        _marked(body)
        + f'<span class="kp-last"{style}>'
        + _marked(last)
        + end  # on the last line, where room was kept for it
        + "</span>"
    )


def _split(pieces: list[_Piece], at: int, mark: str) -> list[tuple[Tags, str]]:
    """The word's pieces with ``mark`` standing alone at character offset ``at``."""
    out: list[tuple[Tags, str]] = []
    seen = 0
    for text, run in pieces:
        if seen <= at <= seen + len(text):
            k = at - seen
            if text[:k]:
                out.append((run.tags, plain_text(text[:k])))
            out.append((run.tags, mark))
            if text[k:]:
                out.append((run.tags, plain_text(text[k:])))
            at = -1
        else:
            out.append((run.tags, plain_text(text)))
        seen += len(text)
    return out


def _marked(pieces: list[tuple[Tags, str]]) -> str:
    """Pieces of text in their markup, neighbours with the same markup in one element."""
    out: list[str] = []
    for tags, group in _grouped(pieces):
        out.append("".join(o for o, _ in tags) + group + "".join(c for _, c in reversed(tags)))
    return "".join(out)


def _grouped(pieces: list[tuple[Tags, str]]) -> Iterator[tuple[Tags, str]]:
    current: Tags | None = None
    texts: list[str] = []
    for tags, t in pieces:
        if tags != current and texts:
            yield current or (), "".join(texts)
            texts = []
        current = tags
        texts.append(t)
    if texts:
        yield current or (), "".join(texts)


@functools.lru_cache(maxsize=8)
def line_breaker(style: PageStyle, column_mm: float) -> LineBreaker:
    """The breaker for a style's body at a column width (fonts loaded once a process)."""
    return LineBreaker(style, column_mm)
