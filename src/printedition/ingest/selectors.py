"""Extraction rules as data: loads ``data/boilerplate.toml`` into compiled selectors and patterns.

Goes in: the shipped TOML file (or another one a maintainer points at). Comes out: ``Rules``,
a frozen bundle of XPath expressions and regular expressions the cleaner and extractor use.
The selector syntax is a small CSS subset (tag, .class, #id, [attr], [attr=v], [attr~=v],
[attr^=v], [attr*=v], [attr$=v], combined without spaces); ``compile_selector`` turns one into
XPath so lxml evaluates it in C.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from printedition.errors import ConfigError

_SIMPLE = re.compile(
    r"""(?P<tag>[a-zA-Z][a-zA-Z0-9-]*|\*)?
        (?P<rest>(?:\.[\w-]+|\#[\w-]+|\[[\w:-]+(?:[~^$*|]?=(?:"[^"]*"|'[^']*'|[^\]]*))?\])*)$""",
    re.X,
)
_PART = re.compile(r"""\.([\w-]+)|\#([\w-]+)|\[([\w:-]+)(?:([~^$*|]?=)("[^"]*"|'[^']*'|[^\]]*))?\]""")


def _literal(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    parts = value.split("'")
    return "concat(" + ", \"'\", ".join(f"'{p}'" for p in parts) + ")"


def _compile_one(selector: str) -> str:
    """One CSS selector (or "ancestor descendant") → an XPath relative to the context node."""
    steps: list[str] = []
    for simple in selector.split():
        m = _SIMPLE.match(simple)
        if not m:
            raise ConfigError(f"selector {selector!r} is not in the supported CSS subset")
        conds: list[str] = []
        for part in _PART.finditer(m.group("rest") or ""):
            cls, ident, attr, op, raw = part.groups()
            if cls:
                conds.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')")
            elif ident:
                conds.append(f"@id={_literal(ident)}")
            else:
                if op is None:
                    conds.append(f"@{attr}")
                    continue
                val = raw.strip("'\"")
                lit = _literal(val)
                if op == "=":
                    conds.append(f"@{attr}={lit}")
                elif op == "~=":
                    conds.append(f"contains(concat(' ', normalize-space(@{attr}), ' '), ' {val} ')")
                elif op == "^=":
                    conds.append(f"starts-with(@{attr}, {lit})")
                elif op == "*=":
                    conds.append(f"contains(@{attr}, {lit})")
                elif op == "$=":
                    conds.append(
                        f"substring(@{attr}, string-length(@{attr}) - {len(val) - 1})={lit}"
                    )
                else:  # |=
                    conds.append(f"(@{attr}={lit} or starts-with(@{attr}, {_literal(val + '-')}))")
        tag = m.group("tag") or "*"
        steps.append(tag.lower() + "".join(f"[{c}]" for c in conds))
    return "descendant-or-self::" + "//".join(steps)


def compile_selector(selectors: list[str] | tuple[str, ...]) -> etree.XPath:
    """Several selectors → one XPath returning matches in document order."""
    if not selectors:
        return etree.XPath("/..")
    return etree.XPath(" | ".join(_compile_one(s) for s in selectors))


def _regex(patterns: list[str], where: str) -> re.Pattern[str]:
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!x)x", re.I)
    except re.error as exc:
        raise ConfigError(f"pattern in {where} is not a valid regular expression: {exc}") from None


@dataclass(frozen=True, slots=True)
class Rules:
    """Compiled extraction rules (see data/boilerplate.toml for what each means)."""

    body_containers: tuple[etree.XPath, ...]
    header: etree.XPath
    remove_tags: frozenset[str]
    remove: etree.XPath
    clutter_class: re.Pattern[str]
    clutter_text: re.Pattern[str]
    clutter_text_max: int
    hidden_style: re.Pattern[str]
    kicker: etree.XPath
    standfirst: etree.XPath
    byline: etree.XPath
    lead_image: etree.XPath
    pull_quote: etree.XPath
    note: etree.XPath
    credit: etree.XPath
    credit_patterns: tuple[re.Pattern[str], ...]


def _get(data: dict[str, Any], section: str, key: str, where: str) -> Any:
    try:
        return data[section][key]
    except KeyError:
        raise ConfigError(f"{where}: missing [{section}] {key}") from None


def rules_from_toml(text: str, where: str = "boilerplate.toml") -> Rules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: {exc}") from None

    def sel(section: str, key: str) -> etree.XPath:
        return compile_selector(list(_get(data, section, key, where)))

    credit_patterns = tuple(
        _regex([p], f"{where} [journalism] credit_patterns")
        for p in _get(data, "journalism", "credit_patterns", where)
    )
    return Rules(
        body_containers=tuple(
            compile_selector([s]) for s in _get(data, "containers", "body", where)
        ),
        header=sel("containers", "header"),
        remove_tags=frozenset(_get(data, "remove", "tags", where)),
        remove=sel("remove", "selectors"),
        clutter_class=_regex(_get(data, "remove", "class_patterns", where), where),
        clutter_text=_regex(_get(data, "remove", "text_patterns", where), where),
        clutter_text_max=int(_get(data, "remove", "text_max_chars", where)),
        hidden_style=_regex([_get(data, "hidden", "style_pattern", where)], where),
        kicker=sel("journalism", "kicker"),
        standfirst=sel("journalism", "standfirst"),
        byline=sel("journalism", "byline"),
        lead_image=sel("journalism", "lead_image"),
        pull_quote=sel("journalism", "pull_quote"),
        note=sel("journalism", "note"),
        credit=sel("journalism", "credit"),
        credit_patterns=credit_patterns,
    )


@functools.cache
def default_rules() -> Rules:
    """The rules shipped with the package (``printedition/data/boilerplate.toml``)."""
    text = resources.files("printedition").joinpath("data/boilerplate.toml").read_text("utf-8")
    return rules_from_toml(text)


def load_rules(path: Path) -> Rules:
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read rules: {exc.strerror}", where=str(path)) from None
    return rules_from_toml(text, str(path))
