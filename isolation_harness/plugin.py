"""The pytest plugin: options, report header, one test item per API operation, and the tenant fixtures.

Inactive unless an API is configured (``--isolation-schema``, ``ISOLATION_SCHEMA`` or ``schema`` in
``[tool.isolation_harness]``): installing it never changes an unrelated test suite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from . import hookspecs
from .config import SETTINGS, ResolvedSetting, SettingSpec, parse_switch, read_pyproject, resolve_settings
from .errors import ConfigurationError
from .events import CampaignResult
from .extensions import PluginManager, extra_settings, plugin_manager, provisioner_from_hooks
from .model import Finding, Verdict
from .provisioning import Provisioner
from .registry import TenantRegistry
from .reporting import format_finding, terminal_summary
from .runner import HarnessRun, prepare
from .watching import Watcher
from .xdist import OUTPUT_KEY, campaign_once, is_controller, worker_id

_RUN = pytest.StashKey[HarnessRun | None]()
_SETTINGS = pytest.StashKey[dict[str, ResolvedSetting]]()
_RESULT = pytest.StashKey[CampaignResult]()
_WATCHER = pytest.StashKey[Watcher]()
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
            help=f"{spec.help}{' Without it the plugin does nothing.' if spec.name == 'schema' else ''} Env: {spec.env}.",
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
    if campaign_on:
        run.campaign.reserve_names()


def _hook_provisioner(config: pytest.Config) -> Provisioner | None:
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
        return [OperationItem.from_parent(self, name=label) for label in run.result.operations]


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
        result = _ensure_campaign(self.config, run)
        label = self.name
        findings = result.findings_for(label)
        failing = [
            f
            for f in findings
            if f.verdict is Verdict.CONFIRMED
            or (run.config.fail_on_suspected and f.verdict is Verdict.SUSPECTED)
        ]
        for finding in findings:
            self.user_properties.append(("finding", finding.to_dict()))
        if failing:
            raise IsolationLeak(label, failing)
        coverage = result.coverage[label]
        if coverage.probes == 0:
            reasons = "; ".join(coverage.skipped) or "no probe could be built"
            # Reported at the item, not at this line of the plugin.
            raise pytest.skip.Exception(f"not probed: {reasons}", _use_item_location=True)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, IsolationLeak):
            leak = excinfo.value
            header = f"{leak.operation} leaks across tenants ({len(leak.findings)} findings):"
            return "\n\n".join([header, *(format_finding(f) for f in leak.findings)])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "isolation", 0, f"isolation: {self.name}"


def _ensure_campaign(config: pytest.Config, run: HarnessRun) -> CampaignResult:
    """The campaign's result: run (once) by the first item that needs it, read by every other."""
    result = config.stash.get(_RESULT, None)
    if result is None:
        try:
            result, ran_here = campaign_once(config, run)
        except BaseException:
            # A crash (a bug, a plugin that raised): the campaign never runs twice; every later
            # item fails with what stopped it, and the findings made so far are in the reports.
            config.stash[_RESULT] = run.result
            _finished(config, run.result)
            raise
        config.stash[_RESULT] = result
        if ran_here:
            _finished(config, result)
        if result.setup_failed:
            pytest.exit(f"isolation-harness: {_reason(result)}", returncode=USAGE_ERROR)
    if not result.complete:
        pytest.fail(f"the campaign could not run: {_reason(result)}", pytrace=False)
    return result


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
    terminalreporter.section("isolation-harness")
    for line in terminal_summary(result, fail_on_suspected=run.config.fail_on_suspected):
        terminalreporter.write_line(line)
    if run.report is not None:
        terminalreporter.write_line(f"JSON report: {run.report.path}")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """Under pytest-xdist: the worker that ran the campaign hands its result to the controller."""
    config = node.config
    data = getattr(node, "workeroutput", {}).get(OUTPUT_KEY)
    if data is not None and is_controller(config):
        config.stash[_RESULT] = CampaignResult.from_dict(data)


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
    prefix = worker_id(config)
    if prefix:
        run.factory.use_prefix(f"{prefix}-")
    watcher = config.stash[_WATCHER] = Watcher(run.factory)
    return watcher


@pytest.fixture
def tenants(request: pytest.FixtureRequest) -> Iterator[TenantRegistry]:
    """Tenants created on demand (``tenants.create(2)``), torn down at the end of the test."""
    registry = TenantRegistry(_watcher(request.config))
    yield registry
    registry.close()


@pytest.fixture(scope="session")
def session_tenants(request: pytest.FixtureRequest) -> Iterator[TenantRegistry]:
    """Like ``tenants``, but shared by the whole session (faster; tests must not rely on a fresh tenant)."""
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
    try:
        return (yield)
    finally:
        if watcher is not None:
            watcher.strict -= 1
