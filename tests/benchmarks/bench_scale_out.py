"""Benchmark (``make bench``): the campaign split over pytest-xdist workers.

A campaign run by pytest serially and with ``-n 2`` (each worker provisions, seeds and probes its
shard of the operations; the controller merges them), several times each, alternating; the medians
of the wall times give the speed-up. Two targets, in-process: Dispatch with every bug switched on
(39 operations, a short campaign), and the generated scale API with 100 resource types (500
operations, where probing is most of the time). The findings must be the serial run's every time
(asserted). Every worker also starts pytest and seeds every tenant, so the speed-up grows with the
share of the time spent probing, and is smaller with fewer free cores than workers: it is printed,
never asserted.
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
HERE = Path(__file__).resolve().parent
REPETITIONS = 3
WAYS = {"1 process": ("-p", "no:xdist"), "2 workers": ("-n", "2")}
SCALE_RESOURCES = 100


def _findings(path: Path) -> set[tuple[str, ...]]:
    keys = ("operation", "kind", "oracle", "attacker", "victim", "slot")
    return {tuple(finding[key] for key in keys) for finding in json.loads(path.read_text())["findings"]}


def _targets(tmp_path: Path) -> dict[str, tuple[str, Path, dict[str, str]]]:
    """Each target: its ``module:app``, its isolation config, its environment."""
    (tmp_path / "scale_target.py").write_text(
        f"from scale_api import ScaleApp\n\napp = ScaleApp({SCALE_RESOURCES})\n", encoding="utf-8"
    )
    sys.path.insert(0, str(HERE))
    from scale_api import ISOLATION_TOML

    scale_config = tmp_path / "scale.toml"
    scale_config.write_text(ISOLATION_TOML, encoding="utf-8")
    return {
        "Dispatch, every bug": (
            "examples.dispatch_api:app",
            ROOT / "examples" / "dispatch_api" / "isolation.toml",
            {"DISPATCH_VULNERABILITIES": "all", "PYTHONPATH": str(ROOT)},
        ),
        f"scale API, {SCALE_RESOURCES} resource types": (
            "scale_target:app",
            scale_config,
            {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(HERE), str(ROOT)])},
        ),
    }


def _run(
    tmp_path: Path, target: tuple[str, Path, dict[str, str]], way: str, name: str
) -> tuple[float, set[tuple[str, ...]]]:
    schema, config, extra = target
    report = tmp_path / f"{name}.json"
    env = dict(os.environ, **extra)
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
            f"--isolation-schema={schema}",
            f"--isolation-config={config}",
            f"--isolation-report-json={report}",
            *WAYS[way],
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.perf_counter() - started
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    return seconds, _findings(report)


def test_two_workers_find_the_serial_findings(tmp_path: Path) -> None:
    print()
    for label, target in _targets(tmp_path).items():
        times: dict[str, list[float]] = {way: [] for way in WAYS}
        serial: set[tuple[str, ...]] | None = None
        for repetition in range(REPETITIONS):
            for way in WAYS:
                name = f"{len(label)}-{way.replace(' ', '-')}-{repetition}"
                seconds, findings = _run(tmp_path, target, way, name)
                times[way].append(seconds)
                serial = serial if serial is not None else findings
                assert findings == serial, f"{label}, {way}, run {repetition}: {sorted(findings ^ serial)}"
        medians = {way: statistics.median(values) for way, values in times.items()}
        runs = {way: ", ".join(f"{t:.1f}" for t in values) for way, values in times.items()}
        print(
            f"{label}: 1 process {medians['1 process']:.1f} s ({runs['1 process']}), 2 workers "
            f"{medians['2 workers']:.1f} s ({runs['2 workers']}): speed-up "
            f"{medians['1 process'] / medians['2 workers']:.2f}x; {len(serial or ())} findings, the same in every run"
        )
    print(f"cores: {os.cpu_count()}")
