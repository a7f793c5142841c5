"""Transports: how requests reach the API — over HTTP, or in-process to an ASGI or WSGI app.

Every transport hands out ``requests.Session`` objects bound to the API's base URL, so tenant
clients, the campaign and user code all speak one client API whatever the target is.
"""

from __future__ import annotations

import http
import io
import json
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import requests
import requests.adapters
import urllib3

from ._schemathesis import asgi_adapter
from .model import FORM, MULTIPART, HttpRequest, HttpResponse, form_fields

DEFAULT_TIMEOUT = 10.0
# Connections a session keeps open to the API (requests keeps 10).
POOL_SIZE = 64
IN_PROCESS_BASE_URL = "http://testserver"


class BoundSession(requests.Session):
    """A ``requests.Session`` whose relative URLs resolve against the API's base URL."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/") + "/"
        # Called with every response, before it is returned; an observer may raise to fail the call.
        self.observers: list[Callable[[requests.Response], None]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if isinstance(url, bytes):
            url = url.decode()
        if not url.startswith(("http://", "https://")):
            # "./" keeps a first segment with a colon (`/users:search`) from reading as a scheme.
            url = urljoin(self.base_url, "./" + url.lstrip("/"))
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        response = super().request(method, url, *args, **kwargs)
        __tracebackhide__ = True
        for observer in self.observers:
            observer(response)
        return response

    # The verbs, so that a failure raised by an observer points at the caller's line.
    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:
        __tracebackhide__ = True
        kwargs.setdefault("allow_redirects", True)
        return self.request("GET", url, **kwargs)

    def post(self, url: str | bytes, data: Any = None, json: Any = None, **kwargs: Any) -> requests.Response:
        __tracebackhide__ = True
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url: str | bytes, data: Any = None, **kwargs: Any) -> requests.Response:
        __tracebackhide__ = True
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url: str | bytes, data: Any = None, **kwargs: Any) -> requests.Response:
        __tracebackhide__ = True
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url: str | bytes, **kwargs: Any) -> requests.Response:
        __tracebackhide__ = True
        return self.request("DELETE", url, **kwargs)


class Transport(Protocol):
    """Makes sessions that reach the API under test."""

    @property
    def base_url(self) -> str: ...

    @property
    def kind(self) -> str: ...

    def session(self) -> BoundSession: ...


class HTTPTransport:
    """Real HTTP to a running server."""

    kind = "http"

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url.rstrip("/")

    @property
    def base_url(self) -> str:
        return self._base_url

    def session(self) -> BoundSession:
        session = BoundSession(self._base_url)
        # Room for a storm's burst from every worker at once: requests keeps 10 connections per host.
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=POOL_SIZE)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session


class _InProcessTransport:
    """Sessions whose requests reach an application object through an adapter, not a socket."""

    kind = "in-process"

    def __init__(self, adapter: requests.adapters.BaseAdapter, base_path: str) -> None:
        # One adapter for every session (for ASGI it shares schemathesis's event-loop thread).
        self._adapter = adapter
        self._base_url = IN_PROCESS_BASE_URL + base_path.rstrip("/")

    @property
    def base_url(self) -> str:
        return self._base_url

    def session(self) -> BoundSession:
        session = BoundSession(self._base_url)
        # No proxy, certificate or netrc setting of the environment applies to an app in this process.
        session.trust_env = False
        session.mount("http://", self._adapter)
        session.mount("https://", self._adapter)
        return session


class ASGITransport(_InProcessTransport):
    """In-process calls to an ASGI application (FastAPI, Starlette, ...)."""

    kind = "asgi"

    def __init__(self, app: Any, base_path: str = "") -> None:
        self.app = app
        super().__init__(asgi_adapter(app), base_path)


class WSGITransport(_InProcessTransport):
    """In-process calls to a WSGI application (Flask, Django, ...)."""

    kind = "wsgi"

    def __init__(self, app: Callable[..., Any], base_path: str = "") -> None:
        self.app = app
        super().__init__(_WSGIAdapter(app), base_path)


class _HeaderList:
    __slots__ = ("headers",)

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.headers = headers

    def get_all(self, name: str, default: list[str] | None = None) -> list[str] | None:
        return [value for key, value in self.headers if key.lower() == name.lower()] or default


class _OriginalResponse:
    # `requests` reads cookies from the underlying `http.client` response's `msg`.
    __slots__ = ("closed", "msg")

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.msg = _HeaderList(headers)
        self.closed = False

    def isclosed(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


class _WSGIAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, app: Callable[..., Any]) -> None:
        super().__init__()
        self.app = app

    def close(self) -> None:
        pass

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        from werkzeug.test import EnvironBuilder, run_wsgi_app

        parts = urlsplit(str(request.url))
        body = request.body.encode() if isinstance(request.body, str) else (request.body or b"")
        builder = EnvironBuilder(
            path=parts.path,
            base_url=f"{parts.scheme}://{parts.netloc}",
            query_string=parts.query,
            method=request.method or "GET",
            headers=list(request.headers.items()),
            data=body,
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        app_iter, status, headers = run_wsgi_app(self.app, environ, buffered=True)
        try:
            content = b"".join(app_iter)
        finally:
            close = getattr(app_iter, "close", None)
            if close is not None:
                close()
        code = int(status.split(" ", 1)[0])
        header_list = list(headers.items())
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(content),
            headers=header_list,  # type: ignore[arg-type]
            status=code,
            reason=_reason(code),
            version=11,
            preload_content=False,
            original_response=_OriginalResponse(header_list),  # type: ignore[arg-type]
            request_method=request.method,
        )
        return self.build_response(request, raw)


def _reason(code: int) -> str:
    try:
        return http.HTTPStatus(code).phrase
    except ValueError:
        return ""


# The most of a body the harness reads: a long download or an event stream is judged on its start.
MAX_BODY_BYTES = 1 << 20
# Redirects that keep the method and body, followed within the API's origin (at most this many).
_KEEP_METHOD = (307, 308)
_MAX_REDIRECTS = 5


def send(
    session: requests.Session,
    request: HttpRequest,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    read_timeout: float | None = None,
) -> HttpResponse:
    """Send a transport-independent request through a session and capture the response.

    Raises ``requests.RequestException`` on a connection error or timeout. A body is read up to
    ``MAX_BODY_BYTES`` and for at most ``timeout`` seconds: an event stream or a long download is
    judged on what came by then. ``read_timeout`` (a request given up in flight) waits that long for
    the answer once connected, the connection itself taking up to ``timeout``.
    """
    # Redirects are not followed (a 302 to a login page is the answer to judge, not the page), but
    # for 307 and 308 within the API's origin, which say "the same request, there".
    kwargs: dict[str, Any] = {
        "params": request.query or None,
        "timeout": (timeout, read_timeout) if read_timeout is not None else timeout,
        "allow_redirects": False,
        "stream": True,
    }
    if request.headers:
        kwargs["headers"] = request.headers
    if request.cookies:
        kwargs["cookies"] = request.cookies
    if request.has_body:
        kwargs.update(encode_body(request.body, request.media_type, request.files))
        if "headers" in kwargs:
            kwargs["headers"] = {**request.headers, **kwargs["headers"]}
    started = time.perf_counter()
    url = request.path.lstrip("/")
    response = session.request(request.method, url, **kwargs)
    for _ in range(_MAX_REDIRECTS):
        location = response.headers.get("Location")
        if response.status_code not in _KEEP_METHOD or not location:
            break
        target = urljoin(str(response.url), location)
        if _origin(target) != _origin(str(response.url)):
            break
        response.close()
        response = session.request(request.method, target, **{**kwargs, "params": None})
    text = _read(response, deadline=started + (read_timeout if read_timeout is not None else timeout))
    return HttpResponse(
        status=response.status_code,
        headers=dict(response.headers),
        text=text,
        elapsed=time.perf_counter() - started,
    )


def encode_body(body: Any, media_type: str, files: tuple[str, ...] = ()) -> dict[str, Any]:
    """The ``requests`` arguments that send ``body`` encoded as ``media_type``.

    A form or multipart body is a table of top-level fields (see :func:`form_fields`); in a
    multipart body, the fields named in ``files`` go as files whose content is their text.
    """
    if media_type == FORM:
        return {"data": form_fields(body)}
    if media_type == MULTIPART:
        parts: list[tuple[str, tuple[str | None, str] | tuple[str, str, str]]] = [
            (name, (f"{name}.txt", value, "text/plain") if name in files else (None, value))
            for name, value in form_fields(body)
        ]
        # requests writes a multipart body only when it has a part; a form with no field is empty.
        return {"files": parts} if parts else {"data": b""}
    content_type = media_type if "json" in media_type else "application/json"
    return {"data": json.dumps(body), "headers": {"Content-Type": content_type}}


def _read(response: requests.Response, *, deadline: float) -> str:
    """The body as text, up to ``MAX_BODY_BYTES`` or the deadline; what an event stream sent before it idled."""
    if isinstance(response.__dict__.get("_content"), bytes):
        # An adapter that read the body itself (an in-process app, a test double).
        return response.text
    chunks: list[bytes] = []
    size = 0
    streaming = "event-stream" in response.headers.get("Content-Type", "")
    try:
        for chunk in response.iter_content(chunk_size=64 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size >= MAX_BODY_BYTES or time.perf_counter() > deadline:
                break
    except requests.RequestException:
        if not (streaming and chunks):
            raise
    finally:
        response.close()
    # Decoded as requests decodes a body it read itself.
    response._content = b"".join(chunks)[:MAX_BODY_BYTES]
    response.__dict__["_content_consumed"] = True
    return response.text


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


# What a network failure's text says, and how a person would say it.
_FAILURES = (
    ("connection refused", "the connection was refused (nothing listens there)"),
    ("name or service not known", "the host name does not resolve"),
    ("nodename nor servname", "the host name does not resolve"),
    ("temporary failure in name resolution", "the host name does not resolve"),
    ("connection reset", "the connection was reset"),
    ("remotedisconnected", "the server closed the connection without an answer"),
    ("connection aborted", "the server closed the connection without an answer"),
)


def describe_failure(exc: requests.RequestException) -> str:
    """A request that got no answer, in a few words (``the connection was refused ...``), without the
    library's wrapping of wrappings."""
    if isinstance(exc, requests.Timeout):
        return "no answer before the timeout"
    text = str(exc).lower()
    for needle, said in _FAILURES:
        if needle in text:
            return said
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}" if str(exc) else type(exc).__name__
