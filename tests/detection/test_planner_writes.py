"""Planner (tests/detection/outside): writes judged by what they did, on an API by another author."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from detection_support import run_in_process

from isolation_harness.engine.update_bodies import UpdateBodies

OUTSIDE = Path(__file__).resolve().parent / "outside"
PUT = "PUT /projects/{project_id}"


def _planner(bugs: list[str]) -> object:
    if str(OUTSIDE) not in sys.path:
        sys.path.insert(0, str(OUTSIDE))
    return importlib.import_module("planner").create_app(bugs=bugs)


def test_an_update_that_fails_on_generated_bodies_is_found_with_the_owners_working_body() -> None:
    result = run_in_process(_planner(["project-replace-unscoped"]), OUTSIDE / "planner.toml")

    found = {(f.operation, f.oracle, f.attacker, f.victim) for f in result.findings}
    assert found == {
        (PUT, "attacker-data", "tenant-a", "tenant-b"),
        (PUT, "attacker-data", "tenant-b", "tenant-a"),
    }
    assert result.errors == []
    assert result.coverage[PUT].skipped == []


def test_without_the_owners_working_body_the_same_update_is_only_a_server_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(UpdateBodies, "request", lambda self, ctx, attacker, op, own, generated: generated)

    result = run_in_process(_planner(["project-replace-unscoped"]), OUTSIDE / "planner.toml")

    assert result.findings == []
    assert [(error.operation, error.message[:28]) for error in result.errors] == [
        (PUT, "HTTP 500 from PUT /projects/"),
        (PUT, "HTTP 500 from PUT /projects/"),
    ]


def test_a_note_added_to_another_users_project_is_confirmed_where_its_owner_reads_the_notes() -> None:
    result = run_in_process(_planner(["note-any-project"]), OUTSIDE / "planner.toml")

    [first, _] = result.findings
    assert (first.operation, first.kind.value, first.verdict.value, first.oracle) == (
        "POST /projects/{project_id}/notes",
        "cross-tenant-write",
        "confirmed",
        "attacker-data",
    )
    assert "tenant-b's own reads show tenant-a's data: GET /projects/" in first.evidence
    assert "/notes holds tenant-a's canary at /[id=" in first.evidence
