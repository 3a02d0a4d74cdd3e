"""Benchmark personal copies: ``printedition stamp`` with a generated supporters list.

Writes a CSV of ``--rows`` supporters (plus one row with no name and one that is not UTF-8,
which must be reported by line), runs ``printedition stamp`` on the issue EPUB with ``--jobs``
worker processes as a separate process, and prints its wall time, the copies per second and
the peak memory (the largest resident set of the command or any of its workers). Then
EPUBCheck runs once over ``--check`` copies sampled at random (seeded), and the copies are
deleted unless ``--keep``.

    python bench/stamp.py [--epub ISSUE.epub] [--rows 10000] [--jobs 2] [--check 20] [--keep]

Without ``--epub`` the sample issue's EPUB is built first (``--only epub``, not timed).
Target (issue 13): 10,000 copies in minutes on 2 cores; each sampled copy EPUBCheck-clean.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from printedition.validate import check_epub

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from printedition.cli import main; main()"]
FIRST = ["Ada", "Alan", "Grace", "Zoë", "Łukasz", "Aoife", "Nguyễn", "Priya", "Marcus", "Hannah"]
LAST = ["Lovelace", "Turing", "Hopper", "Ó Súilleabháin", "Wróbel", "Ní Bhriain", "Raman", "Bell"]


def supporters_csv(path: Path, rows: int) -> None:
    rng = random.Random(13)
    lines = ["name,since,email"]
    for n in range(rows):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        since = f"{rng.randint(2015, 2026)}-{rng.randint(1, 12):02d}"
        lines.append(f'"{name}",{since},supporter{n}@example.org')
    data = ("\n".join(lines) + "\n").encode("utf-8")
    # Two bad rows the stamp must name by line: no name, and bytes that are not UTF-8.
    data += b",2020-01,noname@example.org\n" + b"Bad \xff name,2021-01,bad@example.org\n"
    path.write_bytes(data)


def build_issue_epub(work: Path) -> Path:
    out = work / "issue"
    subprocess.run(
        [*CLI, "issue", "build", str(ROOT / "samples" / "issue" / "issue.toml"), "-o", str(out),
         "--only", "epub", "--no-check", "--cache-dir", str(work / "cache"), "-q"],
        check=True,
    )  # fmt: skip
    return out / "issue-42.epub"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epub", type=Path, default=None)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--check", type=int, default=20)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-stamp-"))
    try:
        epub = args.epub or build_issue_epub(work)
        listing = work / "supporters.csv"
        supporters_csv(listing, args.rows)
        out = work / "copies"
        print(f"EPUB: {epub} ({epub.stat().st_size / 1e6:.2f} MB); {args.rows} rows + 2 bad")
        start = time.perf_counter()
        done = subprocess.run(
            [*CLI, "stamp", str(epub), "--supporters", str(listing), "-o", str(out),
             "--jobs", str(args.jobs)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(done.stderr.strip())
        print(done.stdout.strip())
        copies = sorted(out.glob("*.epub"))
        size = sum(p.stat().st_size for p in copies)
        print(
            f"stamp: exit {done.returncode}, {len(copies)} copies, {size / 1e9:.2f} GB in "
            f"{seconds:.1f} s ({len(copies) / seconds:.0f} copies/s, "
            f"{size / 1e6 / seconds:.0f} MB/s) with --jobs {args.jobs}; "
            f"peak memory {peak_mb:.0f} MB (largest process)"
        )
        sample = random.Random(0).sample(copies, min(args.check, len(copies)))
        start = time.perf_counter()
        messages = [m for m in check_epub(sample) if m.severity != "INFO"]
        print(
            f"EPUBCheck: {len(sample)} sampled copies in one run, {time.perf_counter() - start:.1f}"
            f" s: {len(messages)} messages"
            + ("" if not messages else "\n" + "\n".join(m.format() for m in messages[:20]))
        )
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
