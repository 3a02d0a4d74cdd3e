"""Issue work units: the pieces of an issue build that run in worker processes, each cached.

Goes in: picklable jobs (a manifest entry, an article with its resource policy). Comes out:
picklable results — the normalised article (or the error that stopped it), the digests of its
image sources and the problems found on the way. Every result is looked up in the
content-addressed cache first, so a rebuild with nothing changed normalises nothing and
decodes no image: the processed images live in the cache (``StoreImageCache``) and the
writers find them there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import stat
import time
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from printedition.cache import Store, cache_key
from printedition.errors import (
    FetchError,
    ImageError,
    InputError,
    NoArticleError,
    PrinteditionError,
    UnsafeResourceError,
)
from printedition.images import ProcessedImage
from printedition.ingest.fetch import Fetcher, FetchOptions, user_agent
from printedition.issue.manifest import ArticleEntry
from printedition.model import (
    Article,
    BuildWarning,
    Figure,
    ImageRef,
    Text,
    figures,
    from_json,
    to_json,
)
from printedition.resources import ResourcePolicy, read_resource
from printedition.settings import Limits


class StoreImageCache(MutableMapping[str, ProcessedImage]):
    """The writers' image cache (``MutableMapping[str, ProcessedImage]``) kept on disk.

    The writers choose their own keys (source digest + every option that shapes the image);
    they are hashed again with the code version into a cache address.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._memory: dict[str, ProcessedImage] = {}

    def _address(self, key: str) -> str:
        return cache_key("image", key)

    def __getitem__(self, key: str) -> ProcessedImage:
        if key in self._memory:
            return self._memory[key]
        raw = self.store.get("image", self._address(key))
        if raw is None:
            raise KeyError(key)
        head, _, data = raw.partition(b"\n")
        try:
            meta = json.loads(head)
            image = ProcessedImage(
                data=data, media_type=meta["media_type"], width=meta["width"], height=meta["height"]
            )
        except (ValueError, KeyError, TypeError):
            raise KeyError(key) from None
        self._memory[key] = image
        return image

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        try:
            self[key]
        except KeyError:
            return False
        return True

    def __setitem__(self, key: str, image: ProcessedImage) -> None:
        meta = json.dumps(
            {"media_type": image.media_type, "width": image.width, "height": image.height},
            sort_keys=True,
        ).encode()
        self.store.put("image", self._address(key), meta + b"\n" + image.data)
        self._memory[key] = image

    def __delitem__(self, key: str) -> None:
        self._memory.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._memory)

    def __len__(self) -> int:
        return len(self._memory)


# ---------------------------------------------------------------------------------------------
# Ingest: manifest entry → Article
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestJob:
    index: int
    entry: ArticleEntry
    manifest_folder: str
    limits: Limits
    allow_private: bool
    cache_root: str
    use_cache: bool
    paper_url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestResult:
    index: int
    article: Article | None
    policy: ResourcePolicy | None
    error_code: str = ""
    error: str = ""
    error_where: str = ""
    cached: bool = False
    seconds: float = 0.0
    problems: tuple[BuildWarning, ...] = ()


def make_fetcher(store: Store, limits: Limits, allow_private: bool, paper_url: str) -> Fetcher:
    options = FetchOptions(
        limits=limits, allow_private=allow_private, user_agent=user_agent(paper_url)
    )
    return Fetcher(options, cache=store)


def _policy(job: IngestJob, fetcher: Fetcher, source: str) -> ResourcePolicy:
    policy = ResourcePolicy(limits=job.limits, fetcher=fetcher, allow_private=job.allow_private)
    if not job.entry.is_url:
        path = Path(source)
        policy = policy.with_root(path if path.is_dir() else path.parent)
    lead = job.entry.lead
    if lead is not None and lead.source and not lead.source.startswith(("http://", "https://")):
        policy = policy.with_root(Path(lead.source).parent)
    return policy


