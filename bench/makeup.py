"""Measure the page make-up against issue 10's targets (figures printed, never asserted).

Two issues are built, each with ``printedition issue build`` in a process of its own (cold
cache, EPUBCheck off unless ``--check``), timed:

1. the sample issue (``samples/issue/issue.toml``, copied to a work folder first);
2. a generated issue of 24 articles in four sections: nine briefs of 100–300 words, thirteen
   standard stories, two long reads of 3,000+ words, made by cutting and joining the sample
   articles' paragraphs, with photo-like JPEGs from ``bench/issue.py`` (four articles' photos
   at 520–700 px wide).

Then, from each build's ``report.json`` (the press PDF's flatplan), the press PDF (the
preflight's placed images, ``pdftotext``) and the articles' models, it prints: the page count;
filler (house + empty) against the issue's text area, the worst page, pages over half filler;
house panel uses; inside pages with two or more stories; butting headlines; headlines in the
bottom fifth; the dominant photo's span; ppi where each photo stands; each article's words
found in the PDF; the contents page's numbers against where stories start; build time. A table
of target / sample / generated closes the run.

Run from the repository root:  python bench/makeup.py [--keep DIR] [--jobs N] [--check]
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import traceback
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

# The generated issue, one row per article in the order bench/issue.py's generate_issue makes
# them (sample i % 9 in name order: cafe, councils, fringe, heatwave, mekong, opinion, rail,
# returning, river): what it is, its target length in words, and the width in px its photos
# are cut down to (0: as generated).
PLAN: tuple[tuple[str, int, int], ...] = (
    ("standard", 600, 0),  # the cover story
    ("standard", 700, 520),
    ("brief", 200, 0),
    ("standard", 450, 0),
    ("standard", 500, 0),  # the sample's own 640 px paddy photo
    ("brief", 150, 0),
    ("brief", 120, 0),
    ("standard", 900, 0),
    ("long", 3600, 0),
    ("standard", 1100, 640),
    ("brief", 200, 0),
    ("standard", 800, 0),
    ("brief", 180, 0),
    ("standard", 400, 0),
    ("standard", 550, 0),
    ("brief", 260, 0),
    ("long", 3300, 700),
    ("standard", 1000, 0),
    ("brief", 100, 0),
    ("standard", 500, 0),
    ("brief", 230, 0),
    ("standard", 650, 580),
    ("brief", 220, 0),
    ("standard", 750, 0),
)
SECTIONS = ("News", "Politics & Economy", "World & Environment", "Opinion & Culture")

# The article body in the sample pages: bare <p> elements between the entry content's start
# and the entry footer or the article's end.
BODY_START = re.compile(r'class="entry-content')
BODY_END = re.compile(r'<footer class="entry-footer"|</article>')
PARAGRAPH = re.compile(r"<p>(?:(?!</p>).)*</p>", re.S)
BLOCK = re.compile(r"<(h[2-6]|ul|ol|blockquote|figure|table|aside)\b.*?</\1>", re.S)
CHARSET = re.compile(rb'<meta charset="([^"]+)"')


def _bench_issue() -> Any:
    """bench/issue.py (not a package) as a module: generate_issue and photo."""
    spec = importlib.util.spec_from_file_location(
        "bench_issue", Path(__file__).with_name("issue.py")
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def words(text: str) -> list[str]:
    """As tests/test_press.py ``_words``: lines broken at a hyphen join up again; hyphens and
    punctuation do not count."""
    text = re.sub(r"-\n\s*", "-", text)
    text = text.replace("-", "").replace("\u00ad", "")
    return [w for w in re.findall(r"[^\W_]+", text.lower()) if w]


def _normalised(page: Path) -> Any:
    from printedition.ingest.load import load_article

    return load_article(page)[0]


def model_words(page: Path) -> list[str]:
    """The words of the article's body as the issue build reads it."""
    from printedition.model import article_text

    return words(article_text(_normalised(page)))


