"""Stamp: an issue EPUB and a supporters list → one personal copy per supporter.

Goes in: the EPUB, a CSV file with a header row (``name`` required; ``since``, ``id`` and
``email`` read when present, other columns ignored), the output folder and how many worker
processes may share the work. Comes out: ``<epub stem>-<name>-<copy>.epub`` for every good row
(an ex-libris page and a per-copy identifier, by ``epub/stamp.py``), each written atomically,
and ``copies.csv`` listing them; a ``StampResult`` that also names every refused row by its
line (no name, invalid UTF-8, the same supporter twice) — nothing is written for those.

The CSV is data, never code: cells are text, a formula is a name like any other, and the
copy's identifier is derived from the issue's and the supporter's ``id`` (else ``email``, else
name), so the same supporter and inputs give the same bytes.
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import io
import multiprocessing
import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from printedition.epub.stamp import Personal, StampSource
from printedition.errors import InputError, OutputError
from printedition.outputs import atomic_path, atomic_write_text, describe_os_error
from printedition.render import xml_safe

MAX_LIST_BYTES = 64 * 1024 * 1024  # a supporters list larger than this is refused
_CHUNK = 64  # copies per task handed to a worker process
_INVALID = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8 (surrogateescape)


@dataclass(frozen=True, slots=True, kw_only=True)
class Supporter:
    line: int  # where the row starts in the file (1 is the header)
    name: str
    since: str = ""  # as printed: "April 2021"
    key: str  # what tells supporters apart: the id, else the email, else the name


@dataclass(frozen=True, slots=True, kw_only=True)
class RowProblem:
    line: int
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SupporterList:
    path: Path
    supporters: tuple[Supporter, ...]
    problems: tuple[RowProblem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Copy:
    line: int
    name: str
    file: Path
    copy_id: str
    bytes: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StampResult:
    copies: tuple[Copy, ...]
    problems: tuple[RowProblem, ...]
    listing: Path  # copies.csv
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> list[str]:
        """What the CLI prints after the refused rows: the counts and where the list is."""
        lines = []
        total = sum(c.bytes for c in self.copies)
        lines.append(
            f"Stamped {len(self.copies)} cop{'y' if len(self.copies) == 1 else 'ies'} "
            f"({total / 1e6:.1f} MB) in {self.seconds:.1f} s; {self.listing} lists them"
        )
        if self.problems:
            lines.append(
                f"{len(self.problems)} row(s) refused (nothing written for them): "
                "fix them and run again; every other row has its copy"
            )
        return lines


# ---------------------------------------------------------------------------------------------
# The supporters list
# ---------------------------------------------------------------------------------------------


def _since(value: str) -> str:
    """ISO dates as a reader says them ("2021-04-12" → "April 2021"); anything else as given."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", value)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{date(int(m.group(1)), int(m.group(2)), 1):%B} {m.group(1)}"
    return value


def read_supporters(path: Path) -> SupporterList:
    """The list's good rows and its refused ones; an ``InputError`` when the file as a whole
    cannot be read (missing, too large, no header naming a ``name`` column)."""
    where = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_LIST_BYTES:
            raise InputError(f"the list is larger than {MAX_LIST_BYTES} bytes", where=where)
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the supporters list: {exc.strerror}", where=where) from None
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise InputError("the list is empty: its first line must name the columns", where=where)
    columns = [h.strip().lower() for h in header]
    if _INVALID.search("".join(columns)) or "name" not in columns:
        raise InputError(
            "the header (line 1) must name a 'name' column (optional: since, id, email); "
            f"found: {', '.join(c for c in columns if c) or 'nothing'}",
            where=where,
        )
    at: dict[str, int] = {
        c: columns.index(c) for c in ("name", "since", "id", "email") if c in columns
    }
    supporters: list[Supporter] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    end = reader.line_num
    for row in reader:
        line, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if any(_INVALID.search(cell) for cell in row):
            problems.append(
                RowProblem(line=line, message="is not valid UTF-8 text: save the list as UTF-8")
            )
            continue

        def cell(column: str, row: list[str] = row) -> str:
            i = at.get(column)
            return " ".join(xml_safe(row[i]).split()) if i is not None and i < len(row) else ""

        name = cell("name")
        if not name:
            problems.append(RowProblem(line=line, message="has no name: nothing written for it"))
            continue
        key = cell("id") or cell("email").lower() or name
        if key in seen:
            problems.append(
                RowProblem(
                    line=line,
                    message=f"is the same supporter as line {seen[key]} ({key}): "
                    "give each an id or email column to tell them apart",
                )
            )
            continue
        seen[key] = line
        supporters.append(Supporter(line=line, name=name, since=_since(cell("since")), key=key))
    return SupporterList(path=Path(path), supporters=tuple(supporters), problems=tuple(problems))


