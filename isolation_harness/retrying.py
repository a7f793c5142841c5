"""Retries: transient trouble (resets, timeouts, 502/503/504, 429) is tried again with exponential back-off."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass

from .model import header_value

# Answers that say "try again later": a gateway's or an overloaded server's, and rate limiting.
RETRIED_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a request is tried again. Every argument is keyword-only."""

    attempts: int = 4
    base_delay: float = 0.05
    max_delay: float = 2.0
    # The most a ``Retry-After`` header may make the harness wait.
    retry_after_cap: float = 5.0

    def __post_init__(self) -> None:
        if not isinstance(self.attempts, int) or isinstance(self.attempts, bool) or self.attempts < 1:
            raise ValueError(f"RetryPolicy(attempts={self.attempts!r}): at least 1 (1 means no retry).")
        for name in ("base_delay", "max_delay", "retry_after_cap"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"RetryPolicy({name}={value!r}): a number of seconds, 0 or more.")

    def delay(self, attempt: int, *, retry_after: str | None = None) -> float:
        """Seconds to wait before try ``attempt + 1`` (``attempt`` counts from 0)."""
        waited = _retry_after_seconds(retry_after)
        if waited is not None:
            return min(waited, self.retry_after_cap)
        return float(min(self.max_delay, self.base_delay * (2**attempt)))

    def wait(self, attempt: int, *, retry_after: str | None = None) -> None:
        time.sleep(self.delay(attempt, retry_after=retry_after))

    def again_after_failure(self, attempt: int) -> bool:
        """After a reset or a timeout on try ``attempt``: wait and say yes, unless it was the last try."""
        if attempt >= self.attempts - 1:
            return False
        self.wait(attempt)
        return True

    def again_after_answer(
        self, attempt: int, status: int, headers: Mapping[str, str], *, malformed: bool
    ) -> bool:
        """After an answer: wait and say yes when it says "try later" (429, 502, 503, 504) or its JSON is
        broken, unless try ``attempt`` was the last."""
        if attempt >= self.attempts - 1 or not (status in RETRIED_STATUSES or malformed):
            return False
        retry_after = header_value(headers, "retry-after") or None
        self.wait(attempt, retry_after=retry_after if status in RETRIED_STATUSES else None)
        return True


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds, or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def is_malformed(headers: Mapping[str, str], text: str) -> bool:
    """A body that says it is JSON and is not (cut short, say): worth asking again."""
    content_type = header_value(headers, "content-type")
    if "json" not in content_type.lower() or not text.strip():
        return False
    try:
        json.loads(text)
    except ValueError:
        return True
    return False
