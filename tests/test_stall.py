"""Nothing stalls a build: long words break, pathological runs are cut in the model (with a
warning naming the article), and every press layout runs in a worker stopped past its budget.

The inputs are the issue's three cases, generated here: one paragraph of 200,000 letters, a
2 MB paragraph without a space, a table of 20,000 columns.
"""

from __future__ import annotations

import json
import string
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from printedition.bounds import ZWSP, bound_article, break_long_words
from printedition.cli import main
from printedition.errors import LayoutError
from printedition.ingest.load import load_article
from printedition.ingest.normalise import normalise_file
from printedition.model import Article, Paragraph, Table, Text, inline_text, to_json
from printedition.render import plain_text, text
from printedition.settings import Limits, page_format
from printedition.workers import Failed, TimedWorkers

BODY = (
    "The council met on Tuesday to discuss the budget for the coming year, and the debate "
    "ran late into the evening as members argued over cuts to library hours and road repairs."
)


def page(body: str, headline: str = "Council budget row deepens") -> str:
    paras = "\n".join(f"<p>{BODY} ({i + 1})</p>" for i in range(6))
    return (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{headline}</title>'
        f'</head><body><article><h1 class="entry-title">{headline}</h1>'
        f'<div class="entry-content">{paras}\n{body}</div></article></body></html>'
    )


