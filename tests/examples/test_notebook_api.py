"""Tests for the Notebook example API (Flask, cookie sessions, UUID ids, slug-addressed notes)."""

from __future__ import annotations

import importlib.util
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from schemathesis.core.result import Ok

import examples.notebook_api as notebook_api
from examples.notebook_api import VULNERABILITIES, create_app
from examples.notebook_api.app import ENV_VAR, parse_vulnerabilities
from examples.notebook_api.openapi import openapi_document

OPERATIONS = [
    "POST /signup",
    "POST /login",
    "GET /whoami",
    "GET /projects",
    "POST /projects",
    "GET /projects/{projectId}",
    "PUT /projects/{projectId}",
    "DELETE /projects/{projectId}",
    "GET /projects/{projectId}/notes",
    "POST /projects/{projectId}/notes",
    "GET /projects/{projectId}/notes/{slug}",
]
PROTECTED = [op for op in OPERATIONS if op not in ("POST /signup", "POST /login")]
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
TIMESTAMP_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
PASSWORD = "correct horse"


def signup(client: FlaskClient, email: str, workspace: str = "Acme") -> dict[str, Any]:
    response = client.post("/signup", json={"workspaceName": workspace, "email": email, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def logged_in(app: Flask, email: str, workspace: str = "Acme") -> FlaskClient:
    client = app.test_client()
    signup(client, email, workspace)
    assert client.post("/login", json={"email": email, "password": PASSWORD}).status_code == 204
    return client


def create_project(client: FlaskClient, title: str = "Roadmap", description: str = "") -> dict[str, Any]:
    response = client.post("/projects", json={"title": title, "description": description})
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def create_note(client: FlaskClient, project_id: str, slug: str, body: str = "text") -> dict[str, Any]:
    response = client.post(f"/projects/{project_id}/notes", json={"slug": slug, "body": body})
    assert response.status_code == 201, response.get_json()
    note: dict[str, Any] = response.get_json()
    return note


def concrete(operation: str, project_id: str, slug: str) -> tuple[str, str]:
    method, path = operation.split(" ")
    return method, path.replace("{projectId}", project_id).replace("{slug}", slug)


@pytest.fixture
def app() -> Flask:
    return create_app()


@pytest.fixture
def alice(app: Flask) -> FlaskClient:
    return logged_in(app, "alice@example.com", "Alice Inc")


# --- signup and login -------------------------------------------------------------------------


def test_signup_returns_the_user(app: Flask) -> None:
    user = signup(app.test_client(), "bob@example.com", "Bob Ltd")
    assert set(user) == {"userId", "workspaceName", "email"}
    assert UUID_RE.fullmatch(user["userId"])
    assert (user["workspaceName"], user["email"]) == ("Bob Ltd", "bob@example.com")


def test_signup_rejects_a_registered_email_case_insensitively(app: Flask) -> None:
    client = app.test_client()
    signup(client, "bob@example.com")
    payload = {"workspaceName": "Other", "email": "BOB@example.com", "password": PASSWORD}
    response = client.post("/signup", json=payload)
    assert response.status_code == 409
    assert "error" in response.get_json()


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "a@example.com", "password": PASSWORD},
        {"workspaceName": "W", "email": "not-an-email", "password": PASSWORD},
        {"workspaceName": "W", "email": "a@example.com", "password": "short"},
        {"workspaceName": "", "email": "a@example.com", "password": PASSWORD},
        {"workspaceName": "W" * 101, "email": "a@example.com", "password": PASSWORD},
        {"workspaceName": 7, "email": "a@example.com", "password": PASSWORD},
        {"workspaceName": "W", "email": "a@example.com", "password": PASSWORD, "role": "admin"},
        ["not", "an", "object"],
    ],
)
def test_signup_validates_the_body(app: Flask, payload: Any) -> None:
    response = app.test_client().post("/signup", json=payload)
    assert response.status_code == 400
    assert isinstance(response.get_json()["error"], str)


def test_signup_rejects_a_non_json_body(app: Flask) -> None:
    response = app.test_client().post("/signup", data="workspaceName=W", content_type="text/plain")
    assert response.status_code == 400


def test_login_sets_an_http_only_session_cookie(app: Flask) -> None:
    client = app.test_client()
    signup(client, "carol@example.com")
    response = client.post("/login", json={"email": "Carol@Example.com", "password": PASSWORD})
    assert response.status_code == 204
    assert response.data == b""
    assert re.fullmatch(r"nb_session=[A-Za-z0-9_-]{40,}; HttpOnly; Path=/", response.headers["Set-Cookie"])
    assert client.get("/whoami").status_code == 200


