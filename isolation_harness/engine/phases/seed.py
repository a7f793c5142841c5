"""Seed: each tenant creates its own data and reads it back (owner views), then its credentials are checked."""

from __future__ import annotations

from ...errors import ProvisioningError
from ...knowledge import TenantKnowledge
from ..context import EngineContext
from ..side_by_side import side_by_side


class SeedPhase:
    """Seeds and discovers each tenant's data; the tenants side by side with ``workers``."""

    name = "seed"

    def run(self, ctx: EngineContext) -> None:
        tenants = ctx.knowledge.tenants
        noted = len(ctx.result.seeding)
        side_by_side(tenants, lambda state: seed(state, ctx), ctx, workers=ctx.settings.workers)
        # Notes in the tenants' order, as a run that seeds one tenant after the other writes them.
        order = {f"{state.name}:": position for position, state in enumerate(tenants)}
        ctx.result.seeding[noted:] = sorted(
            ctx.result.seeding[noted:], key=lambda note: order.get(note.split(" ", 1)[0], len(order))
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


def seed(state: TenantKnowledge, ctx: EngineContext) -> None:
    """One tenant's data made and read back."""
    ctx.seeder.seed(state)
    ctx.discovery.discover(state)
