"""Clutter inside the article body: what stands between and after the paragraphs.

Goes in: the extracted body element (see extract.py), the rules (data/boilerplate.toml) and the
elements marked as journalism to keep. Comes out: the same element with newsletter boxes,
appeals, teasers, link lists under their labels, tag lists, gallery chrome, repeated captions,
comment-moderation notices, consent text and a press release's company boilerplate removed.
The rules read structure and text (a label over links, a counter standing alone, a heading
over a company's description), never a site's name; captions, pull quotes and standfirsts are
journalism and stay.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from printedition.ingest.clean import HtmlElement, drop, measure, select, text_of
from printedition.ingest.selectors import Rules

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _tokens(el: HtmlElement) -> list[str]:
    return (el.get("class") or "").split()


def _is_teaser(el: HtmlElement, text: str) -> bool:
    """A related-article card: a linked headline and a short summary, pointing elsewhere, or a
    kicker in capitals over one link that is a headline. ``text`` is the element's text,
    whitespace collapsed."""
    if el.tag != "a" and el.find(".//a") is None:
        return False
    if not text or len(text) > 500 or len(el.findall(".//p")) > 2:
        return False
    if el.tag != "a" and _is_link_card(el, text):
        return True
    for h in el.iter(*_HEADINGS, "strong", "b"):
        h_text = " ".join(text_of(h).split())
        if len(h_text) < 12:
            continue
        links = [a for a in h.iter("a")] or [a for a in h.iterancestors("a")]
        linked = " ".join(" ".join(text_of(a).split()) for a in links)
        href = links[0].get("href", "") if links else ""
        if links and linked == h_text and href and not href.startswith("#"):
            return True
    return False


def _is_link_card(el: HtmlElement, text: str) -> bool:
    """One link holding a headline (four words or more), and at most a kicker in capitals
    beside it: "POLITICS <a>Minister under pressure over delayed rail upgrade</a>"."""
    links = [a for a in el.iter("a") if a.get("href") and not a.get("href", "").startswith("#")]
    if len(links) != 1 or any(a.tag in ("td", "th") for a in el.iterancestors()):
        return False
    linked = " ".join(text_of(links[0]).split())
    if len(linked) < 20 or len(linked.split()) < 4:
        return False
    rest = text.replace(linked, "", 1).strip(" ·|:–—-")
    return not rest or (len(rest) <= 40 and rest.isupper())


_WITH_CLASS = etree.XPath(".//*[@class]")
_LEN = etree.XPath("string-length(normalize-space(.))")
_TEASER_TAGS = {"div", "aside", "section", "article", "figure", "a"}
_TEXT_TAGS = {"p", "div", "section", "aside", "li", "figure", "blockquote", *_HEADINGS}


def _link_share(el: HtmlElement) -> float:
    total = measure(_LEN, el)
    if not total:
        return 0.0
    return sum(measure(_LEN, a) for a in el.iter("a")) / total


def remove_clutter(content: HtmlElement, rules: Rules, protected: set[HtmlElement]) -> int:
    """Remove newsletter boxes, appeals, teasers, share widgets… inside the article body.
    Returns how many elements went."""
    total = measure(_LEN, content) or 1
    removed = 0

    def safe(el: HtmlElement) -> bool:
        if el in protected or any(a in protected for a in el.iterancestors()):
            return False
        if any(p in protected for p in el.iterdescendants()):
            return False
        return bool(measure(_LEN, el) < 0.6 * total or total < 300)

    verdicts: dict[str, bool] = {}
    for el in select(_WITH_CLASS, content):
        if el.getparent() is None:
            continue
        hit = False
        for token in _tokens(el):
            verdict = verdicts.get(token)
            if verdict is None:
                verdict = verdicts[token] = bool(rules.clutter_class.search(token))
            if verdict:
                hit = True
                break
        # Widgets are short or made of links; a long run of prose is the story, whatever
        # its class says (e.g. a "paywall" wrapper around the rest of the article).
        if hit and safe(el) and (measure(_LEN, el) < 800 or _link_share(el) > 0.5):
            drop(el)
            removed += 1
    for nav in list(content.iterdescendants("nav")):
        if nav.getparent() is not None and _link_share(nav) > 0.5 and safe(nav):
            drop(nav)  # a menu (the element says so), never journalism
            removed += 1
    # the short elements' texts, read once for the label passes (each skips what went)
    short = short_texts(content, _SHORT_TAGS, 80)
    removed += _remove_chrome(content, short, rules, protected)
    removed += _remove_repeated_captions(content)
    removed += _remove_labelled_lists(content, short, rules, safe)
    removed += _remove_release_tail(content, short, rules, protected)
    limit = rules.clutter_text_max
    for el in list(content.iterdescendants(*(_TEASER_TAGS | _TEXT_TAGS))):
        if el.getparent() is None:
            continue
        raw = text_of(el)
        if len(raw) > 4 * max(limit, 500):
            continue  # (far too long even before its whitespace is collapsed)
        text = " ".join(raw.split())
        length = len(text)
        if not length or length > max(limit, 500):
            continue
        if (
            el.tag in _TEASER_TAGS
            and _is_teaser(el, text)
            and safe(el)
            and (el.tag != "figure" or el.find(".//figcaption") is None)
        ):
            drop(el)
            removed += 1
            continue
        if el.tag not in _TEXT_TAGS or length > limit:
            continue
        lead = rules.link_lead.match(text)
        if lead and sum(measure(_LEN, a) for a in el.iter("a")) > 0.6 * (length - lead.end()):
            drop(el)  # "Read more: <a>another story</a>"
            removed += 1
            continue
        # Phrases that may sit mid-sentence only condemn a box, never a paragraph of the story.
        anywhere = el.tag not in ("p", *_HEADINGS) and rules.clutter_text_anywhere.search(text)
        if not (rules.clutter_text_anchored.match(text) or anywhere):
            continue
        target = el
        parent = target.getparent()
        while parent is not None and parent is not content and measure(_LEN, parent) == length:
            target = parent
            parent = target.getparent()
        if safe(target):
            drop(target)
            removed += 1
    return removed


def short_texts(
    root: HtmlElement, tags: tuple[str, ...], limit: int
) -> list[tuple[HtmlElement, str]]:
    """Elements of these tags below ``root`` whose text is 1 to ``limit`` characters, with
    that text whitespace-collapsed (a paragraph whose own first words are already longer is
    skipped before its whole text is read)."""
    out: list[tuple[HtmlElement, str]] = []
    for el in root.iterdescendants(*tags):
        own = el.text
        if (own is not None and len(own) > 2 * limit) or len(el) > 3:
            continue  # (a label is short, and holds few elements)
        raw = text_of(el)
        if not raw or len(raw) > 2 * limit:
            continue
        text = _squash(raw)
        if 0 < len(text) <= limit:
            out.append((el, text))
    return out


def _squash(text: str) -> str:
    return " ".join(text.split())


def _in_table(el: HtmlElement) -> bool:
    """A table's cell content ("3 / 4" is a score there), not a layout table's whole page."""
    parent = el.getparent()
    return parent is not None and parent.tag in ("td", "th")


# (an inline element standing alone, "<div><a>Expand</a></div>", is read through its block)
_CHROME_TAGS = ("p", "div", "span", "li", *_HEADINGS)


_CAPTIONS = etree.XPath(".//figcaption | .//*[contains(@class, 'aption')]")


Short = list[tuple[HtmlElement, str]]


def _still_in(root: HtmlElement) -> Callable[[HtmlElement], bool]:
    top = root.getroottree().getroot()
    return lambda el: el.getparent() is not None and el.getroottree().getroot() is top


def _remove_chrome(
    content: HtmlElement, short: Short, rules: Rules, protected: set[HtmlElement]
) -> int:
    """Gallery and player controls standing alone ("Image 1 of 8", "1 / 8", "Caption",
    "Expand"): never journalism, even inside a figure kept whole."""
    removed = 0
    inside = _still_in(content)
    for el, text in short:
        if len(text) > 60 or el.tag not in _CHROME_TAGS or not rules.chrome.match(text):
            continue
        if el in protected or not inside(el):
            continue
        if (
            el.find(".//img") is None
            and not _in_table(el)
            and not any(d in protected for d in el.iterdescendants())
        ):
            drop(el)
            removed += 1
    return removed


def _remove_repeated_captions(content: HtmlElement) -> int:
    """A caption written a second time in its own small box (a gallery's thumbnail strip, an
    overlay): the other copies go, the caption stays. Two photos in one article may share a
    credit; only a copy near the caption goes."""
    removed = 0
    inside = _still_in(content)
    for cap in select(_CAPTIONS, content):
        if not inside(cap):
            continue
        text = _squash(text_of(cap))
        if len(text) < 20 or len(text) > 600:
            continue
        limit = 3 * len(text) + 300
        box = cap
        parent = box.getparent()
        while (
            parent is not None
            and parent is not content
            and len(parent) <= 12  # (a gallery's box holds few elements: no need to read more)
            and measure(_LEN, parent) < limit
        ):
            box, parent = parent, parent.getparent()
        if box is cap:
            continue
        around = {cap, *cap.iterancestors(), *cap.iterdescendants()}
        for el in list(box.iterdescendants("figcaption", "p", "div", "span")):
            if el in around or not inside(el) or el.find(".//img") is not None:
                continue
            raw = text_of(el)
            if len(raw) >= len(text) and _squash(raw) == text:
                drop(el)
                removed += 1
    return removed


_LABEL_TAGS = ("p", "div", "span", "dt", "li", "header", *_HEADINGS)
_RELEASE_TAGS = ("p", "div", "span", *_HEADINGS)
_SHORT_TAGS = tuple(dict.fromkeys((*_CHROME_TAGS, *_LABEL_TAGS, *_RELEASE_TAGS)))


def _link_text(el: HtmlElement, outside: HtmlElement) -> float:
    """Characters of link text in ``el``, not counting links inside ``outside``."""
    return sum(
        measure(_LEN, a)
        for a in el.iter("a")
        if a is not outside and not any(x is outside for x in a.iterancestors())
    )


def _links_over(box: HtmlElement, label: HtmlElement) -> bool:
    """Whether ``box`` holds, besides ``label``, links and little else."""
    rest = measure(_LEN, box) - measure(_LEN, label)
    return rest > 0 and _link_text(box, label) >= 0.7 * rest and len(box.findall(".//a")) >= 1


def _remove_labelled_lists(
    content: HtmlElement, short: Short, rules: Rules, safe: Callable[[HtmlElement], bool]
) -> int:
    """A label ("Most read", "Related", "Tags", "Topics") with the links it stands over; a
    label over prose is a subheading and stays."""
    removed = 0
    inside = _still_in(content)
    for label, text in short:
        if label.tag not in _LABEL_TAGS or not rules.list_label.match(text) or not inside(label):
            continue
        target = label
        parent = target.getparent()
        while parent is not None and parent is not content:
            if measure(_LEN, parent) == measure(_LEN, target) or (
                measure(_LEN, parent) < 2000 and _links_over(parent, label)
            ):
                target, parent = parent, parent.getparent()
            else:
                break
        doomed = [target]
        if not _links_over(target, label):
            after = target.getnext()
            if after is None or not isinstance(after.tag, str):
                continue
            share = _link_share(after)
            links = len(after.findall(".//a")) + (after.tag == "a")
            if share < 0.7 or measure(_LEN, after) > 2000 or links < 1:
                continue
            doomed.append(after)
        if all(safe(el) for el in doomed):
            for el in doomed:
                drop(el)
                removed += 1
    return removed


_BLOCKS = ("p", "div", "section", "aside", "ul", "ol", "table", "figure", "blockquote", "pre")


def _remove_release_tail(
    content: HtmlElement, short: Short, rules: Rules, protected: set[HtmlElement]
) -> int:
    """A press release's tail: its end mark ("###") and what follows it, or an "About Acme" /
    "Media contact" heading over a company's description and contacts, to the end of the
    body (or the next heading of another kind). Never more than a third of the body."""
    total = measure(_LEN, content) or 1
    inside = _still_in(content)
    for el, text in short:
        if el.tag not in _RELEASE_TAGS:
            continue
        end_mark = bool(rules.release_end.match(text))
        if (not end_mark and not rules.about_heading.match(text)) or not inside(el):
            continue
        start = el
        while start.getparent() is not None and start.getparent() is not content:
            parent = start.getparent()
            assert parent is not None
            if measure(_LEN, parent) != measure(_LEN, start):
                break
            start = parent
        tail = _following(start, content)
        if not end_mark:
            after = " ".join(text_of(t) for t in tail)[:800]
            if not rules.corporate.search(after):
                continue
        doomed = [start]
        for t in tail:
            heading = t.tag in _HEADINGS
            t_text = _squash(text_of(t))
            if heading and not (
                rules.about_heading.match(t_text) or rules.release_end.match(t_text)
            ):
                break
            doomed.append(t)
        size = sum(measure(_LEN, d) for d in doomed)
        if size > total / 3 or any(
            d in protected or any(x in protected for x in d.iterdescendants()) for d in doomed
        ):
            continue
        for d in doomed:
            drop(d)
        return len(doomed)
    return 0


def _following(el: HtmlElement, root: HtmlElement) -> list[HtmlElement]:
    """The elements after ``el`` up to the end of ``root``, siblings of ``el`` and of its
    ancestors, in document order."""
    out: list[HtmlElement] = []
    node: HtmlElement | None = el
    while node is not None and node is not root:
        out.extend(s for s in node.itersiblings() if isinstance(s.tag, str))
        node = node.getparent()
    return out
