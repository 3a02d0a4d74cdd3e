"""EPUB images: each image URL read once through ``resources``, processed once (a cache keyed by
the source bytes' digest and options), and identical results stored once in the book.

Goes in: ``ImageRef`` values and the ``ResourcePolicy`` of their article. Comes out: hrefs inside
the EPUB (``images/<digest>.jpg``), or ``None`` plus a ``BuildWarning`` when an image is missing,
refused or corrupt (an error instead when strict).
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping

from printedition.errors import ImageError, InputError, UnsafeResourceError
from printedition.images import ProcessedImage, prepare_for_screen
from printedition.model import Article, BuildWarning, ImageRef
from printedition.resources import ResourcePolicy, read_resource
from printedition.settings import Limits

ImageCache = MutableMapping[str, ProcessedImage]


def image_cache_key(data: bytes, *, max_edge: int) -> str:
    """Key for a processed image: the source bytes' digest plus every option that shapes it."""
    return f"screen:v1:{max_edge}:{hashlib.sha256(data).hexdigest()}"


def process_image(
    data: bytes, *, where: str, max_edge: int, limits: Limits, cache: ImageCache | None = None
) -> ProcessedImage:
    """Source bytes → screen image, through ``cache`` when one is given (the issue build
    shares one cache between the issue EPUB and the per-article EPUBs)."""
    key = image_cache_key(data, max_edge=max_edge)
    if cache is not None and key in cache:
        return cache[key]
    image = prepare_for_screen(data, where=where, max_edge=max_edge, limits=limits)
    if cache is not None:
        cache[key] = image
    return image


class ImageStore:
    """Loads each image URL once, stores identical processed images once, records drops."""

    def __init__(
        self, *, max_edge: int, limits: Limits, strict: bool, cache: ImageCache | None
    ) -> None:
        self.max_edge = max_edge
        self.limits = limits
        self.strict = strict
        self.cache = cache
        self.by_source: dict[tuple[str, ResourcePolicy], str | None] = {}
        self.by_digest: dict[str, str] = {}  # processed digest → href
        self.files: dict[str, ProcessedImage] = {}  # href → image, in first-use order
        self.processed: dict[str, ProcessedImage] = {}  # href → image
        self.warnings: list[BuildWarning] = []

    def store(self, image: ProcessedImage, stem: str = "") -> str:
        digest = image.digest
        href = self.by_digest.get(digest)
        if href is None:
            href = f"images/{stem or digest[:20]}{image.extension}"
            self.by_digest[digest] = href
            self.files[href] = image
        return href

    def _load(self, ref: ImageRef, policy: ResourcePolicy) -> ProcessedImage:
        first: InputError | None = None
        for url in (ref.url, *ref.candidates):
            if not url:
                continue
            try:
                data = read_resource(url, policy)
                return process_image(
                    data,
                    where=short_url(url),
                    max_edge=self.max_edge,
                    limits=self.limits,
                    cache=self.cache,
                )
            except InputError as exc:
                first = first or exc
        raise first or InputError("image has no URL", where=short_url(ref.url))

    def resolve(self, ref: ImageRef, policy: ResourcePolicy, article: Article) -> str | None:
        key = (ref.url, policy)
        if key in self.by_source:
            return self.by_source[key]
        href: str | None
        try:
            image = self._load(ref, policy)
        except InputError as exc:
            if self.strict:
                raise
            code = (
                "image-refused"
                if isinstance(exc, UnsafeResourceError)
                else "image-corrupt"
                if isinstance(exc, ImageError)
                else "image-missing"
            )
            self.warnings.append(
                BuildWarning(
                    code=code,
                    message=f"{exc.message}; figure dropped from {article.slug!r}",
                    where=exc.where or short_url(ref.url),
                )
            )
            href = None
        else:
            href = self.store(image)
            self.processed[href] = image
        self.by_source[key] = href
        return href

    def kept(self, ref: ImageRef, policy: ResourcePolicy) -> bool:
        """Was this image resolved to a stored file (not dropped)?"""
        return self.by_source.get((ref.url, policy)) is not None


def short_url(url: str) -> str:
    return url if len(url) <= 120 or not url.startswith("data:") else url[:40] + "…"


__all__ = ["ImageCache", "ImageStore", "image_cache_key", "process_image", "short_url"]
