"""Typed settings: the paper's identity, the safety limits, and the press settings registry.

Goes in: nothing (this module is data, at the bottom of the import graph). Comes out: frozen
dataclasses the stages read, and the one registry of press settings (page formats, colour
modes, PDF variants, bleed and ppi bounds) that the CLI's choices, the manifest's validation,
the press's option check and the preflight all read, so no value is valid in one and not
another.
"""

from __future__ import annotations

from dataclasses import dataclass

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
class EpubBudget:
    """How large an EPUB may be. Send-to-Kindle refuses files over 50 MB by e-mail, and large
    files are slow to download and open on e-ink readers."""

    warn_bytes: int = 20_000_000  # over this the build warns (epub-large)
    max_bytes: int = 50_000_000  # over this the EPUB is not written: an error


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


# ---------------------------------------------------------------------------------------------
# The press settings registry
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Bound:
    """The closed range a number setting must fall in."""

    low: float
    high: float
    unit: str

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high

    def describe(self) -> str:
        return f"{self.low:g}–{self.high:g} {self.unit}"


# Printers ask for 3–5 mm; past 20 mm the bleed is paper thrown away, more likely a typo.
BLEED_MM = Bound(low=0, high=20, unit="mm")
DEFAULT_BLEED_MM = 3.0
PAGE_SIDE_MM = Bound(low=50, high=1200, unit="mm")  # each side of a WxH page format

# Picture resolution where a photo stands on the page (pixels per inch of its placed width).
MIN_PPI = 200  # below this a photo is soft on newsprint: the build and the preflight warn
MAX_PPI = 300  # above this the press gains nothing: photos are resampled down to it
HIGH_PPI = 450  # the preflight notes photos above this (bytes the press throws away)


@dataclass(frozen=True, slots=True, kw_only=True)
class PageFormat:
    name: str
    width_mm: float
    height_mm: float
    columns: int
    margin_mm: float = 10.0

    @property
    def size_text(self) -> str:
        return f"{self.width_mm:g}×{self.height_mm:g} mm"


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
DEFAULT_FORMAT = "tabloid"


def page_formats_text() -> str:
    """The formats as a user is told them: in help texts and in the errors that list them."""
    names = ", ".join(f"{f.name} ({f.size_text})" for f in PAGE_FORMATS.values())
    return f"{names}, or WxH in mm"


def page_format(spec: str) -> PageFormat:
    """A preset name or ``WxH`` in millimetres (columns chosen from the width)."""
    key = spec.strip().lower()
    if key in PAGE_FORMATS:
        return PAGE_FORMATS[key]
    try:
        w_text, h_text = key.split("x")
        width, height = float(w_text), float(h_text)
    except ValueError:
        raise ConfigError(
            f"unknown page format {spec!r}: use one of {page_formats_text()}"
        ) from None
    if width not in PAGE_SIDE_MM or height not in PAGE_SIDE_MM:
        raise ConfigError(
            f"page format {spec!r}: width and height must be {PAGE_SIDE_MM.describe()}"
        )
    columns = max(1, min(8, round(width / 58)))
    return PageFormat(
        name=f"{width:g}x{height:g}", width_mm=width, height_mm=height, columns=columns
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ColourMode:
    name: str  # as users write it: --colour grey, colour = "grey"
    help: str
    needs_icc: bool  # photos are separated through the printer's ICC profile


COLOUR_MODES: dict[str, ColourMode] = {
    c.name: c
    for c in (
        ColourMode(name="grey", help="text 100 % K, photos grey", needs_icc=False),
        ColourMode(name="cmyk", help="photos separated through the ICC profile", needs_icc=True),
    )
}
DEFAULT_COLOUR = "grey"


@dataclass(frozen=True, slots=True, kw_only=True)
class Variant:
    """A kind of PDF the press file can be, and what the finished file must then carry."""

    name: str  # as users write it: --variant x-1a, variant = "x-1a"
    help: str
    weasyprint: str | None  # WeasyPrint's pdf_variant (None: a plain PDF)
    version: str  # the GTS_PDFXVersion the finished file carries ("": not PDF/X)
    needs_icc: bool  # the output intent must embed the printer's profile
    transparency: bool  # whether the standard allows transparency
    max_pdf_version: str = ""  # the newest PDF version the standard allows ("": any)
    aliases: tuple[str, ...] = ()  # older spellings still read (issue.toml's "pdf/x-1a")

    @property
    def is_pdfx(self) -> bool:
        return bool(self.version)

    @property
    def family(self) -> str:
        """What a GTS_PDFXVersion of this standard starts with ("PDF/X-1a")."""
        return self.version.split(":", 1)[0]


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant(
            name="x-1a",
            help="PDF/X-1a:2003",
            weasyprint="pdf/x-1a",
            version="PDF/X-1a:2003",
            needs_icc=False,
            transparency=False,
            max_pdf_version="1.4",
            aliases=("pdf/x-1a",),
        ),
        Variant(
            name="x-4",
            help="PDF/X-4, needs the ICC profile",
            weasyprint="pdf/x-4",
            version="PDF/X-4",
            needs_icc=True,
            transparency=True,
            aliases=("pdf/x-4",),
        ),
        Variant(
            name="none",
            help="a plain PDF, not for press",
            weasyprint=None,
            version="",
            needs_icc=False,
            transparency=True,
        ),
    )
}
DEFAULT_VARIANT = "x-1a"


def variants_text() -> str:
    """The variants as a user is told them: 'x-1a' (PDF/X-1a:2003), ..."""
    return ", ".join(f"{v.name!r} ({v.help})" for v in VARIANTS.values())


def find_variant(spelling: str) -> Variant | None:
    """The variant a user's spelling names, in any case and by its older names; None if none
    does (the manifest and the CLI then say what would be right, each in its own way)."""
    key = spelling.strip().lower()
    return next((v for v in VARIANTS.values() if key == v.name or key in v.aliases), None)


def variant_named(name: str) -> Variant:
    """The registry's entry for ``name``; a ``ConfigError`` listing the choices otherwise."""
    found = find_variant(name)
    if found is None:
        raise ConfigError(f"unknown PDF variant {name!r}: use {variants_text()}")
    return found


def variant_of_file(pdfx_version: str) -> Variant:
    """The variant a finished file claims to be, from its GTS_PDFXVersion."""
    return next(
        (v for v in VARIANTS.values() if v.is_pdfx and pdfx_version.startswith(v.family)),
        VARIANTS["none"],
    )


def colour_named(name: str) -> ColourMode:
    mode = COLOUR_MODES.get(name)
    if mode is None:
        raise ConfigError(f"unknown colour {name!r}: use {' or '.join(COLOUR_MODES)}")
    return mode


def check_bleed(bleed_mm: float) -> float:
    if bleed_mm not in BLEED_MM:
        raise ConfigError(f"bleed {bleed_mm:g} mm is out of range ({BLEED_MM.describe()})")
    return bleed_mm
