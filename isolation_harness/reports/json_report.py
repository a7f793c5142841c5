"""The JSON report: everything the campaign found and did, rewritten as the run goes."""

from __future__ import annotations

import json
from typing import Any

from ..events import (
    CampaignFinished,
    CampaignResult,
    Event,
    FindingMade,
    OperationFinished,
    PhaseFinished,
    PhaseStarted,
)
from ..model import Verdict
from .base import FileReport, ReportMeta, accepted

REPORT_VERSION = 1


def report_dict(result: CampaignResult, meta: ReportMeta | None = None) -> dict[str, Any]:
    """The JSON report's content (see the README for each field)."""
    meta = meta or ReportMeta()
    # Findings allowed or in the baseline are counted apart, not as confirmed or suspected.
    live = [f for f in result.findings if not accepted(f)]
    confirmed = sum(1 for f in live if f.verdict is Verdict.CONFIRMED)
    eligible = [c for c in result.coverage.values() if not c.excluded]
    return {
        "version": REPORT_VERSION,
        "tool": {"name": "isolation-harness", "version": meta.tool_version},
        "api": {"source": meta.source, "base_url": meta.base_url, "base_url_reason": meta.base_url_reason},
        "complete": result.complete,
        "reliable": result.reliable,
        "interrupted": result.interrupted,
        "setup_failed": result.setup_failed,
        "misconfigured": result.misconfigured,
        "fail_on_suspected": result.fail_on_suspected,
        "stopped": result.stopped,
        "fatal": result.fatal,
        "gate": list(result.gate),
        "tenants": list(result.tenants),
        "findings": [finding.to_dict() for finding in result.findings],
        "coverage": {
            label: result.coverage[label].to_dict() for label in result.operations if label in result.coverage
        },
        "errors": [error.to_dict() for error in result.errors],
        "seeding": list(result.seeding),
        "stats": {
            "operations": len(result.operations),
            "probed": sum(1 for c in eligible if c.covered),
            "excluded": len(result.coverage) - len(eligible),
            "coverage": round(result.coverage_ratio(), 4),
            "probes": sum(c.probes for c in result.coverage.values()),
            "probes_by_kind": _probes_by_kind(result),
            "probe_requests": result.probe_requests,
            "requests": result.requests,
            "duration": round(result.duration, 3),
            "confirmed": confirmed,
            "suspected": len(live) - confirmed,
            "allowed": sum(1 for f in result.findings if f.allowed),
            "baselined": sum(1 for f in result.findings if f.baselined),
            "errors": len(result.errors),
            "error_rate": round(result.error_rate(), 4),
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


def _probes_by_kind(result: CampaignResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for coverage in result.coverage.values():
        for kind, count in coverage.kinds.items():
            counts[kind] = counts.get(kind, 0) + count
    return dict(sorted(counts.items()))


class JsonReport(FileReport):
    """Writes the JSON report on every finding and at every step, atomically.

    A run that crashes or is interrupted leaves a report holding everything found until then
    (with ``"complete": false``).
    """

    def on_event(self, event: Event, result: CampaignResult) -> None:
        if isinstance(event, (PhaseStarted, FindingMade, OperationFinished, PhaseFinished, CampaignFinished)):
            self.write(result)

    def write(self, result: CampaignResult) -> None:
        self.write_text(json.dumps(report_dict(result, self.meta), indent=2) + "\n")
