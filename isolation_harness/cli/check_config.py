"""``isolation-harness check-config``: validate the settings and the config, load the API, and show how
the campaign would run and how tenants would be created, without sending a probe or creating one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from ..config import SettingSpec
from ..errors import ConfigurationError, TargetUnreachableError
from ..events import format_percent
from ..exit_codes import ExitCode
from ..extensions import PluginManager
from ..provisioning import CallableProvisioner, DeclarativeProvisioner, Provisioner, StaticProvisioner
from ..runner import HarnessRun, prepare
from .options import all_specs, cli_words, resolve, setting_options, usage_error


def check_config_command(manager: PluginManager, extra: Sequence[SettingSpec]) -> click.Command:
    specs = all_specs(extra)

    @click.command(
        "check-config",
        help="Validate the settings and the isolation config, load the API, and show how tenants will be "
        "created and what will be probed, without sending a probe.",
    )
    @setting_options(specs)
    def command(**options: Any) -> int:
        try:
            settings, pyproject, pyproject_path = resolve(options, specs)
            run = prepare(settings, manager=manager, pyproject=pyproject, pyproject_path=pyproject_path)
        except TargetUnreachableError as exc:
            click.echo(f"isolation-harness: error: {cli_words(str(exc))}", err=True)
            return ExitCode.TARGET
        except ConfigurationError as exc:
            click.echo(usage_error(exc, specs), err=True)
            return ExitCode.USAGE
        for line in describe(run):
            click.echo(line)
        return ExitCode.OK

    return command


def describe(run: HarnessRun) -> list[str]:
    """What the campaign would do, line by line."""
    campaign = run.campaign
    settings = campaign.settings
    names = campaign.factory.reserve(settings.tenants, names=settings.names)
    campaign.factory.release(names)
    coverage = run.result.coverage
    excluded = {
        label: reason for label, reason in campaign.context.index.excluded.items() if label in coverage
    }
    lines = [
        "config: OK",
        f"api: {run.api.source} ({len(run.result.operations)} operations via {run.api.transport.kind} "
        f"at {run.api.transport.base_url})",
        f"tenants: {settings.tenants} ({', '.join(names)}), {_provisioning(run.campaign.provisioner)}",
        f"probed: {len(run.result.operations) - len(excluded)} operations"
        + (f"; {len(excluded)} excluded:" if excluded else ""),
        *(f"  {label}: {reason}" for label, reason in excluded.items()),
        f"gate: fail below {format_percent(run.gate.min_coverage)} isolation coverage or above "
        f"{format_percent(run.gate.max_error_rate)} of probes unjudged",
    ]
    if settings.max_requests or settings.time_budget:
        budgets = [f"{settings.max_requests} requests" if settings.max_requests else ""]
        budgets.append(f"{settings.time_budget:g} s" if settings.time_budget else "")
        lines.append(f"budget: {', '.join(part for part in budgets if part)}")
    if settings.shard:
        lines.append(f"shard: {settings.shard[0]}/{settings.shard[1]}")
    for number, rule in enumerate(run.config.allow, 1):
        lines.append(f"allow rule {number}: {rule.describe()}")
    if settings.baseline is not None:
        lines.append(f"baseline: {len(settings.baseline)} accepted findings")
    lines.append("no request was sent to create tenants or probe")
    return lines


def _provisioning(provisioner: Provisioner) -> str:
    if isinstance(provisioner, DeclarativeProvisioner):
        steps = [f"signed up with {provisioner.signup.operation}"] if provisioner.signup else []
        steps.append(f"logged in with {provisioner.login.operation}")
        if provisioner.teardown_call:
            steps.append(f"removed with {provisioner.teardown_call.operation}")
        return ", ".join(steps)
    if isinstance(provisioner, StaticProvisioner):
        accounts = ", ".join(account.name for account in provisioner.accounts)
        return f"existing accounts from [[tenants.accounts]] ({accounts})"
    if isinstance(provisioner, CallableProvisioner):
        name = getattr(provisioner.function, "__name__", "a provision hook")
        return f"created by the hook {name}"
    return f"created by {type(provisioner).__name__}"
