"""Hand-written OpenAPI 3.0 document for the Helpdesk example API.

Flask generates no description, so it lives here as a plain dict. The request schemas in
``SCHEMAS`` are also what the application validates incoming JSON against (see ``validate``), so
the document and the behaviour cannot drift apart.
"""

from __future__ import annotations

import copy
import re
from typing import Any

SESSION_COOKIE = "hd_sid"
WORKSPACE_HEADER = "X-Workspace"
SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
PROBLEM_JSON = "application/problem+json"

_UUID: dict[str, Any] = {"type": "string", "format": "uuid"}
_TIMESTAMP: dict[str, Any] = {"type": "string", "format": "date-time"}
_EMAIL: dict[str, Any] = {"type": "string", "format": "email", "maxLength": 254}
_WORKSPACE_SLUG: dict[str, Any] = {
    "type": "string",
    "pattern": SLUG_PATTERN,
    "minLength": 3,
    "maxLength": 63,
    "description": "A workspace's slug: its subdomain (`<slug>.helpdesk.example`) and URL prefix.",
}
_ARTICLE_SLUG: dict[str, Any] = {"type": "string", "pattern": SLUG_PATTERN, "minLength": 3, "maxLength": 80}
_NAME: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 120}
_PRIORITY: dict[str, Any] = {"type": "string", "enum": ["normal", "low", "high", "urgent"]}
_STATUS: dict[str, Any] = {"type": "string", "enum": ["open", "pending", "solved"]}
_EVENTS: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "maxItems": 4,
    "uniqueItems": True,
    "items": {
        "type": "string",
        "enum": ["ticket.created", "ticket.updated", "comment.created", "contact.created"],
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required: list[str], properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
        **extra,
    }


SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "type": "object",
        "description": "An RFC 7807 problem document; every error is one.",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string", "description": "The path of the request that failed."},
        },
    },
    "SignupRequest": _object(
        ["workspaceName", "fullName", "email", "password"],
        {
            "workspaceName": {"type": "string", "minLength": 1, "maxLength": 100},
            "workspaceSlug": {
                **_WORKSPACE_SLUG,
                "description": "The slug to claim; derived from the workspace name when omitted.",
            },
            "fullName": _NAME,
            "email": _EMAIL,
            "password": {"type": "string", "format": "password", "minLength": 10, "maxLength": 128},
        },
    ),
    "LoginRequest": _object(
        ["email", "password"],
        {"email": _EMAIL, "password": {"type": "string", "format": "password", "maxLength": 128}},
    ),
    "Workspace": _object(
        ["slug", "name", "plan", "supportEmail", "createdAt"],
        {
            "slug": _WORKSPACE_SLUG,
            "name": {"type": "string", "maxLength": 100},
            "plan": {"type": "string", "enum": ["trial", "team", "enterprise"]},
            "supportEmail": {**_EMAIL, "nullable": True},
            "createdAt": _TIMESTAMP,
        },
    ),
    "WorkspaceUpdate": _object(
        [],
        {"name": {"type": "string", "minLength": 1, "maxLength": 100}, "supportEmail": _EMAIL},
        minProperties=1,
    ),
    "Agent": _object(
        ["id", "workspace", "email", "fullName", "role", "createdAt"],
        {
            "id": _UUID,
            "workspace": _WORKSPACE_SLUG,
            "email": _EMAIL,
            "fullName": _NAME,
            "role": {"type": "string", "enum": ["admin", "agent"]},
            "createdAt": _TIMESTAMP,
        },
    ),
    "AgentInvite": _object(
        ["email", "fullName"],
        {"email": _EMAIL, "fullName": _NAME, "role": {"type": "string", "enum": ["agent", "admin"]}},
    ),
    "SignupResult": _object(["workspace", "agent"], {"workspace": _ref("Workspace"), "agent": _ref("Agent")}),
    "Session": _object(
        ["agent", "workspace", "expiresAt"],
        {"agent": _ref("Agent"), "workspace": _ref("Workspace"), "expiresAt": _TIMESTAMP},
    ),
    "Me": _object(
        ["agent", "workspace", "serverTime"],
        {
            "agent": _ref("Agent"),
            "workspace": _ref("Workspace"),
            "serverTime": {**_TIMESTAMP, "description": "The server's clock, for drift checks."},
        },
    ),
    "Contact": _object(
        ["id", "workspace", "name", "email", "phone", "organization", "createdAt", "updatedAt"],
        {
            "id": _UUID,
            "workspace": _WORKSPACE_SLUG,
            "name": _NAME,
            "email": _EMAIL,
            "phone": {"type": "string", "maxLength": 32, "nullable": True},
            "organization": {"type": "string", "maxLength": 120, "nullable": True},
            "createdAt": _TIMESTAMP,
            "updatedAt": _TIMESTAMP,
        },
    ),
    "ContactInput": _object(
        ["name", "email"],
        {
            "name": _NAME,
            "email": _EMAIL,
            "phone": {"type": "string", "pattern": "^\\+?[0-9 ()-]{6,32}$", "maxLength": 32},
            "organization": {"type": "string", "maxLength": 120},
            "workspace": {
                **_WORKSPACE_SLUG,
                "description": "The workspace to add the contact to. Defaults to the one in the path, "
                "and no other is allowed.",
            },
        },
    ),
    "ContactUpdate": _object(
        [],
        {
            "name": _NAME,
            "email": _EMAIL,
            "phone": {"type": "string", "pattern": "^\\+?[0-9 ()-]{6,32}$", "maxLength": 32},
            "organization": {"type": "string", "maxLength": 120},
        },
        minProperties=1,
    ),
    "ContactSummary": _object(["id", "name", "email"], {"id": _UUID, "name": _NAME, "email": _EMAIL}),
    "Ticket": _object(
        [
            "id",
            "workspace",
            "number",
            "subject",
            "description",
            "status",
            "priority",
            "requesterId",
            "requester",
            "assigneeId",
            "tags",
            "createdAt",
            "updatedAt",
        ],
        {
            "id": _UUID,
            "workspace": _WORKSPACE_SLUG,
            "number": {"type": "integer", "minimum": 1, "description": "Counts up from 1 in each workspace."},
            "subject": {"type": "string", "maxLength": 200},
            "description": {"type": "string", "maxLength": 5000},
            "status": _STATUS,
            "priority": _PRIORITY,
            "requesterId": _UUID,
            "requester": _ref("ContactSummary"),
            "assigneeId": {**_UUID, "nullable": True},
            "tags": {"type": "array", "items": {"type": "string"}},
            "createdAt": _TIMESTAMP,
            "updatedAt": _TIMESTAMP,
        },
    ),
    "TicketInput": _object(
        ["subject", "description", "requesterId"],
        {
            "subject": {"type": "string", "minLength": 1, "maxLength": 200},
            "description": {"type": "string", "minLength": 1, "maxLength": 5000},
            "priority": _PRIORITY,
            "requesterId": {**_UUID, "description": "The contact who asked; a contact of this workspace."},
            "assigneeId": {**_UUID, "description": "The agent to assign; an agent of this workspace."},
            "tags": {
                "type": "array",
                "maxItems": 10,
                "items": {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 40},
            },
        },
    ),
    "TicketUpdate": _object(
        [],
        {
            "subject": {"type": "string", "minLength": 1, "maxLength": 200},
            "status": _STATUS,
            "priority": _PRIORITY,
            "assigneeId": {**_UUID, "nullable": True},
            "workspace": {
                **_WORKSPACE_SLUG,
                "description": "Move the ticket to another workspace. The caller must be a member of it.",
            },
        },
        minProperties=1,
    ),
    "TicketBatchRequest": _object(
        ["ticketIds"],
        {"ticketIds": {"type": "array", "minItems": 1, "maxItems": 50, "uniqueItems": True, "items": _UUID}},
    ),
    "TicketList": _object(
        ["items", "total"],
        {"items": {"type": "array", "items": _ref("Ticket")}, "total": {"type": "integer", "minimum": 0}},
    ),
    "Comment": _object(
        ["id", "ticketId", "authorId", "body", "public", "createdAt"],
        {
            "id": _UUID,
            "ticketId": _UUID,
            "authorId": _UUID,
            "body": {"type": "string", "maxLength": 5000},
            "public": {"type": "boolean", "description": "Whether the requester sees it."},
            "createdAt": _TIMESTAMP,
        },
    ),
    "CommentInput": _object(
        ["body"],
        {"body": {"type": "string", "minLength": 1, "maxLength": 5000}, "public": {"type": "boolean"}},
    ),
    "Article": _object(
        ["id", "slug", "workspace", "title", "body", "status", "createdAt", "updatedAt"],
        {
            "id": _UUID,
            "slug": _ARTICLE_SLUG,
            "workspace": _WORKSPACE_SLUG,
            "title": {"type": "string", "maxLength": 200},
            "body": {"type": "string", "maxLength": 20000},
            "status": {"type": "string", "enum": ["draft", "published"]},
            "createdAt": _TIMESTAMP,
            "updatedAt": _TIMESTAMP,
        },
    ),
    "ArticleInput": _object(
        ["slug", "title", "body"],
        {
            "slug": {**_ARTICLE_SLUG, "description": "Unique within the workspace; addresses the article."},
            "title": {"type": "string", "minLength": 1, "maxLength": 200},
            "body": {"type": "string", "minLength": 1, "maxLength": 20000},
            "status": {"type": "string", "enum": ["draft", "published"]},
        },
    ),
    "ArticleReplace": _object(
        ["title", "body", "status"],
        {
            "title": {"type": "string", "minLength": 1, "maxLength": 200},
            "body": {"type": "string", "minLength": 1, "maxLength": 20000},
            "status": {"type": "string", "enum": ["draft", "published"]},
        },
    ),
    "SearchHit": _object(
        ["kind", "id", "title", "excerpt"],
        {
            "kind": {"type": "string", "enum": ["ticket", "contact", "article"]},
            "id": _UUID,
            "title": {"type": "string"},
            "excerpt": {"type": "string"},
        },
    ),
    "SearchResults": _object(
        ["query", "items"],
        {"query": {"type": "string"}, "items": {"type": "array", "items": _ref("SearchHit")}},
    ),
    "ExportRequest": _object(["resource"], {"resource": {"type": "string", "enum": ["tickets", "contacts"]}}),
    "Export": _object(
        ["id", "resource", "status", "rowCount", "fileName", "createdAt"],
        {
            "id": _UUID,
            "resource": {"type": "string", "enum": ["tickets", "contacts"]},
            "status": {"type": "string", "enum": ["queued", "ready"]},
            "rowCount": {"type": "integer", "minimum": 0},
            "fileName": {"type": "string"},
            "createdAt": _TIMESTAMP,
        },
    ),
    "WebhookInput": _object(
        ["url", "events"], {"url": {"type": "string", "format": "uri", "maxLength": 500}, "events": _EVENTS}
    ),
    "Webhook": _object(
        ["id", "url", "events", "secretHint", "createdAt"],
        {
            "id": _UUID,
            "url": {"type": "string", "format": "uri"},
            "events": _EVENTS,
            "secretHint": {"type": "string", "description": "The last four characters of the secret."},
            "createdAt": _TIMESTAMP,
        },
    ),
    "WebhookCreated": _object(
        ["id", "url", "events", "secretHint", "createdAt", "secret"],
        {
            "id": _UUID,
            "url": {"type": "string", "format": "uri"},
            "events": _EVENTS,
            "secretHint": {"type": "string"},
            "createdAt": _TIMESTAMP,
            "secret": {"type": "string", "description": "The signing secret. Shown only once, here."},
        },
    ),
    "MacroActions": _object(
        [],
        {"status": _STATUS, "priority": _PRIORITY, "reply": {"type": "string", "maxLength": 5000}},
    ),
    "MacroInput": _object(
        ["title", "actions"],
        {"title": {"type": "string", "minLength": 1, "maxLength": 120}, "actions": _ref("MacroActions")},
    ),
    "Macro": _object(
        ["id", "title", "actions", "createdAt"],
        {"id": _UUID, "title": {"type": "string"}, "actions": _ref("MacroActions"), "createdAt": _TIMESTAMP},
    ),
    "Template": _object(
        ["slug", "title", "category", "body"],
        {
            "slug": _ARTICLE_SLUG,
            "title": {"type": "string"},
            "category": {"type": "string"},
            "body": {"type": "string"},
        },
    ),
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _list_of(name: str) -> dict[str, Any]:
    return _json(
        _object(["items"], {"items": {"type": "array", "items": _ref(name)}, "total": {"type": "integer"}})
    )


