"""The search-hit oracle: a search for the victim's canary that returns one of its records is a confirmed leak.

The search term is the canary itself, so the term in an answer proves nothing by itself: an echo
(``{"q": "ih..."}``, ``"No orders match 'ih...'"``) is not a record of the victim's. A record counts
where an object with a key holds, in one field, a canary-carrying value of the victim's own data
(whole, or inside a snippet: ``"Ann ih... [matched]"``), or where the object is one the victim made
and a field holds more than the term.
"""

from __future__ import annotations

from typing import Any

from ..engine.context import EngineContext
from ..exchange import Evidence, Exchange, Probe
from ..knowledge import made_by, visible
from ..model import FindingKind, Verdict, format_pointer, iter_objects
from ..operations import looks_like_identifier
from .base import ResponseOracle


class SearchHitOracle(ResponseOracle):
    """A record of the victim's in the answer to a search for its canary."""

    name = "search-hit"

    def applies(self, probe: Probe) -> bool:
        return probe.search_term is not None and probe.victim is not None

    def judge(self, probe: Probe, exchange: Exchange, ctx: EngineContext, prepared: Any) -> list[Evidence]:
        response = exchange.response
        term = probe.search_term
        if not response.ok or term is None or probe.victim is None:
            return []
        victim_state = probe.victim
        # The victim's own values that carry its canary: what a record of its data shows.
        own = [value for value in victim_state.known if term in value.lower() and value.lower() != term]
        # What callers without credentials receive too is public exposure, not a cross-tenant read.
        public = ctx.knowledge.public()
        for path, obj in iter_objects(visible(probe.attacker, response).json()):
            if not any(looks_like_identifier(key) for key in obj):
                continue
            mine = made_by(victim_state, obj)
            field_name = next(
                (
                    key
                    for key, value in obj.items()
                    if isinstance(value, str)
                    and term in value.lower()
                    and value.lower() != term
                    and value not in public
                    and (mine or any(known in value for known in own))
                ),
                None,
            )
            if field_name is None:
                continue
            where = format_pointer((*path, field_name))
            victim = probe.victim.name
            text = (
                f"HTTP {response.status}: a search for {victim}'s canary {term} returned its record, "
                f"body {where}: {str(obj[field_name])[:80]}"
            )
            return [Evidence(self.name, FindingKind.READ, Verdict.CONFIRMED, victim, text, (where,))]
        return []
