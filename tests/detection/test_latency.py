"""The slow server the benchmarks use: every request is late, and concurrent requests are late together."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from latency import slow_server

from examples.dispatch_api import create_app

# Long enough that thread start-up and connection set-up on a busy machine stay well below it.
LATENCY = 0.2
CONCURRENT = 8


def test_each_request_waits_the_latency_and_concurrent_requests_wait_together() -> None:
    with slow_server(create_app(), latency=LATENCY) as url:
        started = time.monotonic()
        response = requests.get(f"{url}/services", timeout=10)
        alone = time.monotonic() - started
        assert response.status_code == 200
        assert alone >= LATENCY

        barrier = threading.Barrier(CONCURRENT)

        def fetch() -> int:
            barrier.wait()
            return requests.get(f"{url}/services", timeout=10).status_code

        started = time.monotonic()
        with ThreadPoolExecutor(CONCURRENT) as pool:
            statuses = list(pool.map(lambda _: fetch(), range(CONCURRENT)))
        together = time.monotonic() - started
    assert statuses == [200] * CONCURRENT
    # Served one after another, they would take CONCURRENT times the latency.
    assert together < 4 * LATENCY
