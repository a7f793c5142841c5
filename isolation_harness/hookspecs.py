"""Every hook of the harness, in one module: what a plugin, a hooks module or a ``conftest.py`` may implement.

The ``isolation_harness_*`` hooks are loaded the same way by the command line and the pytest
plugin: from installed packages through the ``isolation_harness`` entry-point group, and from the
module named by ``--hooks`` / ``--isolation-hooks`` (or ``hooks`` in the config). A plain function
with a hook's name is enough; :data:`isolation_harness.hookimpl` adds ordering options.

The ``pytest_isolation_*`` hooks are the same contract for ``conftest.py`` files under pytest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy
import pytest

if TYPE_CHECKING:
    from .config import ResolvedSetting, SettingSpec
    from .events import CampaignListener, CampaignResult
    from .oracles.base import Oracle
    from .probes.base import ProbeKind
    from .provisioning import ProvisionContext
    from .redaction import Redactor
    from .tenants import AuthScheme, Credentials, Tenant

PROJECT = "isolation_harness"
hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def isolation_harness_settings() -> Sequence[SettingSpec]:
    """Settings the plugin adds; each front end offers them as options (``--report-markdown`` on the
    command line, ``--isolation-report-markdown`` under pytest), with an environment variable and a
    ``[tool.isolation_harness]`` key. Their values reach the other hooks in ``settings``."""
    raise NotImplementedError


@hookspec
def isolation_harness_oracles(settings: Mapping[str, ResolvedSetting]) -> Sequence[Oracle]:
    """Oracles to run beside the built-in ones (after them, in plugin order)."""
    raise NotImplementedError


@hookspec
def isolation_harness_probe_kinds(settings: Mapping[str, ResolvedSetting]) -> Sequence[ProbeKind]:
    """Probe kinds to run beside the built-in ones (after them, in plugin order)."""
    raise NotImplementedError


@hookspec(firstresult=True)
def isolation_harness_provision(tenant: Tenant, context: ProvisionContext) -> Any:
    """Create (or look up) the account for ``tenant`` and return its credentials.

    Return :class:`isolation_harness.Credentials`, a token string (sent as the config's
    ``[tenants.auth]`` says, a bearer token by default), or a mapping of headers. ``tenant.fake``
    and ``tenant.identity`` give seeded made-up details to sign up with;
    ``context.anonymous_session()`` is a client for the API without credentials. Implementing this
    hook replaces the config's signup/login.
    """
    raise NotImplementedError


@hookspec
def isolation_harness_teardown(tenant: Tenant, context: ProvisionContext) -> None:
    """Remove what :func:`isolation_harness_provision` created for ``tenant``, after the campaign."""


@hookspec(firstresult=True)
def isolation_harness_credentials(tenant: Tenant, token: str, auth: AuthScheme) -> Credentials | None:
    """How a tenant's token is sent (an auth scheme): return the credentials, or ``None`` for the
    config's ``[tenants.auth]`` (a header with a prefix, a cookie or a query parameter)."""
    raise NotImplementedError


@hookspec
def isolation_harness_listeners(
    settings: Mapping[str, ResolvedSetting], redactor: Redactor
) -> Sequence[CampaignListener]:
    """Listeners to receive every event of the campaign as it happens (a live reporter, an event log,
    a report: :class:`isolation_harness.FileReport` writes one at each ``CampaignFinished``).

    ``redactor`` knows the tenants' secrets as soon as they exist: pass every text written through it.
    A listener gets ``CampaignFinished`` again after the gate is judged (and, under pytest-xdist, with
    the merged result on the controller only): write the whole output each time."""
    raise NotImplementedError


@hookspec
def isolation_harness_campaign_finished(
    result: CampaignResult, settings: Mapping[str, ResolvedSetting]
) -> None:
    """Called once the campaign has run (or stopped): reporters write their output here.

    ``result`` holds every finding, error and coverage entry; it is the model every report reads.
    Called once per run, also under pytest-xdist.
    """


# -- pytest: the same contract for conftest.py ------------------------------------------------


@pytest.hookspec(firstresult=True)
def pytest_isolation_provision(tenant: Tenant, context: ProvisionContext) -> Any:
    """As :func:`isolation_harness_provision`, implemented in ``conftest.py``."""


@pytest.hookspec
def pytest_isolation_teardown(tenant: Tenant, context: ProvisionContext) -> None:
    """As :func:`isolation_harness_teardown`, implemented in ``conftest.py``."""


@pytest.hookspec
def pytest_isolation_campaign_finished(result: CampaignResult, config: pytest.Config) -> None:
    """As :func:`isolation_harness_campaign_finished`, implemented in ``conftest.py``."""
