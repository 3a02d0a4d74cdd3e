"""A content-addressed build cache: bytes stored under a sha256 key of everything that made them.

Goes in: the inputs, options and code version of a piece of work (hashed with ``cache_key``)
and the bytes it produced. Comes out: the same bytes on a later build, or ``None``. The cache
lives in the platform's cache folder (``default_cache_dir``: platformdirs, or
$PRINTEDITION_CACHE); a read marks its entry used, and ``prune`` removes the least recently
used entries past a size cap (``settings.CACHE_MAX_BYTES``). Every entry
carries the sha256 of its payload and is verified on read: a truncated or corrupt entry is
deleted, recorded in ``problems`` (code ``cache-corrupt``) and reported as a miss so the caller
rebuilds it. Writes go to a temporary file in the same folder and are renamed into place, so a
crash never leaves a partial entry and two builds sharing the cache never see each other's
half-written files (the last writer of identical content wins).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs

from printedition import __version__
from printedition.errors import ConfigError
from printedition.model import BuildWarning
from printedition.settings import CACHE_MAX_BYTES

_MAGIC = b"printedition-cache 1 sha256="
_DIGEST_LEN = 64
_KIND = re.compile(r"[a-z][a-z0-9_-]{0,40}")
_KEY = re.compile(r"[0-9a-f]{64}")


@functools.cache
def code_version() -> str:
    """A digest of the package's own code and data: any edit to them invalidates the cache."""
    h = hashlib.sha256(__version__.encode())
    root = resources.files("printedition")
    stack = [root]
    files: list[tuple[str, bytes]] = []
    while stack:
        folder = stack.pop()
        for item in folder.iterdir():
            name = item.name
            if name == "__pycache__" or name.startswith("."):
                continue
            if item.is_dir():
                stack.append(item)
            elif name.endswith((".py", ".toml", ".css", ".json", ".html", ".txt")):
                files.append((str(item), item.read_bytes()))
    for name, data in sorted(files):
        rel = name.split("printedition", 1)[-1]
        h.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()[:20]


def _canonical(part: Any) -> bytes:
    if isinstance(part, bytes):
        return b"b" + part
    if isinstance(part, str):
        return b"s" + part.encode("utf-8")
    # Options objects and plain data: a stable JSON form (sorted keys).
    return b"j" + json.dumps(part, sort_keys=True, default=str, ensure_ascii=False).encode()


def cache_key(kind: str, *parts: Any, code: str | None = None) -> str:
    """sha256 over the kind, the code version and each part (length-prefixed, so
    ``("ab", "c")`` and ``("a", "bc")`` differ)."""
    h = hashlib.sha256()
    for part in (kind, code if code is not None else code_version(), *parts):
        data = _canonical(part)
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(slots=True)
class CacheStats:
    hits: int = 0
    misses: int = 0
    writes: int = 0
    corrupt: int = 0

    def add(self, other: CacheStats) -> None:
        self.hits += other.hits
        self.misses += other.misses
        self.writes += other.writes
        self.corrupt += other.corrupt


@dataclass(slots=True)
class Store:
    """One cache folder. Safe to share between processes and concurrent builds."""

    root: Path
    enabled: bool = True
    stats: CacheStats = field(default_factory=CacheStats)
    problems: list[BuildWarning] = field(default_factory=list)

    def path(self, kind: str, key: str) -> Path:
        if not _KIND.fullmatch(kind) or not _KEY.fullmatch(key):
            raise ValueError(f"bad cache address {kind}/{key}")
        return self.root / kind / key[:2] / key

    def get(self, kind: str, key: str) -> bytes | None:
        """The payload stored under ``key``, verified; ``None`` when absent or corrupt."""
        if not self.enabled:
            self.stats.misses += 1
            return None
        path = self.path(kind, key)
        try:
            raw = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            self.stats.misses += 1
            return None
        except OSError as exc:
            self._discard(path, kind, key, f"unreadable ({exc.strerror})")
            return None
        head_len = len(_MAGIC) + _DIGEST_LEN + 1
        header, payload = raw[:head_len], raw[head_len:]
        if (
            len(header) != head_len
            or not header.startswith(_MAGIC)
            or header[-1:] != b"\n"
            or header[len(_MAGIC) : -1].decode("ascii", "replace") != digest(payload)
        ):
            self._discard(path, kind, key, "truncated or corrupt")
            return None
        self.stats.hits += 1
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: prune keeps the recently used (atime is often off)
        return payload

    def put(self, kind: str, key: str, data: bytes) -> None:
        if not self.enabled:
            return
        path = self.path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".part", dir=path.parent)
        except OSError:
            return  # a cache we cannot write is only slower, never wrong
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC + digest(data).encode("ascii") + b"\n")
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            self.stats.writes += 1
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def get_json(self, kind: str, key: str) -> Any | None:
        data = self.get(kind, key)
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError:
            # Verified bytes that are not JSON: written by a different code version.
            self._discard(self.path(kind, key), kind, key, "not JSON")
            return None

    def put_json(self, kind: str, key: str, value: Any) -> None:
        self.put(kind, key, json.dumps(value, sort_keys=True, ensure_ascii=False).encode())

    def _discard(self, path: Path, kind: str, key: str, why: str) -> None:
        with contextlib.suppress(OSError):
            path.unlink()
        self.stats.misses += 1
        self.stats.corrupt += 1
        self.problems.append(
            BuildWarning(
                code="cache-corrupt",
                message=f"cache entry {kind}/{key[:12]} was {why}: discarded and rebuilt",
                where=str(path),
            )
        )

    def take_problems(self) -> list[BuildWarning]:
        out, self.problems = self.problems, []
        return out

    def entries(self, kinds: Iterable[str] | None = None) -> list[Path]:
        folders = [self.root / k for k in kinds] if kinds else [self.root]
        return sorted(p for f in folders if f.is_dir() for p in f.rglob("*") if p.is_file())


