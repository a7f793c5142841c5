"""The Django REST framework Workouts API (drf-spectacular, `Authorization: Token ...`): references named
after their model holding integer primary keys, a registration that answers with a message, shared
catalogues, public routines, the caller's own profile updated without an id, and days whose parent
routine is checked on read only. Every planted leak must be found exactly where it is, and the clean
API must stay clean, traps included.

The bugs themselves are shown real, without the harness, in `tests/examples/test_drf_api.py`.
"""

from __future__ import annotations

import functools

import pytest
from detection_support import DRF_CONFIG, confirmed_operations, run_in_process, run_over_http, wsgi_server

from examples.drf_api import VULNERABILITIES, create_app
from isolation_harness import CampaignResult

ALL = sorted(VULNERABILITIES)
CATALOGUES = [
    f"GET /api/{name}/{suffix}"
    for name in ("languages", "weight-units", "exercise-categories", "exercises")
    for suffix in ("", "{id}/")
]
PROFILE = ["GET /api/userprofile/", "PUT /api/userprofile/", "PATCH /api/userprofile/"]
# Lists and objects that hold the coach's public routines, days and sets, readable by all on purpose.
PUBLIC_ON_PURPOSE = ["GET /api/routines/", "GET /api/days/{id}/", "GET /api/sets/", "GET /api/sets/{id}/"]
TRAPS = CATALOGUES + PROFILE + PUBLIC_ON_PURPOSE
TENANT_OPERATIONS = [
    "GET /api/routines/{id}/",
    "PUT /api/routines/{id}/",
    "PATCH /api/routines/{id}/",
    "DELETE /api/routines/{id}/",
    "GET /api/days/",
    "POST /api/days/",
    "GET /api/days/{id}/",
    "PATCH /api/days/{id}/",
    "DELETE /api/days/{id}/",
    "POST /api/sets/",
    "GET /api/sets/{id}/",
    "PATCH /api/sets/{id}/",
    "DELETE /api/sets/{id}/",
    "POST /api/sessions/",
    "GET /api/sessions/{id}/",
    "DELETE /api/sessions/{id}/",
]


def _expected(names: list[str]) -> set[str]:
    return {label for name in names for label in VULNERABILITIES[name]}


@functools.cache
def _campaign(names: tuple[str, ...]) -> CampaignResult:
    """One in-process campaign per set of switches, shared by the tests that judge it."""
    return run_in_process(create_app(names), DRF_CONFIG)


# -- the clean API -------------------------------------------------------------------------------


def test_clean_workouts_is_probed_everywhere_without_probe_errors() -> None:
    result = _campaign(())
    assert result.complete
    assert result.errors == []
    assert [label for label in TENANT_OPERATIONS if result.coverage[label].probes == 0] == []


def test_clean_workouts_has_no_finding_of_any_verdict() -> None:
    assert [(f.operation, f.verdict.value, f.oracle) for f in _campaign(()).findings] == []


def test_clean_workouts_seeds_every_resource_and_never_seeds_with_the_profile() -> None:
    # Days need the tenant's own routine (`routine`), sets its own day (`day`) and a catalogue
    # exercise (`exercise`), sessions a routine's URL; the profile update makes nothing new.
    assert _campaign(()).seeding == []


def test_the_coverage_says_which_field_the_harness_cannot_map_and_how() -> None:
    note = (
        "body field unit holds a key but names no resource (perhaps WeightUnit): if it points at one, "
        'map it in the config: [api] references = { unit = "WeightUnit" }'
    )
    assert note in _campaign(()).coverage["POST /api/sets/"].skipped


# -- each switch alone ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_each_switch_alone_is_found_exactly_at_its_operations(name: str) -> None:
    result = _campaign((name,))
    assert confirmed_operations(result) == _expected([name])
    assert [(f.operation, f.oracle) for f in result.findings if f.verdict.value != "confirmed"] == []
    # Each tenant attacks the other.
    for label in VULNERABILITIES[name]:
        assert {f.attacker for f in result.findings if f.operation == label} == {"tenant-a", "tenant-b"}, (
            label
        )


# -- all switches together -----------------------------------------------------------------------


@pytest.mark.slow  # each switch alone is in the default suite
def test_all_switches_together_are_all_found_and_nothing_else() -> None:
    result = _campaign(tuple(ALL))
    assert result.complete
    assert result.errors == []
    assert confirmed_operations(result) == _expected(ALL)
    assert [(f.operation, f.oracle) for f in result.findings if f.verdict.value != "confirmed"] == []


def test_traps_stay_clean_with_every_switch_on() -> None:
    # Catalogues (paginated, the same for everyone and for the anonymous caller), the coach's public
    # routines with their days and sets, and the caller's own profile, updated with no id in the path.
    result = _campaign(tuple(ALL))
    assert [(f.operation, f.oracle) for f in result.findings if f.operation in TRAPS] == []
    assert result.coverage["GET /api/exercises/{id}/"].probes > 0


# -- over HTTP -----------------------------------------------------------------------------------


@pytest.mark.slow  # two whole campaigns
def test_over_http_the_same_as_in_process() -> None:
    names = tuple(ALL)
    in_process = _campaign(names)
    with wsgi_server(create_app(names)) as base_url:
        over_http = run_over_http(f"{base_url}/api/schema/", DRF_CONFIG)
    assert over_http.complete
    assert over_http.errors == []
    assert {(f.operation, f.attacker, f.victim, f.oracle) for f in over_http.findings} == {
        (f.operation, f.attacker, f.victim, f.oracle) for f in in_process.findings
    }
