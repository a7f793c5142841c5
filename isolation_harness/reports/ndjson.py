"""The event log: one JSON line per event, written and flushed as it happens."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import IO, Any

from ..events import (
    CampaignFinished,
    CampaignResult,
    Event,
    FindingMade,
    OperationFinished,
    PhaseFinished,
    PhaseStarted,
    ProbeFailed,
    ProbeSent,
)
from ..redaction import Redactor
from .base import ReportMeta
from .json_report import report_dict


def event_dict(event: Event, result: CampaignResult, meta: ReportMeta) -> dict[str, Any]:
    """One event as a line of the log: ``event`` names it, the rest is what it says.

    Probes are described by operation, kind, tenants and slot: a request's credentials are never in it.
    """
    if isinstance(event, PhaseStarted):
        return {"event": "phase-started", "phase": event.phase}
    if isinstance(event, PhaseFinished):
        return {"event": "phase-finished", "phase": event.phase, "seconds": round(event.seconds, 3)}
    if isinstance(event, ProbeSent):
        return {
            "event": "probe-sent",
            "operation": event.operation,
            "kind": event.kind,
            "attacker": event.attacker,
            "victim": event.victim,
            "slot": event.slot,
            "status": event.status,
        }
    if isinstance(event, FindingMade):
        return {"event": "finding", **event.finding.to_dict()}
    if isinstance(event, ProbeFailed):
        return {"event": "probe-error", **event.error.to_dict()}
    if isinstance(event, OperationFinished):
        return {"event": "operation-finished", "operation": event.operation, **event.coverage.to_dict()}
    report = report_dict(event.result, meta)
    keys = ("complete", "reliable", "interrupted", "stopped", "fatal", "gate", "stats")
    return {"event": "campaign-finished", **{key: report[key] for key in keys}}


class NdjsonReport:
    """Appends each event to the log the moment it happens; the file starts empty for each run."""

    def __init__(self, path: Path, meta: ReportMeta, redactor: Redactor) -> None:
        self.path = path
        self.meta = meta
        self.redactor = redactor
        self._lock = threading.Lock()
        self._handle: IO[str] | None = None
        self._opened = False

    def on_event(self, event: Event, result: CampaignResult) -> None:
        line = json.dumps({"time": round(time.time(), 3), **event_dict(event, result, self.meta)})
        line = self.redactor(line)
        with self._lock:
            if self._handle is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = self.path.open("a" if self._opened else "w", encoding="utf-8")
                self._opened = True
            self._handle.write(line + "\n")
            self._handle.flush()
            if isinstance(event, CampaignFinished):
                # The front end may emit it again: the next event reopens the log to append.
                self._handle.close()
                self._handle = None
