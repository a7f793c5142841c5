"""What a campaign tells the world as it runs: typed events, the listeners that receive them, the result.

Reporters, front ends and plugins import this module, never the engine: every output is fed from
these events and the one :class:`CampaignResult` model.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from .coverage import Coverage
from .model import Finding, ProbeError


def format_percent(ratio: float) -> str:
    """A share as every report writes it: rounded down to a tenth, ``66.6%``, ``100%``, ``0%`` (so 1,999
    of 2,000 is not 100%)."""
    tenths = math.floor(ratio * 1000 + 1e-9)
    return f"{tenths // 10}.{tenths % 10}%".replace(".0%", "%")


# The fewest probes of one kind whose share of unjudged answers the error rate looks at on its own.
KIND_SAMPLE = 20


@dataclass
class CampaignResult:
    """Everything a campaign found and did; every reporter reads this one model."""

    operations: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ProbeError] = field(default_factory=list)
    coverage: dict[str, Coverage] = field(default_factory=dict)
    seeding: list[str] = field(default_factory=list)
    tenants: list[str] = field(default_factory=list)
    requests: int = 0
    # Requests sent again after transient trouble (included in ``requests``).
    retries: int = 0
    started: float = field(default_factory=time.time)
    duration: float = 0.0
    complete: bool = False
    fatal: str | None = None
    # The campaign stopped because it was misconfigured or its tenants could not be created.
    setup_failed: bool = False
    # Stopped by the person running it (Ctrl-C, SIGTERM): what the reports hold is incomplete.
    interrupted: bool = False
    # A budget ended probing early (``request budget of 500 spent``); what it did not reach has a gap.
    stopped: str | None = None
    # Each gate the run failed, a sentence each (set by the front end before the last report).
    gate: list[str] = field(default_factory=list)
    # Whether suspected findings fail too (the config's ``fail_on = "suspected"``).
    fail_on_suspected: bool = False
    # Probes sent (each attempt of a probe once, retries not counted), the requests the error rate is of.
    probe_requests: int = 0
    # The run stopped because it was misconfigured (rather than because the target failed).
    misconfigured: bool = False

    def findings_for(self, operation: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.operation == operation]

    def errors_for(self, operation: str) -> list[ProbeError]:
        return [error for error in self.errors if error.operation == operation]

    @property
    def reliable(self) -> bool:
        """Whether the verdict can be trusted: the campaign completed and every request was judged."""
        return self.complete and not self.errors

    def coverage_counts(self) -> tuple[int, int]:
        """Operations probed, and operations not excluded on purpose."""
        eligible = [c for c in self.coverage.values() if not c.excluded]
        return sum(1 for c in eligible if c.covered), len(eligible)

    def coverage_ratio(self) -> float:
        """Operations probed, of those not excluded on purpose (1.0 when there are none)."""
        probed, eligible = self.coverage_counts()
        return probed / eligible if eligible else 1.0

    def why_not_probed(self, label: str) -> str:
        """Why ``label`` got no probe, in one phrase."""
        coverage = self.coverage.get(label)
        if coverage is not None and coverage.skipped:
            return "; ".join(coverage.skipped)
        if self.interrupted:
            return "not reached: the run was interrupted"
        if not self.complete:
            return "not reached: the campaign stopped before it"
        return "no probe could be built"

    def error_rate(self) -> float:
        """Probes that got no answer that could be judged (5xx, 429, no answer after retries), of the
        probes sent, or of one probe kind's (:meth:`worst_kind`) when that is higher: an API that fails
        every request aimed at another tenant's object fails the gate, however many of the tenants' own
        reads it answers. Setting up (provisioning, seeding, owner views) is not what the gate judges."""
        worst = self.worst_kind()
        overall = self.overall_error_rate()
        return max(overall, worst[1]) if worst else overall

    def overall_error_rate(self) -> float:
        """Probes that got no answer that could be judged, of all the probes sent, whatever their kind."""
        failed = sum(1 for error in self.errors if error.probe)
        return min(1.0, failed / self.probe_requests) if self.probe_requests else 0.0

    def worst_kind(self) -> tuple[str, float] | None:
        """The probe kind with the largest share of probes that got no answer that could be judged, and
        that share; only kinds with at least :data:`KIND_SAMPLE` probes count (``None``: no such kind)."""
        sent: dict[str, int] = {}
        unjudged: dict[str, int] = {}
        for coverage in self.coverage.values():
            for kind, count in coverage.unjudged.items():
                unjudged[kind] = unjudged.get(kind, 0) + count
                sent[kind] = sent.get(kind, 0) + count
            for kind, count in coverage.kinds.items():
                sent[kind] = sent.get(kind, 0) + count
        rates = [
            (unjudged.get(kind, 0) / count, kind) for kind, count in sent.items() if count >= KIND_SAMPLE
        ]
        if not rates:
            return None
        rate, kind = max(rates)
        return kind, rate

    def failing(self) -> list[Finding]:
        """The findings that fail the run (see :meth:`Finding.fails`)."""
        return [f for f in self.findings if f.fails(fail_on_suspected=self.fail_on_suspected)]

    def errors_by_kind(self, *, probes_only: bool = False) -> dict[str, int]:
        """How many errors of each kind (of probes only, when asked)."""
        counts: dict[str, int] = {}
        for error in self.errors:
            if error.probe or not probes_only:
                counts[error.kind] = counts.get(error.kind, 0) + 1
        return dict(sorted(counts.items()))

    def note(self, message: str) -> None:
        """Record a seeding note once."""
        if message not in self.seeding:
            self.seeding.append(message)

    def to_dict(self) -> dict[str, Any]:
        """Everything, as JSON-ready data (see :meth:`from_dict`)."""
        return {
            "operations": list(self.operations),
            "findings": [finding.to_dict() for finding in self.findings],
            "errors": [error.to_dict() for error in self.errors],
            "coverage": {label: coverage.to_dict() for label, coverage in self.coverage.items()},
            "seeding": list(self.seeding),
            "tenants": list(self.tenants),
            "requests": self.requests,
            "retries": self.retries,
            "started": self.started,
            "duration": self.duration,
            "complete": self.complete,
            "fatal": self.fatal,
            "setup_failed": self.setup_failed,
            "interrupted": self.interrupted,
            "stopped": self.stopped,
            "gate": list(self.gate),
            "fail_on_suspected": self.fail_on_suspected,
            "probe_requests": self.probe_requests,
            "misconfigured": self.misconfigured,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CampaignResult:
        """The result :meth:`to_dict` gave (from another process, say)."""
        return cls(
            operations=list(data["operations"]),
            findings=[Finding.from_dict(item) for item in data["findings"]],
            errors=[ProbeError(**item) for item in data["errors"]],
            coverage={label: Coverage.from_dict(label, item) for label, item in data["coverage"].items()},
            seeding=list(data["seeding"]),
            tenants=list(data["tenants"]),
            requests=int(data["requests"]),
            retries=int(data.get("retries", 0)),
            started=float(data["started"]),
            duration=float(data["duration"]),
            complete=bool(data["complete"]),
            fatal=data["fatal"],
            setup_failed=bool(data.get("setup_failed", False)),
            interrupted=bool(data.get("interrupted", False)),
            stopped=data.get("stopped"),
            gate=list(data.get("gate", [])),
            fail_on_suspected=bool(data.get("fail_on_suspected", False)),
            probe_requests=int(data.get("probe_requests", 0)),
            misconfigured=bool(data.get("misconfigured", False)),
        )


@dataclass(frozen=True)
class PhaseStarted:
    """A phase of the campaign (provision, seed, share, observe, probe, aftermath) began."""

    phase: str


@dataclass(frozen=True)
class PhaseFinished:
    """A phase ended, after ``seconds``."""

    phase: str
    seconds: float


@dataclass(frozen=True)
class ProbeSent:
    """A probe was sent; ``status`` is ``None`` when no answer came."""

    operation: str
    kind: str
    attacker: str
    victim: str | None
    slot: str
    status: int | None


@dataclass(frozen=True)
class FindingMade:
    """A finding was made; it is already in the result."""

    finding: Finding


@dataclass(frozen=True)
class ProbeFailed:
    """A request could not be judged (5xx, timeout, reset); it is already in the result."""

    error: ProbeError


@dataclass(frozen=True)
class OperationFinished:
    """Every probe of an operation was sent and judged."""

    operation: str
    coverage: Coverage


@dataclass(frozen=True)
class CampaignFinished:
    """The campaign ended, complete or not (``result.complete``, ``result.fatal``)."""

    result: CampaignResult


Event = (
    PhaseStarted
    | PhaseFinished
    | ProbeSent
    | FindingMade
    | ProbeFailed
    | OperationFinished
    | CampaignFinished
)


class CampaignListener(Protocol):
    """Receives every event as it happens, so nothing found is lost to a later crash."""

    def on_event(self, event: Event, result: CampaignResult) -> None: ...


class EventBus:
    """Hands each event to every listener, in order."""

    def __init__(self, result: CampaignResult, listeners: list[CampaignListener] | None = None) -> None:
        self.result = result
        self.listeners: list[CampaignListener] = []
        self._held = threading.local()
        for listener in listeners or []:
            self.add(listener)

    def add(self, listener: CampaignListener) -> None:
        """Add a listener; one without ``on_event(event, result)`` is refused with what to write instead."""
        if not callable(getattr(listener, "on_event", None)):
            raise TypeError(
                f"listeners: {listener!r} has no on_event(event, result) method. Listeners receive typed "
                "events: write on_event and look at isinstance(event, FindingMade) (was on_finding), "
                "ProbeFailed (was on_error), OperationFinished or CampaignFinished (was on_progress)."
            )
        self.listeners.append(listener)

    def emit(self, event: Event) -> None:
        held: list[Event] | None = getattr(self._held, "events", None)
        if held is not None:
            held.append(event)
            return
        self.emit_to(event, self.result)

    @property
    def holding(self) -> list[Event] | None:
        """Where this thread's events are held, or ``None`` when they are handed out as emitted."""
        return getattr(self._held, "events", None)

    @contextmanager
    def held(self, events: list[Event] | None) -> Iterator[None]:
        """Hold this thread's events in ``events`` instead of handing them out (operations probed side by
        side hand theirs out afterwards, in the order a serial run would); ``None`` holds nothing."""
        before = self.holding
        self._held.events = events
        try:
            yield
        finally:
            self._held.events = before

    def emit_to(self, event: Event, result: CampaignResult) -> None:
        """Hand ``event`` to every listener with ``result`` (another result than the bus's: a merged one)."""
        for listener in self.listeners:
            listener.on_event(event, result)
