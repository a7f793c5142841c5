"""Unit tests for the campaign's data model."""

from __future__ import annotations

from typing import Any

import pytest

from isolation_harness.coverage import Coverage
from isolation_harness.model import (
    Finding,
    FindingKind,
    HttpRequest,
    HttpResponse,
    ProbeError,
    Slot,
    SlotLocation,
    Verdict,
    format_pointer,
    iter_leaves,
    iter_objects,
)


def test_format_pointer_escapes_per_rfc_6901() -> None:
    assert format_pointer(()) == ""
    assert format_pointer(("items", 0, "id")) == "/items/0/id"
    assert format_pointer(("a/b", "c~d")) == "/a~1b/c~0d"


def test_slot_describe() -> None:
    assert Slot(SlotLocation.PATH, "order_id", "Order", "id").describe() == "path order_id"
    assert Slot(SlotLocation.HEADER, "X-Org", "Org", "id").describe() == "header X-Org"
    assert Slot(SlotLocation.BODY, "order_id", "Order", "id", ("shipment", "order_id")).describe() == (
        "body /shipment/order_id"
    )
    assert Slot(SlotLocation.BODY, "", "Order", "id").describe() == "body /"


def test_request_path_quotes_every_parameter() -> None:
    request = HttpRequest(
        method="GET",
        path_template="/projects/{projectId}/notes/{slug}",
        path_params={"projectId": "a/b c", "slug": "ü?#%"},
    )

    assert request.path == "/projects/a%2Fb%20c/notes/%C3%BC%3F%23%25"


def test_request_copy_is_deep() -> None:
    request = HttpRequest(
        method="POST",
        path_template="/o/{id}",
        path_params={"id": 1},
        query={"q": "x"},
        headers={"X-A": "1"},
        cookies={"c": "1"},
        body={"nested": {"list": [1, 2]}},
        has_body=True,
    )

    copy = request.copy()
    copy.path_params["id"] = 2
    copy.query["q"] = "y"
    copy.headers["X-A"] = "2"
    copy.cookies["c"] = "2"
    copy.body["nested"]["list"].append(3)

    assert request == HttpRequest(
        method="POST",
        path_template="/o/{id}",
        path_params={"id": 1},
        query={"q": "x"},
        headers={"X-A": "1"},
        cookies={"c": "1"},
        body={"nested": {"list": [1, 2]}},
        has_body=True,
    )


def test_request_copy_without_body() -> None:
    assert HttpRequest(method="GET", path_template="/").copy().body is None


def test_sent_values_lists_every_scalar_the_request_carries() -> None:
    request = HttpRequest(
        method="POST",
        path_template="/o/{id}",
        path_params={"id": 42},
        query={"q": "find me"},
        headers={"X-Org": "org-1"},
        cookies={"theme": "dark"},
        body={"a": ["x", {"b": 3.5}]},
        has_body=True,
    )

    assert request.sent_values() == ["42", "find me", "org-1", "dark", "x", "3.5"]
    request.has_body = False
    assert request.sent_values() == ["42", "find me", "org-1", "dark"]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [('{"a": 1}', {"a": 1}), ("[1]", [1]), ('"s"', "s"), ("", None), ("<html>", None), ("{broken", None)],
)
def test_response_json_is_none_when_not_json(text: str, parsed: object) -> None:
    assert HttpResponse(status=200, headers={}, text=text).json() == parsed


@pytest.mark.parametrize(
    ("status", "ok"), [(199, False), (200, True), (204, True), (299, True), (302, False)]
)
def test_response_ok(status: int, ok: bool) -> None:
    assert HttpResponse(status=status, headers={}, text="").ok is ok


def test_iter_leaves_and_objects() -> None:
    body: dict[str, Any] = {"a": [{"id": 1, "tags": ["x"]}, 2], "b": {}, "c": None}

    assert iter_leaves(body) == [
        (("a", 0, "id"), 1),
        (("a", 0, "tags", 0), "x"),
        (("a", 1), 2),
        (("c",), None),
    ]
    assert iter_leaves("scalar") == [((), "scalar")]
    assert [path for path, _ in iter_objects(body)] == [(), ("a", 0), ("b",)]
    assert iter_objects([1, "x"]) == []


