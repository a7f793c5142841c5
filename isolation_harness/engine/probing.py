"""One probe, start to end: prepare the oracles, send, judge every response, then settle what changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..events import ProbeSent
from ..exchange import Burst, Exchange, Probe
from ..model import FindingKind, HttpResponse
from ..oracles.base import Oracle
from .bursts import send_together
from .context import EngineContext

# Answers that say the request was invalid: a body probe is then sent again with less in it.
_REFUSED_AS_INVALID = (400, 422)


def run_probe(probe: Probe, ctx: EngineContext, oracles: Sequence[Oracle]) -> None:
    """Send ``probe`` and judge it with every oracle that applies; findings reach the result as made."""
    chosen, prepared = _prepare(probe, ctx, oracles)
    if not _warm(probe, ctx):
        return
    slot = probe.error_slot or probe.slot
    response = ctx.sender.send(probe.attacker, probe.request, probe.operation, probe=True, slot=slot)
    _sent(probe, response, ctx)
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


def run_burst(burst: Burst, ctx: EngineContext, oracles: Sequence[Oracle]) -> None:
    """Send a burst's probes at the same moment, then judge each answer on its own (reads only: nothing
    to settle)."""
    if not burst.probes:
        return
    first = burst.probes[0]
    judges = [_prepare(probe, ctx, oracles) for probe in burst.probes]
    answers = send_together(
        ctx.sender,
        [(probe.attacker, probe.request) for probe in burst.probes],
        first.operation,
        slot=first.error_slot or first.slot,
        abandoned=burst.abandoned,
        abandon_after=burst.abandon_after,
        last_after=burst.last_after,
    )
    for probe, (chosen, prepared), response in zip(burst.probes, judges, answers, strict=True):
        _sent(probe, response, ctx)
        if response is not None:
            exchange = Exchange(probe.request, response)
            _judge(probe, exchange, ctx, chosen, prepared, final_stage=False)
            _judge(probe, exchange, ctx, chosen, prepared, final_stage=True)


def _prepare(probe: Probe, ctx: EngineContext, oracles: Sequence[Oracle]) -> tuple[list[Oracle], list[Any]]:
    chosen = [oracle for oracle in oracles if probe.judged_by(oracle.name) and oracle.applies(probe)]
    return chosen, [oracle.prepare(probe, ctx) for oracle in chosen]


def _warm(probe: Probe, ctx: EngineContext) -> bool:
    """Send the requests meant to come just before the probe; whether each was answered with a success
    (a refused one warmed nothing, and the probe would prove nothing)."""
    for state, request in probe.warm:
        response = ctx.sender.trial(state, request, probe.operation)
        if response is not None and response.status in _REFUSED_AS_INVALID and probe.fallback is not None:
            # Refused as invalid: the probe's request with less in it, whose query the one sent first takes.
            plain = probe.fallback()
            probe.fallback = None
            if plain is not None:
                probe.request, request = plain, request.copy()
                request.query = dict(plain.query)
                response = ctx.sender.trial(state, request, probe.operation)
        if not _judgeable(response):
            # No answer, a 5xx or a 429 to the request sent first: the probe is as good as unanswered.
            ctx.coverage(probe.operation).unanswered(kind=probe.kind)
            return False
        assert response is not None
        if not response.ok:
            ctx.coverage(probe.operation).skip(
                f"{state.name}'s own request, sent first, was refused (HTTP {response.status})",
                kind=probe.kind,
            )
            return False
        probe.warmed.append(response)
    return True


def _sent(probe: Probe, response: HttpResponse | None, ctx: EngineContext) -> None:
    """Count a probe that was sent, in the coverage and on the event stream."""
    ctx.result.probe_requests += 1
    coverage = ctx.coverage(probe.operation)
    if _judgeable(response):
        coverage.probed(probe.slot, kind=probe.kind)
    else:
        # A probe the API did not answer (or answered 5xx, 429) covers nothing: the error says why.
        coverage.unanswered(kind=probe.kind)
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
    pinned = {instance.resource for instance in probe.targets}
    for resource, instance in probe.own.items():
        if (resource not in pinned or resource in probe.mixed) and ctx.index.recreatable(resource):
            ctx.knowledge.retire(attacker, instance)
    ctx.seeder.reseed(victim, attacker, workers=ctx.settings.workers)
