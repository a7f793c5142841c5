"""Seed: each tenant creates its own data and reads it back (owner views), then its credentials are checked."""

from __future__ import annotations

from ...errors import ProvisioningError
from ..context import EngineContext


class SeedPhase:
    """Seeds and discovers each tenant's data, in turn (with ``workers`` too: what the API keeps between
    requests, a cache or a counter, then ends up as in a serial run)."""

    name = "seed"

    def run(self, ctx: EngineContext) -> None:
        for state in ctx.knowledge.tenants:
            ctx.seeder.seed(state)
            ctx.discovery.discover(state)
            # Stop when the API refused every request the tenant made: its credentials do not work,
            # every probe would be refused too and the run would pass without testing anything.
            if state.answered >= 3 and state.refused == state.answered:
                raise ProvisioningError(
                    f"The API refused all {state.answered} requests of tenant {state.name!r} with 401/403: its "
                    "credentials are not accepted. Check [tenants.login] (where the token is) and "
                    "[tenants.auth] (how it is sent: header and prefix, cookie, or query parameter)."
                )
