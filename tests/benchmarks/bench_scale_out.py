"""Benchmark (``make bench``): the campaign split over pytest-xdist workers, and over CI shards.

The Dispatch campaign (every bug switched on, in-process) run by pytest serially and with ``-n 2``
(each worker probes its shard of the operations; the controller merges them), several times each,
alternating; the medians of the wall times give the speed-up. The findings must be the serial
run's every time (asserted). On a machine with fewer free cores than workers the speed-up is
smaller: it is printed, never asserted.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "examples" / "dispatch_api" / "isolation.toml"
REPETITIONS = 3
WAYS = {"1 process": ("-p", "no:xdist"), "2 workers": ("-n", "2")}


def _findings(path: Path) -> set[tuple[str, ...]]:
    keys = ("operation", "kind", "oracle", "attacker", "victim", "slot")
    return {tuple(finding[key] for key in keys) for finding in json.loads(path.read_text())["findings"]}


def _run(tmp_path: Path, way: str, repetition: int) -> tuple[float, set[tuple[str, ...]]]:
    report = tmp_path / f"{way.replace(' ', '-')}-{repetition}.json"
    env = dict(os.environ, DISPATCH_VULNERABILITIES="all", PYTHONPATH=str(ROOT))
    env.pop("CI", None)
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--isolation-schema=examples.dispatch_api:app",
            f"--isolation-config={CONFIG}",
            f"--isolation-report-json={report}",
            *WAYS[way],
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    return seconds, _findings(report)


def test_two_workers_find_the_serial_findings_faster(tmp_path: Path) -> None:
    times: dict[str, list[float]] = {way: [] for way in WAYS}
    serial: set[tuple[str, ...]] | None = None
    for repetition in range(REPETITIONS):
        for way in WAYS:
            seconds, findings = _run(tmp_path, way, repetition)
            times[way].append(seconds)
            serial = serial if serial is not None else findings
            assert findings == serial, f"{way}, run {repetition}: {sorted(findings ^ serial)}"
    medians = {way: statistics.median(values) for way, values in times.items()}
    print()
    for way, median in medians.items():
        print(
            f"pytest, {way}: median {median:.1f} s of {REPETITIONS} ({', '.join(f'{t:.1f}' for t in times[way])})"
        )
    print(f"speed-up from 1 process to 2 workers: {medians['1 process'] / medians['2 workers']:.2f}x")
    print(f"cores: {os.cpu_count()}, findings: {len(serial or ())} (the same in every run)")
