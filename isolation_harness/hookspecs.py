"""Hooks the plugin calls; implement them in ``conftest.py`` or a plugin package."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .provisioning import ProvisionContext
    from .tenants import Tenant


@pytest.hookspec(firstresult=True)
def isolation_harness_provision(tenant: Tenant, context: ProvisionContext) -> Any:
    """Create (or look up) the account for ``tenant`` and return its credentials.

    Return :class:`isolation_harness.Credentials`, a token string (sent as the config's
    ``[tenants.auth]`` says, a bearer token by default), or a mapping of headers. ``tenant.fake``
    and ``tenant.identity`` give seeded made-up details to sign up with; ``context.anonymous_session()``
    is a client for the API without credentials. Implementing this hook replaces the config's
    signup/login.
    """


@pytest.hookspec
def isolation_harness_teardown(tenant: Tenant, context: ProvisionContext) -> None:
    """Remove what :func:`isolation_harness_provision` created for ``tenant``, after the campaign."""
