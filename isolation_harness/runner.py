"""From settings to a ready campaign: shared by the pytest plugin and the command line."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .campaign import Campaign, CampaignListener, CampaignResult, CampaignSettings
from .config import HarnessConfig, ResolvedSetting, load_config, parse_int
from .errors import ConfigurationError
from .openapi.loading import LoadedApi, load_api
from .provisioning import CallableProvisioner, DeclarativeProvisioner, Provisioner
from .redaction import Redactor
from .reporting import JsonReport


@dataclass
class HarnessRun:
    """A configured campaign: the loaded API, the config, the provisioner and the reports."""

    settings: Mapping[str, ResolvedSetting]
    api: LoadedApi
    config: HarnessConfig
    campaign: Campaign
    report: JsonReport | None = None
    redactor: Redactor = field(default_factory=Redactor)

    def run(self) -> CampaignResult:
        return self.campaign.run()

    @property
    def result(self) -> CampaignResult:
        return self.campaign.result


def prepare(
    settings: Mapping[str, ResolvedSetting],
    *,
    provisioner: Provisioner | None = None,
    listeners: Sequence[CampaignListener] = (),
    config_dir: Path | None = None,
) -> HarnessRun:
    """Load the API and the config and build the campaign; raise ConfigurationError on bad input."""
    schema_setting = settings["schema"]
    if not schema_setting.value:
        raise ConfigurationError(
            "No API to test: pass --isolation-schema (or set ISOLATION_SCHEMA, or `schema` in "
            "[tool.isolation_harness])."
        )
    config_path = settings["config"].value
    if config_path and config_dir is not None and not Path(config_path).is_absolute():
        candidate = config_dir / config_path
        if candidate.is_file() and not Path(config_path).is_file():
            config_path = str(candidate)
    config = load_config(config_path)
    if isinstance(provisioner, CallableProvisioner):
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
    tenants_setting = settings["tenants"]
    if tenants_setting.source == "default" and config.tenant_count is not None:
        tenants = config.tenant_count
    else:
        tenants = parse_int("tenants", tenants_setting, minimum=2)
    seed = parse_int("seed", settings["seed"])
    api = load_api(
        schema_setting.value, base_url=settings["base_url"].value, openapi_path=config.openapi_path
    )
    redactor = Redactor()
    campaign_settings = CampaignSettings(
        tenants=tenants,
        seed=seed,
        exclude=config.exclude,
        timeout=config.timeout,
        names=config.tenant_names,
        references=config.references,
        shares=config.shares,
    )
    report = None
    all_listeners = list(listeners)
    report_path = settings["report_json"].value
    if report_path:
        report = JsonReport(report_path, source=api.source, base_url=api.transport.base_url)
        all_listeners.insert(0, report)
    campaign = Campaign(
        schema=api.schema,
        transport=api.transport,
        provisioner=chosen,
        settings=campaign_settings,
        listeners=all_listeners,
        redactor=redactor,
    )
    if isinstance(chosen, DeclarativeProvisioner):
        calls = {"signup": chosen.signup, "login": chosen.login, "teardown": chosen.teardown_call}
        for key, call in calls.items():
            if call is not None:
                campaign.provision_context.operation(call.operation, setting=f"tenants.{key}.operation")
    unknown = [label for label in config.exclude if label not in campaign.result.coverage]
    if unknown:
        from .errors import did_you_mean

        raise ConfigurationError(
            f"api.exclude names {unknown[0]!r}, which is no operation of the API."
            f"{did_you_mean(unknown[0], campaign.result.coverage)} Write labels as 'METHOD /path'."
        )
    if report is not None:
        report.bind(campaign.result)
    return HarnessRun(
        settings=settings, api=api, config=config, campaign=campaign, report=report, redactor=redactor
    )
