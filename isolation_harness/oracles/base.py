"""What an oracle is: a small judge of one probe's exchange that returns evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ..exchange import Evidence, Exchange, Probe

__all__ = ["Evidence", "Exchange", "Oracle", "ResponseOracle"]

if TYPE_CHECKING:
    from ..engine.context import EngineContext


class Oracle(Protocol):
    """Judges probes.

    ``prepare`` runs before the probe is sent (to read the victim's data, say) and its result is
    handed to ``judge``. Oracles with ``final`` are judged once, on the probe's last exchange;
    the others on every response. ``judge`` sees the evidence earlier oracles gave on the same
    exchange, in registration order.
    """

    name: str
    final: bool

    def applies(self, probe: Probe) -> bool: ...

    def prepare(self, probe: Probe, ctx: EngineContext) -> Any: ...

    def judge(
        self, probe: Probe, exchange: Exchange, ctx: EngineContext, prepared: Any
    ) -> list[Evidence]: ...


class ResponseOracle:
    """A base for oracles that judge each response as it comes, with nothing to prepare."""

    name = ""
    final = False

    def applies(self, probe: Probe) -> bool:
        return True

    def prepare(self, probe: Probe, ctx: EngineContext) -> Any:
        return None