# ---------------------------------------------------------------------------------------------
# The two issues
# ---------------------------------------------------------------------------------------------


def sample_issue(work: Path) -> Path:
    shutil.copytree(SAMPLES, work / "samples")
    return work / "samples" / "issue" / "issue.toml"


def _decode(raw: bytes) -> tuple[str, str]:
    found = CHARSET.search(raw[:4096])
    charset = found.group(1).decode() if found else "utf-8"
    return raw.decode(charset, errors="replace"), charset


def _body(page: str) -> tuple[int, int]:
    start = BODY_START.search(page)
    begin = start.end() if start else 0
    end = BODY_END.search(page, begin)
    return begin, end.start() if end else len(page)


def _paragraph_words(paragraph: str) -> int:
    return len(html.unescape(re.sub(r"<[^>]+>", " ", paragraph)).split())


def _cut_or_join(page: str, target: int, donors: list[str], site: set[str]) -> str:
    """The page with its body cut after the paragraph that reaches about ``target`` words (the
    paragraphs, headings, lists, quotes and figures after it dropped), or other samples'
    paragraphs joined on after its own until it reaches that length (``site``: the site's
    paragraphs, not the article's)."""
    begin, end = _body(page)
    own = [m for m in PARAGRAPH.finditer(page, begin, end) if m.group() not in site]
    total, keep = 0, 0
    for match in own:
        if total >= target:
            break
        total += _paragraph_words(match.group())
        keep += 1
    if keep < len(own):
        cut = own[keep - 1].end()
        return page[:cut] + BLOCK.sub("", PARAGRAPH.sub("", page[cut:end])) + page[end:]
    joined: list[str] = []
    for paragraph in donors:
        if total >= target:
            break
        joined.append(paragraph)
        total += _paragraph_words(paragraph)
    at = own[-1].end()
    return page[:at] + "\n" + "\n".join(joined) + page[at:]


def _fit(index: Path, target: int, donors: list[str], site: set[str]) -> int:
    """Cut or join to about ``target`` words of the normalised body (captions, lists and tables
    count too, the site's boxes do not: a few corrections after measuring, the closest kept);
    returns the body's words."""
    page, charset = _decode(index.read_bytes())
    aim, best = target, (math.inf, b"", 0)
    for _ in range(4):
        data = _cut_or_join(page, aim, donors, site).encode(charset, "xmlcharrefreplace")
        index.write_bytes(data)
        got = len(model_words(index))
        best = min(best, (abs(got - target), data, got))
        if abs(got - target) <= 0.1 * target:
            break
        aim = max(20, aim + target - got)
    index.write_bytes(best[1])
    return best[2]


def _small_photos(folder: Path, width: int, seed: int, photo: Any) -> None:
    """Every JPEG of the article replaced by a photo-like one ``width`` px wide (same aspect)."""
    from PIL import Image

    for n, image in enumerate(sorted(folder.glob("*.jpg"))):
        with Image.open(image) as im:
            w, h = im.size
        image.write_bytes(photo(width, max(1, round(h * width / w)), seed=seed * 100 + n))


