"""The search-hit oracle: a search for the victim's canary that returns one of its records is a confirmed leak.

The search term is the canary itself, so a record counts only where a field holds more than the
term: an echo of the term (``{"q": "ih..."}``) is not a record of the victim's.
"""

from __future__ import annotations

from typing import Any

from ..engine.context import EngineContext
from ..exchange import Evidence, Exchange, Probe
from ..knowledge import visible
from ..model import FindingKind, Verdict, format_pointer, iter_objects
from ..operations import looks_like_identifier


class SearchHitOracle:
    """A record of the victim's in the answer to a search for its canary."""

    name = "search-hit"
    final = False

    def applies(self, probe: Probe) -> bool:
        return probe.search_term is not None and probe.victim is not None

    def prepare(self, probe: Probe, ctx: EngineContext) -> Any:
        return None

    def judge(self, probe: Probe, exchange: Exchange, ctx: EngineContext, prepared: Any) -> list[Evidence]:
        response = exchange.response
        term = probe.search_term
        if not response.ok or term is None or probe.victim is None:
            return []
        for path, obj in iter_objects(visible(probe.attacker, response).json()):
            if not any(looks_like_identifier(key) for key in obj):
                continue
            field_name = next(
                (
                    key
                    for key, value in obj.items()
                    if isinstance(value, str) and term in value.lower() and value.lower() != term
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
            return [Evidence(self.name, FindingKind.READ, Verdict.CONFIRMED, victim, text)]
        return []
