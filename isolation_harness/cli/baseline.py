"""``isolation-harness baseline``: accept today's findings, so that only new ones fail later runs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ..baseline import Baseline
from ..config import SettingSpec
from ..errors import ConfigurationError
from ..exit_codes import ExitCode
from ..extensions import PluginManager
from ..merging import read_report
from .options import all_specs, cli_words, setting_options
from .run import campaign


def baseline_command(manager: PluginManager, extra: Sequence[SettingSpec]) -> click.Command:
    specs = [spec for spec in all_specs(extra) if spec.name != "baseline"]

    @click.command(
        "baseline",
        help="Write a baseline of accepted findings: from a campaign run now (the same options as `run`), "
        "or from a JSON report (--from-report). Pass it to later runs with --baseline.",
    )
    @click.option(
        "--output",
        "-o",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Where to write the baseline (JSON).",
    )
    @click.option(
        "--from-report",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Take the findings of this JSON report instead of running a campaign.",
    )
    @setting_options(specs)
    @click.option("--quiet", is_flag=True, help="Do not print each finding as it is made.")
    def command(output: Path, from_report: Path | None, quiet: bool, **options: Any) -> int:
        if from_report is not None:
            try:
                result = read_report(from_report)
            except ConfigurationError as exc:
                click.echo(f"isolation-harness: error: {exc}", err=True)
                return ExitCode.USAGE
            if not result.complete:
                click.echo(
                    f"isolation-harness: error: {str(from_report)!r} is the report of a run that did not "
                    f"complete ({result.fatal or 'interrupted'}): its findings are not all there is to "
                    "accept. Write the baseline from a complete run.",
                    err=True,
                )
                return ExitCode.USAGE
        else:
            outcome = campaign(manager, specs, options, quiet=quiet, live=None)
            if outcome.run is None or outcome.code not in (ExitCode.OK, ExitCode.FINDINGS):
                click.echo("isolation-harness: no baseline written: the campaign gave no verdict", err=True)
                return outcome.code
            result = outcome.run.result
        baseline = Baseline.from_result(result)
        try:
            baseline.write(output)
        except OSError as exc:
            click.echo(
                cli_words(f"isolation-harness: error: cannot write {str(output)!r}: {exc.strerror}"), err=True
            )
            return ExitCode.USAGE
        click.echo(f"baseline: {len(baseline)} findings accepted in {output}")
        return ExitCode.OK

    return command
