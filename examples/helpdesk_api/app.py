"""Helpdesk: a multi-tenant Flask (WSGI) API where support teams answer their customers' tickets.

Each signup creates a workspace (the tenant), addressed by a slug that doubles as its subdomain.
Agents log in with email and password and receive an ``hd_sid`` session cookie. Workspace data
lives under the ``/t/{workspace}/`` path prefix; the macro endpoints, which the edge proxy serves on
``<slug>.helpdesk.example``, take the slug from the ``X-Workspace`` header instead, and the mobile
inbox from ``?workspace=``. Whichever way the slug arrives, the caller must be a member of that
workspace. Identifiers are UUIDs, knowledge-base articles are addressed by a slug unique within
their workspace, JSON fields are camelCase, lists come as ``{"items": [...], "total": n}`` and
errors as RFC 7807 ``application/problem+json``. State lives in memory, one store per
:func:`create_app` call.

The app can be built with deliberate isolation bugs (see ``VULNERABILITIES``) so that tools which
look for cross-tenant leaks have something to find. Module-level ``app`` reads the bugs to enable
from the ``HELPDESK_VULNERABILITIES`` environment variable: comma-separated names, ``all``, or
``none``/empty (the default).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import threading
import time
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from .openapi import PROBLEM_JSON, SCHEMAS, SESSION_COOKIE, WORKSPACE_HEADER, openapi_document, validate
from .vulnerabilities import ENV_VAR, VULNERABILITIES, validate_vulnerabilities, vulnerabilities_from_env

_PASSWORD_ITERATIONS = 10_000  # deliberately low: an in-memory example, and tests create many agents
_SESSION_LIFETIME = timedelta(hours=8)
_SETTINGS_LOAD_SECONDS = 0.005  # how long loading a workspace's settings from the database takes

TEMPLATES: list[dict[str, str]] = [
    {
        "slug": "password-reset",
        "title": "Resetting a password",
        "category": "accounts",
        "body": "You can reset your password from the sign-in page: choose 'Forgot password' and follow "
        "the link we email you. The link works for one hour.",
    },
    {
        "slug": "refund-request",
        "title": "Acknowledging a refund request",
        "category": "billing",
        "body": "Thanks for getting in touch. We have received your refund request and will reply "
        "within two business days.",
    },
    {
        "slug": "outage-update",
        "title": "Service disruption update",
        "category": "incidents",
        "body": "We are aware of the disruption and our engineers are working on it. We will post an "
        "update on our status page every 30 minutes.",
    },
]
"""Starter templates: public, read-only, and the same for every workspace."""


class ApiError(Exception):
    """An error answered as an RFC 7807 problem document."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail


def _not_found(what: str) -> ApiError:
    return ApiError(404, "Not Found", f"No such {what}.")


@dataclass
class _Workspace:
    slug: str
    name: str
    created_at: datetime
    plan: str = "trial"
    support_email: str | None = None
    tickets_opened: int = 0


@dataclass
class _Agent:
    agent_id: uuid.UUID
    workspace: str
    email: str
    full_name: str
    role: str
    created_at: datetime
    salt: bytes = b""
    password_hash: bytes | None = None  # None until an invited agent sets a password


@dataclass
class _Session:
    agent_id: uuid.UUID
    expires_at: datetime


@dataclass
class _Contact:
    contact_id: uuid.UUID
    workspace: str
    name: str
    email: str
    phone: str | None
    organization: str | None
    created_at: datetime
    updated_at: datetime


@dataclass
class _Ticket:
    ticket_id: uuid.UUID
    workspace: str
    number: int
    subject: str
    description: str
    status: str
    priority: str
    requester: dict[str, str]  # the contact's id, name and email when the ticket was opened
    assignee_id: uuid.UUID | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime


@dataclass
class _Comment:
    comment_id: uuid.UUID
    ticket_id: uuid.UUID
    author_id: uuid.UUID
    body: str
    public: bool
    created_at: datetime


@dataclass
class _Article:
    article_id: uuid.UUID
    workspace: str
    slug: str
    title: str
    body: str
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass
class _Export:
    export_id: uuid.UUID
    workspace: str
    resource: str
    file_name: str
    csv_text: str
    row_count: int
    created_at: datetime


@dataclass
class _Webhook:
    webhook_id: uuid.UUID
    workspace: str
    url: str
    events: list[str]
    secret: str
    created_at: datetime


@dataclass
class _Macro:
    macro_id: uuid.UUID
    workspace: str
    title: str
    actions: dict[str, str]
    created_at: datetime