def generated_issue(work: Path) -> tuple[Path, dict[str, list[int]]]:
    """24 articles of varied length over four sections, with the sample's house panels."""
    bench = _bench_issue()
    folder = work / "generated"
    bench.generate_issue(folder, len(PLAN))  # copies of the samples, photo-like JPEGs
    pool: list[list[str]] = []
    for src in sorted(SAMPLES.glob("articles/*/index.html")):
        page, _ = _decode(src.read_bytes())
        pool.append(PARAGRAPH.findall(page, *_body(page)))
    # Paragraphs more than one sample has are the site's (the support box): never joined on.
    seen = Counter(p for paragraphs in pool for p in set(paragraphs))
    site = {p for p, n in seen.items() if n > 1}
    pool = [[p for p in ps if p not in site and _paragraph_words(p) >= 5] for ps in pool]
    # generate_issue names copy i "<sample>-<i:03d>": back into the order it made them.
    slugs = sorted((p.name for p in (folder / "articles").iterdir()), key=lambda s: s[-3:])
    lengths: dict[str, list[int]] = {"brief": [], "standard": [], "long": []}
    entries: list[list[str]] = [[] for _ in SECTIONS]
    for i, ((kind, target, width), slug) in enumerate(zip(PLAN, slugs, strict=True)):
        donors = list(itertools.chain(*(pool[(i + k) % len(pool)] for k in range(1, len(pool)))))
        lengths[kind].append(_fit(folder / "articles" / slug / "index.html", target, donors, site))
        if width:
            _small_photos(folder / "articles" / slug, width, i, bench.photo)
        # generate_issue's "No. N:" in the <h1> loses to the page's metadata: the manifest
        # gives every story its own headline.
        headline = f"No. {i}: {_normalised(folder / 'articles' / slug / 'index.html').headline}"
        entries[i * len(SECTIONS) // len(PLAN)].append(
            f'  source = "../articles/{slug}/index.html"\n'
            f"  headline = {json.dumps(headline, ensure_ascii=False)}\n"
        )
    sample = (SAMPLES / "issue" / "issue.toml").read_text(encoding="utf-8")
    head = sample[: sample.index("[cover]")].replace("number = 42", f"number = {len(PLAN)}")
    lines = [head, f'[cover]\narticle = "{slugs[0]}"\n']
    for title, arts in zip(SECTIONS, entries, strict=True):
        lines.append(f'[[sections]]\ntitle = "{title}"\n')
        lines.extend(f"  [[sections.articles]]\n{a}" for a in arts)
    lines.append(sample[sample.index("[[house]]") :])
    manifest = folder / "issue" / "issue.toml"
    manifest.write_text("\n".join(lines), encoding="utf-8")
    return manifest, lengths


# ---------------------------------------------------------------------------------------------
# One build
# ---------------------------------------------------------------------------------------------


@dataclass
class Build:
    name: str
    manifest: Path
    out: Path
    seconds: float = 0.0
    returncode: int = 0
    report: dict[str, Any] = field(default_factory=dict)


def build(name: str, manifest: Path, work: Path, jobs: int, check: bool) -> Build | None:
    out, cache = work / f"{name}-out", work / f"{name}-cache"
    cmd = [
        sys.executable, "-c", "from printedition.cli import main; main()",
        "issue", "build", str(manifest), "-o", str(out), "--cache-dir", str(cache),
        "--jobs", str(jobs), *(() if check else ("--no-check",)),
    ]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=os.environ)
    seconds = time.perf_counter() - start
    report = out / "report.json"
    if not report.is_file():
        print(f"{name}: the build failed (exit {done.returncode}, {seconds:.0f} s):")
        print("\n".join("  " + line for line in done.stderr[-3000:].splitlines()))
        return None
    result = Build(name, manifest, out, seconds, done.returncode, json.loads(report.read_text()))
    if done.returncode:
        tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-3:]
        print(f"{name}: the build exits {done.returncode} (report written): " + " / ".join(tail))
    return result


# ---------------------------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------------------------


def _pages_text(pdf: Path, first: int | None = None) -> list[str]:
    cmd = ["pdftotext", "-enc", "UTF-8", str(pdf), "-"]
    if first:
        cmd[1:1] = ["-f", str(first), "-l", str(first), "-bbox-layout"]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split("\f")


def _side_by_side(a: list[float], b: list[float]) -> bool:
    return a[0] + a[2] <= b[0] + 0.5 or b[0] + b[2] <= a[0] + 0.5


def _overlap(a: list[float], b: list[float]) -> bool:
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return dx > 1 and dy > 1


def _first_pages(plan: dict[str, Any]) -> dict[str, int]:
    """Where each story starts: its first page in the flatplan, or page 1 when that first
    entry is a run-on (the story opened on the front page)."""
    starts: dict[str, int] = {}
    for page in plan["pages"]:
        for story in page["stories"]:
            if story["slug"] not in starts:
                starts[story["slug"]] = 1 if story["kind"] == "run-on" else page["page"]
    return starts


WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def contents_numbers(pdf: Path, page: int, headlines: dict[str, str]) -> dict[str, int | None]:
    """The number printed beside each headline on the contents page: the headline's first words
    found in reading order, then the first number to the right on its first line (or the next
    three lines within half the page's width; a number at the end of the first line, however far
    to the right, as a contents box across the page sets it)."""
    placed = [
        (float(x0), float(y0), float(x1), float(y1), html.unescape(t))
        for x0, y0, x1, y1, t in WORD.findall(_pages_text(pdf, page)[0])
    ]
    tokens = [(n, w) for n, word in enumerate(placed) for w in words(word[4])]
    width = max((w[2] for w in placed), default=0.0)
    found: dict[str, int | None] = {}
    for slug, headline in headlines.items():
        want = words(headline)[:6]
        found[slug] = None
        starts = [
            tokens[i][0]
            for i in range(len(tokens) - len(want) + 1)
            if [w for _, w in tokens[i : i + len(want)]] == want
        ]
        for start in sorted(starts, key=lambda n: placed[n][1]):
            x0, y0, _, y1, _ = placed[start]
            line = y1 - y0
            numbers = [
                w for w in placed
                if w[4].isdigit() and w[0] > x0 and y0 - 2 <= (w[1] + w[3]) / 2 <= y1 + 3 * line
                and (w[0] - x0 < width / 2 or abs(w[1] - y0) <= line / 2)  # (or at the line's end)
            ]  # fmt: skip
            if numbers:
                best = min(numbers, key=lambda w: (abs(w[1] - y0) > line / 2, w[1], w[0]))
                found[slug] = int(best[4])
                break
    return found


@dataclass
class Figures:
    pages: int = 0
    multiple_of_4: bool = False
    smallest: int = 0
    filler: float = 0.0
    worst: tuple[int, float] = (0, 0.0)
    half_filler: list[int] = field(default_factory=list)
    panel_max: int = 0
    multi: tuple[int, int] = (0, 0)
    butting: int = 0
    bottom: int = 0
    overlaps: int = 0
    narrow_photo: tuple[int, int] = (0, 0)
    min_ppi: float = 0.0
    below_200: int = 0
    images: int = 0
    min_text: tuple[float, str] = (1.0, "")
    contents: tuple[int, int, int] = (0, 0, 0)  # right, wrong, not found
    seconds: float = 0.0


