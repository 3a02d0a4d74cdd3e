"""Extraction rules as data: loads ``data/boilerplate.toml`` into compiled selectors and patterns.

Goes in: the shipped TOML file (or another one a maintainer points at). Comes out: ``Rules``,
a frozen bundle of selectors and regular expressions the cleaner and extractor use.
The selector syntax is a small CSS subset (tag, .class, #id, [attr], [attr=v], [attr~=v],
[attr^=v], [attr*=v], [attr$=v], combined without spaces, and "ancestor descendant"); each list
is matched in one pass over the tree.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, cast

from lxml import etree

from printedition.errors import ConfigError

_SIMPLE = re.compile(
    r"""(?P<tag>[a-zA-Z][a-zA-Z0-9-]*|\*)?
        (?P<rest>(?:\.[\w-]+|\#[\w-]+|\[[\w:-]+(?:[~^$*|]?=(?:"[^"]*"|'[^']*'|[^\]]*))?\])*)$""",
    re.X,
)
_PART = re.compile(
    r"""\.([\w-]+)|\#([\w-]+)|\[([\w:-]+)(?:([~^$*|]?=)("[^"]*"|'[^']*'|[^\]]*))?\]"""
)


@dataclass(frozen=True, slots=True)
class _Simple:
    tag: str | None
    classes: frozenset[str]
    ident: str | None
    attrs: tuple[tuple[str, str | None, str], ...]  # (name, operator or None, value)

    def matches(self, el: etree._Element, tokens: frozenset[str]) -> bool:
        if self.tag is not None and el.tag != self.tag:
            return False
        if self.classes and not self.classes <= tokens:
            return False
        if self.ident is not None and el.get("id") != self.ident:
            return False
        for name, op, val in self.attrs:
            have = el.get(name)
            if have is None:
                return False
            if op is None:
                continue
            if op == "=" and have != val:
                return False
            if op == "~=" and val not in have.split():
                return False
            if op == "^=" and not have.startswith(val):
                return False
            if op == "*=" and val not in have:
                return False
            if op == "$=" and not have.endswith(val):
                return False
            if op == "|=" and not (have == val or have.startswith(val + "-")):
                return False
        return True


def _tokens(el: etree._Element) -> frozenset[str]:
    cls = el.get("class")
    return frozenset(cls.split()) if cls else frozenset()


@dataclass(frozen=True, slots=True)
class _Compound:
    """``a b c``: ``c`` inside ``b`` inside ``a``."""

    text: str
    steps: tuple[_Simple, ...]

    def matches(self, el: etree._Element, tokens: frozenset[str]) -> bool:
        if not self.steps[-1].matches(el, tokens):
            return False
        want = len(self.steps) - 2
        if want < 0:
            return True
        for anc in el.iterancestors():
            step = self.steps[want]
            if step.tag is not None and anc.tag != step.tag:
                continue
            if step.matches(anc, _tokens(anc) if step.classes else frozenset()):
                want -= 1
                if want < 0:
                    return True
        return False


def _parse(selector: str) -> _Compound:
    steps: list[_Simple] = []
    for simple in selector.split():
        m = _SIMPLE.match(simple)
        if not m:
            raise ConfigError(f"selector {selector!r} is not in the supported CSS subset")
        classes: set[str] = set()
        ident = None
        attrs: list[tuple[str, str | None, str]] = []
        for part in _PART.finditer(m.group("rest") or ""):
            cls, idv, attr, op, raw = part.groups()
            if cls:
                classes.add(cls)
            elif idv:
                ident = idv
            else:
                attrs.append((attr, op, (raw or "").strip("'\"")))
        tag = m.group("tag")
        steps.append(
            _Simple(
                tag=None if tag in (None, "*") else tag.lower(),
                classes=frozenset(classes),
                ident=ident,
                attrs=tuple(attrs),
            )
        )
    return _Compound(text=selector, steps=tuple(steps))


class Selector:
    """A list of CSS-subset selectors matched in one pass over a tree, in document order.

    Selectors are indexed by what their last step needs (a class, an id, an attribute or a
    tag), so each element is checked only against the selectors that could match it.
    """

    def __init__(self, selectors: list[str] | tuple[str, ...]) -> None:
        self.selectors = tuple(_parse(s) for s in selectors)
        self._by_class: dict[str, list[int]] = {}
        self._by_id: dict[str, list[int]] = {}
        self._by_attr: dict[str, list[int]] = {}
        self._by_tag: dict[str, list[int]] = {}
        self._any: list[int] = []
        for i, sel in enumerate(self.selectors):
            last = sel.steps[-1]
            if last.classes:
                self._by_class.setdefault(min(last.classes), []).append(i)
            elif last.ident is not None:
                self._by_id.setdefault(last.ident, []).append(i)
            elif last.attrs:
                self._by_attr.setdefault(last.attrs[0][0], []).append(i)
            elif last.tag is not None:
                self._by_tag.setdefault(last.tag, []).append(i)
            else:
                self._any.append(i)

        conds = []
        if self._by_class:
            conds.append("@class")
        if self._by_id:
            conds.append("@id")
        conds += [f"@{name}" for name in self._by_attr]
        conds += [f"self::{tag}" for tag in self._by_tag]
        # Only elements that could match reach Python (the test runs in C).
        self._prefilter = etree.XPath(
            "descendant-or-self::*" + (f"[{' or '.join(conds)}]" if conds and not self._any else "")
        )

    def _which(self, el: etree._Element, cls: str | None = None) -> list[int]:
        """Indexes of the selectors ``el`` matches (``cls``: its class, when already read)."""
        cands: list[int] = list(self._any)
        if cls is None:
            cls = el.get("class")
        if cls:
            by_class = self._by_class
            for t in cls.split():
                hit = by_class.get(t)
                if hit:
                    cands.extend(hit)
        if self._by_attr or self._by_id:
            for name in cast("list[str]", el.keys()):
                if name == "id":
                    ident = el.get("id")
                    if ident in self._by_id:
                        cands.extend(self._by_id[ident])
                else:
                    idx = self._by_attr.get(name)
                    if idx:
                        cands.extend(idx)
        tag = el.tag
        hit = self._by_tag.get(tag) if isinstance(tag, str) else None
        if hit:
            cands.extend(hit)
        if not cands:
            return cands
        tokens = frozenset(cls.split()) if cls else frozenset()
        return [i for i in cands if self.selectors[i].matches(el, tokens)]

    def __call__(self, root: etree._Element) -> list[etree._Element]:
        """Every element at or below ``root`` matching any selector, in document order."""
        return [el for el in cast("list[etree._Element]", self._prefilter(root)) if self._which(el)]

    def per_selector(
        self, root: etree._Element, hint_words: tuple[str, ...] = ()
    ) -> tuple[list[list[etree._Element]], dict[etree._Element, int], list[etree._Element]]:
        """Matches per selector (in the order the selectors were given), each matched
        element's position in document order, and the elements whose class, id, rel or
        itemprop contains one of ``hint_words`` (lowercase); one pass."""
        out: list[list[etree._Element]] = [[] for _ in self.selectors]
        positions: dict[etree._Element, int] = {}
        hinted: list[etree._Element] = []
        hint = re.compile("|".join(map(re.escape, hint_words))) if hint_words else None
        which_of = self._which
        for el in cast("list[etree._Element]", self._prefilter(root)):
            cls = el.get("class")
            if hint is not None and hint.search(
                f"{cls} {el.get('id')} {el.get('rel')} {el.get('itemprop')}".lower()
            ):
                hinted.append(el)
            which = which_of(el, cls or "")
            if which:
                positions[el] = len(positions)
                for i in set(which):
                    out[i].append(el)
        return out, positions, hinted


class SelectorGroups:
    """Named lists of selectors matched together in one pass."""

    def __init__(self, groups: dict[str, list[str]]) -> None:
        self.names = tuple(groups)
        self._spans: dict[str, tuple[int, int]] = {}
        flat: list[str] = []
        for name, sels in groups.items():
            self._spans[name] = (len(flat), len(flat) + len(sels))
            flat.extend(sels)
        self.selector = Selector(flat)

    def select(self, root: etree._Element, hint_words: tuple[str, ...] = ()) -> GroupMatches:
        per, positions, hinted = self.selector.per_selector(root, hint_words)
        return GroupMatches(self._spans, per, positions, hinted)


class GroupMatches:
    def __init__(
        self,
        spans: dict[str, tuple[int, int]],
        per: list[list[etree._Element]],
        positions: dict[etree._Element, int],
        hinted: list[etree._Element] | None = None,
    ) -> None:
        self._spans = spans
        self._per = per
        self._positions = positions
        self.hinted = hinted or []  # (see Selector.per_selector), document order

    def attached(self, root: etree._Element) -> GroupMatches:
        """The same matches less those no longer inside ``root`` (removed since)."""

        def inside(el: etree._Element) -> bool:
            return el.getroottree().getroot() is root  # (walks up in C)

        keep = {el for el in self._positions if inside(el)}
        per = [[el for el in found if el in keep] for found in self._per]
        positions = {el: i for el, i in self._positions.items() if el in keep}
        return GroupMatches(self._spans, per, positions, [el for el in self.hinted if inside(el)])

    def by_selector(self, name: str) -> list[list[etree._Element]]:
        """The group's matches, one list per selector in priority order."""
        start, end = self._spans[name]
        return self._per[start:end]

    def __getitem__(self, name: str) -> list[etree._Element]:
        """The group's matches in document order (each element once)."""
        found = {el for sel in self.by_selector(name) for el in sel}
        return sorted(found, key=self._positions.__getitem__)


def compile_selector(selectors: list[str] | tuple[str, ...]) -> Selector:
    return Selector(selectors)


def _regex(patterns: list[str], where: str) -> re.Pattern[str]:
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!x)x", re.I)
    except re.error as exc:
        raise ConfigError(f"pattern in {where} is not a valid regular expression: {exc}") from None


