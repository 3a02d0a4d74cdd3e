"""Benchmark the monthly issue build (figures printed, never asserted).

1. The sample issue: a first build (cold cache), a rebuild with nothing changed, and a rebuild
   after editing one article (targets: ≥ 5× faster, ≤ 35 % of the first build: issue 10); the median
   of ``--repeat`` rounds, each in fresh folders.
2. Generated issues of 40 and 160 articles with fresh photo-like JPEGs (made in a temporary
   folder, never committed): cost should grow linearly (160 ≤ 4.5 × 40), peak memory < 1.5 GB.
3. The 40-article issue with --jobs 2 (cold cache): the press PDF's time (laid out in parts on
   two processes, joined, finished and preflighted) against WeasyPrint alone laying out the
   same issue as one document in one process (``write_pdf``'s render call, timed in a process
   of its own in the same round); the median ratio of ``--repeat`` rounds (target ≤ 0.85).

Each build runs in its own process so peak memory (ru_maxrss, the process and its workers)
is its own. The machine is shared: run it when ``uptime`` shows little load.
Run from the repository root:  python bench/issue.py [--sizes 40,160] [--repeat 3]
[--parts sample,ratio] (the parts: sample = 1, scaling and proof = 2 and its proof cost, ratio = 3)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "articles"
# The parts: 1 the sample issue's rebuilds; 2 the generated issues' scaling; 3 the proof's cost
# and the press PDF against WeasyPrint alone (on the generated issue of the first size).
PARTS = ("sample", "scaling", "proof", "ratio")
SECTIONS = ("News", "Politics & Economy", "World & Environment", "Opinion & Culture")


# ---------------------------------------------------------------------------------------------
# One build, in this process (the child side)
# ---------------------------------------------------------------------------------------------


def _time_renders() -> list[float]:
    """Every WeasyPrint layout in this process, timed (engine.py is the only module that
    calls WeasyPrint)."""
    import printedition.press.engine as engine

    renders: list[float] = []
    original = getattr(engine, "_bench_original_render", engine._render)
    engine._bench_original_render = original  # type: ignore[attr-defined]

    def timed_render(html: str, *args: object, **kwargs: object) -> bytes:
        start = time.perf_counter()
        try:
            return original(html, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            renders.append(time.perf_counter() - start)

    engine._render = timed_render  # type: ignore[assignment]
    return renders


def run_build(
    manifest: Path, out: Path, cache: Path, jobs: int, check: bool, *, proof: bool = True
) -> dict[str, object]:
    """One issue build. ``proof`` False: the press file alone (the proof's path gets a copy),
    to set the proof's cost against."""
    import printedition.issue.writers as writers
    from printedition.issue import BuildOptions, build_issue, load_manifest

    renders = _time_renders()
    parts: dict[str, object] = {}
    hooks = vars(writers)
    write_pdf = hooks.setdefault("_bench_original_write_pdf", hooks["write_pdf"])
    outputs_type = hooks["PressOutputs"]

    def recorded(edition: object, where: Any, *args: object, **kwargs: object) -> object:
        proof_path = where.proof
        if not proof:
            where = outputs_type(press=where.press)
        started = time.perf_counter()
        result = write_pdf(edition, where, *args, **kwargs)
        parts["press"] = dataclasses.asdict(result.parts) if result.parts else {}
        parts["press_seconds"] = round(time.perf_counter() - started, 2)
        if not proof:
            shutil.copy(where.press, proof_path)
        return result

    hooks["write_pdf"] = recorded
    start = time.perf_counter()
    report = build_issue(
        load_manifest(manifest),
        BuildOptions(out_dir=out, cache_dir=cache, jobs=jobs, validate=check, source_date_epoch=0),
    )
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    outputs = {o.kind: o for o in report.outputs if o.kind != "article-epub"}
    press = outputs.get("press-pdf")
    return {
        "seconds": round(seconds, 2),
        "peak_mb": round(max(own, children), 1),
        "pages": press.pages if press else 0,
        # press and proof come from one layout: the time of that one press step
        "press_seconds": parts.get("press_seconds", 0.0),
        "weasyprint_seconds": [round(s, 2) for s in renders],
        "articles": len(report.articles),
        "cached_outputs": sum(1 for o in report.outputs if o.cached),
        "ok": report.ok,
        "stages": report.stages,
        "parts": parts.get("press", {}),
    }


def run_one_pass(manifest: Path, out: Path, cache: Path) -> dict[str, object]:
    """The baseline: every printed article of the issue as one WeasyPrint document, laid out in
    this one process (the processed images come from ``cache``); returns the time of that
    layout."""
    import printedition.issue.writers as writers
    import printedition.press.parts as parts
    from printedition.issue import BuildOptions, build_issue, load_manifest

    renders = _time_renders()
    write_pdf = vars(writers)["write_pdf"]

    def one_document(edition: Any, where: Any, options: Any, **kwargs: Any) -> object:
        # Every story in one document, one after the other in balanced columns (the layout
        # before the make-up), with its inline photos; laid out once, timed.
        from printedition.press.engine import render
        from printedition.press.layout import Geometry, build_document

        stories = parts.story_parts(edition, options, cache=kwargs["cache"], colours=False, warnings=[])
        furniture = parts.furniture_for(options, edition.articles, masthead=True)
        html = build_document(
            [p.story for p in stories],
            geometry=Geometry.for_format(options.page_format, options.style),
            furniture=furniture,
            bleed_mm=options.bleed_mm,
        )
        images = {k: v for p in stories for k, v in p.images.items()}
        renders.clear()
        render(html, images, variant=options.variant, date=furniture.date, style=options.style)
        return write_pdf(edition, where, options, **kwargs)  # the build goes on as usual

    vars(writers)["_restore"] = lambda *a, **k: False
    vars(writers)["write_pdf"] = one_document
    build_issue(
        load_manifest(manifest),
        BuildOptions(
            out_dir=out,
            cache_dir=cache,
            only=frozenset({"pdf"}),
            validate=False,
            source_date_epoch=0,
        ),
    )
    return {"weasyprint_seconds": round(renders[0], 2)}


def child(argv: list[str]) -> None:
    manifest, out, cache, jobs, check = argv
    if jobs == "one-pass":
        print(json.dumps(run_one_pass(Path(manifest), Path(out), Path(cache))))
        return
    press_only = jobs.endswith("-press-only")
    result = run_build(
        Path(manifest),
        Path(out),
        Path(cache),
        int(jobs.removesuffix("-press-only")),
        check == "1",
        proof=not press_only,
    )
    print(json.dumps(result))


def build(
    manifest: Path, out: Path, cache: Path, *, jobs: int | str = 1, check: bool = True
) -> dict:  # type: ignore[type-arg]
    cmd = [
        sys.executable,
        __file__,
        "--child",
        str(manifest),
        str(out),
        str(cache),
        str(jobs),
        "1" if check else "0",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# ---------------------------------------------------------------------------------------------
# Generated issues
# ---------------------------------------------------------------------------------------------


def photo(width: int, height: int, seed: int) -> bytes:
    """A photo-like JPEG: sky/ground gradient, soft shapes, grain (compresses like a photo)."""
    import io

    from PIL import Image, ImageDraw, ImageFilter

    rnd = random.Random(seed)
    top = tuple(rnd.randrange(40, 200) for _ in range(3))
    bottom = tuple(rnd.randrange(20, 160) for _ in range(3))
    gradient = Image.linear_gradient("L").resize((width, height))
    img = Image.composite(
        Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), gradient
    )  # type: ignore[arg-type]
    draw = ImageDraw.Draw(img)
    for _ in range(24):
        x, y = rnd.randrange(width), rnd.randrange(height)
        r = rnd.randrange(width // 30, width // 5)
        colour = tuple(rnd.randrange(0, 255) for _ in range(3))
        draw.ellipse((x - r, y - r // 2, x + r, y + r // 2), fill=colour)  # type: ignore[arg-type]
    img = img.filter(ImageFilter.GaussianBlur(width / 300))
    grain = Image.effect_noise((width, height), 18).convert("RGB")
    img = Image.blend(img, grain, 0.12)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def generate_issue(folder: Path, count: int) -> Path:
    from PIL import Image

    sources = sorted(p.parent for p in SAMPLES.glob("*/index.html"))
    articles = folder / "articles"
    articles.mkdir(parents=True)
    entries: list[list[str]] = [[] for _ in SECTIONS]
    for i in range(count):
        src = sources[i % len(sources)]
        slug = f"{src.name}-{i:03d}"
        dest = articles / slug
        dest.mkdir()
        html = (src / "index.html").read_bytes()  # some samples are not UTF-8: keep the bytes
        # A distinct headline per copy, so every story is its own.
        html = re.sub(rb"(<h1[^>]*>)", rb"\1No. %d: " % i, html, count=1)
        html = re.sub(rb"(<title>)", rb"\1No. %d: " % i, html, count=1)
        (dest / "index.html").write_bytes(html)
        for image in src.iterdir():
            if image.suffix == ".jpg":
                with Image.open(image) as im:
                    size = im.size
                (dest / image.name).write_bytes(
                    photo(*size, seed=i * 1000 + hash(image.name) % 997)
                )
            elif image.suffix in (".png", ".webp"):
                shutil.copy(image, dest / image.name)
        entries[i * len(SECTIONS) // count].append(f"../articles/{slug}/index.html")
    lines = [
        '[paper]\nname = "Byline Times"\nformat = "tabloid"\n',
        f'[issue]\nnumber = {count}\ncover_date = "December 2026"\n',
        f'[cover]\narticle = "{entries[0][0]}"\n',
    ]
    for title, arts in zip(SECTIONS, entries, strict=True):
        items = "".join(f'  "{a}",\n' for a in arts)
        lines.append(f'[[sections]]\ntitle = "{title}"\narticles = [\n{items}]\n')
    lines.append('[[house]]\nkind = "subscription"\ntitle = "Get the paper every month"\n')
    manifest = folder / "issue" / "issue.toml"
    manifest.parent.mkdir()
    manifest.write_text("\n".join(lines), encoding="utf-8")
    return manifest


# ---------------------------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------------------------


def sample_rebuilds(tmp: Path, repeat: int) -> None:
    rounds: list[tuple[dict, dict, dict]] = []  # type: ignore[type-arg]
    for n in range(repeat):
        work = tmp / f"sample-{n}"
        shutil.copytree(SAMPLES, work / "articles")
        (work / "issue").mkdir()
        shutil.copy(ROOT / "samples" / "issue" / "issue.toml", work / "issue" / "issue.toml")
        manifest, out, cache = work / "issue" / "issue.toml", work / "out", work / "cache"
        # In this one process: the cache keys include a digest of the package's code, and
        # other work on the tree between processes would change it.
        first = run_build(manifest, out, cache, 1, True)
        again = run_build(manifest, out, cache, 1, True)
        page = work / "articles" / "rail-strike-called-off" / "index.html"
        html = page.read_text(encoding="utf-8")
        page.write_text(
            html.replace("remain valid,", "remain valid for a further two weeks,", 1),
            encoding="utf-8",
        )
        edited = run_build(manifest, out, cache, 1, True)
        rounds.append((first, again, edited))
    firsts = [f["seconds"] for f, _, _ in rounds]
    speedups = [f["seconds"] / a["seconds"] for f, a, _ in rounds]
    shares = [100 * e["seconds"] / f["seconds"] for f, _, e in rounds]
    first, _, edited = rounds[len(rounds) // 2]
    print(f"Sample issue (9 articles, --jobs 1, EPUBCheck on), median of {repeat} round(s):")
    print(
        f"  first build        {statistics.median(firsts):7.2f} s  ({first['pages']} pages,"
        f" peak {first['peak_mb']} MB)  rounds: {', '.join(f'{x:.1f}' for x in firsts)}"
    )
    print(
        f"  nothing changed    {statistics.median(speedups):7.0f}× faster (target ≥ 5×)"
        f"  rounds: {', '.join(f'{x:.0f}×' for x in speedups)}"
    )
    print(
        f"  one article edited {statistics.median(shares):7.0f} % of the first (target ≤ 35 %)"
        f"  rounds: {', '.join(f'{x:.0f} %' for x in shares)}"
    )
    print(
        f"    (press and proof {edited['press_seconds']} s; parts {edited['parts']})"
    )
    for label, r in (("first", first), ("edited", edited)):
        print(
            f"    stages, {label}: " + ", ".join(f"{k} {v:.1f} s" for k, v in r["stages"].items())
        )


def scaling(tmp: Path, sizes: list[int], check: bool, repeat: int, parts: set[str]) -> None:
    results: dict[int, dict] = {}  # type: ignore[type-arg]
    for n in sizes if "scaling" in parts else ():
        manifest = generate_issue(tmp / f"gen{n}", n)
        results[n] = build(manifest, tmp / f"gen{n}-out", tmp / f"gen{n}-cache", check=check)
        r = results[n]
        print(
            f"{n:4d} articles: {r['seconds']:7.1f} s, {r['pages']} pages, peak {r['peak_mb']} MB;"
            f" press PDF and proof {r['press_seconds']} s,"
            f" WeasyPrint renders {r['weasyprint_seconds']}"
        )
        if n == 40:
            print(
                "       before issue 9 (quiet machine): first build 85.7 s for 56 pages,"
                " press PDF 34.3 s + proof 43.4 s (a second layout)"
            )
        print("       stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in r["stages"].items()))
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        ratio = results[b]["seconds"] / results[a]["seconds"]
        print(
            f"  {b}/{a} cost ratio {ratio:.2f} (linear: {b / a:.1f}; target ≤ {4.5 * b / 160 * 40 / a:.2f})"
        )
        peak = max(r["peak_mb"] for r in results.values())
        print(f"  peak memory {peak} MB (target < 1536 MB)")
    n = sizes[0]
    manifest = tmp / f"gen{n}" / "issue" / "issue.toml"
    if not manifest.exists():
        generate_issue(tmp / f"gen{n}", n)
    shares: list[float] = []
    for round_ in range(repeat if "proof" in parts else 0):
        # The proof's cost: the print step with the proof against the same step without it,
        # each from a cold cache (photos processed, parts laid out), in the same round.
        both = build(manifest, tmp / f"p{round_}-both", tmp / f"p{round_}-both-c", check=False)
        alone = build(
            manifest, tmp / f"p{round_}-press", tmp / f"p{round_}-press-c", jobs="1-press-only",
            check=False,
        )  # fmt: skip
        extra = both["press_seconds"] - alone["press_seconds"]
        shares.append(100 * extra / alone["press_seconds"])
        print(
            f"{n} articles, round {round_ + 1}: press + proof {both['press_seconds']} s,"
            f" press alone {alone['press_seconds']} s: proof {shares[-1]:+.1f} %"
        )
    if shares:
        print(
            f"{n} articles: the proof costs {statistics.median(shares):+.1f} % of the press PDF"
            f" (median of {len(shares)}; target ≤ 15 %; before issue 9: 126 %, a second layout)"
        )
    ratios: list[float] = []
    for round_ in range(repeat if "ratio" in parts else 0):
        par = build(
            manifest,
            tmp / f"gen{n}-j2-out-{round_}",
            tmp / f"gen{n}-j2-cache-{round_}",
            jobs=2,
            check=check,
        )
        alone = build(
            manifest,
            tmp / f"gen{n}-one-out-{round_}",
            tmp / f"gen{n}-j2-cache-{round_}",
            jobs="one-pass",
        )["weasyprint_seconds"]
        ratios.append(par["press_seconds"] / alone)
        print(
            f"{n} articles, --jobs 2, round {round_ + 1}: {par['seconds']:.1f} s total"
            f" (--jobs 1: {results[n]['seconds'] if n in results else '-'} s); press PDF {par['press_seconds']} s"
            f" in parts {par['parts']} vs WeasyPrint alone on the whole issue"
            f" {alone} s: {ratios[-1]:.2f}×"
        )
        print(f"       stages: {par['stages']}")
    if ratios:
        print(
            f"{n} articles: press PDF with --jobs 2 / WeasyPrint alone in one process:"
            f" median {statistics.median(ratios):.2f}× of {len(ratios)} (target ≤ 0.85×)"
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="40,160")
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help="which parts to run, of " + ", ".join(PARTS) + " (the generated issue of the"
        " first size is made for any of the last three)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds for the ratios (median)")
    parser.add_argument(
        "--no-check", action="store_true", help="skip EPUBCheck in the generated issues"
    )
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",") if x]
    parts = {x for x in args.parts.split(",") if x}
    if parts - set(PARTS):
        parser.error(f"--parts: choose among {', '.join(PARTS)}")
    with tempfile.TemporaryDirectory(prefix="printedition-bench-") as name:
        tmp = Path(name)
        if not args.skip_sample and "sample" in parts:
            sample_rebuilds(tmp, args.repeat)
        if sizes and parts & {"scaling", "proof", "ratio"}:
            scaling(tmp, sizes, check=not args.no_check, repeat=args.repeat, parts=parts)


if __name__ == "__main__":
    main()
