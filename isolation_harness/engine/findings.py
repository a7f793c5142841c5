"""Evidence becomes a finding here, in one place: deduplicated, redacted, with a reproduction."""

from __future__ import annotations

from ..events import CampaignResult, EventBus, FindingMade
from ..exchange import Evidence, Exchange, Probe
from ..knowledge import Knowledge
from ..model import Finding, HttpRequest
from ..redaction import Redactor
from ..reproduction import curl_as


class Findings:
    """Turns each oracle's evidence into at most one finding per operation, kind, oracle, tenants and slot."""

    def __init__(
        self,
        *,
        result: CampaignResult,
        bus: EventBus,
        redactor: Redactor,
        knowledge: Knowledge,
        base_url: str,
    ) -> None:
        self.result = result
        self.bus = bus
        self.redactor = redactor
        self.knowledge = knowledge
        self.base_url = base_url
        self._seen: set[tuple[str, ...]] = set()

    def report(self, probe: Probe, exchange: Exchange, evidence: Evidence) -> Finding | None:
        """The new finding, or ``None`` when it was made before or the answer was a 5xx (never a leak)."""
        status = exchange.response.status
        if status >= 500:
            return None
        key = (
            probe.operation.label,
            evidence.kind.value,
            evidence.oracle,
            probe.attacker.name,
            evidence.victim,
            probe.slot,
        )
        if key in self._seen:
            return None
        self._seen.add(key)
        # The victim's steps that made the targeted data belong to findings about that victim only.
        setup = probe.setup if probe.victim is not None and evidence.victim == probe.victim.name else []
        finding = Finding(
            operation=probe.operation.label,
            kind=evidence.kind,
            verdict=evidence.verdict,
            oracle=evidence.oracle,
            attacker=probe.attacker.name,
            victim=evidence.victim,
            slot=probe.slot,
            status=status,
            evidence=self.redactor(evidence.text),
            reproduction=self.reproduction(probe.attacker.name, evidence.victim, exchange.request, setup),
        )
        self.result.findings.append(finding)
        self.bus.emit(FindingMade(finding))
        return finding

    def reproduction(self, attacker: str, victim: str, request: HttpRequest, setup: list[HttpRequest]) -> str:
        lines = []
        if setup:
            lines.append(f"# as {victim}: create the data the attack targets")
            lines += [self._curl(victim, step) for step in setup]
        lines.append(f"# as {attacker}: the attack")
        lines.append(self._curl(attacker, request))
        return self.redactor("\n".join(lines))

    def _curl(self, tenant: str, request: HttpRequest) -> str:
        return curl_as(self.knowledge.of(tenant).tenant, request, base_url=self.base_url)
