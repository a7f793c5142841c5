"""The HTML report as a person sees it: rendered, served over HTTP, opened in headless Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from isolation_harness import (
    CampaignFinished,
    CampaignResult,
    ConfigurationError,
    Coverage,
    Finding,
    FindingKind,
    FindingMade,
    ProbeError,
    Redactor,
    ResolvedSetting,
    Verdict,
)
from isolation_harness_html import plugin, render_html
from isolation_harness_html.report import HtmlReport

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / "examples" / "dispatch_api" / "isolation.toml"

ORDER = "GET /orders/{order_id}"
CATALOGUE = "GET /catalogue/{item_id}"
DELETE = "DELETE /orders/{order_id}"
REPORTS = "GET /reports/{report_id}"
SIGNUP = "POST /accounts"
RESPONSE = 'HTTP 200\n{\n  "id": "ord_2",\n  "recipient_name": "Ada qzxv"\n}'
OWNER_RESPONSE = '{\n  "id": "ord_2",\n  "recipient_name": "Ada qzxv"\n}'
REPRODUCTION = (
    "# as tenant-a: the attack\n"
    'curl -sS -X GET http://127.0.0.1:8000/orders/ord_2 -H "Authorization: Bearer $TENANT_A_TOKEN"'
)
HOSTILE = 'HTTP 204 for tenant-a\'s <script>alert("x")</script> & <b>bold</b>'
ALLOW_RULE = "allow rule 1 (operation GET /catalogue/{item_id}, field name): public catalogue"


def _finding(operation: str, verdict: Verdict = Verdict.CONFIRMED, **fields: Any) -> Finding:
    values: dict[str, Any] = {
        "kind": FindingKind.READ,
        "oracle": "canary",
        "attacker": "tenant-a",
        "victim": "tenant-b",
        "slot": "path order_id",
        "status": 200,
        "evidence": "HTTP 200: tenant-b's canary qzxv in body /recipient_name",
        "reproduction": REPRODUCTION,
        **fields,
    }
    return Finding(operation=operation, verdict=verdict, **values)


def _coverage(operation: str, kinds: dict[str, int], gaps: dict[str, list[str]] | None = None) -> Coverage:
    coverage = Coverage(operation)
    for kind, count in kinds.items():
        for _ in range(count):
            coverage.probed("path order_id", kind=kind)
    for kind, reasons in (gaps or {}).items():
        for reason in reasons:
            coverage.skip(reason, kind=kind)
    return coverage


def _result() -> CampaignResult:
    """A run with one finding of every standing, a gap, an exclusion, an error, cut short."""
    signup = Coverage(SIGNUP)
    signup.exclude("used to provision tenants")
    reports = _coverage(REPORTS, {}, {"foreign-identifier": ["no identifier harvested for Report.id"]})
    reports.skip("no valid request for tenant-b")
    coverage = [
        signup,
        _coverage(ORDER, {"foreign-identifier": 4, "anonymous": 2}, {"search": ["no search parameter"]}),
        _coverage(CATALOGUE, {"foreign-identifier": 2, "anonymous": 2}),
        _coverage(
            DELETE,
            {"foreign-identifier": 2, "tombstone": 1},
            {"tombstone": ["only 1 of 2 tenants had an object left to delete"]},
        ),
        reports,
    ]
    return CampaignResult(
        operations=[item.operation for item in coverage],
        coverage={item.operation: item for item in coverage},
        findings=[
            _finding(ORDER, pointers=("/recipient_name",), response=RESPONSE, owner_response=OWNER_RESPONSE),
            _finding(DELETE, Verdict.SUSPECTED, oracle="status-only", status=204, evidence=HOSTILE),
            _finding(
                CATALOGUE,
                kind=FindingKind.PUBLIC,
                attacker="anonymous",
                victim="tenant-a",
                slot="path item_id",
                allowed=ALLOW_RULE,
            ),
            _finding(ORDER, oracle="owner-view", attacker="tenant-b", victim="tenant-a", baselined=True),
        ],
        errors=[ProbeError(REPORTS, "tenant-a", "path report_id", "HTTP 503", "server-error", probe=True)],
        tenants=["tenant-a", "tenant-b"],
        requests=42,
        retries=2,
        probe_requests=40,
        duration=12.34,
        complete=False,
        interrupted=True,
        stopped="request budget of 500 spent",
        gate=["isolation coverage 75% is below the minimum of 90%"],
    )


# -- the page in the browser ------------------------------------------------------------


@pytest.fixture
def page(open_page: Any, tmp_path: Path) -> Iterator[Any]:
    """The hand-built run's report, opened in the browser."""
    target = tmp_path / "report.html"
    target.write_text(render_html(_result()), encoding="utf-8")
    with open_page(target) as driver:
        yield driver


