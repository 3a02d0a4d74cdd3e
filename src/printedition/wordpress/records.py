"""Post records: what both WordPress sources (REST API, WXR export) say about one post.

Goes in: nothing (plain data, filled by ``rest`` and ``wxr``). Comes out: ``PostRecord`` and
``LeadImage``, frozen, and ``SiteInfo`` for the site they came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from printedition.model import Author

# The post statuses a draft may ask for (the command line's choice and the draft's check).
POST_STATUSES = ("publish", "draft", "future", "pending", "private")


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteInfo:
    url: str  # the site's home URL
    name: str = ""
    timezone: str = ""  # an IANA name (``timezone_string``); "" when the site gives an offset only
    language: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class LeadImage:
    """The featured image: ``url`` is the original upload (what the press wants); ``full`` is
    WordPress's "full" size (the ``-scaled`` copy of a large upload); ``sizes`` its smaller
    variants, largest first."""

    url: str
    full: str = ""
    width: int | None = None
    height: int | None = None
    alt: str = ""
    caption_html: str = ""
    sizes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PostRecord:
    id: int
    slug: str
    link: str
    source_url: str  # where the record was read (the API URL, or the export file)
    status: str = "publish"
    title_html: str = ""
    excerpt_html: str = ""
    content_html: str = ""  # the body as the site renders it (``content.rendered``)
    date_local: datetime | None = None  # naive: the site's local post date (month filter)
    published: datetime | None = None  # time-zone aware
    updated: datetime | None = None
    authors: tuple[Author, ...] = ()
    author_hidden: bool = False  # the site refused to name the author
    categories: tuple[tuple[str, str], ...] = ()  # (slug, name), primary first
    tags: tuple[str, ...] = ()
    lead: LeadImage | None = None
    site: SiteInfo | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WordPressRef:
    """An issue.toml entry ``wordpress = <post id>`` under ``[source]``: the post on a site
    (``site``, its REST API) or in an export file (``wxr``, an absolute path)."""

    post: int
    site: str = ""
    wxr: str = ""

    @property
    def label(self) -> str:
        """How reports name the post: a link WordPress answers (``/?p=ID``), or file#post."""
        return f"{self.site}/?p={self.post}" if self.site else f"{self.wxr}#post-{self.post}"


__all__ = ["POST_STATUSES", "LeadImage", "PostRecord", "SiteInfo", "WordPressRef"]
