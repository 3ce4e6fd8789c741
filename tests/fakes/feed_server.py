"""A loopback HTTP server for feeds: routes set at run time, ETag/Last-Modified honoured, gzip,
redirects, delays, error statuses with Retry-After. Real HTTP over 127.0.0.1, no patching."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler

from tests.fakes.loopback import LoopbackServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None  # None: derived from the body; "" : send none
    last_modified: str | None = None  # None: send none
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # before the headers
    gzip: bool = False
    redirect_to: str | None = None  # a path or URL; answered with `status` (default 301 when set)
    stream_bytes: int = 0  # > 0: send this many bytes in chunks without Content-Length
    raw: bytes | None = None  # the whole answer as sent (status line, headers, body), then the connection closed


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    status: int
    body_bytes: int
    client_port: int = 0  # the connection it came on: requests on one kept-alive connection share it


class FeedServer(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
    def set(self, path: str, body: bytes | str = b"", **kwargs) -> Route:
        if isinstance(body, str):
            body = body.encode("utf-8")
        route = Route(body=body, **kwargs)
        self.routes[path] = route
        return route

    def hits_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def bytes_sent(self) -> int:
        with self._lock:
            return sum(h.body_bytes for h in self.hits)

    def _record(self, path: str, handler: BaseHTTPRequestHandler, status: int, size: int) -> None:
        with self._lock:
            self.hits.append(Hit(path, dict(handler.headers.items()), status, size, handler.client_address[1]))

    def set_dynamic(self, path: str, make_route: Callable[[str], Route]) -> None:
        """Answer requests for `path` (any query) with make_route(full path and query)."""
        self.routes[path] = make_route

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        route = self.routes.get(path) or self.routes.get(path.split("?")[0])
        if callable(route):
            route = route(path)
        if route is None:
            self._send(h, path, 404, b"not found", {"Content-Type": "text/plain"})
            return
        if route.delay_s:
            time.sleep(route.delay_s)
        if route.raw is not None:  # a broken server: whatever it sends, as it sends it
            h.close_connection = True
            with contextlib.suppress(OSError):
                h.wfile.write(route.raw)
            self._record(path, h, 0, len(route.raw))
            return
        if route.redirect_to:
            target = route.redirect_to if "://" in route.redirect_to else self.url(route.redirect_to)
            status = route.status if 300 <= route.status < 400 else 301
            self._send(h, path, status, b"", {"Location": target})
            return
        if route.stream_bytes:
            self._stream(h, path, route)
            return
        headers = {"Content-Type": route.content_type, **route.headers}
        etag = route.etag if route.etag is not None else '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
        if route.status == 200:
            if etag:
                headers["ETag"] = etag
            if route.last_modified:
                headers["Last-Modified"] = route.last_modified
            inm = h.headers.get("If-None-Match")
            ims = h.headers.get("If-Modified-Since")
            if (etag and inm == etag) or (not etag and route.last_modified and ims == route.last_modified):
                self._send(h, path, 304, b"", {k: v for k, v in headers.items() if k != "Content-Type"})
                return
        body = route.body
        if route.gzip and "gzip" in (h.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(h, path, route.status, body, headers)

    def _send(self, h: BaseHTTPRequestHandler, path: str, status: int, body: bytes, headers: dict) -> None:
        try:
            h.send_response(status)
            for key, value in headers.items():
                h.send_header(key, value)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if body:
                h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self._record(path, h, status, len(body))

    def _stream(self, h: BaseHTTPRequestHandler, path: str, route: Route) -> None:
        sent = 0
        try:
            h.send_response(200)
            h.send_header("Content-Type", route.content_type)
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            chunk = b"<rss>" + b"x" * 65531
            while sent < route.stream_bytes:
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            h.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            h.close_connection = True
        self._record(path, h, 200, sent)


def http_date(epoch_s: float | None = None) -> str:
    return formatdate(epoch_s if epoch_s is not None else time.time(), usegmt=True)
