"""Reproductions a person can paste into a shell: curl commands with credentials as variables."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from .model import HttpRequest
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
    if request.has_body:
        parts += [
            "-H",
            shlex.quote("Content-Type: application/json"),
            "--data",
            shlex.quote(json.dumps(request.body)),
        ]
    return " ".join(parts)


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
    body: object = None
    has_body = False
    if prepared.body:
        raw = prepared.body.decode() if isinstance(prepared.body, bytes) else str(prepared.body)
        try:
            body, has_body = json.loads(raw), True
        except ValueError:
            body, has_body = raw, False
    request = HttpRequest(
        method=str(prepared.method), path_template=parts.path, query=query, body=body, has_body=has_body
    )
    return request, f"{parts.scheme}://{parts.netloc}"
