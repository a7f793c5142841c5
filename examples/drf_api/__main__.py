"""Serve Workouts with werkzeug: `python -m examples.drf_api [--port 8000] [--vulnerabilities all]`."""

from __future__ import annotations

import argparse
import os

from .vulnerabilities import ENV_VAR, VULNERABILITIES, vulnerabilities_from_env
from .wsgi import create_app


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve the API until interrupted."""
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(prog="python -m examples.drf_api", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--vulnerabilities",
        default=os.environ.get(ENV_VAR),
        help=f"comma-separated names, 'all' or 'none' (default: ${ENV_VAR}); "
        f"names: {', '.join(VULNERABILITIES)}",
    )
    args = parser.parse_args(argv)
    try:
        enabled = vulnerabilities_from_env(args.vulnerabilities)
    except ValueError as exc:
        parser.error(str(exc))
    run_simple(args.host, args.port, create_app(enabled), threaded=True)


if __name__ == "__main__":
    main()
