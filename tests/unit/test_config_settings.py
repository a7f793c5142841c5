"""Unit tests for settings: precedence and source, whole numbers, pyproject.toml; exact, actionable errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from isolation_harness.config import (
    SETTING_NAMES,
    ResolvedSetting,
    parse_int,
    read_pyproject,
    resolve_settings,
)
from isolation_harness.errors import ConfigurationError, did_you_mean

# -- resolve_settings: precedence and source --------------------------------------------------------


def test_option_beats_env_beats_pyproject_beats_default() -> None:
    options = {"schema": "app:app", "tenants": None, "seed": "", "config": None}
    environ = {"ISOLATION_SCHEMA": "env:app", "ISOLATION_TENANTS": "3", "ISOLATION_SEED": "", "OTHER": "x"}
    pyproject = {"schema": "py:app", "tenants": 4, "seed": 9, "base_url": "http://py.test"}

    settings = resolve_settings(options, environ, pyproject)

    assert settings == {
        "schema": ResolvedSetting("app:app", "option"),
        "base_url": ResolvedSetting("http://py.test", "pyproject.toml"),
        "config": ResolvedSetting(None, "default"),
        "tenants": ResolvedSetting("3", "env"),
        # An empty option or environment variable does not count as set.
        "seed": ResolvedSetting("9", "pyproject.toml"),
        "report_json": ResolvedSetting(None, "default"),
        "report_ndjson": ResolvedSetting(None, "default"),
        "report_sarif": ResolvedSetting(None, "default"),
        "report_junit": ResolvedSetting(None, "default"),
        "report_markdown": ResolvedSetting(None, "default"),
        "campaign": ResolvedSetting("on", "default"),
        "hooks": ResolvedSetting(None, "default"),
        "baseline": ResolvedSetting(None, "default"),
        "profile": ResolvedSetting("standard", "default"),
        "min_coverage": ResolvedSetting(None, "default"),
        "max_error_rate": ResolvedSetting(None, "default"),
        "max_requests": ResolvedSetting(None, "default"),
        "time_budget": ResolvedSetting(None, "default"),
        "shard": ResolvedSetting(None, "default"),
        "workers": ResolvedSetting("1", "default"),
        "skip_probes": ResolvedSetting(None, "default"),
    }


def test_defaults_when_nothing_is_set() -> None:
    settings = resolve_settings({}, {}, {})

    assert {name: (s.value, s.source) for name, s in settings.items()} == {
        "schema": (None, "default"),
        "base_url": (None, "default"),
        "config": (None, "default"),
        "tenants": ("2", "default"),
        "seed": ("0", "default"),
        "report_json": (None, "default"),
        "report_ndjson": (None, "default"),
        "report_sarif": (None, "default"),
        "report_junit": (None, "default"),
        "report_markdown": (None, "default"),
        "campaign": ("on", "default"),
        "hooks": (None, "default"),
        "baseline": (None, "default"),
        "profile": ("standard", "default"),
        "min_coverage": (None, "default"),
        "max_error_rate": (None, "default"),
        "max_requests": (None, "default"),
        "time_budget": (None, "default"),
        "shard": (None, "default"),
        "workers": ("1", "default"),
        "skip_probes": (None, "default"),
    }


# -- parse_int --------------------------------------------------------------------------------------


def test_parse_int_accepts_whole_numbers() -> None:
    assert parse_int("tenants", ResolvedSetting("3", "env"), minimum=2) == 3
    assert parse_int("seed", ResolvedSetting("-4", "option")) == -4


def test_parse_int_rejects_text_showing_value_source_and_fix() -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_int("tenants", ResolvedSetting("many", "env"), minimum=2)

    assert str(info.value) == (
        "--isolation-tenants='many' (from env) is not a whole number. Pass e.g. --isolation-tenants=2."
    )


def test_parse_int_rejects_too_few_tenants() -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_int("tenants", ResolvedSetting("1", "pyproject.toml"), minimum=2)

    assert str(info.value) == (
        "--isolation-tenants=1 (from pyproject.toml) must be at least 2: a campaign needs one tenant to "
        "attack and another to be attacked."
    )


def test_parse_int_seed_error() -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"^--isolation-seed='1\.5' \(from option\) is not a whole number\. Pass e\.g\. --isolation-seed=0\.$",
    ):
        parse_int("seed", ResolvedSetting("1.5", "option"))


# -- read_pyproject ---------------------------------------------------------------------------------


def test_read_pyproject_finds_the_nearest_file_above(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.isolation_harness]\nschema = "app:app"\ntenants = 3\n'
    )
    nested = tmp_path / "tests" / "api"
    nested.mkdir(parents=True)

    assert read_pyproject(nested) == ({"schema": "app:app", "tenants": 3}, tmp_path / "pyproject.toml")


def test_read_pyproject_without_the_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.other]\nx = 1\n")

    assert read_pyproject(tmp_path) == ({}, tmp_path / "pyproject.toml")


def test_read_pyproject_without_any_file(tmp_path: Path) -> None:
    if any((parent / "pyproject.toml").is_file() for parent in tmp_path.parents):
        pytest.skip("a pyproject.toml exists above the temporary directory")

    assert read_pyproject(tmp_path) == ({}, None)


def test_read_pyproject_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.isolation_harness]\nbase-url = "http://x"\n')

    with pytest.raises(ConfigurationError) as info:
        read_pyproject(tmp_path)

    assert str(info.value) == (
        f"Unknown key 'base-url' in [tool.isolation_harness] of {path}. Did you mean 'base_url'? "
        "Known keys: schema, base_url, config, tenants, seed, report_json, report_ndjson, report_sarif, "
        "report_junit, report_markdown, campaign, hooks, baseline, profile, min_coverage, max_error_rate, "
        "max_requests, time_budget, shard, workers, skip_probes, api, allow."
    )


def test_read_pyproject_table_must_be_a_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool]\nisolation_harness = "app:app"\n')

    with pytest.raises(ConfigurationError) as info:
        read_pyproject(tmp_path)

    assert str(info.value) == f"[tool.isolation_harness] in {path} must be a table."


def test_read_pyproject_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.isolation_harness\nschema = 1\n")

    with pytest.raises(ConfigurationError) as info:
        read_pyproject(tmp_path)

    assert re.fullmatch(
        rf"Cannot read {re.escape(str(path))}: .+\(at line 1, column \d+\)\. Fix the TOML syntax\.",
        str(info.value),
    ), str(info.value)


# -- names -----------------------------------------------------------------------------------------


def test_setting_names() -> None:
    assert SETTING_NAMES == (
        "schema",
        "base_url",
        "config",
        "tenants",
        "seed",
        "report_json",
        "report_ndjson",
        "report_sarif",
        "report_junit",
        "report_markdown",
        "campaign",
        "hooks",
        "baseline",
        "profile",
        "min_coverage",
        "max_error_rate",
        "max_requests",
        "time_budget",
        "shard",
        "workers",
        "skip_probes",
    )


def test_did_you_mean() -> None:
    assert did_you_mean("logn", ["login", "signup"]) == " Did you mean 'login'?"
    assert did_you_mean("zzz", ["login", "signup"]) == ""
