"""Sending a tenant's request and turning network trouble into probe errors, never into verdicts."""

from __future__ import annotations

import requests

from ..events import CampaignResult, EventBus, ProbeFailed
from ..knowledge import Knowledge, TenantKnowledge
from ..model import HttpRequest, HttpResponse, ProbeError
from ..operations import Operation
from ..redaction import Redactor
from ..transport import send


class Sender:
    """Sends requests as tenants; counts them, records errors, and remembers what tenants read of their own."""

    def __init__(
        self,
        *,
        knowledge: Knowledge,
        result: CampaignResult,
        bus: EventBus,
        redactor: Redactor,
        timeout: float,
    ) -> None:
        self.knowledge = knowledge
        self.result = result
        self.bus = bus
        self.redactor = redactor
        self.timeout = timeout

    def send(
        self,
        state: TenantKnowledge,
        request: HttpRequest,
        operation: Operation,
        *,
        probe: bool = False,
        slot: str = "",
    ) -> HttpResponse | None:
        """The response, or ``None`` on an error (recorded).

        A probe's 5xx response is returned (an oracle may still find another tenant's data in its
        error text, though no 5xx is ever a finding); any other request's is ``None``. What a tenant
        receives outside probes is its own data, and is remembered.
        """
        self.result.requests += 1
        try:
            response = send(state.tenant.client, request, timeout=self.timeout)
        except requests.RequestException as exc:
            self.error(operation, state, slot, f"{type(exc).__name__}: {self.redactor(str(exc))[:200]}")
            return None
        except Exception as exc:
            # An in-process app that raises is what a server answers with a 500: an error, not a crash.
            self.error(
                operation,
                state,
                slot,
                f"the application raised {type(exc).__name__}: {self.redactor(str(exc))[:200]}",
            )
            return None
        if operation.requires_auth is not False:
            state.answered += 1
            if response.status in (401, 403):
                state.refused += 1
        if response.status >= 500:
            self.error(
                operation,
                state,
                slot,
                f"HTTP {response.status} from {request.method} {request.path}: {self.redactor(response.text[:200])}",
            )
            return None if not probe else response
        if not probe:
            self.knowledge.remember(state, response.json())
        return response

    def error(self, operation: Operation, state: TenantKnowledge, slot: str, message: str) -> None:
        error = ProbeError(
            operation=operation.label, attacker=state.tenant.name, slot=slot or "-", message=message
        )
        self.result.errors.append(error)
        self.bus.emit(ProbeFailed(error))