def _css(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def _all(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, selector))


def _stats(driver: Any) -> dict[str, str]:
    return {
        dt.text: dd.text
        for dt, dd in zip(_all(driver, "dl.stats dt"), _all(driver, "dl.stats dd"), strict=True)
    }


def _row(driver: Any, operation: str) -> list[str]:
    """What each cell of the matrix row of ``operation`` shows."""
    return [cell.text for cell in _all(driver, f'table.matrix tr[data-operation="{operation}"] > *')]


def _cells(driver: Any, operation: str) -> dict[str, str]:
    """The matrix row of ``operation``: column heading -> what its cell shows."""
    headings = [th.text for th in _all(driver, "table.matrix thead th")]
    return dict(zip(headings, _row(driver, operation), strict=True))


def _side_by_side(driver: Any, finding: str) -> tuple[str, str]:
    """The finding's two responses, checked to stand in one row, the attacker's on the left."""
    attacker = _css(driver, f"{finding} figure.attacker")
    owner = _css(driver, f"{finding} figure.owner")
    assert attacker.is_displayed() and owner.is_displayed()
    left, right = attacker.rect, owner.rect
    assert abs(left["y"] - right["y"]) < 1
    assert left["x"] + left["width"] <= right["x"]
    assert min(left["width"], right["width"]) > 300
    return attacker.text, owner.text


# -- the hand-built run ---------------------------------------------------------------------


def test_the_summary_says_the_verdict_and_the_numbers(page: Any) -> None:
    assert page.title == "Tenant isolation: 1 of 5 operations leak across tenants (1 confirmed finding)"
    assert _css(page, "h1").text == "Tenant isolation"
    assert [banner.text for banner in _all(page, ".banner")] == [
        "Interrupted: this report is incomplete. Operations the campaign did not reach were not judged.",
        "Stopped early: request budget of 500 spent. The coverage matrix shows the operations it did not reach.",
    ]
    assert _css(page, ".verdict").text == "1 of 5 operations leak across tenants (1 confirmed finding)."
    assert _css(page, ".counts").text == "4 findings: 1 confirmed, 1 suspected, 1 allowed, 1 baselined"
    assert _stats(page) == {
        "Operations": "5 (1 excluded)",
        "Tenants": "2 (tenant-a, tenant-b)",
        "Probes": "13",
        "Requests": "42 (2 retries)",
        "Duration": "12.3 s",
        "Coverage": "75% (3 of 4 operations probed)",
        "Error rate": "2.5% (1 probe error)",
        "Stopped": "request budget of 500 spent",
        "Gate": "isolation coverage 75% is below the minimum of 90%",
    }


