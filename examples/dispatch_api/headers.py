"""Response headers every Dispatch response carries, and their description in the OpenAPI document.

- `X-Request-Id`: a new random id on every response, to quote when contacting support.
- `ETag`: on a successful GET that returns a single JSON object, a hash of the body.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID = "X-Request-Id"
ETAG = "ETag"

_REQUEST_ID_DOC = {
    "description": "Identifier of this request, unique to every response; quote it when contacting support.",
    "schema": {"type": "string", "pattern": "^req_[0-9a-f]{32}$"},
}
_ETAG_DOC = {
    "description": "Entity tag of the returned representation; changes whenever the representation does.",
    "schema": {"type": "string"},
}


def etag(body: bytes) -> str:
    """The strong entity tag of a response body."""
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


class ResponseHeaders:
    """ASGI middleware adding `X-Request-Id` to every response and `ETag` to single-object GETs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"req_{secrets.token_hex(16)}"
        is_get = scope["method"] == "GET"
        held: Message | None = None
        chunks: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append(REQUEST_ID, request_id)
                if is_get and message["status"] == 200 and headers.get("content-type") == "application/json":
                    held = message  # sent with the whole body, once the ETag is known
                    return
            elif message["type"] == "http.response.body" and held is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                if body.startswith(b"{"):
                    MutableHeaders(scope=held).append(ETAG, etag(body))
                await send(held)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)


def document_headers(document: dict[str, Any]) -> None:
    """Describe the headers `ResponseHeaders` adds in every response of an OpenAPI document."""
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            for code, response in operation.get("responses", {}).items():
                headers = response.setdefault("headers", {})
                headers[REQUEST_ID] = _REQUEST_ID_DOC
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                if method == "get" and code == "200" and "$ref" in schema:
                    headers[ETAG] = _ETAG_DOC
