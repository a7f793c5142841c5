"""The developers' tenants are watched: what each receives is remembered and, when asked, checked.

Inside :func:`~isolation_harness.expect_isolated` or a test marked ``isolation``, every response a
tenant receives is checked for any other tenant's canary as it arrives.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import requests

from .errors import ConfigurationError
from .knowledge import Knowledge, TenantKnowledge
from .model import HttpResponse
from .operations import looks_like_identifier
from .oracles.canary import find_canaries
from .reproduction import curl_as, request_from_prepared
from .tenant_factory import TenantFactory
from .tenants import Tenant

_WATCHES: weakref.WeakKeyDictionary[Tenant, Watch] = weakref.WeakKeyDictionary()


class IsolationViolation(AssertionError):
    """One tenant received or changed another tenant's data."""


# Shown (in tracebacks, in pytest's summary) under the name users import it by.
IsolationViolation.__module__ = "isolation_harness"


class Watcher:
    """Creates the developers' tenants through the session's factory and watches each one."""

    def __init__(self, factory: TenantFactory) -> None:
        self.factory = factory
        self.knowledge = Knowledge()
        # Tests marked ``isolation`` running now: every response is checked.
        self.strict = 0
        # Every violation raised, and the thread it was raised on: one raised on another thread than the
        # test's (which the test may never have waited on) is raised again when the block or test ends.
        self.violations: list[tuple[int, IsolationViolation]] = []

    def create(self, name: str | None = None) -> Tenant:
        tenant = self.factory.create(name)
        watch = Watch(tenant, self)
        _WATCHES[tenant] = watch
        tenant.client.observers.append(watch.on_response)
        return tenant

    def elsewhere(self, since: int) -> IsolationViolation | None:
        """The first violation raised since the ``since``-th on another thread than this one."""
        here = threading.get_ident()
        return next((v for thread, v in self.violations[since:] if thread != here), None)

    def destroy(self, tenant: Tenant) -> None:
        try:
            self.factory.destroy(tenant)
        finally:
            self.knowledge.forget(tenant)


class Watch:
    """One tenant's watch: checks responses when asked, and remembers what the tenant received."""

    def __init__(self, tenant: Tenant, watcher: Watcher) -> None:
        self.tenant = tenant
        self.watcher = watcher
        self.state: TenantKnowledge = watcher.knowledge.add(tenant)
        self.expecting = 0

    def on_response(self, response: requests.Response) -> None:
        __tracebackhide__ = True
        if self.expecting or self.watcher.strict:
            others = self.watcher.knowledge.markers(self.state)
            try:
                check_response(self.tenant, response, others, context="received")
            except IsolationViolation as violation:
                self.watcher.violations.append((threading.get_ident(), violation))
                raise
        try:
            body = response.json()
        except ValueError:
            return
        self.watcher.knowledge.remember(self.state, body)

    @property
    def identifiers(self) -> dict[str, list[Any]]:
        """The values of every key field (``id``, ``order_id``, ``projectId``) the tenant received, by field."""
        found: dict[str, list[Any]] = {}
        for obj in self.state.objects:
            for key, value in obj.items():
                if (
                    looks_like_identifier(key)
                    and isinstance(value, (str, int))
                    and not isinstance(value, bool)
                ):
                    values = found.setdefault(key, [])
                    if value not in values:
                        values.append(value)
        return found

    def redact(self, text: str) -> str:
        return self.watcher.factory.context.redactor(text)


def watch_of(tenant: Tenant) -> Watch:
    """The watch of a tenant the fixtures created, or a configuration error saying how to get one."""
    watch = _WATCHES.get(tenant)
    if watch is None:
        raise ConfigurationError(
            f"{tenant!r} was not created by the `tenants` fixture, so nothing it received was recorded. "
            "Create tenants with `tenants.create()`."
        )
    return watch


def as_response(response: requests.Response) -> HttpResponse:
    return HttpResponse(status=response.status_code, headers=dict(response.headers), text=response.text)


def reproduce(tenant: Tenant, response: requests.Response) -> str:
    request, base_url = request_from_prepared(response.request, tenant)
    return curl_as(tenant, request, base_url=base_url)


def sent_values(response: requests.Response, tenant: Tenant) -> list[str]:
    request, _ = request_from_prepared(response.request, tenant)
    return request.sent_values() + [part for part in request.path.split("/") if part]


def label(response: requests.Response) -> str:
    return f"{response.request.method} {response.request.path_url}"


def check_response(
    tenant: Tenant, response: requests.Response, others: dict[str, list[str]], *, context: str
) -> None:
    """Fail if ``response``, which ``tenant`` received, holds another tenant's canary or identity."""
    __tracebackhide__ = True
    sightings = find_canaries(as_response(response), others, ignore=sent_values(response, tenant))
    if sightings:
        first = sightings[0]
        more = f" (and {len(sightings) - 1} more)" if len(sightings) > 1 else ""
        message = (
            f"{tenant.name} {context} {first.owner}'s data: {label(response)} answered HTTP "
            f"{response.status_code} with {first.owner}'s canary {first.marker} in {first.describe()}{more}\n"
            f"reproduce:\n  {reproduce(tenant, response)}"
        )
        raise IsolationViolation(watch_of(tenant).redact(message))
