"""Unit tests for the isolation config file: what it reads, and exact, actionable errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from isolation_harness.config import HarnessConfig, load_config, parse_config
from isolation_harness.errors import ConfigurationError
from isolation_harness.model import SharingRule
from isolation_harness.provisioning import (
    DeclarativeProvisioner,
    OperationCall,
    StaticAccount,
    StaticProvisioner,
    TokenSource,
)
from isolation_harness.tenants import AuthScheme

WHERE = Path("isolation.toml")
LOGIN = {"operation": "POST /auth/login", "body": {"email": "{email}"}}


def config_error(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigurationError) as info:
        parse_config(data, path=WHERE)
    return str(info.value)


# -- load_config ------------------------------------------------------------------------------------


def test_load_config_none_gives_defaults() -> None:
    assert load_config(None) == HarnessConfig()


def test_load_config_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    with pytest.raises(ConfigurationError) as info:
        load_config("conf/isolation.toml")

    assert str(info.value) == (
        f"Isolation config file not found: 'conf/isolation.toml' (resolved to {tmp_path / 'conf/isolation.toml'}). "
        "Check --isolation-config (or ISOLATION_CONFIG), or see the README for the file's format."
    )


def test_load_config_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "isolation.toml"
    path.write_text("[tenants]\ncount = \n")

    with pytest.raises(ConfigurationError) as info:
        load_config(path)

    assert re.fullmatch(
        rf"{re.escape(str(path))}: not valid TOML: Invalid value \(at line 2, column 9\)\. Fix the syntax at that position\.",
        str(info.value),
    ), str(info.value)


def test_load_config_declarative(tmp_path: Path) -> None:
    path = tmp_path / "isolation.toml"
    path.write_text(
        """
[api]
openapi_path = "/api/openapi.json"
exclude = ["delete /accounts/{id}", "GET  /health"]

[tenants]
count = 3

[tenants.signup]
operation = "POST /accounts"
body = { company_name = "{company}", email = "{email}", password = "{password}" }

[tenants.login]
operation = " POST /auth/login "
body = { email = "{email}", password = "{password}" }
token = "/data/access_token"

[tenants.teardown]
operation = "DELETE /me"

[tenants.auth]
header = "Authorization"
prefix = "Token "

[campaign]
fail_on = "suspected"
timeout = 2
"""
    )

    config = load_config(path)

    assert config == HarnessConfig(
        path=path,
        provisioner=DeclarativeProvisioner(
            login=OperationCall("POST /auth/login", {"email": "{email}", "password": "{password}"}),
            signup=OperationCall(
                "POST /accounts", {"company_name": "{company}", "email": "{email}", "password": "{password}"}
            ),
            token=TokenSource(json_pointer="/data/access_token"),
            auth=AuthScheme(header="Authorization", prefix="Token "),
            teardown_call=OperationCall("DELETE /me"),
        ),
        auth=AuthScheme(header="Authorization", prefix="Token "),
        tenant_count=3,
        openapi_path="/api/openapi.json",
        exclude=("DELETE /accounts/{id}", "GET /health"),
        fail_on_suspected=True,
        timeout=2.0,
    )
    assert isinstance(config.timeout, float)


def test_load_config_static_accounts(tmp_path: Path) -> None:
    path = tmp_path / "isolation.toml"
    path.write_text(
        """
[[tenants.accounts]]
name = "acme"
token_env = "ACME_TOKEN"

[[tenants.accounts]]
name = "globex"
token_env = "GLOBEX_TOKEN"

