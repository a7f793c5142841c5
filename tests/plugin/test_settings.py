"""The report header says where each setting came from: option, env, pyproject.toml or default."""

from __future__ import annotations

import pytest
from plugin_support import DISPATCH, DISPATCH_CONFIG, DISPATCH_COUNT, USAGE_ERROR, lit, settings_header


def test_header_names_pyproject_env_and_option_with_option_over_env_over_pyproject(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.makepyprojecttoml(
        f"""
        [tool.isolation_harness]
        schema = "{DISPATCH}"
        config = "isolation.toml"
        tenants = 9
        seed = 5
        """
    )
    project.path.joinpath("isolation.toml").write_text(DISPATCH_CONFIG.read_text())
    monkeypatch.setenv("ISOLATION_SEED", "7")
    # Run from a subdirectory: the pyproject.toml is found above it, and `config` is relative to it.
    monkeypatch.chdir(project.mkdir("ci"))

    result = project.runpytest_subprocess("--collect-only", "--isolation-tenants=3")

    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        [
            settings_header(
                f"schema={DISPATCH} (from pyproject.toml)",
                "config=isolation.toml (from pyproject.toml)",
                "tenants=3 (from option)",
                "seed=7 (from env)",
            ),
            f"isolation-harness: {DISPATCH_COUNT} operations via asgi at http://testserver",
            f"rootdir: {project.path}",
            "configfile: pyproject.toml",
            "*",
            f"collected {DISPATCH_COUNT + 1} items",
            "",
            "<CampaignCollector isolation>",
            "  <OperationItem POST /accounts>",
            "  <OperationItem POST /auth/login>",
            "  <OperationItem GET /services>",
        ],
        consecutive=False,
    )
    result.stdout.fnmatch_lines(["  <GateItem gate>", f"*= {DISPATCH_COUNT + 1} tests collected in *"])


def test_header_names_env_and_default(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISOLATION_SCHEMA", DISPATCH)
    monkeypatch.setenv("ISOLATION_CONFIG", str(DISPATCH_CONFIG))
    monkeypatch.setenv("ISOLATION_REPORT_JSON", "isolation-report.json")

    result = project.runpytest_subprocess("--collect-only")

    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        [
            settings_header(
                f"schema={DISPATCH} (from env)",
                f"config={DISPATCH_CONFIG} (from env)",
                "tenants=2 (from default)",
                "seed=0 (from default)",
                "report_json=isolation-report.json (from env)",
            ),
            f"isolation-harness: {DISPATCH_COUNT} operations via asgi at http://testserver",
        ]
    )


def test_unknown_pyproject_key_is_a_usage_error(project: pytest.Pytester) -> None:
    project.makepyprojecttoml(f'[tool.isolation_harness]\nschem = "{DISPATCH}"\n')

    result = project.runpytest_subprocess()

    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: *"
            + lit(f"Unknown key 'schem' in [tool.isolation_harness] of {project.path / 'pyproject.toml'}. ")
            + lit("Did you mean 'schema'? Known keys: schema, base_url, config, tenants, seed, report_json")
            + "*"
        ]
    )


def test_pytest_help_lists_every_setting_even_with_a_percent_sign_in_its_help(
    project: pytest.Pytester,
) -> None:
    result = project.runpytest("--help")

    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "*--isolation-min-coverage=MIN_COVERAGE",
            "*a fraction or a percentage (default 50%). Env:",
            "*--isolation-workers=WORKERS",
            "*--isolation-skip-probes=SKIP_PROBES",
        ]
    )
