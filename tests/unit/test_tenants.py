"""Unit tests for tenants: canaries, identities, credentials and the client that applies them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, jsonify, request

from isolation_harness.errors import ConfigurationError
from isolation_harness.operations import ApiModel
from isolation_harness.provisioning import ProvisionContext
from isolation_harness.redaction import Redactor
from isolation_harness.tenant_factory import TenantFactory
from isolation_harness.tenants import AuthScheme, Credentials, Tenant, make_canary
from isolation_harness.transport import HTTPTransport, WSGITransport


def whoami_app() -> Flask:
    app = Flask(__name__)

    @app.get("/whoami")
    def whoami() -> Any:
        return jsonify(
            auth=request.headers.get("Authorization"),
            key=request.headers.get("X-Api-Key"),
            cookies=dict(request.cookies),
            query=request.args.to_dict(),
        )

    return app


def test_canary_is_deterministic_unique_and_letters_only() -> None:
    canaries = {make_canary(0, f"tenant-{index}") for index in range(50)}

    assert make_canary(0, "tenant-a") == make_canary("0", "tenant-a")
    assert make_canary(0, "tenant-a") != make_canary(1, "tenant-a")
    assert len(canaries) == 50
    assert all(re.fullmatch(r"ih[a-z]{10}", canary) for canary in canaries)


def test_identity_carries_the_canary_and_is_seeded() -> None:
    transport = WSGITransport(whoami_app())
    tenant = Tenant(name="tenant-a", seed=5, client=transport.session())
    again = Tenant(name="tenant-a", seed=5, client=transport.session())

    identity = tenant.identity
    assert identity == again.identity
    assert tenant.canary in identity.company
    assert identity.email.startswith(tenant.canary + "@") and identity.email.endswith(".example.com")
    assert identity.username == tenant.canary
    assert len(identity.password) == 20
    assert re.search(r"[A-Z]", identity.password) and re.search(r"\d", identity.password)
    assert identity.placeholders()["name"] == f"{identity.first_name} {identity.last_name}"
    assert tenant.markers() == [tenant.canary, identity.email]
    assert tenant.tag("Order") == f"Order {tenant.canary}"
    assert tenant.tag("") == tenant.canary
    assert repr(tenant) == f"Tenant(name='tenant-a', canary={tenant.canary!r})"


@pytest.mark.parametrize(
    ("scheme", "credentials"),
    [
        (AuthScheme(), Credentials(headers={"Authorization": "Bearer t0k3n"}, token="t0k3n")),
        (
            AuthScheme(header="X-Api-Key", prefix=""),
            Credentials(headers={"X-Api-Key": "t0k3n"}, token="t0k3n"),
        ),
        (
            AuthScheme(header=None, prefix="", cookie="sid"),
            Credentials(cookies={"sid": "t0k3n"}, token="t0k3n"),
        ),
        (AuthScheme(header=None, prefix="", query="key"), Credentials(query={"key": "t0k3n"}, token="t0k3n")),
    ],
)
def test_auth_scheme_credentials(scheme: AuthScheme, credentials: Credentials) -> None:
    assert scheme.credentials("t0k3n") == credentials


def test_credentials_secrets() -> None:
    credentials = Credentials(headers={"A": "h"}, cookies={"c": "k"}, query={"q": "v"}, token="t")

    assert credentials.secrets() == ["h", "k", "v", "t"]
    assert Credentials().secrets() == []


def test_apply_makes_every_request_carry_the_credentials() -> None:
    tenant = Tenant(name="tenant-a", seed=0, client=WSGITransport(whoami_app()).session())

    tenant.apply(Credentials(headers={"X-Api-Key": "k1"}, cookies={"sid": "s1"}, query={"tenant": "q1"}))

    assert tenant.client.get("/whoami", params={"page": "2"}).json() == {
        "auth": None,
        "key": "k1",
        "cookies": {"sid": "s1"},
        "query": {"tenant": "q1", "page": "2"},
    }
    assert tenant.credentials is not None


def test_tenants_do_not_share_credentials() -> None:
    transport = WSGITransport(whoami_app())
    a = Tenant(name="tenant-a", seed=0, client=transport.session())
    b = Tenant(name="tenant-b", seed=0, client=transport.session())

    a.apply(AuthScheme().credentials("token-a"))
    b.apply(AuthScheme().credentials("token-b"))

    assert a.client.get("/whoami").json()["auth"] == "Bearer token-a"
    assert b.client.get("/whoami").json()["auth"] == "Bearer token-b"


class _NeverCalled:
    used_operations: tuple[str, ...] = ()

    def provision(self, tenant: Tenant, context: ProvisionContext) -> Credentials:
        raise AssertionError("no tenant is provisioned in this test")

    def teardown(self, tenant: Tenant, context: ProvisionContext) -> None:
        raise AssertionError("no tenant is torn down in this test")


def _factory() -> TenantFactory:
    context = ProvisionContext(
        api=ApiModel(operations=[]), transport=HTTPTransport("http://127.0.0.1:9"), redactor=Redactor()
    )
    return TenantFactory(context=context, provisioner=_NeverCalled())


def test_the_campaign_reserves_its_names_and_the_developers_tenants_take_the_next() -> None:
    factory = _factory()
    assert factory.reserve(2) == ["tenant-a", "tenant-b"]
    assert factory.next_name() == "tenant-c"
    with pytest.raises(ConfigurationError) as info:
        factory.create("tenant-a")
    assert str(info.value) == (
        "The name 'tenant-a' is reserved for the campaign's tenants in this session; choose another name."
    )


def test_without_a_campaign_the_developers_tenants_start_at_a_and_many_tenants_count_on() -> None:
    factory = _factory()
    factory.release(factory.reserve(2))
    assert factory.next_name() == "tenant-a"
    assert _factory().reserve(28)[-3:] == ["tenant-z", "tenant-26", "tenant-27"]