def test_the_matrix_shows_probes_each_gaps_reason_and_exclusions(page: Any) -> None:
    headings = [th.text for th in _all(page, "table.matrix thead th")]
    assert headings == ["Operation", "foreign-identifier", "anonymous", "search", "tombstone", "Findings"]
    assert _cells(page, ORDER) == {
        "Operation": ORDER,
        "foreign-identifier": "4",
        "anonymous": "2",
        "search": "no search parameter",
        "tombstone": "—",
        "Findings": "1 confirmed, 1 baselined",
    }
    # A kind that sent some probes but not all: the count, then why not the others.
    assert _cells(page, DELETE)["tombstone"] == "1\nonly 1 of 2 tenants had an object left to delete"
    # An operation no probe reached: the kind's reason in its cell, the operation's own under its name.
    assert _cells(page, REPORTS) == {
        "Operation": f"{REPORTS}\nno valid request for tenant-b",
        "foreign-identifier": "no identifier harvested for Report.id",
        "anonymous": "—",
        "search": "—",
        "tombstone": "—",
        "Findings": "1 error",
    }
    # One cell across the kinds, then the findings column.
    assert _row(page, SIGNUP) == [SIGNUP, "excluded: used to provision tenants", "none"]
    assert _cells(page, CATALOGUE)["Findings"] == "1 allowed"


def test_a_finding_shows_its_facts_the_two_responses_side_by_side_and_the_reproduction(page: Any) -> None:
    assert _css(page, "#finding-1 h3").text == f"CONFIRMED 1. {ORDER}: tenant-a → tenant-b"
    facts = [
        (dt.text, dd.text)
        for dt, dd in zip(_all(page, "#finding-1 dt"), _all(page, "#finding-1 dd"), strict=True)
    ]
    assert facts[:6] == [
        ("Verdict", "confirmed"),
        ("Kind", "cross-tenant-read"),
        ("Oracle", "canary"),
        ("Attacker → victim", "tenant-a → tenant-b"),
        ("Slot", "path order_id"),
        ("Status", "200"),
    ]
    assert facts[7] == ("Seen at", "/recipient_name")
    assert (
        _css(page, "#finding-1 .evidence").text == "HTTP 200: tenant-b's canary qzxv in body /recipient_name"
    )
    assert [caption.text for caption in _all(page, "#finding-1 figcaption")] == [
        "What tenant-a (the attacker) received",
        "What tenant-b (the owner) sees",
    ]
    attacker, owner = _side_by_side(page, "#finding-1")
    assert attacker == "What tenant-a (the attacker) received\n" + RESPONSE
    assert owner == "What tenant-b (the owner) sees\n" + OWNER_RESPONSE
    assert _css(page, "#finding-1 pre.reproduction").text == REPRODUCTION


def test_an_unknown_owner_view_says_so_and_a_suspected_finding_says_when_it_fails(page: Any) -> None:
    assert _css(page, "#finding-2 h3").text == f"SUSPECTED 2. {DELETE}: tenant-a → tenant-b"
    assert (
        _css(page, "#finding-2 .note").text == 'Suspected: reported, failing only with fail_on = "suspected".'
    )
    assert _css(page, "#finding-2 figure.owner .unknown").text == "Not known for this finding."


def test_allowed_and_baselined_findings_are_listed_apart_not_as_leaks(page: Any) -> None:
    assert [article.get_attribute("id") for article in _all(page, "#findings article")] == [
        "finding-1",
        "finding-2",
    ]
    assert _css(page, "#allowed h2").text == "Allowed: data shared on purpose"
    assert _css(page, "#allowed article h3").text == f"ALLOWED 3. {CATALOGUE}: anonymous → tenant-a"
    assert _css(page, "#allowed .note").text == f"Not a leak: allowed by {ALLOW_RULE}"
    assert _css(page, "#baselined h2").text == "Baselined: accepted findings"
    assert _css(page, "#baselined article h3").text == f"BASELINED 4. {ORDER}: tenant-b → tenant-a"
    assert (
        _css(page, "#baselined .note").text
        == "Not failing: this finding is in the baseline of accepted findings."
    )


def test_values_are_shown_as_text_and_the_page_loads_nothing(page: Any) -> None:
    # The evidence's markup is text on the page, not elements.
    assert _css(page, "#finding-2 .evidence").text == HOSTILE
    assert _all(page, "script") == []
    assert _all(page, ".evidence b") == []
    # Nothing was fetched besides the page itself: no stylesheet, font, image or script.
    assert page.execute_script("return performance.getEntriesByType('resource').map(e => e.name)") == []


