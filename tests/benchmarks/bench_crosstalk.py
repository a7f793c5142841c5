"""Benchmarks (``make bench``) for cross-talk under concurrency and caching.

- Race detection rate: Dispatch's ``request-state-race`` alone for 50 seeds and Helpdesk's
  ``shared-request-state`` alone for 20, in-process; a run detects the race when a storm probe made a
  confirmed finding at the broken operation. Every run must (a miss fails), nothing else may be
  flagged, and the clean apps must stay clean for a few of the seeds.
- Workers: Dispatch with every switch on, served by ``slow_dispatch.py`` (its own process, 20 ms per
  request) on 127.0.0.1, with ``workers`` 1 then 4, a fresh server for each: the findings (operation,
  kind, oracle, slot, verdict) must be equal and the parallel run must take at most a third of the
  serial run's time. Which tenant received whose data is printed where it differs: in a race that is
  the timing's choice.
- Cost of the new probe kinds: Dispatch in-process, every switch on and clean, with and without the
  cache-warm, storm and cancellation probes; the run with them must confirm a superset.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DETECTION = Path(__file__).resolve().parents[1] / "detection"
if str(DETECTION) not in sys.path:
    sys.path.insert(0, str(DETECTION))

from detection_support import (  # noqa: E402
    DISPATCH_CONFIG,
    HELPDESK_CONFIG,
    _free_port,
    confirmed_operations,
    run_in_process,
)
from table_report import _table  # noqa: E402

from examples.dispatch_api import VULNERABILITIES as DISPATCH_VULNERABILITIES  # noqa: E402
from examples.dispatch_api import create_app as create_dispatch  # noqa: E402
from examples.helpdesk_api import VULNERABILITIES as HELPDESK_VULNERABILITIES  # noqa: E402
from examples.helpdesk_api import create_app as create_helpdesk  # noqa: E402
from isolation_harness import CampaignResult, LoadedApi, Verdict, load_api, load_app, load_config  # noqa: E402
from isolation_harness.config import resolve_settings  # noqa: E402
from isolation_harness.probes.storm import SLOT as STORM_SLOT  # noqa: E402
from isolation_harness.runner import prepare  # noqa: E402

HERE = Path(__file__).resolve().parent
RACE_SEEDS = range(50)
HELPDESK_RACE_SEEDS = range(20)
CLEAN_SEEDS = range(5)
LATENCY = 0.02
WORKERS = 4
RATIO_AT_MOST = 1 / 3
NEW_KINDS = "cache-warm,storm,cancellation"

Key = tuple[str, ...]


def _campaign(api: LoadedApi, config: Path, **options: str) -> CampaignResult:
    """One campaign through the path the front ends take: settings (``options``), then ``prepare``."""
    settings = {"schema": api.source, "config": str(config), **options}
    return prepare(resolve_settings(settings, {}, {}), api=api).run()


def _keys(result: CampaignResult) -> set[Key]:
    return {
        (f.operation, f.kind.value, f.oracle, f.attacker, f.victim, f.slot, f.verdict.value)
        for f in result.findings
    }


def _what(result: CampaignResult) -> set[Key]:
    """What was found, where and how, whichever tenant received it: in a race (or a cache shared by
    every request) which tenant got whose data is the timing's choice, in one process as in four."""
    return {(f.operation, f.kind.value, f.oracle, f.slot, f.verdict.value) for f in result.findings}


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


# -- 1. race detection rate ----------------------------------------------------------------------


