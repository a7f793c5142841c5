"""Serve Helpdesk with werkzeug: `python -m examples.helpdesk_api [--port 8000] [--vulnerabilities all]`."""

from __future__ import annotations

from ..serving import serve_arguments
from .app import create_app
from .vulnerabilities import ENV_VAR, VULNERABILITIES, vulnerabilities_from_env


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve the API until interrupted."""
    from werkzeug.serving import run_simple

    host, port, enabled = serve_arguments(
        argv,
        prog="python -m examples.helpdesk_api",
        description=__doc__,
        env_var=ENV_VAR,
        names=VULNERABILITIES,
        parse=vulnerabilities_from_env,
    )
    run_simple(host, port, create_app(enabled), threaded=True)


if __name__ == "__main__":
    main()
