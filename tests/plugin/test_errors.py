"""A misconfiguration is an error, never a test failure: exit code 4 and a message with the value and the fix."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from plugin_support import DISPATCH, DISPATCH_CONFIG, STATIC_ACCOUNTS, USAGE_ERROR, free_port, lit

ITEM_BY_ID = {
    "/items/{id}": {
        "get": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "an item"}},
        }
    }
}


def openapi(paths: object, *, servers: bool = True) -> str:
    document: dict[str, object] = {
        "openapi": "3.0.3",
        "info": {"title": "Items", "version": "1"},
        "paths": paths,
    }
    if servers:
        document["servers"] = [{"url": "http://127.0.0.1:9"}]
    return json.dumps(document)


SIGNUP_TYPO = """
[tenants.signup]
operation = "POST /account"
body = { company_name = "{company}", email = "{email}", password = "{password}" }

[tenants.login]
operation = "POST /auth/login"
body = { email = "{email}", password = "{password}" }
"""


@dataclass(frozen=True)
class Misconfiguration:
    args: tuple[str, ...]
    message: str
    files: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


CASES = {
    "unknown app attribute": Misconfiguration(
        args=("--isolation-schema=examples.dispatch_api:ap", f"--isolation-config={DISPATCH_CONFIG}"),
        message=lit(
            "isolation-harness: Module 'examples.dispatch_api' has no attribute 'ap' (from "
            "'examples.dispatch_api:ap'). Did you mean 'app'? Name the ASGI or WSGI application object, "
            "e.g. `package.module:app`."
        ),
    ),
    "unknown app module": Misconfiguration(
        args=("--isolation-schema=examples.dispatch_ap:app", f"--isolation-config={DISPATCH_CONFIG}"),
        message=lit(
            "isolation-harness: Cannot import module 'examples.dispatch_ap' from 'examples.dispatch_ap:app': "
            "No module named 'examples.dispatch_ap'. Run pytest from the directory that contains the module, "
            "or install its package."
        ),
    ),
    "the app module raises on import": Misconfiguration(
        args=("--isolation-schema=brokenapp:app", f"--isolation-config={DISPATCH_CONFIG}"),
        files={"brokenapp.py": "import os\n\nDATABASE = os.environ['DATABASE_URL']\napp = object()\n"},
        message=lit(
            "isolation-harness: Importing 'brokenapp' (from 'brokenapp:app') failed: KeyError: 'DATABASE_URL' ("
        )
        + "*brokenapp.py, line 3). Fix that error in your code; `python -c 'import brokenapp'` shows the whole "
        "traceback.",
    ),
    "a dependency of the app module is missing": Misconfiguration(
        args=("--isolation-schema=needsdep:app", f"--isolation-config={DISPATCH_CONFIG}"),
        files={"needsdep.py": "import no_such_dependency_xyz\napp = object()\n"},
        message=lit(
            "isolation-harness: Importing 'needsdep' (from 'needsdep:app') failed: ModuleNotFoundError: No module "
            "named 'no_such_dependency_xyz' ("
        )
        + "*needsdep.py, line 1). Fix that error in your code; `python -c 'import needsdep'` shows the whole "
        "traceback.",
    ),
    "missing schema file": Misconfiguration(
        args=("--isolation-schema=specs/openapi.json", f"--isolation-config={DISPATCH_CONFIG}"),
        message=lit("isolation-harness: API description file not found: 'specs/openapi.json' (resolved to ")
        + "*"
        + lit(
            "/specs/openapi.json). Check the path, or pass a URL (http://...) or `module:attr` naming an app."
        ),
    ),
    "file schema without base URL": Misconfiguration(
        args=("--isolation-schema=openapi.json", f"--isolation-config={DISPATCH_CONFIG}"),
        files={"openapi.json": openapi(ITEM_BY_ID, servers=False)},
        message=lit(
            "isolation-harness: The API description 'openapi.json' is a file, so the harness needs to know "
            "where the API runs, and the document declares no `servers`. "
            "Pass --isolation-base-url=http://127.0.0.1:8000 (or set ISOLATION_BASE_URL)."
        ),
    ),
    "unreachable URL": Misconfiguration(
        args=(
            "--isolation-schema=http://127.0.0.1:{port}/openapi.json",
            f"--isolation-config={DISPATCH_CONFIG}",
        ),
        message=lit("isolation-harness: Cannot reach 'http://127.0.0.1:{port}/openapi.json': ")
        + "*"
        + lit(
            ". Check that the API server is running and the URL is right, or pass the description as a "
            "file with --isolation-base-url."
        ),
    ),
    "not an OpenAPI document": Misconfiguration(
        args=(
            "--isolation-schema=notes.json",
            "--isolation-base-url=http://127.0.0.1:9",
            f"--isolation-config={DISPATCH_CONFIG}",
        ),
        files={"notes.json": json.dumps({"title": "shopping", "items": ["milk"]})},
        message=lit("isolation-harness: 'notes.json' is not a usable OpenAPI description: ")
        + "*"
        + lit(". Point the harness at an OpenAPI 3.x or Swagger 2.0 document (JSON or YAML)."),
    ),
    "unresolvable parameter $ref": Misconfiguration(
        args=("--isolation-schema=openapi.json", f"--isolation-config={DISPATCH_CONFIG}"),
        files={
            "openapi.json": openapi(
                {
                    "/items/{id}": {
                        "get": {
                            "parameters": [{"$ref": "#/components/parameters/ItemId"}],
                            "responses": {"200": {"description": "an item"}},
                        }
                    }
                }
            )
        },
        message=lit("isolation-harness: The API description 'openapi.json' has 1 unresolvable reference(s): ")
        + lit("'#/components/parameters/ItemId' at /paths/~1items~1{id}/get/parameters/0. ")
        + lit("Fix each `$ref` so it points at a component that exists in the document."),
    ),
    "unresolvable request body $ref": Misconfiguration(
        args=("--isolation-schema=openapi.json", f"--isolation-config={DISPATCH_CONFIG}"),
        files={
            "openapi.json": openapi(
                {
                    "/items": {
                        "post": {
                            "requestBody": {
                                "content": {
                                    "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                                }
                            },
                            "responses": {"201": {"description": "created"}},
                        }
                    }
                }
            )
        },
        message=lit("isolation-harness: The API description 'openapi.json' has 1 unresolvable reference(s): ")
        + lit(
            "'#/components/schemas/Item' at /paths/~1items/post/requestBody/content/application~1json/schema. "
        )
        + lit("Fix each `$ref` so it points at a component that exists in the document."),
    ),
    "no operations": Misconfiguration(
        args=("--isolation-schema=openapi.json", f"--isolation-config={DISPATCH_CONFIG}"),
        files={"openapi.json": openapi({})},
        message=lit(
            "isolation-harness: The API description 'openapi.json' declares no operations (its `paths` is "
            "empty). Point the harness at the document that describes the API's endpoints."
        ),
    ),
    "unknown key in the isolation config": Misconfiguration(
        args=(f"--isolation-schema={DISPATCH}", "--isolation-config=isolation.toml"),
        files={"isolation.toml": "[tenants]\ncuont = 3\n"},
        message=lit(
            "isolation-harness: isolation.toml: unknown key 'cuont' in [tenants]. Did you mean 'count'? "
            "Known keys: count, signup, login, teardown, auth, accounts."
        ),
    ),
    "missing isolation config": Misconfiguration(
        args=(f"--isolation-schema={DISPATCH}", "--isolation-config=isolation.tml"),
        message=lit("isolation-harness: Isolation config file not found: 'isolation.tml' (resolved to ")
        + "*"
        + lit(
            "/isolation.tml). Check --isolation-config (or ISOLATION_CONFIG), or see the README for the "
            "file's format."
        ),
    ),
    "no way to create tenants": Misconfiguration(
        args=(f"--isolation-schema={DISPATCH}",),
        message=lit(
            "isolation-harness: No way to create tenants is configured. Add [tenants.signup] and "
            "[tenants.login] (or [[tenants.accounts]]) to the isolation config passed with --isolation-config, "
            "or implement the `pytest_isolation_provision` hook in conftest.py. "
        )
        + "*",
    ),
    "one tenant": Misconfiguration(
        args=(
            f"--isolation-schema={DISPATCH}",
            f"--isolation-config={DISPATCH_CONFIG}",
            "--isolation-tenants=1",
        ),
        message=lit(
            "isolation-harness: --isolation-tenants=1 (from option) must be at least 2: a campaign needs one "
            "tenant to attack and another to be attacked."
        ),
    ),
    "tenants not a number": Misconfiguration(
        args=(
            f"--isolation-schema={DISPATCH}",
            f"--isolation-config={DISPATCH_CONFIG}",
            "--isolation-tenants=abc",
        ),
        message=lit(
            "isolation-harness: --isolation-tenants='abc' (from option) is not a whole number. "
            "Pass e.g. --isolation-tenants=2."
        ),
    ),
    "signup operation not in the API": Misconfiguration(
        args=(f"--isolation-schema={DISPATCH}", "--isolation-config=isolation.toml"),
        files={"isolation.toml": SIGNUP_TYPO},
        message=lit(
            "isolation-harness: tenants.signup.operation = 'POST /account' names no operation of the API. "
            "Did you mean 'POST /accounts'? Write it as 'METHOD /path' exactly as the API description spells "
            "the path."
        ),
    ),
    "static account tokens not set": Misconfiguration(
        args=(f"--isolation-schema={DISPATCH}", "--isolation-config=isolation.toml"),
        files={"isolation.toml": STATIC_ACCOUNTS},
        env={"ACME_TOKEN": "set-for-acme"},
        message=lit(
            "isolation-harness: Static tenant accounts need their tokens in the environment, but GLOBEX_TOKEN "
            "is not set. Export each variable named by `token_env` in [[tenants.accounts]] before running."
        ),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_misconfiguration_is_a_usage_error_naming_value_and_fix(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, case: Misconfiguration
) -> None:
    port = free_port()
    for name, content in case.files.items():
        project.path.joinpath(name).write_text(content)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)

    result = project.runpytest_subprocess(*(arg.replace("{port}", str(port)) for arg in case.args))

    assert result.ret == USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: " + case.message.replace("{port}", str(port))])
    # Stopped before collecting anything: no items, no campaign, no traceback.
    output = result.stdout.str() + result.stderr.str()
    assert "collected" not in output
    assert "Traceback" not in output
    assert "INTERNALERROR" not in output
