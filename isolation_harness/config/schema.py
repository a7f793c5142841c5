"""The isolation config's JSON Schema, shipped as ``config.schema.json``, and its errors in words.

The schema is the one list of the config's keys, their types and their documentation; editors read
the same file. Validation is jsonschema_rs's; this module turns its first error into a
:class:`ConfigurationError` that names the file, the key and the value, and says what to write.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs

from ..errors import ConfigurationError, did_you_mean

CONFIG_SCHEMA_PATH = Path(__file__).with_name("config.schema.json")
"""The JSON Schema (draft 2020-12) of the isolation config, for editors and other tools."""

CONFIG_SCHEMA: Mapping[str, Any] = json.loads(CONFIG_SCHEMA_PATH.read_text(encoding="utf-8"))
"""The schema, parsed."""

_VALIDATOR = jsonschema_rs.validator_for(dict(CONFIG_SCHEMA))
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a table",
    "array": "an array",
}

KeyPath = Sequence[str | int]


@dataclass(frozen=True)
class Source:
    """Where a config is, for messages: the file, and the table that holds the config in it."""

    file: str = "isolation config"
    table: str = ""

    def key(self, path: KeyPath) -> str:
        """A key as written in the file: ``tenants.accounts[0].name``."""
        return _dotted([*(self.table.split(".") if self.table else ()), *path])

    def header(self, path: KeyPath) -> str:
        """A table as written in the file: ``[tenants.login]``; the file's top level by name."""
        return f"[{self.key(path)}]" if path or self.table else "the top level"


def schema_at(path: KeyPath) -> Mapping[str, Any]:
    """The part of the schema that describes the value at ``path`` (empty where nothing does)."""
    node = _resolved(CONFIG_SCHEMA)
    for step in path:
        if isinstance(step, int):
            below = node.get("items", {})
        elif step in node.get("properties", {}):
            below = node["properties"][step]
        else:
            below = node.get("additionalProperties", {})
        node = _resolved(below if isinstance(below, Mapping) else {})
    return node


def known_keys(path: KeyPath = ()) -> tuple[str, ...]:
    """The keys the table at ``path`` may hold, in the schema's order."""
    return tuple(schema_at(path).get("properties", {}))


def check(data: Mapping[str, Any], source: Source) -> None:
    """Raise a :class:`ConfigurationError` for the first way ``data`` breaks the schema."""
    errors = list(_VALIDATOR.iter_errors(_json(data)))
    if not errors:
        return
    # The shallowest error first, and there an unknown key first (a typo often causes the rest),
    # then the first in the file.
    error = min(
        errors,
        key=lambda e: (
            len(e.instance_path),
            e.schema_path[-1] != "additionalProperties",
            _position(data, e.instance_path),
        ),
    )
    path = list(error.instance_path)
    keyword = error.schema_path[-1]
    if keyword == "additionalProperties":
        raise _unknown_key(data, path, source)
    if keyword == "required":
        raise _missing_key(data, path, source)
    raise _bad_value(_value_at(data, path), path, source)


def _unknown_key(data: Mapping[str, Any], path: list[str | int], source: Source) -> ConfigurationError:
    table = _value_at(data, path)
    known = known_keys(path)
    key = next(key for key in table if key not in known)
    fix = f"{did_you_mean(key, known)} Known keys: {', '.join(known)}.".lstrip()
    return ConfigurationError(
        f"{source.file}: unknown key {key!r} in {source.header(path)}. {fix}",
        setting=_dotted([*path, key]),
        value=table[key],
        fix=fix,
    )


def _missing_key(data: Mapping[str, Any], path: list[str | int], source: Source) -> ConfigurationError:
    table = _value_at(data, path)
    key = next(key for key in schema_at(path).get("required", ()) if key not in table)
    expected = _expected(schema_at([*path, key]))
    return ConfigurationError(
        f"{source.file}: {source.key([*path, key])} is missing; it must be {expected}.",
        setting=_dotted([*path, key]),
        fix=f"Set {source.key([*path, key])} to {expected}.",
    )


def _bad_value(value: Any, path: list[str | int], source: Source) -> ConfigurationError:
    schema = schema_at(path)
    expected = _expected(schema)
    # A table with keys of its own is named as its header; an array's item as a key.
    is_section = "properties" in schema and not (path and isinstance(path[-1], int))
    name = source.header(path) if is_section else source.key(path)
    fix = schema.get("x-fix")
    return ConfigurationError(
        f"{source.file}: {name} must be {expected}, got {value!r}.{f' {fix}' if fix else ''}",
        setting=_dotted(path) or None,
        value=value,
        fix=fix or f"Set {source.key(path)} to {expected}.",
    )


def _expected(schema: Mapping[str, Any]) -> str:
    if "x-expected" in schema:
        return str(schema["x-expected"])
    types = schema.get("type", "object")
    return " or ".join(_TYPE_WORDS[kind] for kind in ([types] if isinstance(types, str) else types))


def _resolved(node: Mapping[str, Any]) -> Mapping[str, Any]:
    """``node`` with its ``$ref`` (only local ones: ``#/$defs/...``) merged in; its own keys win."""
    if "$ref" not in node:
        return node
    target: Any = CONFIG_SCHEMA
    for part in str(node["$ref"]).removeprefix("#/").split("/"):
        target = target[part]
    return {**_resolved(target), **{key: value for key, value in node.items() if key != "$ref"}}


def _json(value: Any) -> Any:
    """``value`` as JSON: TOML's dates and times become their text (messages show the original)."""
    if isinstance(value, Mapping):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value


def _value_at(data: Any, path: KeyPath) -> Any:
    for step in path:
        data = data[step]
    return data


def _position(data: Any, path: KeyPath) -> tuple[int, ...]:
    """Where ``path`` is in the file: the index of each key among its table's keys."""
    position = []
    for step in path:
        position.append(step if isinstance(step, int) else list(data).index(step))
        data = data[step]
    return tuple(position)


def _dotted(path: KeyPath) -> str:
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            key = step if _BARE_KEY.fullmatch(step) else json.dumps(step)
            text += f".{key}" if text else key
    return text
