"""Faults are errors, never leaks: Dispatch over real HTTP (uvicorn on 127.0.0.1) behind a proxy that
breaks 10 % of the requests, one kind of fault at a time.

The clean API gives no finding of any verdict. With every bug on, no finding appears at an operation
no bug breaks, and every finding of the fault-free run is found again, or the run says its verdict
is unreliable. (A fault may change which objects a later probe targets, and so reveal a real leak of
a broken operation that the fault-free run reported through another slot: that is no false finding.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from detection_support import DISPATCH_CONFIG, run_over_http, tenants_of, uvicorn_server
from fault_proxy import KINDS, FaultProxy, serve

from examples.dispatch_api import VULNERABILITIES, create_app
from isolation_harness import CampaignResult

RATE = 0.10
# Short, so that a request the proxy holds costs little; the proxy holds one longer than this.
TIMEOUT = 0.15


@pytest.fixture(scope="module")
def configs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Dispatch's config with a short back-off; for timeouts, a short timeout too (slow answers retry)."""
    folder = tmp_path_factory.mktemp("faults")
    out = {}
    for name, timeout in (("default", 10.0), ("timeout", TIMEOUT)):
        path = folder / f"{name}.toml"
        path.write_text(DISPATCH_CONFIG.read_text() + f"\n[campaign]\ntimeout = {timeout}\nbackoff = 0.005\n")
        out[name] = path
    return out


def _config(configs: dict[str, Path], kind: str | None) -> Path:
    return configs["timeout" if kind == "timeout" else "default"]


def _keys(result: CampaignResult) -> set[tuple[str, str, str, str]]:
    # A finding is who reached whose data where. Its kind may differ between two runs: a destructive
    # probe's effect depends on what earlier writes left, and a write answered with a broken body is
    # sent again (a change in one run can be a change plus a deletion in the other).
    return {(f.operation, *tenants_of(f), f.slot) for f in result.findings}


def _run(
    bugs: list[str], configs: dict[str, Path], *, kind: str | None
) -> tuple[CampaignResult, FaultProxy | None]:
    config = _config(configs, kind)
    with uvicorn_server(create_app(bugs)) as url:
        if kind is None:
            return run_over_http(f"{url}/openapi.json", config), None
        proxy = FaultProxy(url, kind=kind, rate=RATE, stall=TIMEOUT * 2)
        with serve(proxy) as proxied:
            return run_over_http(f"{proxied}/openapi.json", config), proxy


@pytest.fixture(scope="module")
def fault_free(configs: dict[str, Path]) -> Iterator[CampaignResult]:
    result, _ = _run(sorted(VULNERABILITIES), configs, kind=None)
    assert result.complete and result.reliable
    yield result


# Timeouts cost a stalled request each (about 90 s of CPU for the two tests): `make bench` runs that
# kind, at 10 % and 30 %, with the same two assertions (tests/benchmarks/bench_campaign.py).
QUICK_KINDS = [kind for kind in KINDS if kind != "timeout"]


@pytest.mark.parametrize("kind", QUICK_KINDS)
def test_the_clean_api_stays_clean_whatever_breaks(kind: str, configs: dict[str, Path]) -> None:
    result, proxy = _run([], configs, kind=kind)
    assert proxy is not None and proxy.faults > 0
    assert result.findings == []
    assert result.complete


@pytest.mark.parametrize("kind", QUICK_KINDS)
def test_a_fault_never_makes_a_finding_nor_silently_loses_one(
    kind: str, configs: dict[str, Path], fault_free: CampaignResult
) -> None:
    result, proxy = _run(sorted(VULNERABILITIES), configs, kind=kind)
    assert proxy is not None and proxy.faults > 0
    broken = {label for name in VULNERABILITIES for label in VULNERABILITIES[name]}
    assert {finding.operation for finding in result.findings} <= broken
    lost = _keys(fault_free) - _keys(result)
    assert not lost or not result.reliable, f"lost without a word: {sorted(lost)}"
    assert result.retries > 0
