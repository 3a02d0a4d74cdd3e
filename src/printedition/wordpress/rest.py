"""The WordPress REST API → post records, through the guarded fetcher.

Goes in: a site URL, a ``Fetcher`` (SSRF guard, limits, retries with back-off, ETag /
Last-Modified revalidation against the build cache) and optional credentials (an application
password, sent with HTTP Basic over HTTPS or to the machine itself only). Comes out: the site's
``SiteInfo`` (``/wp-json/``), listings of a date window (every page, ``X-WP-TotalPages``), full
posts with ``_embed`` (author, featured media, terms) as raw JSON, and ``record_from_rest``
(raw JSON → ``PostRecord``). Errors are one line each: no REST API, refused credentials, a
post that vanished.
"""

from __future__ import annotations

import base64
import ipaddress
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from printedition.errors import ConfigError, HTTPStatusError, InputError
from printedition.ingest.fetch import Fetcher
from printedition.model import Author
from printedition.wordpress.mapping import plain_text
from printedition.wordpress.records import LeadImage, PostRecord, SiteInfo

EMBED = "author,wp:featuredmedia,wp:term"
PER_PAGE = 100  # WordPress's cap
MAX_PAGES = 500  # 50,000 posts in one window: past that a listing is refused, never endless
USER_ENV = "PRINTEDITION_WP_USER"
PASSWORD_ENV = "PRINTEDITION_WP_APP_PASSWORD"

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Credentials:
    """An application password (never written anywhere; ``repr`` hides it)."""

    user: str
    password: str

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, password=…)"

    def header(self) -> str:
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"


def credentials_from_env(env: dict[str, str]) -> Credentials | None:
    user, password = env.get(USER_ENV, "").strip(), env.get(PASSWORD_ENV, "").strip()
    if not user or not password:
        return None
    return Credentials(user, password)


@dataclass(frozen=True, slots=True, kw_only=True)
class Listed:
    """One post as the light listing gives it."""

    id: int
    modified_gmt: str
    date: str


