"""Merging the JSON reports of shards (or of repeated runs) into one result, as if one run made them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .coverage import Coverage
from .engine.sharding import other_shard
from .errors import ConfigurationError
from .events import CampaignResult
from .model import Finding, ProbeError


def read_report(path: str | Path) -> CampaignResult:
    """The result a JSON report holds; a clear error when the file is not one."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        return _result(data)
    except FileNotFoundError:
        raise ConfigurationError(
            f"{str(file)!r} does not exist: pass the JSON reports the shards wrote with --report-json."
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(
            f"{str(file)!r} is not a JSON report of isolation-harness ({type(exc).__name__}: {exc}). "
            "Pass the files the shards wrote with --report-json."
        ) from None


def _result(data: dict[str, Any]) -> CampaignResult:
    if data.get("version") != 1:
        raise ValueError(f"report version {data.get('version')!r}, expected 1")
    stats = data["stats"]
    return CampaignResult(
        operations=list(data["coverage"]),
        findings=[Finding.from_dict(item) for item in data["findings"]],
        errors=[ProbeError(**item) for item in data["errors"]],
        coverage={label: Coverage.from_dict(label, item) for label, item in data["coverage"].items()},
        seeding=list(data["seeding"]),
        tenants=list(data["tenants"]),
        requests=int(stats["requests"]),
        retries=int(stats.get("retries", 0)),
        started=0.0,
        duration=float(stats["duration"]),
        complete=bool(data["complete"]),
        fatal=data.get("fatal"),
        fail_on_suspected=bool(data.get("fail_on_suspected", False)),
        probe_requests=int(stats.get("probe_requests", 0)),
        setup_failed=bool(data.get("setup_failed", False)),
        misconfigured=bool(data.get("misconfigured", False)),
        interrupted=bool(data.get("interrupted", False)),
        stopped=data.get("stopped"),
    )


def merge_results(results: Sequence[CampaignResult]) -> CampaignResult:
    """One result from several: every operation's coverage from the run that probed it, every finding
    and error once, requests summed; complete only when every part is. The gate is left to judge again."""
    merged = CampaignResult(complete=all(result.complete for result in results), started=0.0)
    seen: set[tuple[str, ...]] = set()
    for result in results:
        for label in result.operations:
            if label not in merged.operations:
                merged.operations.append(label)
            _merge_coverage(merged, result.coverage.get(label) or Coverage(label))
        for finding in result.findings:
            if finding.key not in seen:
                seen.add(finding.key)
                merged.findings.append(finding)
        merged.errors += result.errors
        merged.seeding += [note for note in result.seeding if note not in merged.seeding]
        merged.tenants += [name for name in result.tenants if name not in merged.tenants]
        merged.requests += result.requests
        merged.retries += result.retries
        # Shards run side by side: the merged run took as long as the longest.
        merged.duration = max(merged.duration, result.duration)
        merged.probe_requests += result.probe_requests
        merged.interrupted = merged.interrupted or result.interrupted
        merged.setup_failed = merged.setup_failed or result.setup_failed
        merged.misconfigured = merged.misconfigured or result.misconfigured
        merged.fail_on_suspected = merged.fail_on_suspected or result.fail_on_suspected
        merged.fatal = merged.fatal or result.fatal
        merged.stopped = merged.stopped or result.stopped
    return merged


def missing_shards(result: CampaignResult) -> list[str]:
    """Shards whose operations no merged report probed (``2/3``): the merge is not a whole run."""
    found = {other_shard(coverage.excluded) for coverage in result.coverage.values()}
    return sorted(shard for shard in found if shard)


def _merge_coverage(merged: CampaignResult, coverage: Coverage) -> None:
    label = coverage.operation
    current = merged.coverage.get(label)
    if current is None or (current.excluded and not coverage.excluded):
        merged.coverage[label] = Coverage.from_dict(label, coverage.to_dict())
        return
    if coverage.excluded:
        return
    current.probes += coverage.probes
    current.slots += [slot for slot in coverage.slots if slot not in current.slots]
    for kind, count in coverage.kinds.items():
        current.kinds[kind] = current.kinds.get(kind, 0) + count
    for kind, count in coverage.unjudged.items():
        current.unjudged[kind] = current.unjudged.get(kind, 0) + count
    for reason in coverage.skipped:
        current.skip(reason)
    for kind, reasons in coverage.gaps.items():
        for reason in reasons:
            current.skip(reason, kind=kind)