def _ok(description: str, name: str, status: str = "200") -> dict[str, Any]:
    return {status: {"description": description, "content": _json(_ref(name))}}


def _created(description: str, name: str) -> dict[str, Any]:
    return {
        "201": {
            "description": description,
            "headers": {"Location": {"description": "The new resource's URL.", "schema": {"type": "string"}}},
            "content": _json(_ref(name)),
        }
    }


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _ref("Problem")}}}


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": _json(_ref(name))}


_BAD_REQUEST = {"400": _problem("The JSON body is missing or invalid.")}
_UNAUTHORIZED = {"401": _problem(f"No valid `{SESSION_COOKIE}` session cookie.")}
_NOT_FOUND = {"404": _problem("No such workspace for the caller, or no such resource in it.")}
_FORBIDDEN = {"403": _problem("The caller may not do this.")}
_SCOPED = {**_UNAUTHORIZED, **_NOT_FOUND}
_UNPROCESSABLE = {"422": _problem("A referenced contact or agent is not in the workspace.")}

_WORKSPACE_PATH = {
    "name": "workspace",
    "in": "path",
    "required": True,
    "description": "The workspace's slug. The caller must be a member of it.",
    "schema": _WORKSPACE_SLUG,
}
_WORKSPACE_HEADER = {
    "name": WORKSPACE_HEADER,
    "in": "header",
    "required": True,
    "description": "The workspace's slug. Set by the edge proxy from the `<slug>.helpdesk.example` host; "
    "the caller must be a member of it.",
    "schema": _WORKSPACE_SLUG,
}


