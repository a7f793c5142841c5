"""What the example APIs' ``python -m examples.<name>`` share: host, port and which bugs to switch on."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable


def serve_arguments(
    argv: list[str] | None,
    *,
    prog: str,
    description: str | None,
    env_var: str,
    names: Iterable[str],
    parse: Callable[[str | None], frozenset[str]],
) -> tuple[str, int, frozenset[str]]:
    """The host, the port and the vulnerabilities a command line asks for (``$env_var`` by default);
    an unknown vulnerability name ends the program with the parser's usage error."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--vulnerabilities",
        default=os.environ.get(env_var),
        help=f"comma-separated names, 'all' or 'none' (default: ${env_var}); names: {', '.join(names)}",
    )
    args = parser.parse_args(argv)
    try:
        enabled = parse(args.vulnerabilities)
    except ValueError as exc:
        parser.error(str(exc))
    return args.host, args.port, enabled
