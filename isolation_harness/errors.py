"""Errors a user can act on.

Every message says what is wrong, shows the offending value and says how to fix it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class IsolationHarnessError(Exception):
    """Base class of every error this library raises on purpose."""


class ConfigurationError(IsolationHarnessError):
    """The harness is misconfigured: a bad option, config file, or tenant setup.

    A misconfiguration is an *error* (exit code 4, pytest's usage error, from pytest and the CLI),
    never a test failure.
    """


class SchemaLoadError(ConfigurationError):
    """The API description could not be loaded or holds nothing to test."""


class ProvisioningError(IsolationHarnessError):
    """A tenant could not be created or logged in."""


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or an empty string."""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {matches[0]!r}?" if matches else ""