def _path_uuid(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": _UUID}


_LIMIT = {
    "name": "limit",
    "in": "query",
    "required": False,
    "description": "Most items to return.",
    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
}


def _op(operation_id: str, summary: str, tag: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"operationId": operation_id, "summary": summary, "tags": [tag], **extra, "responses": responses}


_PATHS: dict[str, Any] = {
    "/signup": {
        "post": _op(
            "signup",
            "Create a workspace and its first agent, an admin.",
            "auth",
            {
                **_created("The new workspace and agent.", "SignupResult"),
                **_BAD_REQUEST,
                "409": _problem("The email address or the workspace slug is taken."),
            },
            security=[],
            requestBody=_body("SignupRequest"),
        )
    },
    "/login": {
        "post": _op(
            "login",
            f"Start a session; its token is set as the `{SESSION_COOKIE}` cookie.",
            "auth",
            {
                "200": {
                    "description": "Logged in.",
                    "headers": {
                        "Set-Cookie": {
                            "description": f"`{SESSION_COOKIE}=<token>; HttpOnly; Path=/; SameSite=Lax`",
                            "schema": {"type": "string"},
                        }
                    },
                    "content": _json(_ref("Session")),
                },
                **_BAD_REQUEST,
                "401": _problem("Unknown email address or wrong password."),
            },
            security=[],
            requestBody=_body("LoginRequest"),
        )
    },
    "/logout": {
        "post": _op(
            "logout",
            "End the current session.",
            "auth",
            {"204": {"description": "Logged out; the cookie is cleared."}, **_UNAUTHORIZED},
        )
    },
    "/me": {
        "get": _op(
            "getMe",
            "The logged-in agent and their workspace.",
            "auth",
            {**_ok("The current session.", "Me"), **_UNAUTHORIZED},
        )
    },
    "/templates": {
        "get": _op(
            "listTemplates",
            "Starter reply templates, the same for every workspace.",
            "templates",
            {"200": {"description": "All templates.", "content": _list_of("Template")}},
            security=[],
        )
    },
    "/templates/{templateSlug}": {
        "get": _op(
            "getTemplate",
            "One starter template.",
            "templates",
            {**_ok("The template.", "Template"), "404": _problem("No such template.")},
            security=[],
            parameters=[{"name": "templateSlug", "in": "path", "required": True, "schema": _ARTICLE_SLUG}],
        )
    },
    "/inbox": {
        "get": _op(
            "getInbox",
            "Open and pending tickets of a workspace, newest first: the mobile app's home screen.",
            "tickets",
            {**_ok("The inbox.", "TicketList"), **_BAD_REQUEST, **_SCOPED},
            parameters=[
                {
                    "name": "workspace",
                    "in": "query",
                    "required": False,
                    "description": "The workspace's slug; defaults to the caller's. The caller must be a "
                    "member of it.",
                    "schema": _WORKSPACE_SLUG,
                },
                _LIMIT,
            ],
        )
    },
    "/macros": {
        "parameters": [_WORKSPACE_HEADER],
        "get": _op(
            "listMacros",
            "Saved replies of the workspace named by the host.",
            "macros",
            {
                "200": {"description": "All macros, oldest first.", "content": _list_of("Macro")},
                "400": _problem(f"No `{WORKSPACE_HEADER}` header."),
                **_SCOPED,
            },
        ),
        "post": _op(
            "createMacro",
            "Save a reply in the workspace named by the host.",
            "macros",
            {**_ok("The new macro.", "Macro", "201"), **_BAD_REQUEST, **_SCOPED},
            requestBody=_body("MacroInput"),
        ),
    },
    "/t/{workspace}": {
        "parameters": [_WORKSPACE_PATH],
        "get": _op(
            "getWorkspace",
            "The workspace's settings.",
            "workspaces",
            {**_ok("The workspace.", "Workspace"), **_SCOPED},
        ),
        "patch": _op(
            "updateWorkspace",
            "Change the workspace's name or support address.",
            "workspaces",
            {**_ok("The updated workspace.", "Workspace"), **_BAD_REQUEST, **_SCOPED},
            requestBody=_body("WorkspaceUpdate"),
        ),
    },
    "/t/{workspace}/agents": {
        "parameters": [_WORKSPACE_PATH],
        "get": _op(
            "listAgents",
            "Agents of the workspace.",
            "agents",
            {"200": {"description": "All agents, oldest first.", "content": _list_of("Agent")}, **_SCOPED},
        ),
        "post": _op(
            "inviteAgent",
            "Invite an agent to the workspace.",
            "agents",
            {
                **_created("The invited agent.", "Agent"),
                **_BAD_REQUEST,
                **_SCOPED,
                "409": _problem("The email address is taken."),
            },
            requestBody=_body("AgentInvite"),
        ),
    },
    "/t/{workspace}/agents/{agentId}": {
        "parameters": [_WORKSPACE_PATH, _path_uuid("agentId")],
        "get": _op("getAgent", "One agent.", "agents", {**_ok("The agent.", "Agent"), **_SCOPED}),
    },
    "/t/{workspace}/contacts": {
        "parameters": [_WORKSPACE_PATH],
        "get": _op(
            "listContacts",
            "Contacts (the people who write in) of the workspace.",
            "contacts",
            {
                "200": {"description": "Contacts, oldest first.", "content": _list_of("Contact")},
                **_BAD_REQUEST,
                **_SCOPED,
            },
            parameters=[_LIMIT],
        ),
        "post": _op(
            "createContact",
            "Add a contact.",
            "contacts",
            {**_created("The new contact.", "Contact"), **_BAD_REQUEST, **_FORBIDDEN, **_SCOPED},
            requestBody=_body("ContactInput"),
        ),
    },
    "/t/{workspace}/contacts/{contactId}": {
        "parameters": [_WORKSPACE_PATH, _path_uuid("contactId")],
        "get": _op("getContact", "One contact.", "contacts", {**_ok("The contact.", "Contact"), **_SCOPED}),
        "patch": _op(
            "updateContact",
            "Change some of a contact's fields.",
            "contacts",
            {**_ok("The updated contact.", "Contact"), **_BAD_REQUEST, **_SCOPED},
            requestBody=_body("ContactUpdate"),
        ),
        "delete": _op(
            "deleteContact",
            "Delete a contact. Their tickets keep the requester's name and email.",
            "contacts",
            {"204": {"description": "Deleted."}, **_SCOPED},
        ),
    },
    "/t/{workspace}/tickets": {
        "parameters": [_WORKSPACE_PATH],
        "get": _op(
            "listTickets",
            "Tickets of the workspace, newest first.",
            "tickets",
            {**_ok("Tickets.", "TicketList"), **_BAD_REQUEST, **_SCOPED},
            parameters=[
                {"name": "status", "in": "query", "required": False, "schema": _STATUS},
                {
                    "name": "assignee",
                    "in": "query",
                    "required": False,
                    "description": "Only tickets assigned to this agent (an agent id).",
                    "schema": _UUID,
                },
                _LIMIT,
            ],
        ),
        "post": _op(
            "createTicket",
            "Open a ticket on behalf of a contact.",
            "tickets",
            {**_created("The new ticket.", "Ticket"), **_BAD_REQUEST, **_SCOPED, **_UNPROCESSABLE},
            requestBody=_body("TicketInput"),
        ),
    },
    "/t/{workspace}/tickets/batch": {
        "parameters": [_WORKSPACE_PATH],
        "post": _op(
            "batchGetTickets",
            "Several tickets by id, in one request. Ids that name nothing are left out.",
            "tickets",
            {**_ok("The tickets found.", "TicketList"), **_BAD_REQUEST, **_SCOPED},
            requestBody=_body("TicketBatchRequest"),
        ),
    },
    "/t/{workspace}/tickets/{ticketId}": {
        "parameters": [_WORKSPACE_PATH, _path_uuid("ticketId")],
        "get": _op("getTicket", "One ticket.", "tickets", {**_ok("The ticket.", "Ticket"), **_SCOPED}),
        "patch": _op(
            "updateTicket",
            "Change some of a ticket's fields, or move it to another workspace.",
            "tickets",
            {
                **_ok("The updated ticket.", "Ticket"),
                **_BAD_REQUEST,
                **_FORBIDDEN,
                **_SCOPED,
                **_UNPROCESSABLE,
            },
            requestBody=_body("TicketUpdate"),
        ),
        "delete": _op(
            "deleteTicket",
            "Delete a ticket and its comments.",
            "tickets",
            {"204": {"description": "Deleted."}, **_SCOPED},
        ),
    },
    "/t/{workspace}/tickets/{ticketId}/comments": {
        "parameters": [_WORKSPACE_PATH, _path_uuid("ticketId")],
        "get": _op(
            "listComments",
            "Comments on a ticket, oldest first.",
            "comments",
            {"200": {"description": "Comments.", "content": _list_of("Comment")}, **_SCOPED},
        ),
        "post": _op(
            "createComment",
            "Comment on a ticket as the caller.",
            "comments",
            {**_created("The new comment.", "Comment"), **_BAD_REQUEST, **_SCOPED},
            requestBody=_body("CommentInput"),
        ),
    },
    "/t/{workspace}/tickets/{ticketId}/comments/{commentId}": {
        "parameters": [_WORKSPACE_PATH, _path_uuid("ticketId"), _path_uuid("commentId")],
        "get": _op("getComment", "One comment.", "comments", {**_ok("The comment.", "Comment"), **_SCOPED}),
    },
    "/t/{workspace}/articles": {
        "parameters": [_WORKSPACE_PATH],
        "get": _op(
            "listArticles",
            "Knowledge-base articles of the workspace.",
            "articles",
            {"200": {"description": "Articles, oldest first.", "content": _list_of("Article")}, **_SCOPED},
        ),
        "post": _op(
            "createArticle",
            "Write a knowledge-base article.",
            "articles",
            {
                **_created("The new article.", "Article"),
                **_BAD_REQUEST,
                **_SCOPED,
                "409": _problem("The workspace already has an article with this slug."),
            },
            requestBody=_body("ArticleInput"),
        ),
    },
    "/t/{workspace}/articles/{articleSlug}": {
        "parameters": [
            _WORKSPACE_PATH,
            {"name": "articleSlug", "in": "path", "required": True, "schema": _ARTICLE_SLUG},
        ],
        "get": _op(
            "getArticle",
            "One article, by its slug; an article in the trash stays readable by its workspace.",
            "articles",
            {**_ok("The article.", "Article"), **_SCOPED},
        ),
        "put": _op(
            "replaceArticle",
            "Replace an article's title, body and status.",
            "articles",
            {**_ok("The updated article.", "Article"), **_BAD_REQUEST, **_SCOPED},
            requestBody=_body("ArticleReplace"),
        ),
        "delete": _op(
            "deleteArticle",
            "Move an article to the trash.",
            "articles",
            {"204": {"description": "Deleted."}, **_SCOPED},
        ),
    },
    "/t/{workspace}/search": {
        "parameters": [_WORKSPACE_PATH],
        "get": _op(
            "search",
            "Full-text search over the workspace's tickets, contacts and articles.",
            "search",
            {**_ok("Matches, best first.", "SearchResults"), **_BAD_REQUEST, **_SCOPED},
            parameters=[
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "description": "Words to look for.",
                    "schema": {"type": "string", "minLength": 2, "maxLength": 200},
                }
            ],
        ),
    },
    "/t/{workspace}/exports": {
        "parameters": [_WORKSPACE_PATH],
        "post": _op(
            "createExport",
            "Start a CSV export of the workspace's tickets or contacts.",
            "exports",
            {
                "202": {
                    "description": "The export job; poll it until it is ready.",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                    "content": _json(_ref("Export")),
                },
                **_BAD_REQUEST,
                **_SCOPED,
            },
            requestBody=_body("ExportRequest"),
        ),
    },
    "/t/{workspace}/exports/{exportId}": {
        "parameters": [_WORKSPACE_PATH, _path_uuid("exportId")],
        "get": _op(
            "getExport", "An export job's state.", "exports", {**_ok("The export job.", "Export"), **_SCOPED}
        ),
    },
    "/t/{workspace}/exports/{exportId}/download": {
        "parameters": [_WORKSPACE_PATH, _path_uuid("exportId")],
        "get": _op(
            "downloadExport",
            "The exported file.",
            "exports",
            {
                "200": {
                    "description": "The CSV file.",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                },
                **_SCOPED,
            },
        ),
    },
    "/t/{workspace}/webhooks": {
        "parameters": [_WORKSPACE_PATH],
        "get": _op(
            "listWebhooks",
            "Webhooks of the workspace, without their secrets.",
            "webhooks",
            {"200": {"description": "Webhooks, oldest first.", "content": _list_of("Webhook")}, **_SCOPED},
        ),
        "post": _op(
            "createWebhook",
            "Register a webhook. The response holds its signing secret, which is never shown again.",
            "webhooks",
            {**_created("The new webhook, with its secret.", "WebhookCreated"), **_BAD_REQUEST, **_SCOPED},
            requestBody=_body("WebhookInput"),
        ),
    },
    "/t/{workspace}/webhooks/{webhookId}": {
        "parameters": [_WORKSPACE_PATH, _path_uuid("webhookId")],
        "get": _op(
            "getWebhook",
            "One webhook, without its secret.",
            "webhooks",
            {**_ok("The webhook.", "Webhook"), **_SCOPED},
        ),
        "delete": _op(
            "deleteWebhook", "Remove a webhook.", "webhooks", {"204": {"description": "Deleted."}, **_SCOPED}
        ),
    },
}

_DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Helpdesk API",
        "version": "2.3.0",
        "description": "Support teams answer tickets from their customers. Each signup creates a "
        "workspace, addressed by its slug: as the `/t/{workspace}` path prefix, or, behind the edge "
        f"proxy, as the `{WORKSPACE_HEADER}` header. Nothing of one workspace is visible to another.",
    },
    "servers": [{"url": "/"}],
    "tags": [
        {"name": name}
        for name in (
            "auth",
            "templates",
            "workspaces",
            "agents",
            "contacts",
            "tickets",
            "comments",
            "articles",
            "macros",
            "search",
            "exports",
            "webhooks",
        )
    ],
    "security": [{"cookieAuth": []}],
    "paths": _PATHS,
    "components": {
        "securitySchemes": {"cookieAuth": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE}},
        "schemas": SCHEMAS,
    },
}


def openapi_document() -> dict[str, Any]:
    """Return a fresh deep copy of the OpenAPI document, safe for the caller to mutate."""
    return copy.deepcopy(_DOCUMENT)


_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_URI_RE = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


def validate(value: Any, schema: dict[str, Any], where: str = "body") -> list[str]:
    """Problems of ``value`` against ``schema`` (the subset of JSON Schema this document uses)."""
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    if value is None:
        return [] if schema.get("nullable") else [f"{where} must not be null"]
    kind = schema.get("type")
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where} must be one of {', '.join(map(str, schema['enum']))}"]
    if kind == "object":
        return _validate_object(value, schema, where)
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where} must be an array"]
        problems = []
        if len(value) < schema.get("minItems", 0):
            problems.append(f"{where} must have at least {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(f"{where} must have at most {schema['maxItems']} items")
        if schema.get("uniqueItems") and len({repr(item) for item in value}) != len(value):
            problems.append(f"{where} must not repeat items")
        for index, item in enumerate(value):
            problems += validate(item, schema.get("items", {}), f"{where}[{index}]")
        return problems
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{where} must be true or false"]
    if kind == "integer":
        return (
            [] if isinstance(value, int) and not isinstance(value, bool) else [f"{where} must be an integer"]
        )
    if kind == "string":
        return _validate_string(value, schema, where)
    return []


def _validate_object(value: Any, schema: dict[str, Any], where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where} must be a JSON object"]
    properties: dict[str, Any] = schema.get("properties", {})
    problems = [f"{where}.{name} is required" for name in schema.get("required", []) if name not in value]
    if len(value) < schema.get("minProperties", 0):
        problems.append(f"{where} must set at least {schema['minProperties']} field")
    for name, item in value.items():
        if name not in properties:
            problems.append(f"{where}.{name} is not a known field")
        else:
            problems += validate(item, properties[name], f"{where}.{name}")
    return problems


def _validate_string(value: Any, schema: dict[str, Any], where: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{where} must be a string"]
    if len(value) < schema.get("minLength", 0):
        return [f"{where} must be at least {schema['minLength']} characters long"]
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        return [f"{where} must be at most {schema['maxLength']} characters long"]
    pattern = schema.get("pattern")
    # ECMA-262 `$` does not match before a trailing newline; Python's does unless it is `\Z`.
    if pattern and not re.search(re.sub(r"\$$", r"\\Z", pattern), value):
        return [f"{where} must match {pattern}"]
    fmt = schema.get("format")
    if fmt == "email" and not _EMAIL_RE.fullmatch(value):
        return [f"{where} must be an email address"]
    if fmt == "uri" and not _URI_RE.fullmatch(value):
        return [f"{where} must be an http(s) URL"]
    if fmt == "uuid" and not _is_uuid(value):
        return [f"{where} must be a UUID"]
    return []


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False
