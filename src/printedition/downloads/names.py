"""Names: the conventional file names of a month's downloads and the sizes readers are shown.

Goes in: the paper's name, the issue's date (or its printed cover date) and an article's slug.
Comes out: ``byline-times-2026-12.epub``, ``byline-times-2026-12-<slug>.epub``, the covers'
names, and "1.4 MB" for a file size.
"""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    name: n
    for n, name in enumerate(
        (
            "january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december",
        ),
        start=1,
    )
}  # fmt: skip


def slugify(text: str, *, fallback: str = "item", limit: int = 60) -> str:
    """Lower-case ASCII letters, digits and single hyphens: safe in a URL and on any disk."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")
    return slug or fallback


def issue_month(date: dt.date | None, cover_date: str) -> tuple[int, int] | None:
    """(year, month) of the issue: its date, else a printed cover date like "December 2026"."""
    if date is not None:
        return date.year, date.month
    words = re.findall(r"[a-z]+|\d{4}", cover_date.lower())
    month = next((_MONTHS[w] for w in words if w in _MONTHS), None)
    year = next((int(w) for w in words if w.isdigit()), None)
    return (year, month) if year and month else None


def issue_stem(paper: str, *, date: dt.date | None, cover_date: str, number: int) -> str:
    """``<paper-slug>-YYYY-MM`` (``<paper-slug>-no-N`` when the issue has no month)."""
    base = slugify(paper, fallback="paper")
    month = issue_month(date, cover_date)
    return f"{base}-{month[0]:04d}-{month[1]:02d}" if month else f"{base}-no-{number}"


def article_stem(issue: str, slug: str) -> str:
    return f"{issue}-{slugify(slug, fallback='article')}"


def human_size(size: int) -> str:
    """Bytes as a reader reads them (SI units, as phones and browsers show them)."""
    if size < 1000:
        return f"{size} bytes"
    value = size / 1000
    for unit in ("kB", "MB"):
        if round(value, 1) < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


__all__ = ["article_stem", "human_size", "issue_month", "issue_stem", "slugify"]
