"""``isolation-harness merge``: the shards' JSON reports as one run's, with every report and the gate."""

from __future__ import annotations

from pathlib import Path

import click

from .._version import __version__
from ..config import SETTINGS, ResolvedSetting, parse_fraction
from ..errors import ConfigurationError
from ..events import CampaignFinished
from ..exit_codes import ExitCode
from ..gate import GateSettings, check_gate
from ..merging import merge_results, read_report
from ..reports import ReportMeta, open_reports, terminal_summary
from ..runner import outcome
from .options import cli_option, cli_words

_REPORTS = [spec for spec in SETTINGS if spec.name.startswith("report_")]
_GATE = [spec for spec in SETTINGS if spec.name in ("min_coverage", "max_error_rate")]


def merge_command() -> click.Command:
    @click.command(
        "merge",
        help="Merge the JSON reports of shards (--shard I/N) into one run's findings, coverage and "
        "reports, and exit as that run would.",
    )
    @click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--fail-on-suspected", is_flag=True, help="Suspected findings fail too.")
    def command(reports: tuple[Path, ...], fail_on_suspected: bool, **options: str | None) -> int:
        settings = {
            spec.name: ResolvedSetting(
                options.get(spec.name), "option" if options.get(spec.name) else "default"
            )
            for spec in [*_REPORTS, *_GATE]
        }
        try:
            merged = merge_results([read_report(path) for path in reports])
            gate = GateSettings(
                **{
                    spec.name: parse_fraction(spec.name, settings[spec.name])
                    for spec in _GATE
                    if options.get(spec.name)
                }
            )
            if merged.complete:
                merged.gate = check_gate(merged, gate)
            meta = ReportMeta(tool_version=__version__, fail_on_suspected=fail_on_suspected)
            for report in open_reports(settings, meta):
                report.on_event(CampaignFinished(merged), merged)
        except ConfigurationError as exc:
            click.echo(f"isolation-harness: error: {cli_words(str(exc))}", err=True)
            return ExitCode.USAGE
        click.echo(f"merged {len(reports)} reports")
        for line in terminal_summary(merged, fail_on_suspected=fail_on_suspected):
            click.echo(line)
        return outcome(merged, fail_on_suspected=fail_on_suspected)

    for spec in reversed([*_REPORTS, *_GATE]):
        command = click.option(cli_option(spec), spec.name, default=None, help=cli_words(spec.help))(command)
    return command
