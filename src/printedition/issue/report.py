"""Report: what an issue build made and what needs a human's eye → report.json and a summary.

Goes in: per-article and per-output records collected by ``build``. Comes out: an
``IssueReport`` with a stable JSON form and a plain-text summary (the CLI prints it; nothing
here prints).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from printedition.model import BuildWarning
from printedition.press.flatplan import summary_lines

# Warning codes that make a build fail (exit 1): something the reader would miss.
PROBLEM_CODES = frozenset(
    {
        "fetch-failed",
        "no-article",
        "input-failed",
        "internal-error",
        "image-broken",
        "image-missing",
        "layout-failed",  # the story's press layout did not finish: it is not in print
    }
)


SHOWN_PER_CODE = 3  # the summary shows this many warnings of one kind an article, then a count


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleReport:
    slug: str
    headline: str
    section: str
    source: str
    status: str  # "ok" | "failed"
    only: str = "both"
    words: int = 0
    images: int = 0
    warnings: tuple[BuildWarning, ...] = ()
    error: str = ""
    cached: bool = False
    seconds: float = 0.0

    @property
    def problems(self) -> tuple[BuildWarning, ...]:
        return tuple(w for w in self.warnings if w.code in PROBLEM_CODES)


@dataclass(frozen=True, slots=True, kw_only=True)
class OutputReport:
    kind: str  # "issue-epub" | "article-epub" | "press-pdf" | "proof-pdf"
    path: str
    bytes: int = 0
    pages: int = 0  # PDF pages (0 for EPUBs)
    seconds: float = 0.0
    cached: bool = False
    validator: str = ""  # "EPUBCheck", "preflight"
    valid: bool | None = None  # None: not validated
    validator_summary: str = ""
    messages: tuple[str, ...] = ()
    flatplan: dict[str, Any] = field(default_factory=dict)  # the press PDF's make-up


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueReport:
    manifest: str
    paper: str
    issue: int
    cover_date: str
    articles: tuple[ArticleReport, ...]
    outputs: tuple[OutputReport, ...]
    notes: tuple[BuildWarning, ...] = ()  # build-level (cache repairs, layout messages)
    seconds: float = 0.0
    jobs: int = 1
    cache: dict[str, int] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)  # seconds per build stage

    @property
    def failed_articles(self) -> tuple[ArticleReport, ...]:
        return tuple(a for a in self.articles if a.status != "ok")

    @property
    def ok(self) -> bool:
        if self.failed_articles or any(a.problems for a in self.articles):
            return False
        return all(o.valid is not False for o in self.outputs)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def summary(self) -> str:
        """The readable summary printed at the end of a build."""
        lines = [
            f"{self.paper} · No. {self.issue} · {self.cover_date}",
            f"{len(self.articles) - len(self.failed_articles)} of {len(self.articles)} articles built"
            f" in {self.seconds:.1f} s (--jobs {self.jobs}; cache: {self.cache.get('hits', 0)} hits,"
            f" {self.cache.get('misses', 0)} misses)",
        ]
        if self.stages:
            lines.append("Stages: " + " · ".join(f"{k} {v:.1f} s" for k, v in self.stages.items()))
        lines += ["", "Articles"]
        width = max((len(a.slug) for a in self.articles), default=10)
        for a in self.articles:
            if a.status != "ok":
                lines.append(f"  FAILED {a.slug:<{width}}  {a.error}")
                continue
            flag = "!" if a.problems else " "
            note = f"  {a.only} only" if a.only != "both" else ""
            lines.append(
                f"  {flag}  {a.slug:<{width}}  {a.words:>5} words  {a.images:>2} images"
                f"  {len(a.warnings)} warning(s){note}"
            )
            shown: dict[str, int] = {}
            for w in a.warnings:
                shown[w.code] = shown.get(w.code, 0) + 1
                if shown[w.code] <= SHOWN_PER_CODE:
                    lines.append(
                        f"         [{w.code}] {w.message}" + (f" ({w.where})" if w.where else "")
                    )
            for code, count in shown.items():
                if count > SHOWN_PER_CODE:
                    lines.append(
                        f"         [{code}] … and {count - SHOWN_PER_CODE} more like it"
                        " (report.json lists every one)"
                    )
        lines += ["", "Outputs"]
        for o in self.outputs:
            if o.kind == "article-epub":
                continue
            pages = f"{o.pages} pages  " if o.pages else ""
            verdict = (
                "not validated"
                if o.valid is None
                else f"{o.validator}: {'passed' if o.valid else 'FAILED'}"
                + (f" ({o.validator_summary})" if o.validator_summary else "")
            )
            cached = " (cached)" if o.cached else ""
            lines.append(
                f"  {o.path}  {pages}{o.bytes / 1e6:.2f} MB  {o.seconds:.1f} s{cached}  {verdict}"
            )
            lines.extend(f"      {m}" for m in o.messages[:10])
        per_article = [o for o in self.outputs if o.kind == "article-epub"]
        if per_article:
            bad = [o for o in per_article if o.valid is False]
            total = sum(o.bytes for o in per_article)
            verdict = "EPUBCheck: passed" if not bad else f"EPUBCheck: {len(bad)} FAILED"
            if any(o.valid is None for o in per_article):
                verdict = "not validated"
            lines.append(
                f"  articles/*.epub  {len(per_article)} files  {total / 1e6:.2f} MB  {verdict}"
            )
            for o in bad:
                lines.append(f"      {o.path}")
                lines.extend(f"        {m}" for m in o.messages[:5])
        for n in self.notes:
            lines.append(f"  note [{n.code}] {n.message}" + (f" ({n.where})" if n.where else ""))
        for o in self.outputs:
            if o.flatplan:
                lines += ["", *summary_lines(o.flatplan)]
        lines.append("")
        left_out = sum(
            1 for a in self.articles for w in a.warnings if w.code == "makeup-left-out"
        )
        if self.ok and left_out:
            lines.append(
                f"Built: every output is in order, but {left_out} stor"
                f"{'y is' if left_out == 1 else 'ies are'} left out of the fixed page count"
                " (see the flatplan's note above)."
            )
        elif self.ok:
            lines.append("Built: every article and output is in order.")
        else:
            failed = len(self.failed_articles)
            problems = sum(len(a.problems) for a in self.articles)
            invalid = sum(1 for o in self.outputs if o.valid is False)
            lines.append(
                f"Built with problems: {failed} article(s) failed, {problems} image problem(s),"
                f" {invalid} output(s) failed validation."
            )
        return "\n".join(lines) + "\n"


__all__ = ["PROBLEM_CODES", "ArticleReport", "IssueReport", "OutputReport"]
