"""Provision: the campaign's tenants come to exist, through the factory the fixtures use too."""

from __future__ import annotations

import requests

from ..context import EngineContext


class ProvisionPhase:
    """Creates each tenant, and harvests what its signup answered (its own account is its data)."""

    name = "provision"

    def run(self, ctx: EngineContext) -> None:
        for name in ctx.tenant_names:
            seen: list[requests.Response] = []
            tenant = ctx.factory.provision(name, capture=seen)
            state = ctx.knowledge.add(tenant)
            ctx.result.tenants.append(name)
            secrets = tenant.credentials.secrets() if tenant.credentials else []
            ctx.harvester.harvest_provisioning(state, seen, secrets, base_url=ctx.transport.base_url)


def teardown(ctx: EngineContext) -> None:
    """Tear every tenant down; a failure is a note, never the end of the report."""
    for state in ctx.knowledge.tenants:
        try:
            ctx.provisioner.teardown(state.tenant, ctx.provision_context)
        except Exception as exc:
            ctx.result.seeding.append(f"teardown of {state.tenant.name} failed: {ctx.redactor(str(exc))}")
