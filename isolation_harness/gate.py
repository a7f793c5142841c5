"""The release gate beyond findings: a run that probed too little, or whose requests mostly failed,
is no verdict on the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import ConfigurationError
from .events import CampaignResult, format_percent

# Probe kinds that send requests many at once.
CONCURRENT_KINDS = ("storm", "cancellation")


@dataclass(frozen=True)
class GateSettings:
    """The least isolation coverage and the most errors a run may have and still be a verdict.

    ``min_coverage`` is the share of operations (not excluded on purpose) that got a probe;
    ``max_error_rate`` the share of requests that could not be judged (5xx, timeouts, resets).
    """

    min_coverage: float = 0.5
    max_error_rate: float = 0.2

    def __post_init__(self) -> None:
        for name in ("min_coverage", "max_error_rate"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
                raise ConfigurationError(
                    f"{name}={value!r} must be a fraction between 0 and 1 (or a percentage, 80%).",
                    setting=name,
                    value=value,
                )


def check_gate(
    result: CampaignResult, gate: GateSettings, *, spell: Callable[[str], str] = lambda option: option
) -> list[str]:
    """Each gate ``result`` fails, as a sentence that says what to do; ``spell`` spells an option the
    way the front end does (pytest's ``--isolation-min-coverage`` is the command line's ``--min-coverage``)."""
    failures = []
    if result.coverage_ratio() < gate.min_coverage:
        probed, eligible = result.coverage_counts()
        why = (
            f"probing stopped early ({result.stopped}); raise the budget, or lower "
            if result.stopped
            else "the coverage says why for each; map what is missing in the config, or lower "
        )
        failures.append(
            f"isolation coverage {format_percent(result.coverage_ratio())} is below the minimum of "
            f"{format_percent(gate.min_coverage)}: {eligible - probed} of {eligible} operations got no "
            f"probe ({why}{spell('--isolation-min-coverage')})"
        )
    rate = result.error_rate()
    if rate > gate.max_error_rate:
        kinds = ", ".join(
            f"{count} {kind}" for kind, count in result.errors_by_kind(probes_only=True).items()
        )
        worst = result.worst_kind()
        # A kind is named when its probes fared worse than the others (not when every probe failed).
        kind = worst[0] if worst is not None and worst[1] > result.overall_error_rate() else ""
        # Requests sent many at once can be what a rate limiter in front of the API refuses.
        off = (
            f", or turn them off with {spell('--isolation-skip-probes')}={kind}"
            if kind in CONCURRENT_KINDS
            else ""
        )
        failures.append(
            f"{format_percent(rate)} of {f'the {kind} probes' if kind else 'probes'} could not be judged "
            f"({kinds}), above the maximum of {format_percent(gate.max_error_rate)}: the API or the network "
            f"failed, so a pass would mean nothing; fix the target, or raise "
            f"{spell('--isolation-max-error-rate')}{off}"
        )
    return failures
