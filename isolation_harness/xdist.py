"""Under pytest-xdist the campaign is split over the workers: each worker probes its shard of the
operations (``--isolation-shard`` splits the same way), and the controller merges the shards.

Every worker provisions and seeds its own tenants and probes only its shard (see
:mod:`.engine.sharding`), so the probing is shared out while every shard is still judged against
the whole API, and the merged findings are the serial run's. A worker runs its shard before it takes
any test, and writes its result to a file the other workers read: an item whose operation is in
another worker's shard waits for that file. Each worker hands its result to the controller through
``workeroutput`` (as schemathesis's pytest plugin sends its workers' results); the controller merges
them, prints the summary and writes every report, once.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .engine.sharding import shard_of
from .errors import IsolationHarnessError
from .events import CampaignResult
from .merging import merge_results

if TYPE_CHECKING:
    from .runner import HarnessRun

OUTPUT_KEY = "isolation_harness_result"
# How long an item waits for another worker to start its shard (it then waits as long as that worker
# lives; a worker that dies without a result is reported at once).
_START_SECONDS = 600.0


def _workerinput(config: pytest.Config) -> dict[str, Any] | None:
    value = getattr(config, "workerinput", None)
    return value if isinstance(value, dict) else None


def worker_id(config: pytest.Config) -> str | None:
    """``gw0``, ``gw1``, ... in a pytest-xdist worker; ``None`` elsewhere."""
    workerinput = _workerinput(config)
    return str(workerinput["workerid"]) if workerinput else None


def is_worker(config: pytest.Config) -> bool:
    """Whether this process is a pytest-xdist worker."""
    return _workerinput(config) is not None


def is_controller(config: pytest.Config) -> bool:
    """Whether this process hands tests to pytest-xdist workers and runs none itself."""
    return _workerinput(config) is None and config.pluginmanager.hasplugin("dsession")


class Shards:
    """This worker's shard of the run, and the other workers' results, in a directory they share.

    The user's shard ``I/M`` (``1/1`` without one) is split again over the ``N`` workers: shards
    deal operations round robin, so shard ``I`` of ``M`` is exactly the shards ``I + M*j`` of ``M*N``
    (``j`` = 0..N-1), one per worker.
    """

    def __init__(self, config: pytest.Config, run: HarnessRun) -> None:
        workerinput = _workerinput(config)
        assert workerinput is not None
        self.directory = Path(tempfile.gettempdir()) / f"isolation-harness-{workerinput['testrunuid']}"
        self.directory.mkdir(exist_ok=True)
        index, count = run.campaign.settings.shard or (1, 1)
        workers = int(workerinput.get("workercount", 1))
        # A worker pytest-xdist started to replace a crashed one takes over that one's shard.
        worker = int(str(workerinput["workerid"]).removeprefix("gw")) % workers
        self.total = count * workers
        self.own = index + count * worker
        self.members = sorted(index + count * other for other in range(workers))
        self.run = run
        run.campaign.split((self.own, self.total), user_shards=count)
        self.shards = shard_of(run.result.operations, self.total)
        self.done = False

    def _file(self, index: int) -> Path:
        return self.directory / f"shard-{index}.json"

    def run_own(self, config: pytest.Config) -> CampaignResult:
        """Run this worker's shard once; whatever happens, the others can read its result."""
        if self.done:
            return self.run.result
        self.done = True
        self._file(self.own).with_suffix(".pid").write_text(str(os.getpid()), encoding="utf-8")
        try:
            with _held_harness_errors():
                self.run.run()
        finally:
            data = self.run.result.to_dict()
            temporary = self._file(self.own).with_suffix(".tmp")
            temporary.write_text(json.dumps(data), encoding="utf-8")
            os.replace(temporary, self._file(self.own))
            workeroutput: dict[str, Any] = config.workeroutput  # type: ignore[attr-defined]
            workeroutput[OUTPUT_KEY] = data
        return self.run.result

    def result_for(self, operation: str) -> CampaignResult:
        """The result of the shard that probed ``operation`` (waiting for its worker if need be)."""
        index = self.shards.get(operation, self.own)
        return self._result(index) if index in self.members else self.run.result

    def merged(self) -> CampaignResult:
        """Every shard of this run, merged: what the gate judges."""
        return merge_results([self._result(index) for index in self.members])

    def _result(self, index: int) -> CampaignResult:
        if index == self.own:
            return self.run.result
        file = self._file(index)
        deadline = time.monotonic() + _START_SECONDS
        while not file.exists():
            started = file.with_suffix(".pid").exists()
            if not self._working(index) and (started or time.monotonic() > deadline) and not file.exists():
                raise RuntimeError(
                    f"the pytest-xdist worker probing shard {index}/{self.total} stopped without a result "
                    "(it crashed or was killed): its operations are not judged"
                )
            time.sleep(0.1)
        return CampaignResult.from_dict(json.loads(file.read_text(encoding="utf-8")))

    def _working(self, index: int) -> bool:
        """Whether the worker that took shard ``index`` is alive."""
        try:
            pid = int(self._file(index).with_suffix(".pid").read_text(encoding="utf-8"))
            os.kill(pid, 0)
        except (OSError, ValueError):
            return False
        return True


class _held_harness_errors:
    """A harness error is recorded in the result (``fatal``): every item reports it. Anything else (a
    bug, a plugin that raises) propagates, with the result marked incomplete."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: Any) -> bool:
        return kind is not None and issubclass(kind, IsolationHarnessError)


def run_serially(run: HarnessRun) -> CampaignResult:
    """The whole campaign in this process (no xdist)."""
    with _held_harness_errors():
        run.run()
    return run.result
