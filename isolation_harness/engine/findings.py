"""Evidence becomes a finding here, in one place: deduplicated, redacted, with a reproduction, the
responses a person compares, and whether an allow rule or the baseline accepts it."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from ..allowing import AllowRule, allowed_by
from ..baseline import Baseline
from ..events import CampaignResult, EventBus, FindingMade
from ..exchange import Evidence, Exchange, Probe
from ..knowledge import Instance, Knowledge, View
from ..model import Finding, FindingKind, HttpRequest, Verdict, is_distinctive
from ..operations import looks_like_identifier
from ..redaction import REDACTED, Redactor, is_sensitive_name
from ..reproduction import curl_as

RESPONSE_LIMIT = 4000
"""How many characters of a response a finding keeps."""

_NO_BODY = object()


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
        allow: Sequence[AllowRule] = (),
        baseline: Baseline | None = None,
    ) -> None:
        self.result = result
        self.bus = bus
        self.redactor = redactor
        self.knowledge = knowledge
        self.base_url = base_url
        self.allow = tuple(allow)
        self.baseline = baseline
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
        about_target = probe.victim is not None and evidence.victim == probe.victim.name
        setup = probe.setup if about_target else []
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
            reproduction=self.reproduction(
                probe.attacker.name,
                evidence.victim,
                exchange.request,
                setup,
                first=[(state.name, request) for state, request in probe.warm],
            ),
            pointers=evidence.pointers,
            response=readable(exchange.response.text, status=status, redactor=self.redactor),
            owner_response=self.owner_response(probe, evidence),
        )
        finding = dataclasses.replace(
            finding,
            allowed=allowed_by(self.allow, finding),
            baselined=self.baseline is not None and self.baseline.accepts(finding),
        )
        self.result.findings.append(finding)
        self.bus.emit(FindingMade(finding))
        return finding

    def leaking(self, operation: str, *, attacker: str | None = None, victim: str | None = None) -> bool:
        """Whether a confirmed cross-tenant read at ``operation`` was found already (by ``attacker``, of
        ``victim``, when given)."""
        return any(
            finding.operation == operation
            and finding.kind is FindingKind.READ
            and finding.verdict is Verdict.CONFIRMED
            and attacker in (None, finding.attacker)
            and victim in (None, finding.victim)
            for finding in self.result.findings
        )

    def owner_response(self, probe: Probe, evidence: Evidence) -> str:
        """The victim's own view of the data the attacker received: for a probe aimed at the victim's
        objects, its own read of them (else the objects as their create answered); for a probe aimed at
        nobody's (a list), its own read of the same collection; ``""`` for public exposure, searches,
        and when nothing is known."""
        if evidence.kind is FindingKind.PUBLIC or probe.search_term is not None:
            return ""
        try:
            victim = self.knowledge.of(evidence.victim)
        except KeyError:
            return ""
        view = victim.views.get(probe.operation.label)
        if not probe.targets:
            if probe.victim is None and view is not None and _reads(view, ()):
                return readable(json.dumps(view.body), status=view.status, redactor=self.redactor)
            return ""
        if probe.victim is not victim:
            return ""
        if view is not None and _reads(view, probe.targets):
            return readable(json.dumps(view.body), status=view.status, redactor=self.redactor)
        created: Any = (
            probe.targets[0].values
            if len(probe.targets) == 1
            else {target.resource: target.values for target in probe.targets}
        )
        return readable(json.dumps(created, default=str), status=None, redactor=self.redactor)

    def reproduction(
        self,
        attacker: str,
        victim: str,
        request: HttpRequest,
        setup: list[HttpRequest],
        *,
        first: Sequence[tuple[str, HttpRequest]] = (),
    ) -> str:
        """curl commands: the victim's setup, the requests other tenants send first (``first``: an owner's
        read that may leave its answer in a cache), then the attack."""
        lines = []
        if setup:
            lines.append(f"# as {victim}: create the data the attack targets")
            lines += [self._curl(victim, step) for step in setup]
        for tenant, step in first:
            lines.append(f"# as {tenant}: the same request first (its answer may stay in a cache)")
            lines.append(self._curl(tenant, step))
        lines.append(f"# as {attacker}: the attack")
        lines.append(self._curl(attacker, request))
        return self.redactor("\n".join(lines))

    def _curl(self, tenant: str, request: HttpRequest) -> str:
        return curl_as(self.knowledge.of(tenant).tenant, request, base_url=self.base_url)


def readable(text: str, *, status: int | None, redactor: Redactor) -> str:
    """A response as a person reads it: ``HTTP <status>`` (when known), then the body, indented when it
    is JSON; secrets redacted; cut to :data:`RESPONSE_LIMIT` characters."""
    body: Any = _NO_BODY
    if text:
        try:
            body = json.loads(text)
        except ValueError:
            body = _NO_BODY
    shown = text if body is _NO_BODY else json.dumps(_masked(body), indent=2, ensure_ascii=False)
    lines = ([f"HTTP {status}"] if status is not None else []) + ([shown] if shown else [])
    out = redactor("\n".join(lines))
    if len(out) > RESPONSE_LIMIT:
        out = f"{out[:RESPONSE_LIMIT]}\n… ({len(out) - RESPONSE_LIMIT} more characters)"
    return out


def _masked(value: Any) -> Any:
    """A JSON value with the values of fields named as secrets (``password``, ``api_token``) redacted."""
    if isinstance(value, dict):
        return {
            key: REDACTED
            if is_sensitive_name(str(key)) and item is not None and not isinstance(item, (dict, list))
            else _masked(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def _reads(view: View, targets: Sequence[Instance]) -> bool:
    """Whether the tenant's own read shows the data the probe aimed at: a read of a collection (no
    path parameter: the tenant's own list), or one whose request carries an identifier of each target."""
    if not 200 <= view.status < 300 or view.body is None:
        return False
    request = view.request
    if not request.path_params:
        return True
    sent = {str(value) for value in [*request.path_params.values(), *request.query.values()]}
    return bool(targets) and all(
        any(
            str(value) in sent
            for key, value in target.values.items()
            if value is not None and (looks_like_identifier(key) or is_distinctive(value))
        )
        for target in targets
    )
