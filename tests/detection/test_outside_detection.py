"""APIs by other authors (tests/detection/outside): every planted bug found where it is, clean APIs clean."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest
from detection_support import confirmed_operations, run_in_process

OUTSIDE = Path(__file__).resolve().parent / "outside"
APIS = ("helpdesk", "inventory", "taskboard", "filebox", "planner", "bulletin")


def _module(name: str) -> ModuleType:
    if str(OUTSIDE) not in sys.path:
        sys.path.insert(0, str(OUTSIDE))
    return importlib.import_module(name)


CASES = [(api, bug) for api in APIS for bug in [None, *sorted(_module(api).BUGS)]]


@pytest.mark.parametrize(("api", "bug"), CASES, ids=[f"{api}-{bug or 'clean'}" for api, bug in CASES])
def test_outside_api(api: str, bug: str | None) -> None:
    module = _module(api)
    bugs = [bug] if bug else []
    result = run_in_process(module.create_app(bugs=bugs), OUTSIDE / f"{api}.toml")
    assert result.complete
    assert result.errors == []
    assert confirmed_operations(result) == set(module.BUGS.get(bug or "", []))
    assert [f for f in result.findings if f.verdict.value != "confirmed"] == []


def test_three_tenants_see_every_pair_of_a_delete_leak() -> None:
    module = _module("taskboard")
    result = run_in_process(module.create_app(bugs=["project-delete"]), OUTSIDE / "taskboard.toml", tenants=3)
    pairs = {(f.attacker, f.victim) for f in result.findings if f.operation == "DELETE /projects/{projectId}"}
    assert len(pairs) == 6
