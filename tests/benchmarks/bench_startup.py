"""Benchmark (``make bench``): what the installed plugin adds to an unrelated pytest run.

One trivial test, no API configured, run as a user would run it, each way several times (the ways
alternate, so a slow moment of the machine hits all of them); the medians are compared:

- as installed: every pytest plugin of the environment loads, against the same run with
  ``-p no:isolation_harness``;
- alone: entry-point autoloading off, only this plugin (``-p isolation_harness.plugin``) against
  no plugin: its own cost, which the first comparison can hide where another plugin already
  imported what it imports.

The plugin must add under 0.1 s either way (asserted), in CPU time (user + system) of the pytest
process: start-up is all imports, so on a quiet machine that is its wall time, and on a busy one
(a shared CI runner, a parallel test run) it leaves out the time spent waiting for a core. Wall
times are printed beside it, and so is the cost of the other pytest plugins that come with the
harness's dependencies (schemathesis's, faker's), for context.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPETITIONS = 7
LIMIT_SECONDS = 0.1
ONE_TEST = "def test_adds():\n    assert 1 + 1 == 2\n"
# name: (pytest arguments, entry-point autoloading on)
WAYS = {
    "installed": ((), True),
    "installed_without": (("-p", "no:isolation_harness"), True),
    "alone": (("-p", "isolation_harness.plugin"), False),
    "bare": ((), False),
}
COMPARISONS = {"as installed": ("installed", "installed_without"), "alone": ("alone", "bare")}


@dataclass(frozen=True)
class Timing:
    cpu: float
    wall: float


def _environment(*, autoload: bool) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ISOLATION_", "PYTEST_"))}
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env


def _timing(directory: Path, args: tuple[str, ...], *, autoload: bool) -> Timing:
    """One pytest run: its CPU time (user + system, the kernel's accounting) and its wall time."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=directory,
        env=_environment(autoload=autoload),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, output.decode()
    return Timing(cpu=usage.ru_utime + usage.ru_stime, wall=wall)


def _medians(directory: Path) -> dict[str, Timing]:
    """The median timings of each way, the ways alternating; a first round warms up (bytecode compiled)."""
    timings: dict[str, list[Timing]] = {name: [] for name in WAYS}
    for repetition in range(REPETITIONS + 1):
        for name, (args, autoload) in WAYS.items():
            timing = _timing(directory, args, autoload=autoload)
            if repetition:
                timings[name].append(timing)
    return {
        name: Timing(
            cpu=statistics.median(t.cpu for t in found), wall=statistics.median(t.wall for t in found)
        )
        for name, found in timings.items()
    }


def _line(label: str, measure: str, with_plugin: float, without: float) -> str:
    return (
        f"{label:<13} {measure:<5} with {with_plugin:6.3f} s  without {without:6.3f} s  "
        f"ratio {with_plugin / without:5.3f}  difference {with_plugin - without:+6.3f} s"
    )


def test_the_plugin_adds_under_a_tenth_of_a_second(tmp_path: Path) -> None:
    (tmp_path / "test_unrelated.py").write_text(ONE_TEST)

    medians = _medians(tmp_path)

    lines = ["", f"pytest start-up, one unrelated test, median of {REPETITIONS} runs each:"]
    for label, (with_plugin, without) in COMPARISONS.items():
        for measure in ("cpu", "wall"):
            before, after = getattr(medians[without], measure), getattr(medians[with_plugin], measure)
            lines.append(_line(label, measure, after, before))
    others = medians["installed_without"].cpu - medians["bare"].cpu
    lines += [f"other pytest plugins of the environment (schemathesis, faker, ...): cpu {others:+.3f} s", ""]
    sys.stdout.write("\n".join(lines))
    for label, (with_plugin, without) in COMPARISONS.items():
        added = medians[with_plugin].cpu - medians[without].cpu
        assert added < LIMIT_SECONDS, f"{label}: the plugin adds {added:.3f} s of CPU time"