def test_each_login_gets_a_fresh_token(app: Flask) -> None:
    client = app.test_client()
    signup(client, "carol@example.com")
    credentials = {"email": "carol@example.com", "password": PASSWORD}
    first = client.post("/login", json=credentials).headers["Set-Cookie"]
    second = client.post("/login", json=credentials).headers["Set-Cookie"]
    assert first != second


@pytest.mark.parametrize(
    ("email", "password"), [("carol@example.com", "wrong password"), ("nobody@example.com", PASSWORD)]
)
def test_login_rejects_bad_credentials(app: Flask, email: str, password: str) -> None:
    client = app.test_client()
    signup(client, "carol@example.com")
    response = client.post("/login", json={"email": email, "password": password})
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers
    assert response.get_json() == {"error": "invalid email or password"}


def test_whoami(app: Flask) -> None:
    client = logged_in(app, "dave@example.com", "Dave Co")
    me = client.get("/whoami").get_json()
    assert me["email"] == "dave@example.com"
    assert me["workspaceName"] == "Dave Co"
    assert UUID_RE.fullmatch(me["userId"])


@pytest.mark.parametrize("operation", PROTECTED)
@pytest.mark.parametrize("cookie", [None, "forged-token"])
def test_every_other_operation_needs_the_session_cookie(
    app: Flask, alice: FlaskClient, operation: str, cookie: str | None
) -> None:
    project_id = create_project(alice)["projectId"]
    create_note(alice, project_id, "kept-note")
    client = app.test_client()
    if cookie is not None:
        client.set_cookie("nb_session", cookie)
    method, path = concrete(operation, project_id, "kept-note")
    response = client.open(path, method=method, json={"title": "x", "slug": "new-note", "body": "x"})
    assert response.status_code == 401
    assert response.get_json() == {"error": "authentication required"}


# --- projects and notes -----------------------------------------------------------------------


def test_project_lifecycle(alice: FlaskClient) -> None:
    assert alice.get("/projects").get_json() == []
    project = create_project(alice, "Roadmap", "Q3 plans")
    assert set(project) == {"projectId", "title", "description", "createdAt", "updatedAt"}
    assert UUID_RE.fullmatch(project["projectId"])
    assert TIMESTAMP_RE.fullmatch(project["createdAt"])
    assert project["createdAt"] == project["updatedAt"]
    assert (project["title"], project["description"]) == ("Roadmap", "Q3 plans")
    url = f"/projects/{project['projectId']}"

    assert alice.get(url).get_json() == project
    assert alice.get(url.upper().replace("/PROJECTS/", "/projects/")).status_code == 200
    assert alice.get("/projects").get_json() == [project]

    updated = alice.put(url, json={"title": "Roadmap v2"})
    assert updated.status_code == 200
    assert updated.get_json()["title"] == "Roadmap v2"
    assert updated.get_json()["description"] == ""  # PUT replaces the whole project
    assert updated.get_json()["updatedAt"] >= project["updatedAt"]
    assert updated.get_json()["createdAt"] == project["createdAt"]
    assert alice.get(url).get_json() == updated.get_json()

    assert alice.delete(url).status_code == 204
    assert alice.get(url).status_code == 404
    assert alice.delete(url).status_code == 404
    assert alice.get("/projects").get_json() == []


def test_create_project_defaults_description(alice: FlaskClient) -> None:
    response = alice.post("/projects", json={"title": "T"})
    assert response.status_code == 201
    assert response.get_json()["description"] == ""


@pytest.mark.parametrize(
    "payload", [{}, {"title": ""}, {"title": "t" * 201}, {"title": "T", "description": None}, {"name": "T"}]
)
def test_project_bodies_are_validated(alice: FlaskClient, payload: dict[str, Any]) -> None:
    assert alice.post("/projects", json=payload).status_code == 400
    project_id = create_project(alice)["projectId"]
    assert alice.put(f"/projects/{project_id}", json=payload).status_code == 400


def test_note_lifecycle(alice: FlaskClient) -> None:
    project_id = create_project(alice)["projectId"]
    assert alice.get(f"/projects/{project_id}/notes").get_json() == []
    note = create_note(alice, project_id, "kick-off", "Agenda: everything")
    assert set(note) == {"noteId", "projectId", "slug", "body", "createdAt"}
    assert UUID_RE.fullmatch(note["noteId"])
    assert TIMESTAMP_RE.fullmatch(note["createdAt"])
    assert (note["projectId"], note["slug"], note["body"]) == (project_id, "kick-off", "Agenda: everything")

    assert alice.get(f"/projects/{project_id}/notes/kick-off").get_json() == note
    second = create_note(alice, project_id, "retro-2")
    assert alice.get(f"/projects/{project_id}/notes").get_json() == [note, second]
    assert alice.get(f"/projects/{project_id}/notes/missing").get_json() == {"error": "not found"}


