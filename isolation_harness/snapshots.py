"""Snapshots of a tenant's reads and what changed between two of them, ignoring what changes by itself."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import JSONPath, format_pointer, iter_leaves, short_repr

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class Snapshot:
    """What a tenant saw on one read: status and the JSON body (``None`` when not JSON)."""

    label: str
    status: int
    body: Any


@dataclass(frozen=True)
class Change:
    label: str
    description: str
    gone: bool


def compare_snapshots(
    before: Sequence[Snapshot], after: Sequence[Snapshot], *, volatile_paths: Mapping[str, set[JSONPath]]
) -> list[Change]:
    """What changed between two reads of the same requests, ignoring paths known to be volatile."""
    changes: list[Change] = []
    for old, new in zip(before, after, strict=True):
        volatile = volatile_paths.get(old.label, set())
        if 200 <= old.status < 300 and new.status in (404, 410):
            changes.append(
                Change(old.label, f"{old.label} answered {old.status} before, {new.status} after", True)
            )
            continue
        if old.status != new.status:
            changes.append(
                Change(old.label, f"{old.label} answered {old.status} before, {new.status} after", False)
            )
            continue
        diff = _diff(old.body, new.body, volatile)
        if diff:
            changes.append(Change(old.label, f"{old.label}: {diff}", False))
    return sorted(changes, key=lambda change: not change.gone)


def volatile_between(first: Any, second: Any) -> set[JSONPath]:
    """Paths whose values differ between two reads of the same thing (timestamps, request ids)."""
    a = dict(iter_leaves(first))
    b = dict(iter_leaves(second))
    return {path for path in a.keys() | b.keys() if a.get(path) != b.get(path)}


def keyed(value: Any) -> Any:
    """Lists of objects keyed by their ``id``, so a diff names objects rather than positions."""
    if isinstance(value, dict):
        return {key: keyed(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [keyed(item) for item in value]
        if items and all(isinstance(item, dict) and "id" in item for item in items):
            ids = [str(item["id"]) for item in items]
            if len(set(ids)) == len(ids):
                return {f"[id={identifier}]": item for identifier, item in zip(ids, items, strict=True)}
        return items
    return value


def _keyed_objects(leaves: dict[JSONPath, Any]) -> set[tuple[JSONPath, str]]:
    """The ``[id=...]`` objects at any depth, with the path of the list that holds each."""
    found: set[tuple[JSONPath, str]] = set()
    for path in leaves:
        for index, part in enumerate(path):
            if isinstance(part, str) and part.startswith("[id="):
                found.add((path[:index], part))
    return found


def _diff(old: Any, new: Any, volatile: set[JSONPath]) -> str:
    # Volatile fields are known by name (a list's position is no name: it says nothing elsewhere).
    volatile_keys = {path[-1] for path in volatile if path and isinstance(path[-1], str)}
    volatile = {path for path in volatile if path}
    a = {p: v for p, v in iter_leaves(keyed(old)) if p not in volatile and not (p and p[-1] in volatile_keys)}
    b = {p: v for p, v in iter_leaves(keyed(new)) if p not in volatile and not (p and p[-1] in volatile_keys)}
    gone = _keyed_objects(a) - _keyed_objects(b)
    if gone:
        where, key = sorted(gone, key=str)[0]
        return f"the object {key[1:-1]} is gone from {format_pointer(where) or 'the list'}"
    appeared = _keyed_objects(b) - _keyed_objects(a)
    if appeared:
        where, key = sorted(appeared, key=str)[0]
        return f"a new object {key[1:-1]} appeared in {format_pointer(where) or 'the list'}"
    changed = [p for p in a.keys() & b.keys() if a[p] != b[p]]
    if changed:
        # A changed name or status says more than a changed timestamp.
        path = sorted(changed, key=lambda p: (_TIMESTAMP.match(str(a[p])) is not None, str(p)))[0]
        more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
        return (
            f"{format_pointer(path) or '/'} changed from {short_repr(a[path])} to {short_repr(b[path])}{more}"
        )
    added = sorted(b.keys() - a.keys(), key=str)
    removed = sorted(a.keys() - b.keys(), key=str)
    if added:
        return f"{format_pointer(added[0])} appeared ({short_repr(b[added[0]])})" + (
            f" and {len(added) - 1} more values" if len(added) > 1 else ""
        )
    if removed:
        return f"{format_pointer(removed[0])} disappeared (was {short_repr(a[removed[0]])})" + (
            f" and {len(removed) - 1} more values" if len(removed) > 1 else ""
        )
    return ""
