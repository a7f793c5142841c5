"""Serve Workouts with werkzeug: `python -m examples.drf_api [--port 8000] [--vulnerabilities all]`."""

from __future__ import annotations

from ..serving import serve_arguments
from .vulnerabilities import ENV_VAR, VULNERABILITIES, vulnerabilities_from_env
from .wsgi import create_app


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve the API until interrupted."""
    from werkzeug.serving import run_simple

    host, port, enabled = serve_arguments(
        argv,
        prog="python -m examples.drf_api",
        description=__doc__,
        env_var=ENV_VAR,
        names=VULNERABILITIES,
        parse=vulnerabilities_from_env,
    )
    run_simple(host, port, create_app(enabled), threaded=True)


if __name__ == "__main__":
    main()
