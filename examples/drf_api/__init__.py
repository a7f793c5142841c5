"""Workouts: a Django REST framework + drf-spectacular example API with switchable isolation bugs.

``app`` (built on first access) reads the bugs to switch on from ``DRF_VULNERABILITIES``:
comma-separated names, ``all``, or ``none``/empty (the default).
"""

from __future__ import annotations

import os
from typing import Any

from .vulnerabilities import ENV_VAR, VULNERABILITIES, vulnerabilities_from_env
from .wsgi import WorkoutsApp, create_app

__all__ = ["ENV_VAR", "VULNERABILITIES", "WorkoutsApp", "app", "create_app", "vulnerabilities_from_env"]

_app: WorkoutsApp | None = None


def __getattr__(name: str) -> Any:
    # Built on first access, so that importing the package does not set Django up.
    global _app
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _app is None:
        _app = create_app(vulnerabilities_from_env(os.environ.get(ENV_VAR)))
    return _app
