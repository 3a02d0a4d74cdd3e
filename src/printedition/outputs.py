"""Writing outputs safely: temp file in the target folder, fsync, then rename into place.

An interrupted or failed write never leaves a partial file at the destination. The temporary
file (``.NAME.XXXXXXXX.part``) is locked while it is written, so a later build can tell the
one a killed build left (``abandoned``: no one holds its lock) from a live one and remove it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from printedition.errors import OutputError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def describe_os_error(exc: OSError) -> str:
    """A failed write in words a user can act on ("the disk is full", "permission denied")."""
    return _describe(exc)


def _describe(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full (or the quota is used up)"
    if exc.errno == errno.EFBIG:
        return "the file is larger than this disk or account allows"
    if exc.errno == errno.ENAMETOOLONG:
        return "the file name is too long"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied"
    return exc.strerror or str(exc)


@contextlib.contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; on success it replaces ``dest`` atomically.

    On any exception (including KeyboardInterrupt) the temporary file is removed and
    ``dest`` is left as it was.
    """
    dest = Path(dest)
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"output folder {folder} does not exist", where=str(dest))
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name[:80]}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write here: {_describe(exc)}", where=str(dest)) from None
    if fcntl is not None:
        _lock(fd)  # held until the file is renamed or removed: it is being written
    else:  # pragma: no cover - Windows cannot rename a file that is open
        os.close(fd)
        fd = -1
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
        _sync_folder(folder)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write: {_describe(exc)}", where=str(dest)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if fd >= 0:
            os.close(fd)


PART_AGE = 3600.0  # where files cannot be locked, a temporary file this old is abandoned


def _lock(fd: int) -> bool:
    """An exclusive lock on an open file, without waiting; False if another holds it."""
    if fcntl is None:  # pragma: no cover - Windows: ages decide
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def abandoned(path: Path) -> bool:
    """Whether a temporary file was left by a writer that is gone (killed, crashed): no
    process holds its lock (or, where there are no locks, it is over ``PART_AGE`` old)."""
    try:
        if fcntl is None:  # pragma: no cover
            return time.time() - path.stat().st_mtime > PART_AGE
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        return _lock(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(dest: Path, data: bytes) -> None:
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(dest: Path, text: str) -> None:
    atomic_write_bytes(dest, text.encode("utf-8"))
