"""Notebook: a small multi-tenant Flask (WSGI) API where teams keep projects and notes.

Each signup creates a workspace (the tenant). Users log in with email and password and receive an
``nb_session`` cookie; every other operation requires it. Identifiers are UUIDs, notes are addressed
by a slug unique within their project, and JSON fields are camelCase. State lives in memory, one
store per :func:`create_app` call.

The app can be built with a deliberate isolation bug (see ``VULNERABILITIES``) so that tools which
look for cross-tenant leaks have something to find. Module-level ``app`` reads the bugs to enable
from the ``NOTEBOOK_VULNERABILITIES`` environment variable: a comma-separated list of names,
``all``, or ``none``/empty (the default).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, jsonify, request
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from .openapi import SCHEMAS, SESSION_COOKIE, openapi_document

VULNERABILITIES: dict[str, list[str]] = {
    # Any logged-in user can read any project by id, whichever workspace owns it.
    "read-by-id": ["GET /projects/{projectId}"],
}
"""Names of the isolation bugs :func:`create_app` can enable, and the operations each one affects."""

ENV_VAR = "NOTEBOOK_VULNERABILITIES"

_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PASSWORD_ITERATIONS = 10_000  # deliberately low: in-memory example, tests create many users


class ApiError(Exception):
    """An error answered as ``{"error": message}`` with the given HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _not_found() -> ApiError:
    return ApiError(404, "not found")


@dataclass
class _User:
    user_id: uuid.UUID
    workspace_id: uuid.UUID
    workspace_name: str
    email: str
    salt: bytes
    password_hash: bytes


@dataclass
class _Project:
    project_id: uuid.UUID
    workspace_id: uuid.UUID
    title: str
    description: str
    created_at: datetime
    updated_at: datetime
    notes: dict[str, _Note] = field(default_factory=dict)  # by slug, in creation order


@dataclass
class _Note:
    note_id: uuid.UUID
    project_id: uuid.UUID
    slug: str
    body: str
    created_at: datetime


@dataclass
class _Store:
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: dict[uuid.UUID, _User] = field(default_factory=dict)
    user_ids_by_email: dict[str, uuid.UUID] = field(default_factory=dict)
    sessions: dict[str, uuid.UUID] = field(default_factory=dict)
    projects: dict[uuid.UUID, _Project] = field(default_factory=dict)


def parse_vulnerabilities(value: str | None) -> list[str]:
    """Parse a ``NOTEBOOK_VULNERABILITIES`` value into bug names (not yet checked for validity)."""
    text = (value or "").strip()
    if text.lower() in ("", "none"):
        return []
    if text.lower() == "all":
        return list(VULNERABILITIES)
    return [name.strip() for name in text.split(",") if name.strip()]


def _now() -> datetime:
    return datetime.now(UTC)


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _PASSWORD_ITERATIONS)


def _user_json(user: _User) -> dict[str, Any]:
    return {"userId": str(user.user_id), "workspaceName": user.workspace_name, "email": user.email}


def _project_json(project: _Project) -> dict[str, Any]:
    return {
        "projectId": str(project.project_id),
        "title": project.title,
        "description": project.description,
        "createdAt": _timestamp(project.created_at),
        "updatedAt": _timestamp(project.updated_at),
    }


def _note_json(note: _Note) -> dict[str, Any]:
    return {
        "noteId": str(note.note_id),
        "projectId": str(note.project_id),
        "slug": note.slug,
        "body": note.body,
        "createdAt": _timestamp(note.created_at),
    }


def _check_string(name: str, value: Any, schema: dict[str, Any]) -> None:
    if not isinstance(value, str):
        raise ApiError(400, f"{name} must be a string")
    if len(value) < schema.get("minLength", 0):
        raise ApiError(400, f"{name} must be at least {schema['minLength']} characters long")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise ApiError(400, f"{name} must be at most {schema['maxLength']} characters long")
    # JSON Schema patterns follow ECMA-262, where `$` does not match before a trailing newline.
    pattern = schema.get("pattern")
    if pattern and not re.search(re.sub(r"\$$", r"\\Z", pattern), value):
        raise ApiError(400, f"{name} must match {pattern}")
    if schema.get("format") == "email" and not _EMAIL_RE.fullmatch(value):
        raise ApiError(400, f"{name} must be an email address")


def _json_body(schema_name: str) -> dict[str, Any]:
    """The request's JSON body, validated against ``SCHEMAS[schema_name]`` (flat string fields)."""
    schema = SCHEMAS[schema_name]
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    properties: dict[str, dict[str, Any]] = schema["properties"]
    for name in schema["required"]:
        if name not in body:
            raise ApiError(400, f"{name} is required")
    for name, value in body.items():
        if name not in properties:
            raise ApiError(400, f"unknown field {name!r}")
        _check_string(name, value, properties[name])
    return body


