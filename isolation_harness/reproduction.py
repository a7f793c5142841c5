"""Reproductions a person can paste into a shell: curl commands with credentials as variables."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from urllib.parse import quote, urlencode

from .model import HttpRequest
from .redaction import is_sensitive_name


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
