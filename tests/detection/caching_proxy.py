"""A real shared cache on 127.0.0.1: Debian's nginx with ``proxy_cache`` in front of an API.

It is configured the way a shared cache is commonly misconfigured in front of an API: nginx's default
cache key (scheme, upstream host, request URI; not the credentials), storing what the upstream's
``Cache-Control`` marks cacheable (nginx stores nothing marked ``private``, ``no-store`` or ``no-cache``,
nor a response that sets a cookie). Every response says what the cache did in ``X-Cache-Status``
(``HIT``, ``MISS``, ...). nginx comes from Debian (``make proxy``); missing, the tests that need it fail
under CI and are skipped elsewhere.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from detection_support import _free_port

NGINX = Path("/usr/sbin/nginx")
MISSING = "nginx is missing: install it with `make proxy` (Debian package nginx)"
CACHE_STATUS = "X-Cache-Status"
_TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def _config(directory: Path, port: int, upstream: str) -> str:
    temp_paths = "\n".join(f"    {name}_temp_path {directory / name};" for name in _TEMP_PATHS)
    # Workers of a root master drop to `nobody`, who cannot enter the private temp directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}daemon off;
master_process on;
worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp_paths}
    proxy_cache_path {directory / "cache"} levels=1:2 keys_zone=shared:1m inactive=10m use_temp_path=off;
    upstream api {{
        server {upstream};
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://api;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_cache shared;
            add_header {CACHE_STATUS} $upstream_cache_status always;
        }}
    }}
}}
"""


def _upstream_address(upstream: str) -> str:
    parts = urlsplit(upstream)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1" or parts.port is None:
        raise ValueError(f"upstream={upstream!r}: an http://127.0.0.1:<port> URL")
    if parts.path not in ("", "/") or parts.query:
        raise ValueError(f"upstream={upstream!r}: no path or query")
    return f"127.0.0.1:{parts.port}"


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, error_log: Path) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log = error_log.read_text() if error_log.is_file() else ""
            raise RuntimeError(f"nginx did not start (exit code {process.poll()}):\n{log}")
        time.sleep(0.02)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGQUIT)  # graceful: finish the requests in flight
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def caching_proxy(upstream: str) -> Iterator[str]:
    """nginx caching in front of ``upstream`` (``http://127.0.0.1:<port>``); yields the proxy's base URL."""
    if not NGINX.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    address = _upstream_address(upstream)
    with tempfile.TemporaryDirectory(prefix="caching-proxy-") as name:
        directory = Path(name)
        port = _free_port()
        config = directory / "nginx.conf"
        config.write_text(_config(directory, port, address))
        error_log = directory / "error.log"
        # -e: the log for start-up errors, before the configuration's own is open.
        command = [str(NGINX), "-p", str(directory), "-c", str(config), "-e", str(error_log)]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        try:
            _wait_until_listening(process, port, error_log)
            yield f"http://127.0.0.1:{port}"
        finally:
            _stop(process)