def test_a_clean_complete_run_says_so_without_banners(open_page: Any, tmp_path: Path) -> None:
    coverage = _coverage(ORDER, {"foreign-identifier": 2})
    result = CampaignResult(
        operations=[ORDER], coverage={ORDER: coverage}, tenants=["tenant-a", "tenant-b"], complete=True
    )
    target = tmp_path / "clean.html"
    target.write_text(render_html(result), encoding="utf-8")
    with open_page(target) as driver:
        assert _css(driver, ".verdict").text == "No confirmed cross-tenant leak in 1 operation."
        assert _all(driver, ".banner") == []
        assert _css(driver, "#findings p").text == "No cross-tenant finding."
        assert (
            _stats(driver)["Gate"]
            == "passed: enough was probed and answered for the findings to be a verdict"
        )


def test_a_run_interrupted_before_it_started_says_so_and_judges_no_gate() -> None:
    fatal = "KeyboardInterrupt: interrupted before the campaign started"
    html = render_html(CampaignResult(interrupted=True, fatal=fatal))
    assert (
        '<p class="banner" role="alert">Interrupted: this report is incomplete (KeyboardInterrupt: interrupted '
        "before the campaign started). Operations the campaign did not reach were not judged.</p>"
    ) in html
    assert (
        '<p class="verdict incomplete">No confirmed leak in what ran, but the campaign did not complete.</p>'
        in html
    )
    assert "<dt>Coverage</dt><dd>no operation was probed</dd>" in html
    assert '<dt>Gate</dt><dd class="gate">not judged: the campaign did not complete</dd>' in html


# -- the plugin, as a user runs it ----------------------------------------------------------


def _dispatch_count() -> int:
    from examples.dispatch_api import create_app

    return sum(len(item) for item in create_app().openapi()["paths"].values())


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_a_real_campaign_under_pytest_writes_the_page(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, open_page: Any, workers: tuple[str, ...]
) -> None:
    """Under pytest-xdist the controller writes the page of the merged shards: the serial run's page."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", "read-by-id")
    target = pytester.path / "out" / "isolation.html"
    result = pytester.runpytest_subprocess(
        *workers,
        "--isolation-schema=examples.dispatch_api:app",
        f"--isolation-config={CONFIG}",
        f"--isolation-report-html={target}",
        "-k",
        "orders and order_id and not parcels and not shares",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    html = target.read_text(encoding="utf-8")
    assert "Bearer ey" not in html
    assert [path.name for path in target.parent.iterdir()] == ["isolation.html"]
    with open_page(target) as driver:
        expected = f"1 of {_dispatch_count()} operations leak across tenants (2 confirmed findings)."
        assert _css(driver, ".verdict").text == expected
        assert _row(driver, "GET /orders") == ["GET /orders", "excluded: not selected in this run", "none"]
        assert _cells(driver, ORDER)["Findings"] == "2 confirmed"
        assert _css(driver, "#finding-1 h3").text == f"CONFIRMED 1. {ORDER}: tenant-a → tenant-b"
        attacker, owner = _side_by_side(driver, "#finding-1")
        # Both show the victim's data: its canary, named in the evidence.
        canary = re.search(r"tenant-b's canary (\w+) in body", _css(driver, "#finding-1 .evidence").text)
        assert canary is not None
        assert attacker.splitlines()[1] == "HTTP 200"
        assert canary[1] in attacker
        assert canary[1] in owner
        reproduction = _css(driver, "#finding-1 pre.reproduction").text
        assert reproduction.splitlines()[-1].startswith("curl -sS -X GET http://testserver/orders/")
        assert reproduction.endswith('-H "Authorization: Bearer $TENANT_A_TOKEN"')


def test_the_command_line_writes_it_from_the_environment(tmp_path: Path) -> None:
    target = tmp_path / "isolation.html"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DISPATCH_VULNERABILITIES": "read-by-id",
        "ISOLATION_REPORT_HTML": str(target),
    }
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "isolation_harness",
            "run",
            "--schema=examples.dispatch_api:app",
            f"--config={CONFIG}",
            "--quiet",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 1, completed.stderr
    expected = f"1 of {_dispatch_count()} operations leak across tenants (2 confirmed findings)."
    assert f'<p class="verdict leak">{expected}</p>' in target.read_text(encoding="utf-8")


def test_without_the_setting_nothing_is_written(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.delenv("ISOLATION_REPORT_HTML", raising=False)
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
    assert not list(pytester.path.rglob("*.html"))


def test_an_unwritable_path_is_refused_before_the_campaign(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    setting = ResolvedSetting(str(tmp_path / "file" / "report.html"), "option")
    with pytest.raises(ConfigurationError) as raised:
        plugin.isolation_harness_listeners({"report_html": setting}, Redactor())
    assert str(raised.value) == (
        f"--isolation-report-html={setting.value!r} (from option): cannot write the report there: "
        f"{tmp_path / 'file'} is not a directory. Pass a file path in a directory you can write to."
    )
    assert (
        plugin.isolation_harness_listeners({"report_html": ResolvedSetting(None, "default")}, Redactor())
        == []
    )


def _listener(target: Path, redactor: Redactor) -> Any:
    """The report the plugin's listeners hook gives for ``target``."""
    (listener,) = plugin.isolation_harness_listeners(
        {"report_html": ResolvedSetting(str(target), "env")}, redactor
    )
    assert isinstance(listener, HtmlReport)
    return listener


