"""Content scoring after Mozilla Readability's ``grabArticle``: the extractor's fallback.

Goes in: a page (or a container) as an lxml tree. Comes out: one ``<div>`` holding the
best-scoring block and its related siblings, cleaned conditionally. Paragraph scores flow to
ancestors, class/id weights and link density adjust them, the best candidate's siblings join
it; forms, tables, lists and divs that look like clutter are then removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from printedition.ingest.clean import (
    HtmlElement,
    drop,
    is_known_embed,
    measure,
    select,
    text_of,
)

UNLIKELY = re.compile(
    r"-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|"
    r"header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|"
    r"supplemental|ad-break|agegate|pagination|pager|popup|yom-remote",
)
MAYBE = re.compile(r"and|article|body|column|content|main|shadow")
POSITIVE = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story"
)
NEGATIVE = re.compile(
    r"-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|"
    r"media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|"
    r"tags|widget",
)
SHARE = re.compile(r"(\b|_)(share|sharedaddy)(\b|_)")
COMMAS = re.compile("[\u002c\u060c\ufe50\ufe10\ufe11\u2e41\u2e34\u2e32\uff0c]")
AD_WORDS = re.compile(
    r"^(ad(vertising|vertisement)?|pub(licité)?|werb(ung)?|广告|Реклама|Anuncio)$", re.I
)
LOADING = re.compile(r"^((loading|正在加载|Загрузка|chargement|cargando)(…|\.\.\.)?)$", re.I)
WS = re.compile(r"\s+")
TOKEN = re.compile(r"\W+")
UNLIKELY_ROLES = {
    "menu",
    "menubar",
    "complementary",
    "navigation",
    "alert",
    "alertdialog",
    "dialog",
}
TAGS_TO_SCORE = {"section", "h2", "h3", "h4", "h5", "h6", "p", "td", "pre"}
DIV_TO_P = {"blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul"}
ALTER_TO_DIV_EXCEPTIONS = {"div", "article", "section", "p", "ol", "ul"}
PHRASING = {
    "abbr",
    "audio",
    "b",
    "bdo",
    "br",
    "button",
    "cite",
    "code",
    "data",
    "datalist",
    "dfn",
    "em",
    "embed",
    "i",
    "img",
    "input",
    "kbd",
    "label",
    "mark",
    "math",
    "meter",
    "noscript",
    "object",
    "output",
    "progress",
    "q",
    "ruby",
    "samp",
    "script",
    "select",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "textarea",
    "time",
    "var",
    "wbr",
}
CHAR_THRESHOLD = 500
FLAG_STRIP_UNLIKELY, FLAG_WEIGHT, FLAG_CLEAN = 1, 2, 4


_CLASS_OR_ID = etree.XPath(".//*[@class or @id]")
P_LEN = etree.XPath("string-length(normalize-space(.))")
_COUNTS = etree.XPath(
    "concat(count(.//p), ',', count(.//img), ',', count(.//li), ',', count(.//input))"
)
_TEXTISH = etree.XPath(
    "boolean(.//*[self::span or self::li or self::td or self::blockquote or self::dl or self::div"
    " or self::img or self::ol or self::p or self::pre or self::table or self::ul]"
    "[normalize-space(.)])"
)


def text_len(el: HtmlElement) -> int:
    """Length of the element's text with whitespace runs collapsed (computed in C)."""
    return int(measure(P_LEN, el))


def inner_text(el: HtmlElement) -> str:
    return " ".join(text_of(el).split())


def text_similarity(a: str, b: str) -> float:
    ta = [t for t in TOKEN.split(a.lower()) if t]
    tb = [t for t in TOKEN.split(b.lower()) if t]
    if not ta or not tb:
        return 0.0
    sa = set(ta)
    uniq_b = [t for t in tb if t not in sa]
    return 1 - len(" ".join(uniq_b)) / len(" ".join(tb))


