"""Personal copies: the supporters list read as data, ex-libris and copy identifier in each
copy, unchanged members copied as stored, the same bytes for the same supporter, EPUBCheck."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest
from ace import ACE, CHROMIUM, MISSING, ace_report
from click.testing import CliRunner
from conftest import SampleIssue
from lxml import etree

from printedition.cli import main
from printedition.errors import InputError
from printedition.stamp import read_supporters, stamp_copies
from printedition.validate import check_epub

pytestmark = pytest.mark.slow

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _csv(path: Path, text: bytes) -> Path:
    path.write_bytes(text)
    return path


def test_the_list_is_read_as_data_and_bad_rows_are_named_by_line(tmp_path: Path) -> None:
    listed = read_supporters(
        _csv(
            tmp_path / "s.csv",
            b"\xef\xbb\xbfName,Since,Email,Notes\n"  # a BOM and any case in the header
            b"Ada Lovelace,2021-04-12,ADA@example.org,\n"
            b",2022-01,x@example.org,no name\n"
            b'"Smith, Jo",2020,jo@example.org,"a note\nover two lines"\n'
            b"Bad \xff\xfe name,2021,bad@example.org,\n"
            b"\n"
            b'=HYPERLINK("http://x"),2023-02,eq@example.org,\n'
            b"Ada L.,2021,ada@example.org,\n"
            b"   ,,,\n",
        )
    )
    assert [(s.line, s.name, s.since) for s in listed.supporters] == [
        (2, "Ada Lovelace", "April 2021"),
        (4, "Smith, Jo", "2020"),
        (8, '=HYPERLINK("http://x")', "February 2023"),
    ]
    assert [(p.line, p.message) for p in listed.problems] == [
        (3, "has no name: nothing written for it"),
        (6, "is not valid UTF-8 text: save the list as UTF-8"),
        (
            9,
            "is the same supporter as line 2 (ada@example.org): "
            "give each an id or email column to tell them apart",
        ),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the list is empty: its first line must name the columns"),
        (
            b"email,since\na@b.c,2020\n",
            "the header (line 1) must name a 'name' column (optional: since, id, email); "
            "found: email, since",
        ),
    ],
)
def test_a_list_without_a_name_column_is_one_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = _csv(tmp_path / "s.csv", content)
    with pytest.raises(InputError) as caught:
        read_supporters(path)
    assert caught.value.message == message and caught.value.where == str(path)


@pytest.fixture(scope="module")
def issue_epub(sample_issue: SampleIssue) -> Path:
    return sample_issue.out / "issue-42.epub"


@pytest.fixture(scope="module")
def small_epub(sample_issue: SampleIssue) -> Path:
    return sample_issue.out / "articles" / "rail-strike-called-off.epub"


def _stored(path: Path) -> dict[str, bytes]:
    """Each member's compressed bytes, as stored (local header skipped)."""
    data = path.read_bytes()
    out = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            at = info.header_offset
            name_len, extra_len = struct.unpack("<HH", data[at + 26 : at + 30])
            start = at + 30 + name_len + extra_len
            out[info.filename] = data[start : start + info.compress_size]
    return out


def test_a_copy_has_its_ex_libris_after_the_cover_and_its_own_identifier(
    issue_epub: Path, tmp_path: Path
) -> None:
    listed = read_supporters(
        _csv(tmp_path / "s.csv", "name,since,id\nZoë Ó Súilleabháin,2019-09,s-1\n".encode())
    )
    result = stamp_copies(issue_epub, listed, tmp_path / "out")
    (copy,) = result.copies
    assert copy.file.name.startswith("issue-42-zoe-o-suilleabhain-")
    with zipfile.ZipFile(copy.file) as zf:
        assert zf.testzip() is None
        assert zf.infolist()[0].filename == "mimetype"
        assert zf.infolist()[0].compress_type == zipfile.ZIP_STORED
        opf = etree.fromstring(zf.read("EPUB/content.opf"))
        page = etree.fromstring(zf.read("EPUB/ex-libris.xhtml"))
    spine = [r.get("idref") for r in opf.iter(f"{OPF}itemref")]
    assert spine[:3] == ["cover", "ex-libris", "titlepage"]
    ids = {el.get("id"): el.text for el in opf.iter(f"{DC}identifier")}
    assert ids == {
        "id": "urn:uuid:560585e7-ba03-5066-95c9-08a1b1e0b7ea",  # the issue's, unchanged
        "copy-id": copy.copy_id,
    }
    assert opf.get("unique-identifier") == "id"
    text = " ".join("".join(page.itertext()).split())
    assert "Prepared for Zoë Ó Súilleabháin" in text
    assert "Supporter since September 2019" in text
    assert "Byline Times — December 2026" in text and copy.copy_id in text
    assert page.get("lang") == "en-GB" and page.find(f".//{XHTML}h1") is not None
    # Every member the stamp does not change is the source's stored bytes, not recompressed.
    source, stamped = _stored(issue_epub), _stored(copy.file)
    changed = {name for name in source if source[name] != stamped[name]}
    assert changed == {"EPUB/content.opf"}
    assert set(stamped) - set(source) == {"EPUB/ex-libris.xhtml"}


