"""Run hostile cases through the CLI and judge each run; record every file opened and socket dialled.

Two ways to run:

- ``run_matrix`` (in this process, through click's ``CliRunner``), normally inside a
  subprocess started by ``run_matrix_subprocess`` so that a Python audit hook can record every
  ``open`` and ``socket.connect`` per run without touching the test process;
- ``run_one_subprocess``: one fresh process per (case, command), under ``strace`` when it is
  available (it sees C-level opens too: libxml2, Pillow, fontconfig), for peak memory and time.

``judge`` turns a run into a list of problems (empty = as the issue requires).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import hostile_cases as hc  # noqa: E402
from hostile_images import SECRET_SIZE  # noqa: E402

RUN_TIMEOUT = 300  # seconds per run before it counts as a hang


@dataclass
class Outcome:
    case: str
    command: str
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    output: str  # the output file or folder the command was asked to write
    peak_mb: float = 0.0
    opened: list[str] = field(default_factory=list)  # every path opened (audit)
    connects: list[str] = field(default_factory=list)  # every address dialled (audit)
    problems: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        errors = [line for line in self.stderr.splitlines() if line.startswith("Error: ")]
        warnings = [line for line in self.stderr.splitlines() if line.startswith("Warning: ")]
        if self.exit_code == 0:
            extra = f" ({len(warnings)} warnings)" if warnings else ""
            return "output" + extra
        if self.command == "issue" and not errors and "Built with problems: " in self.stdout:
            tail = self.stdout.rsplit("Built with problems: ", 1)[1].strip().rstrip(".")
            return f"output, built with problems ({tail[:70]})"
        return errors[0] if errors else f"exit {self.exit_code}"


# --- building the inputs ---------------------------------------------------------------------


def manifest_for(case: hc.Case, root: Path, input_path: Path) -> Path:
    folder = root / f"{case.name}-issue"
    folder.mkdir(exist_ok=True)
    rel = os.path.relpath(input_path, folder)
    text = f"""
[paper]
name = "Hostile Times"
format = "a4"

[issue]
number = 1
cover_date = "January 2027"

[cover]
article = "{rel}"

[[sections]]
title = "News"

  [[sections.articles]]
  source = "{rel}"
"""
    path = folder / "issue.toml"
    path.write_text(text, encoding="utf-8")
    return path


def command_args(
    case: hc.Case, command: str, root: Path, input_path: Path
) -> tuple[list[str], Path]:
    out = root / "out"
    out.mkdir(exist_ok=True)
    if command == "normalise":
        dest = out / f"{case.name}.json"
        return ["normalise", str(input_path), "-o", str(dest)], dest
    if command == "epub":
        dest = out / f"{case.name}.epub"
        return ["epub", str(input_path), "-o", str(dest)], dest
    if command == "pdf":
        dest = out / f"{case.name}.pdf"
        return ["pdf", str(input_path), "-o", str(dest), "--format", "a4"], dest
    if command == "issue":
        dest = out / f"{case.name}-issue"
        manifest = manifest_for(case, root, input_path)
        cache = root / "cache"
        args = [
            "issue",
            "build",
            str(manifest),
            "-o",
            str(dest),
            "--no-check",
            "--cache-dir",
            str(cache),
        ]
        return args, dest
    raise ValueError(command)


# --- judging ------------------------------------------------------------------------------------


def _secret_markers() -> list[bytes]:
    return [hc.SECRET_TEXT.encode(), hc.PASSWD_MARK.encode()]


def _image_sizes_in_epub(path: Path) -> list[tuple[int, int]]:
    import io

    from PIL import Image

    sizes = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp")):
                with Image.open(io.BytesIO(zf.read(name))) as img:
                    sizes.append(img.size)
    return sizes


def _image_sizes_in_pdf(path: Path) -> list[tuple[int, int]]:
    import pikepdf

    sizes = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            found = page.get_images() if hasattr(page, "get_images") else page.images
            for _name, image in found.items():
                sizes.append((int(image.Width), int(image.Height)))
    return sizes


def _overflow(path: Path) -> list[str]:
    """Text drawn beyond the trim box: a word or URL that did not break."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        for i in range(len(doc)):
            page = doc[i]
            left, _bottom, right, _top = page.get_trimbox()
            textpage = page.get_textpage()
            for j in range(textpage.count_chars()):
                x0, _y0, x1, _y1 = textpage.get_charbox(j)
                if x1 > right + 1 or x0 < left - 1:
                    return [f"{path.name}: text runs off page {i + 1} (a long word did not break)"]
    finally:
        doc.close()
    return []