@dataclass
class _Store:
    lock: threading.RLock = field(default_factory=threading.RLock)
    workspaces: dict[str, _Workspace] = field(default_factory=dict)
    agents: dict[uuid.UUID, _Agent] = field(default_factory=dict)
    agent_ids_by_email: dict[str, uuid.UUID] = field(default_factory=dict)
    sessions: dict[str, _Session] = field(default_factory=dict)
    contacts: dict[uuid.UUID, _Contact] = field(default_factory=dict)
    tickets: dict[uuid.UUID, _Ticket] = field(default_factory=dict)
    comments: dict[uuid.UUID, _Comment] = field(default_factory=dict)
    articles: dict[tuple[str, str], _Article] = field(default_factory=dict)  # by (workspace, slug)
    trash: list[_Article] = field(default_factory=list)  # deleted articles, newest last
    exports: dict[uuid.UUID, _Export] = field(default_factory=dict)
    webhooks: dict[uuid.UUID, _Webhook] = field(default_factory=dict)
    macros: dict[uuid.UUID, _Macro] = field(default_factory=dict)


@dataclass
class _SignedIn:
    """The agent of the request being served, in one object for the whole app (the
    ``shared-request-state`` bug: every thread of a threaded server writes the same one)."""

    agent: _Agent | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _PASSWORD_ITERATIONS)


def slugify(name: str, max_length: int = 63) -> str:
    """``"Acme Support, Ltd."`` -> ``"acme-support-ltd"``: lowercase ASCII words joined by hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "workspace"


def _parse_uuid(value: str | None) -> uuid.UUID | None:
    """A canonical (hyphenated, lowercase) UUID, or None for anything else."""
    if value is None:
        return None
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    return parsed if str(parsed) == value else None


# -- JSON views ---------------------------------------------------------------------------------


def _workspace_json(workspace: _Workspace) -> dict[str, Any]:
    return {
        "slug": workspace.slug,
        "name": workspace.name,
        "plan": workspace.plan,
        "supportEmail": workspace.support_email,
        "createdAt": _timestamp(workspace.created_at),
    }


def _agent_json(agent: _Agent) -> dict[str, Any]:
    return {
        "id": str(agent.agent_id),
        "workspace": agent.workspace,
        "email": agent.email,
        "fullName": agent.full_name,
        "role": agent.role,
        "createdAt": _timestamp(agent.created_at),
    }


def _contact_json(contact: _Contact) -> dict[str, Any]:
    return {
        "id": str(contact.contact_id),
        "workspace": contact.workspace,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "organization": contact.organization,
        "createdAt": _timestamp(contact.created_at),
        "updatedAt": _timestamp(contact.updated_at),
    }


def _ticket_json(ticket: _Ticket) -> dict[str, Any]:
    return {
        "id": str(ticket.ticket_id),
        "workspace": ticket.workspace,
        "number": ticket.number,
        "subject": ticket.subject,
        "description": ticket.description,
        "status": ticket.status,
        "priority": ticket.priority,
        "requesterId": ticket.requester["id"],
        "requester": dict(ticket.requester),
        "assigneeId": str(ticket.assignee_id) if ticket.assignee_id else None,
        "tags": list(ticket.tags),
        "createdAt": _timestamp(ticket.created_at),
        "updatedAt": _timestamp(ticket.updated_at),
    }


def _comment_json(comment: _Comment) -> dict[str, Any]:
    return {
        "id": str(comment.comment_id),
        "ticketId": str(comment.ticket_id),
        "authorId": str(comment.author_id),
        "body": comment.body,
        "public": comment.public,
        "createdAt": _timestamp(comment.created_at),
    }


def _article_json(article: _Article) -> dict[str, Any]:
    return {
        "id": str(article.article_id),
        "slug": article.slug,
        "workspace": article.workspace,
        "title": article.title,
        "body": article.body,
        "status": article.status,
        "createdAt": _timestamp(article.created_at),
        "updatedAt": _timestamp(article.updated_at),
    }


def _export_json(export: _Export) -> dict[str, Any]:
    return {
        "id": str(export.export_id),
        "resource": export.resource,
        "status": "ready",
        "rowCount": export.row_count,
        "fileName": export.file_name,
        "createdAt": _timestamp(export.created_at),
    }


def _webhook_json(webhook: _Webhook, *, with_secret: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(webhook.webhook_id),
        "url": webhook.url,
        "events": list(webhook.events),
        "secretHint": webhook.secret[-4:],
        "createdAt": _timestamp(webhook.created_at),
    }
    if with_secret:
        out["secret"] = webhook.secret
    return out


def _macro_json(macro: _Macro) -> dict[str, Any]:
    return {
        "id": str(macro.macro_id),
        "title": macro.title,
        "actions": dict(macro.actions),
        "createdAt": _timestamp(macro.created_at),
    }


def _page(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": items, "total": len(items)}


# -- requests and responses ---------------------------------------------------------------------


def _json_body(schema_name: str) -> dict[str, Any]:
    """The request's JSON body, validated against ``SCHEMAS[schema_name]``."""
    body = request.get_json(silent=True)
    problems = validate(body, SCHEMAS[schema_name])
    if problems:
        raise ApiError(400, "Bad Request", "; ".join(problems[:5]))
    assert isinstance(body, dict)
    return body


