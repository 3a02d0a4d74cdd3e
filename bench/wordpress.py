"""Benchmark WordPress as a source (issue 12): figures printed, never asserted.

Against the WordPress-shaped test site on 127.0.0.1 (tests/wpsite.py: the sample posts, the
month's edge posts and ``--bulk`` generated posts; nothing leaves the machine):

1. a cold draft of a month of ``--bulk`` posts (pages of 100) and a second draft with nothing
   changed: time, requests sent, how many were conditional and answered 304 (target: only
   conditional requests, under 20 % of the first's time); the median of ``--repeat`` rounds;
2. the March draft (edges in Europe/London): which posts it lists;
3. REST and WXR models of the same posts: the fields that differ;
4. lead photos (the original upload) and sharing-widget text in the models;
5. with ``--build``: the March issue built from the draft (EPUBCheck, preflight), its time.

Run from the repository root:  python bench/wordpress.py [--bulk 250] [--repeat 3] [--build]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from wpsite import WIDGET_TEXTS, build_site, month_posts, running  # noqa: E402

from printedition.ingest.fetch import Fetcher, FetchOptions  # noqa: E402
from printedition.model import to_dict, to_json  # noqa: E402
from printedition.wordpress.draft import DraftOptions, draft_issue, month_window  # noqa: E402
from printedition.wordpress.mapping import article_from_record  # noqa: E402
from printedition.wordpress.rest import WordPressAPI, record_from_rest  # noqa: E402
from printedition.wordpress.wxr import read_wxr  # noqa: E402


def _options(base: str, tmp: Path, month: str) -> DraftOptions:
    return DraftOptions(
        out=tmp / f"{month}.toml",
        window=month_window(month),
        wordpress=base,
        cache_dir=tmp / "cache",
        allow_private=True,
    )


def _differences(a: dict[str, object], b: dict[str, object]) -> list[str]:
    out = []
    for key in sorted(a):
        if a[key] == b[key]:
            continue
        if key == "authors" and isinstance(a[key], list) and isinstance(b[key], list):
            fields = {
                f for x, y in zip(a[key], b[key], strict=False) for f in x if x[f] != y.get(f)
            }
            out.append(f"authors.{'/'.join(sorted(fields))}" if fields else "authors")
        else:
            out.append(key)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulk", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build", action="store_true", help="also build the March issue")
    args = parser.parse_args()
    site = build_site(bulk=args.bulk)
    with running(site):
        print(f"1. Draft of May 2024 ({args.bulk} posts), {args.repeat} round(s)")
        colds, warms = [], []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as folder:
                tmp = Path(folder)
                cold = draft_issue(_options(site.base, tmp, "2024-05"))
                mark = len(site.log)
                warm = draft_issue(_options(site.base, tmp, "2024-05"))
                api = [e for e in site.log[mark:] if e[0].startswith("/wp-json")]
                colds.append(cold.seconds)
                warms.append(warm.seconds)
        c, w = statistics.median(colds), statistics.median(warms)
        print(f"   cold:  {c:.3f} s, {cold.requests.requests} requests, {cold.fetched} posts "
              f"fetched, {len(cold.posts)} listed")  # fmt: skip
        print(f"   again: {w:.3f} s ({w / c:.1%} of cold), {warm.requests.requests} requests, "
              f"{warm.requests.conditional} conditional, {warm.requests.not_modified} answered "
              f"304 (server saw {sum(1 for e in api if e[2])}/{len(api)} conditional, "
              f"{sum(1 for e in api if e[1] == 304)} × 304), {warm.fetched} fetched")  # fmt: skip
        with tempfile.TemporaryDirectory() as folder:
            march = draft_issue(_options(site.base, Path(folder), "2024-03"))
        ids = {p.id for p in march.posts}
        print("2. Draft of March 2024 (Europe/London)")
        print(f"   listed {sorted(ids)}; expected {sorted(month_posts(site, 2024, 3))}: "
              f"{'same' if ids == month_posts(site, 2024, 3) else 'DIFFERENT'}")  # fmt: skip
        for title, posts in march.sections:
            print(f"   {title}: " + ", ".join(
                f"{p.id} ({p.published:%Y-%m-%d %H:%M %Z})" for p in posts if p.published))  # fmt: skip
        api_client = WordPressAPI(site.base, Fetcher(FetchOptions(allow_private=True)))
        info = api_client.site_info()
        export = read_wxr(site.wxr())
        print("3. REST and WXR models, fields that differ")
        leads, widgets = [], 0
        for post_id in (*sorted(ids), 1000):
            rest = article_from_record(record_from_rest(api_client.post(post_id), info, "api"))
            record = export.post(post_id)
            assert record is not None
            wxr = article_from_record(record)
            print(f"   {post_id} {rest.slug}: "
                  f"{', '.join(_differences(to_dict(rest), to_dict(wxr))) or 'none'}")  # fmt: skip
            for article in (rest, wxr):
                widgets += sum(to_json(article).count(t) for t in WIDGET_TEXTS)
                if article.lead:
                    leads.append(article.lead.image.url.rsplit("/", 1)[-1])
        print("4. Lead photos (REST, WXR): " + ", ".join(leads))
        print(f"   sharing-widget strings in the models: {widgets}")
        if args.build:
            from printedition.issue import BuildOptions, build_issue, load_manifest

            with tempfile.TemporaryDirectory() as folder:
                tmp = Path(folder)
                drafted = draft_issue(_options(site.base, tmp, "2024-03"))
                start = time.perf_counter()
                report = build_issue(
                    load_manifest(drafted.path),
                    BuildOptions(out_dir=tmp / "out", cache_dir=tmp / "cache", allow_private=True),
                )
                seconds = time.perf_counter() - start
            print(f"5. March issue built in {seconds:.1f} s, exit {report.exit_code}")
            for o in report.outputs:
                if o.validator:
                    state = "passed" if o.valid else "FAILED"
                    print(f"   {Path(o.path).name}: {o.validator} {state} ({o.validator_summary})")


if __name__ == "__main__":
    main()