def match_string(el: HtmlElement) -> str:
    """Class and id, lowercased: Readability's patterns are case-insensitive, and matching
    lowercase text with case-sensitive patterns is several times faster."""
    return f"{el.get('class', '')} {el.get('id', '')}".lower()


def link_density(el: HtmlElement, cache: dict[HtmlElement, float] | None = None) -> float:
    """Share of the text inside links (in-page ``#`` links count 0.3). ``cache`` keeps each
    link's weighted length while the tree does not change."""
    total = text_len(el)
    if not total:
        return 0.0
    links = 0.0
    for a in el.iter("a"):
        weighted = cache.get(a) if cache is not None else None
        if weighted is None:
            href = a.get("href", "")
            coefficient = 0.3 if len(href) > 1 and href.startswith("#") else 1.0
            weighted = text_len(a) * coefficient
            if cache is not None:
                cache[a] = weighted
        links += weighted
    return links / total


def next_node(node: HtmlElement, skip_children: bool = False) -> HtmlElement | None:
    if not skip_children:
        for child in node:
            if isinstance(child.tag, str):
                return child
    cur: HtmlElement | None = node
    while cur is not None:
        sib = cur.getnext()
        while sib is not None and not isinstance(sib.tag, str):
            sib = sib.getnext()
        if sib is not None:
            return sib
        cur = cur.getparent()
    return None


def _is_phrasing(node: HtmlElement) -> bool:
    tag = node.tag
    if tag in PHRASING:
        return True
    if tag in ("a", "del", "ins"):
        return all(_is_phrasing(c) for c in node if isinstance(c.tag, str))
    return False


def _has_block_child(el: HtmlElement) -> bool:
    return any(isinstance(d.tag, str) and d.tag in DIV_TO_P for d in el.iterdescendants())


def _without_content(el: HtmlElement) -> bool:
    """No text, and no child but <br>/<hr> (the cheap test first)."""
    if any(isinstance(c.tag, str) and c.tag not in ("br", "hr") for c in el):
        return False
    return not text_of(el).strip()


def has_ancestor(el: HtmlElement, tag: str, max_depth: int = 3) -> bool:
    depth = 0
    cur = el.getparent()
    while cur is not None:
        if max_depth > 0 and depth > max_depth:
            return False
        if cur.tag == tag:
            return True
        cur = cur.getparent()
        depth += 1
    return False


def _wrap_phrasing(div: HtmlElement) -> None:
    """Put runs of loose text and inline elements of a <div> into <p>s (Readability's rule)."""
    nodes = list(div)
    if not (div.text or "").strip() and all(not _is_phrasing(n) for n in nodes):
        return
    lead_text = div.text
    div.text = None
    for n in nodes:
        div.remove(n)
    p: HtmlElement | None = None
    last: HtmlElement | None = None  # p's last child (len() on lxml elements is not O(1))

    def add_text(text: str | None) -> None:
        nonlocal p, last
        if not text:
            return
        if p is None:
            if not text.strip():
                return
            p = etree.Element("p")
            p.text = text
            last = None
            div.append(p)
        elif last is not None:
            last.tail = (last.tail or "") + text
        else:
            p.text = (p.text or "") + text

    add_text(lead_text)
    for n in nodes:
        tail, n.tail = n.tail, None
        if not isinstance(n.tag, str):
            continue
        if _is_phrasing(n):
            if p is None:
                if n.tag == "br":
                    add_text(tail)
                    continue
                p = etree.Element("p")
                div.append(p)
            p.append(n)
            last = n
        else:
            p = None
            last = None
            div.append(n)
        add_text(tail)


@dataclass
class ScoringState:
    flags: int
    title: str
    scores: dict[HtmlElement, float]

    def weight(self, el: HtmlElement) -> int:
        if not self.flags & FLAG_WEIGHT:
            return 0
        w = 0
        for value in (el.get("class", "").lower(), el.get("id", "").lower()):
            if value:
                if NEGATIVE.search(value):
                    w -= 25
                if POSITIVE.search(value):
                    w += 25
        return w

    def init(self, el: HtmlElement) -> None:
        tag = el.tag
        score = 0.0
        if tag == "div":
            score = 5
        elif tag in ("pre", "td", "blockquote"):
            score = 3
        elif tag in ("address", "ol", "ul", "dl", "dd", "dt", "li", "form"):
            score = -3
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6", "th"):
            score = -5
        self.scores[el] = score + self.weight(el)


