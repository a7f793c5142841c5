"""Planner: a small multi-user project planner (Flask, spec-first: the OpenAPI document is written by hand).

Style: integer ids from one counter per table, snake_case JSON, `POST /login` answers
{"access_token": ..., "token_type": "bearer"} and clients send `Authorization: Bearer <token>`.
Projects hold notes (`/projects/{project_id}/notes`) and tasks (`POST /tasks` names its project in
the body). Quirks of its author, on by default and not isolation bugs:

- `PUT /projects/{project_id}` replaces the whole project and reads `color` and `archived` from the
  body, which its schema forgot: any body without them fails with a 500, for the owner too;
- `PUT /projects/{project_id}/settings` saves the caller's own view settings (they are per user,
  whatever the project in the path) and answers 204;
- another user's task is refused with 403, a project named in a task's body is checked (404).

Correctly isolated by default. Bugs: create_app(bugs=[...]) or PLANNER_BUGS=note-any-project,... ("all").
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from typing import Any

from flask import Flask, jsonify, request

BUGS: dict[str, list[str]] = {
    # a note can be added to any user's project; its owner sees it in the project's notes
    "note-any-project": ["POST /projects/{project_id}/notes"],
    # PUT replaces any user's project (and still fails without the fields its schema forgot)
    "project-replace-unscoped": ["PUT /projects/{project_id}"],
}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "ok") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def _id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


_ERR = _json(_ref("Error"), "error")

OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Planner", "version": "0.3.0"},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "properties": {"detail": {"type": "string"}}},
            "Register": {
                "type": "object",
                "required": ["email", "password", "display_name"],
                "properties": {
                    "email": {"type": "string", "format": "email"},
                    "password": {"type": "string", "minLength": 8},
                    "display_name": {"type": "string", "maxLength": 80},
                },
            },
            "Login": {
                "type": "object",
                "required": ["email", "password"],
                "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
            },
            "Token": {
                "type": "object",
                "properties": {"access_token": {"type": "string"}, "token_type": {"type": "string"}},
            },
            "User": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "email": {"type": "string"},
                    "display_name": {"type": "string"},
                },
            },
            "ProjectWrite": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 120},
                    "description": {"type": "string", "maxLength": 500},
                },
            },
            "Project": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "color": {"type": "string"},
                    "archived": {"type": "boolean"},
                    "owner_id": {"type": "integer"},
                    "created_at": {"type": "string", "format": "date-time"},
                },
            },
            "Settings": {
                "type": "object",
                "properties": {
                    "label": {"type": "string", "maxLength": 60},
                    "page_size": {"type": "integer", "minimum": 1, "maximum": 100},
                },
            },
            "NoteWrite": {
                "type": "object",
                "required": ["text"],
                "properties": {"text": {"type": "string", "maxLength": 1000}},
            },
            "Note": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "project_id": {"type": "integer"},
                    "text": {"type": "string"},
                    "author_id": {"type": "integer"},
                },
            },
            "TaskWrite": {
                "type": "object",
                "required": ["project_id", "title"],
                "properties": {
                    "project_id": {"type": "integer"},
                    "title": {"type": "string", "maxLength": 200},
                    "done": {"type": "boolean"},
                },
            },
            "TaskPatch": {
                "type": "object",
                "properties": {"title": {"type": "string", "maxLength": 200}, "done": {"type": "boolean"}},
            },
            "Task": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "project_id": {"type": "integer"},
                    "title": {"type": "string"},
                    "done": {"type": "boolean"},
                },
            },
        },
    },
    "security": [{"bearer": []}],
    "paths": {
        "/register": {
            "post": {
                "operationId": "register",
                "security": [],
                "requestBody": _body("Register"),
                "responses": {"201": _json(_ref("User"), "registered"), "400": _ERR},
            }
        },
        "/login": {
            "post": {
                "operationId": "login",
                "security": [],
                "requestBody": _body("Login"),
                "responses": {"200": _json(_ref("Token")), "401": _ERR},
            }
        },
        "/me": {"get": {"operationId": "me", "responses": {"200": _json(_ref("User")), "401": _ERR}}},
        "/projects": {
            "get": {
                "operationId": "listProjects",
                "responses": {"200": _json({"type": "array", "items": _ref("Project")})},
            },
            "post": {
                "operationId": "createProject",
                "requestBody": _body("ProjectWrite"),
                "responses": {"201": _json(_ref("Project"), "created"), "400": _ERR},
            },
        },
        "/projects/{project_id}": {
            "parameters": [_id("project_id")],
            "get": {
                "operationId": "getProject",
                "responses": {"200": _json(_ref("Project")), "404": _ERR},
            },
            "put": {
                "operationId": "replaceProject",
                "requestBody": _body("ProjectWrite"),
                "responses": {"200": _json(_ref("Project")), "400": _ERR, "404": _ERR},
            },
            "delete": {
                "operationId": "deleteProject",
                "responses": {"204": {"description": "deleted"}, "404": _ERR},
            },
        },
        "/projects/{project_id}/settings": {
            "parameters": [_id("project_id")],
            "get": {
                "operationId": "getSettings",
                "responses": {"200": _json(_ref("Settings")), "404": _ERR},
            },
            "put": {
                "operationId": "saveSettings",
                "requestBody": _body("Settings"),
                "responses": {"204": {"description": "saved"}, "400": _ERR},
            },
        },
        "/projects/{project_id}/notes": {
            "parameters": [_id("project_id")],
            "get": {
                "operationId": "listNotes",
                "responses": {"200": _json({"type": "array", "items": _ref("Note")}), "404": _ERR},
            },
            "post": {
                "operationId": "addNote",
                "requestBody": _body("NoteWrite"),
                "responses": {"201": _json(_ref("Note"), "created"), "400": _ERR, "404": _ERR},
            },
        },
        "/tasks": {
            "get": {
                "operationId": "listTasks",
                "responses": {"200": _json({"type": "array", "items": _ref("Task")})},
            },
            "post": {
                "operationId": "createTask",
                "requestBody": _body("TaskWrite"),
                "responses": {"201": _json(_ref("Task"), "created"), "400": _ERR, "404": _ERR},
            },
        },
        "/tasks/{task_id}": {
            "parameters": [_id("task_id")],
            "get": {"operationId": "getTask", "responses": {"200": _json(_ref("Task")), "403": _ERR}},
            "patch": {
                "operationId": "updateTask",
                "requestBody": _body("TaskPatch"),
                "responses": {"200": _json(_ref("Task")), "400": _ERR, "403": _ERR},
            },
        },
    },
}


def create_app(bugs: list[str] | None = None) -> Flask:
    active = set(bugs or [])
    unknown = active - BUGS.keys()
    if unknown:
        raise ValueError(f"unknown bugs {sorted(unknown)}; known: {sorted(BUGS)}")

    app = Flask("planner")
    users: dict[int, dict[str, Any]] = {}
    tokens: dict[str, int] = {}
    projects: dict[int, dict[str, Any]] = {}
    notes: dict[int, dict[str, Any]] = {}
    tasks: dict[int, dict[str, Any]] = {}
    settings: dict[int, dict[str, Any]] = {}
    counters = {"user": 0, "project": 0, "note": 0, "task": 0}

    def next_id(table: str) -> int:
        counters[table] += 1
        return counters[table]

    def fail(status: int, detail: str) -> Any:
        return jsonify({"detail": detail}), status

    def me() -> dict[str, Any] | None:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        return users.get(tokens.get(token, 0))

    def data() -> dict[str, Any]:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}

    def own_project(project_id: int) -> dict[str, Any] | None:
        project = projects.get(project_id)
        user = me()
        return project if project and user and project["owner_id"] == user["id"] else None

    @app.before_request
    def authenticate() -> Any:
        if request.path in ("/register", "/login", "/openapi.json"):
            return None
        return None if me() else fail(401, "not authenticated")

    @app.get("/openapi.json")
    def openapi() -> Any:
        return jsonify(OPENAPI)

    @app.post("/register")
    def register() -> Any:
        body = data()
        if not all(isinstance(body.get(key), str) for key in ("email", "password", "display_name")):
            return fail(400, "email, password and display_name are required")
        if any(user["email"] == body["email"] for user in users.values()):
            return fail(400, "email taken")
        uid = next_id("user")
        users[uid] = {"id": uid, "email": body["email"], "display_name": body["display_name"]}
        users[uid]["password"] = body["password"]
        return jsonify({k: users[uid][k] for k in ("id", "email", "display_name")}), 201

    @app.post("/login")
    def login() -> Any:
        body = data()
        user = next((u for u in users.values() if u["email"] == body.get("email")), None)
        if user is None or user["password"] != body.get("password"):
            return fail(401, "bad credentials")
        token = secrets.token_urlsafe(16)
        tokens[token] = user["id"]
        return jsonify({"access_token": token, "token_type": "bearer"})

    @app.get("/me")
    def whoami() -> Any:
        user = me()
        assert user is not None
        return jsonify({k: user[k] for k in ("id", "email", "display_name")})

    @app.get("/projects")
    def list_projects() -> Any:
        user = me()
        assert user is not None
        return jsonify([p for p in projects.values() if p["owner_id"] == user["id"]])

    @app.post("/projects")
    def create_project() -> Any:
        body, user = data(), me()
        assert user is not None
        if not isinstance(body.get("name"), str):
            return fail(400, "name is required")
        pid = next_id("project")
        projects[pid] = {
            "id": pid,
            "name": body["name"],
            "description": body.get("description", ""),
            "color": "grey",
            "archived": False,
            "owner_id": user["id"],
            "created_at": datetime.now(UTC).isoformat(),
        }
        return jsonify(projects[pid]), 201

    @app.get("/projects/<int:project_id>")
    def get_project(project_id: int) -> Any:
        project = own_project(project_id)
        return jsonify(project) if project else fail(404, "project not found")

    @app.put("/projects/<int:project_id>")
    def replace_project(project_id: int) -> Any:
        unscoped = "project-replace-unscoped" in active
        project = projects.get(project_id) if unscoped else own_project(project_id)
        if project is None:
            return fail(404, "project not found")
        body = data()
        # A replacement takes the whole project (KeyError, so a 500, when a field is missing).
        replacement = {key: body[key] for key in ("name", "description", "color", "archived")}
        project.update(replacement)
        return jsonify(project)

    @app.delete("/projects/<int:project_id>")
    def delete_project(project_id: int) -> Any:
        if own_project(project_id) is None:
            return fail(404, "project not found")
        del projects[project_id]
        return "", 204

    @app.get("/projects/<int:project_id>/settings")
    def get_settings(project_id: int) -> Any:
        user = me()
        assert user is not None
        if own_project(project_id) is None:
            return fail(404, "project not found")
        return jsonify(settings.get(user["id"], {"label": "", "page_size": 20}))

    @app.put("/projects/<int:project_id>/settings")
    def save_settings(project_id: int) -> Any:
        user, body = me(), data()
        assert user is not None
        # Settings are the caller's own, whatever the project.
        current = settings.setdefault(user["id"], {"label": "", "page_size": 20})
        current.update({key: body[key] for key in ("label", "page_size") if key in body})
        return "", 204

    @app.get("/projects/<int:project_id>/notes")
    def list_notes(project_id: int) -> Any:
        if own_project(project_id) is None:
            return fail(404, "project not found")
        return jsonify([n for n in notes.values() if n["project_id"] == project_id])

    @app.post("/projects/<int:project_id>/notes")
    def add_note(project_id: int) -> Any:
        user, body = me(), data()
        assert user is not None
        unchecked = "note-any-project" in active
        if (project_id not in projects) if unchecked else (own_project(project_id) is None):
            return fail(404, "project not found")
        if not isinstance(body.get("text"), str):
            return fail(400, "text is required")
        nid = next_id("note")
        notes[nid] = {"id": nid, "project_id": project_id, "text": body["text"], "author_id": user["id"]}
        return jsonify(notes[nid]), 201

    @app.get("/tasks")
    def list_tasks() -> Any:
        user = me()
        assert user is not None
        fields = ("id", "project_id", "title", "done")
        return jsonify([{k: t[k] for k in fields} for t in tasks.values() if t["owner_id"] == user["id"]])

    @app.post("/tasks")
    def create_task() -> Any:
        user, body = me(), data()
        assert user is not None
        if not isinstance(body.get("project_id"), int) or not isinstance(body.get("title"), str):
            return fail(400, "project_id and title are required")
        if own_project(body["project_id"]) is None:
            return fail(404, "project not found")
        tid = next_id("task")
        tasks[tid] = {
            "id": tid,
            "project_id": body["project_id"],
            "title": body["title"],
            "done": bool(body.get("done", False)),
            "owner_id": user["id"],
        }
        return jsonify({k: tasks[tid][k] for k in ("id", "project_id", "title", "done")}), 201

    def own_task(task_id: int) -> dict[str, Any] | None:
        task, user = tasks.get(task_id), me()
        return task if task and user and task["owner_id"] == user["id"] else None

    @app.get("/tasks/<int:task_id>")
    def get_task(task_id: int) -> Any:
        task = own_task(task_id)
        if task is None:
            return fail(403, "not your task")
        return jsonify({k: task[k] for k in ("id", "project_id", "title", "done")})

    @app.patch("/tasks/<int:task_id>")
    def update_task(task_id: int) -> Any:
        task = own_task(task_id)
        if task is None:
            return fail(403, "not your task")
        body = data()
        task.update({key: body[key] for key in ("title", "done") if key in body})
        return jsonify({k: task[k] for k in ("id", "project_id", "title", "done")})

    return app


def _bugs_from_env() -> list[str]:
    raw = os.environ.get("PLANNER_BUGS", "").strip()
    if not raw or raw == "none":
        return []
    return list(BUGS) if raw == "all" else [b.strip() for b in raw.split(",") if b.strip()]


app = create_app(_bugs_from_env())

if __name__ == "__main__":
    import sys

    app.run(host="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 8704)
