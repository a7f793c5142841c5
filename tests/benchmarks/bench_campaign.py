"""Benchmarks (``make bench``; not in the default suite): campaign wall time and probe throughput.

Speed is reported as measured in this run, with a baseline measured in the same run (a plain loop
of requests against the same in-process app), never asserted against wall-clock limits.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from examples.dispatch_api import VULNERABILITIES, create_app
from isolation_harness import Campaign, CampaignSettings, load_app, load_config
from isolation_harness.transport import ASGITransport

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "examples" / "dispatch_api" / "isolation.toml"
RUNS = 3


def _campaign(names: list[str]) -> tuple[float, int, int]:
    config = load_config(CONFIG)
    assert config.provisioner is not None
    api = load_app(create_app(names))
    started = time.perf_counter()
    result = Campaign(
        schema=api.schema,
        transport=api.transport,
        provisioner=config.provisioner,
        settings=CampaignSettings(),
    ).run()
    elapsed = time.perf_counter() - started
    expected = {label for name in names for label in VULNERABILITIES[name]}
    assert {f.operation for f in result.findings if f.verdict.value == "confirmed"} == expected
    return elapsed, result.requests, len(result.findings)


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


def test_campaign_speed() -> None:
    all_names = sorted(VULNERABILITIES)
    times, requests = [], 0
    for _ in range(RUNS):
        elapsed, requests, _ = _campaign(all_names)
        times.append(elapsed)
    campaign_time = statistics.median(times)
    raw_rps = _raw_requests_per_second()
    harness_rps = requests / campaign_time
    results = {
        "all_switches_campaign_seconds": round(campaign_time, 3),
        "target_seconds": 30,
        "requests": requests,
        "harness_requests_per_second": round(harness_rps, 1),
        "raw_app_requests_per_second": round(raw_rps, 1),
        "throughput_ratio": round(harness_rps / raw_rps, 3),
    }
    (ROOT / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    width = max(len(key) for key in results)
    sys.stdout.write("\n" + "\n".join(f"{key:<{width}}  {value}" for key, value in results.items()) + "\n")