def _read_page(job: IngestJob, fetcher: Fetcher) -> tuple[bytes, str, str, str]:
    """The page's bytes, the URL images resolve against, the path for normalise_file and the
    HTTP Content-Type (its charset) when fetched."""
    entry = job.entry
    if entry.is_url:
        result = fetcher.fetch(entry.source, max_bytes=job.limits.max_page_bytes)
        return result.data, result.final_url, "", result.content_type
    path = Path(entry.source)
    if path.is_dir():
        path = path / "index.html"
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # /dev/zero would be read for ever
            raise InputError("not a regular file: expected an HTML page", where=str(path))
        size = info.st_size
        if size > job.limits.max_page_bytes:
            raise InputError(
                f"the page is over the {job.limits.max_page_bytes} byte limit", where=str(path)
            )
        return path.read_bytes(), path.resolve().as_uri(), str(path), ""
    except FileNotFoundError:
        raise InputError("no such file", where=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None


def _normalise(
    data: bytes, base_url: str, path: str, limits: Limits, content_type: str = ""
) -> Article:
    from printedition.ingest.normalise import normalise_article, normalise_file

    if path:
        return normalise_file(Path(path), limits=limits)
    slug = Path(urlsplit(base_url).path.rstrip("/")).name.removesuffix(".html") or None
    return normalise_article(data, base_url, limits=limits, slug=slug, content_type=content_type)


def apply_overrides(article: Article, entry: ArticleEntry) -> Article:
    """Manifest overrides that hold in every output (the print headline is applied later)."""
    changes: dict[str, object] = {}
    if entry.slug:
        changes["slug"] = entry.slug
    if entry.kicker:
        changes["kicker"] = entry.kicker
    if entry.standfirst:
        changes["standfirst"] = entry.standfirst
    if entry.description:
        changes["description"] = entry.description
    if entry.lead is not None:
        if entry.lead.omit:
            changes["lead"] = None
        else:
            src = entry.lead.source
            url = src if src.startswith(("http://", "https://")) else Path(src).as_uri()
            caption = (Text(text=entry.lead.caption),) if entry.lead.caption else ()
            changes["lead"] = Figure(
                image=ImageRef(url=url),
                alt=entry.lead.alt,
                caption=caption,
                credit=entry.lead.credit,
            )
    return article.with_changes(**changes) if changes else article


def ingest(job: IngestJob) -> IngestResult:
    """One manifest entry → its Article (cached by the page's bytes), or the error."""
    start = time.perf_counter()
    store = Store(Path(job.cache_root), enabled=job.use_cache)
    fetcher = make_fetcher(store, job.limits, job.allow_private, job.paper_url)
    cached = False
    try:
        if job.entry.wordpress is not None:
            from printedition.wordpress.source import load_post_article

            post, cached = load_post_article(job.entry.wordpress, store, fetcher, job.limits)
            return IngestResult(
                index=job.index,
                article=apply_overrides(post, job.entry),
                policy=ResourcePolicy(
                    limits=job.limits, fetcher=fetcher, allow_private=job.allow_private
                ),
                cached=cached,
                seconds=time.perf_counter() - start,
                problems=tuple(store.take_problems()),
            )
        data, base_url, path, content_type = _read_page(job, fetcher)
        limits_key = dataclasses.asdict(job.limits)
        key = cache_key("model", data, base_url, limits_key, content_type)
        text = store.get("model", key)
        article: Article | None = None
        if text is not None:
            try:
                article = from_json(text.decode("utf-8"))
                cached = True
            except (ValueError, TypeError, UnicodeDecodeError):
                article = None
        if article is None:
            article = _normalise(data, base_url, path, job.limits, content_type)
            store.put("model", key, to_json(article).encode("utf-8"))
        article = apply_overrides(article, job.entry)
        policy = _policy(job, fetcher, job.entry.source)
    except PrinteditionError as exc:
        if isinstance(exc, NoArticleError):
            code = "no-article"
        elif isinstance(exc, FetchError | UnsafeResourceError):
            code = "fetch-failed"
        else:
            code = "input-failed"
        return IngestResult(
            index=job.index,
            article=None,
            policy=None,
            error_code=code,
            error=exc.message,
            error_where=exc.where or job.entry.source,
            seconds=time.perf_counter() - start,
            problems=tuple(store.take_problems()),
        )
    except Exception as exc:  # a bug in a stage: report it for this article, build the rest
        return IngestResult(
            index=job.index,
            article=None,
            policy=None,
            error_code="internal-error",
            error=f"the normaliser failed ({type(exc).__name__}: {str(exc)[:200]}); "
            "this is a bug in printedition: please report it with the page",
            error_where=job.entry.source,
            seconds=time.perf_counter() - start,
            problems=tuple(store.take_problems()),
        )
    return IngestResult(
        index=job.index,
        article=article,
        policy=policy,
        cached=cached,
        seconds=time.perf_counter() - start,
        problems=tuple(store.take_problems()),
    )


# ---------------------------------------------------------------------------------------------
# Images: read each source once, note its digest, warm the writers' caches
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageJob:
    index: int
    article: Article
    policy: ResourcePolicy
    cache_root: str
    use_cache: bool
    epub_max_edge: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageResult:
    index: int
    digests: tuple[tuple[str, str], ...] = ()  # (image URL, sha256 of the source bytes)
    problems: tuple[BuildWarning, ...] = ()  # images that could not be used
    seconds: float = 0.0
    cache_problems: tuple[BuildWarning, ...] = field(default=())


def _where(article: Article, url: str) -> str:
    return f"{article.slug}: data: image" if url.startswith("data:") else url


def prepare_images(job: ImageJob) -> ImageResult:
    """Read every image of one article (digests for the cache keys); make its EPUB images."""
    start = time.perf_counter()
    store = Store(Path(job.cache_root), enabled=job.use_cache)
    images = StoreImageCache(store)
    article, policy = job.article, job.policy
    digests: list[tuple[str, str]] = []
    problems: list[BuildWarning] = []
    usable: list[Figure] = []
    seen: set[str] = set()
    for fig in figures(article):
        url = fig.image.url
        if url in seen:
            continue
        seen.add(url)
        try:
            data = read_resource(url, policy)
        except InputError as exc:
            problems.append(
                BuildWarning(code="image-missing", message=exc.message, where=_where(article, url))
            )
            continue
        digests.append((url, hashlib.sha256(data).hexdigest()))
        if job.epub_max_edge:
            from printedition.epub import process_image

            try:
                process_image(
                    data,
                    where=_where(article, url),
                    max_edge=job.epub_max_edge,
                    limits=policy.limits,
                    cache=images,
                )
            except ImageError as exc:
                problems.append(
                    BuildWarning(
                        code="image-broken", message=exc.message, where=_where(article, url)
                    )
                )
                continue
        usable.append(fig)
    # The press images are made inside press/pdf.py's write_pdf (it plans the pages first),
    # through the same disk cache: a rebuild finds them there.
    return ImageResult(
        index=job.index,
        digests=tuple(digests),
        problems=tuple(problems),
        seconds=time.perf_counter() - start,
        cache_problems=tuple(store.take_problems()),
    )


__all__ = [
    "ImageJob",
    "ImageResult",
    "IngestJob",
    "IngestResult",
    "StoreImageCache",
    "apply_overrides",
    "ingest",
    "make_fetcher",
    "prepare_images",
]
