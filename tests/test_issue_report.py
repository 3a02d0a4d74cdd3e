"""The build's terminal summary (report.json keeps everything; the summary stays readable)."""

from __future__ import annotations

import json

from printedition.issue.report import ArticleReport, IssueReport
from printedition.model import BuildWarning


def test_many_warnings_of_one_kind_are_counted_not_listed() -> None:
    missing = [
        BuildWarning(code="figure-no-alt", message=f"image has no alt text: photo.jpg?{n}", where="a.html")
        for n in range(2498)
    ]
    warnings = (*missing, BuildWarning(code="no-byline", message="no author found", where="a.html"))
    report = IssueReport(
        manifest="issue.toml",
        paper="Byline Times",
        issue=1,
        cover_date="January 2027",
        articles=(
            ArticleReport(
                slug="many-images", headline="H", section="News", source="a.html", status="ok",
                words=5186, images=2498, warnings=warnings,
            ),
        ),
        outputs=(),
    )
    text = report.summary()
    assert text.count("[figure-no-alt] image has no alt text") == 3
    assert "[figure-no-alt] … and 2495 more like it (report.json lists every one)" in text
    assert "[no-byline] no author found (a.html)" in text
    assert "2499 warning(s)" in text
    assert len(text.splitlines()) < 30
    (article,) = json.loads(report.to_json())["articles"]
    assert len(article["warnings"]) == 2499  # the report keeps every one
