"""ingest/fetch.py against real HTTP servers on 127.0.0.1 (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest
from localhttp import Reply, serve, silent_server

from printedition import __version__
from printedition.cache import Store
from printedition.errors import FetchError, UnsafeResourceError
from printedition.ingest.fetch import Fetcher, FetchOptions
from printedition.settings import Limits

PAGE = b"<html><body><article><p>Hello</p></article></body></html>"


def _fetcher(tmp_path: Path | None = None, **limits: float) -> tuple[Fetcher, list[float]]:
    slept: list[float] = []
    opts = FetchOptions(limits=Limits(**limits), allow_private=True)  # type: ignore[arg-type]
    cache = Store(tmp_path / "cache") if tmp_path else None
    return Fetcher(opts, cache=cache, sleep=slept.append), slept


def test_fetch_sends_user_agent_and_returns_bytes() -> None:
    with serve({"/a": PAGE}) as srv:
        fetcher, _ = _fetcher()
        result = fetcher.fetch(srv.base + "/a")
    assert result.data == PAGE
    assert result.content_type.startswith("text/html")
    ua = srv.requests[0][1]["user-agent"]
    assert ua.startswith(f"printedition/{__version__} (+http")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/x", "http://localhost:9/x", "http://[::1]:9/", "http://10.0.0.1/"]
)
def test_private_addresses_refused_by_default(url: str) -> None:
    with pytest.raises(UnsafeResourceError, match=r"private|loopback"):
        Fetcher(FetchOptions()).fetch(url)


def test_metadata_address_refused_even_when_private_allowed() -> None:
    fetcher, _ = _fetcher()
    with pytest.raises(UnsafeResourceError, match="metadata"):
        fetcher.fetch("http://169.254.169.254/latest/meta-data/")


def test_redirect_to_metadata_address_refused() -> None:
    routes = {"/r": Reply(302, b"", {"Location": "http://169.254.169.254/latest/"})}
    with serve(routes) as srv:  # type: ignore[arg-type]
        fetcher, _ = _fetcher()
        with pytest.raises(UnsafeResourceError, match="metadata"):
            fetcher.fetch(srv.base + "/r")


def test_redirect_to_file_scheme_refused() -> None:
    routes = {"/r": Reply(301, b"", {"Location": "file:///etc/passwd"})}
    with serve(routes) as srv:  # type: ignore[arg-type]
        fetcher, _ = _fetcher()
        with pytest.raises(UnsafeResourceError, match="scheme"):
            fetcher.fetch(srv.base + "/r")


def test_redirects_followed_up_to_the_limit() -> None:
    routes: dict[str, object] = {
        f"/r{i}": Reply(302, b"", {"Location": f"/r{i + 1}"}) for i in range(6)
    }
    routes["/r6"] = PAGE
    with serve(routes) as srv:  # type: ignore[arg-type]
        fetcher, _ = _fetcher(max_redirects=6)
        result = fetcher.fetch(srv.base + "/r0")
        assert result.data == PAGE and result.final_url.endswith("/r6")
        fetcher, _ = _fetcher(max_redirects=5)
        with pytest.raises(FetchError, match="more than 5 redirects"):
            fetcher.fetch(srv.base + "/r0")


def test_size_cap_by_header_and_by_bytes_read() -> None:
    big = b"x" * 5000
    with serve({"/big": big}) as srv:
        fetcher, _ = _fetcher(max_fetch_bytes=1000)
        with pytest.raises(FetchError, match="over the limit of 1000"):
            fetcher.fetch(srv.base + "/big")


def test_transient_errors_retried_with_backoff() -> None:
    calls = {"n": 0}

    def flaky(_h: object) -> Reply:
        calls["n"] += 1
        return Reply(503, b"busy") if calls["n"] < 3 else Reply(200, PAGE)

    with serve({"/f": flaky}) as srv:
        fetcher, slept = _fetcher(fetch_retries=2)
        assert fetcher.fetch(srv.base + "/f").data == PAGE
    assert calls["n"] == 3
    assert slept == [0.5, 1.0]


def test_retries_give_up_and_name_the_status() -> None:
    with serve({"/f": Reply(502, b"")}) as srv:
        fetcher, slept = _fetcher(fetch_retries=1)
        with pytest.raises(FetchError, match=r"HTTP 502 .* after 2 attempts"):
            fetcher.fetch(srv.base + "/f")
    assert len(srv.requests) == 2 and len(slept) == 1


def test_404_is_not_retried() -> None:
    with serve({}) as srv:
        fetcher, slept = _fetcher(fetch_retries=3)
        with pytest.raises(FetchError, match="HTTP 404 Not Found") as info:
            fetcher.fetch(srv.base + "/missing")
    assert info.value.where.endswith("/missing")
    assert len(srv.requests) == 1 and slept == []


def test_server_that_never_answers_times_out() -> None:
    with silent_server() as base:
        fetcher, slept = _fetcher(fetch_timeout=0.3, fetch_retries=1)
        with pytest.raises(FetchError, match="timeout"):
            fetcher.fetch(base + "/never")
    assert len(slept) == 1


def test_cache_revalidates_with_etag(tmp_path: Path) -> None:
    def etagged(h: object) -> Reply:
        if getattr(h, "headers")["If-None-Match"] == '"v1"':  # noqa: B009
            return Reply(304, b"")
        return Reply(200, PAGE, {"ETag": '"v1"', "Content-Type": "text/html"})

    with serve({"/e": etagged}) as srv:
        fetcher, _ = _fetcher(tmp_path)
        first = fetcher.fetch(srv.base + "/e")
        second = _fetcher(tmp_path)[0].fetch(srv.base + "/e")
    assert not first.from_cache and second.from_cache
    assert second.data == PAGE and second.content_type == "text/html"
    assert srv.requests[1][1]["if-none-match"] == '"v1"'


def test_cache_revalidates_with_last_modified_and_survives_corruption(tmp_path: Path) -> None:
    stamp = "Wed, 21 Oct 2026 07:28:00 GMT"

    def dated(h: object) -> Reply:
        if getattr(h, "headers")["If-Modified-Since"] == stamp:  # noqa: B009
            return Reply(304, b"")
        return Reply(200, PAGE, {"Last-Modified": stamp})

    with serve({"/d": dated}) as srv:
        fetcher, _ = _fetcher(tmp_path)
        fetcher.fetch(srv.base + "/d")
        assert fetcher.cache is not None
        for entry in fetcher.cache.entries(["fetchbody"]):
            entry.write_bytes(entry.read_bytes()[:-5])  # truncate the stored body
        again = _fetcher(tmp_path)[0]
        result = again.fetch(srv.base + "/d")
    assert result.data == PAGE and not result.from_cache
    assert again.cache is not None
    assert [p.code for p in again.cache.problems] == ["cache-corrupt"]
    assert srv.requests[1][1]["if-modified-since"] == stamp
    assert "if-modified-since" not in srv.requests[2][1]
