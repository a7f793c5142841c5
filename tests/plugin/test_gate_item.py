"""Under pytest the release gate is an item: ``isolation::gate`` fails with the reason when the run is
no verdict (too little probed, too many errors), and passes otherwise."""

from __future__ import annotations

import pytest
from plugin_support import DISPATCH, DISPATCH_CONFIG


def test_a_run_that_probed_nothing_fails_the_gate_item(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess(
        f"--isolation-schema={DISPATCH}",
        f"--isolation-config={DISPATCH_CONFIG}",
        "--isolation-time-budget=0.001s",
        "-k",
        "gate or orders",
    )

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*= FAILURES =*",
            "*_ isolation: gate _*",
            "the run is no verdict on the API:",
            "isolation coverage 0% is below the minimum of 50%: * operations got no probe (probing stopped "
            "early (time budget of 0.001 s spent); raise the budget, or lower --isolation-min-coverage)",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(["probing stopped early: time budget of 0.001 s spent"])
    assert [line for line in result.outlines if line.startswith("FAILED ")] == [
        "FAILED isolation::gate - the run is no verdict on the API:"
    ]


def test_the_gate_can_be_lowered(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess(
        f"--isolation-schema={DISPATCH}",
        f"--isolation-config={DISPATCH_CONFIG}",
        "--isolation-time-budget=0.001s",
        "--isolation-min-coverage=0",
        "-k",
        "gate",
        "-v",
    )

    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["isolation::gate PASSED*"])
