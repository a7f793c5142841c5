"""The status-only oracle: a write with another tenant's identifier that was accepted, with no visible effect.

Suspected, not confirmed: reported, and failing only with ``fail_on = "suspected"``. A write
that acted on the caller's own data instead (``/me``, its lists changed; or the answer is the
caller's own object) is no suspicion at all.
"""

from __future__ import annotations

from typing import Any

from ..engine.context import EngineContext
from ..exchange import Evidence, Exchange, Probe
from ..model import FindingKind, Verdict


class StatusOnlyOracle:
    """An accepted write against the victim's identifier that changed nothing anyone could see."""

    name = "status-only"
    final = True

    def applies(self, probe: Probe) -> bool:
        return probe.victim is not None and not probe.operation.is_safe

    def prepare(self, probe: Probe, ctx: EngineContext) -> Any:
        assert probe.victim is not None
        checked = bool(ctx.witnesses.for_probe(probe))
        # Where acting on the caller shows (``/me``, its lists).
        own_views = ctx.witnesses.unslotted_reads(probe.attacker, probe.operation, fresh=False)
        return checked, own_views, ctx.witnesses.read_all(probe.attacker, own_views)

    def judge(self, probe: Probe, exchange: Exchange, ctx: EngineContext, prepared: Any) -> list[Evidence]:
        victim = probe.victim
        response = exchange.response
        changed = any(item.kind in (FindingKind.WRITE, FindingKind.DELETE) for item in exchange.evidence)
        if victim is None or changed or not response.ok:
            return []
        checked, own_views, own_before = prepared
        attacker = probe.attacker
        own_after = ctx.witnesses.read_all(attacker, own_views)
        if ctx.witnesses.changes(attacker, own_views, own_before, own_after):
            return []
        if attacker.tenant.canary.lower() in response.text.lower():
            return []
        text = (
            f"{probe.operation.method} with {victim.name}'s identifier was accepted (HTTP {response.status}) "
            f"but no change was visible to {victim.name}"
            + ("" if checked else " (it has no read operation to check)")
        )
        return [Evidence(self.name, FindingKind.WRITE_ACCEPTED, Verdict.SUSPECTED, victim.name, text)]
