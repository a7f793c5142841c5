"""Unit tests for ValueGenerator: schema-valid values that carry the tenant's canary where text fits."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from faker import Faker

from isolation_harness.openapi.model import build_model
from isolation_harness.openapi.values import ValueGenerator, merge_schemas, resolve

CANARY = "ihabcdefghij"


def generator(seed: int | str = 0, canary: str = CANARY) -> ValueGenerator:
    fake = Faker()
    fake.seed_instance(seed)
    return ValueGenerator(fake, canary)


def is_valid(schema: Any, value: Any) -> bool:
    return bool(jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value))


def generate_valid(schema: Any, **kwargs: Any) -> Any:
    value = generator().generate(schema, **kwargs)
    assert is_valid(kwargs.get("root") or schema, value), f"{value!r} does not match {schema!r}"
    return value


def body_schema(schema: dict[str, Any], components: dict[str, Any] | None = None) -> Any:
    """The request body schema of ``POST /things`` as schemathesis hands it to the generator."""
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
                    "responses": {"201": {"description": "created"}},
                }
            }
        },
        "components": {"schemas": components or {}},
    }
    (operation,) = build_model(schemathesis.openapi.from_dict(document)).operations
    return operation.body_schema


# -- formats ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "shape"),
    [
        ("email", rf"^[\w.]+\.{CANARY}@example\.com$"),
        ("idn-email", rf"^[\w.]+\.{CANARY}@example\.com$"),
        ("uuid", r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"),
        ("date-time", r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$"),
        ("date", r"^\d{4}-\d\d-\d\d$"),
        ("time", r"^\d\d:\d\d:\d\dZ$"),
        ("uri", rf"^https://example\.com/{CANARY}/\d+$"),
        ("hostname", rf"^{CANARY}\.example\.com$"),
        ("ipv4", r"^192\.0\.2\.10$"),
        ("ipv6", r"^2001:db8::10$"),
    ],
)
def test_formatted_strings_validate(fmt: str, shape: str) -> None:
    value = generate_valid({"type": "string", "format": fmt})

    assert re.match(shape, value), value


def test_password_format_is_strong() -> None:
    value = generate_valid({"type": "string", "format": "password"})

    assert len(value) == 20
    assert re.search(r"[A-Z]", value) and re.search(r"[a-z]", value) and re.search(r"\d", value)


def test_password_format_respects_max_length() -> None:
    generate_valid({"type": "string", "format": "password", "minLength": 8, "maxLength": 16})


def test_email_format_respects_max_length() -> None:
    generate_valid({"type": "string", "format": "email", "maxLength": 24})


# -- free text and the canary -----------------------------------------------------------------------


def test_free_text_carries_the_canary() -> None:
    value = generate_valid({"type": "string"}, name="description")

    assert CANARY in value


def test_free_text_under_a_short_max_length_drops_the_canary_but_stays_valid() -> None:
    schema = {"type": "string", "maxLength": 6}

    value = generate_valid(schema, name="note")

    assert CANARY not in value
    assert 0 < len(value) <= 6


@pytest.mark.parametrize("max_length", [12, 14, 16])
def test_free_text_keeps_the_canary_down_to_its_own_length(max_length: int) -> None:
    value = generate_valid({"type": "string", "maxLength": max_length})

    assert CANARY in value


def test_letters_only_pattern_still_gets_the_canary() -> None:
    assert generate_valid({"type": "string", "pattern": "^[a-z]+$"}) == CANARY


def test_slug_pattern_gets_a_canary_slug() -> None:
    value = generate_valid({"type": "string", "pattern": "^[a-z0-9-]+$"})

    assert re.fullmatch(rf"{CANARY}-\d+", value)


def test_pattern_that_admits_no_canary_is_generated_from_the_pattern_deterministically() -> None:
    schema = {"type": "string", "pattern": r"^[A-Z]{3}-\d{4}$"}

    value = generate_valid(schema)

    assert CANARY not in value
    assert generator(seed=99).generate(schema) == value


def test_min_length_is_respected() -> None:
    value = generate_valid({"type": "string", "minLength": 3, "maxLength": 40})

    assert CANARY in value


def test_long_min_length_keeps_the_canary() -> None:
    value = generate_valid({"type": "string", "minLength": 40}, name="description")

    assert CANARY in value


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("phone", r"^\+1555\d{7}$"),
        ("mobile_number", r"^\+1555\d{7}$"),
        ("currency", r"^USD$"),
        ("language", r"^en$"),
        ("colour", r"^#336699$"),
        ("country", r"^[A-Z]{2}$"),
    ],
)
def test_well_known_field_names_get_realistic_values(name: str, shape: str) -> None:
    value = generate_valid({"type": "string"}, name=name)

    assert re.match(shape, value), value


def test_free_text_named_like_a_hint_by_accident_keeps_the_canary() -> None:
    assert CANARY in generate_valid({"type": "string"}, name="hotel_name")


# -- enums, consts, examples, numbers ---------------------------------------------------------------


def test_enum_and_const() -> None:
    assert generate_valid({"type": "string", "enum": ["small", "large"]}) == "small"
    assert generate_valid({"enum": [None, "b"]}) == "b"
    assert generate_valid({"const": "fixed"}) == "fixed"


def test_example_is_used_for_non_text_only() -> None:
    assert generate_valid({"type": "integer", "example": 7}) == 7
    assert CANARY in generate_valid({"type": "string", "example": "plain"})


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "integer"},
        {"type": "integer", "minimum": 10},
        {"type": "integer", "maximum": -5},
        {"type": "integer", "minimum": 1, "maximum": 3},
        {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 2},
        {"type": "integer", "minimum": 0, "maximum": 100, "multipleOf": 20},
        {"type": "number"},
        {"type": "number", "minimum": 0.5},
        {"type": "number", "maximum": 0.25},
        {"type": "number", "minimum": -1, "maximum": 1},
        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        {"type": "boolean"},
        {"type": "null"},
    ],
)
def test_numbers_booleans_and_null_validate(schema: dict[str, Any]) -> None:
    generate_valid(schema)


@pytest.mark.parametrize(
    "schema",
    [
        pytest.param(
            {"type": "number", "minimum": 0.01, "maximum": 10000, "multipleOf": 0.01},
            id="number-multipleOf-ignored",
        ),
        pytest.param(
            {"type": "integer", "minimum": 16, "maximum": 21, "multipleOf": 5},
            id="integer-multipleOf-rounds-below-minimum",
        ),
    ],
)
def test_multiple_of_is_respected(schema: dict[str, Any]) -> None:
    generate_valid(schema)


def test_openapi_30_boolean_exclusive_minimum() -> None:
    schema = body_schema(
        {
            "type": "object",
            "required": ["age"],
            "properties": {"age": {"type": "integer", "minimum": 18, "exclusiveMinimum": True}},
        }
    )
    value = generator().generate(schema)

    assert jsonschema_rs.Draft4Validator(schema).is_valid(value), value


# -- objects, arrays, combinators, references -------------------------------------------------------

ADDRESS = {
    "type": "object",
    "required": ["street", "postcode"],
    "properties": {
        "street": {"type": "string", "maxLength": 60},
        "postcode": {"type": "string", "pattern": "^[0-9]{5}$"},
        "country": {"type": "string", "minLength": 2, "maxLength": 2},
    },
    "additionalProperties": False,
}


def test_nested_objects_validate_and_carry_the_canary() -> None:
    schema = {
        "type": "object",
        "required": ["recipient", "address"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "recipient": {"type": "string", "minLength": 1},
            "address": ADDRESS,
            "weight": {"type": "number", "minimum": 0.1, "maximum": 30},
            "express": {"type": "boolean"},
        },
        "additionalProperties": False,
    }

    value = generate_valid(schema)

    assert set(value) == {"recipient", "address", "weight", "express"}  # readOnly `id` is left out
    assert CANARY in value["recipient"]
    assert CANARY in value["address"]["street"]


def test_required_only_leaves_out_optional_properties() -> None:
    value = generate_valid(ADDRESS, required_only=True)

    assert set(value) == {"street", "postcode"}


def test_arrays_respect_min_items() -> None:
    schema = {"type": "array", "items": {"type": "string", "format": "uuid"}, "minItems": 3}

    value = generate_valid(schema)

    assert len(value) == 3


def test_arrays_respect_unique_items() -> None:
    generate_valid(
        {
            "type": "array",
            "minItems": 2,
            "uniqueItems": True,
            "items": {"type": "integer", "minimum": 0, "maximum": 10},
        }
    )


@pytest.mark.parametrize(
    "schema",
    [
        {"anyOf": [{"type": "null"}, {"type": "string", "format": "email"}]},
        {"oneOf": [{"type": "integer", "minimum": 5}, {"type": "null"}]},
        {"type": ["null", "string"], "maxLength": 30},
        {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "null"}]},
    ],
)
def test_nullable_and_any_of_pick_a_non_null_option(schema: dict[str, Any]) -> None:
    assert generate_valid(schema) is not None


def test_all_of_merges_properties_and_required() -> None:
    schema = {
        "allOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "minimum": 3}}},
            {"type": "object", "required": ["b"], "properties": {"b": {"type": "string", "maxLength": 20}}},
        ]
    }

    value = generate_valid(schema, required_only=True)

    assert set(value) == {"a", "b"}


def test_ref_into_components_resolves_against_the_root() -> None:
    document = {
        "components": {
            "schemas": {
                "Order": {
                    "type": "object",
                    "required": ["to"],
                    "properties": {
                        "to": {"$ref": "#/components/schemas/Address"},
                        "note": {"type": "string"},
                    },
                },
                "Address": ADDRESS,
            }
        }
    }
    schema = {"$ref": "#/components/schemas/Order"}

    value = generator().generate(schema, root=document)

    assert is_valid({**document, **schema}, value)
    assert CANARY in value["to"]["street"]


def test_ref_into_x_bundled_from_schemathesis() -> None:
    schema = body_schema(
        {"$ref": "#/components/schemas/Parcel"},
        {
            "Parcel": {
                "type": "object",
                "required": ["label", "contents"],
                "properties": {
                    "label": {"type": "string", "nullable": True, "maxLength": 40},
                    "contents": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
                    "sender": {"type": "string", "format": "email"},
                },
            },
            "Item": {
                "type": "object",
                "properties": {"sku": {"type": "string", "pattern": "^[A-Z]{2}[0-9]{3}$"}},
            },
        },
    )
    assert "x-bundled" in schema

    value = generator().generate(schema)

    assert is_valid(schema, value), value
    assert CANARY in value["label"]
    assert CANARY in value["sender"]


def test_recursive_schema_stays_valid() -> None:
    schema = {
        "$defs": {
            "Folder": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/Folder"}},
                },
            }
        },
        "$ref": "#/$defs/Folder",
    }

    generate_valid(schema)


def test_resolve_follows_chained_and_escaped_refs() -> None:
    root = {"defs": {"a/b": {"$ref": "#/defs/c~0d"}, "c~d": {"type": "integer"}}}

    assert resolve({"$ref": "#/defs/a~1b", "minimum": 3}, root) == {"type": "integer", "minimum": 3}
    assert resolve({"$ref": "other.json#/x", "minimum": 3}, root) == {"minimum": 3}


def test_merge_schemas_unions_required_and_properties() -> None:
    merged = merge_schemas(
        {"required": ["b"], "properties": {"b": {}}}, {"required": ["a", "b"], "properties": {"a": {}}}
    )

    assert merged == {"required": ["a", "b"], "properties": {"b": {}, "a": {}}}
    assert merge_schemas({"x": 1}, "not a schema") == {"x": 1}


# -- determinism ------------------------------------------------------------------------------------

MIXED = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "note": {"type": "string"},
        "count": {"type": "integer"},
        "email": {"type": "string", "format": "email"},
        "postcode": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
    },
}


def test_same_seed_gives_the_same_values() -> None:
    assert generator(7).generate(MIXED) == generator(7).generate(MIXED)


def test_different_seeds_give_different_values() -> None:
    assert generator(7).generate(MIXED) != generator(8).generate(MIXED)


def test_each_free_text_value_is_distinct() -> None:
    value = generator().generate(MIXED)

    assert value["tags"][0] != value["tags"][1]