# ---------------------------------------------------------------------------------------------
# Where the cache lives, and pruning it
# ---------------------------------------------------------------------------------------------

CACHE_ENV = "PRINTEDITION_CACHE"
CACHE_MAX_SIZE_ENV = "PRINTEDITION_CACHE_MAX_SIZE"
_STALE_PART_SECONDS = 3600  # a temporary file this old is a killed writer's, not a live one's
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*", re.IGNORECASE)


def default_cache_dir() -> Path:
    """$PRINTEDITION_CACHE, else the platform's cache folder for printedition
    (``~/.cache/printedition`` on Linux, honouring $XDG_CACHE_HOME)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    return platformdirs.user_cache_path("printedition", appauthor=False)


def parse_size(text: str) -> int:
    """'500M', '2G', '1.5GB', '750MiB', '1000000' → bytes (K, M, G, T are powers of 1024)."""
    m = _SIZE.fullmatch(text)
    if m is None:
        raise ConfigError(f"size {text!r}: use a number of bytes or e.g. 500M, 2G")
    unit = " KMGT".index(m.group(2).upper() or " ")
    return int(float(m.group(1)) * 1024**unit)


def default_max_bytes() -> int:
    """The cache's size cap: $PRINTEDITION_CACHE_MAX_SIZE, else ``CACHE_MAX_BYTES``."""
    env = os.environ.get(CACHE_MAX_SIZE_ENV, "").strip()
    return parse_size(env) if env else CACHE_MAX_BYTES


@dataclass(frozen=True, slots=True, kw_only=True)
class PruneResult:
    removed: int  # entries (and stale temporary files) deleted
    freed: int  # bytes
    entries: int  # entries kept
    size: int  # bytes kept


def _is_entry(path: Path, root: Path) -> bool:
    """Only what ``Store`` writes (kind/ab/abcd…) is ever deleted: a cache folder pointed at
    the wrong place must not cost a user their files."""
    try:
        kind, shard, name = path.relative_to(root).parts
    except ValueError:
        return False
    return bool(_KIND.fullmatch(kind) and _KEY.fullmatch(name) and name[:2] == shard)


def _is_stale_part(path: Path, root: Path, now: float) -> bool:
    try:
        kind, _, name = path.relative_to(root).parts
        age = now - path.stat().st_mtime
    except (ValueError, OSError):
        return False
    return bool(
        _KIND.fullmatch(kind)
        and name.startswith(".")
        and name.endswith(".part")
        and age > _STALE_PART_SECONDS
    )


def prune(root: Path, max_bytes: int) -> PruneResult:
    """Delete the least recently used entries under ``root`` until it holds at most
    ``max_bytes``; temporary files left by killed writers go too. Safe beside a running build:
    an entry deleted under a reader is a miss, and the reader rebuilds it."""
    root = Path(root)
    if not root.is_dir():
        return PruneResult(removed=0, freed=0, entries=0, size=0)
    now = time.time()
    entries: list[tuple[float, int, Path]] = []
    removed = freed = 0
    for path in root.glob("*/*/*"):
        if _is_entry(path, root):
            try:
                info = path.stat()
            except OSError:
                continue
            entries.append((info.st_mtime, info.st_size, path))
        elif _is_stale_part(path, root, now):
            with contextlib.suppress(OSError):
                size = path.stat().st_size
                path.unlink()
                removed += 1
                freed += size
    entries.sort()  # least recently used first
    size = sum(e[1] for e in entries)
    kept = len(entries)
    for _, length, path in entries:
        if size <= max_bytes:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            size -= length
            kept -= 1
            removed += 1
            freed += length
            with contextlib.suppress(OSError):
                path.parent.rmdir()  # only when it is now empty
    return PruneResult(removed=removed, freed=freed, entries=kept, size=size)


__all__ = [
    "CACHE_ENV",
    "CACHE_MAX_SIZE_ENV",
    "CacheStats",
    "PruneResult",
    "Store",
    "cache_key",
    "code_version",
    "default_cache_dir",
    "default_max_bytes",
    "digest",
    "parse_size",
    "prune",
]
