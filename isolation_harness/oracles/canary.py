"""The canary oracle: another tenant's canary or identity anywhere in a response is a confirmed leak.

Headers, body values, body keys and error text are searched, whatever the status: a 404 whose
message quotes another tenant's data leaks it too.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine.context import EngineContext
from ..exchange import Evidence, Exchange, Probe
from ..knowledge import visible
from ..model import FindingKind, HttpResponse, Verdict, format_pointer, iter_leaves, iter_objects
from .base import ResponseOracle

CONTEXT_CHARS = 80
_MIN_DISTINCTIVE_TEXT = 4


@dataclass(frozen=True)
class Sighting:
    """Where one tenant's marker appeared in a response."""

    owner: str
    marker: str
    where: str
    context: str
    # The RFC 6901 pointer of the body value or key it was in; ``None`` in a header or a text body.
    pointer: str | None = field(default=None, compare=False)

    def describe(self) -> str:
        return f"{self.where}: {self.context}"


def pointers_of(sightings: Iterable[Sighting], owner: str) -> tuple[str, ...]:
    """Where ``owner``'s markers were sighted, each place once, in order: a JSON pointer into the body,
    or (outside a JSON body) ``header <name>`` or ``body``, which no allow rule's field or pointer covers."""
    return tuple(
        dict.fromkeys(s.pointer if s.pointer is not None else s.where for s in sightings if s.owner == owner)
    )


def _context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    spare = max(0, width - (end - start))
    left = max(0, start - spare // 2)
    right = min(len(text), end + (spare - (start - left)))
    snippet = text[left:right].replace("\n", " ").replace("\r", " ")
    return ("…" if left > 0 else "") + snippet + ("…" if right < len(text) else "")


def find_canaries(
    response: HttpResponse,
    markers: Mapping[str, Sequence[str]],
    *,
    ignore: Iterable[str] = (),
    public: Collection[str] = frozenset(),
    owned: Mapping[str, Collection[str]] | None = None,
) -> list[Sighting]:
    """Every other tenant's marker (canary or identity) in a response's headers, body or error text.

    ``markers`` maps a tenant name to its markers; pass only the tenants other than the caller.
    ``ignore`` holds values the caller itself sent: a server echoing the request back (``order
    ih… not found``) shows nothing the caller did not already have, so those spans are blanked
    before searching, but only where they are echoed: a value the owner has in its own data
    (``owned``, by tenant) other than the sent value itself still counts (the attacker sent the
    victim's user name; the victim's email in the same answer is a leak). ``public`` holds whole values the caller may see anyway (public data, and
    tenants' data already sent to callers without credentials): they are skipped.
    """
    sightings: list[Sighting] = []
    echoed = sorted(
        {value for value in ignore if value and len(value) >= _MIN_DISTINCTIVE_TEXT}, key=len, reverse=True
    )

    sent = {value.lower() for value in echoed}

    def blank(text: str) -> str:
        for value in echoed:
            text = re.sub(re.escape(value), lambda m: " " * len(m.group(0)), text, flags=re.IGNORECASE)
        return text

    body = response.json()
    sources: list[tuple[str, str, str | None]] = []
    if body is not None:
        for path, value in iter_leaves(body):
            if isinstance(value, str):
                leaf = format_pointer(path)
                sources.append((f"body {leaf or '/'}", value, leaf))
        for path, obj in iter_objects(body):
            for key in obj:
                member = format_pointer((*path, key))
                sources.append((f"body key {member}", key, member))
    elif response.text:
        sources.append(("body", response.text, None))
    for name, value in response.headers.items():
        sources.append((f"header {name}", value, None))

    for owner, owner_markers in markers.items():
        for where, text, pointer in sources:
            if text in public:
                continue
            # A link (`/things?owner=ih…&page=2`) repeats the request, whoever saw it before.
            own_data = (
                owned is not None
                and text in owned.get(owner, ())
                and text.lower() not in sent
                and not _looks_like_link(text)
            )
            searchable = text if own_data else blank(text)
            for marker in owner_markers:
                match = re.search(re.escape(marker), searchable, flags=re.IGNORECASE)
                if match:
                    context = _context(text, match.start(), match.end())
                    sightings.append(Sighting(owner, marker, where, context, pointer))
                    break
    return sightings


def _looks_like_link(text: str) -> bool:
    return text.startswith("/") or "://" in text or "?" in text or "&" in text


class CanaryOracle(ResponseOracle):
    """Another tenant's markers in the response the attacker received."""

    name = "canary"

    def judge(self, probe: Probe, exchange: Exchange, ctx: EngineContext, prepared: Any) -> list[Evidence]:
        response = visible(probe.attacker, exchange.response)
        others = ctx.knowledge.markers(probe.attacker)
        sightings = find_canaries(
            response,
            others,
            ignore=exchange.request.sent_values(),
            public=ctx.knowledge.public(),
            owned={state.name: state.known for state in ctx.knowledge.others(probe.attacker)},
        )
        evidence: list[Evidence] = []
        for sighting in sightings:
            if any(item.victim == sighting.owner for item in evidence):
                continue
            count = sum(1 for s in sightings if s.owner == sighting.owner)
            more = f" (and {count - 1} more places)" if count > 1 else ""
            text = f"HTTP {response.status}: {sighting.owner}'s canary {sighting.marker} in {sighting.describe()}{more}"
            pointers = pointers_of(sightings, sighting.owner)
            evidence.append(
                Evidence(self.name, FindingKind.READ, Verdict.CONFIRMED, sighting.owner, text, pointers)
            )
        return evidence
