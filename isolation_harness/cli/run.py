"""``isolation-harness run``: one campaign, its reports, and an exit code a pipeline can trust."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import click

from .._version import __version__
from ..config import ResolvedSetting, SettingSpec
from ..errors import ConfigurationError, ProvisioningError, TargetUnreachableError
from ..events import CampaignFinished, CampaignResult
from ..exit_codes import ExitCode
from ..extensions import PluginManager
from ..reports import ReportMeta, report_lines, terminal_summary
from ..runner import HarnessRun, prepare, write_reports
from . import interrupts
from .options import all_specs, cli_words, resolve, setting_options, usage_error
from .progress import Progress, wants_live


@dataclass
class Outcome:
    """How a command's campaign ended: the exit code, and the run when it got that far."""

    code: ExitCode
    run: HarnessRun | None = None


def run_command(manager: PluginManager, extra: Sequence[SettingSpec]) -> click.Command:
    specs = all_specs(extra)

    @click.command("run", help="Run a campaign against an API and report every cross-tenant leak.")
    @setting_options(specs)
    @click.option("--exit-zero", is_flag=True, help="Exit 0 even when leaks are found (for demos).")
    @click.option(
        "--quiet",
        is_flag=True,
        help="Print only the settings and the summary, not each finding as it is made.",
    )
    @click.option(
        "--progress/--no-progress",
        default=None,
        help="A live status line (default: on a terminal, not in CI).",
    )
    def command(exit_zero: bool, quiet: bool, progress: bool | None, **options: Any) -> int:
        outcome = campaign(manager, specs, options, quiet=quiet, live=progress)
        if exit_zero and outcome.code is ExitCode.FINDINGS:
            return ExitCode.OK
        return outcome.code

    return command


def campaign(
    manager: PluginManager,
    specs: Sequence[SettingSpec],
    options: Mapping[str, Any],
    *,
    quiet: bool,
    live: bool | None,
) -> Outcome:
    """Resolve the settings, run the campaign and print what happened; never raises for a user's error."""
    settings: dict[str, ResolvedSetting] | None = None
    printer = Progress(quiet=quiet, live=wants_live(choice=live))
    try:
        settings, pyproject, pyproject_path = resolve(options, specs)
        interrupts.release()  # a Ctrl-C while loading ends here, with the reports written
        run = prepare(
            settings,
            manager=manager,
            listeners=[printer],
            pyproject=pyproject,
            pyproject_path=pyproject_path,
        )
    except TargetUnreachableError as exc:
        message = cli_words(str(exc))
        _unstarted(settings, manager, CampaignResult(fatal=f"TargetUnreachableError: {message}"))
        printer.say(f"isolation-harness: error: {message}", err=True)
        return Outcome(ExitCode.TARGET)
    except ConfigurationError as exc:
        printer.say(usage_error(exc, specs), err=True)
        return Outcome(ExitCode.USAGE)
    except KeyboardInterrupt:
        fatal = "KeyboardInterrupt: interrupted before the campaign started"
        _unstarted(settings, manager, CampaignResult(interrupted=True, fatal=fatal))
        printer.say("isolation-harness: interrupted before the campaign started", err=True)
        return Outcome(ExitCode.INTERRUPTED)
    run.spell = cli_words
    try:
        _header(settings, run, printer)
        with printer:
            run.run()
    except KeyboardInterrupt:
        if not run.result.interrupted:  # before the campaign began: its reports are not written yet
            run.result.interrupted = True
            run.campaign.bus.emit(CampaignFinished(run.result))
        printer.say("isolation-harness: interrupted; the reports hold what was done and say so", err=True)
    except (ProvisioningError, ConfigurationError) as exc:
        printer.say(f"isolation-harness: error: {cli_words(str(exc))}", err=True)
    for line in terminal_summary(run.result):
        printer.say(line)
    for line in report_lines(settings):
        printer.say(line)
    return Outcome(run.outcome(), run)


def _header(settings: Mapping[str, ResolvedSetting], run: HarnessRun, printer: Progress) -> None:
    for name, value in settings.items():
        if value.value and name != "campaign":
            printer.say(f"{name}: {value.value} (from {value.source})")
    api = run.api
    reason = f" ({cli_words(api.base_url_reason)})" if api.base_url_reason else ""
    printer.say(
        f"campaign: {len(run.result.operations)} operations via {api.transport.kind} at {api.transport.base_url}"
        f"{reason}\n"
    )


def _unstarted(
    settings: Mapping[str, ResolvedSetting] | None, manager: PluginManager, result: CampaignResult
) -> None:
    """The campaign never started (interrupted while loading, the API unreachable): every report asked
    for is still written, empty, saying why."""
    if settings is None:
        return
    meta = ReportMeta(
        source=settings["schema"].value or "",
        tool_version=__version__,
        config_path=settings["config"].value or "",
    )
    with contextlib.suppress(ConfigurationError):
        write_reports(settings, result, manager=manager, meta=meta)
