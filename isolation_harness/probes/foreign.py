"""Foreign identifiers: the attacker's own valid request, carrying the victim's identifier in a slot.

Each slot on its own, and all slots together (for an operation with a body, ``examples`` generated
requests each); a list of ids carries the attacker's own first, then
the victim's; a body refused as invalid is sent again with only the required fields and the slot.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.context import EngineContext
from ..exchange import Probe
from ..knowledge import Instance, TenantKnowledge
from ..model import HttpRequest, Slot, SlotLocation, place
from ..operations import Operation


class ForeignIdentifierProbes:
    """Every ordered pair of tenants, every slot that takes an identifier."""

    name = "foreign-identifier"
    after_all = False

    def plan(self, operation: Operation, ctx: EngineContext) -> Iterator[Probe]:
        variants: list[tuple[Slot, ...]] = [(slot,) for slot in operation.slots]
        if len(operation.slots) > 1:
            variants.append(tuple(operation.slots))
        for attacker in ctx.knowledge.tenants:
            for victim in ctx.knowledge.tenants:
                if victim is attacker:
                    continue
                for variant in variants:
                    # With a body, each example is another generated request around the same identifiers.
                    examples = ctx.settings.examples if operation.body_schema is not None else 1
                    for _ in range(examples):
                        probe = foreign_probe(ctx, operation, attacker, victim, variant, kind=self.name)
                        if probe is None:
                            break
                        yield probe


def foreign_probe(
    ctx: EngineContext,
    operation: Operation,
    attacker: TenantKnowledge,
    victim: TenantKnowledge,
    variant: tuple[Slot, ...],
    *,
    kind: str,
    targeted: dict[str, Instance] | None = None,
    note: str = "",
) -> Probe | None:
    """The attacker's request with the victim's identifiers in ``variant``'s slots.

    ``None`` (and the reason in the coverage) when either tenant lacks what the request needs, or
    the identifiers are the same for both (numbered per tenant: the request proves nothing).
    """
    slot_text = " + ".join(slot.describe() for slot in variant) + note
    # The victim's consistent identifiers for the variant's slots.
    victim_used = ctx.builder.choose(victim, operation, dict(targeted or {}))
    if victim_used is None or any(slot.resource not in victim_used for slot in variant):
        missing = sorted(
            {slot.resource for slot in variant if not victim_used or slot.resource not in victim_used}
        )
        ctx.skip(operation, f"{victim.name} has no {', '.join(missing)} to target via {slot_text}")
        return None
    pinned = {slot.resource: victim_used[slot.resource] for slot in variant}
    nobodys = sorted({resource for resource, instance in pinned.items() if not instance.owned})
    if nobodys:
        # Seen in lists but neither made by the victim nor carrying its canary: not the victim's data.
        ctx.skip(
            operation,
            f"{victim.name} has no {', '.join(nobodys)} of its own to target via {slot_text} "
            "(only ones it saw in lists, which are nobody's)",
        )
        return None
    own = ctx.builder.choose(attacker, operation, {})
    built = ctx.builder.build(attacker, operation)
    if built is None or own is None:
        ctx.skip(
            operation, f"{attacker.name} cannot build its own request (seeding found none of what it needs)"
        )
        return None
    values = {slot: pinned[slot.resource].value(slot.field) for slot in variant}
    empty = [slot.describe() for slot, value in values.items() if value is None]
    if empty:
        resources = ", ".join(sorted({s.resource for s in variant}))
        ctx.skip(operation, f"{victim.name}'s {resources} has no value for {', '.join(empty)}")
        return None
    own_values = {slot: own[slot.resource].value(slot.field) for slot in variant if slot.resource in own}
    if all(own_values.get(slot) == value for slot, value in values.items()):
        # Identifiers numbered per tenant (both have order 1): the "foreign" request is the
        # attacker's own, and proves nothing either way.
        ctx.skip(operation, f"{victim.name}'s identifiers via {slot_text} are the same as {attacker.name}'s")
        return None
    targets = list(pinned.values())
    # An update is sent with a body that worked for an owner's own update of its own object.
    request = ctx.update_bodies.request(ctx, attacker, operation, own, built[0])
    probe = Probe(
        kind=kind,
        operation=operation,
        attacker=attacker,
        request=request,
        slot=slot_text,
        victim=victim,
        targets=targets,
        setup=[step for instance in targets for step in instance.recipe],
        own=own,
    )

    def place_all(into: HttpRequest) -> None:
        for slot, value in values.items():
            # A bulk operation that checks only the first id, or filters out foreign ones, shows
            # itself; one that refuses the list is fine.
            if place(into, slot, value, first=own_values.get(slot)):
                probe.mixed.add(slot.resource)

    def minimal() -> HttpRequest | None:
        # The optional fields the attacker filled with its own references may be what the API
        # refused (an assignee of the attacker's account, moved along into the victim's).
        rebuilt = ctx.builder.build(attacker, operation, required_only=True)
        if rebuilt is None:
            return None
        place_all(rebuilt[0])
        return rebuilt[0]

    place_all(request)
    if any(slot.location is SlotLocation.BODY for slot in variant):
        probe.fallback = minimal
    return probe
