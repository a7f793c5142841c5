"""Valid request values generated from JSON Schema, with a tenant's canary in every free-text field.

Deterministic for a given Faker seed. Formats, patterns, lengths, bounds and enums are respected;
a value is only given a canary where the schema admits one, and every generated value is checked
against its schema, falling back to a plainer value when a richer one does not fit.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any

from faker import Faker

from .._hypothesis import private_storage
from .privacy import private_boolean, private_level, private_option

JsonSchema = dict[str, Any]

_MAX_DEPTH = 8


class ValueGenerator:
    """Generates schema-valid values that carry one tenant's canary wherever text fits it."""

    def __init__(self, fake: Faker, canary: str) -> None:
        self.fake = fake
        self.canary = canary
        self._counter = 0

    def generate(self, schema: Any, *, root: Any = None, name: str = "", required_only: bool = False) -> Any:
        """A value for ``schema``; ``root`` is the document its local ``$ref``s resolve against."""
        return self._value(schema, root if root is not None else schema, name, 0, required_only)

    # -- dispatch -------------------------------------------------------------------------------

    def _value(self, schema: Any, root: Any, name: str, depth: int, required_only: bool) -> Any:
        schema = resolve(schema, root)
        if not isinstance(schema, dict):
            return self._string(name, {})
        if depth > _MAX_DEPTH:
            # Deep in a recursive schema: the smallest value that is still valid.
            required_only = True
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return _enum_value(schema, name)
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema:
                options = [resolve(option, root) for option in schema[keyword]]
                chosen = next(
                    (o for o in options if isinstance(o, dict) and _type_of(o) != "null"), options[0]
                )
                merged = {k: v for k, v in schema.items() if k != keyword}
                return self._value({**merged, **chosen}, root, name, depth + 1, required_only)
        if "allOf" in schema:
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                merged = merge_schemas(merged, resolve(part, root))
            return self._value(merged, root, name, depth + 1, required_only)
        kind = _type_of(schema)
        if kind == "boolean":
            private = private_boolean(schema, name)
            if private is not None:
                return private
        given = _given(schema, kind)
        if given:
            return given[0]
        if kind == "object" or (kind is None and "properties" in schema):
            return self._object(schema, root, depth, required_only)
        if kind == "array":
            items = schema.get("items", {})
            minimum = int(schema.get("minItems", 0))
            count = minimum if depth > _MAX_DEPTH else max(1, minimum)
            values = [self._value(items, root, name, depth + 1, required_only) for _ in range(count)]
            if schema.get("uniqueItems"):
                values = _distinct(values)
            return values
        if kind == "integer":
            return int(self._number(schema, integer=True))
        if kind == "number":
            return self._number(schema, integer=False)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return self._string(name, schema)

    def _object(self, schema: JsonSchema, root: Any, depth: int, required_only: bool) -> dict[str, Any]:
        required = set(schema.get("required", []))
        out: dict[str, Any] = {}
        for key, subschema in schema.get("properties", {}).items():
            resolved = resolve(subschema, root)
            if isinstance(resolved, dict) and resolved.get("readOnly"):
                continue
            # A minimal body still says "private": left out, the server's default may publish the object.
            if key in required or not required_only or _about_visibility(resolved, key):
                out[key] = self._value(subschema, root, key, depth + 1, required_only)
        return out

    # -- scalars --------------------------------------------------------------------------------

    def _number(self, schema: JsonSchema, *, integer: bool) -> float:
        low, high = schema.get("minimum"), schema.get("maximum")
        step = 1 if integer else 0.5
        exclusive_low, exclusive_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        # OpenAPI 3.0 spells exclusivity as booleans next to minimum/maximum; 3.1 as numbers.
        if exclusive_low is True and low is not None:
            low = low + step
        elif isinstance(exclusive_low, (int, float)) and not isinstance(exclusive_low, bool):
            low = exclusive_low + step
        if exclusive_high is True and high is not None:
            high = high - step
        elif isinstance(exclusive_high, (int, float)) and not isinstance(exclusive_high, bool):
            high = exclusive_high - step
        if low is None and high is None:
            value: float = 1 + self.fake.random_int(1, 50)
        elif low is None:
            value = min(1.0, float(high or 0))
        elif high is None:
            value = low + step
        else:
            value = low + (high - low) / 2
        multiple = schema.get("multipleOf")
        if isinstance(multiple, (int, float)) and not isinstance(multiple, bool) and multiple > 0:
            value = _round_to_multiple(value, multiple, low, high)
        return int(value) if integer else value

    def file_text(self, name: str) -> str:
        """The content of a small generated file for a ``multipart/form-data`` file field."""
        self._counter += 1
        return f"{self.fake.word().capitalize()} {self.canary} {name} {self._counter}\n"

    def _string(self, name: str, schema: JsonSchema) -> str:
        level = private_level(name)
        if level is not None and _is_textual(schema) and _fits(level, schema):
            return level
        fmt = schema.get("format")
        formatted = self._formatted(fmt)
        if formatted is not None:
            if _fits(formatted, schema):
                return formatted
            shorter = self._formatted_short(str(fmt))
            if shorter is not None and _fits(shorter, schema):
                return shorter
        self._counter += 1
        candidates = [*self._hinted(name), *self._with_canary(name)]
        for candidate in candidates:
            if _fits(candidate, schema):
                return candidate
        if "pattern" in schema:
            return _from_pattern(schema)
        # Too short for every candidate: pad the canary rather than lose it.
        return _fit_length(self.canary + " ", schema) if "minLength" in schema else _fit_length("x", schema)

    def _formatted_short(self, fmt: str) -> str | None:
        """A shorter value of the same format, for tight ``maxLength`` limits."""
        short: dict[str, str] = {
            "email": f"{self.canary}@ex.io",
            "idn-email": f"{self.canary}@ex.io",
            "password": self.fake.password(length=8, special_chars=False) + "a1",
            "uri": f"https://ex.io/{self.canary}",
            "url": f"https://ex.io/{self.canary}",
        }
        return short.get(fmt)

    def _formatted(self, fmt: Any) -> str | None:
        fake, canary = self.fake, self.canary
        makers: dict[str, Callable[[], str]] = {
            "email": lambda: f"{fake.user_name()}.{canary}@example.com",
            "idn-email": lambda: f"{fake.user_name()}.{canary}@example.com",
            "uri": lambda: f"https://example.com/{canary}/{self._counter}",
            "url": lambda: f"https://example.com/{canary}/{self._counter}",
            "iri": lambda: f"https://example.com/{canary}",
            "uuid": lambda: str(uuid.UUID(int=fake.random.getrandbits(128), version=4)),
            "date-time": lambda: dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC).isoformat(),
            "date": lambda: "2026-01-02",
            "time": lambda: "03:04:05Z",
            "hostname": lambda: f"{canary}.example.com",
            "ipv4": lambda: "192.0.2.10",
            "ipv6": lambda: "2001:db8::10",
            "password": lambda: fake.password(length=16) + "Aa1!",
            "byte": lambda: "aWgtY2FuYXJ5",
            "binary": lambda: canary,
        }
        maker = makers.get(str(fmt)) if fmt else None
        return maker() if maker else None

    def _hinted(self, name: str) -> list[str]:
        """Realistic values for common field names, where a canary would not be accepted."""
        lowered = name.lower().replace("-", "_")
        fake = self.fake
        hints: list[tuple[tuple[str, ...], Callable[[], str]]] = [
            (("phone", "mobile", "tel", "telephone", "fax", "msisdn"), lambda: fake.numerify("+1555#######")),
            (("postcode", "postal", "zip", "zipcode"), lambda: fake.postcode()),
            (("country",), lambda: fake.country_code()),
            (("currency",), lambda: "USD"),
            (("language", "locale", "lang"), lambda: "en"),
            (("color", "colour"), lambda: "#336699"),
        ]
        # Whole words only: `hotel_name` is no telephone number.
        parts = set(re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", name.replace("-", "_")))
        parts = {part.lower() for part in parts if part}
        for words, maker in hints:
            if parts & set(words) or lowered in words:
                return [maker()]
        return []

    def _with_canary(self, name: str) -> list[str]:
        canary, counter = self.canary, self._counter
        word = self.fake.word()
        return [
            f"{word.capitalize()} {canary} {counter}",
            f"{canary}-{counter}",
            f"{canary}{counter}",
            canary,
            word,
        ]


def resolve(schema: Any, root: Any) -> Any:
    """Follow local ``$ref`` pointers (``#/...``) inside ``root``."""
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 32:
        ref = schema["$ref"]
        if not ref.startswith("#"):
            return {k: v for k, v in schema.items() if k != "$ref"}
        target: Any = root
        for part in ref[1:].split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **extra} if isinstance(target, dict) else extra
        seen += 1
    return schema