# ---------------------------------------------------------------------------------------------
# The copies
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Task:
    line: int
    personal: Personal
    dest: str


_SOURCE: StampSource | None = None  # one per worker process, read once


def _init_worker(epub: str) -> None:
    global _SOURCE
    _SOURCE = StampSource.read(Path(epub))


def _stamp_tasks(tasks: Sequence[_Task]) -> list[tuple[int, int]]:
    """(line, bytes written) of each task, in this process."""
    assert _SOURCE is not None, "the worker was not initialised"
    done = []
    for task in tasks:
        chunks = _SOURCE.stamp(task.personal)
        with atomic_path(Path(task.dest)) as tmp, open(tmp, "wb") as fh:
            fh.writelines(chunks)
        done.append((task.line, sum(len(c) for c in chunks)))
    return done


def copy_identifier(publication: str, key: str) -> str:
    """The copy's mark: the same for the same issue and supporter, different for any other."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{publication}#copy:{key}')}"


def _file_name(stem: str, who: Supporter, copy_id: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", who.name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-") or "copy"
    return f"{stem}-{slug}-{copy_id.rsplit('-', 1)[-1][:8]}.epub"


def stamp_copies(
    epub: Path,
    supporters: SupporterList,
    out_dir: Path,
    *,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> StampResult:
    """Write one personal copy per good row of ``supporters`` into ``out_dir``."""
    started = time.perf_counter()
    source = StampSource.read(epub)  # checks the EPUB before any copy is made
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the folder: {describe_os_error(exc)}", where=str(out)
        ) from None
    stem = Path(epub).stem
    tasks = []
    for who in supporters.supporters:
        copy_id = copy_identifier(source.facts.identifier, who.key)
        personal = Personal(name=who.name, since=who.since, copy_id=copy_id)
        tasks.append(_Task(who.line, personal, str(out / _file_name(stem, who, copy_id))))
    chunks = [tasks[i : i + _CHUNK] for i in range(0, len(tasks), _CHUNK)]
    written: dict[int, int] = {}

    def done(result: list[tuple[int, int]]) -> None:
        written.update(result)
        if progress is not None:
            progress(len(written), len(tasks))

    if jobs <= 1 or len(chunks) <= 1:
        global _SOURCE
        _SOURCE = source
        try:
            for chunk in chunks:
                done(_stamp_tasks(chunk))
        finally:
            _SOURCE = None
    else:
        with cf.ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(str(epub),),
        ) as pool:
            futures = [pool.submit(_stamp_tasks, chunk) for chunk in chunks]
            try:
                for fut in cf.as_completed(futures):
                    done(fut.result())
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
    by_line = {w.line: w for w in supporters.supporters}
    copies = tuple(
        Copy(
            line=t.line,
            name=by_line[t.line].name,
            file=Path(t.dest),
            copy_id=t.personal.copy_id,
            bytes=written[t.line],
        )
        for t in tasks
    )
    listing = out / "copies.csv"
    atomic_write_text(listing, _listing(copies, by_line))
    return StampResult(
        copies=copies,
        problems=supporters.problems,
        listing=listing,
        seconds=round(time.perf_counter() - started, 3),
    )


def _listing(copies: Sequence[Copy], by_line: dict[int, Supporter]) -> str:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["line", "name", "since", "file", "copy_id", "bytes"])
    for c in copies:
        since = by_line[c.line].since
        writer.writerow([c.line, _cell(c.name), _cell(since), c.file.name, c.copy_id, c.bytes])
    return buf.getvalue()


def _cell(value: str) -> str:
    """A name a spreadsheet would run as a formula is written with a leading apostrophe."""
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


__all__ = [
    "Copy",
    "RowProblem",
    "StampResult",
    "Supporter",
    "SupporterList",
    "copy_identifier",
    "read_supporters",
    "stamp_copies",
]
