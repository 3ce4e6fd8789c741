"""The part every loopback test server shares: a threaded HTTP/1.1 server on 127.0.0.1, port chosen by
the OS, started and stopped by the test (or used as a context manager)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class _Listener(ThreadingHTTPServer):
    # Connections waiting to be accepted: socketserver's 5 made a client opening 16 at once (the poller's
    # concurrency) lose SYNs and wait a second for their retry, which no real server's backlog does.
    request_queue_size = 128


class LoopbackServer:
    def __init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body in one write, sent at once: otherwise Nagle's algorithm and delayed ACKs
            # hold each keep-alive response back ~40 ms, which no real server does.
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802
                server.handle(self)

            do_POST = do_GET  # noqa: N815

        self._httpd = _Listener(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        # serve_forever looks for shutdown() between waits of poll_interval: the default 0.5 s made stopping a
        # server take half a second, in every test that starts one.
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.root}{path}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
