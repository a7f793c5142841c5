"""Allow rules on a real campaign: Bulletin (tests/detection/outside/bulletin.py) with its notes list open
to callers without credentials, as a team that publishes its notice board on purpose would run it.

A rule for the operation and kind allows both findings (they keep their verdict and evidence); rules
for another kind, or for only some of the fields the data was in, leave them failing; an operation the
API lacks is a configuration error that names the nearest one.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from detection_support import run_in_process

from isolation_harness.errors import ConfigurationError

OUTSIDE = Path(__file__).resolve().parent / "outside"


def _bulletin() -> object:
    if str(OUTSIDE) not in sys.path:
        sys.path.insert(0, str(OUTSIDE))
    return importlib.import_module("bulletin").create_app(bugs=["notes-list-public"])


def _config(tmp_path: Path, rules: str) -> Path:
    path = tmp_path / "bulletin.toml"
    path.write_text((OUTSIDE / "bulletin.toml").read_text(encoding="utf-8") + "\n" + rules, encoding="utf-8")
    return path


def test_a_rule_for_the_operation_and_kind_allows_public_notes_and_narrower_rules_do_not(
    tmp_path: Path,
) -> None:
    rules = """
[[allow]]
operation = "GET /notes"
field = "title"
reason = "note titles are public"

[[allow]]
operation = "GET /notes"
kind = "cross-tenant-read"
reason = "notes are shared between accounts"

[[allow]]
operation = "get /notes"
kind = "public-exposure"
reason = "the notice board is public on purpose"
"""
    result = run_in_process(_bulletin(), _config(tmp_path, rules))

    assert result.complete and result.errors == []
    found = sorted((f.operation, f.kind.value, f.verdict.value, f.victim, f.allowed) for f in result.findings)
    allowed = (
        "allow rule 3 (operation GET /notes, kind public-exposure): the notice board is public on purpose"
    )
    assert found == [
        ("GET /notes", "public-exposure", "confirmed", "tenant-a", allowed),
        ("GET /notes", "public-exposure", "confirmed", "tenant-b", allowed),
    ]
    assert [f for f in result.findings if f.fails(fail_on_suspected=True)] == []
    # Rule 1 left them alone because the data was in more than the titles.
    for finding in result.findings:
        assert {pointer.rsplit("/", 1)[1] for pointer in finding.pointers} == {"title", "body", "author"}
        assert finding.evidence.startswith("HTTP 200 without credentials: ")


def test_a_pointer_rule_with_wildcards_allows_what_every_place_matches(tmp_path: Path) -> None:
    rules = """
[[allow]]
operation = "GET /notes"
pointer = "/results/-/*"
reason = "every note is public"
"""
    result = run_in_process(_bulletin(), _config(tmp_path, rules))

    assert len(result.findings) == 2
    assert {f.allowed for f in result.findings} == {
        "allow rule 1 (operation GET /notes, pointer /results/-/*): every note is public"
    }


def test_a_rule_for_an_operation_the_api_lacks_names_the_nearest_one(tmp_path: Path) -> None:
    rules = '[[allow]]\noperation = "GET /note"\nreason = "public"\n'
    with pytest.raises(ConfigurationError) as info:
        run_in_process(_bulletin(), _config(tmp_path, rules))
    assert str(info.value) == (
        "allow rule 1: the API has no operation 'GET /note'. Did you mean 'GET /notes'? "
        "Write the label as the harness prints it: 'METHOD /path'."
    )
