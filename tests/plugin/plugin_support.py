"""Constants and helpers for the pytester tests of what a user sees (output text and exit codes)."""

from __future__ import annotations

import glob
import json
import re
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from isolation_harness.config import SETTINGS

REPO = Path(__file__).resolve().parents[2]
DISPATCH_CONFIG = REPO / "examples" / "dispatch_api" / "isolation.toml"
NOTEBOOK_CONFIG = REPO / "examples" / "notebook_api" / "isolation.toml"
DISPATCH = "examples.dispatch_api:app"
NOTEBOOK = "examples.notebook_api:app"
USAGE_ERROR = pytest.ExitCode.USAGE_ERROR


def _dispatch_operations() -> list[str]:
    from examples.dispatch_api import create_app

    paths = create_app().openapi()["paths"]
    return [f"{method.upper()} {path}" for path, item in paths.items() for method in item]


# Dispatch's operations in document order, as the campaign names its items.
DISPATCH_OPERATIONS = _dispatch_operations()
DISPATCH_COUNT = len(DISPATCH_OPERATIONS)
# Operations the campaign does not probe on Dispatch: signup and login (they provision the tenants).
DISPATCH_UNPROBED = 2

# What the harness, the example apps and pytest read from the environment: cleared for every run.
CLEARED_ENV = (
    *(spec.env for spec in SETTINGS),
    "ISOLATION_REPORT_HTML",
    "DISPATCH_VULNERABILITIES",
    "NOTEBOOK_VULNERABILITIES",
    "PYTEST_ADDOPTS",
    # pytest prints whole failure messages in its short summary when it sees one of these (it
    # thinks it runs on CI), and shortens them otherwise: cleared so the text is the same anywhere.
    "CI",
    "BUILD_NUMBER",
    # Every server these tests talk to is on 127.0.0.1: never through a proxy.
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)

# A bearer credential written out: "Bearer " then a token character (RFC 6750 b64token).
# Reproductions write "Bearer $TENANT_A_TOKEN" instead, which this does not match.
BEARER_VALUE = re.compile(r"Bearer [A-Za-z0-9\-._~+/]")

# The header lines the plugin adds once an API is configured start with this.
HEADER_PREFIX = "isolation-harness: "


def lit(text: str) -> str:
    """An fnmatch pattern that matches ``text`` literally (``[confirmed]`` is a character class otherwise)."""
    return glob.escape(text)


def settings_header(*settings: str) -> str:
    """The pattern of the header line listing each setting and its source, in the settings' order.

    The settings given must be the first ones, exactly; settings a later version adds after them may follow.
    """
    return lit(HEADER_PREFIX + ", ".join(settings)) + "*"


# The two findings of Dispatch's `read-by-id` bug (in-process, seed 0), as a user reads them under
# the failing item and in the command line's output: fnmatch patterns, one per line.
READ_BY_ID_FINDING_A_READS_B = [
    lit(
        "[confirmed] GET /orders/{order_id}: tenant-a read data of tenant-b via path order_id (oracle: canary)"
    ),
    "  evidence: HTTP 200: tenant-b's canary ih* in body /recipient_name: *",
    "  reproduce:",
    "    # as tenant-b: create the data the attack targets",
    lit('    curl -sS -X POST http://testserver/orders -H "Authorization: Bearer $TENANT_B_TOKEN" ')
    + lit("-H 'Content-Type: application/json' --data '{\"recipient_name\": ")
    + "*",
    "    # as tenant-a: the attack",
    lit("    curl -sS -X GET http://testserver/orders/ord_")
    + "*"
    + lit(' -H "Authorization: Bearer $TENANT_A_TOKEN"'),
]
READ_BY_ID_FINDING_B_READS_A = [
    lit(
        "[confirmed] GET /orders/{order_id}: tenant-b read data of tenant-a via path order_id (oracle: canary)"
    ),
    "  evidence: HTTP 200: tenant-a's canary ih* in body /recipient_name: *",
    "  reproduce:",
    "    # as tenant-a: create the data the attack targets",
    lit('    curl -sS -X POST http://testserver/orders -H "Authorization: Bearer $TENANT_A_TOKEN" ') + "*",
    "    # as tenant-b: the attack",
    lit("    curl -sS -X GET http://testserver/orders/ord_")
    + "*"
    + lit(' -H "Authorization: Bearer $TENANT_B_TOKEN"'),
]

