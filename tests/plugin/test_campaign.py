"""A campaign under pytest: one item per operation, a leak is a failure that shows the finding."""

from __future__ import annotations

import json
import re

import pytest
from plugin_support import (
    DISPATCH,
    DISPATCH_CONFIG,
    DISPATCH_COUNT,
    DISPATCH_OPERATIONS,
    DISPATCH_UNPROBED,
    NOTEBOOK,
    NOTEBOOK_CONFIG,
    READ_BY_ID_FINDING_A_READS_B,
    READ_BY_ID_FINDING_B_READS_A,
    lit,
    settings_header,
)

UNPROBED = ("POST /accounts", "POST /auth/login")


def _progress_mark(label: str) -> str:
    """The progress character of one item in the read-by-id run."""
    return "s" if label in UNPROBED else "F" if label == "GET /orders/{order_id}" else "."


def _dispatch_args(*extra: str) -> tuple[str, ...]:
    return (f"--isolation-schema={DISPATCH}", f"--isolation-config={DISPATCH_CONFIG}", *extra)


def test_a_leaking_operation_fails_with_each_finding(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", "read-by-id")

    result = project.runpytest_subprocess(*_dispatch_args())

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    # One item per operation, and the gate last.
    result.assert_outcomes(failed=1, passed=DISPATCH_COUNT - DISPATCH_UNPROBED, skipped=DISPATCH_UNPROBED)
    result.stdout.fnmatch_lines(
        [
            settings_header(
                f"schema={DISPATCH} (from option)",
                f"config={DISPATCH_CONFIG} (from option)",
                "tenants=2 (from default)",
                "seed=0 (from default)",
            ),
            f"isolation-harness: {DISPATCH_COUNT} operations via asgi at http://testserver",
            f"collected {DISPATCH_COUNT + 1} items",
            "",
            "isolation " + "".join(_progress_mark(label) for label in DISPATCH_OPERATIONS) + ". *[[]100%]",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*= FAILURES =*",
            lit("_") + "* isolation: GET /orders/{order_id} *" + lit("_"),
            "GET /orders/{order_id} leaks across tenants (2 findings):",
            "",
            *READ_BY_ID_FINDING_A_READS_B,
            "",
            *READ_BY_ID_FINDING_B_READS_A,
            "*= isolation-harness =*",
            f"{DISPATCH_COUNT} operations, 2 tenants, * probes, * requests in *s: "
            "2 confirmed and 0 suspected findings in 1 operations, 0 probe errors",
            f"isolation coverage: {DISPATCH_COUNT - 2} of {DISPATCH_COUNT - 2} operations probed (100%), 2 excluded",
            "*= short test summary info =*",
            "FAILED isolation::GET /orders/{order_id} - GET /orders/{order_id} leaks*",
            f"*= 1 failed, {DISPATCH_COUNT - DISPATCH_UNPROBED} passed, {DISPATCH_UNPROBED} skipped in *",
        ],
        consecutive=True,
    )
    # Only the leaking operation fails; every other operation passed or was skipped.
    assert [line for line in result.outlines if line.startswith("FAILED ")] == [
        "FAILED isolation::GET /orders/{order_id} - GET /orders/{order_id} leaks acros..."
    ]
    # The canary in the evidence is the victim's: "ih" and ten lowercase letters.
    evidence = [line for line in result.outlines if line.startswith("  evidence: ")]
    assert len(evidence) == 2
    assert all(
        re.match(r"  evidence: HTTP 200: tenant-[ab]'s canary ih[a-z]{10} in body ", e) for e in evidence
    )


def test_a_clean_api_passes_in_a_directory_without_tests(project: pytest.Pytester) -> None:
    # No test files at all: the options alone run the campaign, the simplest CI gate.
    assert not list(project.path.iterdir())

    result = project.runpytest_subprocess(*_dispatch_args("-v"))

    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=DISPATCH_COUNT + 1 - DISPATCH_UNPROBED, skipped=DISPATCH_UNPROBED)
    result.stdout.fnmatch_lines(
        [
            f"isolation-harness: {DISPATCH_COUNT} operations via asgi at http://testserver",
            f"collecting ... collected {DISPATCH_COUNT + 1} items",
            "",
            "isolation::POST /accounts SKIPPED (not probed: used to provision*",
            "isolation::POST /auth/login SKIPPED (not probed: used to provision*",
            *(f"isolation::{lit(label)} PASSED*" for label in DISPATCH_OPERATIONS[2:]),
            "isolation::gate PASSED*",
            "*= isolation-harness =*",
            f"{DISPATCH_COUNT} operations, 2 tenants, * probes, * requests in *s: "
            "0 confirmed and 0 suspected findings in 0 operations, 0 probe errors",
            f"isolation coverage: {DISPATCH_COUNT - 2} of {DISPATCH_COUNT - 2} operations probed (100%), 2 excluded",
            f"*= {DISPATCH_COUNT + 1 - DISPATCH_UNPROBED} passed, {DISPATCH_UNPROBED} skipped in *",
        ]
    )
    assert "FAILURES" not in result.stdout.str()


