"""Hooks the plugin calls; implement them in ``conftest.py`` or a plugin package."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .campaign import CampaignResult
    from .provisioning import ProvisionContext
    from .tenants import Tenant


@pytest.hookspec(firstresult=True)
def pytest_isolation_provision(tenant: Tenant, context: ProvisionContext) -> Any:
    """Create (or look up) the account for ``tenant`` and return its credentials.

    Return :class:`isolation_harness.Credentials`, a token string (sent as the config's
    ``[tenants.auth]`` says, a bearer token by default), or a mapping of headers. ``tenant.fake``
    and ``tenant.identity`` give seeded made-up details to sign up with; ``context.anonymous_session()``
    is a client for the API without credentials. Implementing this hook replaces the config's
    signup/login.
    """


@pytest.hookspec
def pytest_isolation_teardown(tenant: Tenant, context: ProvisionContext) -> None:
    """Remove what :func:`pytest_isolation_provision` created for ``tenant``, after the campaign."""


@pytest.hookspec
def pytest_isolation_campaign_finished(result: CampaignResult, config: pytest.Config) -> None:
    """Called once the campaign has run (or stopped): reporters write their output here.

    ``result`` holds every finding, error and coverage entry; it is the model every report reads.
    """
