"""Render a campaign result as Markdown."""

from __future__ import annotations

from isolation_harness import CampaignResult, Finding, Verdict


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: CampaignResult) -> str:
    """The findings of one campaign as a Markdown document."""
    confirmed = [f for f in result.findings if f.verdict is Verdict.CONFIRMED]
    suspected = [f for f in result.findings if f.verdict is Verdict.SUSPECTED]
    leaking = sorted({f.operation for f in confirmed})
    if confirmed:
        verdict = f"**{len(leaking)} of {len(result.operations)} operations leak across tenants** ({len(confirmed)} confirmed findings)"
    else:
        verdict = f"**No confirmed cross-tenant leak** in {len(result.operations)} operations"
    if suspected:
        verdict += f", {len(suspected)} suspected"
    if not result.complete:
        verdict += " — the campaign did not complete" + (f": {result.fatal}" if result.fatal else "")
    lines = ["# Tenant isolation", "", verdict + ".", ""]
    findings: list[Finding] = [*confirmed, *suspected]
    if findings:
        lines += [
            "| operation | kind | verdict | attacker | victim | slot | oracle |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| `{_cell(f.operation)}` | {f.kind.value} | {f.verdict.value} | {_cell(f.attacker)} | {_cell(f.victim)} "
            f"| {_cell(f.slot)} | {f.oracle} |"
            for f in findings
        ]
        lines.append("")
        for index, finding in enumerate(findings, 1):
            lines += [
                f"## {index}. `{finding.operation}`: {finding.attacker} → {finding.victim}",
                "",
                f"{finding.evidence}",
                "",
                "```sh",
                finding.reproduction,
                "```",
                "",
            ]
    if result.errors:
        lines += [
            f"{len(result.errors)} probes could not be judged (5xx, timeouts); see the JSON report.",
            "",
        ]
    return "\n".join(lines)
