"""The phases of a campaign, each in its own module, in the order they run:
provision → seed → share → observe → probe → aftermath (and teardown, whatever happened)."""

from __future__ import annotations

from typing import Protocol

from ..context import EngineContext


class Phase(Protocol):
    """One step of the campaign's plan."""

    name: str

    def run(self, ctx: EngineContext) -> None: ...
