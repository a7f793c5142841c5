"""SARIF 2.1.0: one rule per finding kind, one result per finding, located at the operation."""

from __future__ import annotations

import json
from typing import Any

from ..events import CampaignFinished, CampaignResult, Event
from ..model import Finding, FindingKind, Verdict
from .base import FileReport, ReportMeta, coverage_line, gaps
from .locations import DescriptionFile
from .text import format_finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/isolation-harness/"
FINGERPRINT = "isolationHarness/v1"

# Per kind: a rule name, what it means, how to fix it, and a severity code-scanning pages sort by.
RULES: dict[FindingKind, tuple[str, str, str, str]] = {
    FindingKind.READ: (
        "CrossTenantRead",
        "One tenant received another tenant's data.",
        "The operation returned data owned by another tenant to the caller. Scope every lookup by the "
        "caller's tenant (filter by owner in the query, not after it), and answer 404 for objects of "
        "another tenant.",
        "8.1",
    ),
    FindingKind.WRITE: (
        "CrossTenantWrite",
        "One tenant changed another tenant's data.",
        "The operation changed an object owned by another tenant. Check that the object belongs to the "
        "caller's tenant before every update, in the same query that changes it.",
        "8.8",
    ),
    FindingKind.DELETE: (
        "CrossTenantDelete",
        "One tenant deleted another tenant's data.",
        "The operation deleted an object owned by another tenant. Check that the object belongs to the "
        "caller's tenant before deleting it, in the same query that deletes it.",
        "8.8",
    ),
    FindingKind.WRITE_ACCEPTED: (
        "CrossTenantWriteAccepted",
        "A write against another tenant's object was accepted.",
        "The operation answered a success to a write against an object of another tenant, with no effect "
        "the victim could see. Refuse it (404 or 403) so that no later change can make it take effect.",
        "5.4",
    ),
    FindingKind.PUBLIC: (
        "PublicExposure",
        "A tenant's data was sent to a caller without credentials.",
        "The operation answered a caller without credentials with data that belongs to a tenant. Require "
        "authentication, or return only data every caller may see.",
        "7.5",
    ),
}


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": kind.value,
            "name": name,
            "shortDescription": {"text": short},
            "fullDescription": {"text": full},
            "help": {"text": full, "markdown": f"**{short}** {full}"},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["security", "multi-tenancy"], "security-severity": severity},
        }
        for kind, (name, short, full, severity) in RULES.items()
    ]


def _location(finding: Finding, description: DescriptionFile | None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [
            {"name": finding.operation, "fullyQualifiedName": finding.operation, "kind": "function"}
        ]
    }
    line = description.line(finding.operation) if description else None
    if description is not None and line is not None:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": description.uri},
            "region": {"startLine": line},
        }
    return location


def _result(finding: Finding, index: dict[str, int], description: DescriptionFile | None) -> dict[str, Any]:
    summary = format_finding(finding).splitlines()[0]
    item: dict[str, Any] = {
        "ruleId": finding.kind.value,
        "ruleIndex": index[finding.kind.value],
        "level": "error" if finding.verdict is Verdict.CONFIRMED else "warning",
        "message": {"text": f"{summary}\n{finding.evidence}"},
        "locations": [_location(finding, description)],
        "partialFingerprints": {FINGERPRINT: finding.fingerprint},
        "properties": {
            "verdict": finding.verdict.value,
            "oracle": finding.oracle,
            "attacker": finding.attacker,
            "victim": finding.victim,
            "slot": finding.slot,
            "status": finding.status,
            "pointers": list(finding.pointers),
            "evidence": finding.evidence,
            "reproduction": finding.reproduction,
        },
    }
    suppressions = []
    if finding.allowed:
        suppressions.append({"kind": "external", "status": "accepted", "justification": finding.allowed})
    if finding.baselined:
        suppressions.append(
            {"kind": "external", "status": "accepted", "justification": "accepted in the baseline"}
        )
    if suppressions:
        item["suppressions"] = suppressions
    return item


def _notifications(result: CampaignResult) -> list[dict[str, Any]]:
    notes: list[tuple[str, str]] = [("error", f"gate: {reason}") for reason in result.gate]
    if result.interrupted:
        notes.append(("error", "the campaign was interrupted: this report is incomplete"))
    elif result.fatal:
        notes.append(("error", f"the campaign stopped: {result.fatal}"))
    if result.stopped:
        notes.append(("warning", f"probing stopped early: {result.stopped}"))
    notes += [("warning", f"not probed: {label}: {why}") for label, why in gaps(result).items()]
    if result.coverage:
        notes.append(("note", coverage_line(result)))
    if result.errors:
        notes.append(("warning", f"{len(result.errors)} probe errors: requests that could not be judged"))
    return [{"level": level, "message": {"text": text}} for level, text in notes]


def sarif_dict(result: CampaignResult, meta: ReportMeta) -> dict[str, Any]:
    """The SARIF log of one campaign."""
    description = DescriptionFile.find(meta.source)
    index = {kind.value: position for position, kind in enumerate(RULES)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "isolation-harness",
                "version": meta.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": _rules(),
            }
        },
        "invocations": [
            {
                "executionSuccessful": result.complete and not result.interrupted,
                "toolExecutionNotifications": _notifications(result),
            }
        ],
        "results": [_result(finding, index, description) for finding in result.findings],
        "properties": {
            "api": {"source": meta.source, "base_url": meta.base_url},
            "coverage": {label: c.to_dict() for label, c in result.coverage.items()},
        },
    }
    if description is not None:
        run["artifacts"] = [{"location": {"uri": description.uri}, "roles": ["analysisTarget"]}]
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


class SarifReport(FileReport):
    """Writes the SARIF log when the campaign finishes (again, if the front end asks again)."""

    def on_event(self, event: Event, result: CampaignResult) -> None:
        if isinstance(event, CampaignFinished):
            self.write_text(json.dumps(sarif_dict(result, self.meta), indent=2) + "\n")
