"""Baselines: fingerprints that ignore who the tenants are, files that round-trip byte for byte, and
errors that say what is wrong with a file."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from isolation_harness import Baseline, CampaignResult
from isolation_harness.config import resolve_settings
from isolation_harness.errors import ConfigurationError
from isolation_harness.model import Finding, FindingKind, Verdict
from isolation_harness.runner import prepare

READ = Finding(
    operation="GET /receipts/{receipt_id}",
    kind=FindingKind.READ,
    verdict=Verdict.CONFIRMED,
    oracle="canary",
    attacker="tenant-a",
    victim="tenant-b",
    slot="path receipt_id (guessed next to tenant-a's own)",
    status=200,
    evidence="HTTP 200: tenant-b's canary ihabc in body /recipient_name",
    reproduction="curl ...",
    pointers=("/recipient_name",),
)
WRITE = dataclasses.replace(
    READ,
    operation="PATCH /orders/{order_id}",
    kind=FindingKind.WRITE,
    oracle="write-effect",
    slot="path order_id",
    pointers=(),
)


def test_the_fingerprint_ignores_tenant_names_and_the_direction() -> None:
    other_names = dataclasses.replace(
        READ, attacker="acme", victim="globex", slot="path receipt_id (guessed next to acme's own)"
    )
    other_way = dataclasses.replace(
        READ, attacker="tenant-b", victim="tenant-a", slot="path receipt_id (guessed next to tenant-b's own)"
    )
    assert READ.generic_slot == "path receipt_id (guessed next to <attacker>'s own)"
    assert READ.fingerprint == other_names.fingerprint == other_way.fingerprint
    assert len(READ.fingerprint) == 16 and int(READ.fingerprint, 16) >= 0


def test_the_fingerprint_ignores_evidence_but_not_what_leaked_where() -> None:
    assert dataclasses.replace(READ, evidence="other canary", status=404).fingerprint == READ.fingerprint
    assert dataclasses.replace(READ, slot="query receipt_id").fingerprint != READ.fingerprint
    assert dataclasses.replace(READ, oracle="owner-view").fingerprint != READ.fingerprint
    assert WRITE.fingerprint != READ.fingerprint


def test_a_tenant_name_inside_another_word_is_left_alone() -> None:
    named_a = dataclasses.replace(
        READ, attacker="a", victim="b", slot="body /data's (guessed next to a's own)"
    )
    assert named_a.generic_slot == "body /data's (guessed next to <attacker>'s own)"
    anonymous = dataclasses.replace(
        READ,
        kind=FindingKind.PUBLIC,
        attacker="anonymous",
        victim="tenant-a",
        slot="(no credentials, tenant-a's identifiers)",
    )
    assert anonymous.generic_slot == "(no credentials, <victim>'s identifiers)"


def test_a_baseline_accepts_its_findings_and_nothing_else() -> None:
    baseline = Baseline.from_findings([READ])
    assert baseline.accepts(READ)
    assert baseline.accepts(
        dataclasses.replace(READ, attacker="tenant-b", victim="tenant-a", slot=READ.slot.replace("-a", "-b"))
    )
    assert not baseline.accepts(WRITE)
    # Findings an allow rule accepts need no baseline entry.
    assert len(Baseline.from_findings([dataclasses.replace(WRITE, allowed="allow rule 1 (...): r")])) == 0


def test_the_file_round_trips_and_is_the_same_bytes_whatever_the_order(tmp_path: Path) -> None:
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    other_way = dataclasses.replace(
        READ, attacker="tenant-b", victim="tenant-a", slot="path receipt_id (guessed next to tenant-b's own)"
    )
    Baseline.from_result(CampaignResult(findings=[READ, WRITE, other_way])).write(first)
    Baseline.from_findings([WRITE, other_way, READ]).write(second)
    assert first.read_bytes() == second.read_bytes()
    assert json.loads(first.read_text()) == {
        "version": 1,
        "findings": [
            {
                "fingerprint": READ.fingerprint,
                "operation": "GET /receipts/{receipt_id}",
                "kind": "cross-tenant-read",
                "oracle": "canary",
                "slot": "path receipt_id (guessed next to <attacker>'s own)",
            },
            {
                "fingerprint": WRITE.fingerprint,
                "operation": "PATCH /orders/{order_id}",
                "kind": "cross-tenant-write",
                "oracle": "write-effect",
                "slot": "path order_id",
            },
        ],
    }
    loaded = Baseline.load(first)
    assert loaded.fingerprints == {READ.fingerprint, WRITE.fingerprint}
    assert loaded.accepts(READ) and loaded.accepts(WRITE)
    loaded.write(second)
    assert second.read_bytes() == first.read_bytes()


def load_error(path: Path) -> str:
    with pytest.raises(ConfigurationError) as info:
        Baseline.load(path)
    assert info.value.setting == "baseline"
    return str(info.value)


def test_a_missing_file_says_where_it_was_looked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_error(Path("nope.json")) == (
        f"Baseline file not found: 'nope.json' (resolved to {tmp_path / 'nope.json'}). Check "
        "--isolation-baseline (or ISOLATION_BASELINE), or write one with `isolation-harness baseline`."
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "{not json",
            "not a baseline file: invalid JSON (Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)).",
        ),
        ("[]", 'not a baseline file: no "version".'),
        ('{"findings": []}', 'not a baseline file: no "version".'),
        (
            '{"version": 2, "findings": []}',
            "baseline version 2 is not supported (this isolation-harness reads version 1).",
        ),
        ('{"version": 1, "findings": {}}', '"findings" must be a list, got {}.'),
        (
            '{"version": 1, "findings": [{"operation": "GET /x"}]}',
            "findings[0] has no fingerprint: {'operation': 'GET /x'}.",
        ),
    ],
)
def test_a_bad_file_says_what_is_wrong(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(text)
    assert load_error(path) == f"{path}: {problem} Write it again with `isolation-harness baseline`."


def test_the_runner_reads_the_baseline_before_it_reaches_the_api(tmp_path: Path) -> None:
    settings: dict[str, Any] = {
        "schema": "http://127.0.0.1:9/openapi.json",
        "baseline": str(tmp_path / "b.json"),
    }
    config = tmp_path / "isolation.toml"
    config.write_text('[tenants.login]\noperation = "POST /login"\n')
    settings["config"] = str(config)
    with pytest.raises(ConfigurationError) as info:
        prepare(resolve_settings(settings, {}, {}))
    assert str(info.value).startswith(f"Baseline file not found: '{tmp_path / 'b.json'}'")
    assert "--isolation-baseline (or ISOLATION_BASELINE)" in str(info.value)
    env = resolve_settings({}, {"ISOLATION_BASELINE": "accepted.json"}, {})
    assert (env["baseline"].value, env["baseline"].source) == ("accepted.json", "env")
