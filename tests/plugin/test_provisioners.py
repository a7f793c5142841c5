"""Tenants from a conftest.py hook, and from static accounts created before the run."""

from __future__ import annotations

import pytest
from plugin_support import (
    DISPATCH,
    DISPATCH_COUNT,
    NOTEBOOK,
    STATIC_ACCOUNTS,
    DispatchServer,
    dispatch_hooks,
    lit,
    secrets_in,
    settings_header,
)

DISPATCH_HOOKS = dispatch_hooks("pytest_isolation")

NOTEBOOK_HOOK = """
def pytest_isolation_provision(tenant, context):
    session = context.anonymous_session()
    identity = tenant.identity
    credentials = {"email": identity.email, "password": identity.password}
    signup = session.post("/signup", json={"workspaceName": identity.company, **credentials})
    assert signup.status_code == 201, signup.text
    login = session.post("/login", json=credentials)
    assert login.status_code == 204, login.text
    return login.cookies["nb_session"]
"""


def test_conftest_hook_provisions_tenants_without_signup_or_login_in_config(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", "read-by-id")
    project.makeconftest(DISPATCH_HOOKS)

    result = project.runpytest_subprocess(f"--isolation-schema={DISPATCH}")

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 1
    # Every other operation passed or was skipped, and so did the gate.
    assert outcomes["passed"] + outcomes.get("skipped", 0) == DISPATCH_COUNT
    result.stdout.fnmatch_lines(
        [
            settings_header(
                f"schema={DISPATCH} (from option)", "tenants=2 (from default)", "seed=0 (from default)"
            ),
            f"isolation-harness: {DISPATCH_COUNT} operations via asgi at http://testserver",
            "*= FAILURES =*",
            "GET /orders/{order_id} leaks across tenants (2 findings):",
            "",
            lit(
                "[confirmed] GET /orders/{order_id}: tenant-a read data of tenant-b via path order_id "
                "(oracle: canary)"
            ),
            "  evidence: HTTP 200: tenant-b's canary ih* in body /recipient_name: *",
            "  reproduce:",
            "    # as tenant-b: create the data the attack targets",
            lit('    curl -sS -X POST http://testserver/orders -H "Authorization: Bearer $TENANT_B_TOKEN" ')
            + "*",
            "    # as tenant-a: the attack",
            lit("    curl -sS -X GET http://testserver/orders/ord_")
            + "*"
            + lit(' -H "Authorization: Bearer $TENANT_A_TOKEN"'),
            "*= isolation-harness =*",
            f"{DISPATCH_COUNT} operations, 2 tenants, * probes, * requests in *s: "
            "2 confirmed and 0 suspected findings in 1 operations, 0 probe errors",
            "FAILED isolation::GET /orders/{order_id} - *",
        ]
    )
    # The teardown hook ran once for each tenant, after the campaign.
    # The bystander (tenant-c), which creates nothing, goes first: when its reads are done.
    assert (project.path / "teardown.log").read_text().splitlines() == ["tenant-c", "tenant-a", "tenant-b"]


@pytest.mark.parametrize(
    "config_from",
    [
        "option",
        "pyproject",
    ],
)
def test_a_hooks_token_is_sent_as_the_config_says(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, config_from: str
) -> None:
    monkeypatch.setenv("NOTEBOOK_VULNERABILITIES", "read-by-id")
    project.makeconftest(NOTEBOOK_HOOK)
    project.path.joinpath("isolation.toml").write_text('[tenants.auth]\ncookie = "nb_session"\n')
    args = [f"--isolation-schema={NOTEBOOK}"]
    if config_from == "option":
        args.append("--isolation-config=isolation.toml")
    else:
        project.makepyprojecttoml('[tool.isolation_harness]\nconfig = "isolation.toml"\n')

    result = project.runpytest_subprocess(*args)

    result.stdout.fnmatch_lines(
        [
            "isolation-harness: * config=isolation.toml (from *",
            lit(
                "[confirmed] GET /projects/{projectId}: tenant-a read data of tenant-b via path projectId "
                "(oracle: canary)"
            ),
            "  reproduce:",
            "    # as tenant-b: create the data the attack targets",
            lit('    curl -sS -X POST http://testserver/projects -b "nb_session=$TENANT_B_TOKEN" ') + "*",
            "FAILED isolation::GET /projects/{projectId} - *",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_static_accounts_created_beforehand_over_http(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, dispatch_server: DispatchServer
) -> None:
    project.path.joinpath("isolation.toml").write_text(STATIC_ACCOUNTS)
    monkeypatch.setenv("ACME_TOKEN", dispatch_server.tokens["acme"])
    monkeypatch.setenv("GLOBEX_TOKEN", dispatch_server.tokens["globex"])
    base_url = dispatch_server.base_url

    result = project.runpytest_subprocess(
        f"--isolation-schema={base_url}/openapi.json", "--isolation-config=isolation.toml"
    )

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert result.parseoutcomes()["failed"] == 1
    result.stdout.fnmatch_lines(
        [
            settings_header(
                f"schema={base_url}/openapi.json (from option)",
                "config=isolation.toml (from option)",
                "tenants=2 (from default)",
                "seed=0 (from default)",
            ),
            f"isolation-harness: {DISPATCH_COUNT} operations via http at {base_url}",
            "*= FAILURES =*",
            "GET /orders/{order_id} leaks across tenants (2 findings):",
            "",
            lit(
                "[confirmed] GET /orders/{order_id}: acme read data of globex via path order_id (oracle: canary)"
            ),
            "  evidence: HTTP 200: globex's canary ih* in body /recipient_name: *",
            "  reproduce:",
            "    # as globex: create the data the attack targets",
            lit(f'    curl -sS -X POST {base_url}/orders -H "Authorization: Bearer $GLOBEX_TOKEN" ') + "*",
            "    # as acme: the attack",
            lit(f"    curl -sS -X GET {base_url}/orders/ord_")
            + "*"
            + lit(' -H "Authorization: Bearer $ACME_TOKEN"'),
            "",
            lit(
                "[confirmed] GET /orders/{order_id}: globex read data of acme via path order_id (oracle: canary)"
            ),
            "*= isolation-harness =*",
            f"{DISPATCH_COUNT} operations, 2 tenants, * probes, * requests in *s: "
            "2 confirmed and 0 suspected findings in 1 operations, 0 probe errors",
            "FAILED isolation::GET /orders/{order_id} - *",
        ]
    )
    secrets = [*dispatch_server.tokens.values(), *dispatch_server.passwords.values()]
    assert secrets_in(result.stdout.str() + result.stderr.str(), secrets) == []
