"""Style: a paper style folder (style.toml, stylesheets, fonts) → one typed ``PageStyle``.

Goes in: a style folder, either a bundled one (the repository's top-level ``styles/``, shipped
inside the package as ``printedition/styles``) or one a production editor hands over with
``--style DIR`` or ``[paper] style``. Comes out: a frozen ``PageStyle`` that the page planner
(``press/layout.py``) and the CSS it generates both read, so no number of the look is written
twice; or one ``ConfigError`` naming the file and the key. A style may name a bundled ``base``:
its style.toml then says only what differs, and files it lacks (stylesheets, fonts) are taken
from the base. Nothing here lays anything out; ``read`` is the only way in to a style's files.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from printedition.errors import ConfigError
from printedition.settings import PAGE_FORMATS, PageFormat

DEFAULT_STYLE = "byline"
STYLE_FILE = "style.toml"
STYLESHEETS = ("fonts.css", "press.css", "house.css", "issue.css", "epub.css")
BUNDLED = Path(__file__).resolve().parent / "styles"  # the repository's styles/ (a symlink there)


@dataclass(frozen=True, slots=True, kw_only=True)
class Grid:
    """The page grid of one format, in millimetres."""

    columns: int
    column_gap_mm: float
    top_mm: float  # the folio line stands in the top margin
    side_mm: float
    bottom_mm: float
    deck_columns: int  # a standfirst over a full-width photo spans this many columns


@dataclass(frozen=True, slots=True, kw_only=True)
class Type:
    """Type sizes (pt) and the measures the planner counts lines with."""

    body_size_pt: float
    leading_pt: float  # the columns' baseline grid
    char_width_em: float  # the body face's average advance
    standfirst_size_pt: float
    standfirst_leading_pt: float
    headline_largest_pt: float
    headline_smallest_pt: float
    headline_char_width_em: float  # the headline face's average letter
    headline_leading: float  # × the headline size
    masthead_largest_pt: float
    masthead_letters: float  # the paper's name is sized so this many letters span the page


@dataclass(frozen=True, slots=True, kw_only=True)
class Justify:
    """The body's justified column: its spaces, indent and hyphenation (the stylesheets get
    them as custom properties), and the total-fit line breaker's ranges and demerits."""

    total_fit: bool  # break each body paragraph as a whole before layout (press/linebreak.py)
    indent_em: float  # a paragraph's first line, after another paragraph
    word_spacing_em: float  # added to the face's space: the narrowest space WeasyPrint sets
    tightest_em: float  # the breaker may set a line's spaces this much narrower still
    space_em: float  # the word space the breaker aims for
    loose_em: float  # a wider space is loose: the end of the breaker's stretch
    hyphen_word: int  # letters a word needs to be broken (hyphenate-limit-chars)
    hyphen_before: int  # letters before the hyphen, at least
    hyphen_after: int  # letters after it, at least
    hyphen_penalty: int  # what a break at a hyphen costs the breaker
    hyphen_run: int  # never more hyphenated lines in a row than this
    hyphen_run_demerits: int  # two hyphenated lines in a row cost this
    fitness_demerits: int  # a tight line next to a loose one costs this
    margin_mm: float  # left free at the end of a line the breaker sets, for measuring error
    end_room_em: float  # kept free on a story's last line for its end mark


@dataclass(frozen=True, slots=True, kw_only=True)
class Fonts:
    """Font families by role; ``fallback`` follows each, for characters a face lacks."""

    body: str
    headline: str
    sans: str
    fallback: tuple[str, ...]

    def stack(self, role: str) -> str:
        """The CSS font-family list of a role."""
        first = {"body": self.body, "headline": self.headline, "sans": self.sans}[role]
        names = list(dict.fromkeys((first, *self.fallback)))
        return ", ".join(f"'{name}'" for name in names)

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.body, self.headline, self.sans, *self.fallback)))


@dataclass(frozen=True, slots=True, kw_only=True)
class Pictures:
    min_ppi: int  # below this a photo is soft on the paper: warn
    preferred_ppi: int  # above this the press gains nothing: resample down to it
    floor_ppi: int  # the make-up never places a photo below this (a narrower span instead)
    crop_least: float  # a photo cropped to a shorter box keeps at least this share of its height
    zoom_most: float  # ... to a taller box (its sides cropped), enlarged at most this much