def _pdf_text(path: Path) -> str:
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def _epub_texts(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return b"\n".join(
            zf.read(n)
            for n in zf.namelist()
            if not n.lower().endswith((".jpg", ".jpeg", ".png", ".woff", ".woff2", ".ttf", ".otf"))
        )


def _outputs_of(dest: Path) -> list[Path]:
    if dest.is_dir():
        return sorted(p for p in dest.rglob("*") if p.is_file())
    return [dest] if dest.exists() else []


def check_output_file(path: Path, case: hc.Case) -> list[str]:
    """A produced file: valid of its kind, and nothing from outside in it."""
    problems: list[str] = []
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if path.name.endswith(".part"):
        return [f"partial file left behind: {path.name}"]
    secrets = "no-secret" in case.checks or not case.extra_roots
    if secrets:
        for mark in _secret_markers():
            if mark in data:
                problems.append(f"{path.name} holds {mark.decode()!r} (read from outside)")
    try:
        if path.name == ".printedition-outputs.json":  # the issue build's ledger
            json.loads(data)
        elif suffix == ".json" and path.name != "report.json":
            from printedition.model import from_json

            from_json(data.decode("utf-8"))
        elif suffix == ".epub":
            with zipfile.ZipFile(path) as zf:
                bad = zf.testzip()
                if bad:
                    problems.append(f"{path.name}: corrupt member {bad}")
            texts = _epub_texts(path)
            for mark in _secret_markers():
                if mark in texts and secrets:
                    problems.append(f"{path.name} holds {mark.decode()!r}")
            sizes = _image_sizes_in_epub(path)
            if SECRET_SIZE in sizes and secrets:
                problems.append(f"{path.name} holds the secret photo from outside the folder")
            if "no-overflow" in case.checks and b"overflow-wrap" not in texts:
                problems.append(f"{path.name}: no overflow-wrap in its CSS: long words run off")
            if "upright" in case.checks and (300, 200) in sizes:
                problems.append(f"{path.name}: the EXIF-rotated photo lies on its side")
        elif suffix == ".pdf":
            sizes = _image_sizes_in_pdf(path)
            if SECRET_SIZE in sizes and secrets:
                problems.append(f"{path.name} holds the secret photo from outside the folder")
            if "upright" in case.checks and any(
                w > h for (w, h) in sizes if {w, h} <= {200, 300, 400, 600}
            ):
                problems.append(f"{path.name}: the EXIF-rotated photo lies on its side")
            if "no-overflow" in case.checks:
                problems.extend(_overflow(path))
            text = _pdf_text(path)
            for mark in (hc.SECRET_TEXT, hc.PASSWD_MARK):
                if mark in text and secrets:
                    problems.append(f"{path.name} prints {mark!r}")
    except Exception as exc:  # a broken output is a finding, not a crash of the judge
        problems.append(f"{path.name} is not a valid {suffix} ({type(exc).__name__}: {exc})")
    return problems


def judge(
    case: hc.Case, outcome: Outcome, allowed: Sequence[Path] = (), forbidden: Sequence[Path] = ()
) -> list[str]:
    problems: list[str] = []
    text = outcome.stdout + outcome.stderr
    if "Traceback" in text:
        problems.append("a traceback was printed")
    if outcome.exit_code == 124:
        problems.append(f"no answer within {RUN_TIMEOUT} s (a hang)")
    errors = [line for line in outcome.stderr.splitlines() if line.startswith("Error: ")]
    expected = case.expected(outcome.command)
    dest = Path(outcome.output)
    # An issue build that finished with warnings (photos dropped...) exits 1 by design and
    # says so in its summary: its outputs are there and are judged like any other.
    with_problems = (
        outcome.command == "issue"
        and outcome.exit_code == 1
        and not errors
        and "Built with problems" in outcome.stdout
    )
    if outcome.exit_code == 0 or with_problems:
        if expected == "error":
            problems.append("succeeded, but this input must be refused")
        if errors:
            problems.append("exit 0 but an Error: line was printed")
        produced = _outputs_of(dest)
        if not produced:
            problems.append("exit 0 but no output was written")
        if "glyph-warning" in case.checks and outcome.command in ("pdf", "issue"):
            said = outcome.stderr + "".join(
                p.read_text(errors="replace") for p in produced if p.name == "report.json"
            )
            if not re.search(r"glyph|notdef|font-fallback|not in the bundled fonts", said, re.I):
                problems.append("characters the fonts lack were not reported")
        for path in produced:
            problems.extend(check_output_file(path, case))
    else:
        if expected == "ok":
            problems.append(f"refused, but a correct output was expected: {outcome.summary}")
        if len(errors) != 1:
            problems.append(f"{len(errors)} Error: lines (want exactly 1)")
        elif case.name not in errors[0] and case.names_input:
            problems.append(f"the Error: line does not name the input: {errors[0][:160]}")
        if outcome.command != "issue" and dest.exists():
            problems.append("a failed run left an output file")
        if outcome.command == "issue":
            for path in _outputs_of(dest):
                if path.name.endswith(".part"):
                    problems.append(f"partial file left behind: {path.name}")
    for path in outcome.opened:
        if path.startswith("exec:"):
            # ctypes.util.find_library runs ldconfig/gcc/ld; EPUBCheck runs java.
            exe = path[5:]
            system = ("/usr/", "/sbin/", "/bin/", "/opt/", sys.prefix, sys.base_prefix)
            tools = ("ld", "gcc", "cc", "ldconfig", "ldconfig.real", "objdump", "java")
            if "/" not in exe or exe.startswith(system) or os.path.basename(exe) in tools:
                continue
            problems.append(f"ran {exe}")
            continue
        if re.search(r"/lib[\w.+-]*\.so(\.\d+)*$", path) and not any(
            path.startswith(str(f)) for f in forbidden
        ):
            continue  # the dynamic loader looking for a shared library (LD_LIBRARY_PATH)
        if not _allowed_path(path, allowed, forbidden):
            problems.append(f"opened {path} (outside the allowed folders)")
    resolvers = _nameservers()
    for addr in outcome.connects:
        host, _, port = addr.rpartition(":")
        if port == "53" and host in resolvers:
            # The system resolver, asked for a name in the input while fetching is on (an
            # issue build); the address the name gives is then checked before any connect.
            continue
        problems.append(f"connected to {addr}")
    return problems


# --- allowed reads ---------------------------------------------------------------------------------

_SYSTEM_FILES = {
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/etc/nsswitch.conf",
    "/etc/gai.conf",
    "/etc/host.conf",
    "/etc/mime.types",
    "/dev/null",
    "/dev/urandom",
    "/dev/tty",
    "/etc/timezone",
    "/etc/os-release",
    "/etc/machine-id",
    "/etc/ssl/openssl.cnf",
    "/etc/passwd-HIDDEN",
}
_SYSTEM_DIRS = (
    "/usr/",
    "/lib/",
    "/lib64/",
    "/etc/fonts/",
    "/etc/ssl/",
    "/etc/ca-certificates/",
    "/var/cache/fontconfig/",
    "/sys/",
    "/etc/alternatives/",
    "/etc/java",
    "/opt/",
)
_FORBIDDEN_ALWAYS = ("/etc/passwd", "/etc/shadow", "/proc/self/environ", "/root/.ssh", "/home/")


def allowed_roots(root: Path, case: hc.Case) -> list[Path]:
    import printedition
    from printedition.style import BUNDLED

    return [
        *((root / r).resolve() for r in case.extra_roots),
        (root / case.name).resolve(),
        (root / f"{case.name}-issue").resolve(),
        (root / "out").resolve(),
        (root / "cache").resolve(),
        (root / "tmp").resolve(),
        Path(printedition.__file__).resolve().parent,
        Path(printedition.__file__).resolve().parent.parent,  # src/ (an editable install)
        BUNDLED.resolve(),  # the bundled styles (a checkout's top-level styles/)
        Path(sys.prefix).resolve(),
        Path(sys.base_prefix).resolve(),
        Path(HERE),  # the runner itself
        Path.home() / ".cache" / "fontconfig",
        Path.home() / ".fontconfig",
        Path.home() / ".local" / "share" / "fonts",
        Path.home() / ".fonts",
        Path.home() / ".config" / "fontconfig",
        Path.home() / ".pyenv",
        Path(tempfile.gettempdir()) / "weasyprint",
    ]


def _nameservers() -> set[str]:
    try:
        text = Path("/etc/resolv.conf").read_text()
    except OSError:
        return set()
    return {line.split()[1] for line in text.splitlines() if line.startswith("nameserver ")}


def _forbidden(root: Path, case: hc.Case) -> list[Path]:
    return [] if "outside" in case.extra_roots else [(root / "outside").resolve()]


def _allowed_path(path: str, allowed: Sequence[Path], forbidden: Sequence[Path]) -> bool:
    p = os.path.normpath(path)
    if any(p == str(f) or p.startswith(str(f) + os.sep) for f in forbidden):
        return False
    if any(p == x or p.startswith(x) for x in _FORBIDDEN_ALWAYS):
        return any(p.startswith(str(a) + os.sep) for a in allowed if str(a).startswith("/home/"))
    if p in _SYSTEM_FILES or p.startswith(_SYSTEM_DIRS) or p in ("/", "."):
        return True
    if (
        re.match(r"^/proc/(self|thread-self|\d+)/(?!environ)", p)
        or p.startswith("/proc/sys/")
        or p
        in ("/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/proc/filesystems", "/proc/mounts")
    ):
        return True
    return any(p == str(a) or p.startswith(str(a) + os.sep) for a in allowed)


# --- running ------------------------------------------------------------------------------------------


class _Audit:
    """Collects open/connect events for the current run (an audit hook cannot be removed)."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.connects: list[str] = []
        self.active = False

    def hook(self, event: str, args: tuple[object, ...]) -> None:
        if not self.active:
            return
        if event == "open":
            path = args[0]
            if isinstance(path, bytes):
                path = os.fsdecode(path)
            if isinstance(path, str):
                self.opened.append(os.path.abspath(path))
        elif event in ("os.listdir", "os.scandir"):
            path = args[0] if args else "."
            if isinstance(path, str | bytes):
                self.opened.append(os.path.abspath(os.fsdecode(path)))
        elif event == "socket.connect":
            addr = args[1] if len(args) > 1 else args
            if isinstance(addr, tuple) and addr and isinstance(addr[0], str) and "/" not in addr[0]:
                self.connects.append(f"{addr[0]}:{addr[1] if len(addr) > 1 else ''}")
        elif event == "subprocess.Popen":
            self.opened.append(f"exec:{args[0]}")

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        self.opened, self.connects = [], []
        self.active = True
        try:
            yield
        finally:
            self.active = False


def run_matrix(
    root: Path, names: Sequence[str], commands: Sequence[str], *, audit: _Audit | None = None
) -> list[Outcome]:
    """Every (case, command) in this process through CliRunner."""
    import warnings

    from click.testing import CliRunner

    warnings.simplefilter("ignore")  # library deprecation chatter is not what we judge
    import faulthandler

    from printedition.cli import main

    outcomes = []
    for name in names:
        case = hc.BY_NAME[name]
        input_path = hc.build_case(case, root)
        for command in commands:
            args, dest = command_args(case, command, root, input_path)
            runner = CliRunner()
            started = time.perf_counter()
            # A hang is a bug: after RUN_TIMEOUT the whole runner dies with every thread's
            # stack on stderr (a signal-based timeout would fight the code's own time limits).
            faulthandler.dump_traceback_later(RUN_TIMEOUT, exit=True)
            ctx = audit.recording() if audit else contextlib.nullcontext()
            try:
                with ctx:
                    result = runner.invoke(main, args, catch_exceptions=True)
            finally:
                faulthandler.cancel_dump_traceback_later()
            code, out, err = result.exit_code, result.stdout, result.stderr
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                err += "Traceback (most recent call last):\n" + "".join(
                    traceback.format_exception(result.exception)
                )
                code = code or 1
            outcome = Outcome(
                case=name,
                command=command,
                exit_code=code,
                stdout=out,
                stderr=err,
                seconds=time.perf_counter() - started,
                output=str(dest),
                opened=sorted(set(audit.opened)) if audit else [],
                connects=sorted(set(audit.connects)) if audit else [],
            )
            outcome.problems = judge(
                case, outcome, allowed_roots(root, case), _forbidden(root, case)
            )
            outcomes.append(outcome)
    return outcomes


def run_matrix_subprocess(
    root: Path,
    names: Sequence[str],
    commands: Sequence[str],
    *,
    timeout: float = 3600,
) -> list[Outcome]:
    """``run_matrix`` in fresh interpreters with the audit hook on, one for each command,
    run at once (the runs are independent, and one command mostly keeps one core busy);
    returns their outcomes in case order."""
    env = dict(os.environ, TMPDIR=str(root / "tmp"), PRINTEDITION_CACHE=str(root / "cache"))
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    runs = []
    for k, command in enumerate(commands):
        report = root / f"matrix-{k}.json"
        cmd = [
            sys.executable,
            str(HERE / "hostile_run.py"),
            "--root",
            str(root),
            "--cases",
            ",".join(names),
            "--commands",
            command,
            "--json",
            str(report),
            "--audit",
        ]
        out = (root / f"matrix-{k}.out").open("w+")
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, env=env, cwd=root)
        runs.append((proc, report, out))
    outcomes: list[Outcome] = []
    try:
        for proc, report, out in runs:
            code = proc.wait(timeout=timeout)
            out.seek(0)
            if code != 0 or not report.exists():
                raise RuntimeError(f"matrix runner failed ({code}):\n{out.read()[-8000:]}")
            outcomes.extend(Outcome(**o) for o in json.loads(report.read_text()))
    finally:
        for proc, _, out in runs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            out.close()
    order = {name: n for n, name in enumerate(names)}
    return sorted(outcomes, key=lambda o: (order.get(o.case, len(order)), commands.index(o.command)))


def run_one_subprocess(root: Path, name: str, command: str, *, use_strace: bool = True) -> Outcome:
    """One (case, command) in a fresh process: time, peak memory, and (with strace) every
    openat/connect including those made by C libraries and child processes."""
    case = hc.BY_NAME[name]
    input_path = hc.build_case(case, root)
    args, dest = command_args(case, command, root, input_path)
    (root / "tmp").mkdir(exist_ok=True)
    env = dict(os.environ, TMPDIR=str(root / "tmp"), PRINTEDITION_CACHE=str(root / "cache"))
    trace = root / "tmp" / f"strace-{name}-{command}.log"
    exe = shutil.which("printedition") or "printedition"
    cmd = [exe, *args]
    strace = shutil.which("strace") if use_strace else None
    if strace:
        trace_set = "trace=open,openat,openat2,creat,connect,execve"
        cmd = [strace, "--seccomp-bpf", "-f", "-qq", "-e", trace_set, "-o", str(trace), *cmd]
    gnu_time = Path("/usr/bin/time")
    usage = root / "tmp" / f"time-{name}-{command}.txt"
    if gnu_time.exists():
        # Peak RSS of the run (GNU time waits for it, so the figure includes its children).
        cmd = [str(gnu_time), "-o", str(usage), "-f", "%M", *cmd]
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env, cwd=root
        )
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        code = 124
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
    seconds = time.perf_counter() - started
    peak_mb = 0.0
    if usage.exists():
        words = usage.read_text().split()
        peak_mb = int(words[-1]) / 1024 if words and words[-1].isdigit() else 0.0
    opened, connects = _parse_strace(trace) if strace and trace.exists() else ([], [])
    outcome = Outcome(
        case=name,
        command=command,
        exit_code=code,
        stdout=out,
        stderr=err,
        seconds=seconds,
        output=str(dest),
        peak_mb=peak_mb,
        opened=opened,
        connects=connects,
    )
    outcome.problems = judge(case, outcome, allowed_roots(root, case), _forbidden(root, case))
    return outcome


_OPEN_RE = re.compile(r'^\d+\s+(?:open|openat|openat2|creat)\((?:[A-Z_]+|\d+),?\s*"([^"]*)"')
_EXEC_RE = re.compile(r'^\d+\s+execve\("([^"]*)"')
_CONNECT_RE = re.compile(
    r"^\d+\s+connect\(\d+, \{sa_family=AF_INET6?, (?:sin6?_port=htons\((\d+)\), )?(?:sin_addr=inet_addr\(\"([^\"]+)\"\)|.*?inet_pton\(AF_INET6, \"([^\"]+)\")"
)


def _parse_strace(trace: Path) -> tuple[list[str], list[str]]:
    opened: set[str] = set()
    connects: set[str] = set()
    cwd = str(trace.parent.parent)
    for line in trace.read_text(errors="replace").splitlines():
        m = _OPEN_RE.match(line)
        if m:
            path = m.group(1)
            opened.add(path if path.startswith("/") else os.path.join(cwd, path))
            continue
        m = _EXEC_RE.match(line)
        if m:
            opened.add("exec:" + m.group(1))
            continue
        m = _CONNECT_RE.match(line)
        if m:
            connects.add(f"{m.group(2) or m.group(3)}:{m.group(1)}")
    return sorted(opened), sorted(connects)


def main_cli(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--cases", required=True)
    parser.add_argument("--commands", default="normalise,epub,pdf,issue")
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--audit", action="store_true")
    parser.add_argument(
        "--max-mem-mb",
        type=int,
        default=6000,
        help="address-space cap (a blow-up is a MemoryError, not a dead machine)",
    )
    opts = parser.parse_args(argv)
    import resource

    cap = opts.max_mem_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    audit = None
    if opts.audit:
        audit = _Audit()
        sys.addaudithook(audit.hook)
    names = [n for n in opts.cases.split(",") if n]
    outcomes = run_matrix(opts.root, names, opts.commands.split(","), audit=audit)
    opts.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1))


if __name__ == "__main__":
    main_cli()