def test_campaign_items_run_alongside_the_projects_own_tests(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTEBOOK_VULNERABILITIES", "read-by-id")
    project.makepyfile(test_ordinary="def test_ordinary():\n    assert True\n")

    result = project.runpytest_subprocess(
        f"--isolation-schema={NOTEBOOK}", f"--isolation-config={NOTEBOOK_CONFIG}"
    )

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=1, passed=10, skipped=2)
    result.stdout.fnmatch_lines(
        [
            "isolation-harness: 11 operations via wsgi at http://testserver",
            "collected 13 items",
            "",
            "test_ordinary.py . *",
            "isolation ss...F...... *",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*= FAILURES =*",
            lit("_") + "* isolation: GET /projects/{projectId} *" + lit("_"),
            "GET /projects/{projectId} leaks across tenants (2 findings):",
            "",
            lit(
                "[confirmed] GET /projects/{projectId}: tenant-a read data of tenant-b via path projectId "
                "(oracle: canary)"
            ),
            "  evidence: HTTP 200: tenant-b's canary ih* in body /title: *",
            "  reproduce:",
            "    # as tenant-b: create the data the attack targets",
            lit('    curl -sS -X POST http://testserver/projects -b "nb_session=$TENANT_B_TOKEN" ') + "*",
            "    # as tenant-a: the attack",
            lit("    curl -sS -X GET http://testserver/projects/")
            + "*"
            + lit(' -b "nb_session=$TENANT_A_TOKEN"'),
            "",
            lit(
                "[confirmed] GET /projects/{projectId}: tenant-b read data of tenant-a via path projectId "
                "(oracle: canary)"
            ),
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(["*= 1 failed, 10 passed, 2 skipped in *"])


def test_json_report_holds_findings_coverage_errors_and_stats(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", "read-by-id")

    result = project.runpytest_subprocess(*_dispatch_args("--isolation-report-json=reports/isolation.json"))

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["JSON report: reports/isolation.json"])
    report = json.loads((project.path / "reports" / "isolation.json").read_text())

    assert report["complete"] is True
    assert report["fatal"] is None
    assert report["reliable"] is True
    assert report["tenants"] == ["tenant-a", "tenant-b"]
    assert report["api"] == {"source": DISPATCH, "base_url": "http://testserver", "base_url_reason": ""}

    findings = report["findings"]
    assert [(f["attacker"], f["victim"]) for f in findings] == [
        ("tenant-a", "tenant-b"),
        ("tenant-b", "tenant-a"),
    ]
    for finding in findings:
        assert set(finding) >= {
            "operation",
            "kind",
            "verdict",
            "oracle",
            "attacker",
            "victim",
            "slot",
            "status",
            "evidence",
            "reproduction",
        }
        assert finding["operation"] == "GET /orders/{order_id}"
        assert finding["kind"] == "cross-tenant-read"
        assert finding["verdict"] == "confirmed"
        assert finding["oracle"] == "canary"
        assert finding["slot"] == "path order_id"
        assert finding["status"] == 200
        victim, attacker = finding["victim"], finding["attacker"]
        assert re.fullmatch(
            rf"HTTP 200: {victim}'s canary ih[a-z]{{10}} in body /recipient_name: .+", finding["evidence"]
        )
        steps = finding["reproduction"].splitlines()
        variable = {"tenant-a": "$TENANT_A_TOKEN", "tenant-b": "$TENANT_B_TOKEN"}
        assert steps[0] == f"# as {victim}: create the data the attack targets"
        assert steps[1].startswith(
            f'curl -sS -X POST http://testserver/orders -H "Authorization: Bearer {variable[victim]}" '
        )
        assert steps[2] == f"# as {attacker}: the attack"
        assert re.fullmatch(
            rf'curl -sS -X GET http://testserver/orders/ord_[0-9a-f]{{16}} -H "Authorization: Bearer '
            rf'\{variable[attacker]}"',
            steps[3],
        )
        # The same text as the terminal shows.
        assert f"  evidence: {finding['evidence']}" in result.outlines

    coverage = report["coverage"]
    assert list(coverage) == DISPATCH_OPERATIONS
    assert coverage["POST /accounts"] == {
        "probes": 0,
        "slots": [],
        "skipped": ["used to provision tenants"],
        "kinds": {},
        "gaps": {},
        "excluded": "used to provision tenants",
        "unjudged": {},
    }
    assert coverage["GET /orders/{order_id}"]["probes"] >= 2
    assert all(
        set(entry) == {"probes", "slots", "skipped", "kinds", "gaps", "excluded", "unjudged"}
        for entry in coverage.values()
    )
    order = coverage["GET /orders/{order_id}"]
    assert sum(order["kinds"].values()) == order["probes"]
    assert {"anonymous", "own-read", "foreign-identifier", "tombstone"} <= set(order["kinds"])
    assert coverage["GET /orders/{order_id}"]["slots"] == [
        "(no credentials, tenant-a's identifiers)",
        "(no credentials, tenant-b's identifiers)",
        "(its own identifiers)",
        "path order_id",
        "(the owner's request, right after the owner sent it)",
        "path order_id (deleted by its owner)",
    ]
    assert report["errors"] == []

    stats = report["stats"]
    assert stats["operations"] == DISPATCH_COUNT
    assert stats["confirmed"] == 2
    assert stats["suspected"] == 0
    assert stats["errors"] == 0
    assert stats["probes"] == sum(entry["probes"] for entry in coverage.values())
    assert isinstance(stats["requests"], int) and stats["requests"] > stats["probes"]
    assert isinstance(stats["duration"], float) and stats["duration"] > 0