def _json_response(payload: Any, status: int = 200, *, location: str | None = None) -> Response:
    response = Response(json.dumps(payload), status=status, content_type="application/json")
    if location:
        response.headers["Location"] = location
    return response


def _limit() -> int:
    raw = request.args.get("limit", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise ApiError(400, "Bad Request", "limit must be an integer from 1 to 100")
    return int(raw)


def create_app(vulnerabilities: Iterable[str] | str = ()) -> Flask:
    """Build a Helpdesk app with its own empty in-memory store.

    ``vulnerabilities`` names isolation bugs to enable (keys of ``VULNERABILITIES``); a single string
    is taken as one name. Unknown names raise ``ValueError``.
    """
    enabled = validate_vulnerabilities(vulnerabilities)
    store = _Store()
    shared = _SignedIn()

    app = Flask(__name__)
    app.config["HELPDESK_VULNERABILITIES"] = enabled

    def bug(name: str) -> bool:
        return name in enabled

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError) -> Response:
        return _problem(error.status, error.title, error.detail)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Response:
        status = error.code or 500
        detail = "No such resource." if status == 404 else (error.description or "")
        response = _problem(status, error.name or "Error", detail)
        if status == 405 and error.get_response().headers.get("Allow"):
            response.headers["Allow"] = error.get_response().headers["Allow"]
        return response

    def _problem(status: int, title: str, detail: str) -> Response:
        slug = title.lower().replace(" ", "-")
        payload = {
            "type": f"https://helpdesk.example/problems/{slug}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": request.path,
        }
        return Response(json.dumps(payload), status=status, content_type=PROBLEM_JSON)

    @app.after_request
    def add_request_id(response: Response) -> Response:
        response.headers["X-Request-Id"] = str(uuid.uuid4())
        return response

    # -- who is calling, and in which workspace ---------------------------------------------------

    def current_agent() -> _Agent:
        token = request.cookies.get(SESSION_COOKIE)
        with store.lock:
            session = store.sessions.get(token) if token else None
            if session is None or session.expires_at <= _now():
                raise ApiError(401, "Unauthorized", f"Log in first: no valid {SESSION_COOKIE} cookie.")
            agent = store.agents[session.agent_id]
        # `g` belongs to this request alone; `shared` to every request the app serves at once.
        (shared if bug("shared-request-state") else g).agent = agent
        return agent

    def signed_in() -> _Agent:
        """The agent `current_agent` authenticated for this request, as remembered since."""
        agent: _Agent | None = shared.agent if bug("shared-request-state") else g.agent
        assert agent is not None
        return agent

    def member_workspace(slug: str | None) -> tuple[_Agent, _Workspace]:
        """The caller and the workspace ``slug`` names, if the caller is a member of it."""
        agent = current_agent()
        if slug != agent.workspace:
            # Whether the workspace exists is nobody else's business: the same answer either way.
            raise _not_found("workspace")
        return agent, store.workspaces[agent.workspace]

    def existing_workspace(slug: str | None) -> _Workspace:
        """The workspace ``slug`` names, member or not (for the buggy code paths)."""
        current_agent()
        workspace = store.workspaces.get(slug or "")
        if workspace is None:
            raise _not_found("workspace")
        return workspace

    def header_workspace() -> tuple[_Agent, _Workspace]:
        slug = request.headers.get(WORKSPACE_HEADER)
        if not slug:
            raise ApiError(400, "Bad Request", f"The {WORKSPACE_HEADER} header is required.")
        return member_workspace(slug)

    def find_contact(workspace: str, raw_id: str) -> _Contact:
        contact = store.contacts.get(_parse_uuid(raw_id) or uuid.UUID(int=0))
        if contact is None or contact.workspace != workspace:
            raise _not_found("contact")
        return contact

    def find_ticket(workspace: str | None, raw_id: str) -> _Ticket:
        """The ticket ``raw_id``; in ``workspace`` unless that is None (the buggy paths)."""
        ticket = store.tickets.get(_parse_uuid(raw_id) or uuid.UUID(int=0))
        if ticket is None or (workspace is not None and ticket.workspace != workspace):
            raise _not_found("ticket")
        return ticket

    def find_agent(workspace: str, raw_id: str | None) -> _Agent | None:
        agent = store.agents.get(_parse_uuid(raw_id) or uuid.UUID(int=0))
        return agent if agent is not None and agent.workspace == workspace else None

    def find_export(workspace: str, raw_id: str) -> _Export:
        export = store.exports.get(_parse_uuid(raw_id) or uuid.UUID(int=0))
        if export is None or (export.workspace != workspace and not bug("export-job-unchecked")):
            raise _not_found("export")
        return export

    def admin_email(workspace: str) -> str:
        admins = [a for a in store.agents.values() if a.workspace == workspace and a.role == "admin"]
        return admins[0].email if admins else "-"

    # -- public -----------------------------------------------------------------------------------

    @app.get("/openapi.json")
    def openapi() -> Response:
        return _json_response(openapi_document())

    @app.post("/signup")
    def signup() -> Response:
        body = _json_body("SignupRequest")
        now = _now()
        with store.lock:
            if body["email"].casefold() in store.agent_ids_by_email:
                raise ApiError(409, "Conflict", "This email address already has an account.")
            slug = body.get("workspaceSlug")
            if slug is not None and slug in store.workspaces:
                raise ApiError(409, "Conflict", "This workspace slug is taken.")
            if slug is None:
                base = slugify(body["workspaceName"])
                slug, counter = base, 1
                while slug in store.workspaces or len(slug) < 3:
                    counter += 1
                    slug = f"{base[:58]}-{counter}"
            workspace = _Workspace(slug=slug, name=body["workspaceName"], created_at=now)
            salt = secrets.token_bytes(16)
            agent = _Agent(
                agent_id=uuid.uuid4(),
                workspace=slug,
                email=body["email"],
                full_name=body["fullName"],
                role="admin",
                created_at=now,
                salt=salt,
                password_hash=_hash_password(body["password"], salt),
            )
            store.workspaces[slug] = workspace
            store.agents[agent.agent_id] = agent
            store.agent_ids_by_email[agent.email.casefold()] = agent.agent_id
            payload = {"workspace": _workspace_json(workspace), "agent": _agent_json(agent)}
        return _json_response(payload, 201, location=f"/t/{slug}")

    @app.post("/login")
    def login() -> Response:
        body = _json_body("LoginRequest")
        with store.lock:
            agent_id = store.agent_ids_by_email.get(body["email"].casefold())
            agent = store.agents.get(agent_id) if agent_id else None
        if (
            agent is None
            or agent.password_hash is None
            or not hmac.compare_digest(agent.password_hash, _hash_password(body["password"], agent.salt))
        ):
            raise ApiError(401, "Unauthorized", "Unknown email address or wrong password.")
        token = secrets.token_urlsafe(32)
        expires_at = _now() + _SESSION_LIFETIME
        with store.lock:
            store.sessions[token] = _Session(agent.agent_id, expires_at)
            payload = {
                "agent": _agent_json(agent),
                "workspace": _workspace_json(store.workspaces[agent.workspace]),
                "expiresAt": _timestamp(expires_at),
            }
        response = _json_response(payload)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, path="/", samesite="Lax")
        return response

    @app.get("/templates")
    def list_templates() -> Response:
        return _json_response(_page([dict(template) for template in TEMPLATES]))

    @app.get("/templates/<template_slug>")
    def get_template(template_slug: str) -> Response:
        template = next((t for t in TEMPLATES if t["slug"] == template_slug), None)
        if template is None:
            raise _not_found("template")
        return _json_response(dict(template))

    # -- the session ------------------------------------------------------------------------------

    @app.post("/logout")
    def logout() -> Response:
        current_agent()
        with store.lock:
            store.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
        response = Response(status=204)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/me")
    def me() -> Response:
        agent = current_agent()
        with store.lock:
            payload = {
                "agent": _agent_json(agent),
                "workspace": _workspace_json(store.workspaces[agent.workspace]),
                "serverTime": _timestamp(_now()),
            }
        return _json_response(payload)

    @app.get("/inbox")
    def inbox() -> Response:
        agent = current_agent()
        slug = request.args.get("workspace") or agent.workspace
        limit = _limit()
        with store.lock:
            if bug("query-tenant-param"):
                workspace = existing_workspace(slug)
            else:
                _, workspace = member_workspace(slug)
            tickets = [
                t
                for t in store.tickets.values()
                if t.workspace == workspace.slug and t.status in ("open", "pending")
            ]
            tickets.sort(key=lambda t: t.created_at, reverse=True)
            return _json_response(_page([_ticket_json(t) for t in tickets[:limit]]))

    # -- macros: the workspace comes from the X-Workspace header ----------------------------------

    @app.get("/macros")
    def list_macros() -> Response:
        with store.lock:
            if bug("header-tenant-spoof"):
                workspace = existing_workspace(request.headers.get(WORKSPACE_HEADER))
            else:
                _, workspace = header_workspace()
            macros = [m for m in store.macros.values() if m.workspace == workspace.slug]
            return _json_response(_page([_macro_json(m) for m in macros]))

    @app.post("/macros")
    def create_macro() -> Response:
        with store.lock:
            _, workspace = header_workspace()
        body = _json_body("MacroInput")
        macro = _Macro(
            macro_id=uuid.uuid4(),
            workspace=workspace.slug,
            title=body["title"],
            actions=dict(body["actions"]),
            created_at=_now(),
        )
        with store.lock:
            store.macros[macro.macro_id] = macro
        return _json_response(_macro_json(macro), 201)

    # -- the workspace --------------------------------------------------------------------------

    @app.get("/t/<workspace>")
    def get_workspace(workspace: str) -> Response:
        with store.lock:
            member_workspace(workspace)
        time.sleep(_SETTINGS_LOAD_SECONDS)
        with store.lock:
            return _json_response(_workspace_json(store.workspaces[signed_in().workspace]))

    @app.patch("/t/<workspace>")
    def update_workspace(workspace: str) -> Response:
        with store.lock:
            member_workspace(workspace)
        body = _json_body("WorkspaceUpdate")
        with store.lock:
            _, found = member_workspace(workspace)
            found.name = body.get("name", found.name)
            found.support_email = body.get("supportEmail", found.support_email)
            return _json_response(_workspace_json(found))

    # -- agents -----------------------------------------------------------------------------------

    @app.get("/t/<workspace>/agents")
    def list_agents(workspace: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            agents = [a for a in store.agents.values() if a.workspace == workspace]
            return _json_response(_page([_agent_json(a) for a in agents]))

    @app.post("/t/<workspace>/agents")
    def invite_agent(workspace: str) -> Response:
        with store.lock:
            member_workspace(workspace)
        body = _json_body("AgentInvite")
        agent = _Agent(
            agent_id=uuid.uuid4(),
            workspace=workspace,
            email=body["email"],
            full_name=body["fullName"],
            role=body.get("role", "agent"),
            created_at=_now(),
        )
        with store.lock:
            member_workspace(workspace)
            if agent.email.casefold() in store.agent_ids_by_email:
                raise ApiError(409, "Conflict", "This email address already has an account.")
            store.agents[agent.agent_id] = agent
            store.agent_ids_by_email[agent.email.casefold()] = agent.agent_id
        return _json_response(_agent_json(agent), 201, location=f"/t/{workspace}/agents/{agent.agent_id}")

    @app.get("/t/<workspace>/agents/<agent_id>")
    def get_agent(workspace: str, agent_id: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            agent = find_agent(workspace, agent_id)
            if agent is None:
                raise _not_found("agent")
            return _json_response(_agent_json(agent))

    # -- contacts -------------------------------------------------------------------------------

    @app.get("/t/<workspace>/contacts")
    def list_contacts(workspace: str) -> Response:
        limit = _limit()
        with store.lock:
            member_workspace(workspace)
            contacts = [
                c for c in store.contacts.values() if c.workspace == workspace or bug("list-unfiltered")
            ]
            return _json_response(_page([_contact_json(c) for c in contacts[:limit]]))

    @app.post("/t/<workspace>/contacts")
    def create_contact(workspace: str) -> Response:
        with store.lock:
            member_workspace(workspace)
        body = _json_body("ContactInput")
        target = body.get("workspace", workspace)
        with store.lock:
            if target != workspace:
                if not bug("mass-assignment-create"):
                    raise ApiError(
                        403, "Forbidden", "Contacts can only be added to the workspace in the path."
                    )
                existing_workspace(target)
            now = _now()
            contact = _Contact(
                contact_id=uuid.uuid4(),
                workspace=target,
                name=body["name"],
                email=body["email"],
                phone=body.get("phone"),
                organization=body.get("organization"),
                created_at=now,
                updated_at=now,
            )
            store.contacts[contact.contact_id] = contact
        return _json_response(
            _contact_json(contact), 201, location=f"/t/{target}/contacts/{contact.contact_id}"
        )

    @app.get("/t/<workspace>/contacts/<contact_id>")
    def get_contact(workspace: str, contact_id: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            contact = store.contacts.get(_parse_uuid(contact_id) or uuid.UUID(int=0))
            if contact is not None and contact.workspace != workspace and bug("error-message-leak"):
                raise ApiError(
                    404,
                    "Not Found",
                    f"Contact {contact_id} belongs to the workspace {contact.workspace!r} "
                    f"({contact.name}, {contact.email}). Ask its administrator, "
                    f"{admin_email(contact.workspace)}, to share it.",
                )
            return _json_response(_contact_json(find_contact(workspace, contact_id)))

    @app.patch("/t/<workspace>/contacts/<contact_id>")
    def update_contact(workspace: str, contact_id: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            find_contact(workspace, contact_id)
        body = _json_body("ContactUpdate")
        with store.lock:
            contact = find_contact(workspace, contact_id)
            contact.name = body.get("name", contact.name)
            contact.email = body.get("email", contact.email)
            contact.phone = body.get("phone", contact.phone)
            contact.organization = body.get("organization", contact.organization)
            contact.updated_at = _now()
            return _json_response(_contact_json(contact))

    @app.delete("/t/<workspace>/contacts/<contact_id>")
    def delete_contact(workspace: str, contact_id: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            contact = store.contacts.get(_parse_uuid(contact_id) or uuid.UUID(int=0))
            if contact is None or (contact.workspace != workspace and not bug("delete-by-id")):
                raise _not_found("contact")
            # Tickets keep the requester's name and email as they were when the ticket was opened.
            del store.contacts[contact.contact_id]
        return Response(status=204)

    # -- tickets ----------------------------------------------------------------------------------

    @app.get("/t/<workspace>/tickets")
    def list_tickets(workspace: str) -> Response:
        status = request.args.get("status")
        if status is not None and status not in ("open", "pending", "solved"):
            raise ApiError(400, "Bad Request", "status must be one of open, pending, solved")
        assignee = request.args.get("assignee")
        if assignee is not None and _parse_uuid(assignee) is None:
            raise ApiError(400, "Bad Request", "assignee must be a UUID")
        limit = _limit()
        with store.lock:
            member_workspace(workspace)
            tickets = [
                t
                for t in store.tickets.values()
                if t.workspace == workspace
                and (status is None or t.status == status)
                and (assignee is None or str(t.assignee_id) == assignee)
            ]
            tickets.sort(key=lambda t: t.created_at, reverse=True)
            return _json_response(_page([_ticket_json(t) for t in tickets[:limit]]))

    @app.post("/t/<workspace>/tickets")
    def create_ticket(workspace: str) -> Response:
        with store.lock:
            member_workspace(workspace)
        body = _json_body("TicketInput")
        with store.lock:
            _, found = member_workspace(workspace)
            requester = store.contacts.get(_parse_uuid(body["requesterId"]) or uuid.UUID(int=0))
            if requester is None or (
                requester.workspace != workspace and not bug("body-reference-unchecked")
            ):
                raise ApiError(422, "Unprocessable Entity", "requesterId names no contact of this workspace.")
            assignee = find_agent(workspace, body.get("assigneeId"))
            if "assigneeId" in body and assignee is None:
                raise ApiError(422, "Unprocessable Entity", "assigneeId names no agent of this workspace.")
            found.tickets_opened += 1
            now = _now()
            ticket = _Ticket(
                ticket_id=uuid.uuid4(),
                workspace=workspace,
                number=found.tickets_opened,
                subject=body["subject"],
                description=body["description"],
                status="open",
                priority=body.get("priority", "normal"),
                requester={
                    "id": str(requester.contact_id),
                    "name": requester.name,
                    "email": requester.email,
                },
                assignee_id=assignee.agent_id if assignee else None,
                tags=list(body.get("tags", [])),
                created_at=now,
                updated_at=now,
            )
            store.tickets[ticket.ticket_id] = ticket
            return _json_response(
                _ticket_json(ticket), 201, location=f"/t/{workspace}/tickets/{ticket.ticket_id}"
            )

    @app.post("/t/<workspace>/tickets/batch")
    def batch_get_tickets(workspace: str) -> Response:
        with store.lock:
            member_workspace(workspace)
        body = _json_body("TicketBatchRequest")
        with store.lock:
            member_workspace(workspace)
            scope = None if bug("bulk-ids-unchecked") else workspace
            found: list[_Ticket] = []
            for raw_id in body["ticketIds"]:
                try:
                    found.append(find_ticket(scope, raw_id))
                except ApiError:
                    continue
            return _json_response(_page([_ticket_json(t) for t in found]))

    @app.get("/t/<workspace>/tickets/<ticket_id>")
    def get_ticket(workspace: str, ticket_id: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            ticket = find_ticket(None if bug("read-by-id") else workspace, ticket_id)
            return _json_response(_ticket_json(ticket))

    @app.patch("/t/<workspace>/tickets/<ticket_id>")
    def update_ticket(workspace: str, ticket_id: str) -> Response:
        scope = None if bug("write-by-id") else workspace
        with store.lock:
            agent, _ = member_workspace(workspace)
            find_ticket(scope, ticket_id)
        body = _json_body("TicketUpdate")
        with store.lock:
            ticket = find_ticket(scope, ticket_id)
            target = body.get("workspace", ticket.workspace)
            if target != ticket.workspace:
                if target != agent.workspace and not bug("mass-assignment-update"):
                    raise ApiError(
                        403, "Forbidden", "Tickets can only be moved to a workspace you are a member of."
                    )
                destination = existing_workspace(target)
            if "assigneeId" in body:
                assignee = find_agent(target, body["assigneeId"]) if body["assigneeId"] else None
                if body["assigneeId"] and assignee is None:
                    raise ApiError(
                        422, "Unprocessable Entity", "assigneeId names no agent of this workspace."
                    )
                ticket.assignee_id = assignee.agent_id if assignee else None
            if target != ticket.workspace:
                destination.tickets_opened += 1
                ticket.workspace, ticket.number = target, destination.tickets_opened
                if "assigneeId" not in body:
                    ticket.assignee_id = None
            ticket.subject = body.get("subject", ticket.subject)
            ticket.status = body.get("status", ticket.status)
            ticket.priority = body.get("priority", ticket.priority)
            ticket.updated_at = _now()
            return _json_response(_ticket_json(ticket))

    @app.delete("/t/<workspace>/tickets/<ticket_id>")
    def delete_ticket(workspace: str, ticket_id: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            ticket = find_ticket(workspace, ticket_id)
            del store.tickets[ticket.ticket_id]
            for comment_id in [
                c.comment_id for c in store.comments.values() if c.ticket_id == ticket.ticket_id
            ]:
                del store.comments[comment_id]
        return Response(status=204)

    # -- comments -------------------------------------------------------------------------------

    @app.get("/t/<workspace>/tickets/<ticket_id>/comments")
    def list_comments(workspace: str, ticket_id: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            ticket = find_ticket(None if bug("nested-parent-unchecked") else workspace, ticket_id)
            comments = [c for c in store.comments.values() if c.ticket_id == ticket.ticket_id]
            return _json_response(_page([_comment_json(c) for c in comments]))

    @app.post("/t/<workspace>/tickets/<ticket_id>/comments")
    def create_comment(workspace: str, ticket_id: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            find_ticket(workspace, ticket_id)
        body = _json_body("CommentInput")
        with store.lock:
            agent, _ = member_workspace(workspace)
            ticket = find_ticket(workspace, ticket_id)
            comment = _Comment(
                comment_id=uuid.uuid4(),
                ticket_id=ticket.ticket_id,
                author_id=agent.agent_id,
                body=body["body"],
                public=body.get("public", True),
                created_at=_now(),
            )
            store.comments[comment.comment_id] = comment
            ticket.updated_at = comment.created_at
        return _json_response(
            _comment_json(comment),
            201,
            location=f"/t/{workspace}/tickets/{ticket.ticket_id}/comments/{comment.comment_id}",
        )

    @app.get("/t/<workspace>/tickets/<ticket_id>/comments/<comment_id>")
    def get_comment(workspace: str, ticket_id: str, comment_id: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            ticket = find_ticket(workspace, ticket_id)
            comment = store.comments.get(_parse_uuid(comment_id) or uuid.UUID(int=0))
            if comment is None or (
                comment.ticket_id != ticket.ticket_id and not bug("nested-child-unchecked")
            ):
                raise _not_found("comment")
            return _json_response(_comment_json(comment))

    # -- knowledge base -------------------------------------------------------------------------

    @app.get("/t/<workspace>/articles")
    def list_articles(workspace: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            articles = [a for (ws, _), a in store.articles.items() if ws == workspace]
            return _json_response(_page([_article_json(a) for a in articles]))

    @app.post("/t/<workspace>/articles")
    def create_article(workspace: str) -> Response:
        with store.lock:
            member_workspace(workspace)
        body = _json_body("ArticleInput")
        with store.lock:
            member_workspace(workspace)
            if (workspace, body["slug"]) in store.articles:
                raise ApiError(409, "Conflict", "The workspace already has an article with this slug.")
            now = _now()
            article = _Article(
                article_id=uuid.uuid4(),
                workspace=workspace,
                slug=body["slug"],
                title=body["title"],
                body=body["body"],
                status=body.get("status", "draft"),
                created_at=now,
                updated_at=now,
            )
            store.articles[(workspace, article.slug)] = article
        return _json_response(_article_json(article), 201, location=f"/t/{workspace}/articles/{article.slug}")

    @app.get("/t/<workspace>/articles/<article_slug>")
    def get_article(workspace: str, article_slug: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            article = store.articles.get((workspace, article_slug))
            if article is None:
                # Links to a deleted article keep working while it is in the trash. The bug: the trash is
                # searched by slug alone, whichever workspace the article was deleted from.
                trashed = [
                    a
                    for a in reversed(store.trash)
                    if a.slug == article_slug and (a.workspace == workspace or bug("delete-then-reuse"))
                ]
                if not trashed:
                    raise _not_found("article")
                article = trashed[0]
            return _json_response(_article_json(article))

    @app.put("/t/<workspace>/articles/<article_slug>")
    def replace_article(workspace: str, article_slug: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            if (workspace, article_slug) not in store.articles:
                raise _not_found("article")
        body = _json_body("ArticleReplace")
        with store.lock:
            article = store.articles.get((workspace, article_slug))
            if article is None:
                raise _not_found("article")
            article.title, article.body, article.status = body["title"], body["body"], body["status"]
            article.updated_at = _now()
            return _json_response(_article_json(article))

    @app.delete("/t/<workspace>/articles/<article_slug>")
    def delete_article(workspace: str, article_slug: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            article = store.articles.pop((workspace, article_slug), None)
            if article is None:
                raise _not_found("article")
            store.trash.append(article)
        return Response(status=204)

    # -- search ---------------------------------------------------------------------------------

    @app.get("/t/<workspace>/search")
    def search(workspace: str) -> Response:
        query = request.args.get("q", "")
        if not 2 <= len(query) <= 200:
            raise ApiError(400, "Bad Request", "q must be 2 to 200 characters long")
        needle = query.casefold()

        def visible(owner: str) -> bool:
            return owner == workspace or bug("search-across-tenants")

        def hit(kind: str, identifier: uuid.UUID, title: str, *texts: str | None) -> dict[str, Any] | None:
            for text in (title, *texts):
                if text and needle in text.casefold():
                    start = max(0, text.casefold().index(needle) - 40)
                    return {
                        "kind": kind,
                        "id": str(identifier),
                        "title": title,
                        "excerpt": text[start : start + 120],
                    }
            return None

        with store.lock:
            member_workspace(workspace)
            found = [
                *(
                    hit("ticket", t.ticket_id, t.subject, t.description)
                    for t in store.tickets.values()
                    if visible(t.workspace)
                ),
                *(
                    hit("contact", c.contact_id, c.name, c.email, c.organization)
                    for c in store.contacts.values()
                    if visible(c.workspace)
                ),
                *(
                    hit("article", a.article_id, a.title, a.body)
                    for a in store.articles.values()
                    if visible(a.workspace)
                ),
            ]
        return _json_response({"query": query, "items": [item for item in found if item is not None]})

    # -- exports --------------------------------------------------------------------------------

    @app.post("/t/<workspace>/exports")
    def create_export(workspace: str) -> Response:
        with store.lock:
            member_workspace(workspace)
        body = _json_body("ExportRequest")
        out = io.StringIO()
        writer = csv.writer(out)
        now = _now()
        with store.lock:
            member_workspace(workspace)
            if body["resource"] == "tickets":
                writer.writerow(["number", "subject", "status", "priority", "requester", "createdAt"])
                rows = [
                    [
                        t.number,
                        t.subject,
                        t.status,
                        t.priority,
                        t.requester["email"],
                        _timestamp(t.created_at),
                    ]
                    for t in store.tickets.values()
                    if t.workspace == workspace
                ]
            else:
                writer.writerow(["name", "email", "phone", "organization", "createdAt"])
                rows = [
                    [c.name, c.email, c.phone or "", c.organization or "", _timestamp(c.created_at)]
                    for c in store.contacts.values()
                    if c.workspace == workspace
                ]
            writer.writerows(rows)
            export = _Export(
                export_id=uuid.uuid4(),
                workspace=workspace,
                resource=body["resource"],
                file_name=f"{workspace}-{body['resource']}-{now:%Y%m%d-%H%M%S}.csv",
                csv_text=out.getvalue(),
                row_count=len(rows),
                created_at=now,
            )
            store.exports[export.export_id] = export
        return _json_response(
            _export_json(export), 202, location=f"/t/{workspace}/exports/{export.export_id}"
        )

    @app.get("/t/<workspace>/exports/<export_id>")
    def get_export(workspace: str, export_id: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            return _json_response(_export_json(find_export(workspace, export_id)))

    @app.get("/t/<workspace>/exports/<export_id>/download")
    def download_export(workspace: str, export_id: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            export = find_export(workspace, export_id)
        response = Response(export.csv_text, status=200, content_type="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
        return response

    # -- webhooks -------------------------------------------------------------------------------

    @app.get("/t/<workspace>/webhooks")
    def list_webhooks(workspace: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            webhooks = [w for w in store.webhooks.values() if w.workspace == workspace]
            return _json_response(_page([_webhook_json(w) for w in webhooks]))

    @app.post("/t/<workspace>/webhooks")
    def create_webhook(workspace: str) -> Response:
        with store.lock:
            member_workspace(workspace)
        body = _json_body("WebhookInput")
        webhook = _Webhook(
            webhook_id=uuid.uuid4(),
            workspace=workspace,
            url=body["url"],
            events=list(body["events"]),
            secret="whsec_" + secrets.token_urlsafe(24),
            created_at=_now(),
        )
        with store.lock:
            member_workspace(workspace)
            store.webhooks[webhook.webhook_id] = webhook
        return _json_response(
            _webhook_json(webhook, with_secret=True),
            201,
            location=f"/t/{workspace}/webhooks/{webhook.webhook_id}",
        )

    @app.get("/t/<workspace>/webhooks/<webhook_id>")
    def get_webhook(workspace: str, webhook_id: str) -> Response:
        leaky = bug("webhook-secret-leak")
        with store.lock:
            member_workspace(workspace)
            webhook = store.webhooks.get(_parse_uuid(webhook_id) or uuid.UUID(int=0))
            if webhook is None or (webhook.workspace != workspace and not leaky):
                raise _not_found("webhook")
            # The bug: the lookup that serves the admin screen's "reveal secret" view skips the workspace.
            return _json_response(_webhook_json(webhook, with_secret=leaky))

    @app.delete("/t/<workspace>/webhooks/<webhook_id>")
    def delete_webhook(workspace: str, webhook_id: str) -> Response:
        with store.lock:
            member_workspace(workspace)
            webhook = store.webhooks.get(_parse_uuid(webhook_id) or uuid.UUID(int=0))
            if webhook is None or webhook.workspace != workspace:
                raise _not_found("webhook")
            del store.webhooks[webhook.webhook_id]
        return Response(status=204)

    return app


__all__ = ["ENV_VAR", "TEMPLATES", "VULNERABILITIES", "create_app", "slugify"]

app = create_app(vulnerabilities_from_env(os.environ.get(ENV_VAR)))
"""The Helpdesk app with the bugs named in ``HELPDESK_VULNERABILITIES`` enabled (none by default)."""
