"""Generated data stays private: the value of a visibility field that keeps an object to its owner.

A tenant's objects are judged as its own; an object the harness itself made public, shared or a
template would be seen by every tenant on purpose. A field is about visibility when its name or
description says so (``is_public``, ``shared``, ``visibility``, "anyone with the link can read"),
or, for an enum, when one of its values does (``["draft", "published"]``).
"""

from __future__ import annotations

import re
from typing import Any

_PUBLIC_WORDS = frozenset(
    {
        "public",
        "shared",
        "share",
        "sharing",
        "published",
        "publish",
        "template",
        "visibility",
        "visible",
        "global",
    }
)
_PRIVATE_WORDS = frozenset({"private", "hidden", "personal", "secret", "draft", "unpublished", "unshared"})
# Enum values that keep an object to its owner, best first.
_PRIVATE_VALUES = (
    "private",
    "only_me",
    "onlyme",
    "me",
    "owner",
    "self",
    "personal",
    "draft",
    "hidden",
    "unpublished",
    "none",
)
# Free-text fields that take a visibility level by name.
_LEVEL_NAMES = frozenset({"visibility", "privacy", "sharing", "audience"})


def words(text: str) -> set[str]:
    """The lower-case words of a name or sentence: ``isPublic`` and ``is_public`` give {is, public}."""
    parts = re.split(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])", text)
    return {part.lower() for part in parts if part}


def _says(schema: dict[str, Any], name: str, vocabulary: frozenset[str]) -> bool:
    text = " ".join(str(schema.get(key, "")) for key in ("description", "title"))
    return bool(words(name) & vocabulary or words(text) & vocabulary)


def private_boolean(schema: dict[str, Any], name: str) -> bool | None:
    """The private value of a boolean about visibility (``is_public`` False, ``is_private`` True);
    ``None`` for any other boolean."""
    if words(name) & _PRIVATE_WORDS:
        return True
    if _says(schema, name, _PUBLIC_WORDS):
        return False
    return None


def private_option(schema: dict[str, Any], name: str, options: list[Any]) -> tuple[bool, Any]:
    """``(True, value)``: the private option of an enum about visibility; ``(False, None)`` otherwise."""
    texts = [option for option in options if isinstance(option, str)]
    public_values = [
        option for option in texts if words(option) & _PUBLIC_WORDS or option.lower() == "everyone"
    ]
    if not public_values and not _says(schema, name, _PUBLIC_WORDS):
        return False, None
    normalized = {option.lower().replace("-", "_").replace(" ", "_"): option for option in texts}
    for value in _PRIVATE_VALUES:
        if value in normalized:
            return True, normalized[value]
    for option in texts:
        if words(option) & _PRIVATE_WORDS:
            return True, option
    others = [option for option in options if option not in public_values]
    return (True, others[0]) if others and public_values else (False, None)


def private_level(name: str) -> str | None:
    """``"private"`` for a free-text field that names a visibility level (``visibility``, ``privacy``)."""
    return "private" if words(name) & _LEVEL_NAMES else None