def grab_article(
    page: HtmlElement, state: ScoringState, protected: set[HtmlElement]
) -> HtmlElement:
    """One pass of Readability's grabArticle over ``page`` (mutated)."""
    to_score: list[HtmlElement] = []
    removed_title = False
    node: HtmlElement | None = page
    while node is not None:
        if node is not page and node not in protected:
            ms = match_string(node)
            tag = node.tag
            if (
                not removed_title
                and tag in ("h1", "h2")
                and state.title
                and text_similarity(state.title, inner_text(node)) > 0.75
            ):
                removed_title = True
                # (Readability drops the first heading that repeats the title)
                nxt = next_node(node, True)
                drop(node)
                node = nxt
                continue
            if (
                state.flags & FLAG_STRIP_UNLIKELY
                and tag not in ("body", "a")
                and (
                    (
                        ms != " "
                        and UNLIKELY.search(ms)
                        and not MAYBE.search(ms)
                        and not has_ancestor(node, "table")
                        and not has_ancestor(node, "code")
                    )
                    or node.get("role") in UNLIKELY_ROLES
                )
            ):
                # (Readability's "unlikely candidates": menus, footers, sidebars…)
                nxt = next_node(node, True)
                drop(node)
                node = nxt
                continue
            if tag in ("div", "section", "header", "h1", "h2", "h3", "h4", "h5", "h6") and (
                _without_content(node)
            ):
                nxt = next_node(node, True)
                drop(node)
                node = nxt
                continue
        if node.tag in TAGS_TO_SCORE:
            to_score.append(node)
        if node.tag == "div" and node is not page:
            _wrap_phrasing(node)
            kids = [c for c in node if isinstance(c.tag, str)]
            if (
                len(kids) == 1
                and kids[0].tag == "p"
                and not (node.text or "").strip()
                and not (kids[0].tail or "").strip()
                and link_density(node) < 0.25
            ):
                child = kids[0]
                child.tail = node.tail
                if node.get("class") and not child.get("class"):
                    child.set("class", node.get("class", ""))  # (a caption stays a caption)
                node.getparent().replace(node, child)  # type: ignore[union-attr]
                node = child
                to_score.append(node)
            elif not _has_block_child(node):
                node.tag = "p"
                to_score.append(node)
        node = next_node(node)

    scores = state.scores
    candidates: list[HtmlElement] = []
    for el in to_score:
        parent = el.getparent()
        if parent is None:
            continue
        length = text_len(el)
        if length < 25:
            continue
        score = 1 + len(COMMAS.findall(text_of(el))) + 1 + min(length // 100, 3)
        level = 0
        anc = parent
        while anc is not None and level < 5:
            if anc.getparent() is None:  # the <html> element is never a candidate
                break
            if anc not in scores:
                state.init(anc)
                candidates.append(anc)
            divider = 1 if level == 0 else 2 if level == 1 else level * 3
            scores[anc] += score / divider
            up = anc.getparent()
            if up is None:
                break
            anc = up
            level += 1

    top: list[HtmlElement] = []
    link_cache: dict[HtmlElement, float] = {}
    for c in candidates:
        scores[c] = scores[c] * (1 - link_density(c, link_cache))
    top = sorted(candidates, key=lambda c: -scores[c])[:5]

    body = page
    top_candidate = top[0] if top else None
    if top_candidate is None or top_candidate.tag == "body" or top_candidate is page:
        content = etree.Element("div")
        content.text = page.text
        page.text = None
        for child in list(page):
            content.append(child)
        return content

    top_score = scores[top_candidate]
    alternatives = [
        set(t.iterancestors()) for t in top[1:] if top_score > 0 and scores[t] / top_score >= 0.75
    ]
    if len(alternatives) >= 3:
        parent = top_candidate.getparent()
        while parent is not None and parent is not body and parent.tag != "body":
            if sum(1 for a in alternatives if parent in a) >= 3:
                top_candidate = parent
                break
            parent = parent.getparent()
    if top_candidate not in scores:
        state.init(top_candidate)

    parent = top_candidate.getparent()
    last = scores[top_candidate]
    threshold = last / 3
    while parent is not None and parent is not body and parent.tag != "body":
        if parent not in scores:
            parent = parent.getparent()
            continue
        if scores[parent] < threshold:
            break
        if scores[parent] > last:
            top_candidate = parent
            break
        last = scores[parent]
        parent = parent.getparent()

    parent = top_candidate.getparent()
    while (
        parent is not None
        and parent is not body
        and parent.tag != "body"
        and len([c for c in parent if isinstance(c.tag, str)]) == 1
    ):
        top_candidate = parent
        parent = top_candidate.getparent()
    if top_candidate not in scores:
        state.init(top_candidate)

    content = etree.Element("div")
    parent = top_candidate.getparent()
    assert parent is not None
    sibling_threshold = max(10.0, scores[top_candidate] * 0.2)
    top_class = top_candidate.get("class", "")
    for sib in [c for c in parent if isinstance(c.tag, str)]:
        append = sib is top_candidate
        if not append:
            bonus = (
                scores[top_candidate] * 0.2
                if top_class and sib.get("class", "") == top_class
                else 0
            )
            if sib in scores and scores[sib] + bonus >= sibling_threshold:
                append = True
            elif sib.tag == "p":
                ld = link_density(sib)
                text = inner_text(sib)
                if (len(text) > 80 and ld < 0.25) or (
                    0 < len(text) < 80 and ld == 0 and re.search(r"\.( |$)", text)
                ):
                    append = True
        if append:
            if sib.tag not in ALTER_TO_DIV_EXCEPTIONS:
                sib.tag = "div"
            sib.tail = None
            content.append(sib)
    return content


def _class_weight(state: ScoringState, el: HtmlElement) -> int:
    return state.weight(el)


def _is_data_table(table: HtmlElement) -> bool:
    if table.get("role") == "presentation" or table.get("datatable") == "0":
        return False
    if table.get("summary"):
        return True
    cap = table.find(".//caption")
    if cap is not None and (len(cap) or (cap.text or "").strip()):
        return True
    if any(table.find(f".//{t}") is not None for t in ("col", "colgroup", "tfoot", "thead", "th")):
        return True
    if table.find(".//table") is not None:
        return False
    rows = 0
    columns = 0
    for tr in table.iter("tr"):
        try:
            rows += int(tr.get("rowspan") or 1)
        except ValueError:
            rows += 1
        cols = 0
        for td in tr.iter("td"):
            try:
                cols += int(td.get("colspan") or 1)
            except ValueError:
                cols += 1
        columns = max(columns, cols)
    if columns == 1 or rows == 1:
        return False
    if rows >= 10 or columns > 4:
        return True
    return rows * columns > 10


def _clean_conditionally(
    root: HtmlElement,
    tag: str,
    state: ScoringState,
    data_tables: set[HtmlElement],
    protected: set[HtmlElement],
) -> None:
    if not state.flags & FLAG_CLEAN:
        return
    for node in reversed(list(root.iter(tag))):
        if node.getparent() is None or node in protected:
            continue
        if protected and (
            inside_any(node, protected) or any(node in pr.iterancestors() for pr in protected)
        ):
            continue  # it holds, or is inside, journalism marked to keep
        if data_tables and (
            node in data_tables
            or any(a in data_tables for a in node.iterancestors("table"))
            or any(t in data_tables for t in node.iter("table"))
        ):
            continue
        if has_ancestor(node, "code"):
            continue
        text = inner_text(node)
        is_list = tag in ("ul", "ol")
        if not is_list:
            list_len = sum(text_len(x) for x in node.iter("ul", "ol"))
            is_list = bool(text) and list_len / len(text) > 0.9 if text else False
        weight = _class_weight(state, node)
        if weight < 0:
            drop(node)
            continue
        if len(COMMAS.findall(text)) >= 10:
            continue
        p, img, li_count, inputs = (int(n) for n in str(_COUNTS(node)).split(","))
        li = li_count - 100
        embed_count = 0
        keep = False
        for e in node.iter("object", "embed", "iframe"):
            if is_known_embed(e):
                keep = True
                break
            embed_count += 1
        if keep:
            continue
        if AD_WORDS.match(text) or LOADING.match(text):
            drop(node)
            continue
        length = len(text)
        ld = link_density(node)
        in_figure = has_ancestor(node, "figure")

        remove = (
            (not in_figure and img > 1 and p / img < 0.5)
            or (not is_list and li > p)
            or (inputs > p // 3)
            or (
                not is_list
                and not in_figure
                and length < 25
                and _heading_density(node, length) < 0.9
                and (img == 0 or img > 2)
                and ld > 0
            )
            or (not is_list and weight < 25 and ld > 0.2)
            or (weight >= 25 and ld > 0.5)
            or ((embed_count == 1 and length < 75) or embed_count > 1)
            # (Readability's text density of span/li/td/p… children: only ever compared to 0)
            or (img == 0 and not _TEXTISH(node))
        )
        if is_list and remove:
            kids = [c for c in node if isinstance(c.tag, str)]
            simple = all(len([g for g in k if isinstance(g.tag, str)]) <= 1 for k in kids)
            if simple and img == li_count:
                remove = False  # a list of images
        if remove:
            drop(node)


def _heading_density(node: HtmlElement, length: int) -> float:
    heading_len = sum(text_len(h) for h in node.iter("h1", "h2", "h3", "h4", "h5", "h6"))
    return heading_len / length if length else 0


def inside_any(node: HtmlElement, protected: set[HtmlElement]) -> bool:
    return any(a in protected for a in node.iterancestors())


def prep_article(content: HtmlElement, state: ScoringState, protected: set[HtmlElement]) -> None:
    data_tables = {t for t in content.iter("table") if _is_data_table(t)}
    _clean_conditionally(content, "form", state, data_tables, protected)
    _clean_conditionally(content, "fieldset", state, data_tables, protected)
    for tag in ("object", "embed", "footer", "link", "aside", "iframe"):
        for el in list(content.iter(tag)):
            if el in protected or inside_any(el, protected):
                continue
            if tag in ("object", "embed", "iframe") and is_known_embed(el):
                continue
            drop(el)
    for child in [c for c in content if isinstance(c.tag, str)]:
        for el in select(_CLASS_OR_ID, child):
            if el.getparent() is None:
                continue
            ms = match_string(el)
            if "share" not in ms or not SHARE.search(ms):
                continue
            if el in protected or inside_any(el, protected):
                continue
            if len(text_of(el)) < CHAR_THRESHOLD:
                drop(el)
    for h in list(content.iter("h1", "h2")):
        if _class_weight(state, h) < 0:
            drop(h)
    for tag in ("table", "ul", "div"):
        _clean_conditionally(content, tag, state, data_tables, protected)
    for h1 in content.iter("h1"):
        h1.tag = "h2"
    for p in list(content.iter("p")):
        if not text_of(p).strip() and not any(
            True for _ in p.iter("img", "embed", "object", "iframe")
        ):
            drop(p)
    for table in list(content.iter("table")):
        rows = table.findall(".//tr")
        if len(rows) == 1 and len([c for c in rows[0] if isinstance(c.tag, str)]) == 1:
            if table.find(".//table") is not None:
                continue
            cell = next(c for c in rows[0] if isinstance(c.tag, str))
            cell.tag = (
                "p" if all(_is_phrasing(c) for c in cell if isinstance(c.tag, str)) else "div"
            )
            cell.tail = table.tail
            table.getparent().replace(table, cell)  # type: ignore[union-attr]