[tenants.auth]
cookie = "sid"
"""
    )
    environ = {"ACME_TOKEN": "a-token", "GLOBEX_TOKEN": "g-token"}

    config = load_config(path, environ=environ)

    auth = AuthScheme(header=None, prefix="", cookie="sid")
    assert config.provisioner == StaticProvisioner(
        accounts=(StaticAccount("acme", "ACME_TOKEN"), StaticAccount("globex", "GLOBEX_TOKEN")),
        auth=auth,
        environ=environ,
    )
    assert config.tenant_names == ("acme", "globex")
    assert config.tenant_count == 2
    assert config.auth == auth


@pytest.mark.parametrize(
    ("tenants", "token"),
    [
        ({"login": {**LOGIN, "token_header": "X-Auth"}}, TokenSource(json_pointer=None, header="X-Auth")),
        ({"login": {**LOGIN, "token_cookie": "sid"}}, TokenSource(json_pointer=None, cookie="sid")),
        ({"login": LOGIN}, TokenSource(json_pointer="/access_token")),
    ],
)
def test_token_location(tenants: dict[str, Any], token: TokenSource) -> None:
    provisioner = parse_config({"tenants": tenants}).provisioner

    assert isinstance(provisioner, DeclarativeProvisioner)
    assert provisioner.token == token
    assert provisioner.signup is None


@pytest.mark.parametrize(
    ("auth", "scheme"),
    [
        ({}, AuthScheme(header="Authorization", prefix="Bearer ")),
        ({"query": "api_key"}, AuthScheme(header=None, prefix="", query="api_key")),
        ({"cookie": "sid"}, AuthScheme(header=None, prefix="", cookie="sid")),
        ({"header": "X-Api-Key", "prefix": ""}, AuthScheme(header="X-Api-Key", prefix="")),
    ],
)
def test_auth_scheme(auth: dict[str, Any], scheme: AuthScheme) -> None:
    assert parse_config({"tenants": {"auth": auth}}).auth == scheme


def test_custom_auth_header_has_no_bearer_prefix_by_default() -> None:
    assert parse_config({"tenants": {"auth": {"header": "X-Api-Key"}}}).auth.credentials("k").headers == {
        "X-Api-Key": "k"
    }


def test_empty_config_has_no_provisioner() -> None:
    assert parse_config({}) == HarnessConfig()


# -- parse_config: every error, exactly -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"tenant": {}},
            "isolation.toml: unknown key 'tenant' in the top level. Did you mean 'tenants'? "
            "Known keys: api, tenants, campaign, allow, hooks.",
        ),
        (
            {"tenants": {"logn": {}}},
            "isolation.toml: unknown key 'logn' in [tenants]. Did you mean 'login'? "
            "Known keys: count, signup, login, teardown, auth, accounts.",
        ),
        (
            {"api": {"openapi": "/openapi.json"}},
            "isolation.toml: unknown key 'openapi' in [api]. Did you mean 'openapi_path'? "
            "Known keys: openapi_path, exclude, references, shares.",
        ),
        (
            {"campaign": {"zzz": 1}},
            "isolation.toml: unknown key 'zzz' in [campaign]. Known keys: fail_on, timeout, retries, backoff.",
        ),
        ({"campaign": []}, "isolation.toml: [campaign] must be a table, got []."),
        (
            {"tenants": {"login": "POST /x"}},
            "isolation.toml: [tenants.login] must be a table, got 'POST /x'.",
        ),
        (
            {"tenants": {"login": {"operation": "POST/auth/login"}}},
            "isolation.toml: tenants.login.operation must be 'METHOD /path' (e.g. \"POST /auth/login\"), "
            "got 'POST/auth/login'.",
        ),
        (
            {"tenants": {"login": {"body": {}}}},
            "isolation.toml: tenants.login.operation is missing; it must be 'METHOD /path' "
            '(e.g. "POST /auth/login").',
        ),
        (
            {"tenants": {"login": {**LOGIN, "tokne": "/a"}}},
            "isolation.toml: unknown key 'tokne' in [tenants.login]. Did you mean 'token'? "
            "Known keys: operation, body, token, token_header, token_cookie, media_type.",
        ),
        (
            {"tenants": {"login": {**LOGIN, "token": "access_token"}}},
            "isolation.toml: tenants.login.token must be a JSON pointer starting with '/' "
            "(e.g. \"/access_token\"), got 'access_token'.",
        ),
        (
            {"tenants": {"login": {**LOGIN, "token": "/a", "token_cookie": "sid"}}},
            "isolation.toml: [tenants.login] sets token, token_cookie; set exactly one of token "
            "(a JSON pointer), token_header or token_cookie.",
        ),
        (
            {"tenants": {"signup": {"operation": "POST /accounts"}}},
            "isolation.toml: [tenants.signup] is set but [tenants.login] is missing. Add [tenants.login] "
            'with the operation that returns a token (e.g. operation = "POST /auth/login").',
        ),
        (
            {"tenants": {"login": LOGIN, "signup": {"operation": "POST /accounts", "token": "/x"}}},
            "isolation.toml: [tenants.signup] sets token, but the token comes from [tenants.login]. "
            "Move token to [tenants.login], or remove [tenants.login] if signup itself answers with the "
            "credential.",
        ),
        (
            {"tenants": {"login": LOGIN, "teardown": {"operation": "DELETE"}}},
            "isolation.toml: tenants.teardown.operation must be 'METHOD /path' (e.g. \"POST /auth/login\"), "
            "got 'DELETE'.",
        ),
        (
            {"tenants": {"count": 1}},
            "isolation.toml: tenants.count must be a whole number of at least 2, got 1.",
        ),
        (
            {"tenants": {"count": True}},
            "isolation.toml: tenants.count must be a whole number of at least 2, got True.",
        ),
        (
            {"tenants": {"count": "3"}},
            "isolation.toml: tenants.count must be a whole number of at least 2, got '3'.",
        ),
        (
            {"tenants": {"accounts": []}},
            "isolation.toml: tenants.accounts must be a non-empty array of tables, got []. "
            "Write [[tenants.accounts]] with name and token_env for each account.",
        ),
        (
            {"tenants": {"accounts": ["acme"]}},
            "isolation.toml: tenants.accounts[0] must be a table, got 'acme'.",
        ),
        (
            {"tenants": {"accounts": [{"name": "acme", "token_env": "A"}, {"name": "globex"}]}},
            "isolation.toml: tenants.accounts[1].token_env is missing; it must be the name of an "
            'environment variable, like "ACME_TOKEN".',
        ),
        (
            {"tenants": {"accounts": [{"name": "", "token_env": "A"}]}},
            "isolation.toml: tenants.accounts[0].name must be a non-empty string, got ''.",
        ),
        (
            {"tenants": {"accounts": [{"name": "acme", "token_env": "A", "tokenenv": "B"}]}},
            "isolation.toml: unknown key 'tokenenv' in [tenants.accounts[0]]. Did you mean 'token_env'? "
            "Known keys: name, token_env.",
        ),
        (
            {"tenants": {"accounts": [{"name": "acme", "token_env": "A"}], "login": LOGIN}},
            "isolation.toml: [tenants] has both static accounts and signup/login. Choose one way to provision.",
        ),
        (
            {"tenants": {"auth": {"header": "Authorization", "cookie": "sid"}}},
            "isolation.toml: [tenants.auth] sets header, cookie; set exactly one of header, cookie or query.",
        ),
        (
            {"tenants": {"auth": {"header": 1}}},
            "isolation.toml: tenants.auth.header must be a header name, got 1.",
        ),
        (
            {"tenants": {"auth": {"heder": "X-Token"}}},
            "isolation.toml: unknown key 'heder' in [tenants.auth]. Did you mean 'header'? "
            "Known keys: header, prefix, cookie, query.",
        ),
        ({"tenants": {"auth": "Bearer"}}, "isolation.toml: [tenants.auth] must be a table, got 'Bearer'."),
        (
            {"api": {"exclude": "GET /x"}},
            'isolation.toml: api.exclude must be a list of operation labels like "DELETE /accounts/{id}", '
            "got 'GET /x'.",
        ),
        (
            {"api": {"exclude": ["GET /x", 3]}},
            'isolation.toml: api.exclude[1] must be an operation label like "DELETE /accounts/{id}", got 3.',
        ),
        (
            {"api": {"openapi_path": "openapi.json"}},
            "isolation.toml: api.openapi_path must be a path starting with '/', got 'openapi.json'.",
        ),
        (
            {"campaign": {"fail_on": "all"}},
            'isolation.toml: campaign.fail_on must be "confirmed" or "suspected", got \'all\'.',
        ),
        (
            {"campaign": {"timeout": 0}},
            "isolation.toml: campaign.timeout must be a positive number of seconds, got 0.",
        ),
        (
            {"campaign": {"timeout": "10"}},
            "isolation.toml: campaign.timeout must be a positive number of seconds, got '10'.",
        ),
        (
            {"campaign": {"timeout": True}},
            "isolation.toml: campaign.timeout must be a positive number of seconds, got True.",
        ),
    ],
)
def test_parse_config_errors(data: dict[str, Any], message: str) -> None:
    assert config_error(data) == message


def test_parse_config_without_a_path_names_the_isolation_config() -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_config({"tenants": {"count": 0}})

    assert str(info.value) == "isolation config: tenants.count must be a whole number of at least 2, got 0."


def test_signup_that_answers_with_the_credential_needs_no_login() -> None:
    config = parse_config(
        {
            "tenants": {
                "signup": {"operation": "POST /signup", "body": {"email": "{email}"}, "token": "/apiKey"},
                "auth": {"query": "api_key"},
            }
        }
    )
    provisioner = config.provisioner
    assert isinstance(provisioner, DeclarativeProvisioner)
    assert provisioner.signup is None
    assert provisioner.login.operation == "POST /signup"
    assert provisioner.token.json_pointer == "/apiKey"


def test_references_must_map_names_to_names() -> None:
    assert config_error({"api": {"references": {"assignee_id": 3}}}) == (
        'isolation.toml: api.references.assignee_id must be a resource name like "Agent", or a resource '
        'and its field like "Account.email", got 3.'
    )
    assert config_error({"api": {"references": ["assignee_id"]}}) == (
        "isolation.toml: api.references must be a table mapping field names to resource names, e.g. "
        "references = { assignee_id = \"Agent\" }, got ['assignee_id']."
    )
    assert parse_config({"api": {"references": {"assignee_id": "Agent"}}}).references == {
        "assignee_id": "Agent"
    }


# -- api.shares ------------------------------------------------------------------------------------


def test_shares_are_read_with_their_templates() -> None:
    config = parse_config(
        {
            "api": {
                "shares": [
                    {"operation": "post /orders/{id}/shares", "body": {"account_email": "{email}"}},
                    {"operation": "PUT /docs/{id}/members", "query": {"user": "{username}"}},
                ]
            }
        }
    )
    assert config.shares == (
        SharingRule(operation="POST /orders/{id}/shares", body={"account_email": "{email}"}),
        SharingRule(operation="PUT /docs/{id}/members", query={"user": "{username}"}),
    )


def test_shares_must_be_a_list_of_tables() -> None:
    with pytest.raises(ConfigurationError) as info:
        parse_config({"api": {"shares": {"operation": "POST /orders/{id}/shares"}}})
    assert str(info.value) == (
        "isolation config: api.shares must be a list of tables, one per sharing operation, got "
        "{'operation': 'POST /orders/{id}/shares'}. Write each as:\n"
        '[[api.shares]]\noperation = "POST /orders/{order_id}/shares"\nbody = { account_email = "{email}" }'
    )


def test_a_share_needs_an_operation_label_and_known_keys() -> None:
    assert config_error({"api": {"shares": [{"body": {"email": "{email}"}}]}}) == (
        "isolation.toml: api.shares[0].operation is missing; it must be 'METHOD /path' "
        '(e.g. "POST /auth/login").'
    )
    assert config_error({"api": {"shares": [{"operation": "POST /x/{id}", "bdy": {}}]}}) == (
        "isolation.toml: unknown key 'bdy' in [api.shares[0]]. Did you mean 'body'? "
        "Known keys: operation, body, query."
    )
    assert config_error({"api": {"shares": ["POST /x/{id}"]}}) == (
        "isolation.toml: api.shares[0] must be a table, got 'POST /x/{id}'. Write it as:\n"
        '[[api.shares]]\noperation = "POST /orders/{order_id}/shares"\nbody = { account_email = "{email}" }'
    )
