"""The release gate: coverage and error-rate thresholds, how a run ends, and the settings that set them."""

from __future__ import annotations

import pytest

from isolation_harness.config import ResolvedSetting, parse_duration, parse_fraction, parse_shard
from isolation_harness.coverage import Coverage
from isolation_harness.errors import ConfigurationError
from isolation_harness.events import CampaignResult, format_percent
from isolation_harness.exit_codes import ExitCode
from isolation_harness.gate import GateSettings, check_gate
from isolation_harness.model import Finding, FindingKind, ProbeError, Verdict
from isolation_harness.profiles import PROFILES, chosen_profile
from isolation_harness.runner import outcome


def _result(
    *, probed: int, unprobed: int, excluded: int = 0, requests: int = 100, errors: int = 0
) -> CampaignResult:
    result = CampaignResult(complete=True, requests=requests)
    for index in range(probed + unprobed + excluded):
        label = f"GET /things/{index}"
        coverage = Coverage(label)
        if index < probed:
            coverage.probed("path id", kind="foreign-identifier")
        elif index < probed + unprobed:
            coverage.skip("tenant-b has no Thing to target via path id", kind="foreign-identifier")
        else:
            coverage.exclude("excluded by configuration")
        result.operations.append(label)
        result.coverage[label] = coverage
    result.errors = [
        ProbeError("GET /things/0", "tenant-a", "path id", "HTTP 503", probe=True) for _ in range(errors)
    ]
    return result


def _leak(**changes: object) -> Finding:
    fields: dict[str, object] = {
        "operation": "GET /things/{id}",
        "kind": FindingKind.READ,
        "verdict": Verdict.CONFIRMED,
        "oracle": "canary",
        "attacker": "tenant-a",
        "victim": "tenant-b",
        "slot": "path id",
        "status": 200,
        "evidence": "HTTP 200: tenant-b's canary",
        "reproduction": "curl ...",
    }
    fields.update(changes)
    return Finding(**fields)  # type: ignore[arg-type]


def test_coverage_counts_only_operations_not_excluded_on_purpose() -> None:
    result = _result(probed=3, unprobed=1, excluded=4)
    assert result.coverage_ratio() == 0.75
    assert check_gate(result, GateSettings(min_coverage=0.75)) == []
    assert check_gate(result, GateSettings(min_coverage=0.8)) == [
        "isolation coverage 75% is below the minimum of 80%: 1 of 4 operations got no probe (the coverage "
        "says why for each; map what is missing in the config, or lower --isolation-min-coverage)"
    ]
    assert CampaignResult(complete=True).coverage_ratio() == 1.0
    # A budget that ran out is the reason, and the command line spells its own option.
    result.stopped = "request budget of 50 spent"
    assert check_gate(
        result, GateSettings(min_coverage=0.8), spell=lambda o: o.replace("--isolation-", "--")
    ) == [
        "isolation coverage 75% is below the minimum of 80%: 1 of 4 operations got no probe (probing stopped "
        "early (request budget of 50 spent); raise the budget, or lower --min-coverage)"
    ]


def test_a_run_whose_probes_mostly_failed_fails_the_default_gate() -> None:
    # 96 probes sent, 60 of them unjudged; the errors of setting up are not the gate's business.
    result = _result(probed=4, unprobed=0, requests=400, errors=60)
    result.probe_requests = 96
    result.errors.append(ProbeError("POST /things", "tenant-a", "-", "HTTP 503", probe=False))
    assert result.error_rate() == 0.625
    assert check_gate(result, GateSettings()) == [
        "62.5% of probes could not be judged (60 server-error), above the maximum of 20%: the API or the "
        "network failed, so a pass would mean nothing; fix the target, or raise --isolation-max-error-rate"
    ]
    # A few errors among many probes are not enough to call the run no verdict.
    few = _result(probed=4, unprobed=0, requests=400, errors=5)
    few.probe_requests = 96
    assert check_gate(few, GateSettings()) == []
    # 20.4% is above 20%, and says so.
    edge = _result(probed=4, unprobed=0, errors=51)
    edge.probe_requests = 250
    assert check_gate(edge, GateSettings())[0].startswith("20.4% of probes could not be judged")


@pytest.mark.parametrize(("ratio", "text"), [(0.0, "0%"), (2 / 3, "66.6%"), (0.999, "99.9%"), (1.0, "100%")])
def test_one_way_to_write_a_share(ratio: float, text: str) -> None:
    assert format_percent(ratio) == text


def test_gate_settings_refuse_a_share_outside_0_and_1() -> None:
    with pytest.raises(ConfigurationError, match=r"min_coverage=1\.5 must be a fraction between 0 and 1"):
        GateSettings(min_coverage=1.5)


def test_how_a_run_ends_in_one_place() -> None:
    clean = _result(probed=2, unprobed=0)
    assert outcome(clean) is ExitCode.OK
    leaking = _result(probed=2, unprobed=0)
    leaking.findings.append(_leak())
    leaking.gate = ["isolation coverage 10% is below ..."]
    # Leaks are the stronger signal: a leaking run that also fails a gate exits with the leaks' code.
    assert outcome(leaking) is ExitCode.FINDINGS
    accepted = _result(probed=2, unprobed=0)
    accepted.findings += [
        _leak(baselined=True),
        _leak(allowed="allow rule 1: public"),
        _leak(verdict=Verdict.SUSPECTED),
    ]
    assert outcome(accepted) is ExitCode.OK
    accepted.fail_on_suspected = True
    assert outcome(accepted) is ExitCode.FINDINGS
    unreliable = _result(probed=2, unprobed=0)
    unreliable.gate = ["62% of requests could not be judged ..."]
    assert outcome(unreliable) is ExitCode.UNRELIABLE
    lost = CampaignResult(fatal="ProvisioningError: signup answered 503")
    assert outcome(lost) is ExitCode.TARGET
    misconfigured = CampaignResult(
        fatal="ConfigurationError: no login", setup_failed=True, misconfigured=True
    )
    assert outcome(misconfigured) is ExitCode.USAGE
    interrupted = _result(probed=1, unprobed=0)
    interrupted.findings.append(_leak())
    interrupted.interrupted = True
    assert outcome(interrupted) is ExitCode.INTERRUPTED