@dataclass(frozen=True, slots=True, kw_only=True)
class Space:
    """Heights the planner reserves, in millimetres."""

    masthead_mm: float  # the masthead on the first page
    story_gap_mm: float  # the rule and space above a story that follows another
    section_head_mm: float  # a section head above the first story of a section


@dataclass(frozen=True, slots=True, kw_only=True)
class Makeup:
    """How pages are made up from the flatplan."""

    brief_words: int  # a story shorter than this goes into the "In brief" column
    brief_headline_pt: float
    one_column_headline_pt: float  # the smallest headline a story gets
    other_headline_scale: float  # a story that is not its page's lead: its headline × this
    headline_words: int  # a story this long may take its span's largest headline; a shorter one less
    photo_max_share: float  # no photo stands taller than this share of the text area
    story_gap_mm: float  # between stacked rectangles (the rule stands in it)
    label_mm: float  # the "In brief" label, a section strip


@dataclass(frozen=True, slots=True, kw_only=True)
class House:
    """The full house pages' type scale, drawn for one text area and scaled to others."""

    size_pt: float
    reference_width_mm: float
    reference_height_mm: float
    smallest_scale: float
    largest_scale: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Credit:
    """How a photo's credit is set: the model holds the name ("AP/Alamy"), each output puts
    the house's label before it ("" for none)."""

    epub_label: str  # in the EPUB's text ("Photo:")
    press_label: str  # in print, by the press stylesheet (set in capitals there)


