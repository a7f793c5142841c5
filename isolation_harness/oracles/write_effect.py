"""The write-effect oracle: after the attacker's write, the victim re-reads its data; a change is confirmed tampering.

Before the probe is sent, the victim reads what the write could touch (its witnesses); after it,
the victim reads again. Values that change with no write (clocks, request ids) are learned and
never count. A write the API refused is judged the same way: only a real change of the victim's
data counts, whatever the status said. Where the attacker-data oracle already showed the attacker's
own data in the victim's reads, that finding says it better, and this oracle adds none.
"""

from __future__ import annotations

from typing import Any

from ..engine.context import EngineContext
from ..engine.witnesses import failed
from ..exchange import Evidence, Exchange, Probe
from ..model import FindingKind, Verdict
from .attacker_data import NAME as ATTACKER_DATA


class WriteEffectOracle:
    """The victim's data changed or went after another tenant's write."""

    name = "write-effect"
    final = True

    def applies(self, probe: Probe) -> bool:
        return probe.victim is not None and not probe.operation.is_safe

    def prepare(self, probe: Probe, ctx: EngineContext) -> Any:
        return ctx.witnesses.before(probe)

    def judge(self, probe: Probe, exchange: Exchange, ctx: EngineContext, prepared: Any) -> list[Evidence]:
        victim = probe.victim
        assert victim is not None
        witnesses = ctx.witnesses.for_probe(probe)
        before = prepared
        after = ctx.witnesses.after(probe)
        unread = failed(before, after)
        if unread:
            message = f"{victim.name}'s re-read of {', '.join(unread)} failed: what the write did there is not judged"
            ctx.sender.error(
                probe.operation, probe.attacker, probe.slot, message, kind="unjudged", probe=True
            )
        if any(item.oracle == ATTACKER_DATA and item.victim == victim.name for item in exchange.evidence):
            return []
        changes = ctx.witnesses.changes(victim, witnesses, before, after)
        if not changes:
            return []
        kind = FindingKind.DELETE if any(change.gone for change in changes) else FindingKind.WRITE
        status = exchange.response.status
        text = (
            f"after {probe.attacker.name}'s request (HTTP {status}), {victim.name} re-read its data: "
            + "; ".join(change.description for change in changes[:3])
        )
        return [Evidence(self.name, kind, Verdict.CONFIRMED, victim.name, text)]
