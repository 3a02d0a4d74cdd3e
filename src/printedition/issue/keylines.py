"""Key lines: a TOML text → the line each key is defined on (tomllib gives no positions).

Goes in: the text of issue.toml. Comes out: ``KeyLines``, mapping key paths such as
``("sections", 1, "articles", 0, "source")`` to 1-based line numbers, so manifest errors can
name the line.
"""

from __future__ import annotations

import re

KeyPath = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _split_dotted(text: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)
    return [p.strip("\"'") for p in parts]


class KeyLines:
    """Where each key of a TOML document is defined: path → 1-based line.

    Paths index arrays of tables (``("sections", 1, "articles", 0, "source")``). Keys inside
    inline tables and multi-line arrays are found on a best-effort basis: the array key's
    line, or the line of the n-th inline table / string in it.
    """

    def __init__(self, text: str) -> None:
        self.lines: dict[KeyPath, int] = {}
        self._text_lines = text.splitlines()
        counts: dict[KeyPath, int] = {}
        current: KeyPath = ()
        depth = 0  # open brackets of a multi-line value
        for number, raw in enumerate(self._text_lines, start=1):
            line = _strip_comment(raw)
            if depth > 0:
                depth += _bracket_balance(line)
                continue
            header = _HEADER.match(line)
            if header:
                names = _split_dotted(header.group(2))
                path: list[str | int] = []
                for name in names[:-1]:
                    path.append(name)
                    prefix = tuple(path)
                    if prefix in counts:  # inside the latest element of an array of tables
                        path.append(counts[prefix] - 1)
                path.append(names[-1])
                prefix = tuple(path)
                if header.group(1) == "[[":
                    index = counts.get(prefix, 0)
                    counts[prefix] = index + 1
                    prefix = (*prefix, index)
                current = prefix
                self.lines.setdefault(current, number)
                continue
            key = _KEY.match(line)
            if key:
                path_k = (*current, *_split_dotted(key.group(1)))
                self.lines.setdefault(path_k, number)
                depth = _bracket_balance(line[key.end() :])
                if depth > 0:
                    self._scan_array(path_k, number)

    def _scan_array(self, path: KeyPath, start: int) -> None:
        """Number the top-level items of a multi-line array value by the line they start on."""
        index = 0
        depth = 0
        quote = ""
        in_item = False
        for number in range(start, len(self._text_lines) + 1):
            line = _strip_comment(self._text_lines[number - 1])
            if number == start:
                line = line.split("=", 1)[1]
            for ch in line:
                if quote:
                    if ch == quote:
                        quote = ""
                    continue
                if depth == 1 and not in_item and not ch.isspace() and ch not in ",]":
                    self.lines.setdefault((*path, index), number)
                    in_item = True
                if ch in "\"'":
                    quote = ch
                elif ch in "[{":
                    depth += 1
                elif ch in "]}":
                    depth -= 1
                    if depth == 0:
                        return
                elif ch == "," and depth == 1:
                    index += 1
                    in_item = False

    def line(self, path: KeyPath) -> int:
        """The line of ``path`` or of its nearest ancestor that has one (0 if none)."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return 0


def _strip_comment(line: str) -> str:
    out: list[str] = []
    quote = ""
    for ch in line:
        if quote:
            out.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
            out.append(ch)
        elif ch == "#":
            break
        else:
            out.append(ch)
    return "".join(out)


def _bracket_balance(text: str) -> int:
    depth = 0
    quote = ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return depth


__all__ = ["KeyLines", "KeyPath"]
