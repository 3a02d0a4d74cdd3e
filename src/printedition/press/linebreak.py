"""Total-fit line breaking: a body paragraph broken as a whole, before WeasyPrint sets it.

Goes in: a paragraph's inline content (the model's ``Inline`` nodes), whether its first line
is indented, its language, and a ``LineBreaker`` made for one style and one column width
(the body face's metrics from the style's bundled fonts, shaped with HarfBuzz as Pango
shapes them; the hyphenation points from pyphen's dictionary for the language, as
WeasyPrint finds them; the ranges and demerits of style.toml's ``[justify]``).

Comes out: the paragraph as HTML whose lines are already decided (``set_paragraph``), or
None where it cannot be set that way (markup it cannot measure, a word wider than the
column, a character the body face lacks): the caller then sets the paragraph as before and
WeasyPrint's greedy breaker breaks it.

The breaker is Knuth and Plass's (TeX's): boxes (words and pieces of words), glue (the word
spaces: an ideal width that shrinks to the narrowest space the stylesheet sets and
stretches to the style's loose limit) and penalties (the hyphenation points), and the
breaks chosen for the fewest demerits over the whole paragraph. WeasyPrint justifies by
widening spaces only, never narrowing them: so a line at its narrowest spaces must fit the
column, less a small margin for the measuring error. Each line is handed over as a span
that does not wrap; the spans are joined by break opportunities (``<wbr>``), and a word
broken across two lines carries a soft hyphen there (WeasyPrint draws the hyphen; pdftotext
joins the word again).
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import pyphen
import uharfbuzz as hb
from fontTools.ttLib import TTFont

from printedition.model import Emphasis, Inline, Link, Strong, Text
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
# Faces: the body family's bundled files, shaped with HarfBuzz
# ---------------------------------------------------------------------------------------------

_FONT_FACE = re.compile(r"@font-face\s*\{(.*?)\}", re.S)


def _descriptor(block: str, name: str) -> str:
    found = re.search(rf"{name}\s*:\s*([^;]+);", block)
    return found.group(1).strip().strip("'\"") if found else ""


class _Face:
    """One font file at the body size: advance widths of strings, in CSS px."""

    def __init__(self, data: bytes, size_px: float) -> None:
        font = TTFont(io.BytesIO(data))
        font.flavor = None  # HarfBuzz reads sfnt, not WOFF
        sfnt = io.BytesIO()
        font.save(sfnt)
        face = hb.Face(sfnt.getvalue())
        self._font = hb.Font(face)
        self._scale = size_px / face.upem
        self._chars = frozenset(face.unicodes)
        self._widths: dict[str, float] = {}

    def covers(self, text: str) -> bool:
        return all(ord(c) in self._chars for c in text)

    def width(self, text: str) -> float:
        found = self._widths.get(text)
        if found is None:
            buf = hb.Buffer()
            buf.add_str(text)
            buf.guess_segment_properties()
            # Pango's defaults, and the stylesheets' common-ligatures and kerning
            hb.shape(self._font, buf, {"kern": True, "liga": True, "clig": True})
            found = sum(p.x_advance for p in buf.glyph_positions) * self._scale
            self._widths[text] = found
        return found


def _faces(style: PageStyle, size_px: float) -> dict[tuple[bool, bool], _Face]:
    """The body family's faces by (italic, bold), from the style's fonts.css."""
    family = style.fonts.body
    faces = {}
    for block in _FONT_FACE.findall(style.read("fonts.css").decode("utf-8")):
        if _descriptor(block, "font-family") != family:
            continue
        weight = _descriptor(block, "font-weight") or "400"
        italic = _descriptor(block, "font-style") == "italic"
        url = re.search(r"url\(\s*['\"]?([^'\")]+)", _descriptor(block, "src"))
        if url is None or weight not in ("400", "700"):
            continue
        # Only faces the style ships: a face WeasyPrint would synthesise (bold italic when
        # there is none) cannot be measured, and its paragraphs are left to WeasyPrint.
        faces[(italic, weight == "700")] = _Face(style.read(url.group(1)), size_px)
    return faces


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
        self.faces = _faces(style, self.em)
        self._dictionaries: dict[str, pyphen.Pyphen | None] = {}

    # -- metrics ------------------------------------------------------------------------------

    def _face(self, run: _Run) -> _Face:
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
                    # WeasyPrint would pull a last line that fits after the one before it
                    # (its span and the one before meet at a <wbr/>, with no space)
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
        spacing = self._spacings(items, breaks, self.justify.indent_em * self.em if indent else 0.0)
        inner = _html(words, spaces, items, breaks, spacing, end)
        return f'<p class="kp{"" if indent else " flush"}">{inner}</p>'

    def _spacings(self, items: list[_Item], breaks: list[int], indent: float) -> list[str]:
        """Each line's word spacing where it must be narrower than the stylesheet's to fit
        (as CSS, "" for the stylesheet's own): narrowed by just enough, rounded down."""
        j = self.justify
        out = []
        start = 0
        for k, b in enumerate(breaks):
            line = [it for it in items[start:b] if it.stretch != math.inf]
            tight = sum(it.width - it.shrink for it in line if it.kind != "penalty")
            tight += items[b].width if items[b].kind == "penalty" else 0.0
            gaps = sum(it.kind == "glue" for it in line)
            room = self.width - self.margin - (indent if k == 0 else 0.0)
            over = tight - j.tightest_em * self.em * gaps - room  # at the stylesheet's spacing
            if over <= 0 or gaps == 0:
                out.append("")
            else:
                narrower = math.floor((j.word_spacing_em - over / gaps / self.em) * 1000) / 1000
                out.append(f"word-spacing: {narrower:g}em")
            start = b + 1
        return out

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


def _html(
    words: list[_Word],
    spaces: list[_Run],
    items: list[_Item],
    breaks: list[int],
    spacing: list[str],
    end: str,
) -> str:
    """Each line a nowrap span (with its own word spacing where it has one); line breaks at
    spaces become ``<wbr/>``; a word broken by a hyphen stands outside the spans with a soft
    hyphen at its break."""
    glue_breaks = {items[b].where[0] for b in breaks if items[b].kind == "glue"}
    word_breaks: dict[int, tuple[int, bool]] = {}
    for b in breaks:
        it = items[b]
        if it.kind == "penalty" and it.penalty != -math.inf:
            word = words[it.where[0]]
            hyphen = dict(word.breaks)[it.where[1]]
            word_breaks[it.where[0]] = (it.where[1], hyphen)
    out: list[str] = []
    line: list[tuple[Tags, str]] = []
    n = 0  # the line

    def flush() -> None:
        if line:
            style = f' style="{spacing[n]}"' if spacing[n] else ""
            out.append(f'<span class="ln"{style}>' + _marked(line) + "</span>")
            line.clear()

    for w, word in enumerate(words):
        where = word_breaks.get(w)
        if where is None:
            line.extend((run.tags, plain_text(t)) for t, run in word.pieces)
        elif where[1]:
            # hyphenated: outside the spans, with a soft hyphen where the line breaks
            flush()
            out.append(_marked(_split(word.pieces, where[0], "\u00ad")))
            n += 1
        else:
            # after a hyphen of its own: the lines' spans meet there
            pieces = _split(word.pieces, where[0], "\0")
            cut = next(i for i, (_, t) in enumerate(pieces) if t == "\0")
            line.extend(pieces[:cut])
            flush()
            out.append("<wbr/>")
            n += 1
            line.extend(pieces[cut + 1 :])
        if w < len(spaces):
            if w in glue_breaks:
                flush()
                out.append("<wbr/>")
                n += 1
            else:
                line.append((spaces[w].tags, " "))
    if end:
        line.append(((), end))  # on the last line, where room was kept for it
    flush()
    return "".join(out)


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
