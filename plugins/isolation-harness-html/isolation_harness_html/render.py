"""Render a campaign result as one self-contained HTML page: inline style, no script, nothing fetched."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape

from isolation_harness import CampaignResult, Coverage, Finding, Verdict, __version__, format_percent

from .style import STYLE


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _n(count: int, noun: str) -> str:
    """``1 finding``, ``2 findings``."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _status(finding: Finding) -> str:
    """How the report files a finding: ``allowed``, ``baselined``, or its verdict."""
    if finding.allowed:
        return "allowed"
    if finding.baselined:
        return "baselined"
    return finding.verdict.value


def render_html(result: CampaignResult, *, title: str = "Tenant isolation") -> str:
    """The campaign as one HTML page: summary, coverage matrix, findings, probe errors."""
    body = [
        f"<h1>{_e(title)}</h1>",
        *_banners(result),
        _summary(result),
        _matrix(result),
        _findings(result),
        _errors(result),
        _notes(result),
        f"<footer>isolation-harness {_e(__version__)}, campaign started {_e(_started(result))}</footer>",
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            # A favicon of its own, so the browser asks the server for none.
            '<link rel="icon" href="data:,">',
            f"<title>{_e(title)}: {_e(_verdict(result)[1])}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            *[part for part in body if part],
            "</body>",
            "</html>",
            "",
        ]
    )


