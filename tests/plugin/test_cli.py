"""``python -m isolation_harness``: exit code 0 when clean, 1 on leaks, 2 on misconfiguration."""

from __future__ import annotations

import sys

import pytest
from plugin_support import (
    DISPATCH,
    DISPATCH_CONFIG,
    DISPATCH_COUNT,
    READ_BY_ID_FINDING_A_READS_B,
    READ_BY_ID_FINDING_B_READS_A,
)

CLEAN_SUMMARY = (
    f"{DISPATCH_COUNT} operations, 2 tenants, * probes, * requests in *s: "
    "0 confirmed and 0 suspected findings in 0 operations, 0 probe errors"
)
LEAK_SUMMARY = (
    f"{DISPATCH_COUNT} operations, 2 tenants, * probes, * requests in *s: "
    "2 confirmed and 0 suspected findings in 1 operations, 0 probe errors"
)


def run_cli(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.run(sys.executable, "-m", "isolation_harness", *args, timeout=120)


def _campaign_args() -> tuple[str, ...]:
    return ("--schema", DISPATCH, "--config", str(DISPATCH_CONFIG))


def test_clean_api_exits_0(project: pytest.Pytester) -> None:
    result = run_cli(project, *_campaign_args())

    assert result.ret == 0
    # Each setting and where it came from (settings a later version adds may follow), then the campaign.
    assert result.outlines[:4] == [
        f"schema: {DISPATCH} (from option)",
        f"config: {DISPATCH_CONFIG} (from option)",
        "tenants: 2 (from default)",
        "seed: 0 (from default)",
    ]
    result.stdout.fnmatch_lines(
        [f"campaign: {DISPATCH_COUNT} operations via asgi at http://testserver", "", CLEAN_SUMMARY],
        consecutive=True,
    )
    assert result.stderr.str() == ""


def test_leaks_exit_1_and_each_finding_is_printed(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", "read-by-id")

    result = run_cli(project, *_campaign_args(), "--report-json", "report.json")

    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            f"campaign: {DISPATCH_COUNT} operations via asgi at http://testserver",
            "",
            *READ_BY_ID_FINDING_A_READS_B,
            "",
            *READ_BY_ID_FINDING_B_READS_A,
            "",
            LEAK_SUMMARY,
            f"isolation coverage: {DISPATCH_COUNT - 2} of {DISPATCH_COUNT - 2} operations probed (100%), 2 excluded",
            "JSON report: report.json",
        ],
        consecutive=True,
    )
    assert (project.path / "report.json").is_file()


def test_exit_zero_reports_leaks_but_exits_0(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", "read-by-id")

    result = run_cli(project, *_campaign_args(), "--exit-zero", "--quiet")

    assert result.ret == 0
    result.stdout.fnmatch_lines([LEAK_SUMMARY])
    # --quiet: the summary, not the findings.
    assert "[confirmed]" not in result.stdout.str()


def test_misconfiguration_exits_2_with_the_value_and_the_fix(project: pytest.Pytester) -> None:
    result = run_cli(project, "--schema", "examples.dispatch_api:ap", "--config", str(DISPATCH_CONFIG))

    assert result.ret == 2
    assert result.stdout.str() == ""
    assert result.errlines == [
        "isolation-harness: error: Module 'examples.dispatch_api' has no attribute 'ap' (from "
        "'examples.dispatch_api:ap'). Did you mean 'app'? Name the ASGI or WSGI application object, "
        "e.g. `package.module:app`."
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--schema", DISPATCH, "--config", str(DISPATCH_CONFIG), "--tenants", "1"),
            "isolation-harness: error: --tenants=1 (from option) must be at least 2: *",
        ),
        (("run",), "isolation-harness: error: No API to test: pass --schema (or set ISOLATION_SCHEMA, *"),
        (
            (*_campaign_args(), "--skip-probes", "storm,strom"),
            "isolation-harness: error: --skip-probes='storm,strom' (from option): 'strom' is not a probe "
            "kind. Did you mean 'storm'? Known: anonymous, search, guessed-identifier, own-read, "
            "foreign-identifier, cache-warm, storm, cancellation, tombstone.",
        ),
        (
            (*_campaign_args(), "--workers", "0"),
            "isolation-harness: error: --workers=0 (from option) must be at least 1.",
        ),
    ],
    ids=["tenants", "no schema", "probe kind", "workers"],
)
def test_misconfiguration_messages_name_the_command_lines_own_options(
    project: pytest.Pytester, args: tuple[str, ...], message: str
) -> None:
    result = run_cli(project, *args)

    assert result.ret == 2
    result.stderr.fnmatch_lines([message])
    assert "--isolation-" not in result.stderr.str()


def test_unknown_option_exits_2_and_names_the_nearest_option(project: pytest.Pytester) -> None:
    result = run_cli(project, "--schema", DISPATCH, "--seeds", "3")

    assert result.ret == 2
    result.stderr.fnmatch_lines(
        [
            "Usage: isolation-harness run [OPTIONS]",
            "Try 'isolation-harness run --help' for help.",
            "",
            "Error: No such option '--seeds'. Did you mean '--seed'?",
        ]
    )


def test_bare_command_shows_the_subcommands(project: pytest.Pytester) -> None:
    result = run_cli(project)

    assert result.ret == 2
    result.stderr.fnmatch_lines(["Usage: isolation-harness [OPTIONS] COMMAND [ARGS]...", "*Commands:*"])
    for command in ("run", "check-config", "baseline", "merge"):
        result.stderr.fnmatch_lines([f"  {command} *"])


def test_version(project: pytest.Pytester) -> None:
    result = run_cli(project, "--version")

    assert result.ret == 0
    assert result.outlines == ["isolation-harness 0.1.0"]


def test_check_config_shows_the_plan_and_sends_nothing(project: pytest.Pytester) -> None:
    result = run_cli(project, "check-config", *_campaign_args(), "--max-requests", "500", "--shard", "1/2")

    assert result.ret == 0
    assert result.outlines == [
        "config: OK",
        f"api: {DISPATCH} ({DISPATCH_COUNT} operations via asgi at http://testserver)",
        "tenants: 2 (tenant-a, tenant-b), signed up with POST /accounts, logged in with POST /auth/login",
        f"probed: {DISPATCH_COUNT - 2} operations; 2 excluded:",
        "  POST /accounts: used to provision tenants",
        "  POST /auth/login: used to provision tenants",
        "gate: fail below 50% isolation coverage or above 20% of probes unjudged",
        "budget: 500 requests",
        "shard: 1/2",
        "no request was sent to create tenants or probe",
    ]


def test_check_config_names_a_misspelt_key_and_the_nearest_one(project: pytest.Pytester) -> None:
    config = project.path / "isolation.toml"
    config.write_text(DISPATCH_CONFIG.read_text().replace("[tenants.signup]", "[tenants.sigup]"))

    result = run_cli(project, "check-config", "--schema", DISPATCH, "--config", str(config))

    assert result.ret == 2
    result.stderr.fnmatch_lines(["isolation-harness: error: *'sigup'*Did you mean 'signup'?*"])