def measure(result: Build) -> Figures | None:
    report = result.report
    press = next((o for o in report.get("outputs", []) if o.get("kind") == "press-pdf"), None)
    if press is None or "flatplan" not in press or not press["flatplan"]:
        print(f"{result.name}: report.json has no flatplan: this build predates the make-up.")
        return None
    plan = press["flatplan"]
    pdf = result.out / Path(press["path"]).name
    f = Figures(seconds=result.seconds)
    made = plan["pages"]
    height = plan["text_area_mm"][1]
    front = plan["front_pages"]
    print(
        f"\n== {result.name}: {len(report['articles'])} articles, built in {result.seconds:.0f} s"
    )

    # Pagination and filler (front pages count as full, as in the report).
    f.pages = plan["page_count"]
    f.multiple_of_4 = f.pages % 4 == 0
    filled = sum(1 - p["empty"] - p["house"] for p in made)
    f.smallest = 4 * math.ceil((front + filled - 1e-6) / 4)
    print(
        f"pages: {f.pages} ({front} front), multiple of 4: {'yes' if f.multiple_of_4 else 'NO'};"
        f" editorial fills {front + filled:.2f} pages: smallest multiple of 4 {f.smallest}"
        + (f" (PDF has {press['pages']})" if press.get("pages") != f.pages else "")
    )
    fills = {p["page"]: p["empty"] + p["house"] for p in made}
    f.filler = sum(fills.values()) / f.pages
    f.worst = max(fills.items(), key=lambda kv: kv[1]) if fills else (0, 0.0)
    f.half_filler = [n for n, share in fills.items() if share > 0.5]
    house = sum(p["house"] for p in made) / f.pages
    print(
        f"filler: {100 * f.filler:.1f} % of the text area (house {100 * house:.1f} %, empty"
        f" {100 * (f.filler - house):.1f} %; report says {100 * plan['filler']:.1f} %);"
        f" worst page {f.worst[0]} at {100 * f.worst[1]:.0f} %;"
        f" over half filler: {', '.join(map(str, f.half_filler)) or 'none'}"
    )
    print("  by page: " + ", ".join(f"p{n} {100 * s:.0f} %" for n, s in fills.items()))

    # House panels.
    manifest = tomllib.loads(result.manifest.read_text(encoding="utf-8"))
    kinds = [h.get("kind", "?") for h in manifest.get("house", [])]
    uses = Counter(key for p in made for key in p["panels"])
    f.panel_max = max(uses.values(), default=0)

    def panel(key: str) -> str:
        n = key.removeprefix("house-")
        return f"{key} ({kinds[int(n)]})" if n.isdigit() and int(n) < len(kinds) else key

    print(
        "house panels placed: "
        + (", ".join(f"{panel(k)} ×{n}" for k, n in sorted(uses.items())) or "none")
    )

    # Stories per page, heads.
    multi = [p["page"] for p in made if len({s["slug"] for s in p["stories"]}) >= 2]
    f.multi = (len(multi), len(made))
    print(
        f"inside pages with 2+ stories: {len(multi)} of {len(made)}"
        f" ({100 * len(multi) / max(1, len(made)):.0f} %): {', '.join(map(str, multi))}"
    )
    butting, bottom, overlaps = [], [], []
    for p in made:
        heads = [s for s in p["stories"] if s["head_mm"]]
        for a, b in itertools.combinations(heads, 2):
            if a["picture_led"] or a["boxed"] or b["picture_led"] or b["boxed"]:
                continue
            ha, hb = a["head_mm"], b["head_mm"]
            if abs(ha[1] - hb[1]) <= 3 and _side_by_side(ha, hb):
                butting.append(f"p{p['page']} {a['slug']} | {b['slug']}")
        bottom += [f"p{p['page']} {s['slug']}" for s in heads if s["head_mm"][1] > 0.8 * height]
        for a, b in itertools.combinations(p["stories"], 2):
            if _overlap(a["box_mm"], b["box_mm"]):
                overlaps.append(f"p{p['page']} {a['slug']} / {b['slug']}")
    f.butting, f.bottom, f.overlaps = len(butting), len(bottom), len(overlaps)
    print(f"butting headlines: {len(butting)}" + "".join(f"\n  {x}" for x in butting))
    print(
        f"headlines in the bottom fifth (top > {0.8 * height:.0f} mm): {len(bottom)}"
        + "".join(f"\n  {x}" for x in bottom)
    )
    print(f"overlapping story boxes: {len(overlaps)}" + "".join(f"\n  {x}" for x in overlaps))

    # Photos: the flatplan's lead photos, and every placed image from the preflight.
    from printedition.press.preflight import preflight_file

    images = preflight_file(pdf).images
    column = min(
        (s["box_mm"][2] / s["columns"] for p in made for s in p["stories"] if s["columns"]),
        default=plan["text_area_mm"][0],
    )
    by_page: dict[int, Any] = {}
    for image in images:
        area = image.placed_width_mm * image.placed_height_mm
        if image.page not in by_page or area > by_page[image.page][0]:
            by_page[image.page] = (area, image)
    narrow = [n for n, (_, im) in sorted(by_page.items()) if im.placed_width_mm < 1.5 * column]
    f.narrow_photo = (len(narrow), len(by_page))
    lead = {p["page"]: max(s["photo_columns"] for s in p["stories"]) for p in made if p["stories"]}
    lead = {n: c for n, c in lead.items() if c}
    print(
        f"dominant photo (largest placed, column {column:.1f} mm): pages with photos"
        f" {len(by_page)}, narrower than 2 columns: {', '.join(map(str, narrow)) or 'none'};"
        f" flatplan lead photos: {', '.join(f'p{n} {c} col' for n, c in lead.items()) or 'none'}"
    )
    if images:
        f.images = len(images)
        f.min_ppi = min(i.ppi for i in images)
        f.below_200 = sum(1 for i in images if i.ppi < 200)
        low = sorted(images, key=lambda i: i.ppi)[:5]
        print(
            f"photos: {len(images)} placed, min {f.min_ppi:.0f} ppi, below 200: {f.below_200},"
            f" below 150: {sum(1 for i in images if i.ppi < 150)}; lowest: "
            + ", ".join(
                f"p{i.page} {i.width_px} px at {i.placed_width_mm:.0f} mm = {i.ppi:.0f} ppi"
                for i in low
            )
        )

    # Text completeness and the contents page.
    if shutil.which("pdftotext") is None:
        print("pdftotext not found: text and contents figures skipped")
        return f
    text = _pages_text(pdf)
    pdf_words = Counter(words("\n".join(text)))
    shares: list[tuple[float, float, str, int]] = []
    articles = [a for a in report["articles"] if a["status"] == "ok" and a["only"] != "epub"]
    for art in articles:
        own = Counter(model_words(Path(art["source"])))
        pages = set(range(1, front + 1)) | {
            p["page"] for p in made if any(s["slug"] == art["slug"] for s in p["stories"])
        }
        here = Counter(words("\n".join(text[n - 1] for n in pages if n <= len(text))))
        total = sum(own.values()) or 1
        on_pages = sum(min(n, here[w]) for w, n in own.items()) / total
        anywhere = sum(min(n, pdf_words[w]) for w, n in own.items()) / total
        shares.append((on_pages, anywhere, art["slug"], total))
    shares.sort()
    f.min_text = (shares[0][0], shares[0][2]) if shares else (1.0, "")
    print(
        "words found on the story's pages (multiset): min "
        f"{100 * f.min_text[0]:.1f} %; lowest: "
        + "; ".join(
            f"{slug} {100 * a:.1f} % of {n} (whole PDF {100 * b:.1f} %)"
            for a, b, slug, n in shares[:4]
        )
    )
    starts = _first_pages(plan)
    cover = manifest.get("cover", {})
    if cover.get("jump") and cover.get("article") in starts:
        # [cover] jump: the story opens on the front page and continues inside.
        starts[cover["article"]] = 1
    headlines = {a["slug"]: a["headline"] for a in articles if a["slug"] in starts}
    contents_page = front + 1
    numbers = contents_numbers(pdf, contents_page, headlines)
    right = [s for s, n in numbers.items() if n == starts[s]]
    wrong = [f"{s} says {n}, starts {starts[s]}" for s, n in numbers.items() if n not in (None, starts[s])]  # fmt: skip
    missing = [s for s, n in numbers.items() if n is None]
    f.contents = (len(right), len(wrong), len(missing))
    print(
        f"contents (page {contents_page}): {len(right)} of {len(numbers)} numbers match where"
        f" the story starts; wrong: {len(wrong)}; not found: {len(missing)}"
        + "".join(f"\n  wrong: {x}" for x in wrong)
        + "".join(f"\n  not found: {x}" for x in missing)
    )
    for note in plan.get("notes", []):
        print(f"  ! {note}")
    return f


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------


