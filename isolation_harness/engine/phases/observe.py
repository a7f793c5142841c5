"""Observe: before any probe, callers that are no tenant read what needs no tenant's identifier.

The anonymous caller sends no credentials; the bystander is provisioned like the tenants and makes
nothing. What they receive that is no tenant's data becomes public (``Knowledge.public_values``);
tenants' data the anonymous caller receives is public exposure (``Knowledge.exposed_values``): the
anonymous probes report it, and the cross-tenant oracles leave it alone.
"""

from __future__ import annotations

from ...errors import ProvisioningError
from ...knowledge import TenantKnowledge
from ...public import anonymous_caller, split_received
from ..bursts import send_each
from ..context import EngineContext

# A second round reads the catalogue objects the first round's lists named.
_ROUNDS = 2


class ObservePhase:
    """Reads every safe operation as the anonymous caller and, with ``bystander``, as a tenant that made nothing.

    The bystander costs one more tenant's provisioning and one read per safe operation; it is on by
    default because most APIs serve their catalogues (languages, currencies, menus) only to signed-in
    callers, where the anonymous caller sees nothing but 401s.
    """

    name = "observe"

    def __init__(self, *, bystander: bool = True) -> None:
        self.bystander = bystander

    def run(self, ctx: EngineContext) -> None:
        anonymous = anonymous_caller(ctx.knowledge, ctx.transport, seed=ctx.settings.seed)
        observe(ctx, anonymous, anonymous=True)
        expose(ctx, anonymous)
        if not self.bystander:
            return
        bystander = _provision_bystander(ctx)
        if bystander is None:
            return
        try:
            observe(ctx, bystander, anonymous=False)
        finally:
            try:
                ctx.provisioner.teardown(bystander.tenant, ctx.provision_context)
            except Exception as exc:
                ctx.result.note(
                    f"teardown of the bystander {bystander.name} failed: {ctx.redactor(str(exc))}"
                )


def observe(ctx: EngineContext, observer: TenantKnowledge, *, anonymous: bool) -> None:
    """Read every safe operation the observer can build a request for, and record what it received."""
    for round_ in range(_ROUNDS):
        before = sum(len(items) for items in observer.instances.values())
        reads = [
            operation
            for operation in ctx.index.operations
            if operation.is_safe and not ctx.index.is_excluded(operation) and (operation.slots or not round_)
        ]
        # Every request of the round is built first, then sent side by side, then kept in order.
        built = [(operation, ctx.builder.build(observer, operation)) for operation in reads]
        made = [(operation, item) for operation, item in built if item is not None]
        answers = send_each(ctx.sender, [(observer, item[0], operation) for operation, item in made])
        for (operation, (request, used)), response in zip(made, answers, strict=True):
            if response is None or not response.ok:
                continue
            # Catalogue objects the observer may read next round; tenants' objects are never its own.
            ctx.harvester.harvest(observer, operation, request, response, used)
            public, tenants = split_received(
                ctx.knowledge, observer, response.json(), operation=operation, status=response.status
            )
            ctx.knowledge.public_values |= public
            if anonymous:
                ctx.knowledge.exposed_values |= tenants
        if sum(len(items) for items in observer.instances.values()) == before:
            break


def expose(ctx: EngineContext, anonymous: TenantKnowledge) -> None:
    """Each tenant's own reads of its objects, sent without credentials: what reaches the anonymous
    caller is public exposure, known before any cross-tenant probe is judged (so that no verdict
    depends on the order operations are probed in)."""
    calls = []
    for operation in ctx.index.operations:
        if not operation.is_safe or not operation.slots or ctx.index.is_excluded(operation):
            continue
        for state in ctx.knowledge.tenants:
            built = ctx.builder.build(state, operation)
            if built is not None:
                calls.append((anonymous, built[0], operation))
    for (_, _, operation), response in zip(calls, send_each(ctx.sender, calls, probe=True), strict=True):
        if response is None or not response.ok:
            continue
        _, tenants = split_received(
            ctx.knowledge, anonymous, response.json(), operation=operation, status=response.status
        )
        ctx.knowledge.exposed_values |= tenants


def _provision_bystander(ctx: EngineContext) -> TenantKnowledge | None:
    """The bystander, provisioned like the tenants; ``None`` (and a note) when there is no account for it."""
    if ctx.factory.static:
        spare = [name for name in ctx.settings.names if name not in ctx.tenant_names]
        if not spare:
            ctx.result.note(
                "no bystander tenant: every static account is a campaign tenant (add one more "
                "[[tenants.accounts]] entry to tell catalogues from tenants' data)"
            )
            return None
        name = spare[0]
    else:
        name = ctx.factory.reserve(1)[0]
    try:
        tenant = ctx.factory.provision(name)
    except ProvisioningError as exc:
        ctx.result.note(f"no bystander tenant: {ctx.redactor(str(exc))}")
        return None
    state = TenantKnowledge(tenant=tenant)
    ctx.knowledge.observers.append(state)
    return state
