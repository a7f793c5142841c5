"""One probe, start to end: prepare the oracles, send, judge every response, then settle what changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..events import ProbeSent
from ..exchange import Exchange, Probe
from ..model import FindingKind, HttpResponse
from ..oracles.base import Oracle
from .context import EngineContext

# Answers that say the request was invalid: a body probe is then sent again with less in it.
_REFUSED_AS_INVALID = (400, 422)


def run_probe(probe: Probe, ctx: EngineContext, oracles: Sequence[Oracle]) -> None:
    """Send ``probe`` and judge it with every oracle that applies; findings reach the result as made."""
    chosen = [oracle for oracle in oracles if probe.judged_by(oracle.name) and oracle.applies(probe)]
    prepared = [oracle.prepare(probe, ctx) for oracle in chosen]
    slot = probe.error_slot or probe.slot
    response = ctx.sender.send(probe.attacker, probe.request, probe.operation, probe=True, slot=slot)
    ctx.result.probe_requests += 1
    coverage = ctx.coverage(probe.operation)
    if _judgeable(response):
        coverage.probed(probe.slot, kind=probe.kind)
    else:
        # A probe the API did not answer (or answered 5xx, 429) covers nothing: the error says why.
        coverage.skip("no answer that could be judged (see the probe errors)", kind=probe.kind)
    ctx.bus.emit(
        ProbeSent(
            operation=probe.operation.label,
            kind=probe.kind,
            attacker=probe.attacker.name,
            victim=probe.victim.name if probe.victim else None,
            slot=probe.slot,
            status=response.status if response is not None else None,
        )
    )
    final: Exchange | None = None
    if response is not None:
        final = Exchange(probe.request, response)
        _judge(probe, final, ctx, chosen, prepared, final_stage=False)
        if response.status in _REFUSED_AS_INVALID and probe.fallback is not None:
            request = probe.fallback()
            if request is not None:
                retried = ctx.sender.send(probe.attacker, request, probe.operation, probe=True, slot=slot)
                ctx.result.probe_requests += 1
                final = Exchange(request, retried) if retried is not None else None
                if final is not None:
                    _judge(probe, final, ctx, chosen, prepared, final_stage=False)
        if final is not None:
            _judge(probe, final, ctx, chosen, prepared, final_stage=True)
    settle(probe, final, ctx)


def _judgeable(response: HttpResponse | None) -> bool:
    """An answer an oracle can judge: not none, not a 5xx, not a 429."""
    return response is not None and response.status < 500 and response.status != 429


def _judge(
    probe: Probe,
    exchange: Exchange,
    ctx: EngineContext,
    oracles: Sequence[Oracle],
    prepared: Sequence[Any],
    *,
    final_stage: bool,
) -> None:
    for oracle, before in zip(oracles, prepared, strict=True):
        if oracle.final != final_stage:
            continue
        for evidence in oracle.judge(probe, exchange, ctx, before):
            exchange.evidence.append(evidence)
            ctx.findings.report(probe, exchange, evidence)


def settle(probe: Probe, final: Exchange | None, ctx: EngineContext) -> None:
    """After a write, what it may have changed is not used again: fresh objects and views are made."""
    operation = probe.operation
    if operation.is_safe:
        return
    attacker, victim = probe.attacker, probe.victim
    if victim is None:
        # The attacker changed its own data: its views of what the write touched are stale.
        for label in ctx.index.related_reads(operation):
            attacker.views.pop(label, None)
        return
    if final is None:
        return
    changed = any(item.kind in (FindingKind.WRITE, FindingKind.DELETE) for item in final.evidence)
    if not (final.response.ok or changed):
        return
    # Objects that can be made again are retired (an account made at signup cannot be, so it stays
    # in use). The attacker's own objects in the request may have changed too (moved into the
    # victim's account, say).
    for instance in probe.targets:
        if ctx.index.recreatable(instance.resource):
            ctx.knowledge.retire(victim, instance)
    ctx.seeder.reseed(victim)
    pinned = {instance.resource for instance in probe.targets}
    for resource, instance in probe.own.items():
        if (resource not in pinned or resource in probe.mixed) and ctx.index.recreatable(resource):
            ctx.knowledge.retire(attacker, instance)
    ctx.seeder.reseed(attacker)
