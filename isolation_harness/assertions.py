"""Isolation assertions for developers' tests.

Each failure says who saw or changed what, where, with a reproduction; credentials are redacted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from .model import HttpResponse
from .oracles import Snapshot, compare_snapshots, find_canaries, match_owner_views, volatile_between
from .reproduction import curl_as, request_from_prepared
from .tenants import Tenant


class IsolationViolation(AssertionError):
    """One tenant received or changed another tenant's data."""


def _as_response(response: requests.Response) -> HttpResponse:
    return HttpResponse(status=response.status_code, headers=dict(response.headers), text=response.text)


def _reproduce(tenant: Tenant, response: requests.Response) -> str:
    request, base_url = request_from_prepared(response.request, tenant)
    return curl_as(tenant, request, base_url=base_url)


def _sent_values(response: requests.Response, tenant: Tenant) -> list[str]:
    request, _ = request_from_prepared(response.request, tenant)
    return request.sent_values() + [part for part in request.path.split("/") if part]


def _redact(tenant: Tenant, text: str) -> str:
    from .registry import watch_of

    return watch_of(tenant).factory.context.redactor(text)


def _label(response: requests.Response) -> str:
    return f"{response.request.method} {response.request.path_url}"


def check_response(
    tenant: Tenant, response: requests.Response, others: dict[str, list[str]], *, context: str
) -> None:
    """Fail if ``response``, which ``tenant`` received, holds another tenant's canary or identity."""
    __tracebackhide__ = True
    sightings = find_canaries(_as_response(response), others, ignore=_sent_values(response, tenant))
    if sightings:
        first = sightings[0]
        more = f" (and {len(sightings) - 1} more)" if len(sightings) > 1 else ""
        message = (
            f"{tenant.name} {context} {first.owner}'s data: {_label(response)} answered HTTP "
            f"{response.status_code} with {first.owner}'s canary {first.marker} in {first.describe()}{more}\n"
            f"reproduce:\n  {_reproduce(tenant, response)}"
        )
        raise IsolationViolation(_redact(tenant, message))


@contextmanager
def expect_isolated(*tenants: Tenant) -> Iterator[None]:
    """Inside the block, every response these tenants receive must hold no other tenant's data.

    A response that does fails the test at the request that received it::

        with expect_isolated(alice):
            alice.client.get("/orders")
    """
    from .registry import watch_of

    if not tenants:
        raise TypeError("expect_isolated() needs at least one tenant, e.g. expect_isolated(alice).")
    watches = [watch_of(tenant) for tenant in tenants]
    for watch in watches:
        watch.expecting += 1
    try:
        yield
    finally:
        for watch in watches:
            watch.expecting -= 1


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
    from .registry import watch_of

    response = _send(attacker, request_or_url, method, json)
    check_response(attacker, response, {owner.name: owner.markers()}, context="could read")
    try:
        body = response.json()
    except ValueError:
        return response
    owner_watch, attacker_watch = watch_of(owner), watch_of(attacker)
    known = attacker_watch.known | set(_sent_values(response, attacker))
    matches = match_owner_views(
        body, {owner.name: owner_watch.objects}, known_to_caller=known, volatile_keys=set()
    )
    if matches:
        message = (
            f"{attacker.name} could read {owner.name}'s data: {_label(response)} answered HTTP "
            f"{response.status_code}; {matches[0].describe()}\nreproduce:\n  {_reproduce(attacker, response)}"
        )
        raise IsolationViolation(_redact(attacker, message))
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
            f"reproduce:\n  {_reproduce(attacker, response)}"
        )
        raise IsolationViolation(_redact(attacker, message))
    check_response(attacker, response, {owner.name: owner.markers()}, context="could read")
    return response


def assert_cannot_delete(
    attacker: Tenant, url: str, *, owner: Tenant, read_url: str | None = None
) -> requests.Response:
    """Attempt ``DELETE url`` as ``attacker``; fail if ``owner``'s data at ``read_url`` (default ``url``) went or changed."""
    __tracebackhide__ = True
    return assert_cannot_modify(attacker, "DELETE", url, owner=owner, read_url=read_url)


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _snapshot(label: str, response: requests.Response) -> Snapshot:
    return Snapshot(label, response.status_code, _json(response))
