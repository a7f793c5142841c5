"""Budgets: probing stops cleanly after so many requests or seconds, and says what it did not reach."""

from __future__ import annotations

import time

from ..events import CampaignResult
from .settings import CampaignSettings


class Budget:
    """Whether a campaign may send more probes, under ``max_requests`` and ``time_budget``."""

    def __init__(self, settings: CampaignSettings, result: CampaignResult) -> None:
        self.settings = settings
        self.result = result
        self._started = time.monotonic()

    def start(self) -> None:
        """The clock of the time budget starts now (when the campaign starts)."""
        self._started = time.monotonic()

    def spent(self) -> str | None:
        """Why no more probes may be sent (and the result says so), or ``None`` while there is budget."""
        if self.result.stopped:
            return self.result.stopped
        limit = self.settings.max_requests
        if limit is not None and self.result.requests >= limit:
            self.result.stopped = f"request budget of {limit} spent"
        seconds = self.settings.time_budget
        if seconds is not None and time.monotonic() - self._started >= seconds:
            self.result.stopped = f"time budget of {seconds:g} s spent"
        return self.result.stopped
