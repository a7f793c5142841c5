"""Tenants for developers' own tests: a factory per session, a registry per fixture scope.

Every tenant's client is watched: what it receives is remembered (its own data, its identifiers)
and, inside :func:`~isolation_harness.expect_isolated` or a test marked ``isolation``, checked for
any other tenant's canary as it arrives.
"""

from __future__ import annotations

import itertools
import json
import string
import threading
from collections.abc import Iterator
from typing import Any, overload

import requests

from .errors import ConfigurationError
from .model import iter_leaves, iter_objects
from .operations import looks_like_identifier
from .provisioning import ProvisionContext, Provisioner, StaticProvisioner
from .tenants import Tenant

_WATCH = "isolation-harness.watch"


def _letters() -> Iterator[str]:
    for size in itertools.count(1):
        for letters in itertools.product(string.ascii_lowercase, repeat=size):
            yield "".join(letters)


class TenantFactory:
    """Creates tenants through the configured provisioner; one per test session.

    Names are unique for the whole session (``tenant-a``, ``tenant-b``, ...), so each tenant has
    its own identity and canary even when function-scoped registries come and go.
    """

    def __init__(self, *, context: ProvisionContext, provisioner: Provisioner, seed: int = 0) -> None:
        self.context = context
        self.provisioner = provisioner
        self.seed = seed
        self.tenants: list[Tenant] = []
        self.strict = 0
        self._names = (f"tenant-{letters}" for letters in _letters())
        self._lock = threading.Lock()

    def next_name(self) -> str:
        if isinstance(self.provisioner, StaticProvisioner):
            used = {tenant.name for tenant in self.tenants}
            free = [account.name for account in self.provisioner.accounts if account.name not in used]
            if not free:
                raise ConfigurationError(
                    f"All {len(self.provisioner.accounts)} static accounts are in use "
                    f"({', '.join(a.name for a in self.provisioner.accounts)}). Add [[tenants.accounts]] entries "
                    "or create fewer tenants."
                )
            return free[0]
        with self._lock:
            return next(self._names)

    def create(self, name: str | None = None) -> Tenant:
        """Provision one tenant and watch everything its client receives."""
        name = name or self.next_name()
        if any(tenant.name == name for tenant in self.tenants):
            raise ConfigurationError(
                f"A tenant named {name!r} already exists in this session; choose another name."
            )
        tenant = Tenant(name=name, seed=self.seed, client=self.context.transport.session())
        credentials = self.provisioner.provision(tenant, self.context)
        for secret in credentials.secrets():
            self.context.redactor.add(secret)
        tenant.apply(credentials)
        watch = Watch(tenant, self)
        tenant.state[_WATCH] = watch
        tenant.client.observers.append(watch.on_response)
        self.tenants.append(tenant)
        return tenant

    def destroy(self, tenant: Tenant) -> None:
        try:
            self.provisioner.teardown(tenant, self.context)
        finally:
            if tenant in self.tenants:
                self.tenants.remove(tenant)

    def others(self, tenant: Tenant) -> dict[str, list[str]]:
        return {other.name: other.markers() for other in self.tenants if other is not tenant}


class Watch:
    """What one tenant has received: its own objects, the values it knows, its identifiers."""

    def __init__(self, tenant: Tenant, factory: TenantFactory) -> None:
        self.tenant = tenant
        self.factory = factory
        self.objects: list[dict[str, Any]] = []
        self.known: set[str] = set()
        self.identifiers: dict[str, list[Any]] = {}
        self.expecting = 0

    def on_response(self, response: requests.Response) -> None:
        __tracebackhide__ = True
        if self.expecting or self.factory.strict:
            from .assertions import check_response

            check_response(self.tenant, response, self.factory.others(self.tenant), context="received")
        self.remember(response)

    def remember(self, response: requests.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            return
        others = [other.canary for other in self.factory.tenants if other is not self.tenant]
        for _, obj in iter_objects(body):
            text = json.dumps(obj).lower()
            if any(canary in text for canary in others):
                return
        for _, obj in iter_objects(body):
            self.objects.append(obj)
            for key, value in obj.items():
                if (
                    looks_like_identifier(key)
                    and isinstance(value, (str, int))
                    and not isinstance(value, bool)
                ):
                    values = self.identifiers.setdefault(key, [])
                    if value not in values:
                        values.append(value)
        for _, value in iter_leaves(body):
            if value is not None and not isinstance(value, bool):
                self.known.add(str(value))


def watch_of(tenant: Tenant) -> Watch:
    watch = tenant.state.get(_WATCH)
    if not isinstance(watch, Watch):
        raise ConfigurationError(
            f"{tenant!r} was not created by the `tenants` fixture, so nothing it received was recorded. "
            "Create tenants with `tenants.create()`."
        )
    return watch


class TenantRegistry:
    """The ``tenants`` fixture: create tenants on demand, look them up by name, tear them down.

    ``tenants.create(2)`` gives a list of two new tenants, ``tenants.create(name="acme")`` one named
    tenant, ``tenants.create()`` one tenant; ``tenants["acme"]`` looks one up.
    """

    def __init__(self, factory: TenantFactory) -> None:
        self._factory = factory
        self._tenants: dict[str, Tenant] = {}

    @overload
    def create(self, count: None = None, *, name: str | None = None) -> Tenant: ...

    @overload
    def create(self, count: int, *, name: None = None) -> list[Tenant]: ...

    def create(self, count: int | None = None, *, name: str | None = None) -> Tenant | list[Tenant]:
        if count is not None:
            if name is not None:
                raise TypeError(f"create(count={count!r}, name={name!r}): pass a count or a name, not both.")
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise ValueError(f"create(count={count!r}): count must be a whole number of at least 1.")
            return [self._create(None) for _ in range(count)]
        return self._create(name)

    def _create(self, name: str | None) -> Tenant:
        tenant = self._factory.create(name)
        self._tenants[tenant.name] = tenant
        return tenant

    def __getitem__(self, name: str) -> Tenant:
        try:
            return self._tenants[name]
        except KeyError:
            known = ", ".join(repr(n) for n in self._tenants) or "none yet"
            raise KeyError(f"No tenant named {name!r} in this registry (created: {known}).") from None

    def __iter__(self) -> Iterator[Tenant]:
        return iter(list(self._tenants.values()))

    def __len__(self) -> int:
        return len(self._tenants)

    def __contains__(self, name: object) -> bool:
        return name in self._tenants

    def close(self) -> None:
        """Tear down every tenant this registry created, through the provisioner."""
        errors: list[BaseException] = []
        for tenant in list(self._tenants.values()):
            try:
                self._factory.destroy(tenant)
            except Exception as exc:
                errors.append(exc)
        self._tenants.clear()
        if errors:
            raise errors[0]
