"""Generated data is private: visibility fields take the value that keeps an object to its owner, and
declared defaults and examples are preferred to made-up values (free text keeps the canary)."""

from __future__ import annotations

from typing import Any

import pytest
from faker import Faker

from isolation_harness.openapi.values import ValueGenerator

CANARY = "ihprivatecan"


def generate(properties: dict[str, Any]) -> dict[str, Any]:
    fake = Faker()
    fake.seed_instance(0)
    value = ValueGenerator(fake, CANARY).generate({"type": "object", "properties": properties})
    assert isinstance(value, dict)
    return value


@pytest.mark.parametrize(
    ("name", "schema", "private"),
    [
        ("is_public", {"type": "boolean"}, False),
        ("isPublished", {"type": "boolean", "example": True}, False),
        ("shared", {"type": "boolean", "default": True}, False),
        ("is_template", {"type": "boolean"}, False),
        ("link_access", {"type": "boolean", "description": "Anyone can read a public document"}, False),
        ("is_private", {"type": "boolean", "default": False}, True),
        ("visibility", {"type": "string", "enum": ["public", "private"]}, "private"),
        ("audience", {"type": "string", "enum": ["everyone", "friends", "only_me"]}, "only_me"),
        ("status", {"type": "string", "enum": ["draft", "published"], "default": "published"}, "draft"),
        ("scope", {"type": "string", "enum": ["global", "team"]}, "team"),
        ("visibility", {"type": "string", "maxLength": 20}, "private"),
        ("share", {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": True}, False),
    ],
)
def test_a_visibility_field_gets_its_private_value(name: str, schema: dict[str, Any], private: Any) -> None:
    assert generate({name: schema})[name] == private


@pytest.mark.parametrize(
    ("name", "schema", "value"),
    [
        ("active", {"type": "boolean"}, True),
        ("active", {"type": "boolean", "default": False}, False),
        ("status", {"type": "string", "enum": ["open", "closed"]}, "open"),
        ("status", {"type": "string", "enum": ["open", "closed"], "default": "closed"}, "closed"),
        ("priority", {"type": "string", "enum": ["low", "high"], "example": "high"}, "high"),
        ("page_size", {"type": "integer", "default": 25, "maximum": 100}, 25),
        ("ratio", {"type": "number", "examples": [0.25]}, 0.25),
        ("due", {"type": "string", "format": "date", "example": "2030-05-06"}, "2030-05-06"),
    ],
)
def test_other_fields_take_their_default_or_example(name: str, schema: dict[str, Any], value: Any) -> None:
    assert generate({name: schema})[name] == value


def test_free_text_keeps_the_canary_over_its_default_and_an_unfitting_default_is_ignored() -> None:
    body = generate(
        {
            "title": {"type": "string", "default": "Untitled"},
            "page_size": {"type": "integer", "default": "many"},
            "code": {"type": "string", "format": "date", "default": "not a date at all", "maxLength": 10},
        }
    )

    assert CANARY in body["title"]
    assert isinstance(body["page_size"], int)
    assert body["code"] == "2026-01-02"


def test_nested_objects_and_array_items_are_private_too() -> None:
    body = generate(
        {
            "settings": {"type": "object", "properties": {"is_public": {"type": "boolean", "default": True}}},
            "pages": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"visibility": {"enum": ["public", "unlisted", "private"]}},
                },
            },
        }
    )

    assert body == {"settings": {"is_public": False}, "pages": [{"visibility": "private"}]}


def test_a_minimal_body_still_says_private_and_leaves_other_optional_fields_out() -> None:
    fake = Faker()
    fake.seed_instance(0)
    schema = {
        "type": "object",
        "required": ["title"],
        "properties": {
            "title": {"type": "string"},
            "is_public": {"type": "boolean", "default": True},
            "visibility": {"type": "string", "enum": ["public", "private"]},
            "active": {"type": "boolean"},
            "notes": {"type": "string"},
        },
    }

    body = ValueGenerator(fake, CANARY).generate(schema, required_only=True)

    assert {key: body[key] for key in body if key != "title"} == {"is_public": False, "visibility": "private"}
