"""Configuration errors carry the setting, the value and the fix as data, and each front end words them."""

from __future__ import annotations

import datetime
import pickle
from pathlib import Path
from typing import Any

import pytest

from isolation_harness.config import ResolvedSetting, load_config, parse_config, parse_int, parse_switch
from isolation_harness.config import resolve_settings as resolve
from isolation_harness.errors import NO_VALUE, ConfigurationError, SchemaLoadError

WHERE = Path("isolation.toml")
LOGIN = {"operation": "POST /auth/login", "body": {"email": "{email}"}}
CLI_OPTIONS = {"tenants": "--tenants", "seed": "--seed", "campaign": "--campaign", "config": "--config"}


def error_of(data: dict[str, Any]) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as info:
        parse_config(data, path=WHERE)
    return info.value


def as_data(error: ConfigurationError) -> tuple[str, str | None, object, str | None]:
    return str(error), error.setting, error.value, error.fix


# -- each kind of schema error: exact message, and the same facts as data ---------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            {"tenants": {"login": {**LOGIN, "tokne": "/a"}}},
            (
                "isolation.toml: unknown key 'tokne' in [tenants.login]. Did you mean 'token'? "
                "Known keys: operation, body, token, token_header, token_cookie, media_type.",
                "tenants.login.tokne",
                "/a",
                "Did you mean 'token'? Known keys: operation, body, token, token_header, token_cookie, media_type.",
            ),
            id="unknown key",
        ),
        pytest.param(
            {"hoks": "pkg.hooks"},
            (
                "isolation.toml: unknown key 'hoks' in the top level. Did you mean 'hooks'? "
                "Known keys: api, tenants, campaign, allow, hooks.",
                "hoks",
                "pkg.hooks",
                "Did you mean 'hooks'? Known keys: api, tenants, campaign, allow, hooks.",
            ),
            id="unknown top-level key",
        ),
        pytest.param(
            {"campaign": {"zzz": 1}},
            (
                "isolation.toml: unknown key 'zzz' in [campaign]. Known keys: fail_on, timeout, retries, backoff.",
                "campaign.zzz",
                1,
                "Known keys: fail_on, timeout, retries, backoff.",
            ),
            id="unknown key, nothing close",
        ),
        pytest.param(
            {"campaign": {"timeout": "10"}},
            (
                "isolation.toml: campaign.timeout must be a positive number of seconds, got '10'.",
                "campaign.timeout",
                "10",
                "Set campaign.timeout to a positive number of seconds.",
            ),
            id="wrong type",
        ),
        pytest.param(
            {"tenants": {"auth": "Bearer"}},
            (
                "isolation.toml: [tenants.auth] must be a table, got 'Bearer'.",
                "tenants.auth",
                "Bearer",
                "Set tenants.auth to a table.",
            ),
            id="wrong type, a table",
        ),
        pytest.param(
            {"tenants": {"count": 1}},
            (
                "isolation.toml: tenants.count must be a whole number of at least 2, got 1.",
                "tenants.count",
                1,
                "Set tenants.count to a whole number of at least 2.",
            ),
            id="out of range",
        ),
        pytest.param(
            {"campaign": {"fail_on": "all"}},
            (
                'isolation.toml: campaign.fail_on must be "confirmed" or "suspected", got \'all\'.',
                "campaign.fail_on",
                "all",
                'Set campaign.fail_on to "confirmed" or "suspected".',
            ),
            id="not one of the choices",
        ),
        pytest.param(
            {"tenants": {"login": {**LOGIN, "token": "access_token"}}},
            (
                "isolation.toml: tenants.login.token must be a JSON pointer starting with '/' "
                "(e.g. \"/access_token\"), got 'access_token'.",
                "tenants.login.token",
                "access_token",
                "Set tenants.login.token to a JSON pointer starting with '/' (e.g. \"/access_token\").",
            ),
            id="pattern",
        ),
        pytest.param(
            {"tenants": {"accounts": [{"name": "acme"}]}},
            (
                "isolation.toml: tenants.accounts[0].token_env is missing; it must be the name of an "
                'environment variable, like "ACME_TOKEN".',
                "tenants.accounts[0].token_env",
                NO_VALUE,
                'Set tenants.accounts[0].token_env to the name of an environment variable, like "ACME_TOKEN".',
            ),
            id="missing required key",
        ),
        pytest.param(
            {"tenants": {"accounts": []}},
            (
                "isolation.toml: tenants.accounts must be a non-empty array of tables, got []. "
                "Write [[tenants.accounts]] with name and token_env for each account.",
                "tenants.accounts",
                [],
                "Write [[tenants.accounts]] with name and token_env for each account.",
            ),
            id="too few items, with the schema's own fix",
        ),
        pytest.param(
            {"api": {"references": {"X-Workspace": "", "assignee id": 3}}},
            (
                'isolation.toml: api.references.X-Workspace must be a resource name like "Agent", or a '
                "resource and its field like \"Account.email\", got ''.",
                "api.references.X-Workspace",
                "",
                'Set api.references.X-Workspace to a resource name like "Agent", or a resource and its field '
                'like "Account.email".',
            ),
            id="the first error in the file",
        ),
        pytest.param(
            {"api": {"references": {"assignee id": 3}}},
            (
                'isolation.toml: api.references."assignee id" must be a resource name like "Agent", or a '
                'resource and its field like "Account.email", got 3.',
                'api.references."assignee id"',
                3,
                'Set api.references."assignee id" to a resource name like "Agent", or a resource and its '
                'field like "Account.email".',
            ),
            id="a key that needs quotes",
        ),
        pytest.param(
            {"hooks": "my-hooks"},
            (
                "isolation.toml: hooks must be a module (package.module) or a Python file (hooks.py), "
                "got 'my-hooks'.",
                "hooks",
                "my-hooks",
                "Set hooks to a module (package.module) or a Python file (hooks.py).",
            ),
            id="hooks",
        ),
    ],
)
def test_schema_errors_say_where_what_and_how_to_fix_it(
    data: dict[str, Any], expected: tuple[str, str | None, object, str | None]
) -> None:
    assert as_data(error_of(data)) == expected


