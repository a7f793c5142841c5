"""The shared-cache oracle: a tenant's own data in an answer any shared cache may keep and hand to others.

A CDN or a reverse proxy keys what it keeps by URL, not by who asked. An answer to a request with
``Authorization`` may be kept there only when it says so (``Cache-Control: public``, ``s-maxage`` or
``must-revalidate``, RFC 9111 section 3.5; with a cookie, any lifetime will do), and it stays the
caller's alone with ``private``, ``no-store`` or a ``Vary`` on the credential header.

Judged on cache-warm probes: the owner's own answer holding its data and marked so is suspected; the
other tenant then getting that data back from a cache (the answer says so: ``X-Cache: HIT``, an
``Age``) is confirmed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ..engine.context import EngineContext
from ..exchange import Evidence, Exchange, Probe
from ..knowledge import visible
from ..model import FindingKind, HttpResponse, Verdict, header_value
from ..tenants import Tenant
from .base import ResponseOracle
from .canary import find_canaries, pointers_of

# Cache-Control directives that let a shared cache keep an answer to a request with Authorization
# (RFC 9111, section 3.5).
_SHARED = ("public", "s-maxage", "must-revalidate")
# Headers caches add to say an answer came from them (nginx, Varnish and CDNs).
_HIT_HEADERS = ("x-cache", "x-cache-status", "cf-cache-status", "x-proxy-cache")


def shared_cacheable(headers: Mapping[str, str], credentials: Collection[str]) -> str:
    """The headers that let a shared cache keep an answer to a request with credentials and serve it to
    anyone sending the same URL (``Cache-Control: public, max-age=60, no Vary``), or ``""``.

    ``credentials``: the names of the headers the credentials travel in (lower case). With
    ``Authorization``, a cache may keep the answer only when it says ``public``, ``s-maxage`` or
    ``must-revalidate``; with a cookie, a lifetime (``max-age``) is enough. ``private`` with a list of
    header names makes only those private.
    """
    control = header_value(headers, "cache-control")
    directives: dict[str, str] = {}
    for part in control.split(","):
        name, _, value = part.strip().partition("=")
        if name:
            directives[name.lower()] = value.strip().strip('"')
    if "no-store" in directives or ("private" in directives and not directives["private"]):
        return ""
    shared = (*_SHARED, "max-age") if "authorization" not in credentials else _SHARED
    lifetime = directives.get("s-maxage", directives.get("max-age"))
    if not any(name in directives for name in shared) or lifetime in ("0", "-0"):
        return ""
    vary = header_value(headers, "vary")
    varied = {name.strip().lower() for name in vary.split(",") if name.strip()}
    if "*" in varied or varied & set(credentials):
        return ""
    return f"Cache-Control: {control}" + (f", Vary: {vary}" if vary else ", no Vary")


def credential_headers(tenant: Tenant) -> set[str]:
    """The headers a tenant's credentials travel in (lower case); empty when they travel in the URL,
    which a cache keys by."""
    credentials = tenant.credentials
    if credentials is None or credentials.query:
        return set()
    names = {name.lower() for name in credentials.headers}
    if credentials.cookies:
        names.add("cookie")
    return names


class SharedCacheOracle(ResponseOracle):
    """The owner's own answer to a cache-warm probe: its data, marked cacheable by shared caches."""

    name = "shared-cache"
    final = True

    def applies(self, probe: Probe) -> bool:
        return bool(probe.warm) and probe.judged_by(self.name)

    def judge(self, probe: Probe, exchange: Exchange, ctx: EngineContext, prepared: Any) -> list[Evidence]:
        if not probe.warmed:
            return []
        owner, request = probe.warm[0]
        answer = probe.warmed[0]
        names = credential_headers(owner.tenant)
        why = shared_cacheable(answer.headers, names) if names else ""
        if not why:
            return []
        markers = {owner.name: owner.tenant.markers()}
        # A tenant's data the cache already handed to callers without credentials is still the tenant's.
        public = ctx.knowledge.public(anonymous=True)
        held = find_canaries(answer, markers, ignore=request.sent_values(), public=public)
        if not held:
            return []
        text = (
            f"HTTP {answer.status} to {owner.name}'s own {request.method} {request.path} holds its data "
            f"({held[0].describe()}) and says {why}: a shared cache in front of the API may keep it and "
            "answer it to anyone who sends the same request"
        )
        verdict = Verdict.SUSPECTED
        received = visible(probe.attacker, exchange.response)
        served = find_canaries(received, markers, ignore=exchange.request.sent_values(), public=public)
        if served and _from_a_cache(exchange.response):
            verdict = Verdict.CONFIRMED
            text += (
                f"; {probe.attacker.name} sent it right after and got {owner.name}'s data back "
                f"(HTTP {exchange.response.status}, {_cache_headers(exchange.response)})"
            )
        return [
            Evidence(
                self.name, FindingKind.SHARED_CACHE, verdict, owner.name, text, pointers_of(held, owner.name)
            )
        ]


def _from_a_cache(response: HttpResponse) -> bool:
    """Whether the answer says a cache served it: a cache's HIT header, or an ``Age`` above 0."""
    hit = any("hit" in header_value(response.headers, name).lower() for name in _HIT_HEADERS)
    age = header_value(response.headers, "age").strip()
    return hit or (age.isdigit() and int(age) > 0)


def _cache_headers(response: HttpResponse) -> str:
    """The headers that say how a cache handled the answer, as a person reads them."""
    shown = [
        f"{name}: {value}"
        for name, value in response.headers.items()
        if name.lower() in ("age", "cache-control", *_HIT_HEADERS)
    ]
    return ", ".join(shown) or "no cache headers"
