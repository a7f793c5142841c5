"""The text a person reads on a terminal: one finding, the one-line summary, the closing summary."""

from __future__ import annotations

from ..events import CampaignResult
from ..model import Finding, FindingKind, Verdict
from .base import accepted, coverage_line, gaps

# Operations listed by name under "not probed" before the rest are only counted.
_MAX_GAPS = 20
_MAX_ERRORS = 10


def format_finding(finding: Finding) -> str:
    """A finding as a person reads it: who did what to whom, where, the evidence, how to reproduce."""
    verb = {
        "cross-tenant-read": "read data of",
        "cross-tenant-write": "changed data of",
        "cross-tenant-delete": "deleted data of",
        "cross-tenant-write-accepted": "had a write accepted against",
        "public-exposure": "(no credentials) received data of",
        "shared-cache": "could be served, by a shared cache, data of",
    }[finding.kind.value]
    # Public exposure is no tenant's read of another's: the kind says so first.
    kind = f"[{finding.kind.value}] " if finding.kind is FindingKind.PUBLIC else ""
    lines = [
        f"[{finding.verdict.value}] {kind}{finding.operation}: {finding.attacker} {verb} {finding.victim} "
        f"via {finding.slot} (oracle: {finding.oracle})",
        f"  evidence: {finding.evidence}",
    ]
    if finding.allowed:
        lines.append(f"  allowed: {finding.allowed}")
    if finding.baselined:
        lines.append(f"  in the baseline (fingerprint {finding.fingerprint}): not failing")
    lines += ["  reproduce:", *("    " + line for line in finding.reproduction.splitlines())]
    return "\n".join(lines)


def summarize(result: CampaignResult) -> str:
    """One line: what the campaign did and found (allowed and baselined findings counted apart)."""
    live = [f for f in result.findings if not accepted(f)]
    confirmed = sum(1 for f in live if f.verdict is Verdict.CONFIRMED)
    suspected = len(live) - confirmed
    leaking = sorted({f.operation for f in live if f.verdict is Verdict.CONFIRMED})
    probes = sum(c.probes for c in result.coverage.values())
    public = sum(1 for f in live if f.kind is FindingKind.PUBLIC)
    allowed = sum(1 for f in result.findings if f.allowed)
    baselined = sum(1 for f in result.findings if f.baselined and not f.allowed)
    return (
        f"{len(result.operations)} operations, {len(result.tenants)} tenants, {probes} probes, "
        f"{result.requests} requests in {result.duration:.1f}s: {confirmed} confirmed and {suspected} suspected "
        f"findings in {len(leaking)} operations"
        + (f" ({public} {FindingKind.PUBLIC.value}: tenant data sent without credentials)" if public else "")
        + (f", {allowed} allowed (shared on purpose)" if allowed else "")
        + (f", {baselined} in the baseline" if baselined else "")
        + f", {len(result.errors)} probe errors"
    )


def terminal_summary(result: CampaignResult) -> list[str]:
    """The lines a terminal shows after a campaign: the verdict, coverage, suspected findings, errors, notes."""
    lines = []
    if result.fatal and not result.interrupted:
        lines.append(f"the campaign stopped: {result.fatal}")
        lines.append(f"findings made before it stopped: {len(result.findings)}")
    else:
        lines.append(summarize(result))
        if result.interrupted:
            lines.append("the campaign was interrupted: the reports hold what it did until then")
        elif not result.reliable:
            kinds = ", ".join(f"{count} {kind}" for kind, count in result.errors_by_kind().items())
            lines.append(
                f"the verdict is unreliable: {len(result.errors)} requests could not be judged ({kinds}); "
                "a pass here does not mean the API is isolated"
            )
    if result.stopped:
        lines.append(f"probing stopped early: {result.stopped}")
    missing = gaps(result)
    for label, why in list(missing.items())[:_MAX_GAPS]:
        lines.append(f"not probed: {label}: {why}")
    if len(missing) > _MAX_GAPS:
        lines.append(f"... and {len(missing) - _MAX_GAPS} more operations not probed (see the JSON report)")
    if result.coverage:
        lines.append(coverage_line(result))
    lines += [f"gate: {reason}" for reason in result.gate]
    suspected = [f for f in result.findings if f.verdict is Verdict.SUSPECTED and not accepted(f)]
    if suspected and not result.fail_on_suspected:
        lines.append(f'{len(suspected)} suspected findings (not failing; set fail_on = "suspected"):')
        lines += [format_finding(finding) for finding in suspected]
    for error in result.errors[:_MAX_ERRORS]:
        lines.append(f"probe error: {error.operation} ({error.attacker}, {error.slot}): {error.message}")
    if len(result.errors) > _MAX_ERRORS:
        lines.append(f"... and {len(result.errors) - _MAX_ERRORS} more probe errors (see the JSON report)")
    lines += [f"seeding: {note}" for note in result.seeding[:10]]
    return lines
