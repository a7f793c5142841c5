"""Reproductions a person can paste into a shell: curl commands with credentials as variables."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from email import policy
from email.parser import BytesParser
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from .model import FORM, JSON, MULTIPART, HttpRequest, form_fields
from .redaction import is_sensitive_name

if TYPE_CHECKING:
    import requests

    from .tenants import Tenant


def token_variable(tenant: str) -> str:
    """The shell variable a reproduction uses for a tenant's credential."""
    name = re.sub(r"[^A-Z0-9]+", "_", tenant.upper()).strip("_")
    return ("T_" + name if not name or name[0].isdigit() else name) + "_TOKEN"


def curl(
    request: HttpRequest,
    *,
    base_url: str,
    tenant: str,
    auth_headers: Sequence[str] = (),
    auth_cookies: Sequence[str] = (),
    auth_query: Sequence[str] = (),
    prefix: str = "",
) -> str:
    """One curl command; the tenant's credential is written as ``$TENANT_TOKEN``, never its value."""
    variable = "$" + token_variable(tenant)
    url = base_url.rstrip("/") + request.path
    # Values are percent-encoded (a `$` in them included); only the credential variable stays raw.
    pairs = [urlencode({key: str(value)}) for key, value in request.query.items()]
    pairs += [f"{quote(name, safe='')}={variable}" for name in auth_query]
    if pairs:
        url += "?" + "&".join(pairs)
    parts = ["curl", "-sS", "-X", request.method, _quote_url(url)]
    for name in auth_headers:
        parts += ["-H", f'"{name}: {prefix}{variable}"']
    for name, value in request.headers.items():
        if is_sensitive_name(name):
            parts += ["-H", f'"{name}: {variable}"']
        else:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    cookies = [f"{name}={variable}" for name in auth_cookies]
    cookies += [
        f"{name}={variable if is_sensitive_name(name) else value}" for name, value in request.cookies.items()
    ]
    if cookies:
        parts += ["-b", f'"{"; ".join(cookies)}"']
    stdin: str | None = None
    if request.has_body:
        body_parts, stdin = _body(request)
        parts += body_parts
    command = " ".join(parts)
    return f"printf %s {shlex.quote(stdin)} | {command}" if stdin is not None else command


def _body(request: HttpRequest) -> tuple[list[str], str | None]:
    """curl's arguments for the request's body in its media type, and what a file reads from stdin."""
    if request.media_type == FORM:
        fields = form_fields(request.body)
        return [
            arg for name, value in fields for arg in ("--data-urlencode", shlex.quote(f"{name}={value}"))
        ], None
    if request.media_type == MULTIPART:
        out: list[str] = []
        stdin: str | None = None
        for name, value in form_fields(request.body):
            options = f";filename={name}.txt;type=text/plain"
            if name not in request.files:
                # `--form-string` sends the text as it is; `-F` would read `@file` and `<file` from disk.
                out += ["--form-string", shlex.quote(f"{name}={value}")]
            elif stdin is None:
                stdin = value
                out += ["-F", shlex.quote(f"{name}=@-{options}")]
            else:
                # A second file: bash's process substitution stands in for it.
                out += [
                    "-F",
                    f"{shlex.quote(name + '=@')}<(printf %s {shlex.quote(value)}){shlex.quote(options)}",
                ]
        return out, stdin
    content_type = request.media_type if "json" in request.media_type else JSON
    return [
        "-H",
        shlex.quote(f"Content-Type: {content_type}"),
        "--data",
        shlex.quote(json.dumps(request.body)),
    ], None


def _quote_url(url: str) -> str:
    # Double quotes let the credential variable expand; nothing else in the URL can, as `$`,
    # backquotes and backslashes in values are percent-encoded.
    return f'"{url}"' if "$" in url else shlex.quote(url)


def curl_as(tenant: Tenant, request: HttpRequest, *, base_url: str) -> str:
    """A curl command sending ``request`` with ``tenant``'s credentials, written as a shell variable."""
    credentials = tenant.credentials
    prefix = ""
    if credentials and credentials.token and credentials.headers:
        first = next(iter(credentials.headers.values()))
        prefix = first[: first.find(credentials.token)] if credentials.token in first else ""
    return curl(
        request,
        base_url=base_url,
        tenant=tenant.name,
        auth_headers=list(credentials.headers) if credentials else [],
        auth_cookies=list(credentials.cookies) if credentials else [],
        auth_query=list(credentials.query) if credentials else [],
        prefix=prefix,
    )


def request_from_prepared(prepared: requests.PreparedRequest, tenant: Tenant) -> tuple[HttpRequest, str]:
    """A sent ``requests`` request as an :class:`HttpRequest` (credentials left out) and its base URL."""
    parts = urlsplit(str(prepared.url))
    credentials = tenant.credentials
    skip = {name.lower() for name in (credentials.query if credentials else {})}
    query = {
        key: value for key, value in parse_qsl(parts.query, keep_blank_values=True) if key.lower() not in skip
    }
    request = HttpRequest(method=str(prepared.method), path_template=parts.path, query=query)
    if prepared.body:
        _read_body(request, prepared)
    return request, f"{parts.scheme}://{parts.netloc}"


def _read_body(request: HttpRequest, prepared: requests.PreparedRequest) -> None:
    """The prepared body as the request's body: a form, a multipart body, or JSON (else kept as text)."""
    raw = prepared.body if isinstance(prepared.body, bytes) else str(prepared.body).encode()
    content_type = prepared.headers.get("Content-Type", "")
    if content_type.startswith(FORM):
        request.body, request.has_body = dict(parse_qsl(raw.decode(), keep_blank_values=True)), True
        request.media_type = FORM
    elif content_type.startswith(MULTIPART):
        message = BytesParser(policy=policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + raw
        )
        body, files = {}, []
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            body[name] = payload.decode(errors="replace") if isinstance(payload, bytes) else ""
            if part.get_filename() is not None:
                files.append(name)
        request.body, request.has_body = body, True
        request.media_type, request.files = MULTIPART, tuple(files)
    else:
        try:
            request.body, request.has_body = json.loads(raw), True
        except ValueError:
            request.body = raw.decode(errors="replace")