def test_written_at_each_campaign_finished_the_last_page_wins_redacted(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "isolation.html"
    secret = "s3cret-token-of-tenant-b"
    listener = _listener(target, Redactor([secret]))
    first = CampaignResult(operations=[ORDER], complete=True)
    listener.on_event(CampaignFinished(first), first)
    assert "No confirmed cross-tenant leak in 1 operation." in target.read_text(encoding="utf-8")
    second = _result()
    second.findings[0] = replace(second.findings[0], evidence=f"HTTP 200: Bearer {secret}")
    # Other events write nothing; the page is written once the campaign has finished.
    listener.on_event(FindingMade(second.findings[0]), second)
    assert "No confirmed cross-tenant leak in 1 operation." in target.read_text(encoding="utf-8")
    listener.on_event(CampaignFinished(second), second)
    page = target.read_text(encoding="utf-8")
    assert secret not in page
    assert page == render_html(second).replace(secret, "[REDACTED]")
    assert '<p class="evidence">HTTP 200: Bearer [REDACTED]</p>' in page
    assert [path.name for path in target.parent.iterdir()] == ["isolation.html"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_suspected_findings_fail_when_the_config_says_so() -> None:
    suspected = _finding(DELETE, Verdict.SUSPECTED, oracle="status-only", status=204, evidence="HTTP 204")
    coverage = _coverage(DELETE, {"foreign-identifier": 2})
    result = CampaignResult(
        operations=[ORDER, DELETE], coverage={DELETE: coverage}, findings=[suspected], complete=True
    )
    html = render_html(result)
    assert '<p class="verdict clean">No confirmed cross-tenant leak in 2 operations.</p>' in html
    assert '<p class="note">Suspected: reported, failing only with fail_on = "suspected".</p>' in html
    assert '<td class="tally">1 suspected</td>' in html
    result.fail_on_suspected = True
    html = render_html(result)
    assert (
        '<p class="verdict leak">1 of 2 operations may leak across tenants (1 suspected finding).</p>' in html
    )
    assert '<p class="note">Suspected, and failing: the config says fail_on = "suspected".</p>' in html
    assert '<td class="leak">1 suspected</td>' in html
    # With a confirmed finding too, both are counted and the leak is shown.
    result.findings.append(_finding(ORDER))
    assert (
        '<p class="verdict leak">2 of 2 operations leak across tenants (1 confirmed finding, 1 suspected '
        "finding).</p>"
    ) in render_html(result)


def test_the_plugin_is_installed_through_its_entry_point() -> None:
    from importlib.metadata import entry_points

    found = entry_points(group="isolation_harness", name="isolation_harness_html")
    assert [entry.value for entry in found] == ["isolation_harness_html.plugin"]