def table(results: dict[str, Figures | None]) -> None:
    def cell(f: Figures | None, what: str) -> str:
        if f is None:
            return "—"
        return {
            "pages": f"{f.pages} ({'×4' if f.multiple_of_4 else 'not ×4'}; min {f.smallest})",
            "filler": f"{100 * f.filler:.1f} %",
            "worst": f"p{f.worst[0]} {100 * f.worst[1]:.0f} %",
            "half": str(len(f.half_filler)),
            "panel": str(f.panel_max),
            "multi": f"{f.multi[0]}/{f.multi[1]} ({100 * f.multi[0] / max(1, f.multi[1]):.0f} %)",
            "butting": str(f.butting),
            "bottom": str(f.bottom),
            "overlaps": str(f.overlaps),
            "photo": f"{f.narrow_photo[0]} of {f.narrow_photo[1]}",
            "ppi": f"{f.min_ppi:.0f}" if f.images else "no photos",
            "200": f"{f.below_200} of {f.images}",
            "text": f"{100 * f.min_text[0]:.1f} %",
            "contents": f"{f.contents[0]} ok, {f.contents[1]} wrong, {f.contents[2]} ?",
            "time": f"{f.seconds:.0f} s",
        }[what]

    rows = (
        ("pages", "smallest multiple of 4", "pages"),
        ("filler of text area", "≤ 10 %", "filler"),
        ("worst page filler", "≤ 50 %", "worst"),
        ("pages over half filler", "0", "half"),
        ("most uses of a panel", "≤ 2", "panel"),
        ("inside pages, 2+ stories", "≥ 1/3", "multi"),
        ("butting headlines", "0", "butting"),
        ("heads in bottom fifth", "0", "bottom"),
        ("overlapping story boxes", "0", "overlaps"),
        ("dominant photo < 2 cols", "0", "photo"),
        ("min ppi where placed", "≥ 150", "ppi"),
        ("photos below 200 ppi", "warned", "200"),
        ("min words found/article", "≥ 99 %", "text"),
        ("contents page numbers", "all ok", "contents"),
        ("build time", "—", "time"),
    )
    print_targets(rows, {n: (lambda key, f=f: cell(f, key)) for n, f in results.items()}, (26, 22, 28))


