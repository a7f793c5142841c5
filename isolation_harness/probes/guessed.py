"""Guessed identifiers: the numbers next to the attacker's own, which nobody gave it.

Where a tenant's identifiers are numbers (``17``, ``"INV-000017"``), another tenant's are likely
next to them. Each guess is judged like any read: only another tenant's canary or owner view in the
response is a finding, so a guess that lands on shared data, or on nothing, is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from ..engine.context import EngineContext
from ..exchange import Probe
from ..model import SlotLocation, place
from ..operations import Operation

# A number, or a number after a fixed prefix ("INV-000123"): the shapes a sequence counts in.
_SEQUENTIAL = re.compile(r"([^0-9]*)([0-9]{1,15})")


class GuessedIdentifierProbes:
    """Reads whose path or query takes an identifier, with numbers next to the attacker's own."""

    name = "guessed-identifier"
    after_all = False

    def plan(self, operation: Operation, ctx: EngineContext) -> Iterator[Probe]:
        if not operation.is_safe or ctx.settings.guesses == 0:
            return
        for slot in operation.slots:
            if slot.location not in (SlotLocation.PATH, SlotLocation.QUERY):
                continue
            for attacker in ctx.knowledge.tenants:
                own = [item.value(slot.field) for item in attacker.own(slot.resource)]
                guesses = neighbours(own, exclude={str(value) for value in own}, limit=ctx.settings.guesses)
                built = ctx.builder.build(attacker, operation) if guesses else None
                if built is None:
                    continue
                text = f"{slot.describe()} (guessed next to {attacker.name}'s own)"
                for guess in guesses:
                    request = built[0].copy()
                    place(request, slot, guess)
                    yield Probe(
                        kind=self.name, operation=operation, attacker=attacker, request=request, slot=text
                    )


def neighbours(values: Iterable[Any], *, exclude: set[str], limit: int) -> list[Any]:
    """Up to `limit` numbers next to the numeric `values` (+1, -1, +2, -2, ...), in their own form.

    Values that are not numbers in a sequence (UUIDs, random tokens) give none.
    """
    guesses: list[Any] = []
    for distance in _distances(limit):
        for value in values:
            guess = _shift(value, distance)
            if guess is not None and str(guess) not in exclude and guess not in guesses:
                guesses.append(guess)
                if len(guesses) >= limit:
                    return guesses
    return guesses


def _distances(limit: int) -> list[int]:
    """+1, -1, +2, -2, ... far enough to make ``limit`` guesses from one value."""
    reach = max(2, (limit + 1) // 2)
    return [step for distance in range(1, reach + 1) for step in (distance, -distance)]


def _shift(value: Any, distance: int) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value + distance if value + distance >= 0 else None
    if not isinstance(value, str):
        return None
    match = _SEQUENTIAL.fullmatch(value)
    if match is None:
        return None
    prefix, digits = match.groups()
    number = int(digits) + distance
    return f"{prefix}{number:0{len(digits)}d}" if number >= 0 else None
