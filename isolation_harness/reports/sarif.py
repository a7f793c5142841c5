"""SARIF 2.1.0: one rule per finding kind, one result per finding, located at the operation and in a file."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..events import CampaignFinished, CampaignResult, Event
from ..model import Finding, FindingKind, Verdict
from ..openapi.locations import DescriptionFile
from .base import FileReport, ReportMeta, coverage_line, gaps
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
    FindingKind.SHARED_CACHE: (
        "SharedCacheablePrivateData",
        "A tenant's data was marked cacheable by shared caches.",
        "The operation answered a tenant's own data with headers that let a shared cache (a CDN, a reverse "
        "proxy) store it and serve it to other callers of the same URL. Send `Cache-Control: private` or "
        "`no-store` on every response that holds a tenant's data, or `Vary` on the credential header.",
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


def artifact_uri(path: Path) -> str:
    """``path`` relative to the current directory, as a URI reference; outside it, an absolute ``file://``
    URI (code scanning cannot place a relative one that starts with ``../``)."""
    absolute = path.resolve()
    try:
        relative = absolute.relative_to(Path.cwd().resolve())
    except ValueError:
        return absolute.as_uri()
    return quote(relative.as_posix(), safe="/")


# The config's [api] table (in a pyproject.toml, [tool.isolation_harness.api]), else the whole table.
_API_TABLE = re.compile(r"^[ \t]*\[[ \t]*(?:tool\.isolation_harness\.)?api[ \t]*\]", re.MULTILINE)
_TOOL_TABLE = re.compile(r"^[ \t]*\[[ \t]*tool\.isolation_harness[ \t]*\]", re.MULTILINE)


def _config_line(path: Path) -> int:
    """The line of the isolation config's ``[api]`` table, or 1."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 1
    found = _API_TABLE.search(text) or _TOOL_TABLE.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


class Artifact:
    """The file each result points at, as code scanning needs one: the API description when it is a
    local file (at the operation's line, else line 1), else the isolation config (at its ``[api]``
    table, else line 1); ``find`` gives ``None`` when the run had neither."""

    def __init__(self, path: Path, role: str, line: Callable[[str], int]) -> None:
        self.uri = artifact_uri(path)
        self.role = role
        self.line = line

    @classmethod
    def find(cls, meta: ReportMeta) -> Artifact | None:
        description = DescriptionFile.find(meta.source)
        if description is not None:
            declared = description.line
            return cls(description.path, "analysisTarget", lambda operation: declared(operation) or 1)
        config = Path(meta.config_path) if meta.config_path else None
        if config is not None and config.is_file():
            line = _config_line(config)
            return cls(config, "userSpecifiedConfiguration", lambda _: line)
        return None


def _location(finding: Finding, artifact: Artifact | None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [
            {"name": finding.operation, "fullyQualifiedName": finding.operation, "kind": "function"}
        ]
    }
    if artifact is not None:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": artifact.uri},
            "region": {"startLine": artifact.line(finding.operation)},
        }
    return location


def _result(finding: Finding, index: dict[str, int], artifact: Artifact | None) -> dict[str, Any]:
    summary = format_finding(finding).splitlines()[0]
    item: dict[str, Any] = {
        "ruleId": finding.kind.value,
        "ruleIndex": index[finding.kind.value],
        "level": "error" if finding.verdict is Verdict.CONFIRMED else "warning",
        "message": {"text": f"{summary}\n{finding.evidence}"},
        "locations": [_location(finding, artifact)],
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
    artifact = Artifact.find(meta)
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
        "results": [_result(finding, index, artifact) for finding in result.findings],
        "properties": {
            "api": {"source": meta.source, "base_url": meta.base_url},
            "coverage": {label: c.to_dict() for label, c in result.coverage.items()},
        },
    }
    if artifact is not None:
        run["artifacts"] = [{"location": {"uri": artifact.uri}, "roles": [artifact.role]}]
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


class SarifReport(FileReport):
    """Writes the SARIF log when the campaign finishes (again, if the front end asks again)."""

    def on_event(self, event: Event, result: CampaignResult) -> None:
        if isinstance(event, CampaignFinished):
            self.write_text(json.dumps(sarif_dict(result, self.meta), indent=2) + "\n")
