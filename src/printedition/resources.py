"""Resources: the one gate through which any stage reads a file or URL named by an input.

Goes in: a URL found in an article (image src, data: URL) and a ``ResourcePolicy`` saying what
the user handed over (the input's own folders; whether fetching is on). Comes out: bytes, or an
``UnsafeResourceError`` / ``ImageError`` naming the URL. Nothing outside the allowed folders is
ever opened; private, loopback, link-local and metadata addresses are refused unless allowed.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from printedition.errors import InputError, UnsafeResourceError
from printedition.settings import Limits

Fetcher = Callable[[str], bytes]

# Cloud metadata services answer on these even where they are not link-local.
_METADATA_HOSTS = {
    "169.254.169.254",
    "fd00:ec2::254",
    "100.100.100.200",
    "metadata.google.internal",
    "metadata",
}


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


def _is_forbidden_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return _is_forbidden_ip(mapped)
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


def check_host(host: str, *, allow_private: bool = False, resolve: bool = True) -> None:
    """Refuse hosts that are (or resolve to) private, loopback, link-local or metadata addresses.

    Raises ``UnsafeResourceError``. Every address a name resolves to is checked, so a name
    that points at 127.0.0.1 is refused like the address itself.
    """
    name = host.strip("[]").rstrip(".").lower()
    if not name:
        raise UnsafeResourceError("URL has no host")
    if name in _METADATA_HOSTS:
        raise UnsafeResourceError(f"refused: {host} is a cloud metadata address")
    if allow_private:
        return
    try:
        ips = [ipaddress.ip_address(name)]
    except ValueError:
        # Integer or octal forms like 2130706433 / 0177.0.0.1 are resolved by the OS too.
        if name == "localhost" or name.endswith(".localhost"):
            raise UnsafeResourceError(f"refused: {host} is a loopback address") from None
        if not resolve:
            return
        try:
            infos = socket.getaddrinfo(name, None)
        except (OSError, UnicodeError):
            raise UnsafeResourceError(f"cannot resolve host {host}") from None
        ips = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for ip in ips:
        if _is_forbidden_ip(ip):
            raise UnsafeResourceError(
                f"refused: {host} is a private, loopback or link-local address "
                "(use --allow-private to permit it)"
            )


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
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise UnsafeResourceError(f"refused: remote file URL {url}")
    path = Path(url2pathname(unquote(parts.path)))
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise InputError("file not found", where=url) from None
    if not policy.roots or not _inside(real, policy.roots):
        raise UnsafeResourceError("refused: file is outside the article's folder", where=url)
    if not real.is_file():
        raise InputError("not a regular file", where=url)
    return real


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
        if header.endswith(";base64"):
            return base64.b64decode(payload, validate=False)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise InputError("malformed data: URL", where=url[:40] + "…") from None


def read_resource(url: str, policy: ResourcePolicy, *, max_bytes: int | None = None) -> bytes:
    """Read the bytes a resource URL names, if the policy allows it."""
    limit = max_bytes if max_bytes is not None else policy.limits.max_image_bytes
    scheme = urlsplit(url).scheme.lower() if url else ""
    if scheme == "data":
        data = decode_data_url(url, policy.limits)
    elif scheme == "file":
        path = local_path(url, policy)
        size = os.stat(path).st_size
        if size > limit:
            raise InputError(f"file is larger than the limit of {limit} bytes", where=url)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", where=url) from None
    elif scheme in ("http", "https"):
        if policy.fetcher is None:
            raise UnsafeResourceError(
                "refused: fetching remote resources is off for local pages", where=url
            )
        host = urlsplit(url).hostname or ""
        check_host(host, allow_private=policy.allow_private)
        data = policy.fetcher(url)
    else:
        raise UnsafeResourceError(
            f"refused: unsupported URL scheme {scheme or '(none)'!r}", where=url[:80]
        )
    if len(data) > limit:
        raise InputError(f"resource is larger than the limit of {limit} bytes", where=url[:80])
    return data
