"""Witnesses of a write: the victim's own reads that would show it, read before and after the probe."""

from __future__ import annotations

import time
from collections.abc import Sequence

from ..exchange import Probe
from ..knowledge import Instance, TenantKnowledge, View
from ..model import JSONPath
from ..operations import Operation, looks_like_identifier
from ..snapshots import Change, Snapshot, compare_snapshots, volatile_between
from .bursts import send_each
from .discovery import Discovery
from .index import ApiIndex, is_list
from .sending import Sender

MAX_WITNESSES = 6
MAX_LISTS = 4
# Longer than the tick of a millisecond clock.
_CLOCK_TICK = 0.005

Witness = tuple[View, Operation]


class Witnesses:
    """Chooses, reads and compares the reads that show what a write did."""

    def __init__(self, *, index: ApiIndex, discovery: Discovery, sender: Sender) -> None:
        self.index = index
        self.discovery = discovery
        self.sender = sender
        self._last: tuple[object, list[Witness]] | None = None
        # The victim's reads of the last probe, before and after it: every oracle judges the same ones.
        self._reads: tuple[object, dict[str, list[Snapshot]]] | None = None

    def for_probe(self, probe: Probe) -> list[Witness]:
        """The witnesses of a write probe's targets, chosen once per probe (oracles share them)."""
        if self._last is not None and self._last[0] is probe:
            return self._last[1]
        assert probe.victim is not None
        witnesses = self.for_write(probe.victim, probe.targets, probe.operation)
        self._last = (probe, witnesses)
        return witnesses

    def before(self, probe: Probe) -> list[Snapshot]:
        """The victim's reads of the probe's witnesses before it is sent, read once for every oracle."""
        return self._read_once(probe, "before")

    def after(self, probe: Probe) -> list[Snapshot]:
        """The same reads after the probe's last exchange, read once for every oracle."""
        return self._read_once(probe, "after")

    def _read_once(self, probe: Probe, stage: str) -> list[Snapshot]:
        if self._reads is None or self._reads[0] is not probe:
            self._reads = (probe, {})
        reads = self._reads[1]
        if stage not in reads:
            assert probe.victim is not None
            reads[stage] = self.read_all(probe.victim, self.for_probe(probe))
        return reads[stage]

    def for_caller(self, probe: Probe) -> list[Witness]:
        """The attacker's own reads where a write that acted on the caller instead shows.

        Reads of its own objects of the targeted kinds (the path ignored, its own one written), the
        read of the written path first, then its lists and ``/me`` from the views it has. The reads
        are made here, not discovered: what they return is not harvested as the attacker's.
        """
        attacker = probe.attacker
        own = {t.resource: probe.own[t.resource] for t in probe.targets if t.resource in probe.own}
        readers = {op.label: op for resource in own for op in self.index.readers(resource)}
        ranked = sorted(
            readers.values(),
            key=lambda op: (op.path != probe.operation.path, len(op.slots), self.index.order[op.label]),
        )
        out: list[Witness] = []
        for operation in ranked[:MAX_LISTS]:
            built = self.discovery.builder.build(attacker, operation, pinned=dict(own))
            if built is not None:
                out.append((View(request=built[0], status=200, body=None, volatile=set()), operation))
        out.extend(self.unslotted_reads(attacker, probe.operation, fresh=False))
        return out

    def for_write(
        self, victim: TenantKnowledge, targets: Sequence[Instance], write: Operation
    ) -> list[Witness]:
        """The victim's own reads that show the targeted objects.

        Reads of what the write makes or returns come first, lists before single objects: where the
        target is a whole account (a workspace in the path), every read shows it, and the list of
        the written resource is where a change shows.
        """
        ids = {
            str(value)
            for instance in targets
            for key, value in instance.values.items()
            if value is not None and looks_like_identifier(key)
        }
        index = self.index
        related = index.related_reads(write)
        resources = {instance.resource for instance in targets}
        ranked: list[tuple[tuple[bool, bool, int], View, Operation]] = []
        # Only reads that take or return what was targeted, or what the write touches, can show it.
        keys = [f"{verb} {name}" for name in resources for verb in ("takes", "returns")]
        candidates = {op.label: op for key in keys for op in index.reads.get(key, [])}
        candidates.update((label, index.by_label[label]) for label in related)
        ordered = sorted(candidates.values(), key=lambda op: index.order[op.label])
        self.discovery.owner_views(victim, ordered)
        for operation in ordered:
            view = self.discovery.owner_view(victim, operation)
            if view is None or not (200 <= view.status < 300):
                continue
            sent = set(view.request.sent_values())
            if sent & ids or ids & view.leaves:
                rank = (operation.label not in related, not is_list(operation), index.order[operation.label])
                ranked.append((rank, view, operation))
        out = [(view, operation) for _, view, operation in sorted(ranked, key=lambda item: item[0])]
        out = out[:MAX_WITNESSES]
        # Its lists and `/me`: where an object the attacker put into the victim's account appears.
        for view, operation in self.unslotted_reads(victim, write, fresh=True):
            if all(view is not v for v, _ in out):
                out.append((view, operation))
        return out

    def unslotted_reads(self, state: TenantKnowledge, write: Operation, *, fresh: bool) -> list[Witness]:
        """The tenant's reads that take no identifier (``/me``, lists), at most ``MAX_LISTS``: those of
        what ``write`` touches first, so that the number of reads per probe does not grow with the API."""
        related = self.index.related_reads(write)
        reads = sorted(self.index.reads.get("unslotted", []), key=lambda op: op.label not in related)
        out: list[Witness] = []
        for operation in reads:
            view = self.discovery.owner_view(state, operation) if fresh else state.views.get(operation.label)
            if view is not None and (not fresh or 200 <= view.status < 300):
                out.append((view, operation))
            if len(out) >= MAX_LISTS:
                break
        return out

    def read_all(self, state: TenantKnowledge, witnesses: Sequence[Witness]) -> list[Snapshot]:
        out = []
        answers = send_each(self.sender, [(state, view.request, operation) for view, operation in witnesses])
        for (view, _), response in zip(witnesses, answers, strict=True):
            label = f"{view.request.method} {view.request.path}"
            if response is None:
                out.append(Snapshot(label, 0, None))
            else:
                out.append(Snapshot(label, response.status, response.json()))
        return out

    def changes(
        self,
        state: TenantKnowledge,
        witnesses: Sequence[Witness],
        before: Sequence[Snapshot],
        after: Sequence[Snapshot],
    ) -> list[Change]:
        """What changed in the tenant's reads; a value that changes again with no write is volatile.

        Two reads within one tick of a millisecond clock look alike, so learning volatile fields from
        the owner's two reads misses such clocks: where something changed, the tenant reads once more.
        A read that failed (no answer, a 5xx, a 429, a broken body) shows nothing: see :func:`failed`.
        """
        kept = [
            (witness, old, new)
            for witness, old, new in zip(witnesses, before, after, strict=True)
            if old.status and new.status
        ]
        witnesses = [witness for witness, _, _ in kept]
        before = [old for _, old, _ in kept]
        after = [new for _, _, new in kept]
        changes = compare_snapshots(before, after, volatile_paths=_volatile_paths(witnesses))
        if not changes:
            return changes
        time.sleep(_CLOCK_TICK)
        again = self.read_all(state, witnesses)
        for (view, _), first, second in zip(witnesses, after, again, strict=True):
            if first.status == second.status:
                view.volatile |= volatile_between(first.body, second.body)
        # Where the read once more failed, what changed may be a clock: nothing is concluded there.
        settled = [index for index, second in enumerate(again) if second.status]
        return compare_snapshots(
            [before[i] for i in settled],
            [after[i] for i in settled],
            volatile_paths=_volatile_paths([witnesses[i] for i in settled]),
        )


def _volatile_paths(witnesses: Sequence[Witness]) -> dict[str, set[JSONPath]]:
    return {f"{view.request.method} {view.request.path}": view.volatile for view, _ in witnesses}


def failed(before: Sequence[Snapshot], after: Sequence[Snapshot]) -> list[str]:
    """The reads that failed before or after (after every retry): what a verdict could not look at."""
    return [old.label for old, new in zip(before, after, strict=True) if not old.status or not new.status]
