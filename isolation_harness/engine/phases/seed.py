"""Seed: each tenant creates its own data and reads it back (owner views), then its credentials are checked."""

from __future__ import annotations

from ...errors import ProvisioningError
from ..bursts import side_by_side
from ..context import EngineContext


class SeedPhase:
    """Seeds and discovers each tenant's data; the tenants side by side with ``workers``."""

    name = "seed"

    def run(self, ctx: EngineContext) -> None:
        tenants = ctx.knowledge.tenants
        noted = len(ctx.result.seeding)
        side_by_side(tenants, ctx.seeder.seed_and_discover, ctx.sender, workers=ctx.settings.workers)
        # Notes in the tenants' order, as a run that seeds one tenant after the other writes them.
        order = {state.name: position for position, state in enumerate(tenants)}
        ctx.result.seeding[noted:] = sorted(
            ctx.result.seeding[noted:],
            key=lambda note: min(
                (p for n, p in order.items() if note.startswith(f"{n}:")), default=len(order)
            ),
        )
        for state in tenants:
            # Stop when the API refused every request the tenant made: its credentials do not work,
            # every probe would be refused too and the run would pass without testing anything.
            if state.answered >= 3 and state.refused == state.answered:
                raise ProvisioningError(
                    f"The API refused all {state.answered} requests of tenant {state.name!r} with 401/403: its "
                    "credentials are not accepted. Check [tenants.login] (where the token is) and "
                    "[tenants.auth] (how it is sent: header and prefix, cookie, or query parameter)."
                )