@dataclass(frozen=True, slots=True, kw_only=True)
class PageStyle:
    """A paper's look: its grids, type, fonts, picture rules and the folders its files are in
    (its own first, then its base's)."""

    name: str
    folders: tuple[Path, ...]
    grid: Grid  # every named format, unless ``formats`` says otherwise
    formats: tuple[tuple[str, Grid], ...]
    measure_mm: float  # a page size given as WxH gets round(width / measure) columns
    type: Type
    justify: Justify
    fonts: Fonts
    pictures: Pictures
    space: Space
    house: House
    makeup: Makeup
    credit: Credit
    digest: str  # over every file of the style: what caches key layouts by

    @property
    def folder(self) -> Path:
        return self.folders[0]

    @property
    def base_url(self) -> str:
        """The URL stylesheets and fonts are fetched against (the style's own folder)."""
        return self.folder.as_uri() + "/"

    def grid_for(self, fmt: PageFormat) -> Grid:
        for name, grid in self.formats:
            if name == fmt.name:
                return grid
        if re.fullmatch(r"[\d.]+x[\d.]+", fmt.name):
            columns = max(1, min(8, round(fmt.width_mm / self.measure_mm)))
            return Grid(**{**_asdict(self.grid), "columns": columns})
        return self.grid

    def read(self, name: str) -> bytes:
        """A file of the style by its path inside the folder (``fonts/x.woff``), from the
        style's own folder or else its base's; never anything outside them."""
        path = self.find(name)
        if path is None:
            raise FileNotFoundError(name)
        return path.read_bytes()

    def find(self, name: str) -> Path | None:
        parts = name.split("/")
        if not name or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts):
            raise PermissionError(f"not a path inside the style: {name!r}")
        for folder in self.folders:
            candidate = folder.joinpath(*parts)
            try:
                real = candidate.resolve(strict=True)
            except (OSError, RuntimeError):
                continue
            if not real.is_relative_to(folder) or not real.is_file():
                raise PermissionError(f"outside the style folder: {name!r}")
            return real
        return None

    def path_of_url(self, url: str) -> str:
        """The path inside the style that a ``file:`` URL under its own folder names."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise PermissionError(f"not a style file: {url[:80]}")
        path = os.path.normpath(url2pathname(unquote(parts.path)))
        rel = os.path.relpath(path, self.folder)
        if rel == "." or rel.startswith(".."):
            raise PermissionError(f"outside the style folder: {url[:80]}")
        return Path(rel).as_posix()


def _asdict(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


# ---------------------------------------------------------------------------------------------
# style.toml: every key, its type and its bounds
# ---------------------------------------------------------------------------------------------

# key in style.toml → (field, kind, low, high); kind "int", "num", "bool", "str", "label" (a
# str that may be empty, at most ``high`` characters) or "names".
_Spec = dict[str, tuple[str, str, float, float]]
_GRID: _Spec = {
    "columns": ("columns", "int", 1, 12),
    "column_gap": ("column_gap_mm", "num", 0, 30),
    "top": ("top_mm", "num", 0, 100),
    "side": ("side_mm", "num", 0, 100),
    "bottom": ("bottom_mm", "num", 0, 100),
    "deck_columns": ("deck_columns", "int", 1, 12),
}
_TABLES: dict[str, tuple[type, _Spec]] = {
    "type": (
        Type,
        {
            "body_size": ("body_size_pt", "num", 4, 30),
            "leading": ("leading_pt", "num", 4, 40),
            "char_width": ("char_width_em", "num", 0.2, 1),
            "standfirst_size": ("standfirst_size_pt", "num", 4, 40),
            "standfirst_leading": ("standfirst_leading_pt", "num", 4, 60),
            "headline_largest": ("headline_largest_pt", "num", 8, 300),
            "headline_smallest": ("headline_smallest_pt", "num", 6, 200),
            "headline_char_width": ("headline_char_width_em", "num", 0.2, 1),
            "headline_leading": ("headline_leading", "num", 0.7, 2),
            "masthead_largest": ("masthead_largest_pt", "num", 8, 400),
            "masthead_letters": ("masthead_letters", "num", 2, 40),
        },
    ),
    "justify": (
        Justify,
        {
            "total_fit": ("total_fit", "bool", 0, 1),
            "indent": ("indent_em", "num", 0, 5),
            "word_spacing": ("word_spacing_em", "num", -0.2, 0.5),
            "tightest": ("tightest_em", "num", -0.2, 0),
            "space": ("space_em", "num", 0.05, 1),
            "loose": ("loose_em", "num", 0.1, 2),
            "hyphen_word": ("hyphen_word", "int", 2, 30),
            "hyphen_before": ("hyphen_before", "int", 1, 15),
            "hyphen_after": ("hyphen_after", "int", 1, 15),
            "hyphen_penalty": ("hyphen_penalty", "int", 0, 10000),
            "hyphen_run": ("hyphen_run", "int", 1, 10),
            "hyphen_run_demerits": ("hyphen_run_demerits", "int", 0, 1000000),
            "fitness_demerits": ("fitness_demerits", "int", 0, 1000000),
            "margin": ("margin_mm", "num", 0, 5),
            "end_room": ("end_room_em", "num", 0, 5),
        },
    ),
    "fonts": (
        Fonts,
        {
            "body": ("body", "str", 0, 0),
            "headline": ("headline", "str", 0, 0),
            "sans": ("sans", "str", 0, 0),
            "fallback": ("fallback", "names", 0, 0),
        },
    ),
    "pictures": (
        Pictures,
        {
            "min_ppi": ("min_ppi", "int", 50, 1200),
            "preferred_ppi": ("preferred_ppi", "int", 72, 2400),
            "floor_ppi": ("floor_ppi", "int", 50, 1200),
            "crop_least": ("crop_least", "num", 0.3, 1.0),
            "zoom_most": ("zoom_most", "num", 1.0, 3.0),
        },
    ),
    "makeup": (
        Makeup,
        {
            "brief_words": ("brief_words", "int", 0, 5000),
            "brief_headline": ("brief_headline_pt", "num", 5, 40),
            "one_column_headline": ("one_column_headline_pt", "num", 6, 80),
            "other_headline_scale": ("other_headline_scale", "num", 0.3, 1),
            "headline_words": ("headline_words", "int", 0, 100000),
            "photo_max_share": ("photo_max_share", "num", 0.1, 1),
            "story_gap": ("story_gap_mm", "num", 0, 40),
            "label": ("label_mm", "num", 0, 40),
        },
    ),
    "space": (
        Space,
        {
            "masthead": ("masthead_mm", "num", 0, 300),
            "story_gap": ("story_gap_mm", "num", 0, 100),
            "section_head": ("section_head_mm", "num", 0, 100),
        },
    ),
    "credit": (
        Credit,
        {
            "epub_label": ("epub_label", "label", 0, 40),
            "press_label": ("press_label", "label", 0, 40),
        },
    ),
    "house": (
        House,
        {
            "size": ("size_pt", "num", 2, 40),
            "reference_width": ("reference_width_mm", "num", 20, 2000),
            "reference_height": ("reference_height_mm", "num", 20, 2000),
            "smallest_scale": ("smallest_scale", "num", 0.05, 10),
            "largest_scale": ("largest_scale", "num", 0.05, 10),
        },
    ),
}
_TOP = ("name", "base", "grid", *_TABLES)
_GRID_EXTRA = ("measure",)


class _Reader:
    """Reads one merged style.toml, each error naming the file, the key and its line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, key: str, message: str) -> ConfigError:
        line = self._line(key)
        return ConfigError(
            f"{key}: {message}", where=f"{self.path}:{line}" if line else str(self.path)
        )

    def _line(self, key: str) -> int:
        *tables, name = key.split(".")
        table = ".".join(tables)
        current = ""
        for n, raw in enumerate(self.text.splitlines(), start=1):
            line = raw.strip()
            header = re.match(r"\[\s*([^\]]+?)\s*\]", line)
            if header:
                current = header.group(1).replace('"', "")
                if not name and current == table:
                    return n
                continue
            if current == table and re.match(rf'"?{re.escape(name)}"?\s*=', line):
                return n
        return 0

    def value(self, data: dict[str, Any], key: str, spec: tuple[str, str, float, float]) -> Any:
        name = key.rsplit(".", 1)[-1]
        _, kind, low, high = spec
        if name not in data:
            raise self.fail(key, "is missing")
        value = data[name]
        if kind == "str":
            if not isinstance(value, str) or not value.strip():
                raise self.fail(key, f"must be a name in quotes, not {value!r}")
            return value.strip()
        if kind == "label":
            if not isinstance(value, str) or len(value) > high or "\n" in value:
                raise self.fail(
                    key, f"must be a short text in quotes (may be empty), not {value!r}"
                )
            return value.strip()
        if kind == "bool":
            if not isinstance(value, bool):
                raise self.fail(key, f"must be true or false, not {value!r}")
            return value
        if kind == "names":
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise self.fail(key, f'must be a list of names, e.g. ["A", "B"], not {value!r}')
            return tuple(value)
        whole = kind == "int"
        if (
            isinstance(value, bool)
            or not isinstance(value, int if whole else int | float)
            or not math.isfinite(value)
            or not low <= value <= high
        ):
            what = "a whole number" if whole else "a number"
            raise self.fail(key, f"must be {what} from {low:g} to {high:g}, not {value!r}")
        return int(value) if whole else float(value)

    def table(self, data: Any, key: str, known: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(key, "must be a table")
        for name in data:
            if name not in known:
                where = f"{key}.{name}" if key else name
                raise self.fail(where, f"unknown key; known keys: {', '.join(known)}")
        return data

    def build(self, cls: type, data: dict[str, Any], prefix: str, spec: _Spec) -> Any:
        self.table(data, prefix, tuple(spec))
        values = {entry[0]: self.value(data, f"{prefix}.{k}", entry) for k, entry in spec.items()}
        return cls(**values)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` onto ``base`` key by key (tables merge, values replace)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_toml(folder: Path) -> tuple[Path, str, dict[str, Any]]:
    path = folder / STYLE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"no {STYLE_FILE}: a style folder holds {STYLE_FILE} and its stylesheets",
            where=str(folder),
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", where=str(path)) from None
    try:
        return path, text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", where=str(path)) from None


def _digest(folders: tuple[Path, ...]) -> str:
    h = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(path.relative_to(folder).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:20]


def bundled_names() -> tuple[str, ...]:
    """The styles that ship with printedition."""
    return tuple(sorted(p.name for p in BUNDLED.iterdir() if (p / STYLE_FILE).is_file()))


def bundled_style(name: str) -> Path:
    """The folder of a style that ships with printedition."""
    if name not in bundled_names():
        raise ConfigError(
            f"no bundled style {name!r}: use one of {', '.join(bundled_names())}, or a folder"
        )
    return BUNDLED / name


def load_style(folder: Path) -> PageStyle:
    """Read and check a style folder; raises ``ConfigError`` naming the file and key."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(
            "style folder not found (a folder with style.toml, or a bundled style: "
            f"{', '.join(bundled_names())})",
            where=str(folder),
        )
    return _load(folder.resolve(), depth=0)[0]


def _load(folder: Path, *, depth: int) -> tuple[PageStyle, dict[str, Any]]:
    """The style and its merged style.toml (a base's keys under its own)."""
    path, text, data = _read_toml(folder)
    r = _Reader(path, text)
    r.table(data, "", _TOP)
    folders: tuple[Path, ...] = (folder,)
    if "base" in data:
        name = data["base"]
        if depth > 3 or not isinstance(name, str):
            raise r.fail("base", f"must name a bundled style in quotes, not {name!r}")
        try:
            base_folder = bundled_style(name).resolve()
        except ConfigError as exc:
            raise r.fail("base", exc.message) from None
        if base_folder == folder:
            raise r.fail("base", "a style cannot be its own base")
        base, base_data = _load(base_folder, depth=depth + 1)
        data = _merge(base_data, {k: v for k, v in data.items() if k != "base"})
        folders = (folder, *base.folders)
    name = r.value(data, "name", ("name", "str", 0, 0))
    grid_data = data.get("grid")
    if not isinstance(grid_data, dict):
        raise r.fail("grid", "is missing: add a [grid] table")
    shared = r.table(
        {k: v for k, v in grid_data.items() if not isinstance(v, dict)},
        "grid",
        (*_GRID, *_GRID_EXTRA),
    )
    grid = r.build(Grid, {k: v for k, v in shared.items() if k in _GRID}, "grid", _GRID)
    measure = r.value(shared, "grid.measure", ("measure", "num", 20, 400))
    formats = []
    for fmt, table in grid_data.items():
        if not isinstance(table, dict):
            continue
        if fmt not in PAGE_FORMATS:
            raise r.fail(
                f"grid.{fmt}", f"unknown page format; use one of {', '.join(PAGE_FORMATS)}"
            )
        r.table(table, f"grid.{fmt}", tuple(_GRID))
        merged = {**{k: shared[k] for k in _GRID}, **table}
        formats.append((fmt, r.build(Grid, merged, f"grid.{fmt}", _GRID)))
    parts = {
        table: r.build(cls, data.get(table, {}), table, spec)
        for table, (cls, spec) in _TABLES.items()
    }
    pictures: Pictures = parts["pictures"]
    if pictures.preferred_ppi < pictures.min_ppi:
        raise r.fail("pictures.preferred_ppi", f"must be at least min_ppi ({pictures.min_ppi})")
    if pictures.floor_ppi > pictures.min_ppi:
        raise r.fail("pictures.floor_ppi", f"must not be more than min_ppi ({pictures.min_ppi})")
    type_: Type = parts["type"]
    if type_.headline_smallest_pt > type_.headline_largest_pt:
        raise r.fail("type.headline_smallest", "must not be larger than headline_largest")
    for fmt, grid_of in (("", grid), *formats):
        if grid_of.deck_columns > grid_of.columns:
            key = f"grid.{fmt}.deck_columns" if fmt else "grid.deck_columns"
            raise r.fail(key, f"must not be more than columns ({grid_of.columns})")
    style = PageStyle(
        name=name,
        folders=folders,
        grid=grid,
        formats=tuple(formats),
        measure_mm=measure,
        type=type_,
        justify=parts["justify"],
        fonts=parts["fonts"],
        pictures=pictures,
        space=parts["space"],
        house=parts["house"],
        makeup=parts["makeup"],
        credit=parts["credit"],
        digest=_digest(folders),
    )
    return style, data


@functools.cache
def default_style() -> PageStyle:
    """The paper's own look, as shipped (``styles/byline``)."""
    return load_style(bundled_style(DEFAULT_STYLE))


def resolve_style(spec: str | None) -> PageStyle:
    """``--style``: a style folder's path, or the name of a bundled style; ``None``: the
    default."""
    if not spec:
        return default_style()
    folder = Path(spec)
    if not folder.is_dir() and spec in bundled_names():
        folder = bundled_style(spec)
    return load_style(folder)


__all__ = [
    "DEFAULT_STYLE",
    "STYLESHEETS",
    "Credit",
    "Fonts",
    "Grid",
    "House",
    "Justify",
    "PageStyle",
    "Pictures",
    "Space",
    "Type",
    "bundled_names",
    "bundled_style",
    "default_style",
    "load_style",
    "resolve_style",
]
