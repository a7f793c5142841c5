"""The isolation config under [tool.isolation_harness] in pyproject.toml, the hooks setting, plugins' settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from isolation_harness.config import (
    SETTINGS,
    HarnessConfig,
    ResolvedSetting,
    SettingSpec,
    config_from_pyproject,
    load_config,
    parse_config,
    parse_int,
    read_pyproject,
    resolve_settings,
)
from isolation_harness.errors import ConfigurationError
from isolation_harness.provisioning import DeclarativeProvisioner, OperationCall, TokenSource
from isolation_harness.tenants import AuthScheme

PYPROJECT = """
[project]
name = "shop"

[tool.isolation_harness]
schema = "shop.app:app"
hooks = "shop.isolation_hooks"

[tool.isolation_harness.api]
exclude = ["POST /logout"]

[tool.isolation_harness.tenants.login]
operation = "POST /auth/login"
body = { email = "{email}", password = "{password}" }
token_cookie = "sid"

[tool.isolation_harness.tenants.auth]
cookie = "sid"

[tool.isolation_harness.campaign]
timeout = 3
"""


def write_pyproject(directory: Path, text: str) -> Path:
    path = directory / "pyproject.toml"
    path.write_text(text)
    return path


def test_the_config_can_live_in_pyproject(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, PYPROJECT)

    table, found = read_pyproject(tmp_path)
    config = load_config(None, pyproject=table, pyproject_path=found)

    assert found == path
    assert config == HarnessConfig(
        path=path,
        provisioner=DeclarativeProvisioner(
            login=OperationCall("POST /auth/login", {"email": "{email}", "password": "{password}"}),
            token=TokenSource(json_pointer=None, cookie="sid"),
            auth=AuthScheme(header=None, prefix="", cookie="sid"),
        ),
        auth=AuthScheme(header=None, prefix="", cookie="sid"),
        exclude=("POST /logout",),
        timeout=3.0,
    )
    assert config_from_pyproject(table, path=found) == config


def test_settings_and_config_tables_share_the_pyproject_table(tmp_path: Path) -> None:
    pyproject = PYPROJECT.replace("[tool.isolation_harness.campaign]\ntimeout = 3\n", "")
    write_pyproject(
        tmp_path,
        pyproject.replace("[tool.isolation_harness]\n", '[tool.isolation_harness]\ncampaign = "off"\n'),
    )
    table, _ = read_pyproject(tmp_path)

    settings = resolve_settings({}, {}, table)

    assert settings["schema"] == ResolvedSetting("shop.app:app", "pyproject.toml")
    assert settings["hooks"] == ResolvedSetting("shop.isolation_hooks", "pyproject.toml")
    assert settings["campaign"] == ResolvedSetting("off", "pyproject.toml")
    # [tool.isolation_harness.tenants] is the isolation config's table, not the `tenants` setting.
    assert settings["tenants"] == ResolvedSetting("2", "default")


def test_a_tenants_setting_and_a_tenants_table_cannot_both_be_written(tmp_path: Path) -> None:
    path = write_pyproject(
        tmp_path, PYPROJECT.replace("[tool.isolation_harness]\n", "[tool.isolation_harness]\ntenants = 3\n")
    )

    with pytest.raises(ConfigurationError) as info:
        read_pyproject(tmp_path)

    assert re.fullmatch(
        rf"Cannot read {re.escape(str(path))}: Cannot overwrite a value \(at line \d+, column \d+\)\. "
        r"Fix the TOML syntax\.",
        str(info.value),
    ), str(info.value)


def test_hooks_in_pyproject_is_the_setting_not_the_config(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool.isolation_harness]\nhooks = "shop.hooks"\n')
    table, found = read_pyproject(tmp_path)

    assert load_config(None, pyproject=table, pyproject_path=found) == HarnessConfig()
    assert resolve_settings({}, {}, table)["hooks"] == ResolvedSetting("shop.hooks", "pyproject.toml")


def test_a_config_in_both_places_is_an_error_naming_both(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, PYPROJECT)
    (tmp_path / "isolation.toml").write_text("[tenants]\ncount = 2\n")
    table, found = read_pyproject(tmp_path)

    with pytest.raises(ConfigurationError) as info:
        load_config(tmp_path / "isolation.toml", pyproject=table, pyproject_path=found)

    error = info.value
    assert str(error) == (
        f"The isolation config is in two places: '{tmp_path / 'isolation.toml'}' (--isolation-config) and "
        "[tool.isolation_harness.api], [tool.isolation_harness.tenants], [tool.isolation_harness.campaign] "
        f"in {path}. Keep one: remove those tables from {path}, or unset --isolation-config."
    )
    assert (error.setting, error.value) == ("config", str(tmp_path / "isolation.toml"))
    assert error.reworded({"config": "--config"}).fix == (
        f"Keep one: remove those tables from {path}, or unset --config."
    )


def test_a_config_file_with_only_settings_in_pyproject_is_fine(tmp_path: Path) -> None:
    (tmp_path / "isolation.toml").write_text("[tenants]\ncount = 4\n")
    pyproject = {"schema": "shop.app:app", "tenants": 3, "hooks": "shop.hooks"}

    assert load_config(tmp_path / "isolation.toml", pyproject=pyproject).tenant_count == 4


def test_pyproject_config_errors_name_the_table_in_pyproject(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, "[tool.isolation_harness.tenants]\nlogn = {}\n")
    table, found = read_pyproject(tmp_path)

    with pytest.raises(ConfigurationError) as info:
        load_config(None, pyproject=table, pyproject_path=found)

    assert str(info.value) == (
        f"{path}: unknown key 'logn' in [tool.isolation_harness.tenants]. Did you mean 'login'? "
        "Known keys: count, signup, login, teardown, auth, accounts."
    )
    assert info.value.setting == "tenants.logn"


@pytest.mark.parametrize(
    ("table", "message", "setting"),
    [
        (
            {"tenants": {"count": 1}},
            "{path}: tool.isolation_harness.tenants.count must be a whole number of at least 2, got 1.",
            "tenants.count",
        ),
        (
            {"api": "GET /x"},
            "{path}: [tool.isolation_harness.api] must be a table, got 'GET /x'.",
            "api",
        ),
        (
            {"tenants": {"signup": {"operation": "POST /accounts"}}},
            "{path}: [tool.isolation_harness.tenants.signup] is set but [tool.isolation_harness.tenants.login] "
            "is missing. Add [tool.isolation_harness.tenants.login] with the operation that returns a token "
            '(e.g. operation = "POST /auth/login").',
            "tenants.login",
        ),
    ],
)
def test_pyproject_config_errors(table: dict[str, object], message: str, setting: str) -> None:
    path = Path("/project/pyproject.toml")

    with pytest.raises(ConfigurationError) as info:
        config_from_pyproject(table, path=path)

    assert (str(info.value), info.value.setting) == (message.format(path=path), setting)


def test_read_pyproject_unknown_key_knows_the_config_tables(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, '[tool.isolation_harness.apis]\nexclude = ["GET /x"]\n')

    with pytest.raises(ConfigurationError) as info:
        read_pyproject(tmp_path)

    assert str(info.value) == (
        f"Unknown key 'apis' in [tool.isolation_harness] of {path}. Did you mean 'api'? "
        "Known keys: schema, base_url, config, tenants, seed, report_json, report_ndjson, report_sarif, "
        "report_junit, report_markdown, campaign, hooks, baseline, profile, min_coverage, max_error_rate, "
        "max_requests, time_budget, shard, workers, skip_probes, api, allow."
    )
    assert (info.value.setting, info.value.value) == ("apis", {"exclude": ["GET /x"]})


# -- hooks ------------------------------------------------------------------------------------------


def test_the_hooks_setting() -> None:
    spec = next(spec for spec in SETTINGS if spec.name == "hooks")

    assert spec == SettingSpec(
        "hooks",
        "--isolation-hooks",
        "ISOLATION_HOOKS",
        "A Python module (package.module) or file (hooks.py) with hook functions, loaded by the CLI and "
        "pytest alike.",
    )
    assert resolve_settings({"hooks": "a.hooks"}, {"ISOLATION_HOOKS": "b.py"}, {})[
        "hooks"
    ] == ResolvedSetting("a.hooks", "option")
    assert resolve_settings({}, {"ISOLATION_HOOKS": "b.py"}, {})["hooks"] == ResolvedSetting("b.py", "env")


@pytest.mark.parametrize(
    "hooks", ["shop.isolation_hooks", "isolation_hooks", "isolation_hooks.py", "ci/hooks.py"]
)
def test_the_config_names_its_hooks(hooks: str) -> None:
    assert parse_config({"hooks": hooks}).hooks == hooks


def test_no_hooks_by_default() -> None:
    assert parse_config({}).hooks is None


# -- settings contributed by plugins ----------------------------------------------------------------

HTML = SettingSpec("report_html", "--isolation-report-html", "ISOLATION_REPORT_HTML", "Write an HTML report.")
RETRIES = SettingSpec("retries", "--isolation-retries", "ISOLATION_RETRIES", "Retries per probe.", "1")


def test_plugins_add_settings(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool.isolation_harness]\nreport_html = "report.html"\nretries = 3\n')
    specs = (*SETTINGS, HTML, RETRIES)

    table, _ = read_pyproject(tmp_path, specs=specs)
    settings = resolve_settings({}, {"ISOLATION_RETRIES": "5"}, table, specs=specs)

    assert settings["report_html"] == ResolvedSetting("report.html", "pyproject.toml")
    assert parse_int("retries", settings["retries"], specs=specs) == 5
    assert "report_html" not in resolve_settings({}, {}, table)


def test_a_plugin_setting_is_unknown_without_its_spec(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, '[tool.isolation_harness]\nreport_html = "report.html"\n')

    with pytest.raises(ConfigurationError) as info:
        read_pyproject(tmp_path)

    assert str(info.value) == (
        f"Unknown key 'report_html' in [tool.isolation_harness] of {path}. Did you mean 'report_junit'? "
        "Known keys: schema, base_url, config, tenants, seed, report_json, report_ndjson, report_sarif, "
        "report_junit, report_markdown, campaign, hooks, baseline, profile, min_coverage, max_error_rate, "
        "max_requests, time_budget, shard, workers, skip_probes, api, allow."
    )


def test_a_plugin_setting_error_names_its_option() -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_int("retries", ResolvedSetting("x", "env"), specs=(RETRIES,))

    assert (str(info.value), info.value.setting, info.value.value) == (
        "--isolation-retries='x' (from env) is not a whole number. Pass e.g. --isolation-retries=1.",
        "retries",
        "x",
    )
