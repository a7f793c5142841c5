"""The isolation config's JSON Schema: valid, shipped in the package, documented, and the one list of keys."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

import isolation_harness.config
from isolation_harness.config import CONFIG_SCHEMA, CONFIG_SCHEMA_PATH, load_config
from isolation_harness.config.schema import known_keys

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*/isolation.toml"))


def keys(node: Mapping[str, Any], where: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every key the schema documents (``tenants.login.token``), with its schema: array items, the
    values of free-form tables and ``$defs`` included."""
    for name, schema in node.get("properties", {}).items():
        yield f"{where}{name}", schema
        yield from keys(schema, f"{where}{name}.")
    for name in ("items", "additionalProperties"):
        if isinstance(node.get(name), Mapping):
            yield f"{where}{name}", node[name]
            yield from keys(node[name], f"{where}{name}.")
    for name, schema in node.get("$defs", {}).items():
        yield f"$defs.{name}", schema
        yield from keys(schema, f"$defs.{name}.")


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert CONFIG_SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema_rs.meta.validate(dict(CONFIG_SCHEMA))
    jsonschema_rs.validator_for(dict(CONFIG_SCHEMA))


def test_the_schema_file_ships_inside_the_package() -> None:
    assert CONFIG_SCHEMA_PATH.parent == Path(isolation_harness.config.__file__).parent
    assert json.loads(CONFIG_SCHEMA_PATH.read_text(encoding="utf-8")) == CONFIG_SCHEMA


def test_every_key_has_a_description() -> None:
    undocumented = [
        name
        for name, schema in keys(CONFIG_SCHEMA)
        if "$ref" not in schema and not str(schema.get("description", "")).strip()
    ]
    assert len(dict(keys(CONFIG_SCHEMA))) > 30
    assert undocumented == []


def test_every_key_has_a_type_or_a_reference() -> None:
    assert [
        name for name, schema in keys(CONFIG_SCHEMA) if "type" not in schema and "$ref" not in schema
    ] == []


def test_every_table_with_keys_rejects_unknown_keys() -> None:
    tables = [(name, schema) for name, schema in keys(CONFIG_SCHEMA) if "properties" in schema]
    assert CONFIG_SCHEMA["additionalProperties"] is False
    assert [name for name, schema in tables if schema.get("additionalProperties") is not False] == []


def test_key_lists_come_from_the_schema() -> None:
    assert known_keys() == ("api", "tenants", "campaign", "allow", "hooks")
    assert known_keys(["api"]) == ("openapi_path", "exclude", "references", "shares")
    assert known_keys(["api", "shares", 0]) == ("operation", "body", "query")
    assert known_keys(["tenants"]) == ("count", "signup", "login", "teardown", "auth", "accounts")
    assert known_keys(["tenants", "login"]) == (
        "operation",
        "body",
        "token",
        "token_header",
        "token_cookie",
        "media_type",
    )
    assert known_keys(["tenants", "teardown"]) == ("operation", "body", "media_type")
    assert known_keys(["tenants", "auth"]) == ("header", "prefix", "cookie", "query")
    assert known_keys(["tenants", "accounts", 3]) == ("name", "token_env")
    assert known_keys(["campaign"]) == ("fail_on", "timeout", "retries", "backoff")


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.parent.name for path in EXAMPLES])
def test_every_example_config_validates(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    assert jsonschema_rs.validator_for(dict(CONFIG_SCHEMA)).is_valid(data)
    assert load_config(path).provisioner is not None


def test_there_are_example_configs() -> None:
    assert [path.parent.name for path in EXAMPLES] == [
        "dispatch_api",
        "drf_api",
        "helpdesk_api",
        "notebook_api",
    ]
