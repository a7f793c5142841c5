"""A slow server for benchmarks: an ASGI app served by uvicorn on 127.0.0.1, each request delayed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from detection_support import uvicorn_server
from starlette.types import ASGIApp, Receive, Scope, Send


class Latency:
    """ASGI middleware: waits ``seconds`` before passing each HTTP request on, without blocking others."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)


@contextmanager
def slow_server(app: ASGIApp, *, latency: float = 0.02) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1, each HTTP request ``latency`` seconds late; yields its URL."""
    with uvicorn_server(Latency(app, latency)) as url:
        yield url