def letters(n: int) -> str:
    return (string.ascii_lowercase * (n // 26 + 1))[:n]


def wide_table(columns: int) -> str:
    head = "".join(f"<th>c{i}</th>" for i in range(columns))
    row = "".join(f"<td>{i}</td>" for i in range(columns))
    return f"<table><thead><tr>{head}</tr></thead><tbody><tr>{row}</tr></tbody></table>"


CASES = {
    "word-200k": f"<p>{letters(200_000)}</p>",
    "paragraph-2mb": f"<p>{letters(2_000_000)}</p>",
    "table-20000-columns": wide_table(20_000),
}


def write_case(folder: Path, name: str, body: str, headline: str = "") -> Path:
    path = folder / name / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page(body, headline or f"Story {name}"), encoding="utf-8")
    return path


# --- break opportunities --------------------------------------------------------------------


def test_a_word_longer_than_a_column_gets_break_opportunities_every_few_letters() -> None:
    word = letters(100)
    out = break_long_words(f"before {word} after")
    assert out.startswith("before ") and out.endswith(" after")
    pieces = out[len("before ") : -len(" after")].split(ZWSP)
    assert "".join(pieces) == word  # nothing lost, nothing added but the breaks
    assert len(pieces) > 1 and max(len(p) for p in pieces) <= 12


def test_a_url_breaks_after_its_slashes() -> None:
    url = "https://example.com/a-very-long-path-segment/another/page.html?q=1&r=2"
    pieces = break_long_words(url).split(ZWSP)
    assert "".join(pieces) == url
    assert any(p.endswith("/") for p in pieces)


def test_ordinary_words_cjk_and_accents_are_left_whole() -> None:
    assert break_long_words("internationalisation counterrevolutionaries") == (
        "internationalisation counterrevolutionaries"
    )
    chinese = "中华人民共和国" * 20  # every ideograph is already a break opportunity
    assert break_long_words(chinese) == chinese
    thai = "ประเทศไทย" * 20  # Thai breaks by dictionary, never between arbitrary letters
    assert break_long_words(thai) == thai
    accented = "e\u0301" * 40  # é as e + combining acute: never split from its letter
    out = break_long_words(accented)
    assert ZWSP in out and f"{ZWSP}\u0301" not in out


def test_both_writers_get_the_breaks_from_render_text() -> None:
    """As <wbr/>: a reader who copies or searches the word gets the word."""
    word = letters(60)
    assert text(word) == break_long_words(word).replace(ZWSP, "<wbr/>")
    assert text(f"a<b {word}") == "a&lt;b " + text(word)
    assert text("a <b> & c") == "a &lt;b&gt; &amp; c"
    assert plain_text(word) == word  # <title>, a source URL to copy


# --- caps in the model ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("stall")
    return {name: write_case(root, name, body) for name, body in CASES.items()}


def test_the_200k_letter_word_is_cut_with_a_warning_naming_the_article(
    pages: dict[str, Path],
) -> None:
    article = normalise_file(pages["word-200k"])
    last = article.body[-1]
    assert isinstance(last, Paragraph)
    assert inline_text(last.content) == letters(500) + "…"
    (warning,) = [w for w in article.warnings if w.code == "capped-word"]
    assert warning.where == str(pages["word-200k"])
    assert "Limits.max_word_chars" in warning.message
    # The article's own paragraphs are whole.
    assert (
        sum(1 for b in article.body if isinstance(b, Paragraph) and BODY in inline_text(b.content))
        == 6
    )


def test_the_2mb_paragraph_is_cut_too(pages: dict[str, Path]) -> None:
    article = normalise_file(pages["paragraph-2mb"])
    assert len(to_json(article)) < 20_000
    assert any(w.code == "capped-word" for w in article.warnings)


def test_the_20000_column_table_is_cut_to_a_table(pages: dict[str, Path]) -> None:
    article = normalise_file(pages["table-20000-columns"])
    (table,) = [b for b in article.body if isinstance(b, Table)]
    limits = Limits()
    assert [len(r.cells) for r in table.rows] == [limits.max_table_columns] * 2
    assert inline_text(table.rows[0].cells[0].content) == "c0"
    (warning,) = [w for w in article.warnings if w.code == "capped-table"]
    assert warning.where == str(pages["table-20000-columns"])


def test_a_long_paragraph_of_words_is_cut_at_a_word() -> None:
    words = " ".join(["budget"] * 3000)  # 20,999 characters
    article = Article(slug="s", headline="H", body=(Paragraph(content=(Text(text=words),)),))
    bounded = bound_article(article, Limits(), where="here.html")
    (para,) = bounded.body
    assert isinstance(para, Paragraph)
    kept = inline_text(para.content)
    assert len(kept) <= Limits().max_paragraph_chars + 1
    assert kept.endswith("budget…")
    assert [w.code for w in bounded.warnings] == ["capped-paragraph"]
    assert bounded.warnings[0].where == "here.html"


def test_an_ordinary_article_is_left_as_it_was() -> None:
    article = Article(slug="s", headline="H", body=(Paragraph(content=(Text(text=BODY),)),))
    assert bound_article(article, Limits()) is article


def test_a_model_json_is_bounded_like_a_page(tmp_path: Path) -> None:
    model = Article(
        slug="blob",
        headline="A blob",
        body=(Paragraph(content=(Text(text=letters(50_000)),)),),
    )
    path = tmp_path / "blob.json"
    path.write_text(to_json(model), encoding="utf-8")
    article, _ = load_article(path)
    assert len(inline_text(article.body[0].content)) == 501  # type: ignore[union-attr]
    assert [w.where for w in article.warnings if w.code == "capped-word"] == [str(path)]


# --- the time budget ----------------------------------------------------------------------------


def test_a_call_past_its_budget_is_stopped_and_the_others_finish() -> None:
    workers = TimedWorkers(1)
    try:
        started = time.monotonic()
        results = workers.run(time.sleep, [0.1, 600, 0.1], 3)
        took = time.monotonic() - started
        assert results[0] is None and results[2] is None
        assert isinstance(results[1], Failed) and results[1].timed_out
        assert took < 30  # the 600 s call was stopped, not waited for
        assert workers.run(abs, [-5], 3) == [5]  # the killed worker was replaced
    finally:
        workers.close()


def test_items_are_made_only_as_a_worker_is_free_for_them() -> None:
    """The press writes each story's measuring document as a worker is free for it, so the
    writing overlaps the layouts before: ``run`` takes the next item only then."""
    made: list[float] = []

    def items() -> Iterator[float]:
        for _ in range(3):
            made.append(time.monotonic())
            yield 0.4

    workers = TimedWorkers(1)
    try:
        assert workers.run(time.sleep, items(), 10) == [None, None, None]
    finally:
        workers.close()
    # One worker: each item is made once the one before has been laid out (slept), not all
    # at once before the first starts.
    assert made[1] - made[0] >= 0.35 and made[2] - made[1] >= 0.35, made


def test_workers_started_early_run_the_calls_and_unused_ones_are_ended() -> None:
    workers = TimedWorkers(2)
    try:
        workers.prestart(abs)  # both start importing now, side by side
        workers.prestart(abs)  # (no more than ``jobs`` of them)
        assert workers.run(abs, [-1, -2, -3], 10) == [1, 2, 3]
    finally:
        workers.close()
    unused = TimedWorkers(2)
    unused.prestart(abs)
    processes = [w.process for w in unused._starting]
    assert len(processes) == 2
    unused.close()
    assert not any(p.is_alive() for p in processes)


def test_an_exception_in_a_worker_is_raised_in_the_caller() -> None:
    workers = TimedWorkers(1)
    try:
        with pytest.raises(TypeError):
            workers.run(abs, ["not a number"], 10)
    finally:
        workers.close()


@pytest.mark.slow
def test_a_layout_past_its_budget_leaves_the_story_out_with_one_error(tmp_path: Path) -> None:
    """With the caps lifted the 200,000-letter word still takes WeasyPrint minutes: the
    press stops it at the budget and says which article."""
    from printedition.press.options import PressOptions
    from printedition.press.pdf import PressOutputs, write_pdf
    from printedition.press.schedule import Edition

    lifted = Limits(max_word_chars=0, max_paragraph_chars=0)
    bad = load_article(write_case(tmp_path, "blob", CASES["word-200k"]), limits=lifted)
    options = PressOptions(page_format=page_format("a4"), layout_timeout=3)
    out = tmp_path / "out.pdf"
    started = time.monotonic()
    with pytest.raises(LayoutError) as caught:
        write_pdf(Edition.of([bad]), PressOutputs(press=out), options)
    assert time.monotonic() - started < 60
    assert "blob/index.html" in caught.value.format()
    assert "took longer than 3 s (raise Limits.layout_timeout" in caught.value.format()
    assert not out.exists()


def test_printedition_pdf_names_the_story_past_its_budget_in_one_error_line(
    tmp_path: Path,
) -> None:
    good = write_case(tmp_path, "good", "")
    out = tmp_path / "good.pdf"
    args = ["pdf", str(good), "-o", str(out), "--format", "a4", "--layout-timeout", "0.01"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    (error,) = [ln for ln in result.stderr.splitlines() if ln.startswith("Error: ")]
    assert "good/index.html" in error and "took longer than 0.01 s" in error
    assert "pdf --layout-timeout" in error  # what to change
    assert "Traceback" not in result.output
    assert not out.exists()


# --- end to end: printedition pdf and an issue build -------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_printedition_pdf_finishes_each_case_within_a_minute(
    pages: dict[str, Path], tmp_path: Path, name: str
) -> None:
    out = tmp_path / f"{name}.pdf"
    started = time.monotonic()
    result = CliRunner().invoke(main, ["pdf", str(pages[name]), "-o", str(out), "--format", "a4"])
    assert time.monotonic() - started < 60
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    assert "Warning: " in result.stderr and "capped-" not in result.stdout


MANIFEST = """
[paper]
name = "Stall Times"
format = "a4"

[issue]
number = 1
cover_date = "January 2027"

[cover]
article = "good/index.html"
{limits}
[[sections]]
title = "News"
{articles}
"""


def _issue(root: Path, cases: dict[str, str], limits: str = "") -> Path:
    write_case(root, "good", "", headline="Good news on the budget")
    for name, body in cases.items():
        write_case(root, name, body)
    articles = "".join(
        f'\n  [[sections.articles]]\n  source = "{n}/index.html"\n' for n in ["good", *cases]
    )
    path = root / "issue.toml"
    path.write_text(MANIFEST.format(limits=limits, articles=articles), encoding="utf-8")
    return path


def _build(manifest: Path) -> tuple[int, dict[str, object], float]:
    out = manifest.parent / "out"
    started = time.monotonic()
    result = CliRunner().invoke(
        main,
        ["issue", "build", str(manifest), "-o", str(out), "--no-check", "--no-cache", "-q"],
    )
    seconds = time.monotonic() - started
    assert "Traceback" not in result.output
    return result.exit_code, json.loads((out / "report.json").read_text()), seconds


@pytest.mark.slow
def test_an_issue_with_the_three_cases_builds_every_article(tmp_path: Path) -> None:
    code, report, _ = _build(_issue(tmp_path, CASES))
    assert code == 0
    articles = {a["slug"]: a for a in report["articles"]}  # type: ignore[union-attr]
    assert all(a["status"] == "ok" for a in articles.values())
    codes = {w["code"] for a in articles.values() for w in a["warnings"]}
    assert {"capped-word", "capped-table"} <= codes
    assert (tmp_path / "out" / "issue-1-press.pdf").stat().st_size > 0
    flatplan = str(report["outputs"])
    for name in ["good", *CASES]:
        assert name in flatplan  # every story stands on a page


@pytest.mark.slow
def test_an_issue_builds_the_good_articles_when_one_runs_past_the_budget(tmp_path: Path) -> None:
    limits = "\n[limits]\nmax_word_chars = 0\nmax_paragraph_chars = 0\nlayout_timeout = 5\n"
    code, report, seconds = _build(_issue(tmp_path, {"blob": CASES["word-200k"]}, limits))
    assert code == 1  # built with a problem: the story is not in print
    articles = {a["slug"]: a for a in report["articles"]}  # type: ignore[union-attr]
    problems = [w for w in articles["blob"]["warnings"] if w["code"] == "layout-failed"]
    assert len(problems) == 1 and "blob/index.html" in problems[0]["where"]
    assert not [w for w in articles["good"]["warnings"] if w["code"] == "layout-failed"]
    press = tmp_path / "out" / "issue-1-press.pdf"
    assert press.stat().st_size > 0
    assert (tmp_path / "out" / "articles" / "blob.epub").exists()  # the EPUB is not held up
    assert seconds < 120
