"""The status-only oracle: a write with another tenant's identifier that was accepted, with no visible effect.

Suspected, not confirmed: reported, and failing only with ``fail_on = "suspected"``; its evidence
says which two things it could not tell apart. Nothing is suspected where another oracle confirmed a
finding about the same victim on the same answer. A write that acted on the caller's own data instead
is no suspicion at all: its own object of the same kind, its lists or ``/me`` changed, or the answer
is its own object. A create always adds to the caller's own data; it acted on the caller when the new
object it answers with holds none of the victim's identifiers.
"""

from __future__ import annotations

import json
from typing import Any

from ..engine.context import EngineContext
from ..exchange import Evidence, Exchange, Probe
from ..model import FindingKind, Verdict, iter_leaves


class StatusOnlyOracle:
    """An accepted write against the victim's identifier that changed nothing anyone could see."""

    name = "status-only"
    final = True

    def applies(self, probe: Probe) -> bool:
        return probe.victim is not None and not probe.operation.is_safe

    def prepare(self, probe: Probe, ctx: EngineContext) -> Any:
        assert probe.victim is not None
        checked = bool(ctx.witnesses.for_probe(probe))
        if probe.operation.created_resource is not None:
            return checked, [], []
        own_views = ctx.witnesses.for_caller(probe)
        return checked, own_views, ctx.witnesses.read_all(probe.attacker, own_views)

    def judge(self, probe: Probe, exchange: Exchange, ctx: EngineContext, prepared: Any) -> list[Evidence]:
        victim = probe.victim
        response = exchange.response
        if victim is None or not response.ok:
            return []
        # A confirmed finding about the same victim (its data changed, or came back) says more.
        if any(
            item.verdict is Verdict.CONFIRMED and item.victim == victim.name for item in exchange.evidence
        ):
            return []
        checked, own_views, own_before = prepared
        attacker = probe.attacker
        accepted = (
            f"{probe.operation.method} with {victim.name}'s identifier was accepted (HTTP {response.status})"
        )
        unchecked = "" if checked else " (it has no read operation to check)"
        created = probe.operation.created_resource
        if created is not None:
            doubt = _doubt_about_create(probe, exchange)
            if doubt is None:
                return []
            text = (
                f"{accepted} but nothing new showed in {victim.name}'s reads{unchecked}; {doubt}: "
                f"could not tell a {created} attached to {victim.name}'s {_targets(probe)} that its reads "
                f"do not show from a {created} made without it"
            )
        else:
            own_after = ctx.witnesses.read_all(attacker, own_views)
            if ctx.witnesses.changes(attacker, own_views, own_before, own_after):
                return []
            if attacker.tenant.canary.lower() in response.text.lower():
                return []
            text = (
                f"{accepted} but no change was visible to {victim.name}{unchecked}, nor in "
                f"{attacker.name}'s own data: could not tell a change to {victim.name}'s "
                f"{_targets(probe)} that its reads do not show from a request that changed nothing"
            )
        return [Evidence(self.name, FindingKind.WRITE_ACCEPTED, Verdict.SUSPECTED, victim.name, text)]


def _targets(probe: Probe) -> str:
    return ", ".join(dict.fromkeys(target.resource for target in probe.targets)) or "data"


def _doubt_about_create(probe: Probe, exchange: Exchange) -> str | None:
    """Why an accepted create may have used the victim's reference; ``None`` when its answer shows it did not.

    The answer is the new object when it carries the caller's canary: holding none of the victim's
    identifiers in a reference field, it was made without them (dropped, or replaced by the caller's own).
    """
    assert probe.victim is not None
    body = exchange.response.json()
    text = json.dumps(body).lower() if body is not None else exchange.response.text.lower()
    # The victim's key in the field the request put it in (or one named after its resource): another
    # field that happens to hold an equal number (a shared catalogue id) says nothing.
    targets = {target.resource: target for target in probe.targets}
    expected: dict[str, str] = {}
    for slot in probe.operation.slots:
        target = targets.get(slot.resource)
        value = target.value(slot.field) if target is not None else None
        if value is not None:
            for name in (slot.name, f"{slot.resource}_id", f"{slot.resource}Id", slot.resource):
                expected[name.lower()] = str(value)
    for path, value in iter_leaves(body):
        key = next((part for part in reversed(path) if isinstance(part, str)), "")
        if value is not None and expected.get(key.lower()) == str(value):
            return f"the new object holds {probe.victim.name}'s identifier in {key}"
    if probe.attacker.tenant.canary.lower() in text:
        return None
    return "the answer is not the new object"
