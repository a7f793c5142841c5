"""Retries: which answers are tried again, how long the harness waits, and what stays an error."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import pytest
import requests
from engine_support import FakeTransport, engine
from flask import Flask

from isolation_harness.engine.sending import LOST_AFTER, Sender
from isolation_harness.errors import TargetLostError
from isolation_harness.model import HttpRequest
from isolation_harness.operations import ApiModel, Operation
from isolation_harness.provisioning import ProvisionContext
from isolation_harness.redaction import Redactor
from isolation_harness.retrying import RetryPolicy
from isolation_harness.transport import WSGITransport


def test_back_off_doubles_up_to_its_cap_and_retry_after_wins_up_to_its_own() -> None:
    policy = RetryPolicy(attempts=5, base_delay=0.1, max_delay=0.3, retry_after_cap=2.0)
    assert [policy.delay(attempt) for attempt in range(4)] == [0.1, 0.2, 0.3, 0.3]
    assert policy.delay(0, retry_after="1") == 1.0
    assert policy.delay(0, retry_after="120") == 2.0
    later = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert policy.delay(0, retry_after=later) == 2.0
    assert policy.delay(1, retry_after="soon") == 0.2


@pytest.mark.parametrize("attempts", [0, -1, True, 1.5])
def test_a_policy_refuses_attempts_that_are_no_count(attempts: Any) -> None:
    with pytest.raises(ValueError) as info:
        RetryPolicy(attempts=attempts)
    assert str(info.value) == f"RetryPolicy(attempts={attempts!r}): at least 1 (1 means no retry)."


READ = Operation(label="GET /things", method="GET", path="/things")


def _sender_over(answers: list[Any]) -> tuple[Sender, Any, FakeTransport]:
    """A sender whose fake API gives ``answers`` in turn: (status, body) pairs, or an exception to raise."""
    queue = list(answers)

    def handler(method: str, path: str, query: Any, headers: Any, body: Any) -> tuple[int, Any]:
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[no-any-return]

    setup = engine([READ], handler)
    sender = setup.ctx.sender
    sender.retry = RetryPolicy(attempts=3, base_delay=0)
    return sender, setup, setup.transport


def test_transient_trouble_is_retried_and_the_answer_then_counts() -> None:
    sender, setup, transport = _sender_over(
        [(503, "busy"), requests.ConnectionError("reset by peer"), (200, [{"id": "t-1"}])]
    )
    response = sender.send(setup.tenants[0], HttpRequest("GET", "/things"), READ)
    assert response is not None and response.status == 200
    assert (setup.ctx.result.requests, setup.ctx.result.retries, setup.ctx.result.errors) == (3, 2, [])
    assert len(transport.log) == 3


def test_trouble_that_outlasts_the_retries_is_an_error_of_its_kind_never_an_answer() -> None:
    sender, setup, _ = _sender_over([(429, "slow down")] * 3)
    assert sender.send(setup.tenants[0], HttpRequest("GET", "/things"), READ) is None
    (error,) = setup.ctx.result.errors
    assert (error.kind, error.message) == ("rate-limited", 'HTTP 429 from GET /things: "slow down"')

    sender, setup, _ = _sender_over([requests.Timeout("read timed out")] * 3)
    assert sender.send(setup.tenants[0], HttpRequest("GET", "/things"), READ) is None
    (error,) = setup.ctx.result.errors
    assert (error.kind, error.message) == ("timeout", "no answer before the timeout")


def test_an_api_that_stops_answering_stops_the_run_after_a_few_requests() -> None:
    refused = requests.ConnectionError("[Errno 111] Connection refused")
    sender, setup, _ = _sender_over([refused] * 3 * LOST_AFTER)
    state = setup.tenants[0]
    for _ in range(LOST_AFTER - 1):
        assert sender.send(state, HttpRequest("GET", "/things"), READ) is None
    with pytest.raises(TargetLostError) as info:
        sender.send(state, HttpRequest("GET", "/things"), READ)
    assert str(info.value) == (
        "The API stopped answering: the last 8 requests got no answer, even when tried again (the connection "
        "was refused (nothing listens there)), the last GET /things for GET /things. Nothing after that would "
        "be a verdict. Check that the API is running and run again."
    )
    assert len(setup.ctx.result.errors) == LOST_AFTER - 1


def test_an_answer_between_failures_keeps_the_run_going() -> None:
    refused = requests.ConnectionError("[Errno 111] Connection refused")
    # Three attempts each: seven requests unanswered, one answered, seven more unanswered.
    answers = [refused] * 3 * (LOST_AFTER - 1) + [(200, [])] + [refused] * 3 * (LOST_AFTER - 1)
    sender, setup, _ = _sender_over(answers)
    for _ in range(2 * (LOST_AFTER - 1) + 1):
        sender.send(setup.tenants[0], HttpRequest("GET", "/things"), READ)
    assert len(setup.ctx.result.errors) == 2 * (LOST_AFTER - 1)


def test_a_client_error_is_an_answer_and_is_not_retried() -> None:
    sender, setup, transport = _sender_over([(404, {"detail": "no such thing"})])
    response = sender.send(setup.tenants[0], HttpRequest("GET", "/things"), READ)
    assert response is not None and response.status == 404
    assert (setup.ctx.result.retries, len(transport.log)) == (0, 1)


def test_provisioning_requests_are_retried_too() -> None:
    app = Flask(__name__)
    json_type = {"Content-Type": "application/json"}
    answers = [
        ("busy", 503, {}),
        ("slow down", 429, {}),
        ('{"access_tok', 200, json_type),
        ('{"ok": 1}', 201, json_type),
    ]

    @app.post("/accounts")
    def signup() -> tuple[str, int, dict[str, str]]:
        return answers.pop(0)

    transport = WSGITransport(app)
    context = ProvisionContext(
        api=ApiModel(operations=[]),
        transport=transport,
        redactor=Redactor(),
        retry=RetryPolicy(attempts=4, base_delay=0),
    )
    response = context.request(transport.session(), "POST", "accounts", json={})
    assert (response.status_code, response.text, answers) == (201, '{"ok": 1}', [])