def merge_schemas(left: JsonSchema, right: Any) -> JsonSchema:
    if not isinstance(right, dict):
        return left
    merged = {**left, **right}
    if "properties" in left and "properties" in right:
        merged["properties"] = {**left["properties"], **right["properties"]}
    if "required" in left or "required" in right:
        merged["required"] = sorted(set(left.get("required", [])) | set(right.get("required", [])))
    return merged


def is_file(schema: Any) -> bool:
    """Whether a multipart field's schema is a file: ``format: binary`` (OpenAPI 3.0) or a
    ``contentMediaType`` (3.1), or an array of them."""
    if not isinstance(schema, dict):
        return False
    if _type_of(schema) == "array":
        return is_file(schema.get("items"))
    if any(
        isinstance(option, dict) and is_file(option)
        for option in schema.get("anyOf") or schema.get("oneOf") or []
    ):
        return True
    return _type_of(schema) in (None, "string") and (
        schema.get("format") == "binary" or "contentMediaType" in schema
    )


def _enum_value(schema: JsonSchema, name: str) -> Any:
    """An enum's private option where it is about visibility, else its default or example, else its first."""
    options = [option for option in schema["enum"] if option is not None]
    private, value = private_option(schema, name, options)
    if private:
        return value
    given = [value for value in _declared(schema) if value in options]
    return given[0] if given else (options[0] if options else None)


