"""The responses a finding carries, as a person reads them: status, indented JSON, secrets redacted, cut."""

from __future__ import annotations

from isolation_harness.engine.findings import RESPONSE_LIMIT, readable
from isolation_harness.redaction import Redactor

TOKEN = "tok_9f8e7d6c5b4a"


def test_a_json_body_is_indented_under_its_status_line() -> None:
    text = '{"id": "ord_1", "items": [{"name": "Caf\\u00e9"}]}'
    assert readable(text, status=200, redactor=Redactor()) == (
        'HTTP 200\n{\n  "id": "ord_1",\n  "items": [\n    {\n      "name": "Café"\n    }\n  ]\n}'
    )


def test_a_text_body_is_kept_as_it_came_and_no_status_means_no_status_line() -> None:
    assert readable("Not found: order 7", status=404, redactor=Redactor()) == "HTTP 404\nNot found: order 7"
    assert readable('{"id": 7}', status=None, redactor=Redactor()) == '{\n  "id": 7\n}'
    assert readable("", status=204, redactor=Redactor()) == "HTTP 204"
    assert readable("null", status=200, redactor=Redactor()) == "HTTP 200\nnull"


def test_registered_secrets_and_fields_named_as_secrets_are_redacted() -> None:
    text = f'{{"note": "Bearer {TOKEN}", "api_token": "x1", "password": "hunter22", "token": null, "n": 3}}'
    shown = readable(text, status=200, redactor=Redactor([TOKEN]))
    assert TOKEN not in shown and "hunter22" not in shown and "x1" not in shown
    assert shown == (
        'HTTP 200\n{\n  "note": "Bearer [REDACTED]",\n  "api_token": "[REDACTED]",\n'
        '  "password": "[REDACTED]",\n  "token": null,\n  "n": 3\n}'
    )
    # In a body that is not JSON, registered secrets still go.
    assert readable(f"token={TOKEN}", status=500, redactor=Redactor([TOKEN])) == "HTTP 500\ntoken=[REDACTED]"


def test_a_long_response_is_cut_and_says_how_much_is_left() -> None:
    text = "x" * 5000
    shown = readable(text, status=200, redactor=Redactor())
    # "HTTP 200\n" is 9 characters of the whole 5009.
    assert shown == "HTTP 200\n" + "x" * (RESPONSE_LIMIT - 9) + "\n… (1009 more characters)"
    assert readable("y" * (RESPONSE_LIMIT - 9), status=200, redactor=Redactor()).endswith("y")
