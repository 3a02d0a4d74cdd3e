"""Bounds: what keeps a pathological article from stalling a layout, in the model and in its text.

Goes in: an ``Article`` (normalised, or read from a model JSON) and the ``Limits``. Comes out
(``bound_article``): the same article with each pathological run cut — a word with no break
opportunity past ``max_word_chars``, a paragraph (caption, cell, quote) past
``max_paragraph_chars`` at a word, a table past ``max_table_columns`` columns or
``max_table_cells`` cells — each cut marked with "…" and counted in one warning per kind that
names the article; everything else is left as it was. And (``break_long_words``, used by
``render.text`` for everything both writers print) a long word's break opportunities: U+200B
after URL punctuation and every few letters, as ``overflow-wrap: anywhere`` would break it,
so that the layout never searches a long run for a place to break.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable

from printedition.model import (
    Article,
    Block,
    BlockQuote,
    BuildWarning,
    Code,
    Embed,
    Emphasis,
    Figure,
    Inline,
    Link,
    ListBlock,
    ListItem,
    Note,
    Paragraph,
    PullQuote,
    Strong,
    Subheading,
    Subscript,
    Superscript,
    Table,
    TableRow,
    Text,
    inline_text,
)
from printedition.settings import Limits

ZWSP = "\u200b"
ELLIPSIS = "…"

# Characters a line may already break at or beside, so they end a "word": white space, the
# break controls, and the scripts whose lines break between letters (CJK, kana, Hangul) or by
# dictionary (Thai, Lao, Khmer, Myanmar). A run of anything else is one word to the layout.
_SEPARATORS = (
    r"\s\u00ad\u200b\u2060"
    r"\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u1a20-\u1aaf"
    r"\u1100-\u11ff\u2e80-\u2fdf\u3000-\u30ff\u3130-\u318f\u31f0-\u9fff"
    r"\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef"
    r"\U00020000-\U0003ffff"
)
_WORD = re.compile(rf"[^{_SEPARATORS}]+")

LONG_WORD = 30  # letters a column holds: a longer word gets break opportunities
BREAK_EVERY = 12  # at most this many letters between two of them
_AFTER = frozenset("/?&=#_.@")  # a URL breaks after these (the Chicago Manual's rule)
_LONG = re.compile(rf"[^{_SEPARATORS}]{{{LONG_WORD + 1},}}")


def _joins(prev: str, ch: str) -> bool:
    """Whether a break between ``prev`` and ``ch`` would split one visible character
    (a combining accent, a variation selector, an emoji sequence, a flag)."""
    if unicodedata.category(ch).startswith("M") or ch == "\u200d" or prev == "\u200d":
        return True
    code = ord(ch)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or 0x1F3FB <= code <= 0x1F3FF:
        return True
    return 0x1F1E6 <= code <= 0x1F1FF and 0x1F1E6 <= ord(prev) <= 0x1F1FF


def _with_breaks(match: re.Match[str]) -> str:
    run = match.group(0)
    out: list[str] = []
    since = 0
    for i, ch in enumerate(run):
        due = since >= BREAK_EVERY or (run[i - 1] in _AFTER and since >= 3)
        if i and due and not _joins(run[i - 1], ch):
            out.append(ZWSP)
            since = 0
        out.append(ch)
        since += 1
    return "".join(out)


def break_long_words(value: str) -> str:
    """``value`` with a break opportunity (U+200B) inside every word longer than a column:
    after URL punctuation, and at least every ``BREAK_EVERY`` letters. Shorter words and
    scripts that break between letters are left alone."""
    if len(value) <= LONG_WORD:
        return value
    return _LONG.sub(_with_breaks, value)


# ---------------------------------------------------------------------------------------------
# Caps in the model
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class _Cuts:
    limits: Limits
    words: int = 0
    paragraphs: int = 0
    tables: int = 0

    def word(self, value: str) -> str:
        cap = self.limits.max_word_chars
        if cap <= 0 or len(value) <= cap:
            return value

        def cut(m: re.Match[str]) -> str:
            run = m.group(0)
            if len(run) <= cap:
                return run
            self.words += 1
            return run[:cap] + ELLIPSIS

        return _WORD.sub(cut, value)

    def string(self, value: str) -> str:
        value = self.word(value)
        cap = self.limits.max_paragraph_chars
        if cap <= 0 or len(value) <= cap:
            return value
        self.paragraphs += 1
        return _cut_at_word(value, cap) + ELLIPSIS

    def inlines(self, content: tuple[Inline, ...]) -> tuple[Inline, ...]:
        content = _map_text(content, self.word)
        cap = self.limits.max_paragraph_chars
        if cap <= 0 or len(inline_text(content)) <= cap:
            return content
        self.paragraphs += 1
        kept, _ = _take(content, cap)
        return (*kept, Text(text=ELLIPSIS))

    def table(self, table: Table) -> Table:
        columns, cells = self.limits.max_table_columns, self.limits.max_table_cells
        rows: list[TableRow] = []
        total = 0
        cut = False
        for row in table.rows:
            kept = row.cells[:columns] if columns > 0 else row.cells
            cut = cut or len(kept) < len(row.cells)
            if cells > 0 and total + len(kept) > cells:
                cut = True
                break
            total += len(kept)
            rows.append(
                TableRow(
                    cells=tuple(
                        dataclasses.replace(c, content=self.inlines(c.content)) for c in kept
                    )
                )
            )
        self.tables += int(cut)
        return dataclasses.replace(
            table,
            rows=tuple(rows),
            caption=self.inlines(table.caption),
            header_rows=min(table.header_rows, len(rows)),
        )

    def figure(self, fig: Figure) -> Figure:
        return dataclasses.replace(
            fig,
            alt=self.string(fig.alt),
            caption=self.inlines(fig.caption),
            credit=self.string(fig.credit),
        )

    def block(self, block: Block) -> Block:
        match block:
            case Paragraph(content=c):
                return Paragraph(content=self.inlines(c))
            case Subheading(content=c):
                return dataclasses.replace(block, content=self.inlines(c))
            case BlockQuote(blocks=bs, attribution=a):
                return BlockQuote(blocks=self.blocks(bs), attribution=self.string(a))
            case PullQuote(text=t, attribution=a):
                return dataclasses.replace(block, text=self.string(t), attribution=self.string(a))
            case Figure():
                return self.figure(block)
            case ListBlock(items=items):
                return dataclasses.replace(
                    block, items=tuple(ListItem(blocks=self.blocks(i.blocks)) for i in items)
                )
            case Table():
                return self.table(block)
            case Embed(title=title, text=t, author=author):
                return dataclasses.replace(
                    block, title=self.string(title), text=self.string(t), author=self.string(author)
                )
            case Note(blocks=bs):
                return dataclasses.replace(block, blocks=self.blocks(bs))
        return block

    def blocks(self, blocks: tuple[Block, ...]) -> tuple[Block, ...]:
        return tuple(self.block(b) for b in blocks)


def _map_text(content: tuple[Inline, ...], fn: Callable[[str], str]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for node in content:
        match node:
            case Text(text=t):
                out.append(Text(text=fn(t)))
            case Code(text=t):
                out.append(Code(text=fn(t)))
            case (
                Emphasis(children=c)
                | Strong(children=c)
                | Superscript(children=c)
                | Subscript(children=c)
                | Link(children=c)
            ):
                out.append(dataclasses.replace(node, children=_map_text(c, fn)))
            case _:
                out.append(node)
    return tuple(out)


def _take(content: tuple[Inline, ...], budget: int) -> tuple[tuple[Inline, ...], int]:
    """The first ``budget`` characters of ``content`` (cut at a word), and what is left."""
    out: list[Inline] = []
    for node in content:
        if budget <= 0:
            break
        match node:
            case Text(text=t) | Code(text=t):
                if len(t) > budget:
                    t = _cut_at_word(t, budget)
                budget -= len(t)
                out.append(dataclasses.replace(node, text=t))
            case (
                Emphasis(children=c)
                | Strong(children=c)
                | Superscript(children=c)
                | Subscript(children=c)
                | Link(children=c)
            ):
                kept, budget = _take(c, budget)
                out.append(dataclasses.replace(node, children=kept))
            case _:
                budget -= 1
                out.append(node)
    return tuple(out), budget


def _cut_at_word(value: str, cap: int) -> str:
    head = value[:cap]
    space = head.rfind(" ", max(0, cap - 200))
    return (head[:space] if space > 0 else head).rstrip()


def bound_article(article: Article, limits: Limits, *, where: str = "") -> Article:
    """``article`` with its pathological runs cut (see the module doc); a warning for each
    kind of cut, naming the article (``where``, else its source)."""
    cuts = _Cuts(limits)
    bounded = dataclasses.replace(
        article,
        headline=cuts.string(article.headline),
        kicker=cuts.string(article.kicker),
        standfirst=cuts.string(article.standfirst),
        description=cuts.string(article.description),
        lead=cuts.figure(article.lead) if article.lead is not None else None,
        body=cuts.blocks(article.body),
    )
    if not (cuts.words or cuts.paragraphs or cuts.tables):
        return article
    name = where or article.source_url or article.url or article.slug
    found: list[BuildWarning] = []
    if cuts.words:
        found.append(
            BuildWarning(
                code="capped-word",
                message=f"{cuts.words} run(s) of letters with no break longer than "
                f"{limits.max_word_chars} were cut (Limits.max_word_chars)",
                where=name,
            )
        )
    if cuts.paragraphs:
        found.append(
            BuildWarning(
                code="capped-paragraph",
                message=f"{cuts.paragraphs} paragraph(s) longer than {limits.max_paragraph_chars} "
                "characters were cut (Limits.max_paragraph_chars)",
                where=name,
            )
        )
    if cuts.tables:
        found.append(
            BuildWarning(
                code="capped-table",
                message=f"{cuts.tables} table(s) were cut to {limits.max_table_columns} columns "
                f"and {limits.max_table_cells} cells (Limits.max_table_columns, "
                "Limits.max_table_cells)",
                where=name,
            )
        )
    return dataclasses.replace(bounded, warnings=(*article.warnings, *found))


__all__ = ["LONG_WORD", "ZWSP", "bound_article", "break_long_words"]
