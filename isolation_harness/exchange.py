"""The values passed between a campaign's parts: a probe, the exchanges it made, the evidence judged on them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field

from .knowledge import Instance, TenantKnowledge
from .model import FindingKind, HttpRequest, HttpResponse, Verdict
from .operations import Operation


@dataclass
class Probe:
    """One request an attacker sends to learn whether another tenant's data is within its reach.

    ``slot`` says where the foreign value went (it names the finding and the coverage entry);
    ``targets`` are the victim's objects the request aims at and ``setup`` the victim's steps that
    made them (for reproductions). ``fallback`` builds a second attempt when the first is refused
    as invalid (400, 422). ``oracles`` limits which oracles judge the probe (``None``: all that apply).
    """

    kind: str
    operation: Operation
    attacker: TenantKnowledge
    request: HttpRequest
    slot: str
    victim: TenantKnowledge | None = None
    targets: list[Instance] = field(default_factory=list)
    setup: list[HttpRequest] = field(default_factory=list)
    # The attacker's own instances the request also uses, and which of them went into a list
    # beside the victim's (they may have changed with the victim's).
    own: dict[str, Instance] = field(default_factory=dict)
    mixed: set[str] = field(default_factory=set)
    fallback: Callable[[], HttpRequest | None] | None = None
    search_term: str | None = None
    oracles: frozenset[str] | None = None
    # How a probe error names the slot; ``slot`` when not set.
    error_slot: str | None = None
    # Requests other tenants send just before the probe (an owner's read that may warm a cache), and
    # the answers they got (filled when sent).
    warm: list[tuple[TenantKnowledge, HttpRequest]] = field(default_factory=list)
    warmed: list[HttpResponse] = field(default_factory=list)

    def judged_by(self, oracle: str) -> bool:
        return self.oracles is None or oracle in self.oracles


@dataclass
class Burst:
    """Probes sent at the same moment (one thread each, released together), each judged on its own.

    ``abandoned`` requests are sent with them and given up in flight after ``abandon_after`` seconds
    (a client that timed out or went away); their answers are never read. The last probe goes
    ``last_after`` seconds after the others: where the last request to arrive wins a race (state
    shared between requests), which tenant that is does not depend on chance.
    """

    probes: list[Probe]
    _: KW_ONLY
    abandoned: list[tuple[TenantKnowledge, HttpRequest]] = field(default_factory=list)
    abandon_after: float = 0.005
    last_after: float = 0.0


@dataclass(frozen=True)
class Evidence:
    """What an oracle saw: which tenant's data crossed, how sure it is, the text a person checks, and where."""

    oracle: str
    kind: FindingKind
    verdict: Verdict
    victim: str
    text: str
    # Where in the attacker's response body the victim's data was (RFC 6901 pointers); empty when unknown.
    pointers: tuple[str, ...] = field(default=(), compare=False)


@dataclass
class Exchange:
    """One request of a probe and the response it got, with the evidence judged on it so far."""

    request: HttpRequest
    response: HttpResponse
    evidence: list[Evidence] = field(default_factory=list)
