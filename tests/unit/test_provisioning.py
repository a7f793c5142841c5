"""Unit tests for provisioning: templates, token extraction, and the three provisioners."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import schemathesis
from flask import Flask, jsonify, request
from requests.structures import CaseInsensitiveDict

from isolation_harness.errors import ConfigurationError, ProvisioningError
from isolation_harness.openapi.model import build_model
from isolation_harness.operations import ApiModel
from isolation_harness.provisioning import (
    CallableProvisioner,
    DeclarativeProvisioner,
    OperationCall,
    ProvisionContext,
    StaticAccount,
    StaticProvisioner,
    TokenSource,
    render_template,
)
from isolation_harness.redaction import REDACTED, Redactor
from isolation_harness.tenants import AuthScheme, Credentials, Tenant
from isolation_harness.transport import HTTPTransport, WSGITransport

SETTING = "tenants.signup.body"


def offline_tenant(name: str = "tenant-a", seed: int = 0) -> Tenant:
    return Tenant(name=name, seed=seed, client=HTTPTransport("http://unused.invalid").session())


def make_response(
    body: bytes, *, status: int = 200, headers: dict[str, str] | None = None
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers = CaseInsensitiveDict(headers or {"Content-Type": "application/json"})
    response.encoding = "utf-8"
    return response


# -- render_template --------------------------------------------------------------------------------


def test_render_template_fills_identity_placeholders_at_any_depth() -> None:
    tenant = offline_tenant()
    template = {
        "company_name": "{company}",
        "owner": {"email": "{email}", "names": ["{first_name} {last_name}", "{name}"]},
        "password": "{password}",
        "note": "made by {tenant} ({canary})",
        "seats": 5,
        "active": True,
        "nothing": None,
    }

    rendered = render_template(template, tenant, setting=SETTING)

    identity = tenant.identity
    assert rendered == {
        "company_name": identity.company,
        "owner": {
            "email": identity.email,
            "names": [f"{identity.first_name} {identity.last_name}", identity.name],
        },
        "password": identity.password,
        "note": f"made by tenant-a ({tenant.canary})",
        "seats": 5,
        "active": True,
        "nothing": None,
    }
    assert tenant.canary in rendered["company_name"]
    assert tenant.canary in rendered["owner"]["email"]


def test_render_template_leaves_text_without_placeholders_alone() -> None:
    tenant = offline_tenant()

    assert render_template("{} {1} {not closed", tenant, setting=SETTING) == "{} {1} {not closed"


def test_render_template_faker_provider_is_deterministic_per_tenant() -> None:
    template = {"username": "{fake.user_name}", "city": "{fake.city}"}

    first = render_template(template, offline_tenant("tenant-a", seed=3), setting=SETTING)
    again = render_template(template, offline_tenant("tenant-a", seed=3), setting=SETTING)
    other = render_template(template, offline_tenant("tenant-b", seed=3), setting=SETTING)

    assert first == again
    assert first != other
    assert all(isinstance(value, str) and value for value in first.values())


def test_render_template_unknown_placeholder_names_the_setting_and_fix() -> None:
    with pytest.raises(ConfigurationError) as info:
        render_template({"email": "{emial}"}, offline_tenant(), setting=SETTING)

    assert str(info.value) == (
        "tenants.signup.body.email: unknown placeholder {emial} in '{emial}'. Did you mean 'email'? "
        "Known placeholders: {canary}, {city}, {company}, {country}, {email}, {first_name}, {last_name}, "
        "{name}, {password}, {phone}, {postcode}, {street}, {tenant}, {username}, and {fake.<provider>}."
    )


def test_render_template_unknown_faker_provider() -> None:
    with pytest.raises(ConfigurationError) as info:
        render_template({"user": {"login": "x-{fake.usr_name}"}}, offline_tenant(), setting=SETTING)

    assert str(info.value) == (
        "tenants.signup.body.user.login: {fake.usr_name} names no Faker provider. Did you mean 'user_name'? "
        "See https://faker.readthedocs.io/en/master/providers.html for the providers."
    )


@pytest.mark.parametrize("placeholder", ["{fake.random}", "{fake.format}"])
def test_render_template_non_provider_faker_attribute_is_a_configuration_error(placeholder: str) -> None:
    with pytest.raises(ConfigurationError):
        render_template(placeholder, offline_tenant(), setting=SETTING)


# -- TokenSource.extract ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pointer", "body", "token"),
    [
        ("/access_token", {"access_token": "tok-1"}, "tok-1"),
        ("/data/auth/token", {"data": {"auth": {"token": "tok-2"}}}, "tok-2"),
        ("/tokens/1", {"tokens": ["a", "tok-3"]}, "tok-3"),
        ("/a~1b/c~0d", {"a/b": {"c~d": "tok-4"}}, "tok-4"),
        ("/id", {"id": 12345}, "12345"),
        ("", "whole-body-token", "whole-body-token"),
    ],
)
def test_token_from_json_pointer(pointer: str, body: Any, token: str) -> None:
    source = TokenSource(json_pointer=pointer)

    assert source.extract(make_response(json.dumps(body).encode())) == token


@pytest.mark.parametrize(
    ("pointer", "body"),
    [
        ("/access_token", b'{"token": "x"}'),
        ("/access_token", b'{"access_token": ""}'),
        ("/access_token", b'{"access_token": {"value": "x"}}'),
        ("/access_token", b'{"access_token": null}'),
        ("/tokens/5", b'{"tokens": ["a"]}'),
        ("/tokens/x", b'{"tokens": ["a"]}'),
        ("/access_token", b"<html>login ok</html>"),
        ("/access_token", b""),
    ],
)
def test_token_from_json_pointer_absent(pointer: str, body: bytes) -> None:
    assert TokenSource(json_pointer=pointer).extract(make_response(body)) is None


@pytest.mark.parametrize(
    ("value", "token"),
    [
        ("Bearer tok-5", "tok-5"),
        ("bearer tok-6", "tok-6"),
        ("tok-7", "tok-7"),
        ("Token tok-8", "Token tok-8"),
    ],
)
def test_token_from_header(value: str, token: str) -> None:
    response = make_response(b"{}", headers={"x-auth-token": value})

    assert TokenSource(json_pointer=None, header="X-Auth-Token").extract(response) == token


def test_token_from_header_absent() -> None:
    response = make_response(b'{"access_token": "not this"}')

    assert TokenSource(json_pointer=None, header="X-Auth-Token").extract(response) is None


def test_token_from_cookie_set_by_a_real_app() -> None:
    app = Flask(__name__)

    @app.post("/login")
    def login() -> Any:
        response = jsonify(ok=True)
        response.set_cookie("sid", "cookie-token", httponly=True)
        response.set_cookie("theme", "dark")
        return response

    response = WSGITransport(app).session().post("/login")

    assert TokenSource(json_pointer=None, cookie="sid").extract(response) == "cookie-token"
    assert TokenSource(json_pointer=None, cookie="missing").extract(response) is None


def test_token_source_describe() -> None:
    assert TokenSource().describe() == "JSON pointer '/access_token'"
    assert TokenSource(json_pointer=None, header="X-Token").describe() == "header 'X-Token'"
    assert TokenSource(json_pointer=None, cookie="sid").describe() == "cookie 'sid'"


# -- DeclarativeProvisioner against a tiny real app -------------------------------------------------

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Tiny", "version": "1"},
    "paths": {
        "/accounts": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"201": {"description": "created"}},
            }
        },
        "/auth/login": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/auth/session": {"post": {"responses": {"204": {"description": "ok"}}}},
        "/orders/{order_id}": {
            "get": {
                "parameters": [
                    {"name": "order_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/me": {"delete": {"responses": {"204": {"description": "gone"}}}},
    },
}


@pytest.fixture(scope="module")
def api_model() -> ApiModel:
    return build_model(schemathesis.openapi.from_dict(OPENAPI))


class TinyApi:
    """Signup, login (token in JSON, a header or a cookie), and a teardown that records its calls."""

    def __init__(self) -> None:
        self.accounts: dict[str, str] = {}
        self.deleted: list[str] = []
        self.app = Flask(__name__)
        app = self.app

        @app.post("/accounts")
        def signup() -> Any:
            body = request.get_json()
            if len(body["password"]) < 25:
                return jsonify(error=f"password {body['password']} is too short"), 422
            self.accounts[body["email"]] = body["password"]
            return jsonify(email=body["email"]), 201

        @app.post("/auth/login")
        def login() -> Any:
            body = request.get_json()
            if self.accounts.get(body["email"]) != body["password"]:
                return jsonify(error="bad credentials"), 401
            token = "tok-" + body["email"].split("@")[0]
            response = jsonify(access_token=token, where=request.args.get("where"))
            response.headers["X-Session"] = f"Bearer {token}"
            response.set_cookie("sid", token)
            return response

        @app.post("/auth/session")
        def session() -> Any:
            return "", 204

        @app.delete("/me")
        def delete_me() -> Any:
            self.deleted.append(request.headers.get("Authorization", "-"))
            return "", 204


def context(api: TinyApi, model: ApiModel) -> ProvisionContext:
    return ProvisionContext(api=model, transport=WSGITransport(api.app), redactor=Redactor())


def tenant_for(ctx: ProvisionContext, name: str = "tenant-a") -> Tenant:
    return Tenant(name=name, seed=0, client=ctx.transport.session())


SIGNUP = OperationCall("POST /accounts", {"email": "{email}", "password": "{password}{password}"})
LOGIN = OperationCall("post  /auth/login", {"email": "{email}", "password": "{password}{password}"})


def test_declarative_signup_and_login_with_json_token(api_model: ApiModel) -> None:
    api = TinyApi()
    ctx = context(api, api_model)
    tenant = tenant_for(ctx)
    provisioner = DeclarativeProvisioner(login=LOGIN, signup=SIGNUP)

    credentials = provisioner.provision(tenant, ctx)

    token = "tok-" + tenant.canary
    assert credentials == Credentials(headers={"Authorization": f"Bearer {token}"}, token=token)
    assert api.accounts == {tenant.identity.email: tenant.identity.password * 2}
    # The token and the password are secrets from now on.
    assert ctx.redactor(f"{token} {tenant.identity.password * 2}") == f"{REDACTED} {REDACTED}"
    assert provisioner.used_operations == ["POST /accounts", "POST /auth/login"]


@pytest.mark.parametrize(
    "token",
    [TokenSource(json_pointer=None, header="X-Session"), TokenSource(json_pointer=None, cookie="sid")],
)
def test_declarative_login_token_from_header_or_cookie(api_model: ApiModel, token: TokenSource) -> None:
    api = TinyApi()
    ctx = context(api, api_model)
    tenant = tenant_for(ctx)

    credentials = DeclarativeProvisioner(
        login=LOGIN, signup=SIGNUP, token=token, auth=AuthScheme(header=None, prefix="", cookie="sid")
    ).provision(tenant, ctx)

    assert credentials == Credentials(cookies={"sid": "tok-" + tenant.canary}, token="tok-" + tenant.canary)


def test_declarative_signup_failure_is_reported_with_secrets_redacted(api_model: ApiModel) -> None:
    api = TinyApi()
    ctx = context(api, api_model)
    tenant = tenant_for(ctx)
    signup = OperationCall("POST /accounts", {"email": "{email}", "password": "{password}"})

    with pytest.raises(ProvisioningError) as info:
        DeclarativeProvisioner(login=LOGIN, signup=signup).provision(tenant, ctx)

    message = str(info.value)
    assert tenant.identity.password not in message
    assert message == (
        "Signing up tenant 'tenant-a' with POST /accounts failed: HTTP 422 "
        '\'{"error":"password [REDACTED] is too short"}\\n\'. Check [tenants.signup] in the isolation '
        "config: the body template must be a valid signup request for this API."
    )


def test_declarative_login_failure(api_model: ApiModel) -> None:
    ctx = context(TinyApi(), api_model)

    with pytest.raises(ProvisioningError) as info:
        DeclarativeProvisioner(login=LOGIN).provision(tenant_for(ctx), ctx)

    assert str(info.value) == (
        "Logging in tenant 'tenant-a' with post  /auth/login failed: HTTP 401 "
        '\'{"error":"bad credentials"}\\n\'. Check [tenants.login] in the isolation config.'
    )


def test_declarative_login_without_token(api_model: ApiModel) -> None:
    ctx = context(TinyApi(), api_model)
    login = OperationCall("POST /auth/session")

    with pytest.raises(ProvisioningError) as info:
        DeclarativeProvisioner(login=login).provision(tenant_for(ctx), ctx)

    assert str(info.value) == (
        "The login response of POST /auth/session for tenant 'tenant-a' has no token at JSON pointer "
        "'/access_token' (HTTP 204, headers: ['Content-Type'], body: not JSON). Set `token` (JSON pointer), `token_header` "
        "or `token_cookie` in [tenants.login]."
    )


def test_declarative_unknown_operation_suggests_the_closest(api_model: ApiModel) -> None:
    ctx = context(TinyApi(), api_model)
    login = OperationCall("POST /auth/logon", {"email": "{email}"})

    with pytest.raises(ConfigurationError) as info:
        DeclarativeProvisioner(login=login).provision(tenant_for(ctx), ctx)

    assert str(info.value) == (
        "tenants.login.operation = 'POST /auth/logon' names no operation of the API. Did you mean "
        "'POST /auth/login'? Write it as 'METHOD /path' exactly as the API description spells the path."
    )


def test_declarative_operation_with_path_parameters_is_refused(api_model: ApiModel) -> None:
    ctx = context(TinyApi(), api_model)

    with pytest.raises(ConfigurationError) as info:
        DeclarativeProvisioner(login=OperationCall("GET /orders/{order_id}")).provision(tenant_for(ctx), ctx)

    assert str(info.value) == (
        "tenants.login.operation = 'GET /orders/{order_id}' has path parameters (order_id); "
        "signup and login must be operations without path parameters."
    )


def test_declarative_teardown_calls_the_operation_with_the_tenant_client(api_model: ApiModel) -> None:
    api = TinyApi()
    ctx = context(api, api_model)
    tenant = tenant_for(ctx)
    provisioner = DeclarativeProvisioner(
        login=LOGIN, signup=SIGNUP, teardown_call=OperationCall("DELETE /me")
    )
    tenant.apply(provisioner.provision(tenant, ctx))

    provisioner.teardown(tenant, ctx)

    assert api.deleted == [f"Bearer tok-{tenant.canary}"]
    assert provisioner.used_operations == ["POST /accounts", "POST /auth/login", "DELETE /me"]


def test_declarative_unreachable_api_is_a_provisioning_error(api_model: ApiModel) -> None:
    ctx = ProvisionContext(
        api=api_model, transport=HTTPTransport("http://127.0.0.1:9"), redactor=Redactor(), timeout=2
    )

    with pytest.raises(ProvisioningError) as info:
        DeclarativeProvisioner(login=OperationCall("POST /auth/login")).provision(tenant_for(ctx), ctx)
    assert str(info.value) == (
        "Calling POST /auth/login for tenant 'tenant-a' at http://127.0.0.1:9 failed: the connection was "
        "refused (nothing listens there). Check that the API runs there."
    )


# -- StaticProvisioner ------------------------------------------------------------------------------

ACCOUNTS = (StaticAccount("acme", "ACME_TOKEN"), StaticAccount("globex", "GLOBEX_TOKEN"))


def test_static_provisioner_reads_tokens_from_the_environment(api_model: ApiModel) -> None:
    ctx = context(TinyApi(), api_model)
    provisioner = StaticProvisioner(
        accounts=ACCOUNTS,
        auth=AuthScheme(header=None, prefix="", query="api_key"),
        environ={"ACME_TOKEN": "acme-secret", "GLOBEX_TOKEN": "globex-secret"},
    )

    credentials = provisioner.provision(tenant_for(ctx, "globex"), ctx)

    assert credentials == Credentials(query={"api_key": "globex-secret"}, token="globex-secret")
    assert ctx.redactor("globex-secret") == REDACTED
    assert provisioner.used_operations == ()


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"ACME_TOKEN": "x"},
            "Static tenant accounts need their tokens in the environment, but GLOBEX_TOKEN is not set. "
            "Export each variable named by `token_env` in [[tenants.accounts]] before running.",
        ),
        (
            {"ACME_TOKEN": ""},
            "Static tenant accounts need their tokens in the environment, but ACME_TOKEN, GLOBEX_TOKEN are "
            "not set. Export each variable named by `token_env` in [[tenants.accounts]] before running.",
        ),
    ],
)
def test_static_provisioner_names_every_missing_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        StaticProvisioner(accounts=ACCOUNTS, environ=environ).check()

    assert str(info.value) == message


def test_static_provisioner_unknown_tenant(api_model: ApiModel) -> None:
    ctx = context(TinyApi(), api_model)
    provisioner = StaticProvisioner(accounts=ACCOUNTS, environ={"ACME_TOKEN": "a", "GLOBEX_TOKEN": "g"})

    with pytest.raises(ConfigurationError) as info:
        provisioner.provision(tenant_for(ctx, "tenant-c"), ctx)

    assert str(info.value) == (
        "No static account is configured for tenant 'tenant-c'; configured: ['acme', 'globex']. "
        "Add a [[tenants.accounts]] entry or lower the tenant count."
    )


# -- CallableProvisioner ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ("plain-token", Credentials(headers={"Authorization": "Bearer plain-token"}, token="plain-token")),
        ({"X-Api-Key": "mapped-key"}, Credentials(headers={"X-Api-Key": "mapped-key"})),
        (Credentials(cookies={"sid": "cookie-val"}), Credentials(cookies={"sid": "cookie-val"})),
    ],
)
def test_callable_provisioner_accepts_token_mapping_or_credentials(
    api_model: ApiModel, result: Any, expected: Credentials
) -> None:
    ctx = context(TinyApi(), api_model)
    seen: list[str] = []

    def provision(tenant: Tenant, context: ProvisionContext) -> Any:
        seen.append(tenant.name)
        return result

    credentials = CallableProvisioner(provision, operations=("POST /accounts",)).provision(
        tenant_for(ctx), ctx
    )

    assert credentials == expected
    assert seen == ["tenant-a"]
    for secret in expected.secrets():
        assert ctx.redactor(secret) == REDACTED


def test_callable_provisioner_rejects_other_results(api_model: ApiModel) -> None:
    ctx = context(TinyApi(), api_model)

    with pytest.raises(ConfigurationError) as info:
        CallableProvisioner(lambda tenant, context: 42).provision(tenant_for(ctx), ctx)  # type: ignore[arg-type,return-value]

    assert str(info.value) == (
        "The provisioning hook returned 42 for tenant 'tenant-a'; return Credentials, a token string, "
        "or a mapping of headers."
    )


def test_callable_provisioner_teardown(api_model: ApiModel) -> None:
    ctx = context(TinyApi(), api_model)
    torn_down: list[str] = []
    provisioner = CallableProvisioner(
        lambda tenant, context: "t0ken",
        teardown_function=lambda tenant, context: torn_down.append(tenant.name),
    )

    provisioner.teardown(tenant_for(ctx), ctx)
    CallableProvisioner(lambda tenant, context: "t0ken").teardown(tenant_for(ctx), ctx)

    assert torn_down == ["tenant-a"]
    assert provisioner.used_operations == ()
