"""Links: a written downloads folder → every link of its page and feed, and those that do not
lead to a file in the folder (the build's own check of what it wrote).

Goes in: the folder. Comes out: ``LinkCheck`` — how many links were followed and one message per
link that is absolute, leaves the folder or names no file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree, html

from printedition.downloads.opds import ATOM_NS, FEED_NAME

PAGE_NAME = "index.html"


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkCheck:
    links: int
    broken: tuple[str, ...]  # "index.html: covers/x.jpg names no file in the folder"


def _hrefs(folder: Path) -> list[tuple[str, str]]:
    page = html.fromstring((folder / PAGE_NAME).read_bytes())
    found = [(PAGE_NAME, el.get("href", "")) for el in page.iter("a", "link")]
    found += [(PAGE_NAME, el.get("src", "")) for el in page.iter("img")]
    feed = etree.fromstring((folder / FEED_NAME).read_bytes())
    found += [(FEED_NAME, el.get("href", "")) for el in feed.iter(f"{{{ATOM_NS}}}link")]
    return found


def check_links(folder: Path) -> LinkCheck:
    root = Path(folder).resolve()
    broken = []
    links = _hrefs(root)
    for document, href in links:
        if not href or "://" in href or href.startswith(("/", "//", "data:", "javascript:")):
            broken.append(f"{document}: {href!r} is not a relative link to a file in the folder")
            continue
        target = (root / unquote(href.split("#")[0])).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            broken.append(f"{document}: {href} names no file in the folder")
    return LinkCheck(links=len(links), broken=tuple(broken))


__all__ = ["PAGE_NAME", "LinkCheck", "check_links"]
