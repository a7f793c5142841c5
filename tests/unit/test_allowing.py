"""Allow rules: what a rule allows and what it leaves alone, and how the config spells them."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from isolation_harness import AllowRule
from isolation_harness.allowing import allowed_by, pointer_segments
from isolation_harness.config import CONFIG_SCHEMA, parse_config
from isolation_harness.errors import ConfigurationError
from isolation_harness.model import Finding, FindingKind, Verdict

WHERE = Path("isolation.toml")

CATALOGUE = Finding(
    operation="GET /catalog/{item_id}",
    kind=FindingKind.READ,
    verdict=Verdict.CONFIRMED,
    oracle="canary",
    attacker="tenant-a",
    victim="tenant-b",
    slot="path item_id",
    status=200,
    evidence="HTTP 200: tenant-b's canary ih… in body /items/0/name",
    reproduction="curl ...",
    pointers=("/items/0/name", "/items/3/name"),
)


def finding(**changes: Any) -> Finding:
    return dataclasses.replace(CATALOGUE, **changes)


# -- matching: must catch ---------------------------------------------------------------------------


def test_an_operation_rule_allows_every_finding_of_the_operation() -> None:
    rule = AllowRule("GET /catalog/{item_id}", "the catalogue is public")
    assert rule.matches(CATALOGUE)
    assert rule.matches(finding(pointers=()))
    assert allowed_by([rule], CATALOGUE) == (
        "allow rule 1 (operation GET /catalog/{item_id}): the catalogue is public"
    )


def test_a_field_rule_allows_a_finding_whose_every_pointer_ends_with_the_field() -> None:
    rule = AllowRule("GET /catalog/{item_id}", "item names are public", field="name")
    assert rule.matches(CATALOGUE)
    assert rule.matches(finding(pointers=("/name",)))


def test_a_pointer_rule_with_wildcards_matches_any_index_or_key() -> None:
    for pattern in ("/items/*/name", "/items/-/name", "/*/*/name", "/items/0/name"):
        assert AllowRule("GET /catalog/{item_id}", "public", pointer=pattern).matches(
            finding(pointers=("/items/0/name",))
        ), pattern
    # Escaped segments are compared unescaped: "/" as ~1, "~" as ~0.
    rule = AllowRule("GET /catalog/{item_id}", "public", pointer="/a~1b/*/c~0d")
    assert rule.matches(finding(pointers=("/a~1b/7/c~0d",)))


def test_the_first_matching_rule_is_named_with_what_it_matched() -> None:
    rules = [
        AllowRule("GET /orders", "not this one"),
        AllowRule("GET /catalog/{item_id}", "public listing", kind=FindingKind.READ, pointer="/items/*/name"),
        AllowRule("GET /catalog/{item_id}", "a later rule"),
    ]
    assert allowed_by(rules, CATALOGUE) == (
        "allow rule 2 (operation GET /catalog/{item_id}, kind cross-tenant-read, pointer /items/*/name): "
        "public listing"
    )


# -- matching: must leave alone ---------------------------------------------------------------------


def test_a_rule_leaves_other_operations_alone() -> None:
    rule = AllowRule("GET /catalog", "the list is public", field="name")
    assert not rule.matches(CATALOGUE)
    assert allowed_by([rule], CATALOGUE) == ""


def test_a_field_rule_leaves_alone_a_finding_with_data_in_another_field() -> None:
    rule = AllowRule("GET /catalog/{item_id}", "item names are public", field="name")
    assert not rule.matches(finding(pointers=("/items/0/name", "/items/0/owner_email")))
    # A field named like the end of another is another field.
    assert not rule.matches(finding(pointers=("/items/0/display_name",)))


def test_a_field_or_pointer_rule_leaves_alone_a_finding_that_does_not_say_where() -> None:
    # Status-only and write findings, and data seen in a header, have no pointer: nothing shows
    # that the data was only where the rule allows it.
    pointerless = finding(pointers=())
    assert not AllowRule("GET /catalog/{item_id}", "public", field="name").matches(pointerless)
    assert not AllowRule("GET /catalog/{item_id}", "public", pointer="/items/*/name").matches(pointerless)


def test_a_pointer_rule_leaves_alone_other_places_and_depths() -> None:
    rule = AllowRule("GET /catalog/{item_id}", "public", pointer="/items/*/name")
    assert not rule.matches(finding(pointers=("/items/0/email",)))
    assert not rule.matches(finding(pointers=("/items/0/name/first",)))
    assert not rule.matches(finding(pointers=("/items/name",)))
    assert not rule.matches(finding(pointers=("/items/0/name", "/owner/name")))


def test_a_kind_rule_leaves_other_kinds_alone() -> None:
    rule = AllowRule("GET /catalog/{item_id}", "anyone may read it", kind=FindingKind.PUBLIC)
    assert not rule.matches(CATALOGUE)
    assert rule.matches(finding(kind=FindingKind.PUBLIC, attacker="anonymous"))


def test_an_allowed_finding_keeps_its_verdict_and_never_fails() -> None:
    allowed = finding(allowed="allow rule 1 (operation GET /catalog/{item_id}): public")
    assert allowed.verdict is Verdict.CONFIRMED
    assert not allowed.fails(fail_on_suspected=True)
    assert CATALOGUE.fails(fail_on_suspected=False)


def test_pointer_segments_unescape_rfc_6901() -> None:
    assert pointer_segments("") == []
    assert pointer_segments("/") == [""]
    assert pointer_segments("/a~1b/0/c~0d") == ["a/b", "0", "c~d"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"operation": " ", "reason": "x"}, "AllowRule(operation=' '): name an operation, 'METHOD /path'."),
        (
            {"operation": "GET /x", "reason": ""},
            "AllowRule(operation='GET /x', reason=''): say why this data is public on purpose.",
        ),
        (
            {"operation": "GET /x", "reason": "r", "field": "name", "pointer": "/name"},
            "AllowRule(field='name', pointer='/name'): give a field or a pointer, not both.",
        ),
        (
            {"operation": "GET /x", "reason": "r", "pointer": "items/*/name"},
            "AllowRule(pointer='items/*/name'): a JSON pointer starts with '/', such as '/items/*/name'.",
        ),
        (
            {"operation": "GET /x", "reason": "r", "kind": "public-exposure"},
            "AllowRule(kind='public-exposure') must be a FindingKind, such as FindingKind.PUBLIC.",
        ),
    ],
)
def test_a_rule_made_in_code_is_validated(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        AllowRule(**arguments)
    assert str(info.value) == message


# -- the config's [[allow]] tables ------------------------------------------------------------------


def config_error(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigurationError) as info:
        parse_config(data, path=WHERE)
    return str(info.value)


def test_allow_tables_are_read_into_rules() -> None:
    config = parse_config(
        {
            "allow": [
                {
                    "operation": "get  /catalog/{item_id}",
                    "field": "name",
                    "reason": " item names are public ",
                },
                {
                    "operation": "GET /notes",
                    "kind": "public-exposure",
                    "pointer": "/results/*/title",
                    "reason": "r",
                },
            ]
        }
    )
    assert config.allow == (
        AllowRule("GET /catalog/{item_id}", "item names are public", field="name"),
        AllowRule("GET /notes", "r", pointer="/results/*/title", kind=FindingKind.PUBLIC),
    )


def test_the_kinds_the_schema_offers_are_the_finding_kinds() -> None:
    kind = CONFIG_SCHEMA["properties"]["allow"]["items"]["properties"]["kind"]
    assert kind["enum"] == [item.value for item in FindingKind]


def test_a_misspelt_key_in_an_allow_table_names_the_right_one() -> None:
    assert config_error({"allow": [{"operation": "GET /x", "feild": "name", "reason": "r"}]}) == (
        "isolation.toml: unknown key 'feild' in [allow[0]]. Did you mean 'field'? "
        "Known keys: operation, field, pointer, kind, reason."
    )


def test_a_misspelt_top_level_allow_names_the_right_one() -> None:
    assert config_error({"alow": [{"operation": "GET /x", "reason": "r"}]}) == (
        "isolation.toml: unknown key 'alow' in the top level. Did you mean 'allow'? "
        "Known keys: api, tenants, campaign, allow, hooks."
    )


@pytest.mark.parametrize(
    ("allow", "message"),
    [
        (
            [{"operation": "GET /x"}],
            "isolation.toml: allow[0].reason is missing; it must be a sentence saying why the data is "
            "public on purpose.",
        ),
        (
            [{"operation": "GET /x", "reason": "   "}],
            "isolation.toml: allow[0].reason must be a sentence saying why the data is public on purpose, "
            "got '   '.",
        ),
        (
            [{"reason": "r"}],
            "isolation.toml: allow[0].operation is missing; it must be 'METHOD /path' "
            '(e.g. "POST /auth/login").',
        ),
        (
            [{"operation": "GET /x", "reason": "r", "kind": "public"}],
            'isolation.toml: allow[0].kind must be one of "cross-tenant-read", "cross-tenant-write", '
            '"cross-tenant-delete", "cross-tenant-write-accepted", "public-exposure" or "shared-cache", got \'public\'.',
        ),
        (
            [{"operation": "GET /x", "reason": "r", "pointer": "items/*"}],
            "isolation.toml: allow[0].pointer must be a JSON pointer starting with '/', like "
            "\"/items/*/name\", got 'items/*'.",
        ),
        (
            [{"operation": "GET /x", "reason": "r", "field": "name", "pointer": "/name"}],
            "isolation.toml: [allow[0]] sets both field and pointer. Keep one: field matches a field of "
            "that name anywhere in the body, pointer one place in it.",
        ),
        (
            {"operation": "GET /x", "reason": "r"},
            "isolation.toml: allow must be a list of tables, one per rule, got "
            "{'operation': 'GET /x', 'reason': 'r'}. Write each as:\n[[allow]]\n"
            'operation = "GET /catalog/{item_id}"\nfield = "name"\n'
            'reason = "the catalogue is the same for every account"',
        ),
    ],
)
def test_allow_table_errors_say_what_to_write(allow: Any, message: str) -> None:
    assert config_error({"allow": allow}) == message
