"""One pytest session, many shapes: beside the developers' fixtures, narrowed by ``-k``, stopped by a
crash. The campaign's findings stay the same in each."""

from __future__ import annotations

import json
from typing import Any

import pytest
from plugin_support import DISPATCH, DISPATCH_CONFIG

FIXTURE_TEST = """
def test_two_tenants_each_read_their_own_order(tenants):
    alice, bob = tenants.create(2)
    assert (alice.name, bob.name) == ("tenant-c", "tenant-d")
    for tenant in (alice, bob):
        body = {
            "recipient_name": tenant.tag("Ann"),
            "recipient_phone": "+15550100200",
            "recipient_address": {"street": "1 Road", "city": "Leeds", "postcode": "12345", "country": "GB"},
            "items": [{"description": "books", "quantity": 2, "weight_grams": 800}],
        }
        created = tenant.client.post("/orders", json=body)
        assert created.status_code == 201, created.text
        assert tenant.client.get(f"/orders/{created.json()['id']}").json()["recipient_name"] == tenant.tag("Ann")
"""


def _run(project: pytest.Pytester, name: str, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    report = project.path / f"{name}.json"
    result = project.runpytest_subprocess(
        f"--isolation-schema={DISPATCH}",
        f"--isolation-config={DISPATCH_CONFIG}",
        f"--isolation-report-json={report}",
        *args,
    )
    return result, json.loads(report.read_text())


def _findings(report: dict[str, Any]) -> set[tuple[str, ...]]:
    keys = ("operation", "kind", "oracle", "attacker", "victim", "slot")
    return {tuple(finding[key] for key in keys) for finding in report["findings"]}


@pytest.fixture
def leaky(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", "read-by-id,list-unfiltered")
    return project


@pytest.mark.slow  # a campaign and fixtures in one pytest run
def test_fixture_tenants_never_collide_with_the_campaigns(leaky: pytest.Pytester) -> None:
    _, alone = _run(leaky, "alone")
    leaky.makepyfile(test_fixtures=FIXTURE_TEST)
    result, beside = _run(leaky, "beside", "-v")
    # The developer's test ran first and passed; its tenants took names after the campaign's.
    assert result.ret == 1
    result.stdout.fnmatch_lines(["test_fixtures.py::test_two_tenants_each_read_their_own_order PASSED*"])
    assert beside["tenants"] == alone["tenants"] == ["tenant-a", "tenant-b"]
    assert _findings(beside) == _findings(alone) != set()


# Under pytest-xdist the findings are the serial run's: tests/plugin/test_release_gate.py (section 8).


def test_a_selection_narrows_the_campaign(leaky: pytest.Pytester) -> None:
    result, report = _run(leaky, "narrow", "-k", "orders and order_id and GET")
    assert {finding["operation"] for finding in report["findings"]} == {"GET /orders/{order_id}"}
    unselected = report["coverage"]["GET /orders"]
    assert unselected["probes"] == 0 and unselected["skipped"] == ["not selected in this run"]
    assert result.ret == 1


CRASHING_HOOK = """
class AccountLocked(__import__("isolation_harness").ProvisioningError):
    pass


def pytest_isolation_provision(tenant, context):
    with open("calls.log", "a") as log:
        log.write(tenant.name + "\\n")
    raise {error}
"""


def test_a_crash_stops_the_campaign_once_and_every_item_says_why(project: pytest.Pytester) -> None:
    project.makeconftest(CRASHING_HOOK.format(error='RuntimeError("the identity service is down")'))
    result = project.runpytest_subprocess(f"--isolation-schema={DISPATCH}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    # Provisioning was tried once, for the first tenant, not again for each item.
    assert (project.path / "calls.log").read_text().split() == ["tenant-a"]
    result.stdout.fnmatch_lines(
        [
            "*RuntimeError: the identity service is down",
            "*the campaign could not run: the identity service is down",
            "*= isolation-harness =*",
            "the campaign stopped: RuntimeError: the identity service is down",
            "findings made before it stopped: 0",
        ]
    )


def test_a_subclass_of_a_setup_error_is_still_a_usage_error(project: pytest.Pytester) -> None:
    project.makeconftest(CRASHING_HOOK.format(error='AccountLocked("acme is locked")'))
    result = project.runpytest_subprocess(f"--isolation-schema={DISPATCH}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(["*isolation-harness: acme is locked*"])
    assert (project.path / "calls.log").read_text().split() == ["tenant-a"]
