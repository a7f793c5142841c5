"""Benchmarks (``make bench``; not in the default suite). Writes ``bench.json`` and prints a table.

- Per bug class: a harness campaign against Dispatch with that one switch on; whether it is found
  (a confirmed finding at each of its operations), by which oracles, the requests and the time to
  the first confirmed finding at one of its operations, and false positives (findings anywhere
  else, and any finding in the all-clean app).
- schemathesis's own ``object_level_authorization`` check (ST402) with two peers against the same
  apps, in-process, with a comparable budget (see ``schemathesis_ola.py`` for exactly how).
- All switches on: campaign wall time, requests, peak memory; probe throughput against the same
  in-process app driven by a plain loop.
- Scale: a generated API with N resource types (``scale_api.py``).

Speeds are measured in this run, next to a baseline measured in the same run; targets are reported,
never asserted.
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from fault_runs import fault_table
from harness_runs import CampaignRun, run_campaign
from scale_api import ISOLATION_TOML, ScaleApp
from schemathesis_ola import OlaRun, run_object_level_authorization
from table_report import render

from examples.dispatch_api import VULNERABILITIES, create_app
from isolation_harness.transport import ASGITransport

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "examples" / "dispatch_api" / "isolation.toml"
RUNS = 3  # all-switches campaign: the median of this many runs
# schemathesis examples per operation and phase. 20 gives about as many requests as one harness
# campaign against Dispatch; schemathesis's default (100) is run too, with every switch on.
OLA_MAX_EXAMPLES = 20
OLA_DEFAULT_MAX_EXAMPLES = 100
SCALE_SIZES = (10, 50, 200)
SCALE_BUDGET_SECONDS = 60.0  # a scale campaign still running after this is stopped and reported so
TRACE_LIMIT_SECONDS = 20.0  # tracemalloc makes a run ~4x slower: only repeat runs shorter than this
TARGETS = {
    "all_switches_seconds_under": 20,
    "throughput_ratio_at_least": 0.5,
    "scale_growth_factor_at_most": 1,
}


@pytest.fixture(scope="module")
def report() -> Iterator[dict[str, Any]]:
    """The results, filled in by each benchmark; written and printed at the end, even after a failure."""
    started = time.perf_counter()
    data: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "schemathesis": metadata.version("schemathesis"),
        },
        "targets": TARGETS,
    }
    yield data
    if "bug_classes" in data:
        data["totals"] = _totals(data)
    data["bench_wall_seconds"] = round(time.perf_counter() - started, 1)
    (ROOT / "bench.json").write_text(json.dumps(data, indent=2) + "\n")
    sys.stdout.write("\n" + render(data) + "\n")


def _totals(data: dict[str, Any]) -> dict[str, Any]:
    """Sums over the per-class runs and the clean run (recall over the classes)."""
    classes = list(data["bug_classes"].values())
    clean = data.get("clean", {})
    harness = [entry["harness"] for entry in classes if "harness" in entry]
    ola = [entry["schemathesis"] for entry in classes if "schemathesis" in entry]
    clean_h, clean_s = clean.get("harness", {}), clean.get("schemathesis", {})
    found_h = sum(1 for h in harness if h["found"])
    found_s = sum(1 for s in ola if s["found"])
    return {
        "harness": {
            "classes": len(classes),
            "found": found_h,
            "recall": round(found_h / len(classes), 3),
            "confirmed_false_positives": sum(h["confirmed_false_positives"] for h in harness)
            + clean_h.get("confirmed_false_positives", 0),
            "suspected_false_positives": sum(h["suspected_false_positives"] for h in harness)
            + clean_h.get("suspected_false_positives", 0),
            "requests": sum(h["campaign_requests"] for h in harness) + clean_h.get("campaign_requests", 0),
            "seconds": round(
                sum(h["campaign_seconds"] for h in harness) + clean_h.get("campaign_seconds", 0), 3
            ),
            "peak_memory_bytes": data.get("all_switches", {}).get("tracemalloc_peak_bytes"),
        },
        "schemathesis": {
            "classes": len(classes),
            "found": found_s,
            "recall": round(found_s / len(classes), 3),
            "false_positives": sum(len(s["false_positive_operations"]) for s in ola)
            + len(clean_s.get("false_positive_operations", [])),
            "requests": sum(s["requests"] for s in ola) + clean_s.get("requests", 0),
            "seconds": round(sum(s["seconds"] for s in ola) + clean_s.get("seconds", 0), 3),
        },
    }


def _classes() -> list[str]:
    return sorted(VULNERABILITIES)


def _harness_class_result(name: str, run: CampaignRun) -> dict[str, Any]:
    labels = set(VULNERABILITIES[name])
    confirmed = run.confirmed()
    found_at = sorted({f.operation for f in confirmed if f.operation in labels})
    elsewhere_confirmed = [f for f in confirmed if f.operation not in labels]
    elsewhere_suspected = [f for f in run.suspected() if f.operation not in labels]
    return {
        "found": set(found_at) == labels,
        "found_operations": found_at,
        "oracles": sorted({f.oracle for f in confirmed if f.operation in labels}),
        "first_detection_seconds": _round(run.first_detection_seconds, 3),
        "first_detection_requests": run.first_detection_requests,
        "campaign_seconds": round(run.seconds, 3),
        "campaign_requests": run.requests,
        "confirmed_false_positives": len(elsewhere_confirmed),
        "suspected_false_positives": len(elsewhere_suspected),
        "false_positive_operations": sorted({f.operation for f in elsewhere_confirmed + elsewhere_suspected}),
        "errors": run.errors,
    }


def _ola_class_result(name: str, run: OlaRun) -> dict[str, Any]:
    labels = set(VULNERABILITIES[name])
    firsts = sorted(run.first_failure[label] for label in labels if label in run.first_failure)
    return {
        "found": labels <= set(run.failing),
        "first_detection_seconds": round(firsts[0][0], 3) if firsts else None,
        "first_detection_requests": firsts[0][1] if firsts else None,
        "failing_operations": dict(sorted(run.failing.items())),
        "false_positive_operations": sorted(set(run.failing) - labels),
        "seconds": round(run.seconds, 3),
        "requests": run.requests,
        "errors": run.errors,
        "fatal": run.fatal,
    }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def test_dispatch_per_bug_class(report: dict[str, Any]) -> None:
    """Each bug class alone, then the all-clean app."""
    classes: dict[str, Any] = report.setdefault("bug_classes", {})
    for name in _classes():
        labels = frozenset(VULNERABILITIES[name])
        run = run_campaign(create_app([name]), CONFIG, targets=labels)
        classes.setdefault(name, {"operations": sorted(labels)})["harness"] = _harness_class_result(name, run)
    clean = run_campaign(create_app([]), CONFIG)
    report.setdefault("clean", {})["harness"] = {
        "confirmed_false_positives": len(clean.confirmed()),
        "suspected_false_positives": len(clean.suspected()),
        "false_positive_operations": sorted({f.operation for f in clean.findings}),
        "campaign_seconds": round(clean.seconds, 3),
        "campaign_requests": clean.requests,
        "errors": clean.errors,
    }


def _raw_requests_per_second(count: int = 500) -> float:
    """The same app driven by a plain loop of authenticated reads, no harness in between."""
    transport = ASGITransport(create_app())
    session = transport.session()
    session.post(
        "accounts", json={"company_name": "Bench", "email": "bench@example.com", "password": "benchmark-pass"}
    )
    token = session.post(
        "auth/login", json={"email": "bench@example.com", "password": "benchmark-pass"}
    ).json()
    session.headers["Authorization"] = f"Bearer {token['access_token']}"
    order = session.post(
        "orders",
        json={
            "recipient_name": "Bench",
            "recipient_phone": "+15550000000",
            "recipient_address": {"street": "1 Main", "city": "Town", "postcode": "12345", "country": "US"},
            "items": [{"description": "thing", "quantity": 1, "weight_grams": 10}],
        },
    ).json()
    started = time.perf_counter()
    for _ in range(count):
        session.get(f"orders/{order['id']}")
    return count / (time.perf_counter() - started)


def test_dispatch_all_switches(report: dict[str, Any]) -> None:
    """Every switch on in one app: wall time, requests, memory, throughput against a plain loop."""
    names = _classes()
    # The plain-loop baseline is measured right before each campaign, so that a machine whose load
    # changes during the benchmark skews both sides of each ratio alike; the ratio is their median.
    runs: list[CampaignRun] = []
    raw: list[float] = []
    for _ in range(RUNS):
        raw.append(_raw_requests_per_second())
        runs.append(run_campaign(create_app(names), CONFIG))
    ratios = [(run.requests / run.seconds) / baseline for run, baseline in zip(runs, raw, strict=True)]
    traced = run_campaign(create_app(names), CONFIG, trace_memory=True)
    campaign_time = statistics.median(run.seconds for run in runs)
    last = runs[-1]
    confirmed_ops = {f.operation for f in last.confirmed()}
    all_labels = {label for name in names for label in VULNERABILITIES[name]}
    report["all_switches"] = {
        "campaign_seconds_median": round(campaign_time, 3),
        "campaign_seconds_runs": [round(run.seconds, 3) for run in runs],
        "requests": last.requests,
        "confirmed": len(last.confirmed()),
        "suspected": len(last.suspected()),
        "confirmed_outside_bug_operations": sorted(confirmed_ops - all_labels),
        "errors": last.errors,
        "classes_found": sorted(n for n in names if set(VULNERABILITIES[n]) <= confirmed_ops),
        "tracemalloc_peak_bytes": traced.tracemalloc_peak,
        "peak_rss_growth_bytes": runs[0].peak_rss_growth,
        "harness_requests_per_second": round(statistics.median(r.requests / r.seconds for r in runs), 1),
        "raw_app_requests_per_second": round(statistics.median(raw), 1),
        "throughput_ratio": round(statistics.median(ratios), 3),
        "throughput_ratio_runs": [round(ratio, 3) for ratio in ratios],
    }
    for name in names:
        entry = report.setdefault("bug_classes", {}).setdefault(
            name, {"operations": sorted(VULNERABILITIES[name])}
        )
        on = entry.setdefault("all_on", {})
        on["harness"] = set(VULNERABILITIES[name]) <= confirmed_ops
        # Operations another bug breaks too: with every switch on, a finding there names neither alone.
        on["shared_operations"] = sorted(
            label
            for label in VULNERABILITIES[name]
            if any(label in VULNERABILITIES[other] for other in names if other != name)
        )
    assert confirmed_ops == all_labels, "the all-switches campaign must confirm exactly the planted bugs"


def test_schemathesis_object_level_authorization(report: dict[str, Any], tmp_path: Path) -> None:
    """schemathesis ST402 with two peers: all switches on (its default budget too), each class alone, clean."""
    names = _classes()
    section: dict[str, Any] = {"check": "object_level_authorization (ST402)", "peers": 2}
    report["schemathesis"] = section
    for key, budget in (
        ("all_switches", OLA_MAX_EXAMPLES),
        ("all_switches_default_budget", OLA_DEFAULT_MAX_EXAMPLES),
    ):
        run = run_object_level_authorization(create_app(names), tmp_path / key, max_examples=budget)
        failing = set(run.failing)
        section[key] = {
            "max_examples": budget,
            "seconds": round(run.seconds, 3),
            "requests": run.requests,
            "failing_operations": dict(sorted(run.failing.items())),
            "classes_found": sorted(n for n in names if set(VULNERABILITIES[n]) <= failing),
            "false_positive_operations": sorted(
                failing - {label for n in names for label in VULNERABILITIES[n]}
            ),
            "errors": run.errors,
            "fatal": run.fatal,
            "stop_reason": run.stop_reason,
        }
        if key == "all_switches":
            for name in names:
                entry = report.setdefault("bug_classes", {}).setdefault(
                    name, {"operations": sorted(VULNERABILITIES[name])}
                )
                entry.setdefault("all_on", {})["schemathesis"] = set(VULNERABILITIES[name]) <= failing
    section["max_examples"] = OLA_MAX_EXAMPLES
    for name in names:
        run = run_object_level_authorization(
            create_app([name]), tmp_path / name, max_examples=OLA_MAX_EXAMPLES
        )
        entry = report.setdefault("bug_classes", {}).setdefault(
            name, {"operations": sorted(VULNERABILITIES[name])}
        )
        entry["schemathesis"] = _ola_class_result(name, run)
    clean = run_object_level_authorization(create_app([]), tmp_path / "clean", max_examples=OLA_MAX_EXAMPLES)
    report.setdefault("clean", {})["schemathesis"] = {
        "false_positive_operations": sorted(clean.failing),
        "seconds": round(clean.seconds, 3),
        "requests": clean.requests,
        "errors": clean.errors,
        "fatal": clean.fatal,
    }


def test_scale(report: dict[str, Any], tmp_path: Path) -> None:
    """A generated, correctly isolated API with N resource types (~5 operations each)."""
    config = tmp_path / "isolation.toml"
    config.write_text(ISOLATION_TOML)
    sizes: list[dict[str, Any]] = []
    report["scale"] = {"budget_seconds": SCALE_BUDGET_SECONDS, "sizes": sizes}
    for count in SCALE_SIZES:
        run = run_campaign(ScaleApp(count), config, budget=SCALE_BUDGET_SECONDS)
        traced = None
        if run.complete and run.seconds <= TRACE_LIMIT_SECONDS:
            traced = run_campaign(ScaleApp(count), config, trace_memory=True).tracemalloc_peak
        sizes.append(
            {
                "resource_types": count,
                "operations": run.operations,
                "complete": run.complete,
                "stopped_after_operations": run.stopped_after_operations,
                "seconds": round(run.seconds, 3),
                "requests": run.requests,
                "findings": len(run.findings),
                "errors": run.errors,
                "peak_rss_growth_bytes": run.peak_rss_growth,
                "tracemalloc_peak_bytes": traced,
            }
        )
    report["scale"]["steps"] = [
        {
            "from": a["resource_types"],
            "to": b["resource_types"],
            "size_ratio": b["resource_types"] / a["resource_types"],
            "time_ratio": round(b["seconds"] / a["seconds"], 2),
            "growth_factor": round(
                b["seconds"] / a["seconds"] / (b["resource_types"] / a["resource_types"]), 2
            ),
            "request_ratio": round(b["requests"] / a["requests"], 2),
            "lower_bound": not b["complete"],
        }
        for a, b in itertools.pairwise(sizes)
    ]
    first, last = sizes[0], sizes[-1]
    ratio = last["resource_types"] / first["resource_types"]
    report["scale"]["growth_factor"] = round(last["seconds"] / first["seconds"] / ratio, 2)
    # A campaign stopped at its budget took at least that long: the factor is then a lower bound.
    report["scale"]["growth_factor_is_lower_bound"] = not last["complete"]
    report["scale"]["request_growth_factor"] = round(last["requests"] / first["requests"] / ratio, 2)


def test_faults(report: dict[str, Any], tmp_path: Path) -> None:
    """Faults at 10 % and 30 %: never a finding at an operation no bug breaks; a lost finding only in an unreliable run."""
    table = fault_table(tmp_path)
    report["faults"] = table
    for row in table["rows"]:
        assert row["false_findings"] == 0, row
        assert row["lost_findings"] == 0 or not row["reliable"], row
