"""Unit tests for redaction: no credential survives into anything the harness prints."""

from __future__ import annotations

import threading
from urllib.parse import urlencode

import pytest
import requests

from isolation_harness.redaction import REDACTED, Redactor, is_sensitive_name

TOKEN = "eyJhbGciOiJIUzI1NiJ9.tenant-a.sig"
PASSWORD = "9rmBF34vebhIyqeSAa1!"


def test_every_registered_secret_is_replaced_everywhere() -> None:
    redactor = Redactor([TOKEN, PASSWORD])

    text = f"Authorization: Bearer {TOKEN}\nbody: {{'password': '{PASSWORD}', 'again': '{TOKEN}'}}"

    assert redactor(text) == (
        f"Authorization: Bearer {REDACTED}\nbody: {{'password': '{REDACTED}', 'again': '{REDACTED}'}}"
    )


def test_secrets_added_later_are_redacted_from_then_on() -> None:
    redactor = Redactor()
    assert redactor(f"token {TOKEN}") == f"token {TOKEN}"

    redactor.add(TOKEN)

    assert redactor(f"token {TOKEN}") == f"token {REDACTED}"


def test_longer_secret_wins_over_a_secret_it_contains() -> None:
    redactor = Redactor(["abcd", "abcdefgh"])

    # Redacting "abcd" first would leave "efgh", a piece of the longer secret, in the output.
    assert redactor("x abcdefgh y abcd") == f"x {REDACTED} y {REDACTED}"


def test_secrets_with_regex_characters_are_matched_literally() -> None:
    redactor = Redactor(["a.b*c+d?"])

    assert redactor("a.b*c+d? aXbbcd") == f"{REDACTED} aXbbcd"


@pytest.mark.parametrize("value", [None, "", "a", "abc"])
def test_short_or_empty_values_are_ignored(value: str | None) -> None:
    redactor = Redactor()
    redactor.add(value)

    # A three-letter "secret" would shred ordinary text.
    assert redactor("abc a cab") == "abc a cab"


def test_adding_the_same_secret_twice_is_harmless() -> None:
    redactor = Redactor([TOKEN])
    redactor.add(TOKEN)

    assert redactor(TOKEN) == REDACTED


def test_empty_text_and_no_secrets() -> None:
    assert Redactor()("anything") == "anything"
    assert Redactor([TOKEN])("") == ""


@pytest.mark.parametrize(
    "name", ["Authorization", "proxy-authorization", "Cookie", "Set-Cookie", "X-API-Key", "X-Auth-Token"]
)
def test_credential_headers_are_redacted_wholly(name: str) -> None:
    # Even an unregistered value: these headers only ever carry credentials.
    assert Redactor().header(name, "Basic dXNlcjpwYXNz") == REDACTED


def test_other_headers_only_lose_registered_secrets() -> None:
    redactor = Redactor([TOKEN])

    assert redactor.header("Location", f"/cb?token={TOKEN}&next=/home") == f"/cb?token={REDACTED}&next=/home"
    assert redactor.header("Content-Type", "application/json") == "application/json"


def test_headers_named_like_a_token_are_redacted_wholly() -> None:
    assert is_sensitive_name("X-Refresh-Token")
    assert Redactor().header("X-Refresh-Token", "rotated-refresh-secret") == REDACTED


def test_percent_encoded_secret_is_redacted() -> None:
    secret = "k3y/with+slash=="
    redactor = Redactor([secret])
    query = urlencode({"api_key": secret})
    assert query == "api_key=k3y%2Fwith%2Bslash%3D%3D"
    message = str(requests.exceptions.ConnectionError(f"Max retries exceeded with url: /orders?{query}"))

    assert redactor(message) == f"Max retries exceeded with url: /orders?api_key={REDACTED}"


@pytest.mark.parametrize(
    "name",
    ["password", "Authorization", "api-key", "client_secret", "newPassword", "x-csrf-token", "appSecret"],
)
def test_is_sensitive_name_catches_credential_names(name: str) -> None:
    assert is_sensitive_name(name)


@pytest.mark.parametrize("name", ["email", "token_count_id", "secretary", "Content-Type", "passwordless"])
def test_is_sensitive_name_leaves_other_names_alone(name: str) -> None:
    assert not is_sensitive_name(name)


def test_redactor_is_safe_across_threads() -> None:
    redactor = Redactor()
    secrets = [f"secret-{index:04d}" for index in range(200)]

    threads = [threading.Thread(target=redactor.add, args=(secret,)) for secret in secrets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert redactor(" ".join(secrets)) == " ".join([REDACTED] * len(secrets))
