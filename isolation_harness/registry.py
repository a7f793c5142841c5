"""The ``tenants`` fixture: tenants created on demand for a developer's test, torn down after it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import overload

from .tenants import Tenant
from .watching import Watcher


class TenantRegistry:
    """The ``tenants`` fixture: create tenants on demand, look them up by name, tear them down.

    ``tenants.create(2)`` gives a list of two new tenants, ``tenants.create(name="acme")`` one named
    tenant, ``tenants.create()`` one tenant; ``tenants["acme"]`` looks one up.
    """

    def __init__(self, watcher: Watcher) -> None:
        self._watcher = watcher
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
        tenant = self._watcher.create(name)
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
                self._watcher.destroy(tenant)
            except Exception as exc:
                errors.append(exc)
        self._tenants.clear()
        if errors:
            raise errors[0]
