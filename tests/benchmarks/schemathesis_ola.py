"""schemathesis's own cross-user check, ``object_level_authorization`` (ST402), against Dispatch.

How it is run, the way schemathesis 4.32's documentation and messages tell a user to:

1. Two Dispatch accounts, ``alice`` and ``bob``, are created through the API (``POST /accounts``)
   of the same in-process app instance that is then tested.
2. A Web Fuzzing Commons auth document (``auth.json``) lists both users with a
   ``loginEndpointAuth``: schemathesis itself logs each one in with ``POST /auth/login`` and sends
   ``Authorization: Bearer <access_token>``. This is the documented ``[auth.wfc]`` method; the check
   only runs when ``[auth.wfc]`` names at least two ``peers`` (``schemathesis run`` warns
   "`object_level_authorization` will not run: list at least 2 users as `peers` under `[auth.wfc]`").
3. The configuration is the ``schemathesis.toml`` a user would write (loaded with
   ``SchemathesisConfig.from_str``)::

       seed = 0
       [cache]
       enabled = false                                # every run starts cold, nothing written
       [generation]
       max-examples = <budget>
       [checks]
       enabled = false                                # only ST402: the comparison is about it
       object_level_authorization.enabled = true
       [auth.wfc]
       path = "<tmp>/auth.json"
       peers = ["alice", "bob"]

4. The schema is loaded in-process with ``schemathesis.openapi.from_asgi("/openapi.json", app,
   config=...)`` and run with schemathesis's engine, ``schemathesis.engine.from_schema(schema)
   .execute()``: every default phase (examples, coverage, fuzzing, stateful), which is what
   ``schemathesis run`` does. No stateful links are written by hand: schemathesis infers them
   and draws identifiers from its own pool of earlier responses, which is what the check uses.

The check (``schemathesis/specs/openapi/object_authorization.py``) takes each successful ``GET``
a peer made with an identifier it obtained itself, replays it as the other peer, and fails when the
other peer gets an equivalent 2xx body that it can neither get anonymously nor find in its own
lists. Every request that reaches the app after setup is counted by a thin ASGI wrapper, probes
and logins included.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from isolation_harness.transport import ASGITransport

CHECK = "object_level_authorization"
PEERS = ("alice", "bob")

Message = dict[str, Any]


class CountingApp:
    """An ASGI wrapper that counts the HTTP requests reaching the app."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests = 0

    async def __call__(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] == "http":
            self.requests += 1
        await self.app(scope, receive, send)


@dataclass
class OlaRun:
    """One schemathesis run with only ST402 enabled."""

    max_examples: int
    seconds: float = 0.0
    requests: int = 0
    # Operation label -> number of ST402 failures reported on it.
    failing: dict[str, int] = field(default_factory=dict)
    # Operation label -> (seconds, requests) into the run when its first ST402 failure was reported.
    first_failure: dict[str, tuple[float, int]] = field(default_factory=dict)
    # Errors the engine reported instead of a response (e.g. the app raised).
    errors: int = 0
    fatal: str | None = None
    stop_reason: str | None = None


def _wfc_user(name: str, email: str, password: str) -> dict[str, Any]:
    return {
        "name": name,
        "loginEndpointAuth": {
            "verb": "POST",
            "endpoint": "/auth/login",
            "contentType": "application/json",
            "payloadUserPwd": {
                "username": email,
                "password": password,
                "usernameField": "email",
                "passwordField": "password",
            },
            "token": {
                "extractFrom": "body",
                "extractSelector": "/access_token",
                "sendIn": "header",
                "sendName": "Authorization",
                "sendTemplate": "Bearer {token}",
            },
        },
    }


def run_object_level_authorization(app: Any, workdir: Path, *, max_examples: int, seed: int = 0) -> OlaRun:
    """Run schemathesis's engine with only ST402 against a Dispatch app instance, in-process."""
    workdir.mkdir(parents=True, exist_ok=True)
    session = ASGITransport(app).session()
    users = []
    for name in PEERS:
        email, password = f"{name}@example.com", f"{name}-password-1"
        response = session.post(
            "accounts", json={"company_name": f"{name.title()} Ltd", "email": email, "password": password}
        )
        if response.status_code != 201:
            return OlaRun(max_examples, fatal=f"signup of {name} failed: HTTP {response.status_code}")
        users.append(_wfc_user(name, email, password))
    auth_path = workdir / "auth.json"
    auth_path.write_text(json.dumps({"auth": users}, indent=2))
    config = SchemathesisConfig.from_str(
        f"seed = {seed}\n"
        "[cache]\n"
        "enabled = false\n"
        "[generation]\n"
        f"max-examples = {max_examples}\n"
        "[checks]\n"
        "enabled = false\n"
        f"{CHECK}.enabled = true\n"
        "[auth.wfc]\n"
        f"path = {json.dumps(str(auth_path))}\n"
        f"peers = {json.dumps(list(PEERS))}\n"
    )
    counting = CountingApp(app)
    schema = schemathesis.openapi.from_asgi("/openapi.json", counting, config=config)
    run = OlaRun(max_examples)
    counting.requests = 0
    started = time.perf_counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.name == CHECK and check.failure_info is not None:
                        operation = check.failure_info.failure.operation or event.label or "?"
                        run.failing[operation] = run.failing.get(operation, 0) + 1
                        # Reported when the scenario (one operation in one phase) ends: an upper bound.
                        run.first_failure.setdefault(
                            operation, (time.perf_counter() - started, counting.requests)
                        )
        elif isinstance(event, events.NonFatalError):
            run.errors += 1
        elif isinstance(event, events.FatalError):
            run.fatal = f"{type(event.exception).__name__}: {event.exception}"
        elif isinstance(event, events.EngineFinished):
            run.stop_reason = event.stop_reason.value
    run.seconds = time.perf_counter() - started
    run.requests = counting.requests
    return run
