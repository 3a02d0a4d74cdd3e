"""Test helper: tiny HTTP servers on 127.0.0.1 (no network), scripted by a route table."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[BaseHTTPRequestHandler], Reply]


@dataclass
class Server:
    base: str
    routes: dict[str, Route | Reply | bytes]
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


@contextlib.contextmanager
def serve(
    routes: dict[str, Route | Reply | bytes], fallback: Route | None = None
) -> Iterator[Server]:
    """Serve ``routes`` (path → reply) on 127.0.0.1; other paths go to ``fallback`` or
    answer 404."""
    state = Server(base="", routes=routes)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = state.routes.get(self.path, fallback)
            if route is None:
                reply = Reply(404, b"<html><body>Not found</body></html>")
            elif isinstance(route, bytes):
                reply = Reply(200, route, {"Content-Type": "text/html; charset=utf-8"})
            elif isinstance(route, Reply):
                reply = route
            else:
                reply = route(self)
            self.send_response(reply.status)
            for k, v in reply.headers.items():
                self.send_header(k, v)
            if "Content-Length" not in reply.headers:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers: the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for c in held:
            c.close()
        sock.close()
