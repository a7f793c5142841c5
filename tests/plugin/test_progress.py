"""The live status line: on a terminal it shows the phase, operations, probes, findings, rate and
errors as the campaign goes; in a pipe or in CI the output is the plain lines alone."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from plugin_support import DISPATCH, DISPATCH_CONFIG


def _run(*, tty: bool, ci: bool, cwd: Path) -> str:
    """The command's whole output, through a pseudo-terminal or a pipe."""
    env = dict(os.environ, DISPATCH_VULNERABILITIES="read-by-id", COLUMNS="200")
    if ci:
        env["CI"] = "true"
    args = [
        sys.executable,
        "-m",
        "isolation_harness",
        "run",
        "--schema",
        DISPATCH,
        "--config",
        str(DISPATCH_CONFIG),
    ]
    if not tty:
        done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
        return done.stdout
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=180)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_shows_the_status_line_as_the_campaign_goes(project: pytest.Pytester) -> None:
    output = _run(tty=True, ci=False, cwd=project.path)

    # The status line is redrawn in place, a few times a second, and erased at the end.
    status = re.compile(
        r"(provision|seed|share|observe|probe|aftermath): \d+/39 operations, \d+ probes, \d+ findings, "
        r"\d+\.\d probes/s, \d+ errors"
    )
    assert status.search(output), output[-2000:]
    # The findings and the summary are printed above it as usual.
    assert "[confirmed] GET /orders/{order_id}: tenant-a read data of tenant-b via path order_id" in output
    assert "2 confirmed and 0 suspected findings in 1 operations" in output


@pytest.mark.parametrize(("tty", "ci"), [(False, False), (True, True)], ids=["pipe", "ci"])
def test_no_status_line_in_a_pipe_or_in_ci(project: pytest.Pytester, tty: bool, ci: bool) -> None:
    output = _run(tty=tty, ci=ci, cwd=project.path)

    assert "probes/s" not in output
    assert "2 confirmed and 0 suspected findings in 1 operations" in output
