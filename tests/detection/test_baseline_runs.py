"""A baseline on the Dispatch example: accepted findings stay accepted under another seed; only a new bug fails.

Three campaigns in all: the run the baseline is written from (seed 0), the same bugs under seed 7 with
the baseline, and seed 7 with one more bug switched on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from detection_support import DISPATCH_CONFIG

from examples.dispatch_api import VULNERABILITIES, create_app
from isolation_harness import Baseline, load_app
from isolation_harness.config import resolve_settings
from isolation_harness.exit_codes import ExitCode
from isolation_harness.runner import HarnessRun, prepare

NEW_BUG = "webhook-secret-leak"
NEW_OPERATIONS = set(VULNERABILITIES[NEW_BUG])
KNOWN_BUGS = sorted(set(VULNERABILITIES) - {NEW_BUG})
# Probing only where some bug is: the other operations have nothing to find or accept.
PROBED = frozenset(label for labels in VULNERABILITIES.values() for label in labels)


def campaign(bugs: list[str], *, seed: int, baseline: Path | None = None) -> HarnessRun:
    api = load_app(create_app(bugs))
    options = {"schema": api.source, "config": str(DISPATCH_CONFIG), "seed": str(seed)}
    if baseline is not None:
        options["baseline"] = str(baseline)
    harness = prepare(resolve_settings(options, {}, {}), api=api, operations=PROBED)
    harness.run()
    return harness


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    harness = campaign(KNOWN_BUGS, seed=0)
    assert harness.result.complete and harness.outcome() is ExitCode.FINDINGS
    path = tmp_path_factory.mktemp("baseline") / "baseline.json"
    Baseline.from_result(harness.result).write(path)
    return path


def test_a_baseline_accepts_every_finding_of_a_run_with_another_seed(baseline: Path) -> None:
    harness = campaign(KNOWN_BUGS, seed=7, baseline=baseline)
    result = harness.result

    assert result.complete
    assert {f.operation for f in result.findings} >= {
        label for bug in KNOWN_BUGS for label in VULNERABILITIES[bug]
    }
    assert [f for f in result.findings if not f.baselined] == []
    assert [f for f in result.findings if f.fails(fail_on_suspected=True)] == []
    assert harness.outcome() is ExitCode.OK
    # Accepted, not hidden: each finding keeps its verdict and evidence (private data sent with public
    # caching headers is suspected, with no shared cache in front).
    assert all(f.evidence for f in result.findings)
    assert {f.kind.value for f in result.findings if f.verdict.value != "confirmed"} == {"shared-cache"}
    # The run found exactly what the baseline holds: the file written again is the same.
    again = baseline.with_name("again.json")
    Baseline.from_result(result).write(again)
    assert again.read_bytes() == baseline.read_bytes()


def test_one_more_bug_fails_only_at_its_operations(baseline: Path) -> None:
    harness = campaign([*KNOWN_BUGS, NEW_BUG], seed=7, baseline=baseline)
    result = harness.result

    failing = [f for f in result.findings if f.fails(fail_on_suspected=False)]
    assert failing
    assert {f.operation for f in failing} == NEW_OPERATIONS
    assert {(f.attacker, f.victim) for f in failing} == {("tenant-a", "tenant-b"), ("tenant-b", "tenant-a")}
    assert all(f.baselined for f in result.findings if f.operation not in NEW_OPERATIONS)
    assert harness.outcome() is ExitCode.FINDINGS
    # The new finding says where the victim's data was and shows both sides.
    new = failing[0]
    assert new.pointers and all(pointer.startswith("/") for pointer in new.pointers)
    assert new.response.startswith("HTTP 200\n{\n")
    assert new.owner_response.startswith("HTTP 200\n{\n")
    assert '"signing_secret": "[REDACTED]"' in new.response
