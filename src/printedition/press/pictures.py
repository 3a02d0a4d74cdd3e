"""Pictures: the press's photos read, planned sizes applied, converted for the press.

Goes in: an article's figures, the resource policy their images may be read under, where each
stands (``layout.FigurePlan``) and the colour the press wants. Comes out: processed images
(href → bytes) for the layout, and the same photos in colour at the same pixels for a proof
(``proof_colours``: the press PDF's image stream → the colour image that replaces it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from printedition.errors import ImageError, InputError
from printedition.images import ProcessedImage, prepare_for_press_in, probe_image
from printedition.model import Article, BuildWarning
from printedition.press.layout import IMAGE_SCHEME, FigurePlan, figure_refs
from printedition.resources import ResourcePolicy, read_resource

ImageCache = MutableMapping[str, ProcessedImage]


def _in_article(exc: InputError, article: Article) -> InputError:
    """The error about a photo, naming the article page it came from (the user's input)."""
    page = article.source_url
    if page.startswith("file:"):
        from urllib.request import url2pathname

        page = url2pathname(page[5:].removeprefix("//localhost").removeprefix("//"))
    if not page or page == exc.where:
        return exc
    return type(exc)(f"{exc.message}: {exc.where[:200]}", where=page)


def _image_where(article: Article, url: str) -> str:
    if url.startswith("data:"):
        return f"{article.slug}: data: image"
    return url


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    data: bytes
    width: int
    height: int
    where: str
    digest: str = ""  # of ``data`` (read_images fills it in: keyed for every plan and colour)


def read_images(
    article: Article,
    policy: ResourcePolicy,
    strict: bool,
    warnings: list[BuildWarning],
) -> dict[str, Source]:
    """Read every figure's bytes through the resource gate and probe its size (no decode)."""
    sources: dict[str, Source] = {}
    for _, fig in figure_refs(article):
        url = fig.image.url
        if url in sources:
            continue
        where = _image_where(article, url)
        try:
            data = read_resource(url, policy)
            width_px, height_px = probe_image(data, where=where, limits=policy.limits)
        except InputError as exc:
            if strict:
                raise _in_article(exc, article) from None
            warnings.append(BuildWarning(code="image-missing", message=exc.message, where=where))
            continue
        sources[url] = Source(
            data=data,
            width=width_px,
            height=height_px,
            where=where,
            digest=hashlib.sha256(data).hexdigest(),
        )
    return sources


def image_key(source: Source, plan: FigurePlan, colour: str, icc_digest: str) -> str:
    digest = source.digest or hashlib.sha256(source.data).hexdigest()
    crop = f":{plan.crop_ratio:.4f}" if plan.crop_ratio else ""
    return f"{digest}:{colour}:{icc_digest}:{plan.width_mm:.1f}:{plan.max_ppi}{crop}"


def warm_cache(
    jobs: list[tuple[Source, FigurePlan, ResourcePolicy]],
    job: ImageWork,
    colours: Iterable[str],
) -> None:
    """Convert the photos not yet in the cache on two threads (Pillow releases the GIL while
    it resamples and encodes), each photo resampled once for all its colours. Failures are
    left out: the ordered pass meets them again and reports them where they belong."""
    wanted = list(dict.fromkeys(colours))
    todo: dict[tuple[str, ...], tuple[Source, FigurePlan, ResourcePolicy, tuple[str, ...]]] = {}
    for source, plan, policy in jobs:
        missing = tuple(
            c for c in wanted if image_key(source, plan, c, job.icc_digest) not in job.cache
        )
        keys = tuple(image_key(source, plan, c, job.icc_digest) for c in missing)
        if missing and keys not in todo:
            todo[keys] = (source, plan, policy, missing)
    if len(todo) < 2:
        return  # (one photo or none: the ordered pass converts it)

    def work(
        item: tuple[Source, FigurePlan, ResourcePolicy, tuple[str, ...]],
    ) -> tuple[ProcessedImage, ...] | None:
        source, plan, policy, missing = item
        try:
            return _convert(source, plan, policy, job, missing)
        except ImageError:
            return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        for keys, processed in zip(todo, pool.map(work, todo.values()), strict=True):
            for key, image in zip(keys, processed or (), strict=False):
                job.cache[key] = image


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageWork:
    """How the photos of one build are processed."""

    colour: str  # "grey" | "cmyk"
    icc: bytes | None
    icc_digest: str
    strict: bool  # a broken photo stops the build (else: a warning, the photo left out)
    cache: ImageCache


def _processed(
    source: Source,
    plan: FigurePlan,
    policy: ResourcePolicy,
    job: ImageWork,
    colours: tuple[str, ...],
) -> tuple[ProcessedImage, ...]:
    """The photo in each of ``colours``, from the cache or converted (those missing, at once)."""
    keys = {c: image_key(source, plan, c, job.icc_digest) for c in colours}
    found: dict[str, ProcessedImage] = {}
    for colour, key in keys.items():
        if (cached := job.cache.get(key)) is not None:
            found[colour] = cached
    missing = tuple(c for c in colours if c not in found)
    if missing:
        for colour, image in zip(
            missing, _convert(source, plan, policy, job, missing), strict=True
        ):
            job.cache[keys[colour]] = found[colour] = image
    return tuple(found[c] for c in colours)


def _convert(
    source: Source,
    plan: FigurePlan,
    policy: ResourcePolicy,
    job: ImageWork,
    colours: tuple[str, ...],
) -> tuple[ProcessedImage, ...]:
    """The photo converted and resampled for where it stands, in each colour (no cache)."""
    return prepare_for_press_in(
        source.data,
        colours,
        where=source.where,
        icc=job.icc,
        placed_width_mm=plan.width_mm,
        max_ppi=plan.max_ppi,
        limits=policy.limits,
        crop_ratio=plan.crop_ratio,
    )


def stream_digest(data: bytes) -> str:
    """The digest of the image stream WeasyPrint writes for an image file: a JPEG goes in as
    it is, a PNG as its IDAT data (zlib with PNG predictors)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        chunks, at = [], 8
        while at + 8 <= len(data):
            length = int.from_bytes(data[at : at + 4], "big")
            kind = data[at + 4 : at + 8]
            if kind == b"IDAT":
                chunks.append(data[at + 8 : at + 8 + length])
            at += 12 + length
        data = b"".join(chunks)
    return hashlib.sha256(data).hexdigest()


def prepare_images(
    article: Article,
    sources: dict[str, Source],
    plans: dict[str, FigurePlan],
    policy: ResourcePolicy,
    job: ImageWork,
    images: dict[str, bytes],
    warnings: list[BuildWarning],
    colours: dict[str, ProcessedImage] | None = None,
) -> dict[str, str]:
    """Convert and resample each photo for where it stands; returns url → image href.
    ``colours``, when given, receives each photo in colour at the same pixels, keyed by the
    digest of the stream the press PDF will hold (``stream_digest``): what a proof shows."""
    hrefs: dict[str, str] = {}
    for url, plan in plans.items():
        source = sources[url]
        try:
            if colours is not None:
                processed, colour = _processed(source, plan, policy, job, (job.colour, "rgb"))
                colours[stream_digest(processed.data)] = colour
            else:
                (processed,) = _processed(source, plan, policy, job, (job.colour,))
        except ImageError as exc:
            if job.strict:
                raise _in_article(exc, article) from None
            warnings.append(
                BuildWarning(code="image-broken", message=exc.message, where=source.where)
            )
            continue
        # Where it stands: its pixels across its box (a crop keeps fewer of them).
        ppi = processed.width / (plan.width_mm / 25.4)
        if ppi < plan.min_ppi:
            warnings.append(
                BuildWarning(
                    code="image-low-ppi",
                    message=(
                        f"photo stands at {ppi:.0f} ppi across {plan.columns} column(s) "
                        f"({plan.width_mm:.0f} mm; {source.width}×{source.height} px); "
                        f"the press wants {plan.min_ppi}"
                    ),
                    where=source.where,
                )
            )
        href = f"{IMAGE_SCHEME}{processed.digest}{processed.extension}"
        images[href] = processed.data
        hrefs[url] = href
    return hrefs


__all__ = [
    "ImageCache",
    "ImageWork",
    "Source",
    "image_key",
    "prepare_images",
    "read_images",
    "stream_digest",
    "warm_cache",
]
