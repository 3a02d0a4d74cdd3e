"""Measure the texture of the press PDF's justified body columns (figures printed, never asserted).

For each press PDF (by default two issues built as ``bench/makeup.py`` builds them: the sample
issue and its generated 24-article issue, each with ``printedition issue build`` in a process
of its own; or the PDFs named with ``--pdf``), the body's lines are read from the words'
boxes (pdfplumber) and it prints, for the whole PDF and its worst page:

- the word space in em of the body size (the gap between two words' boxes, which holds the
  space glyph and what justification added): median, 90th and 95th percentile;
- the share of loose lines (mean word space over 0.5 em);
- the share of lines ending in a hyphen, and the longest run of such lines in a column;
- characters per line (median, 5th and 95th percentile).

The body is the most used font and size of the PDF (its family in any style: italic words in
a body line belong to it). Columns are the left edges most lines start at; a line is one
baseline in one column. Only full lines count (they end at the column's right edge, so they
were justified): a paragraph's last line, set ragged, does not; it still ends a run of
hyphenated lines. Targets (issue 14) close the run in a table.

Run from the repository root:  python bench/texture.py [--pdf FILE ...] [--keep DIR] [--jobs N]
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import itertools
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LOOSE_EM = 0.5  # a line whose mean word space is over this is loose
HYPHENS = ("-", "\u2010", "\u00ad")
TARGETS = (
    ("median word space", "≤ 0.35 em", "median"),
    ("p90 / p95 word space", "—", "tail"),
    ("loose lines (> 0.5 em)", "≤ 10 %", "loose"),
    ("hyphenated lines", "≤ 12 %", "hyphenated"),
    ("longest hyphen run", "≤ 3", "run"),
    ("characters a line", "30–45", "chars"),
    ("worst page (median)", "—", "worst"),
    ("full body lines", "—", "lines"),
    ("build time", "—", "time"),
)


@functools.cache
def _makeup() -> Any:
    """bench/makeup.py (not a package) as a module: its two issues and its build."""
    spec = importlib.util.spec_from_file_location(
        "bench_makeup", Path(__file__).with_name("makeup.py")
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------
# Lines from a PDF
# ---------------------------------------------------------------------------------------------


@dataclass
class Line:
    page: int
    column: float  # the column's left edge, pt
    baseline: float
    words: list[dict[str, Any]]
    full: bool = False  # ends at the column's right edge: justified

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)

    @property
    def hyphenated(self) -> bool:
        return self.words[-1]["text"].endswith(HYPHENS)

    def spaces_em(self, size: float) -> list[float]:
        return [(b["x0"] - a["x1"]) / size for a, b in itertools.pairwise(self.words)]


def _family(fontname: str) -> str:
    """``ABCDEF+Libre-Caslon-Text-Italic`` → ``Libre-Caslon-Text``."""
    name = fontname.split("+", 1)[-1]
    for style in ("-Italic", "-Bold", "-Semi-Bold", ",-Bold", ",-Italic"):
        name = name.split(style, 1)[0]
    return name


def body_lines(path: Path) -> tuple[list[Line], float]:
    """Every line of the body (full or not) and the body size in pt."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        fonts: Counter[tuple[str, float]] = Counter()
        pages: list[list[dict[str, Any]]] = []
        for page in pdf.pages:
            words = page.extract_words(
                x_tolerance=1, y_tolerance=2, extra_attrs=["fontname", "size"]
            )
            for w in words:
                w["size"] = round(w["size"], 2)
                fonts[(_family(w["fontname"]), w["size"])] += len(w["text"])
            pages.append(words)
    (family, size), _ = fonts.most_common(1)[0]
    lines: list[Line] = []
    for number, words in enumerate(pages, 1):
        body = [w for w in words if w["size"] == size and _family(w["fontname"]) == family]
        lines.extend(_lines(number, body, size))
    return lines, size