def test_an_unknown_key_is_reported_before_what_it_causes() -> None:
    # The typo also leaves `operation` missing: the typo is the error worth showing.
    error = error_of({"tenants": {"login": {"operaton": "POST /auth/login"}}})

    assert str(error) == (
        "isolation.toml: unknown key 'operaton' in [tenants.login]. Did you mean 'operation'? "
        "Known keys: operation, body, token, token_header, token_cookie, media_type."
    )


def test_the_shallowest_error_is_reported_first() -> None:
    error = error_of({"tenants": {"login": {"operation": "POST/x"}, "count": 1}})

    assert error.setting == "tenants.count"


def test_toml_dates_are_reported_as_they_were_written() -> None:
    error = error_of({"campaign": {"timeout": datetime.date(2024, 5, 27)}})

    assert str(error) == (
        "isolation.toml: campaign.timeout must be a positive number of seconds, got datetime.date(2024, 5, 27)."
    )


# -- rules between keys, kept as code ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            {"tenants": {"accounts": [{"name": "acme", "token_env": "A"}], "signup": LOGIN}},
            (
                "isolation.toml: [tenants] has both static accounts and signup/login. Choose one way to "
                "provision.",
                "tenants.accounts",
                NO_VALUE,
                "Remove [[tenants.accounts]], or remove [tenants.signup] and [tenants.login].",
            ),
            id="accounts and signup",
        ),
        pytest.param(
            {"tenants": {"signup": {"operation": "POST /accounts"}}},
            (
                "isolation.toml: [tenants.signup] is set but [tenants.login] is missing. Add [tenants.login] "
                'with the operation that returns a token (e.g. operation = "POST /auth/login").',
                "tenants.login",
                NO_VALUE,
                'Add [tenants.login] with the operation that returns a token (e.g. operation = "POST /auth/login").',
            ),
            id="signup without login",
        ),
        pytest.param(
            {"tenants": {"signup": {"operation": "POST /signup", "token": "/key", "token_header": "X-Key"}}},
            (
                "isolation.toml: [tenants.signup] sets token, token_header; set exactly one of token "
                "(a JSON pointer), token_header or token_cookie.",
                "tenants.signup",
                {"token": "/key", "token_header": "X-Key"},
                "Set exactly one of token (a JSON pointer), token_header or token_cookie.",
            ),
            id="two token locations",
        ),
        pytest.param(
            {"tenants": {"login": LOGIN, "signup": {"operation": "POST /accounts", "token_cookie": "sid"}}},
            (
                "isolation.toml: [tenants.signup] sets token_cookie, but the token comes from [tenants.login]. "
                "Move token_cookie to [tenants.login], or remove [tenants.login] if signup itself answers "
                "with the credential.",
                "tenants.signup.token_cookie",
                "sid",
                "Move token_cookie to [tenants.login], or remove [tenants.login] if signup itself answers "
                "with the credential.",
            ),
            id="token in signup beside login",
        ),
        pytest.param(
            {"tenants": {"auth": {"cookie": "sid", "query": "key"}}},
            (
                "isolation.toml: [tenants.auth] sets cookie, query; set exactly one of header, cookie or query.",
                "tenants.auth",
                {"cookie": "sid", "query": "key"},
                "Set exactly one of header, cookie or query.",
            ),
            id="two carriers",
        ),
    ],
)
def test_rules_between_keys(
    data: dict[str, Any], expected: tuple[str, str | None, object, str | None]
) -> None:
    assert as_data(error_of(data)) == expected


