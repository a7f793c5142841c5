"""The fault benchmark: Dispatch with every bug on, over uvicorn on 127.0.0.1, behind the fault proxy
of the detection suite, at each kind and rate. Compared with a fault-free run of the same app."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

DETECTION = Path(__file__).resolve().parents[1] / "detection"
if str(DETECTION) not in sys.path:
    sys.path.insert(0, str(DETECTION))

from detection_support import DISPATCH_CONFIG, run_over_http, tenants_of, uvicorn_server  # noqa: E402
from fault_proxy import KINDS, FaultProxy, serve  # noqa: E402

from examples.dispatch_api import VULNERABILITIES, create_app  # noqa: E402
from isolation_harness import CampaignResult, IsolationHarnessError, load_api  # noqa: E402
from isolation_harness.config import resolve_settings  # noqa: E402
from isolation_harness.runner import prepare  # noqa: E402

RATES = (0.10, 0.30)
TIMEOUT = 0.15
# Held requests cost a timeout each (and a held retry another): 30 % of them would take most of
# the bench's time budget on their own.
SKIPPED = {("timeout", 0.30)}


def _keys(result: CampaignResult) -> set[tuple[str, ...]]:
    # A finding is who reached whose data where. Its kind may differ between two runs: a destructive
    # probe's effect depends on what earlier writes left, and a write answered with a broken body is
    # sent again (a change in one run can be a change plus a deletion in the other).
    return {(f.operation, *tenants_of(f), f.slot) for f in result.findings}


def _config(folder: Path, timeout: float) -> Path:
    path = folder / f"isolation-{timeout}.toml"
    path.write_text(DISPATCH_CONFIG.read_text() + f"\n[campaign]\ntimeout = {timeout}\nbackoff = 0.005\n")
    return path


def fault_table(folder: Path) -> dict[str, Any]:
    """One row per kind and rate: faults injected, findings a fault made, findings lost, errors, retries."""
    bugs = sorted(VULNERABILITIES)
    default, short = _config(folder, 10.0), _config(folder, TIMEOUT)
    with uvicorn_server(create_app(bugs)) as url:
        baseline = run_over_http(f"{url}/openapi.json", default)
    expected = _keys(baseline)
    broken = {label for name in bugs for label in VULNERABILITIES[name]}
    rows = []
    for kind in KINDS:
        for rate in RATES:
            if (kind, rate) in SKIPPED:
                continue
            started = time.perf_counter()
            with uvicorn_server(create_app(bugs)) as url:
                proxy = FaultProxy(url, kind=kind, rate=rate, stall=TIMEOUT * 2)
                with serve(proxy) as proxied:
                    result, stopped = _run_keeping_a_stop(
                        f"{proxied}/openapi.json", short if kind == "timeout" else default
                    )
            found = _keys(result)
            rows.append(
                {
                    "kind": kind,
                    "rate": rate,
                    "faults": proxy.faults,
                    "false_findings": sum(
                        1 for finding in result.findings if finding.operation not in broken
                    ),
                    "lost_findings": len(expected - found),
                    "errors": len(result.errors),
                    "retries": result.retries,
                    "reliable": result.reliable,
                    "stopped": stopped,
                    "seconds": round(time.perf_counter() - started, 2),
                }
            )
    return {
        "baseline_findings": len(expected),
        "skipped": sorted(f"{k} {r:.0%}" for k, r in SKIPPED),
        "rows": rows,
    }


def _run_keeping_a_stop(url: str, config: Path) -> tuple[CampaignResult, str]:
    """The campaign's result, and what stopped it (a signup whose answer a fault lost, say), if anything."""
    options = {"schema": url, "config": str(config)}
    run = prepare(resolve_settings(options, {}, {}), api=load_api(url))
    try:
        run.run()
    except IsolationHarnessError as exc:
        return run.result, str(exc).split(". ")[0]
    return run.result, ""
