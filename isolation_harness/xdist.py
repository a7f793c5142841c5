"""Under pytest-xdist the campaign runs once: the first worker that needs it runs it, the others read its result.

The worker that ran it hands the result to the controller through ``workeroutput`` (as
schemathesis's pytest plugin sends its workers' results), so the summary is printed once and every
report is written once, by that worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from filelock import FileLock

from .errors import IsolationHarnessError
from .events import CampaignResult

if TYPE_CHECKING:
    from .runner import HarnessRun

OUTPUT_KEY = "isolation_harness_result"


def _workerinput(config: pytest.Config) -> dict[str, Any] | None:
    value = getattr(config, "workerinput", None)
    return value if isinstance(value, dict) else None


def worker_id(config: pytest.Config) -> str | None:
    """``gw0``, ``gw1``, ... in a pytest-xdist worker; ``None`` elsewhere."""
    workerinput = _workerinput(config)
    return str(workerinput["workerid"]) if workerinput else None


def is_controller(config: pytest.Config) -> bool:
    """Whether this process hands tests to pytest-xdist workers and runs none itself."""
    return _workerinput(config) is None and config.pluginmanager.hasplugin("dsession")


def campaign_once(config: pytest.Config, run: HarnessRun) -> tuple[CampaignResult, bool]:
    """The campaign's result, and whether this process ran it."""
    workerinput = _workerinput(config)
    if workerinput is None:
        return _run(run), True
    shared = Path(tempfile.gettempdir()) / f"isolation-harness-{workerinput['testrunuid']}"
    shared.mkdir(exist_ok=True)
    stored = shared / "result.json"
    with FileLock(str(shared / "campaign.lock")):
        if stored.exists():
            return CampaignResult.from_dict(json.loads(stored.read_text(encoding="utf-8"))), False
        try:
            result = _run(run)
        finally:
            # Whatever happened, the other workers read this result instead of running it again.
            data = run.result.to_dict()
            temporary = stored.with_suffix(".tmp")
            temporary.write_text(json.dumps(data), encoding="utf-8")
            os.replace(temporary, stored)
            workeroutput: dict[str, Any] = config.workeroutput  # type: ignore[attr-defined]
            workeroutput[OUTPUT_KEY] = data
    return result, True


def _run(run: HarnessRun) -> CampaignResult:
    # A harness error is recorded in the result (``fatal``): every item reports it. Anything else
    # (a bug, a plugin that raises) propagates, with the result marked incomplete.
    with contextlib.suppress(IsolationHarnessError):
        run.run()
    return run.result
