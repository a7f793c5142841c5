"""What a probe kind does: plan probes for one operation from what tenants know."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from ..exchange import Burst, Probe
from ..operations import Operation

if TYPE_CHECKING:
    from ..engine.context import EngineContext


class ProbeKind(Protocol):
    """Plans the probes of one kind for an operation.

    ``plan`` is a generator the engine runs lazily: each probe is sent and judged before the next
    is planned, so a probe is always built from what the tenants know after the previous one.
    Kinds with ``after_all`` are planned once every operation was probed (objects deleted by their
    owner, say). A :class:`Burst` is several probes sent at the same moment, each judged on its own.
    """

    name: str
    after_all: bool

    def plan(self, operation: Operation, ctx: EngineContext) -> Iterator[Probe | Burst]: ...