def _response(payload: Any, status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    return response


def _parse_uuid(value: str) -> uuid.UUID:
    """Parse a canonical (hyphenated) UUID path segment; anything else names nothing."""
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise _not_found() from None
    if str(parsed) != value.lower():
        raise _not_found()
    return parsed


def create_app(vulnerabilities: Iterable[str] = ()) -> Flask:
    """Build a Notebook app with its own empty in-memory store.

    ``vulnerabilities`` names isolation bugs to enable (keys of ``VULNERABILITIES``); a single string
    is taken as one name. Unknown names raise ``ValueError``.
    """
    names = [vulnerabilities] if isinstance(vulnerabilities, str) else list(vulnerabilities)
    unknown = sorted(set(names) - set(VULNERABILITIES))
    if unknown:
        raise ValueError(
            f"unknown vulnerability name(s) {', '.join(unknown)}; valid names: {', '.join(VULNERABILITIES)}"
        )
    enabled = frozenset(names)
    store = _Store()

    app = Flask(__name__)
    app.config["NOTEBOOK_VULNERABILITIES"] = enabled
    if isinstance(app.json, DefaultJSONProvider):
        app.json.sort_keys = False

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError) -> Response:
        return _response({"error": error.message}, error.status)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> ResponseReturnValue:
        response = error.get_response()  # keeps headers such as `Allow` on 405
        message = "not found" if error.code == 404 else (error.name or "error").lower()
        response.set_data(json.dumps({"error": message}))
        response.content_type = "application/json"
        return response

    def current_user() -> _User:
        token = request.cookies.get(SESSION_COOKIE)
        with store.lock:
            user_id = store.sessions.get(token) if token else None
            if user_id is None:
                raise ApiError(401, "authentication required")
            return store.users[user_id]

    def own_project(user: _User, raw_id: str, *, any_workspace: bool = False) -> _Project:
        """The project ``raw_id`` if it exists in the user's workspace; call with the lock held."""
        project = store.projects.get(_parse_uuid(raw_id))
        if project is None or (project.workspace_id != user.workspace_id and not any_workspace):
            raise _not_found()
        return project

    @app.get("/openapi.json")
    def openapi() -> Response:
        return _response(openapi_document())

    @app.post("/signup")
    def signup() -> Response:
        body = _json_body("SignupRequest")
        salt = secrets.token_bytes(16)
        user = _User(
            user_id=uuid.uuid4(),
            workspace_id=uuid.uuid4(),
            workspace_name=body["workspaceName"],
            email=body["email"],
            salt=salt,
            password_hash=_hash_password(body["password"], salt),
        )
        key = user.email.casefold()
        with store.lock:
            if key in store.user_ids_by_email:
                raise ApiError(409, "email already registered")
            store.users[user.user_id] = user
            store.user_ids_by_email[key] = user.user_id
        return _response(_user_json(user), 201)

    @app.post("/login")
    def login() -> Response:
        body = _json_body("LoginRequest")
        with store.lock:
            user_id = store.user_ids_by_email.get(body["email"].casefold())
            user = store.users.get(user_id) if user_id else None
        if user is None or not hmac.compare_digest(
            user.password_hash, _hash_password(body["password"], user.salt)
        ):
            raise ApiError(401, "invalid email or password")
        token = secrets.token_urlsafe(32)
        with store.lock:
            store.sessions[token] = user.user_id
        response = Response(status=204)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, path="/")
        return response

    @app.get("/whoami")
    def whoami() -> Response:
        return _response(_user_json(current_user()))

    @app.get("/projects")
    def list_projects() -> Response:
        user = current_user()
        with store.lock:
            projects = [p for p in store.projects.values() if p.workspace_id == user.workspace_id]
            return _response([_project_json(p) for p in projects])

    @app.post("/projects")
    def create_project() -> Response:
        user = current_user()
        body = _json_body("ProjectInput")
        now = _now()
        project = _Project(
            project_id=uuid.uuid4(),
            workspace_id=user.workspace_id,
            title=body["title"],
            description=body.get("description", ""),
            created_at=now,
            updated_at=now,
        )
        with store.lock:
            store.projects[project.project_id] = project
            return _response(_project_json(project), 201)

    @app.get("/projects/<project_id>")
    def get_project(project_id: str) -> Response:
        user = current_user()
        with store.lock:
            project = own_project(user, project_id, any_workspace="read-by-id" in enabled)
            return _response(_project_json(project))

    @app.put("/projects/<project_id>")
    def update_project(project_id: str) -> Response:
        user = current_user()
        with store.lock:
            project = own_project(user, project_id)
        body = _json_body("ProjectInput")
        with store.lock:
            project = own_project(user, project_id)  # may have been deleted meanwhile
            project.title = body["title"]
            project.description = body.get("description", "")
            project.updated_at = _now()
            return _response(_project_json(project))

    @app.delete("/projects/<project_id>")
    def delete_project(project_id: str) -> Response:
        user = current_user()
        with store.lock:
            project = own_project(user, project_id)
            del store.projects[project.project_id]
        return Response(status=204)

    @app.get("/projects/<project_id>/notes")
    def list_notes(project_id: str) -> Response:
        user = current_user()
        with store.lock:
            project = own_project(user, project_id)
            return _response([_note_json(n) for n in project.notes.values()])

    @app.post("/projects/<project_id>/notes")
    def create_note(project_id: str) -> Response:
        user = current_user()
        with store.lock:
            own_project(user, project_id)
        body = _json_body("NoteInput")
        with store.lock:
            project = own_project(user, project_id)
            if body["slug"] in project.notes:
                raise ApiError(409, "a note with this slug already exists in the project")
            note = _Note(
                note_id=uuid.uuid4(),
                project_id=project.project_id,
                slug=body["slug"],
                body=body["body"],
                created_at=_now(),
            )
            project.notes[note.slug] = note
            return _response(_note_json(note), 201)

    @app.get("/projects/<project_id>/notes/<slug>")
    def get_note(project_id: str, slug: str) -> Response:
        user = current_user()
        with store.lock:
            note = own_project(user, project_id).notes.get(slug)
            if note is None:
                raise _not_found()
            return _response(_note_json(note))

    return app


app = create_app(parse_vulnerabilities(os.environ.get(ENV_VAR)))
"""The Notebook app with the bugs named in ``NOTEBOOK_VULNERABILITIES`` enabled (none by default)."""
