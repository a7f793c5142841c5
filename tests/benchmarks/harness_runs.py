"""Measuring one harness campaign for the benchmarks: wall time, requests, first detection, memory.

Only the harness's public API is used (``Campaign``, ``CampaignSettings``, ``load_app``,
``load_config`` and a ``CampaignListener``), as a user would.
"""

from __future__ import annotations

import gc
import re
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isolation_harness import (
    Campaign,
    CampaignFinished,
    CampaignResult,
    CampaignSettings,
    Event,
    Finding,
    FindingMade,
    OpenApiDescription,
    OperationFinished,
    Verdict,
    load_app,
    load_config,
)


class _BudgetSpent(Exception):
    """Raised from the listener to stop a campaign that ran past its time budget."""


class _Watcher:
    """A ``CampaignListener``: times the first confirmed finding at a target operation, and enforces a budget."""

    def __init__(self, targets: frozenset[str], budget: float | None) -> None:
        self.targets = targets
        self.budget = budget
        self.campaign: Campaign | None = None
        self.started = time.perf_counter()
        self.first_seconds: float | None = None
        self.first_requests: int | None = None
        self.operations_done = 0
        self.stopped = False

    def on_event(self, event: Event, result: CampaignResult) -> None:
        if isinstance(event, FindingMade):
            self._found(event.finding)
        elif isinstance(event, (OperationFinished, CampaignFinished)):
            self._progress()

    def _found(self, finding: Finding) -> None:
        if (
            self.first_seconds is None
            and finding.verdict is Verdict.CONFIRMED
            and finding.operation in self.targets
        ):
            self.first_seconds = time.perf_counter() - self.started
            self.first_requests = self.campaign.result.requests if self.campaign is not None else None

    def _progress(self) -> None:
        # Called after each probed operation, and once more when the campaign ends.
        if self.stopped:
            return
        self.operations_done += 1
        if self.budget is not None and time.perf_counter() - self.started > self.budget:
            self.stopped = True
            raise _BudgetSpent


@dataclass
class CampaignRun:
    """What one campaign did, as measured from outside."""

    seconds: float
    requests: int
    operations: int
    findings: list[Finding]
    errors: int
    complete: bool
    # The campaign was stopped at its time budget after this many operations (None: it finished).
    stopped_after_operations: int | None = None
    first_detection_seconds: float | None = None
    first_detection_requests: int | None = None
    # Growth of the process's peak resident set during the campaign (Linux only; no overhead).
    peak_rss_growth: int | None = None
    # Peak of Python allocations during the campaign, from a separate tracemalloc run.
    tracemalloc_peak: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def confirmed(self) -> list[Finding]:
        return [f for f in self.findings if f.verdict is Verdict.CONFIRMED]

    def suspected(self) -> list[Finding]:
        return [f for f in self.findings if f.verdict is Verdict.SUSPECTED]


def run_campaign(
    app: Any,
    config_path: Path,
    *,
    targets: frozenset[str] = frozenset(),
    budget: float | None = None,
    trace_memory: bool = False,
) -> CampaignRun:
    """Run one whole campaign in-process against ``app`` and measure it.

    The clock runs from building the campaign (its model of the API) to the end of ``run()``;
    loading the API description is not counted. With ``trace_memory`` the campaign runs under
    tracemalloc, which makes it several times slower: use such a run for memory only.
    """
    config = load_config(config_path)
    assert config.provisioner is not None
    api = load_app(app, openapi_path=config.openapi_path)
    settings = CampaignSettings(exclude=config.exclude, references=config.references)
    gc.collect()
    rss_before = _reset_peak_rss()
    if trace_memory:
        tracemalloc.start()
    watcher = _Watcher(targets, budget)
    watcher.started = time.perf_counter()
    campaign = Campaign(
        description=OpenApiDescription(api.schema, references=config.references),
        transport=api.transport,
        provisioner=config.provisioner,
        settings=settings,
        listeners=[watcher],
    )
    watcher.campaign = campaign
    try:
        result = campaign.run()
    except _BudgetSpent:
        result = campaign.result
    seconds = time.perf_counter() - watcher.started
    traced = tracemalloc.get_traced_memory()[1] if trace_memory else None
    if trace_memory:
        tracemalloc.stop()
    peak = _peak_rss()
    return CampaignRun(
        seconds=seconds,
        requests=result.requests,
        operations=len(result.operations),
        findings=list(result.findings),
        errors=len(result.errors),
        complete=result.complete,
        stopped_after_operations=watcher.operations_done if watcher.stopped else None,
        first_detection_seconds=watcher.first_seconds,
        first_detection_requests=watcher.first_requests,
        peak_rss_growth=peak - rss_before if peak is not None and rss_before is not None else None,
        tracemalloc_peak=traced,
    )


_STATUS = Path("/proc/self/status")


def _status_kb(field_name: str) -> int | None:
    try:
        match = re.search(rf"^{field_name}:\s+(\d+) kB", _STATUS.read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(match.group(1)) * 1024 if match else None


def _reset_peak_rss() -> int | None:
    """Reset the kernel's peak-RSS mark (VmHWM) to the current RSS and return it; None off Linux."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return _status_kb("VmRSS")


def _peak_rss() -> int | None:
    return _status_kb("VmHWM")
