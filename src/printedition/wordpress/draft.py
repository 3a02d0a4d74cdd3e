"""A month of posts → a reviewable issue.toml (``printedition issue draft``).

Goes in: ``DraftOptions``: a site (REST API) or an export file (WXR), a window of local dates
(a month in the site's time zone, or ``--after``/``--before``), optional category filters,
the post status, the order of sections. Comes out: the issue.toml text, written atomically,
and a ``DraftResult`` (the posts in their sections, requests sent, time taken).

Steps: site (``/wp-json/``: name, time zone) → list the window (light listing, every page) →
fetch only posts that are new or modified since the cache's copy (``include=…&_embed``) →
keep each in the build cache → records → sections from primary categories (the configured
order first), articles in date order, the cover story a guess (the longest post with a photo).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from printedition.cache import Store, cache_key
from printedition.errors import ConfigError, InputError
from printedition.ingest.fetch import Fetcher, FetchOptions, FetchStats, user_agent
from printedition.outputs import atomic_write_text
from printedition.settings import Limits
from printedition.wordpress.mapping import plain_text, primary_category, safe_slug
from printedition.wordpress.records import POST_STATUSES, PostRecord, SiteInfo
from printedition.wordpress.rest import (
    Credentials,
    WordPressAPI,
    record_from_rest,
    record_id,
    zone,
)
from printedition.wordpress.source import cached_post, keep_post, post_url
from printedition.wordpress.wxr import read_wxr_file

NO_SECTION = "More"
INDEX_KIND = "wpindex"  # per site: each post's modified date and what the draft needs of it


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """Local dates: ``start`` inclusive, ``end`` exclusive (naive: the site's wall clock)."""

    start: datetime
    end: datetime
    label: str  # the cover date as printed, e.g. "June 2024"


def month_window(month: str) -> Window:
    try:
        first = datetime.strptime(month.strip(), "%Y-%m")
    except ValueError:
        raise ConfigError(f"--month {month!r}: give a month as YYYY-MM, e.g. 2024-06") from None
    end = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
    return Window(start=first, end=end, label=f"{first.strftime('%B')} {first.year}")


def dates_window(after: date, before: date) -> Window:
    """``--after`` and ``--before`` as days: from the first day's start to the second's."""
    start = datetime(after.year, after.month, after.day)
    end = datetime(before.year, before.month, before.day)
    if end <= start:
        raise ConfigError(f"--before {before} must be later than --after {after}")
    label = f"{start.strftime('%B')} {start.year}"
    return Window(start=start, end=end, label=label)


def choose_window(month: str | None, after: date | None, before: date | None) -> Window:
    """The command line's choice: ``--month``, or ``--after`` with ``--before``."""
    if month and (after or before):
        raise ConfigError("give --month, or --after and --before, not both")
    if month:
        return month_window(month)
    if after and before:
        return dates_window(after, before)
    raise ConfigError("give --month YYYY-MM (or --after and --before)")


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftOptions:
    out: Path
    window: Window
    wordpress: str = ""
    wxr: Path | None = None
    categories: tuple[str, ...] = ()
    status: str = "publish"
    section_order: tuple[str, ...] = ()  # category names or slugs, first sections first
    number: int = 0  # 0: one more than --like's issue, or 1
    cache_dir: Path = Path(".cache")
    use_cache: bool = True
    allow_private: bool = False
    limits: Limits = field(default_factory=Limits)
    credentials: Credentials | None = None
    backoff: float = 0.5
    force: bool = False  # overwrite an issue.toml the editor has changed
    like: Path | None = None  # last issue's issue.toml: its paper, house panels and limits


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftedPost:
    """What the draft needs of a post (kept in the cache's draft index between drafts)."""

    id: int
    slug: str
    headline: str
    section: str
    section_slug: str = ""
    published: datetime | None = None
    local: datetime | None = None
    photo: bool = False
    length: int = 0  # characters of the rendered body (the cover guess)

    def to_json(self) -> dict[str, object]:
        data = dataclasses.asdict(self)
        for key in ("published", "local"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DraftedPost:
        when = {k: datetime.fromisoformat(data[k]) if data[k] else None
                for k in ("published", "local")}  # fmt: skip
        return cls(**{**data, **when})


def drafted_post(record: PostRecord) -> DraftedPost:
    slug, name = primary_category(record)
    return DraftedPost(
        id=record.id,
        slug=safe_slug(record),
        headline=plain_text(record.title_html),
        section=name or NO_SECTION,
        section_slug=slug,
        published=record.published,
        local=record.date_local,
        photo=record.lead is not None,
        length=len(record.content_html),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftResult:
    path: Path
    site: SiteInfo
    sections: tuple[tuple[str, tuple[DraftedPost, ...]], ...]
    cover: str
    listed: int
    fetched: int  # full posts fetched (the rest were unchanged in the cache)
    requests: FetchStats
    seconds: float

    @property
    def posts(self) -> tuple[DraftedPost, ...]:
        return tuple(p for _title, posts in self.sections for p in posts)


def draft_issue(
    options: DraftOptions, *, progress: Callable[[str], None] | None = None
) -> DraftResult:
    started = time.perf_counter()
    say = progress or (lambda _line: None)
    check_overwrite(options.out, options.force)
    if options.status not in POST_STATUSES:
        raise ConfigError(f"--status {options.status!r}: use one of {', '.join(POST_STATUSES)}")
    if options.status != "publish" and options.wxr is None and options.credentials is None:
        raise ConfigError(
            f"--status {options.status} needs a login: set PRINTEDITION_WP_USER and "
            "PRINTEDITION_WP_APP_PASSWORD (an application password)"
        )
    if options.wxr is not None:
        site, posts = _from_export(options, options.wxr, say)
        listed, fetched, stats = len(posts), 0, FetchStats()
    else:
        site, posts, listed, fetched, stats = _from_site(options, say)
    if not posts:
        status = "published" if options.status == "publish" else options.status
        raise InputError(
            f"no {status} posts in {options.window.label}"
            + (f" in {', '.join(options.categories)}" if options.categories else ""),
            where=options.wordpress or str(options.wxr),
        )
    sections = _sections(posts, options.section_order)
    cover = _cover_guess(posts)
    text = issue_toml(options, site, sections, cover)
    atomic_write_text(options.out, f"{_STAMP}{_digest(text)}\n{text}")
    return DraftResult(
        path=options.out,
        site=site,
        sections=tuple((t, tuple(ps)) for t, ps in sections),
        cover=cover,
        listed=listed,
        fetched=fetched,
        requests=stats,
        seconds=time.perf_counter() - started,
    )


_STAMP = "# printedition draft "  # + the digest of what follows: a changed file is the editor's


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check_overwrite(path: Path, force: bool) -> None:
    """Never overwrite an issue.toml an editor has changed (or wrote), unless forced."""
    if force or not path.exists():
        return
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    head, _, rest = text.partition("\n")
    if head != f"{_STAMP}{_digest(rest)}":
        raise ConfigError(
            "exists and is not an unchanged draft: give another -o, or --force to replace it",
            where=str(path),
        )


def _from_export(
    options: DraftOptions, path: Path, say: Callable[[str], None]
) -> tuple[SiteInfo, list[DraftedPost]]:
    """The window's posts in an export file (its dates are the site's local dates)."""
    window = options.window

    def in_window(_post_id: int, local: datetime | None, status: str) -> bool:
        return status == options.status and local is not None and window.start <= local < window.end

    export = read_wxr_file(path, in_window)
    site = export.site
    wanted = {c.lower() for c in options.categories}
    posts = [
        drafted_post(r)
        for r in export.posts
        if not wanted or wanted & {s.lower() for s, _n in r.categories}
    ]
    listed = len(posts)
    say(f"export: {listed} posts in {options.window.label}")
    return site, posts


def _from_site(
    options: DraftOptions, say: Callable[[str], None]
) -> tuple[SiteInfo, list[DraftedPost], int, int, FetchStats]:
    """The window's posts on the site: listed, the changed ones fetched and kept; (site,
    posts, listed, fetched, requests)."""
    store = Store(options.cache_dir, enabled=options.use_cache)
    fetcher = Fetcher(
        FetchOptions(
            limits=options.limits,
            allow_private=options.allow_private,
            user_agent=user_agent(options.wordpress),
            backoff=options.backoff,
        ),
        cache=store,
    )
    api = WordPressAPI(options.wordpress, fetcher, credentials=options.credentials, progress=say)
    site = api.site_info()
    ids = tuple(api.category_ids(options.categories).values())
    window = options.window
    listing = api.list_posts(
        window.start - timedelta(seconds=1), window.end, status=options.status, categories=ids
    )
    index_key = cache_key(INDEX_KIND, api.site)
    index = store.get_json(INDEX_KIND, index_key)
    index = index if isinstance(index, dict) else {}
    found: dict[int, DraftedPost] = {}
    stale: list[int] = []
    for item in listing:
        known = _indexed(index.get(str(item.id)), item.modified_gmt)
        if known is None:
            cached = cached_post(store, api.site, item.id)
            if cached is not None and cached[1].get("modified_gmt") == item.modified_gmt:
                url = post_url(api.site, item.id)
                known = drafted_post(record_from_rest(cached[1], site, url))
        if known is None:
            stale.append(item.id)
        else:
            found[item.id] = known
    for post in api.posts(stale, status=options.status):
        keep_post(store, api.site, site, post)
        record = record_from_rest(post, site, post_url(api.site, record_id(post)))
        found[record.id] = drafted_post(record)
    fetched = len(stale)
    say(f"posts: {fetched} fetched, {len(listing) - fetched} unchanged")
    for item in listing:
        index[str(item.id)] = {"modified_gmt": item.modified_gmt,
                               "post": found[item.id].to_json()}  # fmt: skip
    store.put_json(INDEX_KIND, index_key, index)
    tz = zone(site.timezone)
    start, end = window.start.replace(tzinfo=tz), window.end.replace(tzinfo=tz)
    # the site compared its local dates; the zone has the last word
    posts = [found[item.id] for item in listing if _inside(found[item.id], start, end)]
    listed = len(listing)
    return site, posts, listed, fetched, fetcher.stats


def _when(post: DraftedPost) -> tuple[datetime, int]:
    return (post.local or datetime.min, post.id)


def _sections(
    posts: list[DraftedPost], order: tuple[str, ...]
) -> list[tuple[str, list[DraftedPost]]]:
    groups: dict[str, list[DraftedPost]] = {}
    slugs: dict[str, str] = {}
    for post in sorted(posts, key=_when):
        slugs.setdefault(post.section, post.section_slug)
        groups.setdefault(post.section, []).append(post)
    wanted = [o.strip().lower() for o in order if o.strip()]

    def rank(title: str) -> tuple[int, int, str]:
        keys = {title.lower(), slugs.get(title, "").lower()}
        place = next((i for i, o in enumerate(wanted) if o in keys), len(wanted))
        return (place, int(title == NO_SECTION), title.lower())

    return [(t, groups[t]) for t in sorted(groups, key=rank)]


def _cover_guess(posts: list[DraftedPost]) -> str:
    """The longest post with a photo (the editor changes it)."""
    best = max(posts, key=lambda p: (p.photo, p.length, -p.id))
    return best.slug


def _inside(post: DraftedPost, start: datetime, end: datetime) -> bool:
    return post.published is None or start <= post.published < end


def _indexed(entry: Any, modified_gmt: str) -> DraftedPost | None:
    """A post from the draft index, when the site says it has not changed since."""
    if not isinstance(entry, dict) or entry.get("modified_gmt") != modified_gmt:
        return None
    try:
        return DraftedPost.from_json(entry["post"])
    except (KeyError, TypeError, ValueError):
        return None


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string


def _comment(text: str) -> str:
    return " ".join(text.split())[:90]


def issue_toml(
    options: DraftOptions,
    site: SiteInfo,
    sections: list[tuple[str, list[DraftedPost]]],
    cover: str,
) -> str:
    zone_name = site.timezone or "the export's local dates"
    origin = options.wordpress or str(options.wxr)
    lines = [
        f"# Drafted by printedition issue draft from {_comment(origin)}",
        f"# {options.window.label} ({zone_name}), status {options.status}: review before building.",
        "# Sections come from each post's first category; the cover story is a guess.",
        "",
        "[source]",
    ]
    if options.wxr is not None:
        wxr = options.wxr.resolve()
        try:
            shown = str(wxr.relative_to(options.out.resolve().parent))
        except ValueError:
            shown = str(wxr)
        lines.append(f"wxr = {_q(shown)}")
    else:
        lines.append(f"site = {_q(options.wordpress.rstrip('/'))}")
    kept, number = previous_issue(options.like) if options.like else ({}, 0)
    if "paper" in kept:
        lines += ["", *kept["paper"]]
    else:
        lines += ["", "[paper]", f"name = {_q(site.name or 'The paper')}"]
        if site.url.startswith(("http://", "https://")):
            lines.append(f"url = {_q(site.url.rstrip('/'))}")
        if site.language:
            lines.append(f"language = {_q(site.language)}")
    lines += [
        "",
        "[issue]",
        f"number = {options.number or number + 1}",
        f"cover_date = {_q(options.window.label)}",
        f"date = {options.window.start.date().isoformat()}",
        "",
    ]
    if cover:
        lines += ["[cover]", f"article = {_q(cover)}", ""]
    for title, posts in sections:
        lines += ["[[sections]]", f"title = {_q(title)}", ""]
        for p in posts:
            when = p.published.strftime("%Y-%m-%d %H:%M %Z") if p.published else "no date"
            lines += [
                "  [[sections.articles]]",
                f"  wordpress = {p.id}  # {_comment(p.headline)} ({when})",
                f"  slug = {_q(p.slug)}",
                "",
            ]
    for name in ("house", "limits"):
        if name in kept:
            lines += ["", *kept[name]]
    return "\n".join(lines).rstrip() + "\n"


_TABLE = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_-]+)[^\]]*\]\]?\s*(?:#.*)?$")
_KEPT = ("paper", "house", "limits")


def previous_issue(path: Path) -> tuple[dict[str, list[str]], int]:
    """Last issue's ``[paper]``, ``[[house]]`` and ``[limits]`` tables as written (comments
    kept), and its number."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--like: cannot read it ({exc})", where=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"--like: not valid TOML ({exc})", where=str(path)) from None
    kept: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        found = _TABLE.match(line)
        if found:
            current = found.group(1) if found.group(1) in _KEPT else ""
        if current:
            kept.setdefault(current, []).append(line)
    issue = data.get("issue")
    number = issue.get("number") if isinstance(issue, dict) else None
    return {k: _trim(v) for k, v in kept.items()}, number if isinstance(number, int) else 0


def _trim(lines: list[str]) -> list[str]:
    """Without the blank lines and comments that belong to whatever came next."""
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
        lines = lines[:-1]
    return lines


__all__ = [
    "DraftOptions",
    "DraftResult",
    "DraftedPost",
    "Window",
    "check_overwrite",
    "choose_window",
    "dates_window",
    "draft_issue",
    "drafted_post",
    "issue_toml",
    "month_window",
    "previous_issue",
]
