"""Fetch: an http(s) URL → bytes, guarded (stdlib urllib/http.client only, no new dependency).

Goes in: a URL a manifest or article names, and ``FetchOptions`` (limits, whether private
addresses are allowed, an optional cache ``Store``). Comes out: a ``FetchResult`` (bytes, final
URL, content type) or a ``FetchError`` / ``UnsafeResourceError`` naming the URL.

Guards: a per-request socket timeout plus an overall deadline per response, a byte cap
(Content-Length and the bytes actually read), at most ``max_redirects`` redirects with every
hop's host re-checked, a clear User-Agent, retries with exponential backoff on transient
failures (connection errors, timeouts, 408/425/429/5xx). The address check happens at connect
time on the address actually dialled, so a name that re-resolves to 127.0.0.1 between the check
and the connection (DNS rebinding) is still refused. Environment proxies are ignored for the
same reason. Responses are cached on disk and revalidated with ETag / Last-Modified.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from printedition import __version__
from printedition.cache import Store, cache_key
from printedition.errors import FetchError, HTTPStatusError, UnsafeResourceError
from printedition.resources import check_host
from printedition.settings import Limits, Paper

_TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}
_REDIRECT_STATUS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024
_MAX_BACKOFF = 30.0
_PRIVATE_HEADERS = {"set-cookie", "authorization", "www-authenticate"}


def user_agent(paper_url: str = Paper().url) -> str:
    return f"printedition/{__version__} (+{paper_url})"


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchOptions:
    limits: Limits = field(default_factory=Limits)
    allow_private: bool = False
    user_agent: str = field(default_factory=user_agent)
    backoff: float = 0.5  # seconds before the first retry; doubled each time
    deadline_factor: float = 4.0  # a whole response may take this many socket timeouts
    accept: str = "text/html,application/xhtml+xml,image/*;q=0.9,*/*;q=0.5"


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchResult:
    url: str  # the URL asked for
    final_url: str  # after redirects
    data: bytes
    content_type: str = ""
    from_cache: bool = False  # served from the disk cache after a 304 (or no revalidation)
    headers: dict[str, str] = field(default_factory=dict)  # the response's (lower-case names)


@dataclass(slots=True)
class FetchStats:
    """What a ``Fetcher`` sent: every request, those with validators, and 304 answers."""

    requests: int = 0
    conditional: int = 0
    not_modified: int = 0


class _Transient(Exception):
    """A failure worth retrying; carries the message for the final error."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _connect_checked(host: str, port: int, timeout: float, allow_private: bool) -> socket.socket:
    """Resolve ``host`` and connect to the first permitted address; every address is checked."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise _Transient(f"cannot resolve host {host} ({exc})") from None
    last: OSError | None = None
    for family, socktype, proto, _name, addr in infos:
        ip = str(addr[0]).split("%")[0]
        check_host(ip, allow_private=allow_private, resolve=False)
        sock = socket.socket(family, socktype, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(addr)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        return sock
    raise _Transient(f"cannot connect to {host}:{port} ({last})")


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int | None, *, timeout: float, allow_private: bool):
        super().__init__(host, port, timeout=timeout)
        self._allow_private = allow_private

    def connect(self) -> None:
        self.sock = _connect_checked(
            self.host, self.port, self.timeout or 20.0, self._allow_private
        )


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int | None, *, timeout: float, allow_private: bool):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._allow_private = allow_private

    def connect(self) -> None:
        sock = _connect_checked(self.host, self.port, self.timeout or 20.0, self._allow_private)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    headers: dict[str, str]
    data: bytes


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Fetcher:
    """Fetches URLs under ``FetchOptions``; callable as a ``resources.Fetcher`` (URL → bytes)."""

    def __init__(
        self,
        options: FetchOptions | None = None,
        *,
        cache: Store | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.options = options or FetchOptions()
        self.cache = cache
        self._sleep = sleep
        self.stats = FetchStats()

    def __call__(self, url: str) -> bytes:
        return self.fetch(url).data

    # -- public ------------------------------------------------------------------------------

    def fetch(
        self, url: str, *, max_bytes: int | None = None, headers: Mapping[str, str] | None = None
    ) -> FetchResult:
        """GET ``url`` following at most ``max_redirects`` redirects; see the module doc.
        ``headers`` are sent with every request (an API's Accept, its Authorization)."""
        limits = self.options.limits
        cap = max_bytes if max_bytes is not None else limits.max_fetch_bytes
        meta_key = cache_key("fetch", url) if self.cache is not None else ""
        cached = self._cached(meta_key)
        current = url
        extra = dict(headers or {})
        for _hop in range(limits.max_redirects + 1):
            sent = dict(extra)
            if cached is not None and cached["url"] == current:
                if cached.get("etag"):
                    sent["If-None-Match"] = cached["etag"]
                if cached.get("last_modified"):
                    sent["If-Modified-Since"] = cached["last_modified"]
            resp = self._with_retries(current, sent, cap, where=url)
            if resp.status in _REDIRECT_STATUS:
                location = resp.headers.get("location", "")
                if not location:
                    raise FetchError(f"HTTP {resp.status} redirect without a Location", where=url)
                target = urljoin(current, location)
                if _origin(target) != _origin(current):
                    # credentials are for the site asked, never for where it points
                    extra.pop("Authorization", None)
                current = target
                continue
            if resp.status == 304 and cached is not None and cached["url"] == current:
                body = self.cache.get("fetchbody", cached["body"]) if self.cache else None
                if body is not None:
                    self.stats.not_modified += 1
                    stored = cached.get("headers")
                    return FetchResult(
                        url=url,
                        final_url=cached["final_url"],
                        data=body,
                        content_type=cached.get("content_type", ""),
                        from_cache=True,
                        headers=dict(stored) if isinstance(stored, dict) else {},
                    )
                # The body went missing or was corrupt: ask again without validators.
                cached = None
                resp = self._with_retries(current, extra, cap, where=url)
            if resp.status != 200:
                reason = http.client.responses.get(resp.status, "error")
                raise HTTPStatusError(f"HTTP {resp.status} {reason}", status=resp.status, where=url)
            result = FetchResult(
                url=url,
                final_url=current,
                data=resp.data,
                content_type=resp.headers.get("content-type", ""),
                headers=resp.headers,
            )
            self._store(meta_key, current, resp, result)
            return result
        raise FetchError(f"more than {limits.max_redirects} redirects", where=url)

    # -- internals ---------------------------------------------------------------------------

    def _cached(self, meta_key: str) -> dict[str, Any] | None:
        if self.cache is None:
            return None
        meta = self.cache.get_json("fetchmeta", meta_key)
        return meta if isinstance(meta, dict) else None

    def _store(self, meta_key: str, current: str, resp: _Response, result: FetchResult) -> None:
        if self.cache is None:
            return
        etag = resp.headers.get("etag", "")
        modified = resp.headers.get("last-modified", "")
        if not (etag or modified) or "no-store" in resp.headers.get("cache-control", ""):
            return
        body_key = cache_key("fetchbody", result.data)
        self.cache.put("fetchbody", body_key, result.data)
        meta = {
            "url": current,
            "final_url": result.final_url,
            "etag": etag,
            "last_modified": modified,
            "content_type": result.content_type,
            "body": body_key,
            # kept for a 304 (an API's X-WP-TotalPages); never cookies
            "headers": {k: v for k, v in resp.headers.items() if k not in _PRIVATE_HEADERS},
        }
        self.cache.put("fetchmeta", meta_key, json.dumps(meta, sort_keys=True).encode())

    def _with_retries(
        self, url: str, headers: dict[str, str], cap: int, *, where: str
    ) -> _Response:
        retries = max(0, self.options.limits.fetch_retries)
        delay = self.options.backoff
        for attempt in range(retries + 1):
            self.stats.requests += 1
            self.stats.conditional += int(
                "If-None-Match" in headers or "If-Modified-Since" in headers
            )
            try:
                return self._request(url, headers, cap, where=where)
            except _Transient as exc:
                if attempt == retries:
                    tries = f" after {retries + 1} attempts" if retries else ""
                    raise FetchError(f"{exc.message}{tries}", where=where) from None
                wait = exc.retry_after if exc.retry_after is not None else delay
                self._sleep(min(wait, _MAX_BACKOFF))
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _request(self, url: str, headers: dict[str, str], cap: int, *, where: str) -> _Response:
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. an unclosed IPv6 bracket, possibly from a redirect
            raise FetchError("malformed URL", where=url) from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise UnsafeResourceError(f"refused: URL scheme {scheme or '(none)'!r}", where=url)
        host = parts.hostname or ""
        try:
            port = parts.port
        except ValueError:
            raise FetchError("invalid port in URL", where=url) from None
        # Names such as "metadata" or "localhost" are refused before any DNS lookup.
        check_host(host, allow_private=self.options.allow_private, resolve=False)
        timeout = self.options.limits.fetch_timeout
        cls = _HTTPSConnection if scheme == "https" else _HTTPConnection
        try:
            # http.client wants an IPv6 literal in brackets, or it reads its tail as a port.
            conn = cls(
                f"[{host}]" if ":" in host else host,
                port,
                timeout=timeout,
                allow_private=self.options.allow_private,
            )
        except (http.client.HTTPException, ValueError) as exc:
            raise FetchError(f"invalid URL ({exc})", where=url) from None
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        request_headers = {
            "User-Agent": self.options.user_agent,
            "Accept": self.options.accept,
            "Accept-Encoding": "identity",
            **headers,
        }
        deadline = time.monotonic() + timeout * self.options.deadline_factor
        try:
            conn.request("GET", path, headers=request_headers)
            resp = conn.getresponse()
            status = resp.status
            resp_headers = {k.lower(): v for k, v in resp.getheaders()}
            if status in _TRANSIENT_STATUS:
                raise _Transient(
                    f"HTTP {status} {resp.reason}", _retry_after(resp_headers.get("retry-after"))
                )
            if status != 200:
                return _Response(status, resp_headers, b"")
            length = resp_headers.get("content-length", "")
            if length.isdigit() and int(length) > cap:
                raise FetchError(
                    f"response is {length} bytes, over the limit of {cap}", where=where
                )
            chunks: list[bytes] = []
            total = 0
            while True:
                if time.monotonic() > deadline:
                    raise _Transient(
                        f"response took longer than {timeout * self.options.deadline_factor:g} s"
                    )
                chunk = resp.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > cap:
                    raise FetchError(f"response is over the limit of {cap} bytes", where=where)
                chunks.append(chunk)
            return _Response(status, resp_headers, b"".join(chunks))
        except TimeoutError:
            raise _Transient(f"no answer within {timeout:g} s (timeout)") from None
        except ssl.SSLError as exc:
            raise FetchError(f"TLS error: {exc.reason or exc}", where=where) from None
        except (http.client.HTTPException, ConnectionError) as exc:
            raise _Transient(f"connection failed ({type(exc).__name__}: {exc})") from None
        except OSError as exc:
            raise _Transient(f"connection failed ({exc.strerror or exc})") from None
        finally:
            conn.close()


def _origin(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url)
        return parts.scheme.lower(), parts.netloc.lower()
    except ValueError:
        return "", url


def fetch_url(
    url: str, options: FetchOptions | None = None, *, cache: Store | None = None
) -> bytes:
    """Convenience: one guarded GET."""
    return Fetcher(options, cache=cache).fetch(url).data


__all__ = ["FetchOptions", "FetchResult", "FetchStats", "Fetcher", "fetch_url", "user_agent"]
