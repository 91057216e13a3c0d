"""A real HTTP file server on 127.0.0.1 for download tests: Range support and scripted failures.

Each route serves bytes the test built and can misbehave on purpose: answer a fixed error status, answer
500 for the first ``fail_first`` requests, send only ``drop_after`` bytes of the body and hang up (for the
first ``drop_times`` requests), or ignore ``Range`` headers. Every request is recorded with its headers.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What one path serves and how it misbehaves."""

    body: bytes
    status: int = 200
    fail_first: int = 0
    drop_after: int | None = None
    drop_times: int = 1
    honor_range: bool = True
    hits: int = 0


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it, and the status it answered."""

    path: str
    headers: dict[str, str]
    status: int


class FileServer:
    """Threaded HTTP server on a free port of 127.0.0.1; ``start`` it, then ``close`` it."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    def serve(self, path: str, body: bytes, **behaviour: object) -> str:
        """Serve ``body`` at ``path`` (with Route options as keywords); returns its URL."""
        self.routes[path] = Route(body, **behaviour)  # type: ignore[arg-type]
        return self.url(path)

    def url(self, path: str) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}{path}"

    def requests_for(self, path: str) -> list[Seen]:
        with self._lock:
            return [seen for seen in self.seen if seen.path == path]

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        with self._lock:
            route = self.routes.get(path)
            if route is not None:
                route.hits += 1
        status, body, headers, cut = _plan(route, handler.headers.get("Range"))
        with self._lock:
            self.seen.append(Seen(path, dict(handler.headers.items()), status))
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[:cut])
        handler.wfile.flush()
        handler.close_connection = True


def _plan(route: Route | None, range_header: str | None) -> tuple[int, bytes, dict[str, str], int | None]:
    """Status, full body, extra headers, and how many body bytes to actually send (None: all)."""
    if route is None:
        return 404, b"not found", {}, None
    if route.status != 200:
        return route.status, b"error", {}, None
    if route.hits <= route.fail_first:
        return 500, b"try again", {}, None
    cut = route.drop_after if route.hits - route.fail_first <= route.drop_times else None
    match = re.fullmatch(r"bytes=(\d+)-", range_header or "")
    if match is None or not route.honor_range:
        return 200, route.body, {}, cut
    start = int(match.group(1))
    size = len(route.body)
    if start >= size:
        return 416, b"", {"Content-Range": f"bytes */{size}"}, None
    return 206, route.body[start:], {"Content-Range": f"bytes {start}-{size - 1}/{size}"}, cut


def _handler_for(server: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server._answer(self)

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            return

    return Handler
