"""Find the article body in a cleaned page: structure first, then content scoring.

Goes in: a prepared lxml document (see clean.py), the known headline and the page's body
container matches. Comes out: one ``<div>`` holding the article's body elements, plus how it
was found. The scoring (readability.py) runs inside the structural container when one holds
most of the page's text, else over the whole page, re-run with fewer heuristics when it finds
too little text. Also here: the byline-element finder.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree

from printedition.ingest.clean import HtmlElement, measure, select, text_of
from printedition.ingest.readability import (
    CHAR_THRESHOLD,
    MAYBE,
    P_LEN,
    UNLIKELY,
    UNLIKELY_ROLES,
    ScoringState,
    grab_article,
    has_ancestor,
    inside_any,
    match_string,
    prep_article,
    text_len,
)


@dataclass(frozen=True, slots=True)
class Extraction:
    content: HtmlElement
    method: str  # "structure:<selector index>" or "scoring"
    text_length: int


def _text_len(el: HtmlElement) -> int:
    return text_len(el)


def find_structural(body: HtmlElement, containers: list[list[HtmlElement]]) -> HtmlElement | None:
    """The first body-container selector (``containers``: its matches, selector by selector)
    matching an element that holds most of the page's paragraph text."""
    lengths = {p: measure(P_LEN, p) for p in body.iter("p")}
    page_ptext = sum(lengths.values())
    if page_ptext < 200:
        return None
    for found in containers:
        if not found:
            continue
        sized = [(el, sum(lengths.get(p, 0) for p in el.iter("p"))) for el in found]
        best, ptext = max(sized, key=lambda pair: pair[1])
        # A body split in parts (by ads, promos): take the parts' nearest common ancestor
        # when it holds little else.
        parts = [(el, n) for el, n in sized if n > 0 and not inside_any(el, set(found))]
        if len(parts) > 1:
            total = sum(n for _, n in parts)
            common = _common_ancestor([el for el, _ in parts])
            if common is not None and total > ptext:
                common_text = sum(lengths.get(p, 0) for p in common.iter("p"))
                if common_text <= 1.3 * total:
                    best, ptext = common, common_text
        if ptext >= 0.4 * page_ptext and ptext >= 200:
            return best
    return None


def _common_ancestor(elements: list[HtmlElement]) -> HtmlElement | None:
    chains = [[el, *el.iterancestors()] for el in elements]
    shared = set(chains[0]).intersection(*map(set, chains[1:]))
    return next((a for a in chains[0] if a in shared), None)


KEEP_ATTR = "data-printedition-keep"
_KEPT = etree.XPath(f"descendant-or-self::*[@{KEEP_ATTR}]")


def kept(root: HtmlElement) -> set[HtmlElement]:
    """Elements marked (with ``KEEP_ATTR``) as journalism the clean-up must not remove."""
    return set(select(_KEPT, root))


def extract_content(
    doc: HtmlElement, title: str, containers: list[list[HtmlElement]]
) -> Extraction | None:
    """Find the article body. Returns None when nothing readable is there. Elements carrying
    ``KEEP_ATTR`` (pull quotes, captioned figures, embeds) survive the clean-up."""
    body = doc.find("body")
    if body is None:
        body = doc
    container = find_structural(body, containers)
    attempts: list[Extraction] = []
    scopes: list[tuple[str, HtmlElement]] = []
    if container is not None:
        scopes.append(("structure", container))
    scopes.append(("scoring", body))
    for method, scope in scopes:
        for flags in (7, 6, 4, 0):
            page = copy.deepcopy(scope)
            if method == "structure":
                # a stand-in <body>, so the container itself can win the scoring
                holder = etree.Element("body")
                holder.append(page)
                wrapper = etree.Element("html")
                wrapper.append(holder)
                page = holder
            protected = kept(page)
            state = ScoringState(flags=flags, title=title, scores={})
            content = grab_article(page, state, protected)
            prep_article(content, state, protected)
            length = _text_len(content)
            result = Extraction(content=content, method=method, text_length=length)
            if length >= CHAR_THRESHOLD:
                return result
            attempts.append(result)
        if method == "structure" and attempts and max(a.text_length for a in attempts) >= 200:
            break
    attempts.sort(key=lambda a: -a.text_length)
    if not attempts or attempts[0].text_length == 0:
        return None
    return attempts[0]


def _unlikely(node: HtmlElement) -> bool:
    ms = match_string(node)
    return bool(
        (UNLIKELY.search(ms) and not MAYBE.search(ms) and not has_ancestor(node, "table"))
        or node.get("role") in UNLIKELY_ROLES
    )


BYLINE_WORDS = ("byline", "author", "writtenby")


def find_byline_node(
    body: HtmlElement, marked: set[HtmlElement], hinted: list[HtmlElement]
) -> HtmlElement | None:
    """The first byline-looking element in reading order, outside page furniture (header,
    footer, sidebars): ``rel=author``, ``itemprop=author``, a byline class, or ``marked``.
    ``hinted``: the elements whose class, id, rel or itemprop mentions an author or byline,
    in document order (found in the page's selector pass)."""
    candidates = [
        el
        for el in hinted
        if el.get("rel") == "author"
        or "author" in (el.get("itemprop") or "")
        or el in marked
        or any(word in match_string(el) for word in BYLINE_WORDS)
    ]
    if marked - set(hinted):  # a maintainer's selector the hint words do not cover
        order = {el: i for i, el in enumerate(body.iter())}
        candidates = sorted(
            {*candidates, *(m for m in marked if m in order)}, key=order.__getitem__
        )
    verdicts: dict[HtmlElement, bool] = {}

    def furniture(el: HtmlElement) -> bool:
        seen = verdicts.get(el)
        if seen is None:
            seen = verdicts[el] = el.tag not in ("html", "body") and _unlikely(el)
        return seen

    for node in candidates:
        length = len(text_of(node).strip())
        if 0 < length < 100 and not any(
            furniture(a) for a in node.iterancestors() if a is not body
        ):
            return node
    return None
