"""The Markdown summary, for a CI job summary or a pull-request comment: appended to its file."""

from __future__ import annotations

import html
import re
import threading
from pathlib import Path

from ..coverage import Coverage
from ..events import CampaignFinished, CampaignResult, Event
from ..model import Finding, Verdict
from ..redaction import Redactor
from .base import ReportMeta, accepted, coverage_line, kind_gaps, operation_verdict


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """Inline code that holds any text: a fence longer than the longest run of backticks in it."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _block(text: str, language: str = "") -> list[str]:
    """A fenced code block that holds any text."""
    fence = "`" * max(3, max((len(run) for run in re.findall("`{3,}", text)), default=0) + 1)
    return [fence + language, text, fence]


def _verdict_line(result: CampaignResult) -> str:
    live = [f for f in result.findings if not accepted(f)]
    confirmed = [f for f in live if f.verdict is Verdict.CONFIRMED]
    suspected = [f for f in live if f.verdict is Verdict.SUSPECTED]
    if confirmed:
        leaking = len({f.operation for f in confirmed})
        verdict = (
            f"**{leaking} of {len(result.operations)} operations leak across tenants** "
            f"({len(confirmed)} confirmed findings)"
        )
    elif result.gate or not result.complete:
        # Nothing found, but the run is no verdict: say that first, not "no leak".
        verdict = (
            f"**No verdict**: nothing confirmed in {len(result.operations)} operations, but the run "
            + ("failed its gate" if result.gate else "did not complete")
        )
    else:
        verdict = f"**No confirmed cross-tenant leak** in {len(result.operations)} operations"
    if suspected:
        verdict += f", {len(suspected)} suspected"
    allowed = sum(1 for f in result.findings if f.allowed)
    baselined = sum(1 for f in result.findings if f.baselined and not f.allowed)
    if allowed:
        verdict += f", {allowed} allowed (shared on purpose)"
    if baselined:
        verdict += f", {baselined} in the baseline"
    if result.errors:
        verdict += f", {len(result.errors)} probe errors"
    if result.interrupted:
        verdict += " — the campaign was interrupted: this summary is incomplete"
    elif not result.complete:
        verdict += " — the campaign did not complete" + (f": {result.fatal}" if result.fatal else "")
    return verdict + "."


def _table(result: CampaignResult) -> list[str]:
    lines = ["| operation | verdict | probes | findings |", "|---|---|---|---|"]
    for label in result.operations:
        coverage = result.coverage.get(label) or Coverage(label)
        verdict = operation_verdict(result, label)
        shown = f"**{verdict}**" if verdict == "confirmed" else _cell(verdict)
        count = len(result.findings_for(label))
        lines.append(f"| {_code(label)} | {shown} | {coverage.probes} | {count} |")
    return lines


def _gaps(result: CampaignResult) -> list[str]:
    lines = []
    for label in result.operations:
        coverage = result.coverage.get(label)
        if coverage is None or coverage.excluded:
            continue
        if not coverage.covered:
            lines.append(f"- {_code(label)}: not probed: {result.why_not_probed(label)}")
        elif kind_gaps(coverage):
            lines.append(f"- {_code(label)}: " + "; ".join(kind_gaps(coverage)))
    return lines


def _finding(index: int, finding: Finding) -> list[str]:
    status = finding.verdict.value
    if finding.allowed:
        status += ", allowed"
    elif finding.baselined:
        status += ", in the baseline"
    lines = [
        f"### {index}. {_code(finding.operation)}: {finding.attacker} → {finding.victim} ({finding.kind.value}, {status})",
        "",
        f"Through {_code(finding.slot)}, judged by the {_code(finding.oracle)} oracle "
        f"(fingerprint {_code(finding.fingerprint)}).",
        "",
        f"Evidence: {finding.evidence}",
        "",
    ]
    if finding.pointers:
        lines += ["Seen at " + ", ".join(_code(pointer) for pointer in finding.pointers) + ".", ""]
    if finding.allowed:
        lines += [f"Allowed: {finding.allowed}", ""]
    lines += ["Reproduction:", "", *_block(finding.reproduction, "sh"), ""]
    if finding.response:
        lines += _details("The attacker's response", finding.response)
    if finding.owner_response:
        lines += _details(f"{finding.victim}'s own view of the same data", finding.owner_response)
    return lines


def _details(summary: str, text: str) -> list[str]:
    """A collapsed section: long responses stay out of the way of the next finding."""
    return [
        f"<details><summary>{html.escape(summary, quote=False)}</summary>",
        "",
        *_block(text),
        "",
        "</details>",
        "",
    ]


def render_markdown(result: CampaignResult, meta: ReportMeta | None = None) -> str:
    """The campaign as a Markdown document: the verdict, operations x verdicts, gate, gaps, findings."""
    meta = meta or ReportMeta()
    lines = ["# Tenant isolation", "", _verdict_line(result), ""]
    if meta.source:
        where = f" at {meta.base_url}" if meta.base_url else ""
        lines += [f"API: {_code(meta.source)}{where}.", ""]
    if result.coverage:
        line = coverage_line(result)
        lines += [line[0].upper() + line[1:] + ".", ""]
    if result.stopped:
        lines += [f"Probing stopped early: {result.stopped}.", ""]
    if result.operations:
        lines += [*_table(result), ""]
    if result.gate:
        lines += ["## Gate failures", "", *(f"- {reason}" for reason in result.gate), ""]
    gaps = _gaps(result)
    if gaps:
        lines += ["## Coverage gaps", "", *gaps, ""]
    ordered = sorted(
        result.findings,
        key=lambda f: (accepted(f), f.verdict is not Verdict.CONFIRMED),
    )
    if ordered:
        lines += ["## Findings", ""]
        for index, finding in enumerate(ordered, 1):
            lines += _finding(index, finding)
    return "\n".join(lines)


class MarkdownReport:
    """Appends the summary to its file when the campaign finishes ($GITHUB_STEP_SUMMARY may hold others).

    Asked again (the front end emits ``CampaignFinished`` after setting the gate), it replaces what it
    appended, not what was in the file before.
    """

    def __init__(self, path: Path, meta: ReportMeta, redactor: Redactor) -> None:
        self.path = path
        self.meta = meta
        self.redactor = redactor
        self._start: int | None = None
        self._lock = threading.Lock()

    def on_event(self, event: Event, result: CampaignResult) -> None:
        if isinstance(event, CampaignFinished):
            self.write(result)

    def write(self, result: CampaignResult) -> None:
        text = self.redactor(render_markdown(result, self.meta)) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+b") as handle:
                if self._start is None:
                    self._start = handle.seek(0, 2)
                    if self._start:
                        handle.seek(self._start - 1)
                        # What was there before ends its last line and paragraph first.
                        if handle.read(1) != b"\n":
                            handle.write(b"\n")
                        handle.write(b"\n")
                        self._start = handle.seek(0, 2)
                handle.truncate(self._start)
                handle.write(text.encode("utf-8"))
