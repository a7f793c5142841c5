"""What a person running the command sees as the campaign goes: each finding and probe error as it
is made, and on a terminal a live status line (phase, operations, probes, findings, rate, errors)."""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.text import Text

from ..events import (
    CampaignResult,
    Event,
    FindingMade,
    OperationFinished,
    PhaseStarted,
    ProbeFailed,
    ProbeSent,
)
from ..reports import format_finding


def wants_live(*, choice: bool | None) -> bool:
    """A live status line only on a terminal and outside CI, unless asked for or against."""
    if choice is not None:
        return choice
    return sys.stdout.isatty() and not os.environ.get("CI")


class Progress:
    """Prints findings and probe errors as they are made; with ``live``, keeps a status line below them."""

    def __init__(self, *, quiet: bool, live: bool, operations: int = 0) -> None:
        self.quiet = quiet
        self.operations = operations
        self.phase = "load"
        self.done = 0
        self.probes = 0
        self.findings = 0
        self.errors = 0
        self._started = time.monotonic()
        self._console = Console(highlight=False, soft_wrap=True) if live else None
        self._live = (
            Live(console=self._console, transient=True, refresh_per_second=4, auto_refresh=True)
            if self._console is not None
            else None
        )

    def __enter__(self) -> Progress:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.stop()

    def status(self) -> str:
        """The status line: phase, operations done, probes sent, findings so far, rate, errors."""
        elapsed = max(time.monotonic() - self._started, 1e-9)
        return (
            f"{self.phase}: {self.done}/{self.operations} operations, {self.probes} probes, "
            f"{self.findings} findings, {self.probes / elapsed:.1f} probes/s, {self.errors} errors"
        )

    def say(self, text: str, *, err: bool = False) -> None:
        """Print a line (above the status line on a terminal)."""
        if self._console is not None and not err:
            self._console.print(Text(text))
        else:
            print(text, file=sys.stderr if err else sys.stdout, flush=True)

    def on_event(self, event: Event, result: CampaignResult) -> None:
        if isinstance(event, PhaseStarted):
            self.phase = event.phase
            self.operations = len(result.operations)
        elif isinstance(event, OperationFinished):
            self.done += 1
        elif isinstance(event, ProbeSent):
            self.probes += 1
        elif isinstance(event, FindingMade):
            self.findings += 1
            if not self.quiet:
                self.say(format_finding(event.finding) + "\n")
        elif isinstance(event, ProbeFailed):
            self.errors += 1
            if not self.quiet:
                error = event.error
                self.say(f"probe error: {error.operation} ({error.attacker}, {error.slot}): {error.message}")
        if self._live is not None:
            self._live.update(Text(self.status(), style="dim"))
