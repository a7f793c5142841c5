"""From settings to a ready campaign: the one path the pytest plugin, the command line and tests share."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ._version import __version__
from .baseline import Baseline
from .config import (
    HarnessConfig,
    ResolvedSetting,
    load_config,
    parse_duration,
    parse_fraction,
    parse_int,
    parse_names,
    parse_shard,
)
from .engine.campaign import Campaign
from .engine.settings import CampaignSettings
from .errors import ConfigurationError
from .events import CampaignFinished, CampaignListener, CampaignResult
from .exit_codes import ExitCode
from .extensions import (
    PluginManager,
    extra_listeners,
    extra_oracles,
    extra_probe_kinds,
    finished,
    hook_provisioner,
    load_hooks,
    plugin_manager,
    register_hooks,
)
from .gate import GateSettings, check_gate
from .openapi import LoadedApi, OpenApiDescription, load_api
from .oracles import builtin_oracles
from .probes import builtin_probe_kinds
from .profiles import chosen_profile
from .provisioning import CallableProvisioner, DeclarativeProvisioner, ProvisionContext, Provisioner
from .redaction import Redactor
from .reports import ReportMeta, open_reports
from .retrying import RetryPolicy
from .tenant_factory import TenantFactory
from .tenants import AuthScheme, Credentials, Tenant

_T = TypeVar("_T")


@dataclass
class HarnessRun:
    """A configured campaign: the loaded API, the config, the tenant factory, the plugins and the reports."""

    settings: Mapping[str, ResolvedSetting]
    api: LoadedApi
    config: HarnessConfig
    campaign: Campaign
    factory: TenantFactory
    manager: PluginManager
    gate: GateSettings = field(default_factory=GateSettings)
    # Whether :meth:`run` writes the reports; a pytest-xdist worker's shard leaves that to the controller.
    publishes: bool = True
    # How the front end spells an option in what the run says (pytest's spelling by default).
    spell: Callable[[str], str] = field(default=lambda option: option)

    def run(self) -> CampaignResult:
        """Run the campaign, judge the gate, and write every report a last time whatever happened
        (an interrupt included: the reports then say the run is incomplete); then the plugins'
        ``campaign_finished`` hooks run."""
        result = self.campaign.result
        try:
            return self.campaign.run()
        except KeyboardInterrupt:
            result.interrupted = True
            raise
        finally:
            if result.complete and not result.gate:
                result.gate = check_gate(result, self.gate, spell=self.spell)
            if self.publishes:
                self.publish(result)

    def publish(self, result: CampaignResult) -> None:
        """Write every report (the listeners' last ``CampaignFinished``) and run the plugins'
        ``campaign_finished`` hooks, for ``result`` (this run's, or the merge of its shards)."""
        self.campaign.bus.emit_to(CampaignFinished(result), result)
        finished(self.manager, result, self.settings)

    def outcome(self) -> ExitCode:
        """How the run ends (see :func:`outcome`)."""
        return outcome(self.result)

    @property
    def result(self) -> CampaignResult:
        return self.campaign.result

    @property
    def redactor(self) -> Redactor:
        return self.campaign.redactor


def prepare(
    settings: Mapping[str, ResolvedSetting],
    *,
    manager: PluginManager | None = None,
    provisioner: Provisioner | None = None,
    listeners: Sequence[CampaignListener] = (),
    config_dir: Path | None = None,
    operations: frozenset[str] | None = None,
    api: LoadedApi | None = None,
    pyproject: Mapping[str, Any] | None = None,
    pyproject_path: Path | None = None,
    run: str | None = None,
) -> HarnessRun:
    """Load the API, the config and the plugins, and build the campaign; ConfigurationError on bad input.

    ``provisioner`` (a ``conftest.py`` hook under pytest) wins over a plugin's or the hooks
    module's, which win over the config's. ``operations`` narrows probing to those labels.
    ``api`` is an API already loaded (an app object in-process), instead of the ``schema`` setting.
    ``pyproject`` is the ``[tool.isolation_harness]`` table, which may hold the config instead of a file.
    ``run`` fixes the per-run part of the tenants' identities (see :class:`TenantFactory`); by default
    every run signs up new accounts.
    """
    schema_setting = settings["schema"]
    if not schema_setting.value and api is None:
        raise ConfigurationError(
            "No API to test: pass --isolation-schema (or set ISOLATION_SCHEMA, or `schema` in "
            "[tool.isolation_harness])."
        )
    config_path = settings["config"].value
    if config_path and config_dir is not None and not Path(config_path).is_absolute():
        candidate = config_dir / config_path
        if candidate.is_file() and not Path(config_path).is_file():
            config_path = str(candidate)
    config = load_config(config_path, pyproject=pyproject, pyproject_path=pyproject_path)
    baseline = _optional(settings, "baseline", lambda _, value: Baseline.load(str(value.value)))
    manager = manager or plugin_manager()
    hooks = settings["hooks"].value if "hooks" in settings and settings["hooks"].value else config.hooks
    if hooks:
        base = Path(config_path).parent if config_path else config_dir
        register_hooks(manager, load_hooks(hooks, base=base), label=hooks)
    provisioner = provisioner or hook_provisioner(manager)
    if isinstance(provisioner, CallableProvisioner):
        # The config's [tenants.auth] says how a token a hook returns is sent.
        provisioner = dataclasses.replace(provisioner, auth=config.auth)
    chosen = provisioner or config.provisioner
    if chosen is None:
        raise ConfigurationError(
            "No way to create tenants is configured. Add [tenants.signup] and [tenants.login] (or "
            "[[tenants.accounts]]) to the isolation config passed with --isolation-config, or implement the "
            "`pytest_isolation_provision` hook in conftest.py. See the README, section 'Tenants'."
        )
    check = getattr(chosen, "check", None)
    if callable(check):
        check()
    profile = chosen_profile(settings)
    tenants_setting = settings["tenants"]
    if tenants_setting.source == "default" and config.tenant_count is not None:
        tenants = config.tenant_count
    elif tenants_setting.source == "default":
        tenants = profile.tenants
    else:
        tenants = parse_int("tenants", tenants_setting, minimum=2)
    seed = parse_int("seed", settings["seed"])
    gate = gate_settings(settings)
    if api is None:
        assert schema_setting.value is not None
        api = load_api(
            schema_setting.value, base_url=settings["base_url"].value, openapi_path=config.openapi_path
        )
    description = OpenApiDescription(api.schema, references=config.references)
    context = ProvisionContext(
        api=description.model,
        transport=api.transport,
        redactor=Redactor(),
        timeout=config.timeout,
        auth_hook=_auth_hook(manager),
        retry=RetryPolicy(attempts=config.retries + 1, base_delay=config.backoff),
    )
    factory = TenantFactory(context=context, provisioner=chosen, seed=seed, run=run)
    probe_kinds = builtin_probe_kinds() + extra_probe_kinds(manager, settings)
    campaign_settings = CampaignSettings(
        tenants=tenants,
        seed=seed,
        exclude=config.exclude,
        timeout=config.timeout,
        names=config.tenant_names,
        references=config.references,
        shares=config.shares,
        operations=operations,
        retry=context.retry,
        guesses=profile.guesses,
        examples=profile.examples,
        max_requests=_optional(
            settings, "max_requests", lambda name, value: parse_int(name, value, minimum=1)
        ),
        time_budget=_optional(settings, "time_budget", parse_duration),
        shard=_optional(settings, "shard", parse_shard),
        workers=parse_int("workers", settings["workers"], minimum=1),
        skip_probes=parse_names(
            "skip_probes", settings["skip_probes"], [kind.name for kind in probe_kinds], what="a probe kind"
        ),
        allow=config.allow,
        baseline=baseline,
    )
    meta = ReportMeta(
        source=api.source,
        base_url=api.transport.base_url,
        base_url_reason=api.base_url_reason,
        tool_version=__version__,
        config_path=str(config.path) if config.path else "",
    )
    reports = open_reports(settings, meta, redactor=context.redactor)
    all_listeners = [*reports, *listeners, *extra_listeners(manager, settings, context.redactor)]
    campaign = Campaign(
        description=description,
        transport=api.transport,
        provisioner=chosen,
        settings=campaign_settings,
        listeners=all_listeners,
        factory=factory,
        probe_kinds=probe_kinds,
        oracles=builtin_oracles() + extra_oracles(manager, settings),
    )
    if isinstance(chosen, DeclarativeProvisioner):
        calls = {"signup": chosen.signup, "login": chosen.login, "teardown": chosen.teardown_call}
        for key, call in calls.items():
            if call is not None:
                context.operation(call.operation, setting=f"tenants.{key}.operation")
    campaign.result.fail_on_suspected = config.fail_on_suspected
    return HarnessRun(
        settings=settings,
        api=api,
        config=config,
        campaign=campaign,
        factory=factory,
        manager=manager,
        gate=gate,
    )


def gate_settings(settings: Mapping[str, ResolvedSetting]) -> GateSettings:
    """The gate the settings ask for (``min_coverage``, ``max_error_rate``), the defaults otherwise."""
    defaults = GateSettings()
    coverage = _optional(settings, "min_coverage", parse_fraction)
    errors = _optional(settings, "max_error_rate", parse_fraction)
    return GateSettings(
        min_coverage=defaults.min_coverage if coverage is None else coverage,
        max_error_rate=defaults.max_error_rate if errors is None else errors,
    )


def _optional(
    settings: Mapping[str, ResolvedSetting],
    name: str,
    parse: Callable[[str, ResolvedSetting], _T],
) -> _T | None:
    """A setting's parsed value, or ``None`` when it has none."""
    resolved = settings.get(name)
    if resolved is None or resolved.value in (None, ""):
        return None
    return parse(name, resolved)


def write_reports(
    settings: Mapping[str, ResolvedSetting],
    result: CampaignResult,
    *,
    manager: PluginManager,
    meta: ReportMeta,
) -> None:
    """Every report the settings ask for (the plugins' too), written for a result no campaign of this
    process made: a merge of shards, or a run that never started."""
    redactor = Redactor()
    for report in [
        *open_reports(settings, meta, redactor=redactor),
        *extra_listeners(manager, settings, redactor),
    ]:
        report.on_event(CampaignFinished(result), result)
    finished(manager, result, settings)


def outcome(result: CampaignResult) -> ExitCode:
    """How a run ends, in one place for every front end: interrupted, stopped, leaking, unreliable, fine."""
    if result.interrupted:
        return ExitCode.INTERRUPTED
    if not result.complete:
        return ExitCode.USAGE if result.misconfigured else ExitCode.TARGET
    if result.failing():
        return ExitCode.FINDINGS
    if result.gate:
        return ExitCode.UNRELIABLE
    return ExitCode.OK


def _auth_hook(manager: PluginManager) -> Callable[[Tenant, str, AuthScheme], Credentials | None] | None:
    hook = manager.hook.isolation_harness_credentials
    if not hook.get_hookimpls():
        return None

    def credentials(tenant: Tenant, token: str, auth: AuthScheme) -> Credentials | None:
        result: Credentials | None = hook(tenant=tenant, token=token, auth=auth)
        return result

    return credentials
