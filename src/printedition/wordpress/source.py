"""An issue.toml ``wordpress = <post id>`` entry → its ``Article``, through the build cache.

Goes in: a ``WordPressRef`` (site or export file, post id), the build's ``Store``, a guarded
``Fetcher`` and the limits. Comes out: the Article and whether it came from the cache.

A post fetched from the REST API is kept in the cache (kind ``wppost``) under the site and
post id, as the site sent it: ``issue draft`` fills it, the build reads it there and asks the
site only for a post it does not hold (draft again to take in later edits; ``--no-cache``
asks again). Models are cached by the post's bytes like pages are.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from printedition.cache import Store, cache_key, digest
from printedition.errors import InputError
from printedition.ingest.fetch import Fetcher
from printedition.model import Article, from_json, to_json
from printedition.settings import Limits
from printedition.wordpress.mapping import article_from_record
from printedition.wordpress.records import SiteInfo, WordPressRef
from printedition.wordpress.rest import WordPressAPI, record_from_rest, site_root
from printedition.wordpress.wxr import read_wxr_file

POST_KIND = "wppost"
_POST_FORMAT = "wordpress-post-1"  # the stored form; not the code version: posts are data


def post_key(site: str, post_id: int) -> str:
    return cache_key(POST_KIND, site_root(site), str(post_id), code=_POST_FORMAT)


def cached_post(store: Store, site: str, post_id: int) -> tuple[SiteInfo, dict[str, Any]] | None:
    value = store.get_json(POST_KIND, post_key(site, post_id))
    if not isinstance(value, dict) or not isinstance(value.get("post"), dict):
        return None
    try:
        info = SiteInfo(**value["site"])
    except (TypeError, KeyError):
        return None
    return info, value["post"]


def keep_post(store: Store, site: str, info: SiteInfo, post: dict[str, Any]) -> None:
    value = {"site": dataclasses.asdict(info), "post": post}
    store.put_json(POST_KIND, post_key(site, int(post["id"])), value)


def post_url(site: str, post_id: int) -> str:
    return f"{site_root(site)}/wp-json/wp/v2/posts/{post_id}"


def _model(store: Store, key: str) -> Article | None:
    text = store.get("model", key)
    if text is None:
        return None
    try:
        return from_json(text.decode("utf-8"))
    except (ValueError, TypeError, UnicodeDecodeError):
        return None


def load_post_article(
    ref: WordPressRef, store: Store, fetcher: Fetcher, limits: Limits
) -> tuple[Article, bool]:
    """The Article for ``ref`` and whether the model came from the cache."""
    limits_key = dataclasses.asdict(limits)
    if ref.wxr:
        path = Path(ref.wxr)
        try:
            data_digest = digest(path.read_bytes())
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", where=ref.wxr) from None
        key = cache_key("model", "wordpress-wxr", data_digest, str(ref.post), limits_key)
        article = _model(store, key)
        if article is not None:
            return article, True
        record = read_wxr_file(path, lambda post_id, _d, _s: post_id == ref.post).post(ref.post)
        if record is None:
            raise InputError(f"post {ref.post} is not in the export", where=ref.wxr)
    else:
        found = cached_post(store, ref.site, ref.post)
        if found is None:
            api = WordPressAPI(ref.site, fetcher)
            info, post = api.site_info(), api.post(ref.post)
            keep_post(store, ref.site, info, post)
        else:
            info, post = found
        raw = json.dumps(post, sort_keys=True).encode()
        key = cache_key("model", "wordpress", raw, dataclasses.asdict(info), limits_key)
        article = _model(store, key)
        if article is not None:
            return article, True
        record = record_from_rest(post, info, post_url(ref.site, ref.post))
    article = article_from_record(record, limits=limits)
    store.put("model", key, to_json(article).encode("utf-8"))
    return article, False


__all__ = ["POST_KIND", "cached_post", "keep_post", "load_post_article", "post_key", "post_url"]
