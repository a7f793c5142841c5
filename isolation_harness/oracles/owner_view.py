"""The owner-view oracle: a 2xx whose body repeats a victim's own object on stable fields is a confirmed leak.

Only distinctive values count, and none the caller has seen in its own data or sent itself: data
every tenant sees alike, data anyone may see (see :mod:`isolation_harness.public`), and the caller's
own, can never match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine.context import EngineContext
from ..exchange import Evidence, Exchange, Probe
from ..knowledge import visible
from ..model import (
    FindingKind,
    JSONPath,
    Verdict,
    format_pointer,
    is_distinctive,
    iter_objects,
    short_repr,
    view_pairs,
)
from .base import ResponseOracle

_MIN_OWNER_VIEW_FIELDS = 2


@dataclass(frozen=True)
class ViewMatch:
    """An object in a response that matches one of the victim's own objects on stable fields."""

    owner: str
    where: str
    fields: tuple[tuple[str, Any], ...]
    # Where the object is in the body.
    path: JSONPath = field(default=(), compare=False)

    @property
    def pointers(self) -> tuple[str, ...]:
        """The RFC 6901 pointers of the fields that matched."""
        return tuple(format_pointer((*self.path, key)) for key, _ in self.fields)

    def describe(self) -> str:
        shown = ", ".join(f"{key}={short_repr(value)}" for key, value in self.fields)
        return f"{self.where} matches {self.owner}'s own view on {len(self.fields)} fields: {shown}"


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
                matches.append(ViewMatch(owner, f"body {format_pointer(path) or '/'}", best, path))
                break
    return matches


class OwnerViewOracle(ResponseOracle):
    """A victim's own view of an object in a response the attacker received."""

    name = "owner-view"

    def judge(self, probe: Probe, exchange: Exchange, ctx: EngineContext, prepared: Any) -> list[Evidence]:
        response = exchange.response
        if not response.ok:
            return []
        # A victim whose canary already showed in this response is reported once.
        reported = {item.victim for item in exchange.evidence}
        attacker = probe.attacker
        victims = [state for state in ctx.knowledge.others(attacker) if state.name not in reported]
        body = visible(attacker, response).json()
        if body is None or not victims:
            return []
        known = set(attacker.known) | set(exchange.request.sent_values()) | ctx.knowledge.shared_values()
        known |= ctx.knowledge.public()
        owned = {state.name: state.objects for state in victims}
        index = {state.name: state.object_pairs for state in victims}
        matches = match_owner_views(
            body, owned, known_to_caller=known, volatile_keys=ctx.knowledge.volatile_keys, index=index
        )
        return [
            Evidence(
                self.name,
                FindingKind.READ,
                Verdict.CONFIRMED,
                match.owner,
                f"HTTP {response.status}: {match.describe()}",
                match.pointers,
            )
            for match in matches
        ]