def test_the_same_supporter_gets_the_same_bytes_and_another_does_not(
    small_epub: Path, tmp_path: Path
) -> None:
    rows = "name,since,email\nAda Lovelace,2021,ada@example.org\nAlan Turing,,alan@example.org\n"
    listed = read_supporters(_csv(tmp_path / "s.csv", rows.encode()))
    first = stamp_copies(small_epub, listed, tmp_path / "a")
    again = stamp_copies(small_epub, listed, tmp_path / "b", jobs=2)
    for x, y in zip(first.copies, again.copies, strict=True):
        assert x.file.name == y.file.name and x.file.read_bytes() == y.file.read_bytes()
    assert first.copies[0].copy_id != first.copies[1].copy_id
    assert (tmp_path / "a" / "copies.csv").read_bytes() == (
        tmp_path / "b" / "copies.csv"
    ).read_bytes()


def test_copies_pass_epubcheck(small_epub: Path, tmp_path: Path) -> None:
    """One Java run over 8 copies of an article (the stamp changes the same two members in
    any EPUB, and a copy of the whole issue takes EPUBCheck several times longer:
    bench/stamp.py checks 20 of those)."""
    names = [f"Supporter {n:02d}" for n in range(6)] + ["A & B <Co>", 'O\'Brien "Jr"']
    rows = "name,since,id\n" + "".join(
        f'"{n.replace(chr(34), chr(34) * 2)}",2020-0{1 + i % 9},{i}\n' for i, n in enumerate(names)
    )
    listed = read_supporters(_csv(tmp_path / "s.csv", rows.encode()))
    assert [s.name for s in listed.supporters] == names
    files = [c.file for c in stamp_copies(small_epub, listed, tmp_path / "out", jobs=2).copies]
    assert len(files) == 8
    messages = [m for m in check_epub(files) if m.severity != "INFO"]
    assert messages == [], [m.format() for m in messages[:10]]


def test_stamping_a_stamped_copy_is_refused(small_epub: Path, tmp_path: Path) -> None:
    listed = read_supporters(_csv(tmp_path / "s.csv", b"name\nAda\n"))
    (copy,) = stamp_copies(small_epub, listed, tmp_path / "a").copies
    with pytest.raises(InputError, match="has been stamped already"):
        stamp_copies(copy.file, listed, tmp_path / "b")


def test_cli_stamps_the_good_rows_names_the_bad_ones_and_exits_1(
    small_epub: Path, tmp_path: Path
) -> None:
    listed = _csv(
        tmp_path / "s.csv", b"name,since\nAda,2021\n,2020\nBad \xe9 name,2019\nAlan,2022\n"
    )
    out = tmp_path / "copies"
    done = CliRunner().invoke(
        main, ["stamp", str(small_epub), "--supporters", str(listed), "-o", str(out)]
    )
    assert done.exit_code == 1
    lines = done.output.splitlines()
    assert lines[:2] == [
        f"Error: {listed}:3: row has no name: nothing written for it",
        f"Error: {listed}:4: row is not valid UTF-8 text: save the list as UTF-8",
    ]
    assert lines[2].startswith("Stamped 2 copies (") and lines[2].endswith(
        f"{out / 'copies.csv'} lists them"
    )
    assert lines[3] == (
        "2 row(s) refused (nothing written for them): "
        "fix them and run again; every other row has its copy"
    )
    assert len(list(out.glob("*.epub"))) == 2
    good = _csv(tmp_path / "good.csv", b"name\nAda\n")
    ok = CliRunner().invoke(
        main, ["stamp", str(small_epub), "--supporters", str(good), "-o", str(out)]
    )
    assert ok.exit_code == 0 and ok.output.startswith("Stamped 1 copy (")
    missing = CliRunner().invoke(
        main, ["stamp", str(tmp_path / "no.epub"), "--supporters", str(good), "-o", str(out)]
    )
    assert missing.exit_code == 1
    assert (
        missing.output == f"Error: {tmp_path / 'no.epub'}: cannot read: No such file or directory\n"
    )




@pytest.mark.skipif(not (ACE and CHROMIUM), reason=MISSING)
def test_a_stamped_copy_passes_daisy_ace(small_epub: Path, tmp_path: Path) -> None:
    """Opt-in, like tests/test_epub_ace.py: the ex-libris page keeps the copy accessible."""
    listed = read_supporters(_csv(tmp_path / "s.csv", b"name,since\nAda Lovelace,2021-04\n"))
    (copy,) = stamp_copies(small_epub, listed, tmp_path / "out").copies
    violations, outcome = ace_report(copy.file, tmp_path / "ace")
    assert violations == []
    assert outcome == "pass"
