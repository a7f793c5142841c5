"""``isolation-harness merge``: the shards' JSON reports as one run's, with every report and the gate."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from .._version import __version__
from ..config import SETTINGS, SettingSpec
from ..errors import ConfigurationError
from ..exit_codes import ExitCode
from ..extensions import PluginManager
from ..gate import check_gate
from ..merging import merge_results, missing_shards, read_report
from ..reports import ReportMeta, report_lines, terminal_summary
from ..runner import gate_settings, outcome, write_reports
from .options import cli_option, cli_words, resolve

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
        try:
            # As a run would resolve them: option, environment, pyproject.toml.
            settings, _, _ = resolve(options, [*reports_specs, *_GATE])
            merged = merge_results([read_report(path) for path in reports])
            missing = missing_shards(merged)
            if missing and not allow_missing:
                raise ConfigurationError(
                    f"The reports merged leave out shard {', '.join(missing)}: no report probed its "
                    "operations, so the merge is not one run. Pass every shard's JSON report (or "
                    "--partial to merge what there is)."
                )
            if merged.complete:
                merged.gate = check_gate(merged, gate_settings(settings), spell=cli_words)
            merged.fail_on_suspected = merged.fail_on_suspected or fail_on_suspected
            write_reports(settings, merged, manager=manager, meta=ReportMeta(tool_version=__version__))
        except ConfigurationError as exc:
            click.echo(f"isolation-harness: error: {cli_words(str(exc))}", err=True)
            return ExitCode.USAGE
        click.echo(f"merged {len(reports)} reports")
        for line in [*terminal_summary(merged), *report_lines(settings)]:
            click.echo(line)
        return outcome(merged)

    for spec in reversed([*reports_specs, *_GATE]):
        command = click.option(cli_option(spec), spec.name, default=None, help=cli_words(spec.help))(command)
    return command
