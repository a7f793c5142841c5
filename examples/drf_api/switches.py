"""Which bugs the app that is serving the current request has switched on.

Django's URL configuration and views are global to the process, so each app object sets its own
switches here for the duration of each request it serves, and the views read them.
"""

from __future__ import annotations

from contextvars import ContextVar

_enabled: ContextVar[frozenset[str]] = ContextVar("drf_api_vulnerabilities", default=frozenset())


def is_on(name: str) -> bool:
    """Whether bug ``name`` is switched on for the current request."""
    return name in _enabled.get()


def enabled() -> ContextVar[frozenset[str]]:
    """The variable an app sets around each request it serves."""
    return _enabled
