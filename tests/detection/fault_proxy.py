"""A fault-injecting HTTP proxy on 127.0.0.1: between the harness and a real server, it breaks a share
of the requests the way networks and overloaded servers do.

Kinds: ``5xx`` (503 before the server sees the request), ``429`` (with ``Retry-After: 0``),
``reset`` (the connection is torn down with no answer), ``timeout`` (no answer before the client
gives up), ``truncated`` (the server's JSON answer, cut in half). Which requests break is drawn
from a seeded random sequence, so a serial campaign meets the same faults on every run.
"""

from __future__ import annotations

import http.client
import random
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

KINDS = ("5xx", "429", "reset", "timeout", "truncated")
# The description is fetched once to load the API: breaking it tests the loader, not the verdicts.
_SPARED_PATHS = ("/openapi.json",)
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}


class FaultProxy:
    """Forwards to ``upstream``; breaks each request with probability ``rate`` in the way ``kind`` says."""

    def __init__(self, upstream: str, *, kind: str, rate: float, seed: int = 0, stall: float = 0.5) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind={kind!r}: one of {', '.join(KINDS)}")
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.kind = kind
        self.rate = rate
        self.stall = stall
        self.faults = 0
        self.forwarded = 0
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def breaks(self, path: str) -> bool:
        if path.split("?", 1)[0] in _SPARED_PATHS:
            return False
        with self._lock:
            broken = self._random.random() < self.rate
            self.faults += broken
            return broken

    def forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            connection.connect()
            # Headers and body go in separate writes: without this, each waits on a delayed ACK.
            assert connection.sock is not None
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            content = response.read()
            kept = [(key, value) for key, value in response.getheaders() if key.lower() not in _HOP_BY_HOP]
            with self._lock:
                self.forwarded += 1
            return response.status, kept, content
        finally:
            connection.close()


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return None

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _answer(self, status: int, headers: list[tuple[str, str]], content: bytes) -> None:
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {key: value for key, value in self.headers.items() if key.lower() not in _HOP_BY_HOP}
            broken = proxy.breaks(self.path)
            if broken and proxy.kind == "5xx":
                self._answer(503, [("Content-Type", "text/plain")], b"injected: service unavailable")
                return
            if broken and proxy.kind == "429":
                self._answer(
                    429, [("Content-Type", "text/plain"), ("Retry-After", "0")], b"injected: slow down"
                )
                return
            if broken and proxy.kind == "reset":
                # SO_LINGER with a zero timeout: closing sends a reset, not an orderly end.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            if broken and proxy.kind == "timeout":
                time.sleep(proxy.stall)
                self.close_connection = True
                return
            status, kept, content = proxy.forward(self.command, self.path, headers, body)
            if broken and proxy.kind == "truncated" and content:
                content = content[: len(content) // 2]
            self._answer(status, kept, content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    return Handler


@contextmanager
def serve(proxy: FaultProxy) -> Iterator[str]:
    """Run the proxy on a free port of 127.0.0.1; stop it on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
