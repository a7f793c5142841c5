"""The Flask (WSGI) Notebook API: UUIDs, slugs, cookie sessions; its planted leak is found, clean stays clean."""

from __future__ import annotations

import pytest
from detection_support import (
    NOTEBOOK_CONFIG,
    confirmed_operations,
    run_in_process,
    run_over_http,
    wsgi_server,
)

from examples.notebook_api import VULNERABILITIES, create_app


def test_clean_notebook_has_no_finding() -> None:
    result = run_in_process(create_app(), NOTEBOOK_CONFIG)
    assert result.complete
    assert result.findings == []
    assert result.errors == []
    assert result.coverage["GET /projects/{projectId}/notes/{slug}"].probes > 0


@pytest.mark.parametrize("name", sorted(VULNERABILITIES))
def test_switch_found_exactly_at_its_operations(name: str) -> None:
    result = run_in_process(create_app([name]), NOTEBOOK_CONFIG)
    assert confirmed_operations(result) == set(VULNERABILITIES[name])
    assert all(f.verdict.value == "confirmed" for f in result.findings)


@pytest.mark.parametrize("names", [[], ["read-by-id"]], ids=["clean", "read-by-id"])
def test_over_http_the_same_as_in_process(names: list[str]) -> None:
    in_process = run_in_process(create_app(names), NOTEBOOK_CONFIG)
    with wsgi_server(create_app(names)) as base_url:
        over_http = run_over_http(f"{base_url}/openapi.json", NOTEBOOK_CONFIG)
    assert {(f.operation, f.attacker, f.victim) for f in over_http.findings} == {
        (f.operation, f.attacker, f.victim) for f in in_process.findings
    }
