"""Resources: the one gate through which any stage reads a file or URL named by an input.

Goes in: a URL found in an article (image src, data: URL) and a ``ResourcePolicy`` saying what
the user handed over (the input's own folders; whether fetching is on). Comes out: bytes, or an
``UnsafeResourceError`` / ``ImageError`` naming the URL. Nothing outside the allowed folders is
ever opened; private, loopback, link-local and metadata addresses are refused unless allowed.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import ipaddress
import os
import re
import signal
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from printedition.errors import InputError, UnsafeResourceError
from printedition.settings import Limits

Fetcher = Callable[[str], bytes]

# Cloud metadata services answer on these even where they are not link-local.
_METADATA_HOSTS = {
    "169.254.169.254",
    "169.254.170.2",  # ECS task metadata
    "fd00:ec2::254",
    "100.100.100.200",  # Alibaba
    "192.0.0.192",  # Oracle (is_global in some Python versions)
    "metadata.google.internal",
    "metadata.goog",
    "metadata",
    "instance-data",
    "instance-data.ec2.internal",
}

# NAT64 prefixes carry an IPv4 address in their last 32 bits (RFC 6052, RFC 8215).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))

# What ``inet_aton`` accepts: dotted parts in decimal, octal (leading 0) or hex (0x).
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourcePolicy:
    roots: tuple[Path, ...] = ()  # folders whose files may be read (resolved, absolute)
    fetcher: Fetcher | None = None  # None: http(s) resources are refused
    allow_private: bool = False
    limits: Limits = field(default_factory=Limits)

    def with_root(self, root: Path) -> ResourcePolicy:
        return ResourcePolicy(
            roots=(*self.roots, root.resolve()),
            fetcher=self.fetcher,
            allow_private=self.allow_private,
            limits=self.limits,
        )


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), if any."""
    mapped = ip.ipv4_mapped or ip.sixtofour
    if mapped is not None:
        return mapped
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_metadata_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None:
            return _is_metadata_ip(inner)
    return str(ip) in _METADATA_HOSTS


def _is_forbidden_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None:
            return _is_forbidden_ip(inner)
        if ip.teredo:
            return True
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
        or str(ip) in _METADATA_HOSTS
    )


