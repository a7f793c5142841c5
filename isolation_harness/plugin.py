"""The pytest plugin: options, report header, one test item per API operation.

Inactive unless an API is configured (``--isolation-schema``, ``ISOLATION_SCHEMA`` or ``schema`` in
``[tool.isolation_harness]``): installing it never changes an unrelated test suite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from .campaign import CampaignResult
from .config import SETTINGS, ResolvedSetting, parse_switch, read_pyproject, resolve_settings
from .errors import ConfigurationError, IsolationHarnessError, ProvisioningError
from .model import Finding, Verdict
from .provisioning import CallableProvisioner, ProvisionContext, Provisioner
from .registry import TenantFactory, TenantRegistry
from .reporting import format_finding, summarize
from .runner import HarnessRun, prepare
from .tenants import Tenant

_RUN = pytest.StashKey[HarnessRun | None]()
_SETTINGS = pytest.StashKey[dict[str, ResolvedSetting]]()
USAGE_ERROR = int(pytest.ExitCode.USAGE_ERROR)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("isolation-harness", "cross-tenant isolation campaign")
    for spec in SETTINGS:
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
    options = {spec.name: config.getoption(f"isolation_{spec.name}") for spec in SETTINGS}
    try:
        pyproject, _ = read_pyproject(config.rootpath)
        settings = resolve_settings(options, os.environ, pyproject)
    except ConfigurationError as exc:
        raise pytest.UsageError(f"isolation-harness: {exc}") from None
    config.stash[_SETTINGS] = settings
    config.stash[_RUN] = None
    if not settings["schema"].value:
        return
    try:
        parse_switch("campaign", settings["campaign"])
    except ConfigurationError as exc:
        raise pytest.UsageError(f"isolation-harness: {exc}") from None
    if getattr(config, "workerinput", None) is not None:
        # Under pytest-xdist only the controller collects the campaign's items' outcome order;
        # each worker runs the campaign for the items it is given.
        pass
    provisioner = _hook_provisioner(config)
    try:
        run = prepare(settings, provisioner=provisioner, config_dir=config.rootpath)
    except ConfigurationError as exc:
        raise pytest.UsageError(f"isolation-harness: {exc}") from None
    config.stash[_RUN] = run


def _hook_provisioner(config: pytest.Config) -> Provisioner | None:
    hook = config.pluginmanager.hook
    if not hook.pytest_isolation_provision.get_hookimpls():
        return None

    def provision(tenant: Tenant, context: ProvisionContext) -> Any:
        result = hook.pytest_isolation_provision(tenant=tenant, context=context)
        if result is None:
            raise ProvisioningError(
                f"The pytest_isolation_provision hook returned None for tenant {tenant.name!r}; "
                "return Credentials, a token string, or a mapping of headers."
            )
        return result

    def teardown(tenant: Tenant, context: ProvisionContext) -> None:
        hook.pytest_isolation_teardown(tenant=tenant, context=context)

    # `prepare` gives it the config's [tenants.auth], wherever the config comes from.
    return CallableProvisioner(function=provision, teardown_function=teardown)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    run = config.stash.get(_RUN, None)
    if run is None:
        return None
    settings = config.stash[_SETTINGS]
    parts = [f"{name}={value.value} (from {value.source})" for name, value in settings.items() if value.value]
    return [
        "isolation-harness: " + ", ".join(parts),
        f"isolation-harness: {len(run.result.operations)} operations via {run.api.transport.kind} "
        f"at {run.api.transport.base_url}",
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
        result = _ensure_campaign(self.config)
        label = self.name
        run = self.config.stash[_RUN]
        assert run is not None
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


def _ensure_campaign(config: pytest.Config) -> CampaignResult:
    run = config.stash[_RUN]
    assert run is not None
    state = config.stash.get(_STATE, None)
    if state is None:
        state = {}
        config.stash[_STATE] = state
        try:
            run.run()
        except (ConfigurationError, ProvisioningError) as exc:
            state["fatal"] = str(exc)
            pytest.exit(f"isolation-harness: {exc}", returncode=USAGE_ERROR)
        except IsolationHarnessError as exc:
            state["fatal"] = str(exc)
    if state.get("fatal"):
        pytest.fail(f"the campaign could not run: {state['fatal']}", pytrace=False)
    result: CampaignResult = run.result
    return result


_STATE = pytest.StashKey[dict[str, str]]()


def pytest_sessionfinish(session: pytest.Session) -> None:
    run = session.config.stash.get(_RUN, None)
    if run is None or session.config.stash.get(_STATE, None) is None:
        return
    session.config.hook.pytest_isolation_campaign_finished(result=run.result, config=session.config)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(_RUN, None)
    if run is None or config.stash.get(_STATE, None) is None:
        return
    result = run.result
    terminalreporter.section("isolation-harness")
    if result.fatal:
        terminalreporter.write_line(f"the campaign stopped: {result.fatal}")
        terminalreporter.write_line(f"findings made before it stopped: {len(result.findings)}")
    else:
        terminalreporter.write_line(summarize(result))
    suspected = [f for f in result.findings if f.verdict is Verdict.SUSPECTED]
    if suspected and not run.config.fail_on_suspected:
        terminalreporter.write_line(
            f'{len(suspected)} suspected findings (not failing; set fail_on = "suspected"):'
        )
        for finding in suspected:
            terminalreporter.write_line(format_finding(finding))
    for error in result.errors[:10]:
        terminalreporter.write_line(
            f"probe error: {error.operation} ({error.attacker}, {error.slot}): {error.message}"
        )
    if len(result.errors) > 10:
        terminalreporter.write_line(
            f"... and {len(result.errors) - 10} more probe errors (see the JSON report)"
        )
    for note in result.seeding[:10]:
        terminalreporter.write_line(f"seeding: {note}")
    if run.report is not None:
        terminalreporter.write_line(f"JSON report: {run.report.path}")


# -- fixtures for developers' own tests ----------------------------------------------------------

_FACTORY = pytest.StashKey[TenantFactory]()


def _factory(config: pytest.Config) -> TenantFactory:
    factory = config.stash.get(_FACTORY, None)
    if factory is not None:
        return factory
    run = config.stash.get(_RUN, None)
    if run is None:
        raise ConfigurationError(
            "The tenants fixtures need an API and a way to create tenants: pass --isolation-schema and "
            "--isolation-config (or set them in [tool.isolation_harness]). See the README, section "
            "'Writing isolation assertions'."
        )
    campaign = run.campaign
    factory = TenantFactory(
        context=campaign.provision_context, provisioner=campaign.provisioner, seed=campaign.settings.seed
    )
    config.stash[_FACTORY] = factory
    return factory


@pytest.fixture
def tenants(request: pytest.FixtureRequest) -> Iterator[TenantRegistry]:
    """Tenants created on demand (``tenants.create(2)``), torn down at the end of the test."""
    registry = TenantRegistry(_factory(request.config))
    yield registry
    registry.close()


@pytest.fixture(scope="session")
def session_tenants(request: pytest.FixtureRequest) -> Iterator[TenantRegistry]:
    """Like ``tenants``, but shared by the whole session (faster; tests must not rely on a fresh tenant)."""
    registry = TenantRegistry(_factory(request.config))
    yield registry
    registry.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    marked = item.get_closest_marker("isolation") is not None
    factory = item.config.stash.get(_FACTORY, None) if marked else None
    if marked and factory is None and item.config.stash.get(_RUN, None) is not None:
        factory = _factory(item.config)
    if factory is not None:
        factory.strict += 1
    try:
        return (yield)
    finally:
        if factory is not None:
            factory.strict -= 1
