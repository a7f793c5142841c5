"""Public exposure on an API by another author (tests/detection/outside/bulletin.py).

A list that lost its authentication hands every account's notes to callers without credentials: it
is found as public exposure at exactly that operation, with a reproduction that sends no
credentials, and never as a cross-tenant read. The catalogue every signed-in caller sees and the
announcements anyone sees stay clean.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from detection_support import run_in_process

from isolation_harness.reports import report_dict, terminal_summary

OUTSIDE = Path(__file__).resolve().parent / "outside"


def _bulletin(bugs: list[str]) -> object:
    if str(OUTSIDE) not in sys.path:
        sys.path.insert(0, str(OUTSIDE))
    return importlib.import_module("bulletin").create_app(bugs=bugs)


def test_a_list_without_authentication_is_public_exposure_and_no_cross_tenant_read() -> None:
    result = run_in_process(_bulletin(["notes-list-public"]), OUTSIDE / "bulletin.toml")

    assert result.complete and result.errors == []
    found = sorted(
        (f.operation, f.kind.value, f.verdict.value, f.attacker, f.victim, f.slot) for f in result.findings
    )
    assert found == [
        ("GET /notes", "public-exposure", "confirmed", "anonymous", "tenant-a", "(no credentials)"),
        ("GET /notes", "public-exposure", "confirmed", "anonymous", "tenant-b", "(no credentials)"),
    ]
    for finding in result.findings:
        assert finding.reproduction.splitlines()[-2:] == [
            "# as anonymous: the attack",
            "curl -sS -X GET http://testserver/notes",
        ]
    report = json.loads(json.dumps(report_dict(result)))
    assert report["stats"]["findings_by_kind"] == {"public-exposure": 2}
    assert [item["kind"] for item in report["findings"]] == ["public-exposure", "public-exposure"]
    summary = terminal_summary(result)[0]
    assert (
        "2 confirmed and 0 suspected findings in 1 operations (2 public-exposure: tenant data sent without credentials)"
        in summary
    )


def test_a_catalogue_and_announcements_everyone_sees_are_no_finding() -> None:
    result = run_in_process(_bulletin([]), OUTSIDE / "bulletin.toml")

    assert result.complete and result.errors == []
    assert result.findings == []
    # The anonymous caller did read them: refused where credentials are needed, answered where not.
    probed = {label: coverage.slots for label, coverage in result.coverage.items()}
    assert "(no credentials)" in probed["GET /announcements"]
    assert "(no credentials)" in probed["GET /languages"]
    assert "(no credentials, tenant-a's identifiers)" in probed["GET /notes/{note_id}"]
