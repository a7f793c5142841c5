"""Tenants lost in mid-run: every tenant refused its own data (401/403) that it read before.

An operation that signs everyone out or resets the data (``POST /sessions/revoke-all``,
``POST /admin/reset``, a logout every tenant calls) leaves every later probe refused: the run would
pass without testing anything. After each probed operation, each tenant re-reads one or two of its
own reads that answered 2xx before probing began; when every one of every tenant's is answered 401
or 403, the campaign stops and names the operation. A refused probe is never a sign: an isolated API
refuses foreign requests.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ProvisioningError
from ..knowledge import TenantKnowledge
from ..model import HttpRequest
from ..operations import Operation
from .context import EngineContext

# Own reads re-sent per tenant: lists and account reads (no identifier in the path), since a probe may
# have deleted or taken over any one object.
_PULSES = 2
_REFUSED = (401, 403)


@dataclass(frozen=True)
class _Pulse:
    operation: Operation
    request: HttpRequest


class Liveness:
    """Checks, after each probed operation, that some tenant's credentials still work."""

    def __init__(self) -> None:
        self._pulses: dict[str, list[_Pulse]] | None = None

    def start(self, ctx: EngineContext) -> None:
        """Choose each tenant's own reads to re-send, once, before the first probe changes anything."""
        if self._pulses is None:
            self._pulses = {state.name: _chosen(state, ctx) for state in ctx.knowledge.tenants}

    def check(self, operation: Operation, ctx: EngineContext, *, left: list[Operation]) -> None:
        """Raise :class:`ProvisioningError` naming ``operation`` when every tenant has been lost since;
        ``left`` are the operations this phase has not probed yet (marked as not probed)."""
        self.start(ctx)
        refusals: list[str] = []
        for state in ctx.knowledge.tenants:
            refused = self._refused(state, ctx)
            if refused is None:
                # This tenant still gets its own data (or cannot tell): the others need no request.
                return
            refusals.append(f"{state.name}: {refused}")
        if not refusals:
            return
        unprobed = [later for later in left if not ctx.index.is_excluded(later) and ctx.selected(later)]
        for later in unprobed:
            ctx.skip(later, f"not probed: every tenant's own requests were refused after {operation.label}")
        stopped = (
            f"Probing stopped there ({len(unprobed)} operations not probed)"
            if unprobed
            else "Probing stopped there"
        )
        raise ProvisioningError(
            f"Every tenant's own requests were refused after {operation.label} ({'; '.join(refusals)}), "
            f"though they worked before: the operation signs tenants out or resets their accounts. {stopped} "
            "and the run is no verdict on the API. "
            f'Exclude it with `exclude = ["{operation.label}"]` in [api] of the isolation config and run again.'
        )

    def _refused(self, state: TenantKnowledge, ctx: EngineContext) -> str | None:
        """How the tenant's own reads were refused, or ``None`` when any was not (or it has none)."""
        assert self._pulses is not None
        pulses = self._pulses.get(state.name, [])
        answers: list[str] = []
        for pulse in pulses:
            status = ctx.sender.status_of(state, pulse.request, pulse.operation)
            if status not in _REFUSED:
                return None
            answers.append(f"{pulse.operation.label} answered {status}")
        return ", ".join(answers) if answers else None


def _chosen(state: TenantKnowledge, ctx: EngineContext) -> list[_Pulse]:
    """The tenant's own reads that answered 2xx, need credentials and take no identifier in the path:
    an object read may be refused (403 for what does not exist) once a probe deleted the object."""
    pulses = [
        _Pulse(ctx.index.by_label[label], view.request)
        for label, view in state.views.items()
        if 200 <= view.status < 300
        and label in ctx.index.by_label
        and ctx.index.by_label[label].requires_auth is not False
        and not ctx.index.is_excluded(ctx.index.by_label[label])
        and "{" not in ctx.index.by_label[label].path
    ]
    return pulses[:_PULSES]
