"""The pytest plugin: options, report header, one test item per API operation, and the tenant fixtures.

Inactive unless an API is configured (``--isolation-schema``, ``ISOLATION_SCHEMA`` or ``schema`` in
``[tool.isolation_harness]``): installing it never changes an unrelated test suite, nor slows it.
pytest imports this module in every run, so at import time it takes only the standard library, pytest
and the harness's light modules (settings, errors, hooks); the engine, schemathesis, hypothesis, faker
and requests are imported once an API is configured, or a tenant fixture is used.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from . import hookspecs
from .config.settings import (
    SETTINGS,
    ResolvedSetting,
    SettingSpec,
    parse_switch,
    read_pyproject,
    resolve_settings,
)
from .errors import ConfigurationError
from .extensions import PluginManager, extra_settings, plugin_manager

if TYPE_CHECKING:
    from .events import CampaignResult
    from .model import Finding
    from .provisioning import Provisioner
    from .registry import TenantRegistry
    from .runner import HarnessRun
    from .watching import Watcher
    from .xdist import Shards

_RUN: pytest.StashKey[HarnessRun | None] = pytest.StashKey()
_SETTINGS: pytest.StashKey[dict[str, ResolvedSetting]] = pytest.StashKey()
_RESULT: pytest.StashKey[CampaignResult] = pytest.StashKey()
_WATCHER: pytest.StashKey[Watcher] = pytest.StashKey()
_SHARDS: pytest.StashKey[Shards] = pytest.StashKey()
_WORKER_RESULTS: pytest.StashKey[list[dict[str, Any]]] = pytest.StashKey()
USAGE_ERROR = int(pytest.ExitCode.USAGE_ERROR)


def _specs(manager: PluginManager) -> list[SettingSpec]:
    return [*SETTINGS, *extra_settings(manager)]


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("isolation-harness", "cross-tenant isolation campaign")
    for spec in _specs(plugin_manager()):
        group.addoption(
            spec.option,
            dest=f"isolation_{spec.name}",
            default=None,
            metavar=spec.name.upper(),
            # argparse formats help with %: a "50%" in it must be written "50%%".
            help=f"{spec.help}{' Without it the plugin does nothing.' if spec.name == 'schema' else ''} "
            f"Env: {spec.env}.".replace("%", "%%"),
        )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "isolation: check every response any tenant receives during the test for other tenants' data "
        "(as `with expect_isolated(...)` around the whole test).",
    )
    manager = plugin_manager()
    specs = _specs(manager)
    options = {spec.name: config.getoption(f"isolation_{spec.name}") for spec in specs}
    try:
        pyproject, pyproject_path = read_pyproject(config.rootpath, specs=specs)
        settings = resolve_settings(options, os.environ, pyproject, specs=specs)
    except ConfigurationError as exc:
        raise pytest.UsageError(f"isolation-harness: {exc}") from None
    config.stash[_SETTINGS] = settings
    config.stash[_RUN] = None
    if not settings["schema"].value:
        return
    from .runner import prepare
    from .xdist import Shards, is_worker

    worker = is_worker(config)
    if worker:
        # A worker probes a shard; the controller merges the shards and writes every report.
        settings = {
            name: ResolvedSetting(None, "default") if name.startswith("report_") else value
            for name, value in settings.items()
        }
    try:
        campaign_on = parse_switch("campaign", settings["campaign"])
        run = prepare(
            settings,
            manager=manager,
            provisioner=_hook_provisioner(config),
            config_dir=config.rootpath,
            pyproject=pyproject,
            pyproject_path=pyproject_path,
        )
    except ConfigurationError as exc:
        raise pytest.UsageError(f"isolation-harness: {exc}") from None
    config.stash[_RUN] = run
    if worker:
        run.publishes = False
        config.stash[_SHARDS] = Shards(config, run)
    if campaign_on:
        run.campaign.reserve_names()


def _hook_provisioner(config: pytest.Config) -> Provisioner | None:
    from .extensions import provisioner_from_hooks

    hook = config.pluginmanager.hook
    if not hook.pytest_isolation_provision.get_hookimpls():
        return None
    return provisioner_from_hooks(
        hook.pytest_isolation_provision, hook.pytest_isolation_teardown, name="pytest_isolation_provision"
    )


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    run = config.stash.get(_RUN, None)
    if run is None:
        return None
    settings = config.stash[_SETTINGS]
    parts = [f"{name}={value.value} (from {value.source})" for name, value in settings.items() if value.value]
    return [
        "isolation-harness: " + ", ".join(parts),
        f"isolation-harness: {len(run.result.operations)} operations via {run.api.transport.kind} "
        f"at {run.api.transport.base_url}"
        + (f" ({run.api.base_url_reason})" if run.api.base_url_reason else ""),
    ]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    run = config.stash.get(_RUN, None)
    if run is None or not parse_switch("campaign", config.stash[_SETTINGS]["campaign"]):
        return
    collector = CampaignCollector.from_parent(session, name="isolation", nodeid="isolation")
    collected = collector.collect()
    # Reported like any collected node, so "collected N items" counts the campaign's items too.
    config.hook.pytest_collectreport(
        report=pytest.CollectReport(
            collector.nodeid, "passed", None, list[pytest.Item | pytest.Collector](collected)
        )
    )
    items.extend(collected)


def pytest_collection_finish(session: pytest.Session) -> None:
    run = session.config.stash.get(_RUN, None)
    if run is None:
        return
    # `-k`, `-m` and node ids narrow the campaign to the selected operations.
    selected = frozenset(item.name for item in session.items if isinstance(item, OperationItem))
    if not selected:
        run.campaign.release_names()
    elif selected != frozenset(run.result.operations):
        run.campaign.narrow(selected)


class CampaignCollector(pytest.Collector):
    """Holds one item per API operation."""

    def collect(self) -> list[pytest.Item]:
        run = self.config.stash[_RUN]
        assert run is not None
        items: list[pytest.Item] = [
            OperationItem.from_parent(self, name=label) for label in run.result.operations
        ]
        return [*items, GateItem.from_parent(self, name="gate")]


class IsolationLeak(AssertionError):
    """An operation let one tenant read or change another tenant's data."""

    def __init__(self, operation: str, findings: list[Finding]) -> None:
        super().__init__(f"{operation}: {len(findings)} cross-tenant findings")
        self.operation = operation
        self.findings = findings