@dataclass
class RaceRuns:
    """The runs of one race switch alone, one per seed."""

    app: str
    switch: str
    operation: str
    detected: int = 0
    runs: int = 0
    requests: list[int] = field(default_factory=list)
    storms: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)

    def add(self, result: CampaignResult, seconds: float, seed: int) -> None:
        self.runs += 1
        self.requests.append(result.requests)
        self.storms.append(result.coverage[self.operation].kinds.get("storm", 0))
        self.seconds.append(seconds)
        if any(
            f.operation == self.operation and f.verdict is Verdict.CONFIRMED and f.slot == STORM_SLOT
            for f in result.findings
        ):
            self.detected += 1
        self.elsewhere += [
            f"seed {seed}: {f.operation} {f.verdict.value}"
            for f in result.findings
            if f.operation != self.operation
        ]

    def row(self) -> list[str]:
        return [
            self.app,
            self.switch,
            self.operation,
            f"{self.detected}/{self.runs}",
            f"{self.detected / self.runs:.0%}",
            f"{statistics.mean(self.requests):,.0f}",
            f"{statistics.mean(self.storms):.1f}",
            _seconds(statistics.mean(self.seconds)),
            str(len(self.elsewhere)),
        ]


def _timed(app: Any, config: Path, seed: int) -> tuple[CampaignResult, float]:
    started = time.perf_counter()
    result = run_in_process(app, config, seed=seed)
    return result, time.perf_counter() - started


def test_races_are_detected_on_every_seed() -> None:
    targets = [
        (
            "Dispatch",
            "request-state-race",
            DISPATCH_VULNERABILITIES,
            create_dispatch,
            DISPATCH_CONFIG,
            RACE_SEEDS,
        ),
        (
            "Helpdesk",
            "shared-request-state",
            HELPDESK_VULNERABILITIES,
            create_helpdesk,
            HELPDESK_CONFIG,
            HELPDESK_RACE_SEEDS,
        ),
    ]
    runs: list[RaceRuns] = []
    clean: dict[str, list[str]] = {}
    for app_name, switch, vulnerabilities, create, config, seeds in targets:
        (operation,) = vulnerabilities[switch]
        measured = RaceRuns(app_name, switch, operation)
        for seed in seeds:
            result, seconds = _timed(create([switch]), config, seed)
            measured.add(result, seconds, seed)
        runs.append(measured)
        clean[app_name] = [
            f"seed {seed}: {f.operation} {f.verdict.value} ({f.slot})"
            for seed in CLEAN_SEEDS
            for f in run_in_process(create([]), config, seed=seed).findings
        ]
    print()
    print("RACE DETECTION: one race switch alone, in-process, one campaign per seed")
    header = ["app", "switch", "operation", "detected", "rate", "requests", "storm probes", "time"]
    print(
        "\n".join(
            _table([*header, "other findings"], [m.row() for m in runs], right=[False] * 3 + [True] * 6)
        )
    )
    print(
        "  detected: a confirmed finding at the operation made by a storm probe; requests, storm probes"
        " (at the operation) and time: mean per run."
    )
    for app_name, found in clean.items():
        print(f"  clean {app_name}, seeds {CLEAN_SEEDS[0]}..{CLEAN_SEEDS[-1]}: {len(found)} findings")
    for measured in runs:
        assert measured.detected == measured.runs, f"{measured.switch}: {measured.detected}/{measured.runs}"
        assert measured.elsewhere == [], f"{measured.switch}: {measured.elsewhere}"
    assert clean == {name: [] for name in clean}


# -- 2. workers over HTTP ------------------------------------------------------------------------