def _literal_ips(name: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The address a host names without DNS: an IP literal, or a numeric form the OS
    resolver reads as one (2130706433, 0177.0.0.1, 0x7f.1). Empty for a name."""
    try:
        return [ipaddress.ip_address(name)]
    except ValueError:
        pass
    if _NUMERIC_HOST.match(name):
        try:
            return [ipaddress.IPv4Address(socket.inet_aton(name))]
        except OSError:
            raise UnsafeResourceError(f"refused: {name} is not a valid address") from None
    return []


def check_host(host: str, *, allow_private: bool = False, resolve: bool = True) -> None:
    """Refuse hosts that are (or resolve to) private, loopback, link-local or metadata addresses.

    Raises ``UnsafeResourceError``. Every address a name resolves to is checked, so a name
    that points at 127.0.0.1 is refused like the address itself. Cloud metadata addresses are
    refused even with ``allow_private``, in every spelling (decimal, IPv4-mapped, NAT64...).
    """
    name = host.strip("[]").rstrip(".").lower()
    if not name:
        raise UnsafeResourceError("URL has no host")
    if name in _METADATA_HOSTS:
        raise UnsafeResourceError(f"refused: {host} is a cloud metadata address")
    ips = _literal_ips(name)
    if any(_is_metadata_ip(ip) for ip in ips):
        raise UnsafeResourceError(f"refused: {host} is a cloud metadata address")
    if allow_private:
        return
    if not ips:
        labels = name.split(".")
        if "localhost" in labels or name.endswith(".local") or name.endswith(".internal"):
            raise UnsafeResourceError(f"refused: {host} is a loopback or local name")
        if not resolve:
            return
        try:
            infos = socket.getaddrinfo(name, None)
        except (OSError, UnicodeError):
            raise UnsafeResourceError(f"cannot resolve host {host}") from None
        ips = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not ips:
            raise UnsafeResourceError(f"cannot resolve host {host}")
    for ip in ips:
        if _is_forbidden_ip(ip):
            raise UnsafeResourceError(
                f"refused: {host} is a private, loopback or link-local address "
                "(use --allow-private to permit it)"
            )


@contextlib.contextmanager
def time_limit(seconds: float, *, where: str, what: str) -> Iterator[None]:
    """Raise ``InputError`` naming ``where`` if the block runs longer than ``seconds``.

    Uses SIGALRM, so it works in a process's main thread (the CLI, and the issue build's
    worker processes); elsewhere, or when an outer limit is already running, it is a no-op
    and the outer bound applies. A long C call (one lxml parse) finishes before it fires.
    """
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not usable:
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise InputError(
            f"{what} took longer than {seconds:g} s (Limits.article_timeout)", where=where
        )

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _inside(path: Path, roots: tuple[Path, ...]) -> bool:
    for root in roots:
        try:
            path.relative_to(root)
        except ValueError:
            continue
        return True
    return False


def local_path(url: str, policy: ResourcePolicy) -> Path:
    """The file a file: URL names, if it is inside one of the allowed folders."""
    parts = _split(url)
    if parts.netloc not in ("", "localhost"):
        raise UnsafeResourceError("refused: file URL on another host", where=url[:200])
    path = Path(url2pathname(unquote(parts.path)))
    if not path.is_absolute():
        raise UnsafeResourceError("refused: relative file URL", where=url[:200])
    if not policy.roots:
        raise UnsafeResourceError("refused: no local files may be read here", where=url[:200])
    try:
        # strict resolve follows every symlink, so a link pointing out of the folder is caught
        real = path.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):  # ValueError: NUL in the path
        if not _inside(Path(os.path.normpath(path)), policy.roots):
            raise UnsafeResourceError(
                "refused: file is outside the article's folder", where=url[:200]
            ) from None
        raise InputError("file not found", where=url[:200]) from None
    if not _inside(real, policy.roots):
        raise UnsafeResourceError("refused: file is outside the article's folder", where=url[:200])
    if not real.is_file():
        raise InputError("not a regular file", where=url[:200])
    return real


def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise UnsafeResourceError("malformed URL", where=url[:200]) from None


def _read_file(path: Path, limit: int, where: str) -> bytes:
    """At most ``limit`` bytes, refusing files that are (or grow) larger; never a FIFO/device."""
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        )
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=where) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError("not a regular file", where=where)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=where) from None
    finally:
        os.close(fd)
    if size > limit:
        raise InputError(f"file is larger than the limit of {limit} bytes", where=where)
    return b"".join(chunks)


def decode_data_url(url: str, limits: Limits) -> bytes:
    if len(url) > limits.max_data_url_bytes * 4 // 3 + 256:
        raise InputError(
            f"data: URL is larger than the limit of {limits.max_data_url_bytes} bytes",
            where=url[:40] + "…",
        )
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise InputError("malformed data: URL", where=url[:40])
    try:
        if header.lower().rstrip().endswith(";base64"):
            return base64.b64decode(payload, validate=False)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise InputError("malformed data: URL", where=url[:40] + "…") from None


def read_resource(url: str, policy: ResourcePolicy, *, max_bytes: int | None = None) -> bytes:
    """Read the bytes a resource URL names, if the policy allows it.

    Every error names the URL (cut to 200 characters).
    """
    try:
        return _read_resource(url, policy, max_bytes=max_bytes)
    except InputError as exc:
        if exc.where:
            raise
        raise type(exc)(exc.message, where=url[:200]) from None


def _read_resource(url: str, policy: ResourcePolicy, *, max_bytes: int | None) -> bytes:
    limit = max_bytes if max_bytes is not None else policy.limits.max_image_bytes
    url = url.strip()
    parts = _split(url) if url else None
    scheme = parts.scheme.lower() if parts else ""
    if scheme == "data":
        data = decode_data_url(url, policy.limits)
    elif scheme == "file":
        path = local_path(url, policy)
        data = _read_file(path, limit, url[:200])
    elif scheme in ("http", "https") and parts is not None:
        if policy.fetcher is None:
            raise UnsafeResourceError(
                "refused: fetching remote resources is off for local pages", where=url[:200]
            )
        try:
            host = parts.hostname or ""
        except ValueError:
            raise UnsafeResourceError("malformed URL", where=url[:200]) from None
        check_host(host, allow_private=policy.allow_private)
        data = policy.fetcher(url)
    else:
        raise UnsafeResourceError(
            f"refused: unsupported URL scheme {scheme or '(none)'!r}", where=url[:80]
        )
    if len(data) > limit:
        raise InputError(f"resource is larger than the limit of {limit} bytes", where=url[:80])
    return data