@pytest.mark.parametrize(("text", "value"), [("0.8", 0.8), ("80%", 0.8), ("0", 0.0), ("100%", 1.0)])
def test_fractions_are_written_either_way(text: str, value: float) -> None:
    assert parse_fraction("min_coverage", ResolvedSetting(text, "option")) == pytest.approx(value)


def test_a_bad_fraction_shows_the_value_and_the_fix() -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_fraction("max_error_rate", ResolvedSetting("lots", "env"))
    assert str(info.value) == (
        "--isolation-max-error-rate='lots' (from env) is not a fraction between 0 and 1 or a percentage. "
        "Pass e.g. --isolation-max-error-rate=0.8 or --isolation-max-error-rate=80%."
    )


@pytest.mark.parametrize(
    ("text", "seconds"), [("600", 600.0), ("90s", 90.0), ("10m", 600.0), ("1.5h", 5400.0)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration("time_budget", ResolvedSetting(text, "option")) == seconds


def test_a_bad_duration_shows_the_value_and_the_fix() -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_duration("time_budget", ResolvedSetting("ten minutes", "option"))
    assert str(info.value) == (
        "--isolation-time-budget='ten minutes' (from option) is not a duration. Pass e.g. "
        "--isolation-time-budget=600 (seconds), --isolation-time-budget=10m or --isolation-time-budget=1h."
    )


def test_shards() -> None:
    assert parse_shard("shard", ResolvedSetting("2/3", "option")) == (2, 3)
    with pytest.raises(ConfigurationError) as info:
        parse_shard("shard", ResolvedSetting("3/2", "option"))
    assert str(info.value) == (
        "--isolation-shard='3/2' (from option) is not a shard I/N with 1 <= I <= N. "
        "Pass e.g. --isolation-shard=1/2 and --isolation-shard=2/2 in two jobs."
    )


def test_profiles_and_a_misspelt_one() -> None:
    assert chosen_profile({"profile": ResolvedSetting("QUICK", "option")}) is PROFILES["quick"]
    assert chosen_profile({"profile": ResolvedSetting(None, "default")}) is PROFILES["standard"]
    with pytest.raises(ConfigurationError) as info:
        chosen_profile({"profile": ResolvedSetting("quik", "option")})
    assert str(info.value) == (
        "--isolation-profile='quik' (from option) is not a profile. Did you mean 'quick'? Profiles: "
        "quick (a CI gate: two tenants, no guessed identifiers); standard (two tenants, four identifiers "
        "guessed next to each tenant's own per slot); deep (a long campaign: three tenants, 16 "
        "identifiers guessed per slot (identifier enumeration), three generated bodies per foreign-identifier "
        "probe)."
    )


def _by_kind(answered: dict[str, int], unjudged: dict[str, int]) -> CampaignResult:
    """One operation whose probes of each kind were answered, or not, so many times."""
    result = CampaignResult(complete=True, requests=1000)
    coverage = Coverage("GET /things/{id}")
    for kind, count in answered.items():
        for _ in range(count):
            coverage.probed("path id", kind=kind)
    for kind, count in unjudged.items():
        for _ in range(count):
            coverage.unanswered(kind=kind)
    result.operations.append(coverage.operation)
    result.coverage[coverage.operation] = coverage
    result.probe_requests = sum(answered.values()) + sum(unjudged.values())
    result.errors = [
        ProbeError("GET /things/{id}", "tenant-a", "path id", "HTTP 503", kind="server-error", probe=True)
        for _ in range(sum(unjudged.values()))
    ]
    return result


def test_one_kind_whose_probes_mostly_went_unanswered_fails_the_gate_among_many_answered_ones() -> None:
    # 150 storm probes answered; every one of 30 probes aimed at another tenant's object got a 503.
    result = _by_kind({"storm": 150}, {"foreign-identifier": 30})
    assert result.worst_kind() == ("foreign-identifier", 1.0)
    assert result.error_rate() == 1.0
    assert check_gate(result, GateSettings()) == [
        "100% of the foreign-identifier probes could not be judged (30 server-error), above the maximum of "
        "20%: the API or the network failed, so a pass would mean nothing; fix the target, or raise "
        "--isolation-max-error-rate"
    ]


def test_a_kind_with_few_probes_is_judged_with_all_the_others() -> None:
    # 3 of 5 tombstone probes unanswered: too few to judge alone; 3 of 105 probes overall is fine.
    result = _by_kind({"storm": 100, "tombstone": 2}, {"tombstone": 3})
    assert result.worst_kind() == ("storm", 0.0)
    assert result.error_rate() == pytest.approx(3 / 105)
    assert check_gate(result, GateSettings()) == []


def test_storms_a_rate_limiter_refused_can_be_turned_off() -> None:
    result = _by_kind({"foreign-identifier": 40}, {"storm": 24})
    assert check_gate(result, GateSettings(), spell=lambda option: option.replace("--isolation-", "--")) == [
        "100% of the storm probes could not be judged (24 server-error), above the maximum of 20%: the API or "
        "the network failed, so a pass would mean nothing; fix the target, or raise --max-error-rate, or "
        "turn them off with --skip-probes=storm"
    ]