def _declared(schema: JsonSchema) -> list[Any]:
    """The schema's ``default``, ``example`` and ``examples``, in that order."""
    out = [schema[key] for key in ("default", "example") if key in schema]
    examples = schema.get("examples")
    return out + (list(examples) if isinstance(examples, list) else [])


def _given(schema: JsonSchema, kind: str | None) -> list[Any]:
    """The declared values (:func:`_declared`) a scalar of this schema can take.

    Free text keeps its canary, objects and arrays are generated, and a formatted or patterned
    string takes only its ``example``: its default or documented examples are often what the
    server already holds, and a write of them would show no effect.
    """
    if kind in ("boolean", "integer", "number"):
        python = {"boolean": (bool,), "integer": (int,), "number": (int, float)}[kind]
        return [
            value
            for value in _declared(schema)
            if isinstance(value, python) and (kind == "boolean" or not isinstance(value, bool))
        ]
    if kind == "string" and not _is_textual(schema):
        example = schema.get("example")
        return [example] if isinstance(example, str) and _fits(example, schema) else []
    return []


def _type_of(schema: JsonSchema) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        options = [item for item in kind if item != "null"]
        return options[0] if options else "null"
    return kind if isinstance(kind, str) else None


def _is_textual(schema: JsonSchema) -> bool:
    return _type_of(schema) in (None, "string") and "format" not in schema and "pattern" not in schema


def _round_to_multiple(value: float, multiple: float, low: float | None, high: float | None) -> float:
    """The multiple of ``multiple`` nearest ``value`` that stays within the bounds."""
    import math

    candidate = round(value / multiple) * multiple
    if low is not None and candidate < low:
        candidate = math.ceil(low / multiple) * multiple
    if high is not None and candidate > high:
        candidate = math.floor(high / multiple) * multiple
    if isinstance(multiple, float):
        # Keep the decimal places of the step (0.01 * 500001 is 5000.01, not 5000.010000000001).
        decimals = max(0, -math.floor(math.log10(multiple))) if multiple < 1 else 0
        candidate = round(candidate, decimals + 6)
    return candidate


def _distinct(values: list[Any]) -> list[Any]:
    """Make the items of a ``uniqueItems`` array differ (numbers step up, text gets a suffix)."""
    out: list[Any] = []
    for value in values:
        step = 0
        candidate = value
        while candidate in out and step < 1000:
            step += 1
            if isinstance(value, bool):
                candidate = not value
            elif isinstance(value, (int, float)):
                candidate = value + step
            elif isinstance(value, str):
                candidate = f"{value}{step}"
            else:
                break
        out.append(candidate)
    return out


def _fits(value: str, schema: JsonSchema) -> bool:
    if len(value) < int(schema.get("minLength", 0)):
        return False
    if "maxLength" in schema and len(value) > int(schema["maxLength"]):
        return False
    pattern = schema.get("pattern")
    if pattern:
        try:
            return re.search(pattern, value) is not None
        except re.error:
            return False
    return True


def _fit_length(value: str, schema: JsonSchema) -> str:
    low = int(schema.get("minLength", 0))
    if len(value) < low:
        value = value + "x" * (low - len(value))
    if "maxLength" in schema:
        value = value[: int(schema["maxLength"])]
    return value


def _from_pattern(schema: JsonSchema) -> str:
    """The simplest string matching the schema's pattern and lengths, found by hypothesis."""
    from hypothesis import HealthCheck, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample

    pattern = schema["pattern"]
    try:
        with private_storage():
            return str(
                find(
                    st.from_regex(pattern),
                    lambda value: _fits(value, schema),
                    settings=settings(
                        database=None, max_examples=500, suppress_health_check=list(HealthCheck)
                    ),
                )
            )
    except (NoSuchExample, re.error, Exception):
        return _fit_length("x", schema)


def _about_visibility(schema: Any, name: str) -> bool:
    """Whether a field says who may see the object (``is_public``, ``visibility``, ``shared``)."""
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind == "boolean":
        return private_boolean(schema, name) is not None
    if isinstance(schema.get("enum"), list):
        return private_option(schema, name, schema["enum"])[0]
    return kind == "string" and private_level(name) is not None