def _lines(page: int, words: list[dict[str, Any]], size: float) -> list[Line]:
    if not words:
        return []
    # Column left edges: the x most lines start at (at 0.1 pt), merged within two em.
    starts = Counter(round(w["x0"], 1) for w in words)
    top = starts.most_common(1)[0][1]
    edges: list[float] = []
    for x, n in sorted(starts.items()):
        if n >= max(4, top / 5) and not (edges and x - edges[-1] < 2 * size):
            edges.append(x)
    if not edges:
        return []
    by_column: dict[float, list[dict[str, Any]]] = defaultdict(list)
    for w in words:
        left = max((e for e in edges if e <= w["x0"] + 0.5), default=None)
        if left is not None:
            by_column[left].append(w)
    lines: list[Line] = []
    for left, column in by_column.items():
        column.sort(key=lambda w: (w["bottom"], w["x0"]))
        current: list[dict[str, Any]] = []
        for w in column:
            if current and abs(w["bottom"] - current[0]["bottom"]) > size / 3:
                lines.append(_line(page, left, current, size))
                current = []
            current.append(w)
        if current:
            lines.append(_line(page, left, current, size))
    # The column's right edge: where most of its lines end; a full line ends there.
    for left in by_column:
        ends = Counter(round(ln.words[-1]["x1"], 1) for ln in lines if ln.column == left)
        right = ends.most_common(1)[0][0]
        for ln in lines:
            if ln.column == left:
                ln.full = abs(ln.words[-1]["x1"] - right) <= 0.6 and len(ln.words) > 1
    return lines


def _line(page: int, left: float, words: list[dict[str, Any]], size: float) -> Line:
    """Words closer than a tenth of an em are one word (a style change inside a word)."""
    words = sorted(words, key=lambda w: w["x0"])
    merged = [dict(words[0])]
    for w in words[1:]:
        if w["x0"] - merged[-1]["x1"] < 0.1 * size:
            merged[-1]["text"] += w["text"]
            merged[-1]["x1"] = w["x1"]
        else:
            merged.append(dict(w))
    return Line(page, left, statistics.fmean(w["bottom"] for w in words), merged)


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


@dataclass
class Texture:
    lines: int = 0
    median: float = 0.0
    p90: float = 0.0
    p95: float = 0.0
    loose: float = 0.0
    hyphenated: float = 0.0
    run: int = 0
    chars: tuple[float, float, float] = (0.0, 0.0, 0.0)
    worst: tuple[int, float] = (0, 0.0)
    seconds: float = 0.0
    pages: dict[int, Texture] = field(default_factory=dict)


def texture(lines: list[Line], size: float) -> Texture:
    full = [ln for ln in lines if ln.full]
    spaces = [s for ln in full for s in ln.spaces_em(size)]
    t = Texture(lines=len(full))
    if not full:
        return t
    t.median, t.p90, t.p95 = _pct(spaces, 0.5), _pct(spaces, 0.9), _pct(spaces, 0.95)
    t.loose = sum(statistics.fmean(ln.spaces_em(size)) > LOOSE_EM for ln in full) / len(full)
    t.hyphenated = sum(ln.hyphenated for ln in full) / len(full)
    chars = [float(len(ln.text)) for ln in full]
    t.chars = (_pct(chars, 0.05), _pct(chars, 0.5), _pct(chars, 0.95))
    # Runs: consecutive lines of a column (one leading apart at most), each ending in a hyphen.
    columns: dict[tuple[int, float], list[Line]] = defaultdict(list)
    for ln in lines:
        columns[(ln.page, ln.column)].append(ln)
    for column in columns.values():
        column.sort(key=lambda ln: ln.baseline)
        run, below = 0, None
        for ln in column:
            if below is not None and ln.baseline - below > 2.2 * size:
                run = 0  # a gap (a heading, a picture, another story) ends a run
            run = run + 1 if ln.hyphenated and ln.full else 0
            t.run = max(t.run, run)
            below = ln.baseline
    return t