def site_root(url: str) -> str:
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"--wordpress {url!r}: give the site's http(s) address")
    return url.rstrip("/")


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class WordPressAPI:
    """One site's REST API. ``requests`` counts what was sent (see ``Fetcher.stats``)."""

    def __init__(
        self,
        site: str,
        fetcher: Fetcher,
        *,
        credentials: Credentials | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.site = site_root(site)
        self.api = self.site + "/wp-json"
        self.plain = False  # a site without pretty permalinks answers at /?rest_route=
        self.fetcher = fetcher
        self.progress = progress or (lambda _line: None)
        self.headers = {"Accept": "application/json"}
        if credentials is not None:
            if not self.site.startswith("https://") and not _loopback(self.site):
                raise ConfigError(
                    f"{self.site}: credentials are sent over HTTPS only: use the https:// address"
                )
            self.headers["Authorization"] = credentials.header()

    # -- requests ------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, str] | None = None) -> tuple[Any, dict[str, str]]:
        if self.plain:
            query = urlencode({"rest_route": path, **(params or {})})
            url = f"{self.site}/?{query}"
        else:
            url = f"{self.api}{path}" + (f"?{urlencode(params)}" if params else "")
        try:
            result = self.fetcher.fetch(url, headers=self.headers)
        except HTTPStatusError as exc:
            if exc.status == 401 or exc.status == 403:
                who = "the credentials" if "Authorization" in self.headers else "the request"
                raise InputError(
                    f"the site refused {who} (HTTP {exc.status}): set {USER_ENV} and "
                    f"{PASSWORD_ENV} to a user's application password",
                    where=url,
                ) from None
            raise
        try:
            return json.loads(result.data), result.headers
        except ValueError:
            raise InputError("the API's answer is not JSON", where=url) from None

    def site_info(self) -> SiteInfo:
        try:
            data, _ = self.get("/")
        except HTTPStatusError as exc:
            if exc.status != 404:
                raise
            self.plain = True  # WordPress without pretty permalinks: ?rest_route=/
            try:
                data, _ = self.get("/")
            except (HTTPStatusError, InputError):
                self.plain = False
                data = None
            if not isinstance(data, dict) or "namespaces" not in data:
                self.plain = False
                raise InputError(
                    "no WordPress REST API here (HTTP 404 on /wp-json/): check the address, "
                    "or export the posts (Tools → Export) and use --wxr",
                    where=self.api + "/",
                ) from None
        if not isinstance(data, dict) or "namespaces" not in data:
            raise InputError("not a WordPress REST API index", where=self.api + "/")
        tz = str(data.get("timezone_string") or "")
        return SiteInfo(
            url=str(data.get("home") or data.get("url") or self.site),
            name=plain_text(str(data.get("name") or "")),
            timezone=tz or _offset_zone(data.get("gmt_offset")),
        )

    def category_ids(self, slugs: Iterable[str]) -> dict[str, int]:
        wanted = [s for s in slugs if s]
        if not wanted:
            return {}
        data, _ = self.get(
            "/wp/v2/categories", {"slug": ",".join(wanted), "per_page": str(PER_PAGE)}
        )
        found = {
            str(c.get("slug")): c["id"]
            for c in (data if isinstance(data, list) else [])
            if isinstance(c, dict) and isinstance(c.get("id"), int)
        }
        missing = [s for s in wanted if s not in found]
        if missing:
            raise ConfigError(f"--category {missing[0]!r}: no such category on {self.site}")
        return found

    def list_posts(
        self, after: datetime, before: datetime, *, status: str, categories: tuple[int, ...]
    ) -> list[Listed]:
        """Every post in the window (local times, as WordPress compares them), all pages."""
        params = {
            "after": after.strftime("%Y-%m-%dT%H:%M:%S"),
            "before": before.strftime("%Y-%m-%dT%H:%M:%S"),
            "status": status,
            "orderby": "date",
            "order": "asc",
            "per_page": str(PER_PAGE),
            "_fields": "id,date,modified_gmt",
        }
        if categories:
            params["categories"] = ",".join(map(str, categories))
        out: list[Listed] = []
        page, pages = 1, 1
        while page <= pages:
            if page > MAX_PAGES:
                raise InputError(
                    f"more than {MAX_PAGES * PER_PAGE} posts in the window: draft a shorter one",
                    where=self.api,
                )
            data, headers = self.get("/wp/v2/posts", {**params, "page": str(page)})
            if not isinstance(data, list):
                raise InputError("the API's answer is not a list of posts", where=self.api)
            # A proxy that drops X-WP-TotalPages: go on while pages come back full.
            more = page + 1 if len(data) == PER_PAGE else page
            pages = _int(headers.get("x-wp-totalpages"), more)
            total = _int(headers.get("x-wp-total"), len(out) + len(data))
            try:
                out.extend(
                    Listed(id=int(p["id"]), modified_gmt=str(p.get("modified_gmt", "")),
                           date=str(p.get("date", "")))
                    for p in data if isinstance(p, dict) and "id" in p
                )  # fmt: skip
            except (TypeError, ValueError):
                raise InputError(
                    "the API listed a post without a numeric id", where=self.api
                ) from None
            self.progress(f"posts: page {page}/{pages}, {len(out)} of {total} listed")
            if not data:
                break
            page += 1
        return out

    def posts(self, ids: list[int], *, status: str) -> Iterator[dict[str, Any]]:
        """The full posts (``_embed``), 100 a request; a listed post missing is an error."""
        for start in range(0, len(ids), PER_PAGE):
            chunk = ids[start : start + PER_PAGE]
            data, _ = self.get(
                "/wp/v2/posts",
                {"include": ",".join(map(str, chunk)), "per_page": str(PER_PAGE),
                 "status": status, "_embed": EMBED},
            )  # fmt: skip
            got = {
                p["id"]: p
                for p in (data if isinstance(data, list) else [])
                if isinstance(p, dict) and isinstance(p.get("id"), int)
            }
            for post_id in chunk:
                if post_id not in got:
                    raise vanished(self.site, post_id)
                yield got[post_id]
            self.progress(f"posts: fetched {min(start + PER_PAGE, len(ids))}/{len(ids)}")

    def post(self, post_id: int) -> dict[str, Any]:
        try:
            data, _ = self.get(f"/wp/v2/posts/{post_id}", {"_embed": EMBED})
        except HTTPStatusError as exc:
            if exc.status in (404, 410):
                raise vanished(self.site, post_id) from None
            raise
        if not isinstance(data, dict):
            raise InputError("the API's answer is not a post", where=f"{self.api}/wp/v2/posts")
        return data


def record_id(post: dict[str, Any]) -> int:
    value = post.get("id")
    if not isinstance(value, int) or isinstance(value, bool):
        raise InputError(f"the API sent a post without a numeric id ({value!r})")
    return value


def vanished(site: str, post_id: int) -> InputError:
    return InputError(
        f"post {post_id} is gone (deleted or unpublished since it was listed): "
        "draft the issue again or remove it from issue.toml",
        where=site,
    )


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.strip().isdigit() else default


def _offset_zone(offset: Any) -> str:
    """A site set to "UTC+1" has no zone name, only ``gmt_offset``: an Etc/ zone for whole
    hours (POSIX signs are inverted), UTC otherwise."""
    try:
        hours = float(offset)
    except (TypeError, ValueError):
        return "UTC"
    if hours == 0 or hours != int(hours):
        return "UTC"
    return f"Etc/GMT{-int(hours):+d}"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"the site's time zone {name!r} is not known here") from None


