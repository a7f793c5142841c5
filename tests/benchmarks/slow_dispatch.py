"""Dispatch served by uvicorn, each request ``--latency`` seconds late, in a process of its own.

``python tests/benchmarks/slow_dispatch.py --port 8765 --latency 0.02 --vulnerabilities a,b``
(or ``python -m slow_dispatch`` from this folder). The benchmarks start it as a subprocess: a server
in the benchmark's own process would compete with the harness for the GIL and distort the timings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for _path in (ROOT, ROOT / "tests" / "detection"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from latency import Latency  # noqa: E402

from examples.dispatch_api import VULNERABILITIES, create_app, vulnerabilities_from_env  # noqa: E402
from examples.dispatch_api.vulnerabilities import ENV_VAR  # noqa: E402
from examples.serving import serve_arguments  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve the slowed API until stopped."""
    import uvicorn

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--latency", type=float, default=0.02)
    known, rest = parser.parse_known_args(argv)
    host, port, enabled = serve_arguments(
        rest,
        prog="slow_dispatch.py [--latency SECONDS]",
        description=__doc__,
        env_var=ENV_VAR,
        names=VULNERABILITIES,
        parse=vulnerabilities_from_env,
    )
    uvicorn.run(Latency(create_app(enabled), known.latency), host=host, port=port, log_level="error")


if __name__ == "__main__":
    main()
