"""JUnit XML: one test case per operation, and one for the gate."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET

from ..coverage import Coverage
from ..events import CampaignFinished, CampaignResult, Event
from ..model import Finding
from .base import FileReport, ReportMeta, accepted, kind_gaps
from .text import format_finding

SUITE = "isolation"
# Characters XML 1.0 cannot hold at all, even escaped (a response body may carry them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _properties(parent: ET.Element, items: list[tuple[str, str]]) -> None:
    if items:
        properties = ET.SubElement(parent, "properties")
        for name, value in items:
            ET.SubElement(properties, "property", name=name, value=value)


def _finding_text(finding: Finding) -> str:
    parts = [format_finding(finding)]
    if finding.response:
        parts.append("the attacker's response:\n" + finding.response)
    return "\n\n".join(parts)


def _operation(suite: ET.Element, result: CampaignResult, label: str, meta: ReportMeta) -> str:
    """Add the operation's test case; return its outcome (passed, failure or skipped)."""
    case = ET.SubElement(suite, "testcase", classname=SUITE, name=label, time="0")
    findings = result.findings_for(label)
    coverage = result.coverage.get(label) or Coverage(label)
    failing = [f for f in findings if f.fails(fail_on_suspected=result.fail_on_suspected)]
    notes = [
        (f"allowed {f.kind.value}", f"{f.attacker} -> {f.victim} via {f.slot}: {f.allowed}")
        for f in findings
        if f.allowed
    ]
    notes += [
        (f"baselined {f.kind.value}", f"{f.attacker} -> {f.victim} via {f.slot} ({f.fingerprint})")
        for f in findings
        if f.baselined and not f.allowed
    ]
    notes += [
        (f"not failing {f.verdict.value} {f.kind.value}", format_finding(f).splitlines()[0])
        for f in findings
        if not accepted(f) and f not in failing
    ]
    notes += [("probe kind skipped", gap) for gap in kind_gaps(coverage)]
    notes += [("probe error", f"{e.attacker}, {e.slot}: {e.message}") for e in result.errors_for(label)]
    _properties(case, notes)
    if failing:
        kinds = sorted({f.kind.value for f in failing})
        failure = ET.SubElement(
            case,
            "failure",
            message=f"{label} leaks across tenants ({len(failing)} findings)",
            type=", ".join(kinds),
        )
        failure.text = "\n\n".join(_finding_text(f) for f in failing)
        return "failure"
    if coverage.excluded:
        ET.SubElement(case, "skipped", message=f"excluded: {coverage.excluded}")
        return "skipped"
    if not coverage.covered:
        ET.SubElement(case, "skipped", message=f"not probed: {result.why_not_probed(label)}")
        return "skipped"
    return "passed"


def junit_tree(result: CampaignResult, meta: ReportMeta) -> ET.Element:
    """The JUnit document of one campaign."""
    root = ET.Element("testsuites", name="isolation-harness")
    suite = ET.SubElement(root, "testsuite", name=SUITE)
    _properties(
        suite,
        [
            ("source", meta.source),
            ("base_url", meta.base_url),
            ("tool_version", meta.tool_version),
            ("complete", str(result.complete).lower()),
            ("interrupted", str(result.interrupted).lower()),
            *([("stopped", result.stopped)] if result.stopped else []),
        ],
    )
    outcomes = [_operation(suite, result, label, meta) for label in result.operations]
    gate = ET.SubElement(suite, "testcase", classname=SUITE, name="gate", time="0")
    if result.gate:
        failure = ET.SubElement(gate, "failure", message=result.gate[0], type="gate")
        failure.text = "\n".join(result.gate)
        outcomes.append("failure")
    else:
        outcomes.append("passed")
    errors = 0
    if result.fatal or result.interrupted:
        case = ET.SubElement(suite, "testcase", classname=SUITE, name="campaign", time="0")
        reason = "interrupted: this report is incomplete" if result.interrupted else str(result.fatal)
        ET.SubElement(case, "error", message=reason, type="incomplete")
        errors = 1
    counts = {
        "tests": str(len(outcomes) + errors),
        "failures": str(outcomes.count("failure")),
        "errors": str(errors),
        "skipped": str(outcomes.count("skipped")),
        "time": f"{result.duration:.3f}",
    }
    suite.attrib.update(counts)
    suite.set("timestamp", time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(result.started)))
    root.attrib.update(counts)
    return root


class JunitReport(FileReport):
    """Writes the JUnit XML file when the campaign finishes (again, if the front end asks again)."""

    def on_event(self, event: Event, result: CampaignResult) -> None:
        if isinstance(event, CampaignFinished):
            tree = junit_tree(result, self.meta)
            ET.indent(tree)
            text = ET.tostring(tree, encoding="unicode")
            self.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + _NOT_XML.sub("", text) + "\n")
