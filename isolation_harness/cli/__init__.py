"""The command line: ``isolation-harness`` (or ``python -m isolation_harness``).

Subcommands: ``run`` (the default when the first argument is an option), ``check-config``,
``baseline`` and ``merge``; ``--version``. Exit codes are :class:`~isolation_harness.exit_codes.ExitCode`.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..exit_codes import ExitCode
from . import interrupts

if TYPE_CHECKING:
    import click

COMMANDS = ("run", "check-config", "baseline", "merge")


def build_cli() -> click.Group:
    """The command group, with the settings the installed plugins add."""
    # Imported here, not above: a Ctrl-C while they load is held by `main` (see `interrupts`).
    import click

    from .._version import __version__
    from ..extensions import extra_settings, plugin_manager
    from .baseline import baseline_command
    from .check_config import check_config_command
    from .merge import merge_command
    from .run import run_command

    manager = plugin_manager()
    specs = extra_settings(manager)

    @click.group(
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
        help="Find cross-tenant data leaks in a multi-tenant HTTP API.\n\n"
        "Exit codes: 0 no failing finding, 1 confirmed findings, 2 usage or configuration error, "
        "3 target unreachable or tenants refused, 4 a gate failed (coverage, errors), 70 internal error, "
        "130 interrupted.",
    )
    @click.version_option(__version__, prog_name="isolation-harness", message="%(prog)s %(version)s")
    def cli() -> None:
        pass

    cli.add_command(run_command(manager, specs))
    cli.add_command(check_config_command(manager, specs))
    cli.add_command(baseline_command(manager, specs))
    cli.add_command(merge_command(manager, specs))
    return cli


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0].startswith("-") and args[0] not in ("--version", "--help", "-h"):
        # `isolation-harness --schema ...` is `isolation-harness run --schema ...`.
        args = ["run", *args]
    # SIGINT/SIGTERM are held until a campaign has its settings (it then writes its reports marked
    # interrupted), or until the command is done; from then on they interrupt at once.
    with interrupts.handled():
        try:
            return _main(args)
        except KeyboardInterrupt:
            print("isolation-harness: interrupted", file=sys.stderr)
            return ExitCode.INTERRUPTED
        except Exception as exc:
            # A bug (or a plugin that raised) is neither a leak nor a pass: its own code, and the trace.
            traceback.print_exc()
            print(
                f"isolation-harness: internal error: {type(exc).__name__}: {exc}. This is a bug in the harness "
                "or one of its plugins (the trace above says which); the reports hold what was done.",
                file=sys.stderr,
            )
            return ExitCode.INTERNAL


def _main(args: list[str]) -> int:
    import click

    group = build_cli()
    if not args or args[0] not in ("run", "baseline"):
        interrupts.release()
    try:
        code = group.main(args, prog_name="isolation-harness", standalone_mode=False)
    except click.exceptions.Abort:  # click's word for a KeyboardInterrupt in a command
        raise KeyboardInterrupt from None
    except click.ClickException as exc:
        exc.show()
        return ExitCode.USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    interrupts.release()
    return int(code or 0)
