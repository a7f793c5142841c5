"""Unit tests for reproductions: valid shell, credentials only as variables."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess

import pytest

from isolation_harness.model import HttpRequest
from isolation_harness.reproduction import curl, token_variable

REAL_TOKEN = "eyJhbGciOiJIUzI1NiJ9.real-secret.sig"
BASE_URL = "http://api.test/"


def run_in_shell(command: str, token: str = "TOKEN-VALUE") -> list[str]:
    """The arguments bash would pass to curl, with the tenant's variable set."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    script = 'curl() { for arg in "$@"; do printf "%s\\0" "$arg"; done; }\n' + command
    result = subprocess.run(
        [bash, "-c", script],
        env={"PATH": os.environ.get("PATH", ""), "TENANT_A_TOKEN": token, "HOME": "/nonexistent"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split("\0")[:-1]


def order_request(**overrides: object) -> HttpRequest:
    fields: dict[str, object] = {
        "method": "PATCH",
        "path_template": "/orders/{order_id}",
        "path_params": {"order_id": "ord 1/2"},
        "query": {"expand": "parcels", "note": "a b&c"},
        "body": {"note": 'it\'s "quoted" $HOME `id`', "n": [1, None]},
        "has_body": True,
    }
    fields.update(overrides)
    return HttpRequest(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tenant", "variable"),
    [("tenant-a", "TENANT_A_TOKEN"), ("Acme Corp.", "ACME_CORP_TOKEN"), ("tenant_b2", "TENANT_B2_TOKEN")],
)
def test_token_variable(tenant: str, variable: str) -> None:
    assert token_variable(tenant) == variable


def test_token_variable_is_a_valid_shell_name_for_names_starting_with_a_digit() -> None:
    assert token_variable("2nd-customer")[0].isalpha()


def test_header_auth_is_a_variable_and_the_command_is_valid_shell() -> None:
    command = curl(
        order_request(),
        base_url=BASE_URL,
        tenant="tenant-a",
        auth_headers=["Authorization"],
        prefix="Bearer ",
    )

    assert shlex.split(command) == [
        "curl",
        "-sS",
        "-X",
        "PATCH",
        "http://api.test/orders/ord%201%2F2?expand=parcels&note=a+b%26c",
        "-H",
        "Authorization: Bearer $TENANT_A_TOKEN",
        "-H",
        "Content-Type: application/json",
        "--data",
        '{"note": "it\'s \\"quoted\\" $HOME `id`", "n": [1, null]}',
    ]


def test_shell_expands_the_variable_and_nothing_else() -> None:
    request = order_request()
    command = curl(
        request, base_url=BASE_URL, tenant="tenant-a", auth_headers=["Authorization"], prefix="Bearer "
    )

    argv = run_in_shell(command, token=REAL_TOKEN)

    assert f"Authorization: Bearer {REAL_TOKEN}" in argv
    assert json.loads(argv[argv.index("--data") + 1]) == request.body


def test_query_and_cookie_auth_are_variables() -> None:
    command = curl(
        HttpRequest(method="GET", path_template="/orders"),
        base_url=BASE_URL,
        tenant="tenant-a",
        auth_cookies=["sid"],
        auth_query=["api_key"],
    )

    assert shlex.split(command) == [
        "curl",
        "-sS",
        "-X",
        "GET",
        "http://api.test/orders?api_key=$TENANT_A_TOKEN",
        "-b",
        "sid=$TENANT_A_TOKEN",
    ]
    assert run_in_shell(command, token="tok") == [
        "-sS",
        "-X",
        "GET",
        "http://api.test/orders?api_key=tok",
        "-b",
        "sid=tok",
    ]


def test_a_real_credential_in_the_request_never_appears() -> None:
    request = HttpRequest(
        method="GET",
        path_template="/orders",
        headers={"X-Api-Key": REAL_TOKEN, "X-Trace": "t-1"},
        cookies={"session_token": REAL_TOKEN, "theme": "dark"},
    )

    command = curl(request, base_url=BASE_URL, tenant="tenant-a", auth_headers=["Authorization"])

    assert REAL_TOKEN not in command
    argv = shlex.split(command)
    assert "X-Trace: t-1" in argv
    assert "sid" not in command
    assert argv[argv.index("-b") + 1] == "session_token=$TENANT_A_TOKEN; theme=dark"
    assert command.count("$TENANT_A_TOKEN") == 3


def test_sensitive_request_header_expands_to_the_token() -> None:
    request = HttpRequest(method="GET", path_template="/orders", headers={"X-Api-Key": REAL_TOKEN})
    command = curl(request, base_url=BASE_URL, tenant="tenant-a")

    assert "X-Api-Key: tok" in run_in_shell(command, token="tok")


def test_dollar_in_a_query_value_is_not_expanded() -> None:
    request = HttpRequest(method="GET", path_template="/orders", query={"sort": "$price"})
    command = curl(request, base_url=BASE_URL, tenant="tenant-a", auth_query=["api_key"])

    assert run_in_shell(command, token="tok")[3] == "http://api.test/orders?sort=%24price&api_key=tok"


def test_no_body_means_no_data_flag_and_base_url_slash_is_not_doubled() -> None:
    command = curl(
        HttpRequest(method="DELETE", path_template="/orders/{id}", path_params={"id": 7}),
        base_url="http://api.test/v1/",
        tenant="tenant-a",
    )

    assert shlex.split(command) == ["curl", "-sS", "-X", "DELETE", "http://api.test/v1/orders/7"]


def test_prefix_is_kept_for_header_auth() -> None:
    command = curl(
        HttpRequest(method="GET", path_template="/me"),
        base_url=BASE_URL,
        tenant="Tenant B",
        auth_headers=["X-Token"],
        prefix="Token ",
    )

    assert shlex.split(command)[-2:] == ["-H", "X-Token: Token $TENANT_B_TOKEN"]
