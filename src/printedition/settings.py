"""Typed settings: the paper's identity, page presets and the safety limits, with defaults.

Goes in: optional TOML overrides (key by key). Comes out: frozen dataclasses the stages read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from printedition.errors import ConfigError


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Bounds on untrusted input. Each is a setting; defaults suit a newspaper's articles."""

    max_page_bytes: int = 20 * 1024 * 1024  # an article page larger than this is refused
    max_nesting_depth: int = 400  # deeper HTML is flattened past this depth
    max_blocks: int = 5_000  # body blocks per article (more is cut, with a warning; bounds layout time)
    max_image_bytes: int = 40 * 1024 * 1024
    max_image_pixels: int = 80_000_000  # decompression-bomb guard (e.g. 10,000 × 8,000)
    max_data_url_bytes: int = 5 * 1024 * 1024
    max_fetch_bytes: int = 25 * 1024 * 1024
    fetch_timeout: float = 20.0  # seconds, per request
    fetch_retries: int = 2
    max_redirects: int = 5
    article_timeout: float = 120.0  # seconds of normalising per article


@dataclass(frozen=True, slots=True, kw_only=True)
class Paper:
    """Who publishes: printed in the masthead, folios and the EPUB colophon."""

    name: str = "Byline Times"
    tagline: str = "Free from fear or favour · No tracking. No cookies"
    url: str = "https://bylinetimes.com"
    price: str = "£2.50"
    publisher: str = "Byline Media Holdings Ltd"
    language: str = "en-GB"
    rights: str = "© the authors and publisher. All rights reserved."
    # House material: the print edition fills the foot of a page where a story ends early, and
    # the pages that bring it to whole sheets, with these (name, price and URL come from above).
    subscribe_title: str = "Get the paper every month"
    subscribe_text: str = (
        "Every issue delivered to your door, and every article as an ebook for your reader."
    )
    subscribe_url: str = ""  # default: url
    appeal_title: str = "Journalism that answers to readers"
    appeal_text: str = (
        "We are funded by the people who read us. If this edition told you something nobody "
        "else would, help us report the next one."
    )
    appeal_url: str = ""  # default: url
    contact: str = ""  # how to reach the newsroom (an address or email), printed when set


@dataclass(frozen=True, slots=True, kw_only=True)
class PageFormat:
    name: str
    width_mm: float
    height_mm: float
    columns: int
    margin_mm: float = 10.0


PAGE_FORMATS: dict[str, PageFormat] = {
    f.name: f
    for f in (
        PageFormat(name="tabloid", width_mm=289, height_mm=380, columns=5),
        PageFormat(name="tabloid-uk", width_mm=280, height_mm=430, columns=5),
        PageFormat(name="berliner", width_mm=315, height_mm=470, columns=6),
        PageFormat(name="a4", width_mm=210, height_mm=297, columns=3, margin_mm=12),
        PageFormat(name="a3", width_mm=297, height_mm=420, columns=5),
    )
}


def page_format(spec: str) -> PageFormat:
    """A preset name or ``WxH`` in millimetres (columns chosen from the width)."""
    key = spec.strip().lower()
    if key in PAGE_FORMATS:
        return PAGE_FORMATS[key]
    try:
        w_text, h_text = key.split("x")
        width, height = float(w_text), float(h_text)
    except ValueError:
        names = ", ".join(PAGE_FORMATS)
        raise ConfigError(
            f"unknown page format {spec!r}: use one of {names}, or WxH in mm"
        ) from None
    if not (50 <= width <= 1200 and 50 <= height <= 1200):
        raise ConfigError(f"page format {spec!r}: width and height must be 50–1200 mm")
    columns = max(1, min(8, round(width / 58)))
    return PageFormat(
        name=f"{width:g}x{height:g}", width_mm=width, height_mm=height, columns=columns
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    paper: Paper = field(default_factory=Paper)
    limits: Limits = field(default_factory=Limits)


def _override(obj: Any, values: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in dataclasses.fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"unknown setting {where}{key!r}; known: {', '.join(known)}")
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current) and isinstance(value, dict):
            changes[key] = _override(current, value, f"{where}{key}.")
        elif isinstance(current, bool) or not isinstance(value, type(current)):
            if (
                isinstance(current, float)
                and isinstance(value, int)
                and not isinstance(value, bool)
            ):
                changes[key] = float(value)
            else:
                raise ConfigError(
                    f"setting {where}{key} must be {type(current).__name__}, not {value!r}"
                )
        else:
            changes[key] = value
    return dataclasses.replace(obj, **changes)


def settings_from_dict(values: dict[str, Any], base: Settings | None = None) -> Settings:
    """Apply TOML-style overrides key by key onto the defaults (or ``base``)."""
    result: Settings = _override(base or Settings(), values, "")
    return result
