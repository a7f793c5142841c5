"""The attacker-data oracle: the attacker's data in the victim's own reads after its write is a confirmed cross-tenant write.

A child made under the victim's parent, an entry added to the victim's list, the victim's object
rewritten with the attacker's values: the victim, reading its own data as itself, now sees the
attacker's canary or a distinctive value only the attacker sent. Only what appeared with the write
counts: a read that already showed the attacker's data (shared on purpose, a feed every tenant sees)
proves nothing, nor does a value the victim had, or that several tenants have seen.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..engine.context import EngineContext
from ..exchange import Evidence, Exchange, Probe
from ..knowledge import TenantKnowledge, without_shared
from ..model import FindingKind, Verdict, format_pointer, iter_leaves, short_repr
from ..snapshots import Snapshot, keyed

NAME = "attacker-data"
# A value the attacker sent counts only when it is this long: a shorter one may be anybody's.
MIN_SENT_TEXT = 8
MAX_SIGHTINGS = 3


@dataclass(frozen=True)
class Mark:
    """What gives the attacker's data away: its canary, or a value it sent."""

    text: str
    describe: str


class AttackerDataOracle:
    """The attacker's canary, or a value only it sent, newly in the victim's own reads."""

    name = NAME
    final = True

    def applies(self, probe: Probe) -> bool:
        operation = probe.operation
        return probe.victim is not None and not operation.is_safe and not operation.is_delete

    def prepare(self, probe: Probe, ctx: EngineContext) -> Any:
        return ctx.witnesses.before(probe)

    def judge(self, probe: Probe, exchange: Exchange, ctx: EngineContext, prepared: Any) -> list[Evidence]:
        victim = probe.victim
        assert victim is not None
        marks = _marks(probe.attacker, victim, exchange, ctx)
        before: Sequence[Snapshot] = prepared
        after = ctx.witnesses.after(probe)
        sightings = [
            f"{new.label} holds {where}"
            for old, new in zip(before, after, strict=True)
            for where in appeared(old, new, marks, victim)[:1]
        ]
        if not sightings:
            return []
        text = (
            f"after {probe.attacker.name}'s request (HTTP {exchange.response.status}), "
            f"{victim.name}'s own reads show {probe.attacker.name}'s data: "
            + "; ".join(sightings[:MAX_SIGHTINGS])
        )
        return [Evidence(self.name, FindingKind.WRITE, Verdict.CONFIRMED, victim.name, text)]


def _marks(
    attacker: TenantKnowledge, victim: TenantKnowledge, exchange: Exchange, ctx: EngineContext
) -> list[Mark]:
    canary = attacker.tenant.canary.lower()
    marks = [Mark(canary, f"{attacker.name}'s canary")]
    shared = ctx.knowledge.shared_values()
    request = exchange.request
    if request.has_body:
        for _, value in iter_leaves(request.body):
            if (
                isinstance(value, str)
                and len(value.strip()) >= MIN_SENT_TEXT
                and canary not in value.lower()
                and value not in victim.known
                and value not in shared
            ):
                marks.append(Mark(value.lower(), f"a value {attacker.name} sent"))
    return marks


def appeared(old: Snapshot, new: Snapshot, marks: Sequence[Mark], victim: TenantKnowledge) -> list[str]:
    """Where the marks appeared in a read between two snapshots of it, each as ``<what> at <pointer> (<value>)``.

    Reads that failed either time, and reads that showed a mark before anywhere, show nothing.
    """
    if not (200 <= old.status < 300 and 200 <= new.status < 300):
        return []
    old_body = without_shared(old.body, victim.shared)
    new_body = without_shared(new.body, victim.shared)
    old_text = json.dumps(old_body).lower()
    fresh = [mark for mark in marks if mark.text not in old_text]
    seen = {(path, value) for path, value in iter_leaves(keyed(old_body))}
    out: list[str] = []
    for path, value in iter_leaves(keyed(new_body)):
        if not isinstance(value, str) or (path, value) in seen:
            continue
        lowered = value.lower()
        for mark in fresh:
            if mark.text in lowered:
                out.append(f"{mark.describe} at {format_pointer(path) or '/'} ({short_repr(value, 48)})")
                break
    return out