# The body of a provisioning hook for Dispatch: signs the tenant up, logs it in, returns the token.
DISPATCH_PROVISION_BODY = """
    session = context.anonymous_session()
    identity = tenant.identity
    credentials = {"email": identity.email, "password": identity.password}
    created = session.post("/accounts", json={"company_name": identity.company, **credentials})
    assert created.status_code == 201, created.text
    login = session.post("/auth/login", json=credentials)
    assert login.status_code == 200, login.text
    return login.json()["access_token"]
"""


def dispatch_hooks(prefix: str) -> str:
    """Provision and teardown hooks for Dispatch, named ``<prefix>_provision`` and ``<prefix>_teardown``.

    The teardown writes each tenant's name to ``teardown.log``.
    """
    return (
        f"def {prefix}_provision(tenant, context):{DISPATCH_PROVISION_BODY}\n\n"
        f"def {prefix}_teardown(tenant, context):\n"
        '    with open("teardown.log", "a") as log:\n'
        '        log.write(tenant.name + "\\n")\n'
    )


# An isolation config with two accounts that exist before the run (the static provisioner).
STATIC_ACCOUNTS = """
[[tenants.accounts]]
name = "acme"
token_env = "ACME_TOKEN"

[[tenants.accounts]]
name = "globex"
token_env = "GLOBEX_TOKEN"
"""


@dataclass(frozen=True)
class DispatchServer:
    """Dispatch served by uvicorn on 127.0.0.1, with two accounts created beforehand."""

    base_url: str
    tokens: dict[str, str]
    passwords: dict[str, str]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# A conftest.py for a pytester project: it records, from inside the example apps, every access
# token the apps hand out and every password they hash, so a test can look for them in the output.
SECRET_SPY_CONFTEST = """
import importlib
import json
import secrets
from pathlib import Path

# import_module, not "import ... as": the packages export an `app` object that shadows the module.
dispatch_store = importlib.import_module("examples.dispatch_api.store")
notebook_app = importlib.import_module("examples.notebook_api.app")

RECORD = Path(__file__).with_name("recorded-secrets.json")
_recorded = {"tokens": [], "passwords": []}


def _record(kind, value):
    _recorded[kind].append(value)
    RECORD.write_text(json.dumps(_recorded))


_token_urlsafe = secrets.token_urlsafe


def _spy_token_urlsafe(nbytes=None):
    token = _token_urlsafe(nbytes)
    _record("tokens", token)
    return token


secrets.token_urlsafe = _spy_token_urlsafe

_dispatch_hash = dispatch_store._hash_password


def _spy_dispatch_hash(password, salt=None):
    _record("passwords", password)
    return _dispatch_hash(password, salt)


dispatch_store._hash_password = _spy_dispatch_hash

_notebook_hash = notebook_app._hash_password


def _spy_notebook_hash(password, salt):
    _record("passwords", password)
    return _notebook_hash(password, salt)


notebook_app._hash_password = _spy_notebook_hash
"""


def recorded_secrets(project_dir: Path) -> dict[str, list[str]]:
    """What :data:`SECRET_SPY_CONFTEST` recorded during the run."""
    data: dict[str, list[str]] = json.loads((project_dir / "recorded-secrets.json").read_text())
    return data


def secrets_in(text: str, secrets: list[str]) -> list[str]:
    """Every way ``text`` gives a secret away: a recorded value, or a bearer credential written out."""
    found = [secret for secret in secrets if secret in text]
    found += [match.group(0) + "..." for match in BEARER_VALUE.finditer(text)]
    return found


def wait_until_serving(url: str, server: subprocess.Popen[bytes], *, log: Path | None = None) -> None:
    """Poll ``url`` until it answers 200; fail (with the server's log) if the server ends first or
    takes over 20 s."""
    deadline = time.monotonic() + 20
    client = requests.Session()
    client.trust_env = False  # 127.0.0.1, never through a proxy
    while True:
        try:
            if client.get(url, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            said = log.read_text() if log is not None and log.exists() else ""
            raise AssertionError(f"the server did not start on {url}:\n{said}")
        time.sleep(0.1)
