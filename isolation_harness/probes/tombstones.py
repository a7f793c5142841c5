"""Tombstones: an object its owner deleted must not stay readable by another tenant.

For every delete operation, the victim creates a fresh object and deletes it itself; every other
tenant then reads it through each read operation that takes it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.context import EngineContext
from ..exchange import Probe
from ..model import SlotLocation
from ..operations import Operation
from .foreign import foreign_probe


class TombstoneProbes:
    """Planned once every operation was probed, for each delete operation."""

    name = "tombstone"
    after_all = True

    def plan(self, operation: Operation, ctx: EngineContext) -> Iterator[Probe]:
        delete = operation
        if not delete.is_delete or ctx.index.is_excluded(delete):
            return
        path_slots = [slot for slot in delete.slots if slot.location is SlotLocation.PATH]
        if not path_slots:
            return
        # What the URL ends with is what goes: `/t/{workspace}/contacts/{contactId}` deletes a contact.
        path_slots.sort(key=lambda slot: delete.path.find("{" + slot.name + "}"))
        resource = path_slots[-1].resource
        readers = [reader for reader in ctx.index.readers(resource) if ctx.selected(reader)]
        makers = ctx.index.makers(resource)
        if not readers or not makers:
            return
        for victim in ctx.knowledge.tenants:
            instance = ctx.seeder.create(victim, makers[0])
            if instance is None:
                continue
            built = ctx.builder.build(victim, delete, pinned={resource: instance})
            if built is None:
                continue
            response = ctx.sender.send(victim, built[0], delete)
            if response is None or not response.ok:
                continue
            ctx.knowledge.retire(victim, instance)
            for reader in readers:
                slot = next(s for s in reader.slots if s.resource == resource)
                for attacker in ctx.knowledge.tenants:
                    if attacker is victim:
                        continue
                    probe = foreign_probe(
                        ctx,
                        reader,
                        attacker,
                        victim,
                        (slot,),
                        kind=self.name,
                        targeted={resource: instance},
                        note=" (deleted by its owner)",
                    )
                    if probe is not None:
                        yield probe
            # The deleted object is the only one retired: nothing to seed again.
            victim.dirty = False