def _credit_label(data: dict[str, Any], where: str) -> re.Pattern[str]:
    words = "|".join(f"(?:{p})" for p in _get(data, "journalism", "credit_labels", where))
    marks = "|".join(f"(?:{p})" for p in _get(data, "journalism", "credit_marks", where))
    one = rf"(?:(?:{words})(?:\s*(?::|\.{{2,}}|…)|\s+by\b)|{marks})"
    try:
        return re.compile(rf"^(?:\s*{one}\s*)+", re.I)
    except re.error as exc:
        raise ConfigError(f"pattern in {where} [journalism] credit_labels: {exc}") from None


def _whole(data: dict[str, Any], key: str, where: str, case: bool = False) -> re.Pattern[str]:
    """A [clutter] list as one pattern that must match a whole text (trailing ":" or "." and
    spaces allowed); ``case``: the patterns' letter case matters."""
    patterns = _get(data, "clutter", key, where)
    joined = "|".join(f"(?:{p})" for p in patterns) or r"(?!x)x"
    try:
        return re.compile(rf"^(?:{joined})\s*[:.]?\s*$", 0 if case else re.I)
    except re.error as exc:
        raise ConfigError(f"pattern in {where} [clutter] {key} is not valid: {exc}") from None


@dataclass(frozen=True, slots=True)
class Rules:
    """Compiled extraction rules (see data/boilerplate.toml for what each means)."""

    body_containers: Selector
    header: Selector
    remove_tags: frozenset[str]
    remove: Selector
    clutter_class: re.Pattern[str]
    clutter_text: re.Pattern[str]
    clutter_text_anchored: re.Pattern[str]  # the patterns starting with "^" (tried with match)
    clutter_text_anywhere: re.Pattern[str]
    clutter_text_max: int
    link_lead: re.Pattern[str]  # "Read more:"-style lead-ins of a line that is mostly a link
    hidden_style: re.Pattern[str]
    kicker: Selector
    standfirst: Selector
    byline: Selector
    lead_image: Selector
    pull_quote: Selector
    note: Selector
    credit: Selector
    credit_patterns: tuple[re.Pattern[str], ...]
    credit_label: re.Pattern[str]  # the labels ("Photo:", "©") leading a credit, repeated
    credit_trailing: frozenset[str]  # tags that end a caption as its credit (<small>, <cite>)
    not_lead_image: re.Pattern[str]  # share-image URLs that are no article's photo (a logo)
    lead_min_width: int  # a share image narrower than this (og:image:width) is no lead
    # [clutter]: structure-and-text rules for what stands inside the body (see clutter.py)
    list_label: re.Pattern[str]  # whole text of a label over a list of links ("Most read")
    chrome: re.Pattern[str]  # whole text of gallery/player controls ("Image 1 of 8")
    release_end: re.Pattern[str]  # whole text of a press release's end mark ("###")
    about_heading: re.Pattern[str]  # whole text of a company's "About Acme" heading
    corporate: re.Pattern[str]  # words of boilerplate about a company (searched)
    # Everything looked for on the cleaned page, in one pass: "containers", "header", "kicker",
    # "standfirst", "byline", "lead_image", "pull_quote", "note", "credit", "keep".
    page: SelectorGroups


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

    def sel(section: str, key: str) -> Selector:
        return compile_selector(list(_get(data, section, key, where)))

    credit_patterns = tuple(
        _regex([p], f"{where} [journalism] credit_patterns")
        for p in _get(data, "journalism", "credit_patterns", where)
    )
    return Rules(
        body_containers=compile_selector(list(_get(data, "containers", "body", where))),
        header=sel("containers", "header"),
        remove_tags=frozenset(_get(data, "remove", "tags", where)),
        remove=sel("remove", "selectors"),
        clutter_class=_regex(_get(data, "remove", "class_patterns", where), where),
        clutter_text=_regex(_get(data, "remove", "text_patterns", where), where),
        clutter_text_anchored=_regex(
            [p[1:] for p in _get(data, "remove", "text_patterns", where) if p.startswith("^")],
            where,
        ),
        clutter_text_anywhere=_regex(
            [p for p in _get(data, "remove", "text_patterns", where) if not p.startswith("^")],
            where,
        ),
        clutter_text_max=int(_get(data, "remove", "text_max_chars", where)),
        link_lead=_regex(
            [f"^(?:{p})" for p in _get(data, "remove", "link_lead_patterns", where)], where
        ),
        hidden_style=_regex([_get(data, "hidden", "style_pattern", where)], where),
        kicker=sel("journalism", "kicker"),
        standfirst=sel("journalism", "standfirst"),
        byline=sel("journalism", "byline"),
        lead_image=sel("journalism", "lead_image"),
        pull_quote=sel("journalism", "pull_quote"),
        note=sel("journalism", "note"),
        credit=sel("journalism", "credit"),
        credit_patterns=credit_patterns,
        credit_label=_credit_label(data, where),
        credit_trailing=frozenset(_get(data, "journalism", "credit_trailing", where)),
        not_lead_image=_regex(_get(data, "journalism", "not_lead_image", where), where),
        lead_min_width=int(_get(data, "journalism", "lead_min_width", where)),
        list_label=_whole(data, "list_labels", where),
        chrome=_whole(data, "chrome", where),
        release_end=_whole(data, "release_end", where),
        about_heading=_whole(data, "about_heading", where, case=True),
        corporate=_regex(_get(data, "clutter", "corporate", where), where),
        page=SelectorGroups(
            {
                "containers": list(_get(data, "containers", "body", where)),
                "header": list(_get(data, "containers", "header", where)),
                **{
                    key: list(_get(data, "journalism", key, where))
                    for key in (
                        "kicker",
                        "standfirst",
                        "byline",
                        "lead_image",
                        "pull_quote",
                        "note",
                        "credit",
                    )
                },
                "keep": list(_get(data, "journalism", "keep", where)),
                "remove": list(_get(data, "remove", "selectors", where)),
            }
        ),
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