class OperationItem(pytest.Item):
    """The campaign's verdict on one API operation."""

    def runtest(self) -> None:
        run = self.config.stash[_RUN]
        assert run is not None
        label = self.name
        result = _ensure_campaign(self.config, run, label)
        findings = result.findings_for(label)
        failing = [f for f in findings if f.fails(fail_on_suspected=result.fail_on_suspected)]
        for finding in findings:
            # JSON text: pytest's JUnit XML writes a property's value with str().
            self.user_properties.append(("finding", json.dumps(finding.to_dict())))
        if failing:
            raise IsolationLeak(label, failing)
        if not result.coverage[label].covered:
            # Reported at the item, not at this line of the plugin.
            raise pytest.skip.Exception(
                f"not probed: {result.why_not_probed(label)}", _use_item_location=True
            )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, IsolationLeak):
            from .reports import format_finding

            leak = excinfo.value
            header = f"{leak.operation} leaks across tenants ({len(leak.findings)} findings):"
            return "\n\n".join([header, *(format_finding(f) for f in leak.findings)])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "isolation", 0, f"isolation: {self.name}"


class GateFailed(AssertionError):
    """The run is no verdict: too little of the API was probed, or too many requests failed."""


class GateItem(pytest.Item):
    """The release gate: isolation coverage and error rate (``--isolation-min-coverage``,
    ``--isolation-max-error-rate``); it fails with each reason."""

    def runtest(self) -> None:
        from .gate import check_gate

        run = self.config.stash[_RUN]
        assert run is not None
        _ensure_campaign(self.config, run, None)
        shards = self.config.stash.get(_SHARDS, None)
        result = shards.merged() if shards is not None else run.result
        failures = check_gate(result, run.gate) if result.complete else []
        if failures:
            raise GateFailed("\n".join(failures))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, GateFailed):
            return f"the run is no verdict on the API:\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "isolation", 0, "isolation: gate"


def _ensure_campaign(config: pytest.Config, run: HarnessRun, operation: str | None) -> CampaignResult:
    """The result that judges ``operation`` (every operation's, for ``None``): the campaign is run once
    (by the first item that needs it, or by each pytest-xdist worker for its shard), read by every other."""
    from .xdist import run_serially

    shards = config.stash.get(_SHARDS, None)
    result = config.stash.get(_RESULT, None)
    if result is None:
        try:
            result = shards.run_own(config) if shards is not None else run_serially(run)
        except BaseException:
            # A crash (a bug, a plugin that raised): the campaign never runs twice; every later
            # item fails with what stopped it, and the findings made so far are in the reports.
            config.stash[_RESULT] = run.result
            if shards is None:
                _finished(config, run.result)
            raise
        config.stash[_RESULT] = result
        if shards is None:
            _finished(config, result)
    if shards is not None:
        result = shards.merged() if operation is None else shards.result_for(operation)
    if result.setup_failed:
        pytest.exit(f"isolation-harness: {_reason(result)}", returncode=USAGE_ERROR)
    if not result.complete:
        pytest.fail(f"the campaign could not run: {_reason(result)}", pytrace=False)
    return result


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> Iterator[None]:
    """A pytest-xdist worker probes its shard before it takes a test, so no worker waits on one that
    was given no campaign item."""
    config = session.config
    shards = config.stash.get(_SHARDS, None)
    run = config.stash.get(_RUN, None)
    if shards is not None and run is not None and run.campaign.tenant_names:
        with contextlib.suppress(Exception):
            # A crash is reported by every item (see `_ensure_campaign`).
            _ensure_campaign(config, run, None)
    return (yield)


