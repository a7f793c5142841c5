"""Redaction of credentials in everything the harness prints or writes."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "[REDACTED]"

# Header and field names whose values are secrets whatever the API calls its scheme.
SENSITIVE_NAMES = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "apikey",
        "x-auth-token",
        "password",
        "passwd",
        "secret",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
    }
)

_MIN_SECRET_LENGTH = 4


class Redactor:
    """Replaces every registered secret (tokens, passwords, cookies) with ``[REDACTED]``.

    Thread-safe; secrets are registered as soon as they are known (at login), so no output made
    after that point can hold them.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Register one more secret value; short or empty values are ignored."""
        if not secret or len(secret) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            if secret in self._secrets:
                return
            # Also as it appears in a URL: query-parameter credentials show up percent-encoded.
            self._secrets.update({secret, quote(secret, safe=""), quote_plus(secret)})
            ordered = sorted(self._secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(item) for item in ordered))

    def __call__(self, text: str) -> str:
        """Return ``text`` with every registered secret replaced."""
        pattern = self._pattern
        if pattern is None or not text:
            return text
        return pattern.sub(REDACTED, text)

    def header(self, name: str, value: str) -> str:
        """Redact a header value, wholly if the header is a credential carrier."""
        if is_sensitive_name(name):
            return REDACTED
        return self(value)


def is_sensitive_name(name: str) -> bool:
    """Whether a header, cookie, query parameter or JSON field of this name holds a secret."""
    lowered = name.lower()
    return lowered in SENSITIVE_NAMES or lowered.endswith(("password", "secret", "token"))
