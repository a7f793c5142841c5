"""Merging shards' reports: each operation's coverage from the shard that probed it, findings once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from isolation_harness.coverage import Coverage
from isolation_harness.errors import ConfigurationError
from isolation_harness.events import CampaignResult
from isolation_harness.merging import merge_results, read_report
from isolation_harness.model import Finding, FindingKind, ProbeError, Verdict
from isolation_harness.reports import ReportMeta, report_dict


def _finding(operation: str) -> Finding:
    return Finding(
        operation=operation,
        kind=FindingKind.READ,
        verdict=Verdict.CONFIRMED,
        oracle="canary",
        attacker="tenant-a",
        victim="tenant-b",
        slot="path id",
        status=200,
        evidence="HTTP 200: tenant-b's canary",
        reproduction="curl ...",
    )


def _shard(index: int) -> CampaignResult:
    result = CampaignResult(
        operations=["GET /a/{id}", "GET /b/{id}"], complete=True, requests=50, duration=3.0 + index
    )
    mine, other = ("GET /a/{id}", "GET /b/{id}") if index == 1 else ("GET /b/{id}", "GET /a/{id}")
    result.coverage[mine] = Coverage(mine)
    result.coverage[mine].probed("path id", kind="foreign-identifier")
    result.coverage[other] = Coverage(other)
    result.coverage[other].exclude(f"in shard {2 if index == 1 else 1}/2")
    result.findings.append(_finding(mine))
    result.errors.append(ProbeError(mine, "tenant-a", "path id", "HTTP 503", probe=True))
    result.tenants = ["tenant-a", "tenant-b"]
    return result


def test_shards_merge_into_one_run() -> None:
    merged = merge_results([_shard(1), _shard(2)])

    assert merged.operations == ["GET /a/{id}", "GET /b/{id}"]
    assert [f.operation for f in merged.findings] == ["GET /a/{id}", "GET /b/{id}"]
    assert {label: c.probes for label, c in merged.coverage.items()} == {"GET /a/{id}": 1, "GET /b/{id}": 1}
    assert not any(c.excluded for c in merged.coverage.values())
    assert merged.coverage_ratio() == 1.0
    assert merged.requests == 100
    assert merged.duration == 5.0
    assert len(merged.errors) == 2
    assert merged.complete
    assert merged.tenants == ["tenant-a", "tenant-b"]


def test_the_same_finding_in_two_reports_is_one() -> None:
    merged = merge_results([_shard(1), _shard(1)])
    assert len(merged.findings) == 1
    # Two runs of the same operations: their probes add up.
    assert merged.coverage["GET /a/{id}"].probes == 2


def test_an_incomplete_shard_makes_the_merge_incomplete() -> None:
    broken = _shard(2)
    broken.complete = False
    broken.interrupted = True
    merged = merge_results([_shard(1), broken])
    assert not merged.complete
    assert merged.interrupted


def test_a_json_report_reads_back_as_its_result(tmp_path: Path) -> None:
    shard = _shard(1)
    shard.probe_requests = 20
    shard.fail_on_suspected = True
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report_dict(shard, ReportMeta())), encoding="utf-8")

    again = read_report(path)

    assert again.findings == shard.findings
    assert again.coverage == shard.coverage
    assert again.errors == shard.errors
    assert (again.requests, again.complete, again.operations) == (50, True, shard.operations)
    # What the merged gate and exit code need: the probes the error rate is of, and fail_on.
    assert (again.probe_requests, again.fail_on_suspected) == (20, True)
    assert again.error_rate() == shard.error_rate()


def test_what_is_no_report_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as missing:
        read_report(tmp_path / "nope.json")
    assert str(missing.value) == (
        f"{str(tmp_path / 'nope.json')!r} does not exist: pass the JSON reports the shards wrote with "
        "--report-json."
    )
    other = tmp_path / "other.json"
    other.write_text('{"version": 1}', encoding="utf-8")
    with pytest.raises(ConfigurationError) as wrong:
        read_report(other)
    assert str(wrong.value) == (
        f"{str(other)!r} is not a JSON report of isolation-harness (KeyError: 'stats'). Pass the files the "
        "shards wrote with --report-json."
    )
