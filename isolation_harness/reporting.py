"""Reports: the readable text of a finding, and the JSON report written as findings are made."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from ._version import __version__
from .events import (
    CampaignFinished,
    CampaignResult,
    Event,
    FindingMade,
    OperationFinished,
    PhaseFinished,
    PhaseStarted,
)
from .model import Finding, FindingKind, Verdict

REPORT_VERSION = 1


def format_finding(finding: Finding) -> str:
    """A finding as a person reads it: who did what to whom, where, the evidence, how to reproduce."""
    verb = {
        "cross-tenant-read": "read data of",
        "cross-tenant-write": "changed data of",
        "cross-tenant-delete": "deleted data of",
        "cross-tenant-write-accepted": "had a write accepted against",
        "public-exposure": "(no credentials) received data of",
    }[finding.kind.value]
    # Public exposure is no tenant's read of another's: the kind says so first.
    kind = f"[{finding.kind.value}] " if finding.kind is FindingKind.PUBLIC else ""
    lines = [
        f"[{finding.verdict.value}] {kind}{finding.operation}: {finding.attacker} {verb} {finding.victim} "
        f"via {finding.slot} (oracle: {finding.oracle})",
        f"  evidence: {finding.evidence}",
        "  reproduce:",
        *("    " + line for line in finding.reproduction.splitlines()),
    ]
    return "\n".join(lines)


def summarize(result: CampaignResult) -> str:
    confirmed = sum(1 for f in result.findings if f.verdict is Verdict.CONFIRMED)
    suspected = len(result.findings) - confirmed
    leaking = sorted({f.operation for f in result.findings if f.verdict is Verdict.CONFIRMED})
    probes = sum(c.probes for c in result.coverage.values())
    public = sum(1 for f in result.findings if f.kind is FindingKind.PUBLIC)
    return (
        f"{len(result.operations)} operations, {len(result.tenants)} tenants, {probes} probes, "
        f"{result.requests} requests in {result.duration:.1f}s: {confirmed} confirmed and {suspected} suspected "
        f"findings in {len(leaking)} operations"
        + (f" ({public} {FindingKind.PUBLIC.value}: tenant data sent without credentials)" if public else "")
        + f", {len(result.errors)} probe errors"
    )


def terminal_summary(result: CampaignResult, *, fail_on_suspected: bool) -> list[str]:
    """The lines a terminal shows after a campaign: the verdict, suspected findings, errors, notes."""
    lines = []
    if result.fatal:
        lines.append(f"the campaign stopped: {result.fatal}")
        lines.append(f"findings made before it stopped: {len(result.findings)}")
    else:
        lines.append(summarize(result))
        if not result.reliable:
            kinds = ", ".join(f"{count} {kind}" for kind, count in result.errors_by_kind().items())
            lines.append(
                f"the verdict is unreliable: {len(result.errors)} requests could not be judged ({kinds}); "
                "a pass here does not mean the API is isolated"
            )
    suspected = [f for f in result.findings if f.verdict is Verdict.SUSPECTED]
    if suspected and not fail_on_suspected:
        lines.append(f'{len(suspected)} suspected findings (not failing; set fail_on = "suspected"):')
        lines += [format_finding(finding) for finding in suspected]
    for error in result.errors[:10]:
        lines.append(f"probe error: {error.operation} ({error.attacker}, {error.slot}): {error.message}")
    if len(result.errors) > 10:
        lines.append(f"... and {len(result.errors) - 10} more probe errors (see the JSON report)")
    lines += [f"seeding: {note}" for note in result.seeding[:10]]
    return lines


def report_dict(
    result: CampaignResult, *, source: str = "", base_url: str = "", base_url_reason: str = ""
) -> dict[str, Any]:
    """The JSON report's content (see the README for each field)."""
    confirmed = sum(1 for f in result.findings if f.verdict is Verdict.CONFIRMED)
    return {
        "version": REPORT_VERSION,
        "tool": {"name": "isolation-harness", "version": __version__},
        "api": {"source": source, "base_url": base_url, "base_url_reason": base_url_reason},
        "complete": result.complete,
        "reliable": result.reliable,
        "fatal": result.fatal,
        "tenants": list(result.tenants),
        "findings": [finding.to_dict() for finding in result.findings],
        "coverage": {label: result.coverage[label].to_dict() for label in result.operations},
        "errors": [error.to_dict() for error in result.errors],
        "seeding": list(result.seeding),
        "stats": {
            "operations": len(result.operations),
            "probes": sum(c.probes for c in result.coverage.values()),
            "requests": result.requests,
            "duration": round(result.duration, 3),
            "confirmed": confirmed,
            "suspected": len(result.findings) - confirmed,
            "errors": len(result.errors),
            "errors_by_kind": result.errors_by_kind(),
            "retries": result.retries,
            "findings_by_kind": _by_kind(result),
        },
    }


def _by_kind(result: CampaignResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in result.findings:
        counts[finding.kind.value] = counts.get(finding.kind.value, 0) + 1
    return dict(sorted(counts.items()))


class JsonReport:
    """Writes the JSON report on every finding and at every step, atomically.

    A run that crashes or is interrupted leaves a report holding everything found until then
    (with ``"complete": false``).
    """

    def __init__(
        self, path: str | os.PathLike[str], *, source: str = "", base_url: str = "", base_url_reason: str = ""
    ) -> None:
        self.path = Path(path)
        self.source = source
        self.base_url = base_url
        self.base_url_reason = base_url_reason
        self._lock = threading.Lock()
        self._result: CampaignResult | None = None

    def bind(self, result: CampaignResult) -> None:
        """The result to write; the first write is when the campaign starts."""
        self._result = result

    def on_event(self, event: Event, result: CampaignResult) -> None:
        if isinstance(event, (PhaseStarted, FindingMade, OperationFinished, PhaseFinished, CampaignFinished)):
            self._result = result
            self.write()

    def write(self) -> None:
        if self._result is None:
            return
        data = report_dict(
            self._result, source=self.source, base_url=self.base_url, base_url_reason=self.base_url_reason
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".isolation-report-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2)
                handle.write("\n")
            # mkstemp makes the file private; a report is an ordinary file for CI to publish.
            os.chmod(temp, 0o644)
            os.replace(temp, self.path)