def test_slugs_are_unique_per_project(alice: FlaskClient) -> None:
    first, other = create_project(alice)["projectId"], create_project(alice)["projectId"]
    create_note(alice, first, "same-slug")
    duplicate = alice.post(f"/projects/{first}/notes", json={"slug": "same-slug", "body": "again"})
    assert duplicate.status_code == 409
    assert create_note(alice, other, "same-slug")["projectId"] == other


@pytest.mark.parametrize(
    "payload",
    [
        {"slug": "ab", "body": "x"},
        {"slug": "Upper-Case", "body": "x"},
        {"slug": "has space", "body": "x"},
        {"slug": "trailing-newline\n", "body": "x"},
        {"slug": "a" * 41, "body": "x"},
        {"slug": "okay-slug"},
        {"slug": "okay-slug", "body": ""},
        {"slug": "okay-slug", "body": 12},
    ],
)
def test_note_bodies_are_validated(alice: FlaskClient, payload: dict[str, Any]) -> None:
    project_id = create_project(alice)["projectId"]
    assert alice.post(f"/projects/{project_id}/notes", json=payload).status_code == 400


def test_deleting_a_project_deletes_its_notes(alice: FlaskClient) -> None:
    project_id = create_project(alice)["projectId"]
    create_note(alice, project_id, "doomed")
    assert alice.delete(f"/projects/{project_id}").status_code == 204
    assert alice.get(f"/projects/{project_id}/notes").status_code == 404
    assert alice.get(f"/projects/{project_id}/notes/doomed").status_code == 404


@pytest.mark.parametrize(
    "project_id",
    [str(uuid.uuid4()), "not-a-uuid", uuid.uuid4().hex, "0"],
    ids=["uuid", "not-a-uuid", "hex", "zero"],
)
def test_unknown_or_malformed_ids_are_json_404s(alice: FlaskClient, project_id: str) -> None:
    for path in (
        f"/projects/{project_id}",
        f"/projects/{project_id}/notes",
        f"/projects/{project_id}/notes/x-y-z",
    ):
        response = alice.get(path)
        assert response.status_code == 404
        assert response.get_json() == {"error": "not found"}


def test_unknown_routes_and_methods_answer_json(alice: FlaskClient) -> None:
    assert alice.get("/nowhere").get_json() == {"error": "not found"}
    response = alice.patch("/projects")
    assert response.status_code == 405
    assert response.get_json() == {"error": "method not allowed"}
    assert "POST" in response.headers["Allow"]


# --- tenant isolation and the switchable bug --------------------------------------------------


def two_tenants(app: Flask) -> tuple[FlaskClient, FlaskClient, str]:
    """Alice owns a project (with a note) whose data carry a canary; Mallory is another workspace."""
    alice = logged_in(app, "alice@example.com", "Alice Inc")
    mallory = logged_in(app, "mallory@example.com", "Mallory LLC")
    project_id = create_project(alice, "canary-A1 title", "canary-A1 description")["projectId"]
    create_note(alice, project_id, "secret-note", "canary-A1 body")
    return alice, mallory, project_id


@pytest.mark.parametrize("operation", [op for op in PROTECTED if "{projectId}" in op])
def test_clean_app_hides_foreign_ids(operation: str) -> None:
    app = create_app()
    alice, mallory, project_id = two_tenants(app)
    method, path = concrete(operation, project_id, "secret-note")
    response = mallory.open(path, method=method, json={"title": "pwned", "slug": "pwned", "body": "pwned"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "not found"}
    assert "canary-A1" not in response.get_data(as_text=True)
    # Alice's data are untouched.
    assert alice.get(f"/projects/{project_id}").get_json()["title"] == "canary-A1 title"
    assert [n["slug"] for n in alice.get(f"/projects/{project_id}/notes").get_json()] == ["secret-note"]


def test_clean_app_lists_only_own_projects() -> None:
    app = create_app()
    alice, mallory, project_id = two_tenants(app)
    own = create_project(mallory, "mallory's")
    assert mallory.get("/projects").get_json() == [own]
    assert [p["projectId"] for p in alice.get("/projects").get_json()] == [project_id]


def test_read_by_id_bug_leaks_the_foreign_project() -> None:
    app = create_app(["read-by-id"])
    alice, mallory, project_id = two_tenants(app)
    response = mallory.get(f"/projects/{project_id}")
    assert response.status_code == 200
    assert response.get_json() == alice.get(f"/projects/{project_id}").get_json()
    assert "canary-A1" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "operation", [op for op in PROTECTED if "{projectId}" in op and op not in VULNERABILITIES["read-by-id"]]
)
def test_read_by_id_bug_leaves_other_operations_isolated(operation: str) -> None:
    app = create_app(["read-by-id"])
    alice, mallory, project_id = two_tenants(app)
    method, path = concrete(operation, project_id, "secret-note")
    response = mallory.open(path, method=method, json={"title": "pwned", "slug": "pwned", "body": "pwned"})
    assert response.status_code == 404
    assert "canary-A1" not in response.get_data(as_text=True)
    assert mallory.get("/projects").get_json() == []
    assert alice.get(f"/projects/{project_id}").get_json()["title"] == "canary-A1 title"


