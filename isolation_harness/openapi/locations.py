"""Where an operation is declared in a local OpenAPI file (YAML or JSON): found by reading the text, for the
reports that point at it (SARIF)."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path


class DescriptionFile:
    """A local API description file, and the line of each ``METHOD /path`` in it.

    The line is the method's key under the path (the path's own line when the method is not found
    below it, as when the path item is a ``$ref``); ``None`` when the path is not in the text.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def find(cls, source: str) -> DescriptionFile | None:
        """The description file ``source`` names, when it is a local YAML or JSON file."""
        if not source or "://" in source:
            return None
        path = Path(source)
        if path.suffix.lower() not in (".yaml", ".yml", ".json") or not path.is_file():
            return None
        return cls(path)

    @cached_property
    def _text(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""

    def line(self, operation: str) -> int | None:
        """The 1-based line declaring ``operation`` (``GET /orders/{id}``)."""
        method, _, route = operation.partition(" ")
        text = self._text
        if not text or not route:
            return None
        if text.lstrip().startswith("{"):
            offset = _json_offset(text, route, method.lower())
        else:
            offset = _yaml_offset(text, route, method.lower())
        return None if offset is None else text.count("\n", 0, offset) + 1


def _yaml_offset(text: str, route: str, method: str) -> int | None:
    paths = re.search(r"^paths\s*:", text, re.MULTILINE)
    key = re.compile(rf"^([ \t]*)(['\"]?){re.escape(route)}\2[ \t]*:", re.MULTILINE)
    found = key.search(text, paths.end() if paths else 0)
    if found is None:
        return None
    newline = text.find("\n", found.end())
    if newline == -1:
        return found.start()
    indent = len(found.group(1))
    method_key = re.compile(rf"(['\"]?){re.escape(method)}\1[ \t]*:(\s|$)")
    # The path item's own keys are its block's shallowest lines; the method is one of them.
    child: int | None = None
    offset = newline + 1
    for line in text[offset:].splitlines(keepends=True):
        body = line.lstrip(" \t")
        if body.strip() and not body.startswith("#"):
            depth = len(line) - len(body)
            if depth <= indent:
                break
            child = depth if child is None else child
            if depth == child and method_key.match(body):
                return offset
        offset += len(line)
    return found.start()


def _json_offset(text: str, route: str, method: str) -> int | None:
    paths = re.search(r'"paths"\s*:', text)
    start = paths.end() if paths else 0
    found = re.compile(rf'"{re.escape(route)}"\s*:\s*').search(text, start)
    if found is None:
        return None
    end = _object_end(text, found.end())
    method_key = re.compile(rf'"{re.escape(method)}"\s*:').search(text, found.end(), end)
    return method_key.start() if method_key else found.start()


def _object_end(text: str, start: int) -> int:
    """Where the JSON object (or value) starting at ``start`` ends; strings are skipped whole."""
    depth = 0
    index = start
    in_string = False
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth <= 0:
                return index + 1
        index += 1
    return len(text)
