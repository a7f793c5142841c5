"""The one way tenants come to exist: for the campaign and for the developers' fixtures alike.

Names are unique for the factory's whole life (a pytest session, a command-line run), so that no
two tenants share an identity or a canary, whatever the seed: the campaign reserves its names
first, and the fixtures' tenants take the names after them. Each factory also draws a per-run part
that every tenant's canary, and so its username, email and company, carries: a second run against
the same server signs up new accounts (each pytest-xdist worker has a factory of its own).
"""

from __future__ import annotations

import itertools
import string
import threading
from collections.abc import Iterator

import requests

from .errors import ConfigurationError, ProvisioningError
from .provisioning import ProvisionContext, Provisioner, StaticProvisioner
from .tenants import Tenant, new_run


def _letters() -> Iterator[str]:
    for size in itertools.count(1):
        for letters in itertools.product(string.ascii_lowercase, repeat=size):
            yield "".join(letters)


class TenantFactory:
    """Creates tenants through the configured provisioner and tears them down."""

    def __init__(
        self,
        *,
        context: ProvisionContext,
        provisioner: Provisioner,
        seed: int = 0,
        prefix: str = "",
        run: str | None = None,
    ) -> None:
        """``run`` fixes the per-run part (``""``: the identities the seed alone gives, to reproduce a
        run against a server that was reset); by default it is new for each factory."""
        self.context = context
        self.provisioner = provisioner
        self.seed = seed
        self.run = new_run() if run is None else run
        # The tenants made for developers' tests and not yet destroyed.
        self.tenants: list[Tenant] = []
        self._reserved: set[str] = set()
        self._names = (f"tenant-{letters}" for letters in _letters())
        # Developers' tenants made by several processes at once (pytest-xdist workers) need names
        # that differ between processes: ``tenant-gw1-a``.
        self._prefix = prefix
        self._lock = threading.Lock()

    def use_prefix(self, prefix: str) -> None:
        """Name the developers' tenants ``tenant-<prefix><letters>`` from now on."""
        self._prefix = prefix

    @property
    def static(self) -> bool:
        """Whether tenants are accounts that already exist (they can be used by several runs at once)."""
        return isinstance(self.provisioner, StaticProvisioner)

    def reserve(self, count: int, *, names: tuple[str, ...] = ()) -> list[str]:
        """Names for a campaign's ``count`` tenants: the configured ``names``, or ``tenant-a``, ``tenant-b``,
        ... (``tenant-26`` on), skipping any a developer's tenant has; the developers' tenants never take them.
        """
        if names:
            return list(names[:count])
        with self._lock:
            used = self._reserved | {tenant.name for tenant in self.tenants}
            candidates = (
                f"tenant-{chr(ord('a') + index)}" if index < 26 else f"tenant-{index}"
                for index in itertools.count()
            )
            chosen = list(itertools.islice((name for name in candidates if name not in used), count))
            self._reserved.update(chosen)
        return chosen

    def release(self, names: list[str]) -> None:
        """Give back names a campaign reserved and will not use."""
        with self._lock:
            self._reserved.difference_update(names)

    def next_name(self) -> str:
        """A name for a developer's tenant: a static account not in use, or the next free name."""
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
            return self._fresh(self._prefix)

    def _fresh(self, prefix: str = "") -> str:
        taken = self._reserved | {tenant.name for tenant in self.tenants}
        names = (name.replace("tenant-", f"tenant-{prefix}", 1) for name in self._names)
        return next(name for name in names if name not in taken)

    def create(self, name: str | None = None, *, capture: list[requests.Response] | None = None) -> Tenant:
        """Provision one tenant for a developer's test; ``capture`` receives what provisioning answered."""
        name = name or self.next_name()
        if any(tenant.name == name for tenant in self.tenants):
            raise ConfigurationError(
                f"A tenant named {name!r} already exists in this session; choose another name."
            )
        if name in self._reserved and not self.static:
            raise ConfigurationError(
                f"The name {name!r} is reserved for the campaign's tenants in this session; choose another name."
            )
        tenant = self.provision(name, capture=capture)
        self.tenants.append(tenant)
        return tenant

    def provision(self, name: str, *, capture: list[requests.Response] | None = None) -> Tenant:
        """Provision a tenant named ``name`` (a campaign's reserved name) without checking the name."""
        tenant = Tenant(name=name, seed=self.seed, client=self.context.transport.session(), run=self.run)
        if capture is not None:
            tenant.client.observers.append(capture.append)
        try:
            credentials = self.provisioner.provision(tenant, self.context)
        except requests.RequestException as exc:
            raise ProvisioningError(f"Provisioning tenant {name!r} failed: {exc}") from None
        finally:
            if capture is not None:
                tenant.client.observers.remove(capture.append)
        for secret in credentials.secrets():
            self.context.redactor.add(secret)
        tenant.apply(credentials)
        return tenant

    def destroy(self, tenant: Tenant) -> None:
        """Tear a tenant down through the provisioner."""
        try:
            self.provisioner.teardown(tenant, self.context)
        finally:
            if tenant in self.tenants:
                self.tenants.remove(tenant)
