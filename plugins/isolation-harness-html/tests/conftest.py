"""Headless Chromium for the HTML report's tests, and a server on 127.0.0.1 to open pages from.

Chromium and its driver come from Debian (`make browser`). Missing, the browser tests fail under CI
and are skipped elsewhere, with what is missing and how to install it.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
_BINARIES = ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver"))


def _missing() -> str:
    """What the browser tests lack, and the command that installs it; ``""`` when nothing."""
    problems = []
    binaries = [f"{path} (Debian package {package})" for path, package in _BINARIES if not path.is_file()]
    if binaries:
        problems.append(f"{' and '.join(binaries)} missing; install with `make browser`")
    try:
        import selenium  # noqa: F401
    except ImportError:
        problems.append("the selenium package missing; install with `pip install -e '.[dev]'`")
    return "; ".join(problems)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium driven by chromedriver, with a fresh profile and no network of its own."""
    missing = _missing()
    if missing:
        message = f"the browser tests cannot run: {missing}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1024",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


@contextmanager
def served(directory: Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 while the block runs."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def open_page(browser: Any) -> Callable[[Path], AbstractContextManager[Any]]:
    """``with open_page(path) as driver:``: the page served from 127.0.0.1 and open in the browser."""

    @contextmanager
    def opened(page: Path) -> Iterator[Any]:
        with served(page.parent) as url:
            browser.get(f"{url}/{page.name}")
            yield browser

    return opened
