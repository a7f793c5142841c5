"""Sending a tenant's request: transient trouble is retried, what stays broken is a probe error, never a verdict."""

from __future__ import annotations

import threading
from typing import Any

import requests

from ..errors import TargetLostError
from ..events import CampaignResult, EventBus, ProbeFailed
from ..knowledge import Knowledge, TenantKnowledge
from ..model import HttpRequest, HttpResponse, ProbeError
from ..operations import Operation
from ..redaction import Redactor
from ..retrying import RetryPolicy, is_malformed
from ..transport import describe_failure, send
from .turns import Start, Stopped, Turns

# Requests in a row that got no answer at all (after their retries) before the API counts as gone.
LOST_AFTER = 8


class Sender:
    """Sends requests as tenants; counts them, retries and records errors, and remembers what tenants
    read of their own. When the API stops answering altogether, the run stops (:class:`TargetLostError`)
    instead of recording an error for every request left."""

    def __init__(
        self,
        *,
        knowledge: Knowledge,
        result: CampaignResult,
        bus: EventBus,
        redactor: Redactor,
        timeout: float,
        retry: RetryPolicy | None = None,
        turns: Turns | None = None,
        workers: int = 1,
    ) -> None:
        self.knowledge = knowledge
        self.result = result
        self.bus = bus
        self.redactor = redactor
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.turns = turns or Turns()
        # How many requests that do not depend on each other may be in flight at once (see bursts.py).
        self.workers = workers
        # Set while the campaign ends under requests still being sent on other threads: they stop.
        self.stopping = threading.Event()
        self._silent = 0

    def send(
        self,
        state: TenantKnowledge,
        request: HttpRequest,
        operation: Operation,
        *,
        probe: bool = False,
        slot: str = "",
        start: Start | None = None,
    ) -> HttpResponse | None:
        """The response, or ``None`` on an error (recorded).

        Resets, timeouts, 429, 502, 503 and 504 are tried again, as is a body that is not the JSON
        it says it is. A probe's 5xx or 429 response is returned (an oracle may still find another
        tenant's data in its text, though no 5xx is ever a finding); any other request's is ``None``.
        What a tenant receives outside probes is its own data, and is remembered. ``start``: the first
        attempt waits there for the other requests of a burst (see :meth:`send_together`).
        """
        attempted = self._attempts(state, request, operation, slot=slot, probe=probe, start=start)
        if attempted is None:
            return None
        response, body, malformed = attempted
        if operation.requires_auth is not False:
            state.answered += 1
            if response.status in (401, 403):
                state.refused += 1
        where = f"{request.method} {request.path}"
        if response.status >= 500 or response.status == 429:
            kind = "rate-limited" if response.status == 429 else "server-error"
            self.error(
                operation,
                state,
                slot,
                f"HTTP {response.status} from {where}: {self.redactor(response.text)[:200]}",
                kind=kind,
                probe=probe,
            )
            return response if probe else None
        if malformed:
            self.error(
                operation,
                state,
                slot,
                f"{where} answered a body that is not the JSON it declares",
                kind="malformed-body",
                probe=probe,
            )
            return response if probe else None
        if not probe:
            self.knowledge.remember(state, body)
        return response

    def status_of(self, state: TenantKnowledge, request: HttpRequest, operation: Operation) -> int | None:
        """The status a tenant's own request is answered with, tried again like any; ``None`` when no
        answer came. Nothing is recorded: this asks whether the tenant's credentials still work."""
        response = self.trial(state, request, operation)
        return response.status if response is not None else None

    def trial(
        self, state: TenantKnowledge, request: HttpRequest, operation: Operation
    ) -> HttpResponse | None:
        """A tenant's request whose answer is neither a verdict nor the tenant's data (does this body
        work? do these credentials?): tried again like any, never an error; ``None`` when no answer came."""
        attempted = self._attempts(state, request, operation, slot="", record=False)
        return attempted[0] if attempted is not None else None

    def _attempts(
        self,
        state: TenantKnowledge,
        request: HttpRequest,
        operation: Operation,
        *,
        slot: str,
        record: bool = True,
        probe: bool = False,
        start: Start | None = None,
    ) -> tuple[HttpResponse, Any, bool] | None:
        """The last answer, its body parsed once, and whether that body is broken JSON; ``None`` (recorded
        unless ``record`` is false) when no answer came."""
        policy = self.retry
        for attempt in range(policy.attempts):
            if self.stopping.is_set():
                raise Stopped
            self.result.requests += 1
            if attempt:
                self.result.retries += 1
            try:
                with self.turns.waiting():
                    if start is not None and not attempt:
                        start.wait()
                        if self.stopping.is_set():
                            raise Stopped
                    response = send(state.tenant.client, request, timeout=self.timeout)
            except requests.RequestException as exc:
                # The policy waits before a retry: other threads go on meanwhile.
                with self.turns.waiting():
                    again = policy.again_after_failure(attempt)
                if again:
                    continue
                reason = self.redactor(describe_failure(exc))
                self._no_answer(request, operation, reason)
                if not record:
                    return None
                kind = "timeout" if isinstance(exc, requests.Timeout) else "connection"
                self.error(operation, state, slot, reason, kind=kind, probe=probe)
                return None
            except Exception as exc:
                # An in-process app that raises is what a server answers with a 500: an error, not a crash.
                if not record:
                    return None
                message = f"the application raised {type(exc).__name__}: {self.redactor(str(exc))[:200]}"
                self.error(operation, state, slot, message, kind="application-error", probe=probe)
                return None
            self._silent = 0
            body = response.json()
            # Parsed again only when it gave nothing: a body of JSON `null` is no broken body.
            malformed = body is None and is_malformed(response.headers, response.text)
            with self.turns.waiting():
                again = policy.again_after_answer(
                    attempt, response.status, response.headers, malformed=malformed
                )
            if not again:
                return response, body, malformed
        return None

    def _no_answer(self, request: HttpRequest, operation: Operation, reason: str) -> None:
        self._silent += 1
        if self._silent >= LOST_AFTER:
            raise TargetLostError(
                f"The API stopped answering: the last {self._silent} requests got no answer, even when "
                f"tried again ({reason}), the last {request.method} {request.path} for {operation.label}. "
                "Nothing after that would be a verdict. Check that the API is running and run again."
            )

    def error(
        self,
        operation: Operation,
        state: TenantKnowledge,
        slot: str,
        message: str,
        *,
        kind: str,
        probe: bool = False,
    ) -> None:
        error = ProbeError(
            operation=operation.label,
            attacker=state.tenant.name,
            slot=slot or "-",
            message=message,
            kind=kind,
            probe=probe,
        )
        self.result.errors.append(error)
        self.bus.emit(ProbeFailed(error))
