"""Command-line campaign runner: ``python -m isolation_harness`` (or ``isolation-harness``).

Exit codes: 0 no confirmed leak, 1 confirmed leaks, 4 misconfiguration (as pytest's usage error).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .config import SETTINGS, SettingSpec, read_pyproject, resolve_settings
from .errors import ConfigurationError, ProvisioningError
from .events import CampaignResult, Event, FindingMade, ProbeFailed
from .extensions import extra_settings, plugin_manager
from .model import Verdict
from .reporting import format_finding, summarize
from .runner import prepare

EXIT_OK = 0
EXIT_LEAKS = 1
EXIT_USAGE = 4


class _Printer:
    """Prints each finding the moment it is made."""

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet

    def on_event(self, event: Event, result: CampaignResult) -> None:
        if self.quiet:
            return
        if isinstance(event, FindingMade):
            print(format_finding(event.finding), end="\n\n", flush=True)
        elif isinstance(event, ProbeFailed):
            error = event.error
            print(
                f"probe error: {error.operation} ({error.attacker}, {error.slot}): {error.message}",
                flush=True,
            )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _options(specs: Sequence[SettingSpec]) -> dict[str, str]:
    """Each setting's option as the command line spells it."""
    return {spec.name: spec.option.replace("--isolation-", "--") for spec in specs}


def _cli_words(message: str) -> str:
    """Messages name pytest's options; on the command line the same settings drop the prefix."""
    return message.replace("--isolation-", "--")


def build_parser(specs: Sequence[SettingSpec] = SETTINGS) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="isolation-harness",
        description="Run a cross-tenant isolation campaign against an API and report every leak.",
    )
    for spec in specs:
        if spec.name == "campaign":
            continue
        parser.add_argument(
            spec.option.replace("--isolation-", "--"),
            dest=spec.name,
            default=None,
            help=_cli_words(f"{spec.help} Env: {spec.env}."),
        )
    parser.add_argument(
        "--exit-zero", action="store_true", help="Exit 0 even when leaks are found (for demos)."
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="Do not print findings and probe errors as they are made: only the settings and the summary.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    manager = plugin_manager()
    specs = [*SETTINGS, *extra_settings(manager)]
    args = build_parser(specs).parse_args(argv)
    options = {spec.name: getattr(args, spec.name, None) for spec in specs}
    try:
        pyproject, pyproject_path = read_pyproject(Path.cwd(), specs=specs)
        settings = resolve_settings(options, os.environ, pyproject, specs=specs)
        run = prepare(
            settings,
            manager=manager,
            listeners=[_Printer(quiet=args.quiet)],
            pyproject=pyproject,
            pyproject_path=pyproject_path,
        )
    except ConfigurationError as exc:
        print(f"isolation-harness: error: {_cli_words(str(exc.reworded(_options(specs))))}", file=sys.stderr)
        return EXIT_USAGE
    for name, value in settings.items():
        if value.value and name != "campaign":
            print(f"{name}: {value.value} (from {value.source})")
    print(
        f"campaign: {len(run.result.operations)} operations via {run.api.transport.kind} "
        f"at {run.api.transport.base_url}"
        + (f" ({run.api.base_url_reason})" if run.api.base_url_reason else "")
        + "\n",
        flush=True,
    )
    try:
        result = run.run()
    except ConfigurationError as exc:
        print(f"isolation-harness: error: {_cli_words(str(exc.reworded(_options(specs))))}", file=sys.stderr)
        return EXIT_USAGE
    except ProvisioningError as exc:
        print(f"isolation-harness: error: {_cli_words(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted; findings so far are in the report", file=sys.stderr)
        return EXIT_LEAKS
    print(summarize(result))
    for note in result.seeding:
        print(f"seeding: {note}")
    if run.report is not None:
        print(f"JSON report: {run.report.path}")
    leaking = [
        f
        for f in result.findings
        if f.verdict is Verdict.CONFIRMED or (run.config.fail_on_suspected and f.verdict is Verdict.SUSPECTED)
    ]
    if leaking and not args.exit_zero:
        return EXIT_LEAKS
    return EXIT_OK
