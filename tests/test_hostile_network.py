"""Hostile network: an issue of URLs served from 127.0.0.1 whose pages point at metadata,
loopback, private and link-local addresses (as IPv4, IPv6, decimal, octal and hex, and through
redirects). The build runs in a subprocess under an audit hook that records every
``socket.connect``: the only address ever dialled is the test server itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from localhttp import Reply, serve

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
import hostile_cases as hc
import hostile_images as himg

AUDITED_CLI = textwrap.dedent(
    """
    import json, os, sys
    log = {"connect": [], "open": []}
    def hook(event, args):
        if event == "socket.connect":
            addr = args[1]
            if isinstance(addr, tuple):
                log["connect"].append(f"{addr[0]}:{addr[1]}")
        elif event == "socket.getaddrinfo":
            log.setdefault("resolve", []).append(str(args[0]))
        elif event == "open" and isinstance(args[0], str):
            log["open"].append(os.path.abspath(args[0]))
    sys.addaudithook(hook)
    public = os.environ.get("HOSTILE_PUBLIC_IP")
    if public:
        # The test server stands in for a public web server: only its exact address is
        # taken as public; everything else keeps the real rules.
        import ipaddress
        import printedition.resources as res
        real = res._is_forbidden_ip
        res._is_forbidden_ip = lambda ip: False if str(ip) == public else real(ip)
    from printedition.cli import main
    try:
        main(sys.argv[2:])
    finally:
        with open(sys.argv[1], "w") as fh:
            json.dump(log, fh)
    """
)


def _run_audited(
    tmp_path: Path, args: list[str], public: str = ""
) -> tuple[subprocess.CompletedProcess[str], dict[str, list[str]]]:
    log = tmp_path / "audit.json"
    # Proxies in the environment must be ignored (they would see every URL).
    env = dict(
        os.environ,
        http_proxy="http://169.254.169.254:1/",
        HTTPS_PROXY="http://169.254.169.254:1/",
        HOSTILE_PUBLIC_IP=public,
    )
    proc = subprocess.run(
        [sys.executable, "-c", AUDITED_CLI, str(log), *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    return proc, json.loads(log.read_text())


def _manifest(tmp_path: Path, sources: list[str], *, limits: str = "") -> Path:
    entries = "\n".join(f'  "{s}",' for s in sources)
    path = tmp_path / "issue.toml"
    path.write_text(
        f"""
[paper]
name = "Hostile Net"
format = "a4"

[issue]
number = 9
cover_date = "May 2027"

[cover]
article = "{sources[0]}"

[limits]
fetch_timeout = 1.0
fetch_retries = 0
{limits}

[[sections]]
title = "News"
articles = [
{entries}
]
""",
        encoding="utf-8",
    )
    return path


def _hostile_page(base: str) -> bytes:
    figs = [hc.figure(u, f"Remote {i}. Photo: X") for i, u in enumerate(hc.FORBIDDEN_HOSTS)]
    figs += [
        hc.figure(f"{base}/redirect-metadata.jpg"),
        hc.figure(f"{base}/redirect-google.jpg"),
        hc.figure(f"{base}/redirect-file.jpg"),
        hc.figure(f"{base}/redirect-loopback-v6.jpg"),
        hc.figure(f"{base}/redirect-decimal.jpg"),
        hc.figure(f"{base}/redirect-chain.jpg"),
        hc.figure(f"{base}/not-an-image.jpg"),
        hc.figure(f"{base}/photo.jpg"),
    ]
    head = '<base href="http://169.254.169.254/latest/"/>'
    return hc.page("\n".join(figs), head=head).replace(head, "").encode()


def _routes(base_ref: list[str]) -> dict[str, object]:
    def redirect(to: str) -> Reply:
        return Reply(302, b"", {"Location": to})

    return {
        "/page/": Reply(200, b"", {}),  # filled in once the base URL is known
        "/photo.jpg": Reply(200, himg.photo_jpeg((800, 500)), {"Content-Type": "image/jpeg"}),
        "/not-an-image.jpg": Reply(200, himg.html_as_image(), {"Content-Type": "image/jpeg"}),
        "/redirect-metadata.jpg": redirect("http://169.254.169.254/latest/meta-data/iam/"),
        "/redirect-google.jpg": redirect("http://metadata.google.internal/computeMetadata/v1/"),
        "/redirect-file.jpg": redirect("file:///etc/passwd"),
        "/redirect-loopback-v6.jpg": redirect("http://[::1]:9/x.jpg"),
        "/redirect-decimal.jpg": redirect("http://2852039166/latest/"),  # 169.254.169.254
        "/redirect-chain.jpg": redirect("/redirect-metadata.jpg"),
        "/redirect-page/": redirect("http://169.254.169.254/latest/user-data"),
    }


@contextlib.contextmanager
def _server(host: str, routes: dict[str, Reply]) -> Iterator[tuple[str, list[str]]]:
    """A tiny HTTP server on ``host`` (127.0.0.2 stands in for a public web server)."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            reply = routes.get(self.path, Reply(404, b"not found", {}))
            self.send_response(reply.status)
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


