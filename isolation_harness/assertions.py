"""Isolation assertions for developers' tests.

Each failure says who saw or changed what, where, with a reproduction; credentials are redacted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from .oracles.owner_view import match_owner_views
from .oracles.shared_cache import credential_headers, shared_cacheable
from .snapshots import Snapshot, compare_snapshots, volatile_between
from .tenants import Tenant
from .watching import IsolationViolation, check_response, label, reproduce, sent_values, watch_of


@contextmanager
def expect_isolated(*tenants: Tenant) -> Iterator[None]:
    """Inside the block, every response these tenants receive must hold no other tenant's data.

    A response that does fails the test at the request that received it::

        with expect_isolated(alice):
            alice.client.get("/orders")
    """
    if not tenants:
        raise TypeError("expect_isolated() needs at least one tenant, e.g. expect_isolated(alice).")
    watches = [watch_of(tenant) for tenant in tenants]
    seen = {id(watch.watcher): len(watch.watcher.violations) for watch in watches}
    for watch in watches:
        watch.expecting += 1
    try:
        yield
    finally:
        for watch in watches:
            watch.expecting -= 1
    # A response another thread received (a request sent from a thread pool) failed on that thread:
    # the test may never have waited on it, so the violation is raised here too.
    for watch in watches:
        missed = watch.watcher.elsewhere(seen[id(watch.watcher)])
        if missed is not None:
            raise missed


def _send(attacker: Tenant, request_or_url: Any, method: str, json: Any) -> requests.Response:
    if isinstance(request_or_url, requests.PreparedRequest):
        return attacker.client.send(request_or_url, allow_redirects=False)
    if isinstance(request_or_url, requests.Request):
        return attacker.client.send(attacker.client.prepare_request(request_or_url), allow_redirects=False)
    if isinstance(request_or_url, str):
        kwargs: dict[str, Any] = {"allow_redirects": False}
        if json is not None:
            kwargs["json"] = json
        return attacker.client.request(method, request_or_url, **kwargs)
    raise TypeError(
        f"Expected a URL or a requests.Request, got {request_or_url!r} ({type(request_or_url).__name__})."
    )


def assert_cannot_read(
    attacker: Tenant, request_or_url: Any, *, owner: Tenant, method: str = "GET", json: Any = None
) -> requests.Response:
    """Send the request as ``attacker``; fail if the response holds any of ``owner``'s data.

    Whatever the status: a 404 whose message quotes the owner's data fails too. ``owner``'s data
    is its canary, its identity, and any object it received itself that the response repeats on
    two or more distinctive fields. Returns the response.
    """
    __tracebackhide__ = True
    response = _send(attacker, request_or_url, method, json)
    check_response(attacker, response, {owner.name: owner.markers()}, context="could read")
    try:
        body = response.json()
    except ValueError:
        return response
    owner_watch, attacker_watch = watch_of(owner), watch_of(attacker)
    known = attacker_watch.state.known | set(sent_values(response, attacker))
    matches = match_owner_views(
        body, {owner.name: owner_watch.state.objects}, known_to_caller=known, volatile_keys=set()
    )
    if matches:
        message = (
            f"{attacker.name} could read {owner.name}'s data: {label(response)} answered HTTP "
            f"{response.status_code}; {matches[0].describe()}\nreproduce:\n  {reproduce(attacker, response)}"
        )
        raise IsolationViolation(watch_of(attacker).redact(message))
    return response


def assert_cannot_modify(
    attacker: Tenant,
    method: str,
    url: str,
    *,
    owner: Tenant,
    json: Any = None,
    read_url: str | None = None,
) -> requests.Response:
    """Attempt the write as ``attacker``, then re-read as ``owner``; fail if anything changed or went.

    ``read_url`` is what the owner reads before and after (default: ``url``). The attempt's
    response must not hold the owner's data either. Returns the attempt's response.
    """
    __tracebackhide__ = True
    target = read_url or url
    first = owner.client.get(target, allow_redirects=False)
    second = owner.client.get(target, allow_redirects=False)
    before = _snapshot(target, second)
    volatile = (
        volatile_between(_json(first), _json(second)) if first.status_code == second.status_code else set()
    )
    response = _send(attacker, url, method.upper(), json)
    after = _snapshot(target, owner.client.get(target, allow_redirects=False))
    changes = compare_snapshots([before], [after], volatile_paths={target: volatile})
    if changes:
        verb = "delete" if changes[0].gone else "change"
        message = (
            f"{attacker.name} could {verb} {owner.name}'s data: {method.upper()} {url} answered HTTP "
            f"{response.status_code}, then {owner.name} re-read {changes[0].description}\n"
            f"reproduce:\n  {reproduce(attacker, response)}"
        )
        raise IsolationViolation(watch_of(attacker).redact(message))
    check_response(attacker, response, {owner.name: owner.markers()}, context="could read")
    return response


def assert_cannot_delete(
    attacker: Tenant, url: str, *, owner: Tenant, read_url: str | None = None
) -> requests.Response:
    """Attempt ``DELETE url`` as ``attacker``; fail if ``owner``'s data at ``read_url`` (default ``url``) went or changed."""
    __tracebackhide__ = True
    return assert_cannot_modify(attacker, "DELETE", url, owner=owner, read_url=read_url)


def assert_cache_private(tenant: Tenant, url: str) -> requests.Response:
    """Read ``url`` as ``tenant``; fail if the answer holds the tenant's own data (its canary or identity)
    and its headers let a shared cache (a CDN, a reverse proxy) keep it for anyone sending that URL.
    Returns the response."""
    __tracebackhide__ = True
    response = tenant.client.get(url, allow_redirects=False)
    names = credential_headers(tenant)
    why = shared_cacheable(dict(response.headers), names) if names else ""
    text = response.text.lower()
    if why and any(marker.lower() in text for marker in tenant.markers()):
        message = (
            f"{tenant.name}'s own data may be kept by a shared cache and served to others: {label(response)} "
            f"answered HTTP {response.status_code} holding it, and says {why}\n"
            f"reproduce:\n  {reproduce(tenant, response)}"
        )
        raise IsolationViolation(watch_of(tenant).redact(message))
    return response


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _snapshot(label: str, response: requests.Response) -> Snapshot:
    return Snapshot(label, response.status_code, _json(response))