def _started(result: CampaignResult) -> str:
    return datetime.fromtimestamp(result.started, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _verdict(result: CampaignResult) -> tuple[str, str]:
    """The verdict's CSS class and sentence."""
    failing = result.failing()
    operations = len(result.operations)
    if failing:
        leaking = len({finding.operation for finding in failing})
        counts = [
            _n(count, f"{verdict.value} finding")
            for verdict in Verdict
            if (count := sum(1 for finding in failing if finding.verdict is verdict))
        ]
        # Only suspected findings fail (fail_on = "suspected"): the leak is not shown, only likely.
        leak = "leak" if any(finding.verdict is Verdict.CONFIRMED for finding in failing) else "may leak"
        return "leak", (
            f"{leaking} of {_n(operations, 'operation')} {leak} across tenants ({', '.join(counts)})"
        )
    if result.setup_failed:
        return "incomplete", f"The campaign could not start: {result.fatal}"
    if result.gate:
        return "unreliable", "No confirmed leak, but the verdict is unreliable: a gate failed"
    if result.interrupted or not result.complete:
        return "incomplete", "No confirmed leak in what ran, but the campaign did not complete"
    return "clean", f"No confirmed cross-tenant leak in {_n(operations, 'operation')}"


def _banners(result: CampaignResult) -> list[str]:
    banners = []
    if result.interrupted:
        banners.append(
            "Interrupted: this report is incomplete"
            + (f" ({result.fatal})" if result.fatal else "")
            + ". Operations the campaign did not reach were not judged."
        )
    elif not result.complete and not result.setup_failed:
        banners.append(
            "Incomplete: the campaign did not finish" + (f": {result.fatal}" if result.fatal else ".")
        )
    if result.stopped:
        banners.append(
            f"Stopped early: {result.stopped}. The coverage matrix shows the operations it did not reach."
        )
    return [f'<p class="banner" role="alert">{_e(text)}</p>' for text in banners]


def _summary(result: CampaignResult) -> str:
    css, sentence = _verdict(result)
    counts = [
        f"{_n(len(result.findings), 'finding')}:",
        ", ".join(
            f"{sum(1 for f in result.findings if _status(f) == status)} {status}"
            for status in ("confirmed", "suspected", "allowed", "baselined")
        ),
    ]
    # Counted as the coverage gate counts: excluded operations are left out.
    eligible = [coverage for coverage in result.coverage.values() if not coverage.excluded]
    excluded = len(result.coverage) - len(eligible)
    covered = sum(1 for coverage in eligible if coverage.covered)
    probes = sum(coverage.probes for coverage in result.coverage.values())
    facts = [
        ("Operations", f"{len(result.operations)}" + (f" ({excluded} excluded)" if excluded else "")),
        ("Tenants", f"{len(result.tenants)}" + (f" ({', '.join(result.tenants)})" if result.tenants else "")),
        ("Probes", str(probes)),
        ("Requests", f"{result.requests}" + (f" ({result.retries} retries)" if result.retries else "")),
        ("Duration", f"{result.duration:.1f} s"),
        (
            "Coverage",
            f"{format_percent(result.coverage_ratio())} ({covered} of {_n(len(eligible), 'operation')} probed)"
            if eligible
            else "no operation was probed",
        ),
        ("Error rate", f"{format_percent(result.error_rate())} ({_n(len(result.errors), 'probe error')})"),
    ]
    if result.stopped:
        facts.append(("Stopped", result.stopped))
    if result.gate:
        gate = "<ul>" + "".join(f"<li>{_e(failure)}</li>" for failure in result.gate) + "</ul>"
    else:
        gate = (
            "passed: enough was probed and answered for the findings to be a verdict"
            if result.complete
            else "not judged: the campaign did not complete"
        )
    rows = "".join(f"<dt>{_e(name)}</dt><dd>{_e(value)}</dd>" for name, value in facts)
    return (
        '<section id="summary">'
        f'<p class="verdict {css}">{_e(sentence)}.</p>'
        f'<p class="counts">{_e(" ".join(counts))}</p>'
        f'<dl class="stats">{rows}<dt>Gate</dt><dd class="gate">{gate}</dd></dl>'
        "</section>"
    )


def _kinds(coverages: Iterable[Coverage]) -> list[str]:
    """The probe kinds of the run, in the order the campaign first recorded them."""
    seen: dict[str, None] = {}
    for coverage in coverages:
        seen.update(dict.fromkeys(coverage.kinds))
        seen.update(dict.fromkeys(coverage.gaps))
    return list(seen)


def _matrix(result: CampaignResult) -> str:
    columns = _kinds(result.coverage.values())
    head = "".join(f'<th scope="col">{_e(kind)}</th>' for kind in ["Operation", *columns, "Findings"])
    rows = []
    for operation in result.operations:
        coverage = result.coverage.get(operation)
        label = f'<th scope="row"><code>{_e(operation)}</code>{_other_reasons(coverage)}</th>'
        if coverage is None:
            cells = f'<td class="gap" colspan="{len(columns) or 1}">no coverage recorded</td>'
        elif coverage.excluded:
            cells = (
                f'<td class="excluded" colspan="{len(columns) or 1}">excluded: {_e(coverage.excluded)}</td>'
            )
        else:
            cells = "".join(_cell(coverage, kind) for kind in columns) or '<td class="none">—</td>'
        rows.append(f'<tr data-operation="{_e(operation)}">{label}{cells}{_tally(result, operation)}</tr>')
    return (
        '<section id="coverage"><h2>Coverage</h2>'
        "<p>Probes sent per operation and probe kind; where a kind sent none (or not every probe), why.</p>"
        f'<table class="matrix"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        '<p class="legend">— the probe kind does not apply to the operation.</p>'
        "</section>"
    )


def _cell(coverage: Coverage, kind: str) -> str:
    count = coverage.kinds.get(kind, 0)
    reasons = "".join(f'<span class="reason">{_e(reason)}</span>' for reason in coverage.gaps.get(kind, []))
    if count:
        return f'<td class="probed" data-kind="{_e(kind)}"><span class="count">{count}</span>{reasons}</td>'
    if reasons:
        return f'<td class="gap" data-kind="{_e(kind)}">{reasons}</td>'
    return f'<td class="none" data-kind="{_e(kind)}">—</td>'


def _other_reasons(coverage: Coverage | None) -> str:
    """The operation's own reasons for skipping probes: those no probe kind's gap already shows."""
    if coverage is None or coverage.excluded:
        return ""
    shown = {reason for reasons in coverage.gaps.values() for reason in reasons}
    return "".join(f'<span class="reason">{_e(r)}</span>' for r in coverage.skipped if r not in shown)


def _tally(result: CampaignResult, operation: str) -> str:
    findings = result.findings_for(operation)
    parts = [
        f"{count} {status}"
        for status in ("confirmed", "suspected", "allowed", "baselined")
        if (count := sum(1 for finding in findings if _status(finding) == status))
    ]
    if errors := len(result.errors_for(operation)):
        parts.append(_n(errors, "error"))
    fails = any(finding.fails(fail_on_suspected=result.fail_on_suspected) for finding in findings)
    css = "leak" if fails else "tally"
    return f'<td class="{css}">{_e(", ".join(parts) or "none")}</td>'


def _findings(result: CampaignResult) -> str:
    order = {"confirmed": 0, "suspected": 1, "allowed": 2, "baselined": 3}
    ranked = sorted(result.findings, key=lambda finding: order[_status(finding)])
    groups = [
        ("findings", "Findings", [f for f in ranked if _status(f) in ("confirmed", "suspected")]),
        ("allowed", "Allowed: data shared on purpose", [f for f in ranked if _status(f) == "allowed"]),
        ("baselined", "Baselined: accepted findings", [f for f in ranked if _status(f) == "baselined"]),
    ]
    sections, number = [], 0
    for anchor, heading, findings in groups:
        if not findings and anchor != "findings":
            continue
        items = []
        for finding in findings:
            number += 1
            items.append(_finding(finding, number, fail_on_suspected=result.fail_on_suspected))
        empty = "" if findings else "<p>No cross-tenant finding.</p>"
        sections.append(f'<section id="{anchor}"><h2>{_e(heading)}</h2>{empty}{"".join(items)}</section>')
    return "".join(sections)


def _finding(finding: Finding, number: int, *, fail_on_suspected: bool) -> str:
    status = _status(finding)
    facts = [
        ("Verdict", finding.verdict.value),
        ("Kind", finding.kind.value),
        ("Oracle", finding.oracle),
        ("Attacker → victim", f"{finding.attacker} → {finding.victim}"),
        ("Slot", finding.slot),
        ("Status", str(finding.status)),
        ("Fingerprint", finding.fingerprint),
    ]
    if finding.pointers:
        facts.append(("Seen at", ", ".join(finding.pointers)))
    note = ""
    if finding.allowed:
        note = f'<p class="note">Not a leak: allowed by {_e(finding.allowed)}</p>'
    elif finding.baselined:
        note = '<p class="note">Not failing: this finding is in the baseline of accepted findings.</p>'
    elif finding.verdict is Verdict.SUSPECTED and fail_on_suspected:
        note = '<p class="note">Suspected, and failing: the config says fail_on = "suspected".</p>'
    elif finding.verdict is Verdict.SUSPECTED:
        note = '<p class="note">Suspected: reported, failing only with fail_on = "suspected".</p>'
    rows = "".join(f"<dt>{_e(name)}</dt><dd>{_e(value)}</dd>" for name, value in facts)
    return (
        f'<article class="finding {status}" id="finding-{number}">'
        f'<h3><span class="badge {status}">{_e(status)}</span> {number}. <code>{_e(finding.operation)}</code>: '
        f"{_e(finding.attacker)} → {_e(finding.victim)}</h3>"
        f"{note}"
        f'<dl class="facts">{rows}</dl>'
        f'<p class="evidence">{_e(finding.evidence)}</p>'
        '<div class="responses">'
        + _response("attacker", f"What {finding.attacker} (the attacker) received", finding.response)
        + _response("owner", f"What {finding.victim} (the owner) sees", finding.owner_response)
        + "</div>"
        f'<h4>Reproduce</h4><pre class="reproduction">{_e(finding.reproduction)}</pre>'
        "</article>"
    )


def _response(side: str, caption: str, text: str) -> str:
    shown = f"<pre>{_e(text)}</pre>" if text else '<p class="unknown">Not known for this finding.</p>'
    return f'<figure class="response {side}"><figcaption>{_e(caption)}</figcaption>{shown}</figure>'


def _errors(result: CampaignResult) -> str:
    if not result.errors:
        return ""
    rows = "".join(
        f"<tr><td>{_e(kind)}</td><td>{count}</td></tr>" for kind, count in result.errors_by_kind().items()
    )
    return (
        '<section id="errors"><h2>Probe errors</h2>'
        f"<p>{len(result.errors)} requests could not be judged (never counted as leaks).</p>"
        f'<table class="errors"><thead><tr><th>kind</th><th>requests</th></tr></thead><tbody>{rows}</tbody></table>'
        "</section>"
    )


def _notes(result: CampaignResult) -> str:
    if not result.seeding:
        return ""
    items = "".join(f"<li>{_e(note)}</li>" for note in result.seeding)
    return f'<section id="notes"><h2>Notes</h2><ul>{items}</ul></section>'