def _finished(config: pytest.Config, result: CampaignResult) -> None:
    config.hook.pytest_isolation_campaign_finished(result=result, config=config)


def _reason(result: CampaignResult) -> str:
    """What stopped the campaign, without the error's class name."""
    return (result.fatal or "it stopped before it finished").split(": ", 1)[-1]


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    result = config.stash.get(_RESULT, None)
    run = config.stash.get(_RUN, None)
    if result is None or run is None:
        return
    from .reports import report_lines, terminal_summary

    terminalreporter.section("isolation-harness")
    for line in terminal_summary(result):
        terminalreporter.write_line(line)
    settings = config.stash[_SETTINGS]
    for line in report_lines(settings):
        terminalreporter.write_line(line)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """Under pytest-xdist: each worker hands its shard's result to the controller."""
    config = node.config
    if config.stash.get(_RUN, None) is None:
        return
    from .xdist import OUTPUT_KEY, is_controller

    data = getattr(node, "workeroutput", {}).get(OUTPUT_KEY)
    if data is not None and is_controller(config):
        config.stash.setdefault(_WORKER_RESULTS, []).append(data)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist: the controller merges the workers' shards, judges the gate and writes every
    report once."""
    config = session.config
    run = config.stash.get(_RUN, None)
    shards = config.stash.get(_WORKER_RESULTS, None)
    if run is None or not shards:
        return
    from .events import CampaignResult
    from .gate import check_gate
    from .merging import merge_results

    result = merge_results([CampaignResult.from_dict(data) for data in shards])
    if result.complete:
        result.gate = check_gate(result, run.gate)
    config.stash[_RESULT] = result
    run.publish(result)
    _finished(config, result)


# -- fixtures for developers' own tests ----------------------------------------------------------


def _watcher(config: pytest.Config) -> Watcher:
    watcher = config.stash.get(_WATCHER, None)
    if watcher is not None:
        return watcher
    run = config.stash.get(_RUN, None)
    if run is None:
        raise ConfigurationError(
            "The tenants fixtures need an API and a way to create tenants: pass --isolation-schema and "
            "--isolation-config (or set them in [tool.isolation_harness]). See the README, section "
            "'Writing isolation assertions'."
        )
    from .watching import Watcher
    from .xdist import worker_id

    prefix = worker_id(config)
    if prefix:
        run.factory.use_prefix(f"{prefix}-")
    watcher = config.stash[_WATCHER] = Watcher(run.factory)
    return watcher


@pytest.fixture
def tenants(request: pytest.FixtureRequest) -> Iterator[TenantRegistry]:
    """Tenants created on demand (``tenants.create(2)``), torn down at the end of the test."""
    from .registry import TenantRegistry

    registry = TenantRegistry(_watcher(request.config))
    yield registry
    registry.close()


@pytest.fixture(scope="session")
def session_tenants(request: pytest.FixtureRequest) -> Iterator[TenantRegistry]:
    """Like ``tenants``, but shared by the whole session (faster; tests must not rely on a fresh tenant)."""
    from .registry import TenantRegistry

    registry = TenantRegistry(_watcher(request.config))
    yield registry
    registry.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    marked = item.get_closest_marker("isolation") is not None
    watcher = item.config.stash.get(_WATCHER, None) if marked else None
    if marked and watcher is None and item.config.stash.get(_RUN, None) is not None:
        watcher = _watcher(item.config)
    if watcher is not None:
        watcher.strict += 1
    since = len(watcher.violations) if watcher is not None else 0
    try:
        result = yield
        # A response a thread of the test received failed there; the test may never have waited on it.
        missed = watcher.elsewhere(since) if watcher is not None else None
        if missed is not None:
            raise missed
        return result
    finally:
        if watcher is not None:
            watcher.strict -= 1
