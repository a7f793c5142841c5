"""Installed but not configured, the plugin changes nothing about a test suite."""

from __future__ import annotations

import re
from importlib.metadata import entry_points

import pytest
from plugin_support import HEADER_PREFIX

ORDINARY_TESTS = """
import pytest

def test_adds():
    assert 1 + 1 == 2

@pytest.mark.parametrize("n", [1, 2])
def test_positive(n):
    assert n > 0
"""


# Every isolation-harness plugin blocked: the core one is pytest's; the first-party ones (the HTML
# report) extend it through the isolation_harness entry-point group, so blocking it blocks them too.
WITHOUT_PLUGINS = ("-p", "no:isolation_harness")


def _comparable(output: str) -> list[str]:
    """The output without what legitimately differs between two runs: timings and the plugin list."""
    lines = [line for line in output.splitlines() if not line.startswith("plugins: ")]
    return [re.sub(r" in \d+\.\d+s", " in Ns", line) for line in lines]


def test_without_an_api_the_run_is_the_same_as_without_the_plugin(project: pytest.Pytester) -> None:
    project.makepyfile(test_ordinary=ORDINARY_TESTS)

    with_plugin = project.runpytest_subprocess("-v")
    without_plugin = project.runpytest_subprocess("-v", *WITHOUT_PLUGINS)

    # The plugin really is installed and loaded in the first run, and not in the second.
    with_plugin.stdout.fnmatch_lines(["plugins: *isolation-harness-*"])
    assert "isolation-harness" not in without_plugin.stdout.str()

    assert with_plugin.ret == without_plugin.ret == pytest.ExitCode.OK
    with_plugin.assert_outcomes(passed=3)
    with_plugin.stdout.fnmatch_lines(
        [
            "collecting ... collected 3 items",
            "",
            "test_ordinary.py::test_adds PASSED*",
            "test_ordinary.py::test_positive[[]1] PASSED*",
            "test_ordinary.py::test_positive[[]2] PASSED*",
            "*= 3 passed in *",
        ]
    )
    assert not [line for line in with_plugin.outlines if line.startswith(HEADER_PREFIX)]
    assert "isolation" not in "\n".join(_comparable(with_plugin.stdout.str()))
    assert _comparable(with_plugin.stdout.str()) == _comparable(without_plugin.stdout.str())
    assert with_plugin.stderr.str() == without_plugin.stderr.str() == ""


def test_without_an_api_collection_lists_only_the_projects_tests(project: pytest.Pytester) -> None:
    project.makepyfile(test_ordinary=ORDINARY_TESTS)

    result = project.runpytest_subprocess("--collect-only", "-q")

    assert result.ret == pytest.ExitCode.OK
    assert result.outlines[:4] == [
        "test_ordinary.py::test_adds",
        "test_ordinary.py::test_positive[1]",
        "test_ordinary.py::test_positive[2]",
        "",
    ]
    result.stdout.fnmatch_lines(["3 tests collected in *"])


@pytest.mark.skipif(
    not entry_points(group="isolation_harness", name="isolation_harness_html"),
    reason="the isolation-harness-html plugin is not installed (make installs it)",
)
def test_blocking_the_core_plugin_leaves_a_working_pytest(project: pytest.Pytester) -> None:
    project.makepyfile(test_ordinary=ORDINARY_TESTS)

    result = project.runpytest_subprocess("-p", "no:isolation_harness")

    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=3)
