"""Oracles: small judges that each look at one probe and say whether data crossed tenants.

Each oracle is a pure function of what was sent and received plus what the campaign knows of
the tenants, so each is tested on its own: on a case it must catch and a case it must leave alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import HttpResponse, JSONPath, format_pointer, iter_leaves, iter_objects
from .operations import looks_like_identifier

CONTEXT_CHARS = 80
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_MIN_DISTINCTIVE_TEXT = 4
_MIN_OWNER_VIEW_FIELDS = 2


@dataclass(frozen=True)
class Sighting:
    """Where one tenant's marker appeared in a response."""

    owner: str
    marker: str
    where: str
    context: str

    def describe(self) -> str:
        return f"{self.where}: {self.context}"


def _context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    spare = max(0, width - (end - start))
    left = max(0, start - spare // 2)
    right = min(len(text), end + (spare - (start - left)))
    snippet = text[left:right].replace("\n", " ").replace("\r", " ")
    return ("…" if left > 0 else "") + snippet + ("…" if right < len(text) else "")


def find_canaries(
    response: HttpResponse, markers: Mapping[str, Sequence[str]], *, ignore: Iterable[str] = ()
) -> list[Sighting]:
    """Every other tenant's marker (canary or identity) in a response's headers, body or error text.

    ``markers`` maps a tenant name to its markers; pass only the tenants other than the caller.
    ``ignore`` holds values the caller itself sent: a server echoing the request back (``order
    ih… not found``) shows nothing the caller did not already have, so those spans are blanked
    before searching.
    """
    sightings: list[Sighting] = []
    echoed = sorted(
        {value for value in ignore if value and len(value) >= _MIN_DISTINCTIVE_TEXT}, key=len, reverse=True
    )

    def blank(text: str) -> str:
        for value in echoed:
            text = re.sub(re.escape(value), lambda m: " " * len(m.group(0)), text, flags=re.IGNORECASE)
        return text

    body = response.json()
    sources: list[tuple[str, str]] = []
    if body is not None:
        for path, value in iter_leaves(body):
            if isinstance(value, str):
                sources.append((f"body {format_pointer(path) or '/'}", value))
        for path, obj in iter_objects(body):
            for key in obj:
                sources.append((f"body key {format_pointer((*path, key))}", key))
    elif response.text:
        sources.append(("body", response.text))
    for name, value in response.headers.items():
        sources.append((f"header {name}", value))

    for owner, owner_markers in markers.items():
        for where, text in sources:
            searchable = blank(text)
            for marker in owner_markers:
                match = re.search(re.escape(marker), searchable, flags=re.IGNORECASE)
                if match:
                    sightings.append(
                        Sighting(owner, marker, where, _context(text, match.start(), match.end()))
                    )
                    break
    return sightings


def without_shared(body: Any, shared_ids: set[str]) -> Any:
    """``body`` with every object shared on purpose replaced by ``None``, other positions unchanged.

    An object is shared when one of its key fields (``id``, ``order_id``, ``orderId``) holds the
    identifier of an object shared with the caller: the shared object itself, and what belongs to it.
    """
    if isinstance(body, dict):
        if any(
            looks_like_identifier(key) and isinstance(value, (str, int)) and str(value) in shared_ids
            for key, value in body.items()
        ):
            return None
        return {key: without_shared(value, shared_ids) for key, value in body.items()}
    if isinstance(body, list):
        return [without_shared(item, shared_ids) for item in body]
    return body


@dataclass(frozen=True)
class ViewMatch:
    """An object in a response that matches one of the victim's own objects on stable fields."""

    owner: str
    where: str
    fields: tuple[tuple[str, Any], ...]

    def describe(self) -> str:
        shown = ", ".join(f"{key}={_short(value)}" for key, value in self.fields)
        return f"{self.where} matches {self.owner}'s own view on {len(self.fields)} fields: {shown}"


def _short(value: Any, width: int = 24) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def is_distinctive(value: Any) -> bool:
    """A value specific enough that seeing it twice is no coincidence."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, str):
        return len(value.strip()) >= _MIN_DISTINCTIVE_TEXT
    if isinstance(value, float) and not value.is_integer():
        return True
    if isinstance(value, (int, float)):
        return abs(value) >= 1000
    return False


def match_owner_views(
    body: Any,
    victim_objects: Mapping[str, Sequence[dict[str, Any]]],
    *,
    known_to_caller: set[str],
    volatile_keys: set[str],
    index: Mapping[str, Mapping[tuple[str, str], Sequence[int]]] | None = None,
) -> list[ViewMatch]:
    """Objects in ``body`` that equal one of a victim's own objects on two or more distinctive fields.

    A field only counts when its value is distinctive, is not volatile, and was never seen by the
    caller in its own data or its own request (``known_to_caller``): data shared by every tenant,
    or the caller's own data, can never match.

    ``index`` (see :func:`view_pairs`) maps each victim to where each distinctive field value occurs
    in its objects; with it, only the views that share a field with a candidate are compared.
    """
    matches: list[ViewMatch] = []
    objects = iter_objects(body)
    for owner, owned in victim_objects.items():
        pairs = index.get(owner) if index is not None else None
        for path, candidate in objects:
            best: tuple[tuple[str, Any], ...] = ()
            views: Iterable[dict[str, Any]] = owned
            if pairs is not None:
                views = [
                    owned[i] for i in sorted({i for key in view_pairs(candidate) for i in pairs.get(key, ())})
                ]
            for view in views:
                fields = tuple(
                    (key, value)
                    for key, value in view.items()
                    if key not in volatile_keys
                    and not isinstance(value, (dict, list))
                    and is_distinctive(value)
                    and str(value) not in known_to_caller
                    and candidate.get(key) == value
                )
                if len(fields) > len(best):
                    best = fields
            if len(best) >= _MIN_OWNER_VIEW_FIELDS:
                matches.append(ViewMatch(owner, f"body {format_pointer(path) or '/'}", best))
                break
    return matches


def view_pairs(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """The (field, value) pairs of an object that can count towards an owner-view match."""
    return [
        (key, json.dumps(value))
        for key, value in obj.items()
        if not isinstance(value, (dict, list)) and is_distinctive(value)
    ]


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
        return f"{format_pointer(path) or '/'} changed from {_short(a[path])} to {_short(b[path])}{more}"
    added = sorted(b.keys() - a.keys(), key=str)
    removed = sorted(a.keys() - b.keys(), key=str)
    if added:
        return f"{format_pointer(added[0])} appeared ({_short(b[added[0]])})" + (
            f" and {len(added) - 1} more values" if len(added) > 1 else ""
        )
    if removed:
        return f"{format_pointer(removed[0])} disappeared (was {_short(a[removed[0]])})" + (
            f" and {len(removed) - 1} more values" if len(removed) > 1 else ""
        )
    return ""
