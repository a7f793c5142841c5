"""The command line's exit codes, one per situation a pipeline must tell apart."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What ``isolation-harness run`` exits with (documented in the README, section 'Exit codes')."""

    #: No failing finding: nothing confirmed that is not allowed or in the baseline.
    OK = 0
    #: Confirmed cross-tenant findings (or suspected ones with ``fail_on = "suspected"``).
    FINDINGS = 1
    #: A usage or configuration error: a bad option, config key or value.
    USAGE = 2
    #: The target could not be reached, refused to create tenants, or lost them mid-run.
    TARGET = 3
    #: A gate failed: too little of the API was probed or too many requests errored.
    UNRELIABLE = 4
    #: A bug in the harness or a plugin (BSD's EX_SOFTWARE): neither a leak nor a pass.
    INTERNAL = 70
    #: Interrupted (Ctrl-C, SIGTERM); the reports hold what was done and say it is incomplete.
    INTERRUPTED = 130
