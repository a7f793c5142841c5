"""``isolation-harness merge``: the shards' JSON reports as one run's, with every report and the gate."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from .._version import __version__
from ..config import SETTINGS, ResolvedSetting, SettingSpec, parse_fraction
from ..errors import ConfigurationError
from ..events import CampaignFinished
from ..exit_codes import ExitCode
from ..extensions import PluginManager, finished
from ..gate import GateSettings, check_gate
from ..merging import merge_results, missing_shards, read_report
from ..reports import ReportMeta, open_reports, report_lines, terminal_summary
from ..runner import outcome
from .options import cli_option, cli_words

_GATE = [spec for spec in SETTINGS if spec.name in ("min_coverage", "max_error_rate")]


def merge_command(manager: PluginManager, extra: Sequence[SettingSpec]) -> click.Command:
    # Every report a run can write, the plugins' (the HTML report) too.
    reports_specs = [spec for spec in (*SETTINGS, *extra) if spec.name.startswith("report_")]

    @click.command(
        "merge",
        help="Merge the JSON reports of shards (--shard I/N) into one run's findings, coverage and "
        "reports, and exit as that run would.",
    )
    @click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--fail-on-suspected", is_flag=True, help="Suspected findings fail too.")
    @click.option(
        "--partial",
        "allow_missing",
        is_flag=True,
        help="Merge even when some shard's report is missing (its operations then count as excluded).",
    )
    def command(
        reports: tuple[Path, ...], fail_on_suspected: bool, allow_missing: bool, **options: str | None
    ) -> int:
        settings = {
            spec.name: ResolvedSetting(
                options.get(spec.name), "option" if options.get(spec.name) else "default"
            )
            for spec in [*reports_specs, *_GATE]
        }
        try:
            merged = merge_results([read_report(path) for path in reports])
            missing = missing_shards(merged)
            if missing and not allow_missing:
                raise ConfigurationError(
                    f"The reports merged leave out shard {', '.join(missing)}: no report probed its "
                    "operations, so the merge is not one run. Pass every shard's JSON report (or "
                    "--partial to merge what there is)."
                )
            gate = GateSettings(
                **{
                    spec.name: parse_fraction(spec.name, settings[spec.name])
                    for spec in _GATE
                    if options.get(spec.name)
                }
            )
            if merged.complete:
                merged.gate = check_gate(merged, gate, spell=cli_words)
            meta = ReportMeta(tool_version=__version__, fail_on_suspected=fail_on_suspected)
            for report in open_reports(settings, meta):
                report.on_event(CampaignFinished(merged), merged)
            finished(manager, merged, settings)
        except ConfigurationError as exc:
            click.echo(f"isolation-harness: error: {cli_words(str(exc))}", err=True)
            return ExitCode.USAGE
        click.echo(f"merged {len(reports)} reports")
        for line in [*terminal_summary(merged, fail_on_suspected=fail_on_suspected), *report_lines(settings)]:
            click.echo(line)
        return outcome(merged, fail_on_suspected=fail_on_suspected)

    for spec in reversed([*reports_specs, *_GATE]):
        command = click.option(cli_option(spec), spec.name, default=None, help=cli_words(spec.help))(command)
    return command
