"""The public-exposure oracle: a tenant's data in an answer to a caller without credentials.

Judged as the canary and owner-view oracles judge a tenant's read (a tenant's canary or identity
anywhere in the answer; one of its own objects in a 2xx on two or more distinctive fields), with
public data discounted; the finding is public exposure, with the anonymous caller as attacker.
What the anonymous caller received of tenants' data is recorded, so that no tenant's read of the
same data is reported again as a cross-tenant read.
"""

from __future__ import annotations

from typing import Any

from ..engine.context import EngineContext
from ..exchange import Evidence, Exchange, Probe
from ..model import FindingKind, Verdict
from .base import ResponseOracle
from .canary import CanaryOracle, find_canaries, pointers_of
from .owner_view import OwnerViewOracle, match_owner_views


class PublicExposureOracle(ResponseOracle):
    """Tenants' data sent to the anonymous caller; judges only the probes that ask for it."""

    name = "public-exposure"

    def applies(self, probe: Probe) -> bool:
        return probe.oracles is not None and self.name in probe.oracles

    def judge(self, probe: Probe, exchange: Exchange, ctx: EngineContext, prepared: Any) -> list[Evidence]:
        knowledge = ctx.knowledge
        response = exchange.response
        public = knowledge.public(anonymous=True)
        sent = exchange.request.sent_values()
        markers = {state.name: state.tenant.markers() for state in knowledge.tenants}
        evidence: list[Evidence] = []
        sightings = find_canaries(response, markers, ignore=sent, public=public)
        for sighting in sightings:
            if any(item.victim == sighting.owner for item in evidence):
                continue
            count = sum(1 for s in sightings if s.owner == sighting.owner)
            more = f" (and {count - 1} more places)" if count > 1 else ""
            text = (
                f"HTTP {response.status} without credentials: {sighting.owner}'s canary {sighting.marker} "
                f"in {sighting.describe()}{more}"
            )
            pointers = pointers_of(sightings, sighting.owner)
            evidence.append(
                Evidence(
                    CanaryOracle.name, FindingKind.PUBLIC, Verdict.CONFIRMED, sighting.owner, text, pointers
                )
            )
        body = response.json() if response.ok else None
        if body is None:
            return evidence
        victims = [
            state for state in knowledge.tenants if all(item.victim != state.name for item in evidence)
        ]
        matches = match_owner_views(
            body,
            {state.name: state.objects for state in victims},
            known_to_caller=set(sent) | public,
            volatile_keys=knowledge.volatile_keys,
            index={state.name: state.object_pairs for state in victims},
        )
        evidence += [
            Evidence(
                OwnerViewOracle.name,
                FindingKind.PUBLIC,
                Verdict.CONFIRMED,
                match.owner,
                f"HTTP {response.status} without credentials: {match.describe()}",
                match.pointers,
            )
            for match in matches
        ]
        # What the observe phase saw is discounted elsewhere; probes add nothing to it, so that a
        # finding never depends on the order operations are probed in.
        return evidence