def measure(path: Path) -> Texture:
    lines, size = body_lines(path)
    whole = texture(lines, size)
    by_page: dict[int, list[Line]] = defaultdict(list)
    for ln in lines:
        by_page[ln.page].append(ln)
    whole.pages = {n: texture(ls, size) for n, ls in sorted(by_page.items())}
    counted = {n: p for n, p in whole.pages.items() if p.lines >= 20}
    if counted:
        n = max(counted, key=lambda k: counted[k].median)
        whole.worst = (n, counted[n].median)
    return whole


def report(name: str, path: Path, t: Texture) -> None:
    print(f"\n{name}: {path}")
    print(
        f"  {t.lines} full body lines; word space median {t.median:.2f} em, p90 {t.p90:.2f},"
        f" p95 {t.p95:.2f}; loose {100 * t.loose:.1f} %; hyphenated {100 * t.hyphenated:.1f} %,"
        f" longest run {t.run}; characters a line {t.chars[1]:.0f}"
        f" (p5 {t.chars[0]:.0f}, p95 {t.chars[2]:.0f})"
    )
    for n, p in t.pages.items():
        if p.lines:
            print(
                f"    p{n:<3} {p.lines:4d} lines  median {p.median:.2f}  p90 {p.p90:.2f}"
                f"  loose {100 * p.loose:4.1f} %  hyph {100 * p.hyphenated:4.1f} %  run {p.run}"
            )
    if t.worst[0]:
        w = t.pages[t.worst[0]]
        print(
            f"  worst page: p{t.worst[0]} (median {w.median:.2f} em, p95 {w.p95:.2f},"
            f" loose {100 * w.loose:.1f} %, hyphenated {100 * w.hyphenated:.1f} %, run {w.run})"
        )


def table(results: dict[str, Texture | None]) -> None:
    def cell(t: Texture | None, key: str) -> str:
        if t is None:
            return "—"
        return {
            "median": f"{t.median:.2f} em",
            "tail": f"{t.p90:.2f} / {t.p95:.2f} em",
            "loose": f"{100 * t.loose:.1f} %",
            "hyphenated": f"{100 * t.hyphenated:.1f} %",
            "run": str(t.run),
            "chars": f"{t.chars[1]:.0f} ({t.chars[0]:.0f}–{t.chars[2]:.0f})",
            "worst": f"p{t.worst[0]} {t.worst[1]:.2f} em",
            "lines": str(t.lines),
            "time": f"{t.seconds:.0f} s" if t.seconds else "—",
        }[key]

    columns = {n: (lambda key, t=t: cell(t, key)) for n, t in results.items()}
    _makeup().print_targets(TARGETS, columns, (24, 12, 22))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pdf", type=Path, nargs="+", help="measure these press PDFs instead")
    parser.add_argument("--keep", type=Path, help="work in DIR and keep the issues and outputs")
    parser.add_argument("--jobs", type=int, default=1, help="the builds' --jobs (default 1)")
    args = parser.parse_args()
    results: dict[str, Texture | None] = {}
    if args.pdf:
        for path in args.pdf:
            results[path.name] = t = measure(path)
            report(path.name, path, t)
        table(results)
        return
    makeup = _makeup()
    with tempfile.TemporaryDirectory(prefix="printedition-texture-") as name:
        work = Path(name)
        if args.keep:
            work = args.keep.resolve()
            work.mkdir(parents=True, exist_ok=True)
        issues = {"sample issue": makeup.sample_issue(work)}
        issues["generated issue"], _ = makeup.generated_issue(work)
        for label, manifest in issues.items():
            start = time.perf_counter()
            done = makeup.build(label.split()[0], manifest, work, args.jobs, False)
            seconds = time.perf_counter() - start
            pdfs = sorted(done.out.glob("*-press.pdf")) if done is not None else []
            if not pdfs:
                results[label] = None
                continue
            results[label] = t = measure(pdfs[0])
            t.seconds = seconds
            report(label, pdfs[0], t)
        table(results)
        if args.keep:
            print(f"\nkept: {work}")


if __name__ == "__main__":
    main()
