"""Share: through each sharing operation in the config, each tenant shares a fresh object with the next.

The objects the next tenant then sees are shared on purpose: the oracles leave them alone, and
probes target the victim's other objects.
"""

from __future__ import annotations

from ...model import SlotLocation
from ...provisioning import render_template
from ..context import EngineContext


class SharePhase:
    """Makes the sharing the config describes, and records what is shared with whom."""

    name = "share"

    def run(self, ctx: EngineContext) -> None:
        tenants = ctx.knowledge.tenants
        for rule in ctx.settings.shares:
            operation = ctx.index.by_label[rule.operation]
            slot = next((s for s in operation.slots if s.location is SlotLocation.PATH), operation.slots[0])
            makers = ctx.index.makers(slot.resource)
            for position, owner in enumerate(tenants):
                peer = tenants[(position + 1) % len(tenants)]
                instance = ctx.seeder.create(owner, makers[0]) if makers else None
                built = (
                    ctx.builder.build(owner, operation, pinned={slot.resource: instance})
                    if instance
                    else None
                )
                if instance is None or built is None:
                    ctx.result.note(f"{owner.name}: no {slot.resource} to share via {operation.label}")
                    continue
                request = built[0]
                setting = f"api.shares ({operation.label})"
                if rule.body is not None:
                    body = render_template(rule.body, peer.tenant, setting=f"{setting}.body")
                    if isinstance(body, dict) and isinstance(request.body, dict):
                        request.body.update(body)
                    else:
                        request.body = body
                    request.has_body = True
                for name, value in rule.query.items():
                    request.query[name] = str(render_template(value, peer.tenant, setting=f"{setting}.query"))
                response = ctx.sender.send(owner, request, operation)
                if response is None or not response.ok:
                    status = "no answer" if response is None else f"HTTP {response.status}"
                    ctx.result.note(
                        f"{owner.name}: sharing a {slot.resource} with {peer.name} via "
                        f"{operation.label} failed ({status})"
                    )
                    continue
                instance.shared = True
                peer.shared.add(str(instance.value(slot.field)))
                owner.shared.add(str(instance.value(slot.field)))
