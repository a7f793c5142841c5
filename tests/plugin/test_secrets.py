"""No credential ever reaches the terminal or a report: not a token, not a password, not a cookie.

The pytester project's conftest.py records, from inside the example apps, every access token the apps
hand out and every password they hash; the test then looks for each of them in everything the run
wrote.
"""

from __future__ import annotations

import re

import pytest
from plugin_support import (
    BEARER_VALUE,
    DISPATCH,
    DISPATCH_CONFIG,
    NOTEBOOK,
    NOTEBOOK_CONFIG,
    SECRET_SPY_CONFTEST,
    recorded_secrets,
    secrets_in,
)

# A session cookie written out: "nb_session=" and anything but the "$TENANT_A_TOKEN" variable.
NOTEBOOK_COOKIE_VALUE = re.compile(r"nb_session=(?!\$[A-Z_]+_TOKEN\b)")


def _everything_written(project: pytest.Pytester, result: pytest.RunResult) -> str:
    reports = [project.path / "report.json", project.path / "junit.xml"]
    assert all(path.is_file() for path in reports)
    return "\n".join([result.stdout.str(), result.stderr.str(), *(path.read_text() for path in reports)])


def test_the_secret_check_can_fail() -> None:
    token = "W-fURAvNsBuaKX0ClxUSIK3SVmsbxE95Adk8ZLYe-WI"
    assert secrets_in(f'-H "Authorization: Bearer {token}"', []) == ["Bearer W..."]
    assert secrets_in(f"token={token}", [token]) == [token]
    assert secrets_in('-H "Authorization: Bearer $TENANT_A_TOKEN"', [token]) == []
    assert NOTEBOOK_COOKIE_VALUE.search(f'-b "nb_session={token}"')
    assert not NOTEBOOK_COOKIE_VALUE.search('-b "nb_session=$TENANT_A_TOKEN"')


def test_no_token_or_password_is_printed_or_reported(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", "all")
    project.makeconftest(SECRET_SPY_CONFTEST)

    result = project.runpytest_subprocess(
        f"--isolation-schema={DISPATCH}",
        f"--isolation-config={DISPATCH_CONFIG}",
        "--isolation-report-json=report.json",
        "--junitxml=junit.xml",
        "-rA",
        "-v",
    )

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    recorded = recorded_secrets(project.path)
    # Both tenants logged in and signed up: there were secrets to give away...
    assert len(recorded["tokens"]) >= 2 and all(len(token) >= 40 for token in recorded["tokens"])
    assert len(recorded["passwords"]) >= 4
    written = _everything_written(project, result)
    # ...and plenty of findings, whose evidence and reproductions could have carried them.
    assert written.count("[confirmed] ") >= 10
    assert "Authorization: Bearer $TENANT_A_TOKEN" in written
    assert secrets_in(written, recorded["tokens"] + recorded["passwords"]) == []
    assert not BEARER_VALUE.search(written)


def test_no_session_cookie_or_password_is_printed_or_reported(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTEBOOK_VULNERABILITIES", "all")
    project.makeconftest(SECRET_SPY_CONFTEST)

    result = project.runpytest_subprocess(
        f"--isolation-schema={NOTEBOOK}",
        f"--isolation-config={NOTEBOOK_CONFIG}",
        "--isolation-report-json=report.json",
        "--junitxml=junit.xml",
        "-rA",
    )

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    recorded = recorded_secrets(project.path)
    assert len(recorded["tokens"]) >= 2 and len(recorded["passwords"]) >= 4
    written = _everything_written(project, result)
    assert 'nb_session=$TENANT_A_TOKEN"' in written
    assert secrets_in(written, recorded["tokens"] + recorded["passwords"]) == []
    assert not NOTEBOOK_COOKIE_VALUE.search(written)
