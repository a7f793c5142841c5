"""Tests for the Workouts example API (Django REST framework, drf-spectacular, token auth), without the harness.

`test_switch_really_breaks_isolation` shows that each bug is real and that the clean app refuses the
same requests.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from werkzeug.test import Client, TestResponse

import examples.drf_api as drf_api
from examples.drf_api import ENV_VAR, VULNERABILITIES, WorkoutsApp, create_app, vulnerabilities_from_env

OPERATIONS = {
    "POST /api/register/", "POST /api/login/",
    "GET /api/userprofile/", "PUT /api/userprofile/", "PATCH /api/userprofile/",
    "GET /api/languages/", "GET /api/languages/{id}/", "GET /api/weight-units/", "GET /api/weight-units/{id}/",
    "GET /api/exercise-categories/", "GET /api/exercise-categories/{id}/",
    "GET /api/exercises/", "GET /api/exercises/{id}/",
    "GET /api/routines/", "POST /api/routines/", "GET /api/routines/{id}/", "PUT /api/routines/{id}/",
    "PATCH /api/routines/{id}/", "DELETE /api/routines/{id}/",
    "GET /api/days/", "POST /api/days/", "GET /api/days/{id}/", "PUT /api/days/{id}/", "PATCH /api/days/{id}/",
    "DELETE /api/days/{id}/",
    "GET /api/sets/", "POST /api/sets/", "GET /api/sets/{id}/", "PUT /api/sets/{id}/", "PATCH /api/sets/{id}/",
    "DELETE /api/sets/{id}/",
    "GET /api/sessions/", "POST /api/sessions/", "GET /api/sessions/{id}/", "DELETE /api/sessions/{id}/",
}  # fmt: skip
CATALOGUES = ["/api/languages/", "/api/weight-units/", "/api/exercise-categories/", "/api/exercises/"]
PASSWORD = "correct horse battery"


class _User:
    """A registered, logged-in user of one app, with one routine, one day and one set of its own."""

    def __init__(self, app: WorkoutsApp, name: str) -> None:
        self.client = Client(app)
        self.name = name
        registered = self.client.post(
            "/api/register/", json={"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        )
        assert registered.status_code == 201, registered.text
        login = self.client.post("/api/login/", json={"username": name, "password": PASSWORD})
        assert login.status_code == 200, login.text
        self.token: str = login.json["token"]
        self.routine = self.post("/api/routines/", {"name": f"{name} routine", "description": "private"})
        self.day = self.post("/api/days/", {"routine": self.routine["id"], "name": f"{name} legs day"})
        self.set = self.post(
            "/api/sets/", {"day": self.day["id"], "exercise": 5, "comment": f"{name} squats"}
        )

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> TestResponse:
        headers = {"Authorization": f"Token {self.token}"}
        return self.client.open(path, method=method, json=body, headers=headers)

    def get(self, path: str) -> TestResponse:
        return self.request("GET", path)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.request("POST", path, body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json
        return created


def _results(response: TestResponse) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert set(response.json) == {"count", "next", "previous", "results"}
    results: list[dict[str, Any]] = response.json["results"]
    return results


@pytest.fixture
def clean() -> WorkoutsApp:
    return create_app()


@pytest.fixture
def users(clean: WorkoutsApp) -> tuple[_User, _User]:
    return _User(clean, "alice"), _User(clean, "bob")


# -- the description -------------------------------------------------------------------------------


def test_drf_spectacular_serves_every_operation_at_api_schema(clean: WorkoutsApp) -> None:
    response = Client(clean).get("/api/schema/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    document = yaml.safe_load(response.text)
    assert document == json.loads(Client(clean).get("/api/schema/?format=json").text)
    labels = {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item}
    assert labels == OPERATIONS
    assert document["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    # References are named after their model and hold its primary key, or a URL.
    schemas = document["components"]["schemas"]
    assert schemas["DayRequest"]["properties"]["routine"] == {"type": "integer"}
    assert schemas["SetRequest"]["properties"]["exercise"] == {"type": "integer"}
    assert schemas["WorkoutSessionRequest"]["properties"]["routine"] == {"type": "string", "format": "uri"}
    assert schemas["RoutineRequest"]["properties"]["is_public"] == {"type": "boolean"}


def test_every_switch_names_operations_of_the_description(clean: WorkoutsApp) -> None:
    assert {label for labels in VULNERABILITIES.values() for label in labels} <= OPERATIONS


# -- accounts --------------------------------------------------------------------------------------


def test_register_answers_with_a_message_and_login_with_a_token(clean: WorkoutsApp) -> None:
    client = Client(clean)
    body = {"username": "carol", "email": "carol@example.com", "password": PASSWORD}
    response = client.post("/api/register/", json=body)
    assert (response.status_code, response.json) == (
        201,
        {"message": "User registered successfully", "status": "success"},
    )
    assert client.post("/api/register/", json=body).json == {
        "username": ["A user with that username already exists."]
    }
    token = client.post("/api/login/", json={"username": "carol", "password": PASSWORD}).json["token"]
    assert client.get("/api/routines/", headers={"Authorization": f"Token {token}"}).status_code == 200
    assert client.get("/api/routines/", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/routines/").status_code == 401
    refused = client.post("/api/login/", json={"username": "carol", "password": "wrong password"})
    assert (refused.status_code, refused.json) == (
        400,
        {"non_field_errors": ["Unable to log in with provided credentials."]},
    )


def test_the_profile_is_the_callers_own_and_updates_without_an_id(users: tuple[_User, _User]) -> None:
    alice, bob = users
    response = alice.request("PATCH", "/api/userprofile/", {"display_name": "Alice A.", "language": 2})
    assert response.status_code == 200
    assert response.json == {
        "username": "alice",
        "email": "alice@example.com",
        "display_name": "Alice A.",
        "bio": "",
        "language": 2,
        "weight_unit": None,
    }
    assert bob.get("/api/userprofile/").json["display_name"] == ""
    assert alice.request("PUT", "/api/userprofile/", {"bio": "lifts"}).json["bio"] == "lifts"


# -- shared data -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CATALOGUES)
def test_catalogues_are_the_same_for_everyone_signed_in_or_not(users: tuple[_User, _User], path: str) -> None:
    alice, bob = users
    anonymous = Client(alice.client.application).get(path)
    assert alice.get(path).json == bob.get(path).json == anonymous.json
    assert alice.request("POST", path, {"name": "x"}).status_code == 405


def test_lists_come_in_pages(users: tuple[_User, _User]) -> None:
    alice, _ = users
    first = alice.get("/api/exercises/")
    assert len(_results(first)) == 20
    assert (first.json["count"], first.json["next"], first.json["previous"]) == (
        25,
        "http://localhost/api/exercises/?page=2",
        None,
    )
    second = alice.get("/api/exercises/?page=2")
    assert [e["name"] for e in _results(second)] == [
        "Plank",
        "Crunch",
        "Hanging leg raise",
        "Rowing machine",
        "Jump rope",
    ]


def test_public_routines_are_readable_by_everyone_but_changed_only_by_their_owner(
    users: tuple[_User, _User],
) -> None:
    alice, bob = users
    routines = _results(alice.get("/api/routines/"))
    assert [(r["owner"], r["name"], r["is_public"]) for r in routines] == [
        ("coach", "Starting Strength", True),
        ("coach", "Beginner calisthenics", True),
        ("alice", "alice routine", False),
    ]
    public = routines[0]
    assert public["url"] == f"http://localhost/api/routines/{public['id']}/"
    assert bob.get(f"/api/routines/{public['id']}/").json == public
    assert [d["name"] for d in _results(bob.get(f"/api/days/?routine={public['id']}"))] == ["Day A", "Day B"]
    assert bob.request("PATCH", f"/api/routines/{public['id']}/", {"name": "mine"}).status_code == 404
    assert bob.request("DELETE", f"/api/routines/{public['id']}/").status_code == 404
    assert bob.request("POST", "/api/days/", {"routine": public["id"], "name": "extra"}).status_code == 400


def test_a_session_references_its_routine_by_url_own_or_public(users: tuple[_User, _User]) -> None:
    alice, bob = users
    public_url = _results(bob.get("/api/routines/"))[0]["url"]
    own_url = f"http://localhost/api/routines/{bob.routine['id']}/"
    for url in (public_url, own_url):
        assert bob.post("/api/sessions/", {"routine": url, "date": "2024-05-01"})["routine"] == url
    foreign = f"http://localhost/api/routines/{alice.routine['id']}/"
    refused = bob.request("POST", "/api/sessions/", {"routine": foreign, "date": "2024-05-01"})
    assert (refused.status_code, refused.json) == (
        400,
        {"routine": ["Invalid hyperlink - Object does not exist."]},
    )
    assert _results(alice.get("/api/sessions/")) == []


# -- apps and switches -----------------------------------------------------------------------------


def test_each_app_has_a_fresh_database_and_its_own_switches() -> None:
    first = create_app(["read-by-id"])
    _User(first, "dave")
    second = create_app()
    login = Client(second).post("/api/login/", json={"username": "dave", "password": PASSWORD})
    assert login.status_code == 400
    victim, attacker = _User(second, "erin"), _User(second, "frank")
    path = f"/api/routines/{victim.routine['id']}/"
    assert attacker.get(path).status_code == 404
    # The older app object still has its bug, over the one database.
    assert Client(first).get(path, headers={"Authorization": f"Token {attacker.token}"}).status_code == 200


def test_switches_from_the_environment() -> None:
    assert vulnerabilities_from_env(None) == frozenset()
    assert vulnerabilities_from_env("none") == frozenset()
    assert vulnerabilities_from_env("all") == frozenset(VULNERABILITIES)
    assert vulnerabilities_from_env(" Read-By-Id, delete-by-id ") == {"read-by-id", "delete-by-id"}
    with pytest.raises(
        ValueError, match="unknown Workouts vulnerability name\\(s\\): read-by-idd; valid names"
    ):
        vulnerabilities_from_env("read-by-idd")
    with pytest.raises(ValueError, match="unknown Workouts vulnerability name"):
        create_app(["read-by-idd"])
    with pytest.raises(TypeError, match="not the string 'read-by-id'"):
        create_app("read-by-id")


def test_the_module_level_app_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "delete-by-id")
    monkeypatch.setattr(drf_api, "_app", None)
    assert drf_api.app.vulnerabilities == {"delete-by-id"}
    assert drf_api.app is drf_api.app
    with pytest.raises(AttributeError, match="has no attribute 'ap'"):
        _ = drf_api.ap  # type: ignore[attr-defined]


# -- the bugs are real -----------------------------------------------------------------------------


def _attack(name: str, *, vulnerable: bool) -> TestResponse:
    """Run the attack on bug ``name``; return the response that shows its effect on the victim."""
    app = create_app([name] if vulnerable else [])
    victim, attacker = _User(app, "victim"), _User(app, "attacker")
    routine_path = f"/api/routines/{victim.routine['id']}/"
    if name == "read-by-id":
        return attacker.get(routine_path)
    if name == "write-by-id":
        attacker.request("PATCH", routine_path, {"description": "pwned by attacker"})
        attacker.request("PUT", routine_path, {"name": "renamed by attacker"})
        return victim.get(routine_path)
    if name == "delete-by-id":
        attacker.request("DELETE", f"/api/sets/{victim.set['id']}/")
        return victim.get(f"/api/sets/?day={victim.day['id']}")
    if name == "parent-reference-unchecked":
        # On create and on update alike: a day planted in, and a day moved into, the victim's routine.
        attacker.request(
            "POST", "/api/days/", {"routine": victim.routine["id"], "name": "attacker planted day"}
        )
        moved = {"routine": victim.routine["id"], "name": "attacker moved day"}
        attacker.request("PUT", f"/api/days/{attacker.day['id']}/", moved)
        return victim.get(f"/api/days/?routine={victim.routine['id']}")
    assert name == "list-filter-unscoped"
    return attacker.get(f"/api/days/?routine={victim.routine['id']}")


def _shows_the_bug(name: str, response: TestResponse) -> bool:
    if name == "delete-by-id":
        return _results(response) == []
    text = response.text
    if name == "write-by-id":
        return "pwned by attacker" in text and "renamed by attacker" in text
    if name == "parent-reference-unchecked":
        return "attacker planted day" in text and "attacker moved day" in text
    return "victim" in text


@pytest.mark.parametrize("name", sorted(VULNERABILITIES))
def test_switch_really_breaks_isolation(name: str) -> None:
    # With the switch on the attack reaches the victim's data; with it off the same requests do not.
    assert _shows_the_bug(name, _attack(name, vulnerable=True))
    assert not _shows_the_bug(name, _attack(name, vulnerable=False))


def test_the_clean_app_refuses_each_attack_request() -> None:
    app = create_app()
    victim, attacker = _User(app, "victim"), _User(app, "attacker")
    routine_path = f"/api/routines/{victim.routine['id']}/"
    not_found = {"detail": "No Routine matches the given query."}
    assert (attacker.get(routine_path).status_code, attacker.get(routine_path).json) == (404, not_found)
    assert attacker.request("PATCH", routine_path, {"description": "x"}).status_code == 404
    assert attacker.request("PUT", routine_path, {"name": "x"}).status_code == 404
    assert attacker.request("DELETE", f"/api/sets/{victim.set['id']}/").status_code == 404
    planted = attacker.request("POST", "/api/days/", {"routine": victim.routine["id"], "name": "x"})
    assert (planted.status_code, planted.json) == (
        400,
        {"routine": [f'Invalid pk "{victim.routine["id"]}" - object does not exist.']},
    )
    assert _results(attacker.get(f"/api/days/?routine={victim.routine['id']}")) == []