@contextmanager
def _slow_dispatch(vulnerabilities: Sequence[str]) -> Iterator[str]:
    """A fresh ``slow_dispatch.py`` process on 127.0.0.1; yields its URL, stops it on exit."""
    port = _free_port()
    command = [sys.executable, str(HERE / "slow_dispatch.py"), "--port", str(port), "--latency", str(LATENCY)]
    server = subprocess.Popen([*command, "--vulnerabilities", ",".join(vulnerabilities) or "none"])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, f"slow_dispatch.py exited with {server.returncode}"
            try:
                with urllib.request.urlopen(f"{url}/openapi.json", timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "slow_dispatch.py did not answer within 30 s"
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _over_http(workers: int) -> tuple[CampaignResult, float]:
    with _slow_dispatch(sorted(DISPATCH_VULNERABILITIES)) as url:
        api = load_api(f"{url}/openapi.json")
        started = time.perf_counter()
        result = _campaign(api, DISPATCH_CONFIG, workers=str(workers))
        return result, time.perf_counter() - started


def _verdicts(result: CampaignResult) -> str:
    confirmed = sum(f.verdict is Verdict.CONFIRMED for f in result.findings)
    return f"{confirmed} confirmed, {len(result.findings) - confirmed} suspected"


def test_four_workers_find_the_serial_findings_in_a_third_of_the_time() -> None:
    serial, serial_seconds = _over_http(1)
    parallel, parallel_seconds = _over_http(WORKERS)
    ratio = parallel_seconds / serial_seconds
    print()
    print(
        f"WORKERS: Dispatch, every switch on ({len(DISPATCH_VULNERABILITIES)}), uvicorn in its own process on"
        f" 127.0.0.1, {LATENCY * 1000:.0f} ms per request; a fresh server for each run"
    )
    rows = [
        [str(n), _seconds(seconds), f"{result.requests:,}", _verdicts(result), str(len(result.errors))]
        for n, result, seconds in ((1, serial, serial_seconds), (WORKERS, parallel, parallel_seconds))
    ]
    print(
        "\n".join(
            _table(["workers", "wall time", "requests", "findings", "probe errors"], rows, right=[True] * 5)
        )
    )
    print(f"  ratio {WORKERS} workers / 1: {ratio:.3f} (at most {RATIO_AT_MOST:.3f})")
    pairs = (_keys(serial) - _keys(parallel), _keys(parallel) - _keys(serial))
    for label, keys in zip(("only with 1 worker", f"only with {WORKERS} workers"), pairs, strict=True):
        for key in sorted(keys):
            print(f"  {label} (tenants as the timing chose): {key}")
    only_serial, only_parallel = _what(serial) - _what(parallel), _what(parallel) - _what(serial)
    assert (only_serial, only_parallel) == (set(), set())
    assert ratio <= RATIO_AT_MOST


# -- 3. cost of the new probe kinds --------------------------------------------------------------


def _in_process(vulnerabilities: Sequence[str], **options: str) -> tuple[CampaignResult, float]:
    config = load_config(DISPATCH_CONFIG)
    api = load_app(create_dispatch(vulnerabilities), openapi_path=config.openapi_path)
    started = time.perf_counter()
    result = _campaign(api, DISPATCH_CONFIG, **options)
    return result, time.perf_counter() - started


def test_cost_of_the_new_probe_kinds() -> None:
    rows: list[list[str]] = []
    gained: dict[str, set[str]] = {}
    lost: dict[str, set[str]] = {}
    for label, switches in (("every switch", sorted(DISPATCH_VULNERABILITIES)), ("clean", [])):
        without, without_seconds = _in_process(switches, skip_probes=NEW_KINDS)
        with_new, with_seconds = _in_process(switches)
        for kinds, result, seconds in (
            ("without new kinds", without, without_seconds),
            ("all kinds", with_new, with_seconds),
        ):
            rows.append(
                [
                    label,
                    kinds,
                    f"{result.requests:,}",
                    _seconds(seconds),
                    _verdicts(result),
                    str(len(confirmed_operations(result))),
                ]
            )
        rows.append(
            [
                label,
                "ratio all / without",
                f"{with_new.requests / without.requests:.2f}x",
                f"{with_seconds / without_seconds:.2f}x",
                "",
                "",
            ]
        )
        gained[label] = confirmed_operations(with_new) - confirmed_operations(without)
        lost[label] = confirmed_operations(without) - confirmed_operations(with_new)
    print()
    print(f"NEW PROBE KINDS: Dispatch in-process, with and without {NEW_KINDS} (skip_probes)")
    header = ["Dispatch", "probe kinds", "requests", "wall time", "findings", "confirmed operations"]
    print("\n".join(_table(header, rows, right=[False, False, True, True, False, True])))
    for label in gained:
        print(f"  {label}: confirmed only with the new kinds: {', '.join(sorted(gained[label])) or 'none'}")
    assert lost == {label: set() for label in lost}