def test_vulnerability_registry() -> None:
    assert VULNERABILITIES == {"read-by-id": ["GET /projects/{projectId}"]}
    assert notebook_api.__all__ == ["VULNERABILITIES", "app", "create_app"]
    assert create_app().config["NOTEBOOK_VULNERABILITIES"] == frozenset()
    assert create_app("read-by-id").config["NOTEBOOK_VULNERABILITIES"] == {"read-by-id"}


def test_unknown_vulnerability_names_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"unknown vulnerability name\(s\) nope; valid names: read-by-id"):
        create_app(["read-by-id", "nope"])


def test_stores_are_per_app() -> None:
    first, second = create_app(), create_app()
    logged_in(first, "erin@example.com")
    response = second.test_client().post("/login", json={"email": "erin@example.com", "password": PASSWORD})
    assert response.status_code == 401


# --- environment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("", []),
        ("none", []),
        (" None ", []),
        ("all", ["read-by-id"]),
        ("ALL", ["read-by-id"]),
        ("read-by-id", ["read-by-id"]),
        (" read-by-id , ,", ["read-by-id"]),
        ("read-by-id,bogus", ["read-by-id", "bogus"]),
    ],
)
def test_parse_vulnerabilities(value: str | None, expected: list[str]) -> None:
    assert parse_vulnerabilities(value) == expected


def _fresh_app_module(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Execute app.py again as a throwaway module, so module-level ``app`` re-reads the environment."""
    name = "examples.notebook_api._app_under_test"
    spec = importlib.util.spec_from_file_location(name, Path(notebook_api.__file__).with_name("app.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("value", "expected"), [(None, set()), ("none", set()), ("all", {"read-by-id"})])
def test_module_app_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: set[str]
) -> None:
    if value is None:
        monkeypatch.delenv(ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(ENV_VAR, value)
    assert _fresh_app_module(monkeypatch).app.config["NOTEBOOK_VULNERABILITIES"] == expected


def test_module_app_rejects_unknown_names_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "read-by-id,bogus")
    with pytest.raises(ValueError, match="bogus"):
        _fresh_app_module(monkeypatch)


# --- OpenAPI document -------------------------------------------------------------------------


def test_openapi_is_served_without_a_cookie(app: Flask) -> None:
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == openapi_document()


def _documented_path(rule: str) -> str:
    """A Flask rule such as ``/projects/<project_id>`` written the OpenAPI way."""
    return re.sub(r"<(\w+)>", lambda m: "{" + {"project_id": "projectId"}.get(m[1], m[1]) + "}", rule)


def test_openapi_documents_every_route_and_security() -> None:
    doc = openapi_document()
    paths: dict[str, dict[str, Any]] = doc["paths"]
    operations = {
        f"{method.upper()} {path}": operation
        for path, item in paths.items()
        for method, operation in item.items()
        if method != "parameters"
    }
    assert sorted(operations) == sorted(OPERATIONS)
    routes = {
        f"{method} {_documented_path(rule.rule)}"
        for rule in create_app().url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS") and rule.endpoint not in ("static", "openapi")
    }
    assert routes == set(OPERATIONS)
    scheme = {"type": "apiKey", "in": "cookie", "name": "nb_session"}
    assert doc["components"]["securitySchemes"] == {"cookieAuth": scheme}
    assert doc["security"] == [{"cookieAuth": []}]
    for label, operation in operations.items():
        public = label in ("POST /signup", "POST /login")
        assert (operation.get("security") == []) is public, label
        assert ("401" in operation["responses"]) is (label != "POST /signup"), label
        assert ("404" in operation["responses"]) is ("{projectId}" in label), label
        assert ("400" in operation["responses"]) is ("requestBody" in operation), label
        assert any(code.startswith("2") for code in operation["responses"]), label


def test_schemathesis_loads_the_document(app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    results = list(schema.get_all_operations())
    assert all(isinstance(result, Ok) for result in results), results
    labels = [result.ok().label for result in results if isinstance(result, Ok)]
    assert sorted(labels) == sorted(OPERATIONS)