# -- settings errors name the setting, and each front end spells its option -------------------------


def test_parse_int_error_carries_the_setting_and_is_worded_per_front_end() -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_int("tenants", ResolvedSetting("many", "env"), minimum=2)
    error = info.value

    assert (error.setting, error.value, error.option) == ("tenants", "many", "--isolation-tenants")
    assert error.fix == "Pass e.g. --isolation-tenants=2."
    cli = error.reworded(CLI_OPTIONS)
    assert str(cli) == "--tenants='many' (from env) is not a whole number. Pass e.g. --tenants=2."
    assert cli.fix == "Pass e.g. --tenants=2."
    assert (cli.setting, cli.value, type(cli)) == ("tenants", "many", ConfigurationError)
    # The original keeps pytest's words.
    assert str(error) == (
        "--isolation-tenants='many' (from env) is not a whole number. Pass e.g. --isolation-tenants=2."
    )


def test_parse_int_minimum_error_as_data() -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_int("tenants", ResolvedSetting("1", "option"), minimum=2)

    assert as_data(info.value) == (
        "--isolation-tenants=1 (from option) must be at least 2: a campaign needs one tenant to attack and "
        "another to be attacked.",
        "tenants",
        1,
        "Pass --isolation-tenants=2 or more.",
    )
    assert str(info.value.reworded(lambda name: "--" + name)) == (
        "--tenants=1 (from option) must be at least 2: a campaign needs one tenant to attack and another to "
        "be attacked."
    )


def test_parse_switch_error_as_data_and_reworded() -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_switch("campaign", ResolvedSetting("maybe", "pyproject.toml"))

    assert as_data(info.value) == (
        "--isolation-campaign='maybe' (from pyproject.toml) must be 'on' or 'off'.",
        "campaign",
        "maybe",
        "Pass --isolation-campaign=on or --isolation-campaign=off.",
    )
    assert as_data(info.value.reworded(CLI_OPTIONS)) == (
        "--campaign='maybe' (from pyproject.toml) must be 'on' or 'off'.",
        "campaign",
        "maybe",
        "Pass --campaign=on or --campaign=off.",
    )


def test_resolve_settings_rejects_a_pyproject_value_that_is_not_one_value() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve({}, {}, {"seed": [1, 2]})

    assert as_data(info.value.reworded(CLI_OPTIONS)) == (
        "seed in [tool.isolation_harness] must be a string or a number, as --seed takes, got [1, 2].",
        "seed",
        [1, 2],
        "Set seed to the value you would pass to --seed.",
    )


def test_missing_config_file_names_the_option_of_each_front_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigurationError) as info:
        load_config("isolation.tml")

    assert (info.value.setting, info.value.value) == ("config", "isolation.tml")
    assert str(info.value.reworded(CLI_OPTIONS)) == (
        f"Isolation config file not found: 'isolation.tml' (resolved to {tmp_path / 'isolation.tml'}). "
        "Check --config (or ISOLATION_CONFIG), or see the README for the file's format."
    )


# -- ConfigurationError itself ----------------------------------------------------------------------


def test_a_plain_error_is_as_before() -> None:
    error = SchemaLoadError("The API description declares no operations.")

    assert str(error) == error.message == "The API description declares no operations."
    assert (error.setting, error.value, error.fix, error.option) == (None, NO_VALUE, None, None)
    assert error.reworded(CLI_OPTIONS) is error
    assert repr(NO_VALUE) == "NO_VALUE"


def test_rewording_keeps_a_setting_the_front_end_does_not_name() -> None:
    error = ConfigurationError(
        lambda option: f"{option} is wrong.", setting="schema", option="--isolation-schema"
    )

    assert error.reworded(CLI_OPTIONS) is error
    assert str(error.reworded({"schema": "--schema"})) == "--schema is wrong."
    assert error.reworded({"schema": "--schema"}).args == ("--schema is wrong.",)


def test_a_message_naming_an_option_needs_its_spelling() -> None:
    with pytest.raises(TypeError):
        ConfigurationError(lambda option: f"{option} is wrong.", setting="schema")


def test_errors_pickle_with_the_words_they_have() -> None:
    error = ConfigurationError("bad", setting="tenants.count", value=1, fix="Set it to 2.")
    with pytest.raises(ConfigurationError) as info:
        parse_switch("campaign", ResolvedSetting("maybe", "env"))
    cli = info.value.reworded(CLI_OPTIONS)

    assert as_data(pickle.loads(pickle.dumps(error))) == ("bad", "tenants.count", 1, "Set it to 2.")
    assert as_data(pickle.loads(pickle.dumps(cli))) == as_data(cli)
    assert type(pickle.loads(pickle.dumps(SchemaLoadError("no paths")))) is SchemaLoadError
