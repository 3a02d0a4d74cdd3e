"""Press options: what the user chose for the print edition, checked, and what a build returns.

Goes in: the CLI's or the manifest's choices. Comes out: ``PressOptions`` (user options only,
validated by ``check_options``), the printer's ICC profile read (``read_icc``) and the
``PressResult`` every press build returns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from printedition.errors import ConfigError, ImageError
from printedition.images import icc_description, load_icc_profile
from printedition.model import BuildWarning, PageBreak
from printedition.press.flatplan import Flatplan
from printedition.press.preflight import PreflightReport
from printedition.settings import (
    LAYOUT_TIMEOUT,
    PAGE_FORMATS,
    PageFormat,
    Paper,
    check_bleed,
    colour_named,
    variant_named,
)
from printedition.style import PageStyle, default_style

MM_TO_PT = 72 / 25.4

# A registered printing condition (ICC registry): newsprint, ISO 12647-3, the IFRA26 set.
REGISTERED_CONDITION = {
    "identifier": "IFRA26",
    "registry": "http://www.color.org",
    "condition": "ISO 12647-3:2013 coldset offset on newsprint (ISOnewspaper26v4)",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PressOptions:
    """How to build the print edition. Defaults: a grey PDF/X-1a tabloid, 3 mm bleed."""

    page_format: PageFormat = field(default_factory=lambda: PAGE_FORMATS["tabloid"])
    bleed_mm: float = 3.0
    colour: str = "grey"  # "grey" | "cmyk"
    icc_profile: Path | None = None  # the printer's output profile (required for cmyk)
    variant: str = "x-1a"  # "x-1a" | "x-4" | "none"
    paper: Paper = field(default_factory=Paper)
    style: PageStyle = field(default_factory=default_style)  # the look: grid, type, stylesheets
    issue_line: str = ""  # e.g. "No. 57 · June 2024"; default: the month
    month: str = ""  # folio month; default: the newest article's month
    masthead: bool = True  # the first page carries the masthead
    pad_to_multiple: int = 4  # pages come in sheets of 4
    strict_images: bool = True  # a missing or broken photo stops the build (else: warning)
    layout_timeout: float = LAYOUT_TIMEOUT  # seconds per layout (Limits.layout_timeout)


@dataclass(frozen=True, slots=True, kw_only=True)
class PartsStats:
    laid_out: int  # layouts run (a part laid out twice counts twice)
    cached: int  # parts taken from the cache
    relaid: int  # layouts run again because the part's guessed start was wrong
    seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PressResult:
    pages: int
    warnings: tuple[BuildWarning, ...]
    preflight: PreflightReport | None  # None when only a proof was written
    html_bytes: int = 0
    padded_pages: int = 0
    house_panels: int = 0  # panels laid at the foot of pages where a story ends early
    parts: PartsStats | None = None
    flatplan: Flatplan | None = None  # where every story stands
    page_breaks: tuple[PageBreak, ...] = ()  # where each page begins in each story on it


def check_options(options: PressOptions) -> None:
    """Every choice against the settings registry (settings.py)."""
    variant = variant_named(options.variant)
    colour = colour_named(options.colour)
    check_bleed(options.bleed_mm)
    if options.pad_to_multiple < 1:
        raise ConfigError("pad_to_multiple must be at least 1")
    if colour.needs_icc and options.icc_profile is None:
        raise ConfigError(f"--colour {colour.name} needs the printer's profile: add --icc PROFILE.icc")
    if variant.needs_icc and options.icc_profile is None:
        raise ConfigError(f"{variant.version} needs an output profile: add --icc PROFILE.icc")


def read_icc(options: PressOptions) -> tuple[bytes | None, str]:
    """The printer's profile and a short digest of it (image cache keys), or (None, "")."""
    if options.icc_profile is None:
        return None, ""
    path = Path(options.icc_profile)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("ICC profile not found", where=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read ICC profile: {exc.strerror}", where=str(path)) from None
    try:
        load_icc_profile(data, where=str(path))
    except ImageError as exc:
        raise ConfigError(exc.message, where=str(path)) from None
    return data, hashlib.sha256(data).hexdigest()[:16]


def profile_description(data: bytes) -> str:
    return icc_description(data)


__all__ = [
    "MM_TO_PT",
    "REGISTERED_CONDITION",
    "PartsStats",
    "PressOptions",
    "PressResult",
    "check_options",
    "profile_description",
    "read_icc",
]