def test_finding_to_dict_and_key() -> None:
    finding = Finding(
        operation="GET /orders/{order_id}",
        kind=FindingKind.READ,
        verdict=Verdict.CONFIRMED,
        oracle="canary",
        attacker="tenant-a",
        victim="tenant-b",
        slot="path order_id",
        status=200,
        evidence="HTTP 200: ...",
        reproduction="curl ...",
    )

    assert finding.to_dict() == {
        "operation": "GET /orders/{order_id}",
        "kind": "cross-tenant-read",
        "verdict": "confirmed",
        "oracle": "canary",
        "attacker": "tenant-a",
        "victim": "tenant-b",
        "slot": "path order_id",
        "status": 200,
        "evidence": "HTTP 200: ...",
        "reproduction": "curl ...",
        "pointers": [],
        "response": "",
        "owner_response": "",
        "allowed": "",
        "baselined": False,
        "fingerprint": finding.fingerprint,
    }
    assert Finding.from_dict(finding.to_dict()) == finding
    assert finding.key == (
        "GET /orders/{order_id}",
        "cross-tenant-read",
        "canary",
        "tenant-a",
        "tenant-b",
        "path order_id",
    )


def test_probe_error_and_coverage_to_dict() -> None:
    assert ProbeError("GET /x", "tenant-a", "path id", "HTTP 500").to_dict() == {
        "operation": "GET /x",
        "attacker": "tenant-a",
        "slot": "path id",
        "message": "HTTP 500",
        "kind": "server-error",
        "probe": False,
    }
    coverage = Coverage("GET /x", probes=3, skipped=["no Order"])
    exported = coverage.to_dict()
    exported["skipped"].append("mutated")
    assert coverage.to_dict() == {
        "probes": 3,
        "slots": [],
        "skipped": ["no Order"],
        "kinds": {},
        "gaps": {},
        "excluded": "",
        "unjudged": {},
    }


def test_coverage_counts_probes_and_gaps_per_probe_kind() -> None:
    coverage = Coverage("GET /orders/{id}")
    coverage.probed("path id", kind="foreign-identifier")
    coverage.probed("path id", kind="foreign-identifier")
    coverage.skip("tenant-b has no Order", kind="guessed-identifier")
    coverage.skip("tenant-b has no Order", kind="guessed-identifier")
    coverage.skip("no field maps to a resource")

    assert coverage.covered
    assert coverage.kinds == {"foreign-identifier": 2}
    assert coverage.gaps == {"guessed-identifier": ["tenant-b has no Order"]}
    assert coverage.skipped == ["tenant-b has no Order", "no field maps to a resource"]
    assert Coverage.from_dict("GET /orders/{id}", coverage.to_dict()) == coverage
    assert not Coverage("GET /x").covered


def _finding(**changes: object) -> Finding:
    base: dict[str, object] = {
        "operation": "GET /orders/{order_id}",
        "kind": FindingKind.READ,
        "verdict": Verdict.CONFIRMED,
        "oracle": "canary",
        "attacker": "tenant-a",
        "victim": "tenant-b",
        "slot": "path order_id",
        "status": 200,
        "evidence": "HTTP 200: tenant-b's canary ihabcdefghij",
        "reproduction": "curl ...",
    }
    base.update(changes)
    return Finding(**base)  # type: ignore[arg-type]


def test_a_fingerprint_names_the_leak_not_the_run() -> None:
    first = _finding()
    # Other tenants, another status, other evidence: the same leak.
    again = _finding(attacker="acme-2", victim="globex-1", evidence="other canary", status=206)
    assert again.fingerprint == first.fingerprint
    assert len(first.fingerprint) == 16
    # Another slot, operation, oracle or kind is another leak.
    assert _finding(slot="query order_id").fingerprint != first.fingerprint
    assert _finding(operation="GET /invoices/{order_id}").fingerprint != first.fingerprint
    assert _finding(oracle="owner-view").fingerprint != first.fingerprint
    assert _finding(kind=FindingKind.PUBLIC).fingerprint != first.fingerprint


def test_only_confirmed_findings_not_allowed_or_baselined_fail() -> None:
    assert _finding().fails()
    assert not _finding(allowed="allow rule 1 (operation GET /x): public").fails()
    assert not _finding(baselined=True).fails()
    suspected = _finding(verdict=Verdict.SUSPECTED)
    assert not suspected.fails()
    assert suspected.fails(fail_on_suspected=True)


def test_enums_are_strings() -> None:
    assert SlotLocation("cookie") is SlotLocation.COOKIE
    assert FindingKind.WRITE_ACCEPTED.value == "cross-tenant-write-accepted"
    assert Verdict("suspected") is Verdict.SUSPECTED
