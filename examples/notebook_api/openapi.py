"""Hand-written OpenAPI 3.0 document for the Notebook example API.

Flask has no schema generator, so the document lives here as a plain dict. The request-body schemas
in ``SCHEMAS`` are also what the application validates incoming JSON against, so the document and
the behaviour cannot drift apart.
"""

from __future__ import annotations

import copy
from typing import Any

SLUG_PATTERN = "^[a-z0-9-]{3,40}$"
SESSION_COOKIE = "nb_session"

_UUID: dict[str, Any] = {"type": "string", "format": "uuid"}
_TIMESTAMP: dict[str, Any] = {"type": "string", "format": "date-time"}
_EMAIL: dict[str, Any] = {"type": "string", "format": "email", "maxLength": 254}
_WORKSPACE_NAME: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 100}
_TITLE: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 200}
_DESCRIPTION: dict[str, Any] = {"type": "string", "maxLength": 2000}
_SLUG: dict[str, Any] = {"type": "string", "pattern": SLUG_PATTERN, "minLength": 3, "maxLength": 40}
_BODY: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 10000}

SCHEMAS: dict[str, dict[str, Any]] = {
    "SignupRequest": {
        "type": "object",
        "required": ["workspaceName", "email", "password"],
        "properties": {
            "workspaceName": _WORKSPACE_NAME,
            "email": _EMAIL,
            "password": {"type": "string", "minLength": 8, "maxLength": 128},
        },
        "additionalProperties": False,
    },
    "LoginRequest": {
        "type": "object",
        "required": ["email", "password"],
        "properties": {
            "email": _EMAIL,
            "password": {"type": "string", "minLength": 1, "maxLength": 128},
        },
        "additionalProperties": False,
    },
    "User": {
        "type": "object",
        "required": ["userId", "workspaceName", "email"],
        "properties": {"userId": _UUID, "workspaceName": _WORKSPACE_NAME, "email": _EMAIL},
        "additionalProperties": False,
    },
    "ProjectInput": {
        "type": "object",
        "description": "Fields of a project. On update the whole project is replaced; "
        "an omitted description becomes empty.",
        "required": ["title"],
        "properties": {"title": _TITLE, "description": _DESCRIPTION},
        "additionalProperties": False,
    },
    "Project": {
        "type": "object",
        "required": ["projectId", "title", "description", "createdAt", "updatedAt"],
        "properties": {
            "projectId": _UUID,
            "title": _TITLE,
            "description": _DESCRIPTION,
            "createdAt": _TIMESTAMP,
            "updatedAt": _TIMESTAMP,
        },
        "additionalProperties": False,
    },
    "NoteInput": {
        "type": "object",
        "required": ["slug", "body"],
        "properties": {
            "slug": {**_SLUG, "description": "Unique within the project; addresses the note in URLs."},
            "body": _BODY,
        },
        "additionalProperties": False,
    },
    "Note": {
        "type": "object",
        "required": ["noteId", "projectId", "slug", "body", "createdAt"],
        "properties": {
            "noteId": _UUID,
            "projectId": _UUID,
            "slug": _SLUG,
            "body": _BODY,
            "createdAt": _TIMESTAMP,
        },
        "additionalProperties": False,
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string", "maxLength": 500}},
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": _json(_ref("Error"))}


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": _json(_ref(name))}


_BAD_REQUEST = _error("The JSON body is missing or invalid.")
_UNAUTHORIZED = _error("No valid `nb_session` cookie.")
_NOT_FOUND = _error("No such resource in the caller's workspace.")
_CONFLICT = _error("The resource already exists.")

_PROJECT_ID = {
    "name": "projectId",
    "in": "path",
    "required": True,
    "schema": _UUID,
}
_NOTE_SLUG = {"name": "slug", "in": "path", "required": True, "schema": _SLUG}

_PATHS: dict[str, Any] = {
    "/signup": {
        "post": {
            "operationId": "signup",
            "summary": "Create a workspace and its first user.",
            "tags": ["auth"],
            "security": [],
            "requestBody": _body("SignupRequest"),
            "responses": {
                "201": {"description": "The new user.", "content": _json(_ref("User"))},
                "400": _BAD_REQUEST,
                "409": _error("The email address is already registered."),
            },
        }
    },
    "/login": {
        "post": {
            "operationId": "login",
            "summary": "Start a session; the session token is returned as the `nb_session` cookie.",
            "tags": ["auth"],
            "security": [],
            "requestBody": _body("LoginRequest"),
            "responses": {
                "204": {
                    "description": "Logged in.",
                    "headers": {
                        "Set-Cookie": {
                            "description": "`nb_session=<token>; HttpOnly; Path=/`",
                            "schema": {"type": "string"},
                        }
                    },
                },
                "400": _BAD_REQUEST,
                "401": _error("Unknown email address or wrong password."),
            },
        }
    },
    "/whoami": {
        "get": {
            "operationId": "whoami",
            "summary": "The logged-in user.",
            "tags": ["auth"],
            "responses": {
                "200": {"description": "The current user.", "content": _json(_ref("User"))},
                "401": _UNAUTHORIZED,
            },
        }
    },
    "/projects": {
        "get": {
            "operationId": "listProjects",
            "summary": "Projects of the caller's workspace.",
            "tags": ["projects"],
            "responses": {
                "200": {
                    "description": "All projects, oldest first.",
                    "content": _json({"type": "array", "items": _ref("Project")}),
                },
                "401": _UNAUTHORIZED,
            },
        },
        "post": {
            "operationId": "createProject",
            "summary": "Create a project.",
            "tags": ["projects"],
            "requestBody": _body("ProjectInput"),
            "responses": {
                "201": {"description": "The new project.", "content": _json(_ref("Project"))},
                "400": _BAD_REQUEST,
                "401": _UNAUTHORIZED,
            },
        },
    },
    "/projects/{projectId}": {
        "parameters": [_PROJECT_ID],
        "get": {
            "operationId": "getProject",
            "summary": "One project.",
            "tags": ["projects"],
            "responses": {
                "200": {"description": "The project.", "content": _json(_ref("Project"))},
                "401": _UNAUTHORIZED,
                "404": _NOT_FOUND,
            },
        },
        "put": {
            "operationId": "updateProject",
            "summary": "Replace a project's title and description.",
            "tags": ["projects"],
            "requestBody": _body("ProjectInput"),
            "responses": {
                "200": {"description": "The updated project.", "content": _json(_ref("Project"))},
                "400": _BAD_REQUEST,
                "401": _UNAUTHORIZED,
                "404": _NOT_FOUND,
            },
        },
        "delete": {
            "operationId": "deleteProject",
            "summary": "Delete a project and all its notes.",
            "tags": ["projects"],
            "responses": {
                "204": {"description": "Deleted."},
                "401": _UNAUTHORIZED,
                "404": _NOT_FOUND,
            },
        },
    },
    "/projects/{projectId}/notes": {
        "parameters": [_PROJECT_ID],
        "get": {
            "operationId": "listNotes",
            "summary": "Notes of a project.",
            "tags": ["notes"],
            "responses": {
                "200": {
                    "description": "All notes of the project, oldest first.",
                    "content": _json({"type": "array", "items": _ref("Note")}),
                },
                "401": _UNAUTHORIZED,
                "404": _NOT_FOUND,
            },
        },
        "post": {
            "operationId": "createNote",
            "summary": "Add a note to a project.",
            "tags": ["notes"],
            "requestBody": _body("NoteInput"),
            "responses": {
                "201": {"description": "The new note.", "content": _json(_ref("Note"))},
                "400": _BAD_REQUEST,
                "401": _UNAUTHORIZED,
                "404": _NOT_FOUND,
                "409": _error("The project already has a note with this slug."),
            },
        },
    },
    "/projects/{projectId}/notes/{slug}": {
        "parameters": [_PROJECT_ID, _NOTE_SLUG],
        "get": {
            "operationId": "getNote",
            "summary": "One note, addressed by its slug.",
            "tags": ["notes"],
            "responses": {
                "200": {"description": "The note.", "content": _json(_ref("Note"))},
                "401": _UNAUTHORIZED,
                "404": _NOT_FOUND,
            },
        },
    },
}

_DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Notebook API",
        "version": "1.0.0",
        "description": "Teams keep projects and notes. Each signup creates a workspace; everything a "
        "user creates belongs to their workspace and is invisible to other workspaces.",
    },
    "tags": [{"name": "auth"}, {"name": "projects"}, {"name": "notes"}],
    "security": [{"cookieAuth": []}],
    "paths": _PATHS,
    "components": {
        "securitySchemes": {
            "cookieAuth": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
        },
        "schemas": SCHEMAS,
    },
}


def openapi_document() -> dict[str, Any]:
    """Return a fresh deep copy of the OpenAPI document, safe for the caller to mutate."""
    return copy.deepcopy(_DOCUMENT)