def print_targets(
    rows: Sequence[tuple[str, str, str]],
    columns: Mapping[str, Callable[[str], str]],
    widths: tuple[int, int, int],
) -> None:
    """A figure / target / one column per issue table: ``rows`` (label, target, key), each
    column's cell for a key from its function; ``widths``: label, target, least per column."""
    names = list(columns)
    width = [widths[0], widths[1], *(max(widths[2], len(n)) for n in names)]
    header = ("figure", "target", *names)
    print("\n" + "  ".join(h.ljust(w) for h, w in zip(header, width, strict=True)))
    print("  ".join("-" * w for w in width))
    for label, target, key in rows:
        cells = (label, target, *(columns[n](key) for n in names))
        print("  ".join(c.ljust(w) for c, w in zip(cells, width, strict=True)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, help="work in DIR and keep the issues and outputs")
    parser.add_argument("--jobs", type=int, default=1, help="the builds' --jobs (default 1)")
    parser.add_argument("--check", action="store_true", help="run EPUBCheck in the builds")
    args = parser.parse_args()
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: the folder is not empty")
    with tempfile.TemporaryDirectory(prefix="printedition-makeup-") as name:
        work = Path(name)
        if args.keep:
            work = args.keep.resolve()
            work.mkdir(parents=True, exist_ok=True)
        issues = {"sample issue": sample_issue(work)}
        manifest, lengths = generated_issue(work)
        issues["generated issue"] = manifest
        print(
            f"generated issue: {len(PLAN)} articles; body words: "
            + "; ".join(f"{k} {len(v)}: {min(v)}–{max(v)}" for k, v in lengths.items())
        )
        results: dict[str, Figures | None] = {}
        for label, path in issues.items():
            done = build(label.split()[0], path, work, args.jobs, args.check)
            if done is not None:
                done.name = label
            results[label] = None
            try:
                results[label] = measure(done) if done is not None else None
            except Exception:  # a bench prints what it could not measure and goes on
                print(f"{label}: could not measure:")
                traceback.print_exc(file=sys.stdout)
        if all(r is None for r in results.values()):
            return
        table(results)
        if args.keep:
            print(f"\nkept: {work}")


if __name__ == "__main__":
    main()