# ---------------------------------------------------------------------------------------------
# Raw JSON → PostRecord
# ---------------------------------------------------------------------------------------------


def _rendered(post: dict[str, Any], key: str) -> str:
    value = post.get(key)
    if isinstance(value, dict):
        return str(value.get("rendered") or "")
    return str(value or "")


def gmt_datetime(value: Any, tz: ZoneInfo) -> datetime | None:
    """``date_gmt`` (no offset, UTC) → an aware datetime in the site's zone."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        stamp = datetime.fromisoformat(value.strip().replace(" ", "T"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(tz)


def local_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T")).replace(tzinfo=None)
    except ValueError:
        return None


def _lead(media: Any) -> LeadImage | None:
    if not isinstance(media, dict) or not media.get("source_url"):
        return None  # no featured image, or an error object (a private attachment)
    full = str(media["source_url"])
    details: dict[str, Any] = (
        media["media_details"] if isinstance(media.get("media_details"), dict) else {}
    )
    original = details.get("original_image")
    url = urljoin(full, str(original)) if original else full
    sizes: dict[str, Any] = details["sizes"] if isinstance(details.get("sizes"), dict) else {}
    ranked = sorted(
        (s for s in sizes.values() if isinstance(s, dict) and s.get("source_url")),
        key=lambda s: -int(s.get("width") or 0),
    )
    variants = tuple(
        dict.fromkeys(str(s["source_url"]) for s in ranked if s["source_url"] not in (url, full))
    )
    return LeadImage(
        url=url,
        full=full if full != url else "",
        width=None if original else _opt_int(details.get("width")),
        height=None if original else _opt_int(details.get("height")),
        alt=str(media.get("alt_text") or ""),
        caption_html=_rendered(media, "caption"),
        sizes=variants,
    )


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def record_from_rest(post: dict[str, Any], site: SiteInfo, source_url: str) -> PostRecord:
    """A post as the API sent it → a record; a malformed post is an ``InputError``."""
    try:
        return _record(post, site, source_url)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"the API's post is malformed ({type(exc).__name__}: {str(exc)[:80]})",
            where=source_url,
        ) from None


def _record(post: dict[str, Any], site: SiteInfo, source_url: str) -> PostRecord:
    tz = zone(site.timezone)
    embedded: dict[str, Any] = post["_embedded"] if isinstance(post.get("_embedded"), dict) else {}
    authors: list[Author] = []
    hidden = False
    for person in embedded.get("author") or []:
        if isinstance(person, dict) and person.get("name"):
            authors.append(
                Author(name=plain_text(str(person["name"])), url=str(person.get("link") or ""))
            )
        else:
            hidden = True  # an error object: the site hides its users
    categories: list[tuple[str, str]] = []
    tags: list[str] = []
    for group in embedded.get("wp:term") or []:
        for term in group if isinstance(group, list) else []:
            if not isinstance(term, dict):
                continue
            if term.get("taxonomy") == "category":
                categories.append(
                    (str(term.get("slug", "")), plain_text(str(term.get("name", ""))))
                )
            elif term.get("taxonomy") == "post_tag":
                tags.append(plain_text(str(term.get("name", ""))))
    media = (embedded.get("wp:featuredmedia") or [None])[0]
    excerpt: dict[str, Any] = post["excerpt"] if isinstance(post.get("excerpt"), dict) else {}
    return PostRecord(
        id=int(post["id"]),
        slug=str(post.get("slug") or post["id"]),
        link=str(post.get("link") or ""),
        source_url=source_url,
        status=str(post.get("status") or "publish"),
        title_html=_rendered(post, "title"),
        excerpt_html="" if excerpt.get("protected") else _rendered(post, "excerpt"),
        content_html=_rendered(post, "content"),
        date_local=local_datetime(post.get("date")),
        published=gmt_datetime(post.get("date_gmt"), tz),
        updated=gmt_datetime(post.get("modified_gmt"), tz),
        authors=tuple(authors),
        author_hidden=hidden and not authors,
        categories=tuple(categories),
        tags=tuple(tags),
        lead=_lead(media),
        site=site,
    )


__all__ = [
    "EMBED",
    "PASSWORD_ENV",
    "USER_ENV",
    "Credentials",
    "Listed",
    "WordPressAPI",
    "credentials_from_env",
    "gmt_datetime",
    "local_datetime",
    "record_from_rest",
    "record_id",
    "site_root",
    "vanished",
    "zone",
]