METADATA = ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")


def _build(
    tmp_path: Path, allow_private: bool
) -> tuple[subprocess.CompletedProcess[str], dict[str, list[str]], list[str], str]:
    routes = _routes([])
    with _server("127.0.0.2", routes) as (base, seen):
        routes["/page/"] = Reply(200, _hostile_page(base), {"Content-Type": "text/html"})
        manifest = _manifest(tmp_path, [f"{base}/page/", f"{base}/redirect-page/"])
        args = ["issue", "build", str(manifest), "-o", str(tmp_path / "out"), "--no-check"]
        args += ["--cache-dir", str(tmp_path / "cache")]
        if allow_private:
            args.append("--allow-private")
        proc, log = _run_audited(tmp_path, args, public="127.0.0.2")
    return proc, log, seen, base


def test_fetched_pages_never_reach_forbidden_addresses(tmp_path: Path) -> None:
    proc, log, seen, base = _build(tmp_path, allow_private=False)
    assert "Traceback" not in proc.stderr + proc.stdout
    # The only address ever dialled is the (public-standing) test server.
    server = base.removeprefix("http://")
    assert log["connect"], "the audit saw no connection at all"
    assert set(log["connect"]) == {server}, log["connect"]
    assert "/page/" in seen and "/photo.jpg" in seen
    # The page was built with its good photo; the redirect to metadata was refused, reported.
    assert proc.returncode in (0, 1), proc.stderr
    out = tmp_path / "out"
    assert (out / "issue-9.epub").is_file()
    text = (out / "report.json").read_text()
    assert "169.254.169.254" in text
    assert "/etc/passwd" not in log["open"]


@pytest.mark.slow  # it waits out the connect timeouts of the private addresses
def test_allow_private_still_never_dials_metadata(tmp_path: Path) -> None:
    proc, log, _seen, _base = _build(tmp_path, allow_private=True)
    assert "Traceback" not in proc.stderr + proc.stdout
    dialled = {c.rsplit(":", 1)[0].strip("[]") for c in log["connect"]}
    assert not dialled & set(METADATA), log["connect"]
    # Loopback and private addresses may be dialled now (the user allowed it), nothing else.
    import ipaddress

    for host in dialled:
        ip = ipaddress.ip_address(host)
        assert not ip.is_global, host  # loopback, private, shared (CGNAT) ranges
    assert (tmp_path / "out" / "issue-9.epub").is_file()


def test_without_allow_private_loopback_pages_are_refused(tmp_path: Path) -> None:
    with serve({"/page/": Reply(200, hc.page("<p>hi</p>").encode(), {})}) as srv:  # type: ignore[dict-item]
        manifest = _manifest(tmp_path, [f"{srv.base}/page/"])
        args = ["issue", "build", str(manifest), "-o", str(tmp_path / "out"), "--no-check"]
        args += ["--cache-dir", str(tmp_path / "cache")]
        proc, log = _run_audited(tmp_path, args)
        assert srv.requests == []
    assert log["connect"] == []
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, proc.stderr
    assert "private" in errors[0] or "loopback" in errors[0] or "refused" in errors[0], errors[0]


def test_manifest_urls_with_forbidden_hosts_dial_nothing(tmp_path: Path) -> None:
    sources = [u for u in hc.FORBIDDEN_HOSTS if u.startswith("http") and "[::1/" not in u]
    manifest = _manifest(tmp_path, sources)
    args = ["issue", "build", str(manifest), "-o", str(tmp_path / "out"), "--no-check"]
    args += ["--cache-dir", str(tmp_path / "cache")]
    proc, log = _run_audited(tmp_path, args)
    assert log["connect"] == []
    assert "Traceback" not in proc.stderr
    assert proc.returncode != 0
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, proc.stderr + proc.stdout
