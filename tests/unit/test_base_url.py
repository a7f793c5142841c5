"""Where an API fetched from a URL is tested: the origin it was fetched from, unless told otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from isolation_harness import _schemathesis as sts
from isolation_harness.openapi.loading import _url_base

SOURCE = "http://127.0.0.1:8000/openapi.json"


def _schema(servers: list[dict[str, str]] | None) -> Any:
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/things": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    if servers is not None:
        document["servers"] = servers
    return sts.load_dict(document)


@pytest.mark.parametrize(
    ("servers", "expected"),
    [
        (None, ("http://127.0.0.1:8000", "")),
        ([{"url": "http://127.0.0.1:8000/v2"}], ("http://127.0.0.1:8000/v2", "")),
        (
            [{"url": "/api/v1"}],
            (
                "http://127.0.0.1:8000/api/v1",
                "the origin the description was fetched from, under its relative server '/api/v1'",
            ),
        ),
        (
            [{"url": "https://api.example.com/v1"}],
            (
                "http://127.0.0.1:8000/v1",
                "the origin the description was fetched from; its `servers` names https://api.example.com/v1, "
                "another origin (pass --isolation-base-url=https://api.example.com/v1 to test that one)",
            ),
        ),
    ],
)
def test_the_origin_given_is_tested_and_the_choice_is_said(
    servers: list[dict[str, str]] | None, expected: tuple[str, str]
) -> None:
    assert _url_base(SOURCE, _schema(servers), None) == expected


def test_a_base_url_given_wins() -> None:
    schema = _schema([{"url": "https://api.example.com/v1"}])
    assert _url_base(SOURCE, schema, "http://127.0.0.1:9000") == ("http://127.0.0.1:9000", "")
