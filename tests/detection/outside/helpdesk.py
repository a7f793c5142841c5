"""Helpdesk: a small multi-tenant ticketing API (FastAPI).

Style: integer auto-increment ids (global counters, shared across orgs), every response wrapped in an
envelope {"data": ...}, errors as {"error": {...}}, login returns the token in the `X-Auth-Token`
response header and clients send it back in the `X-Auth-Token` request header (no Bearer prefix).

Correctly isolated by default. Bugs are switched on with create_app(bugs=[...]) or, for the
module-level `app`, HELPDESK_BUGS=ticket-read,assignee-filter,comment-unchecked (or "all").
BUGS maps each bug to the operations it breaks.
"""

import hashlib
import itertools
import os
import secrets
import time
from enum import Enum
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field

EmailStr = Annotated[
    str,
    Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", json_schema_extra={"format": "email"}),
]

BUGS: dict[str, list[str]] = {
    # GET /tickets/{ticket_id} returns any org's ticket
    "ticket-read": ["GET /tickets/{ticket_id}"],
    # GET /tickets?assignee_id= drops the org filter when an assignee is given
    "assignee-filter": ["GET /tickets"],
    # the comment is looked up by id alone; only the *ticket* is checked against the org
    "comment-unchecked": ["GET /tickets/{ticket_id}/comments/{comment_id}"],
}


# ---------------------------------------------------------------- models
class Error(BaseModel):
    code: str
    message: str


class ErrorEnvelope(BaseModel):
    error: Error


class SignupIn(BaseModel):
    org_name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    password: str = Field(min_length=8, max_length=128)


class LoginIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=128)


class User(BaseModel):
    id: int
    org_id: int
    org_name: str
    email: str


class UserEnvelope(BaseModel):
    data: User


class StatusOut(BaseModel):
    status: str
    version: str
    server_time: float


class StatusEnvelope(BaseModel):
    data: StatusOut


class AgentIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    email: EmailStr


class Agent(BaseModel):
    id: int
    name: str
    email: str


class AgentEnvelope(BaseModel):
    data: Agent


class AgentListEnvelope(BaseModel):
    data: list[Agent]


class Priority(str, Enum):
    low = "low"
    normal = "normal"
    high = "high"


class TicketState(str, Enum):
    open = "open"
    pending = "pending"
    closed = "closed"


class TicketIn(BaseModel):
    subject: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    priority: Priority = Priority.normal
    assignee_id: int | None = None


class TicketPatch(BaseModel):
    subject: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    priority: Priority | None = None
    state: TicketState | None = None


class Ticket(BaseModel):
    id: int
    subject: str
    description: str
    priority: Priority
    state: TicketState
    assignee_id: int | None
    created_at: float
    comment_count: int


class TicketEnvelope(BaseModel):
    data: Ticket


class TicketListEnvelope(BaseModel):
    data: list[Ticket]


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=2000)
    internal: bool = False


class Comment(BaseModel):
    id: int
    ticket_id: int
    body: str
    internal: bool
    author_id: int


class CommentEnvelope(BaseModel):
    data: Comment


class CommentListEnvelope(BaseModel):
    data: list[Comment]


# ---------------------------------------------------------------- app
def create_app(bugs: list[str] | None = None) -> FastAPI:
    bugs = list(bugs or [])
    for b in bugs:
        if b not in BUGS:
            raise ValueError(f"unknown bug {b!r}; known: {sorted(BUGS)}")
    active = set(bugs)

    ids = itertools.count(1)  # one global sequence, like a shared SERIAL
    orgs: dict[int, dict] = {}
    users: dict[int, dict] = {}
    sessions: dict[str, int] = {}
    agents: dict[int, dict] = {}
    tickets: dict[int, dict] = {}
    comments: dict[int, dict] = {}

    app = FastAPI(title="Helpdesk", version="2.3.0", description="Multi-tenant helpdesk.")

    def err(status: int, code: str, message: str) -> HTTPException:
        return HTTPException(status_code=status, detail={"code": code, "message": message})

    @app.exception_handler(HTTPException)
    async def _http_exc(_: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, dict) else {"code": "error", "message": str(exc.detail)}
        return JSONResponse({"error": detail}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _val_exc(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            {"error": {"code": "invalid", "message": "; ".join(str(e["msg"]) for e in exc.errors())}},
            status_code=422,
        )

    token_scheme = APIKeyHeader(name="X-Auth-Token", auto_error=False)

    def current_user(token: Annotated[str | None, Depends(token_scheme)]) -> dict:
        if not token or token not in sessions:
            raise err(401, "unauthorized", "missing or invalid X-Auth-Token")
        return users[sessions[token]]

    Me = Annotated[dict, Depends(current_user)]
    errs = {401: {"model": ErrorEnvelope}, 404: {"model": ErrorEnvelope}, 422: {"model": ErrorEnvelope}}

    def pw_hash(pw: str) -> str:
        return hashlib.sha256(pw.encode()).hexdigest()

    def user_out(u: dict) -> dict:
        return {
            "id": u["id"],
            "org_id": u["org_id"],
            "org_name": orgs[u["org_id"]]["name"],
            "email": u["email"],
        }

    def ticket_out(t: dict) -> dict:
        n = sum(1 for c in comments.values() if c["ticket_id"] == t["id"])
        return {k: t[k] for k in Ticket.model_fields if k != "comment_count"} | {"comment_count": n}

    def comment_out(c: dict) -> dict:
        return {k: c[k] for k in Comment.model_fields}

    def own_ticket(me: dict, ticket_id: int) -> dict:
        t = tickets.get(ticket_id)
        if t is None or t["org_id"] != me["org_id"]:
            raise err(404, "not_found", f"ticket {ticket_id} not found")
        return t

    def own_agent(me: dict, agent_id: int) -> dict:
        a = agents.get(agent_id)
        if a is None or a["org_id"] != me["org_id"]:
            raise err(404, "not_found", f"agent {agent_id} not found")
        return a

    # -- public
    @app.get("/status", response_model=StatusEnvelope, tags=["meta"], operation_id="getStatus")
    def status() -> dict:
        return {"data": {"status": "ok", "version": "2.3.0", "server_time": time.time()}}

    # -- accounts
    @app.post(
        "/signup",
        status_code=201,
        response_model=UserEnvelope,
        tags=["auth"],
        operation_id="signup",
        responses={409: {"model": ErrorEnvelope}, 422: {"model": ErrorEnvelope}},
    )
    def signup(body: SignupIn) -> dict:
        if any(u["email"] == body.email for u in users.values()):
            raise err(409, "conflict", "email already registered")
        org_id = next(ids)
        orgs[org_id] = {"id": org_id, "name": body.org_name}
        uid = next(ids)
        users[uid] = {"id": uid, "org_id": org_id, "email": body.email, "pw": pw_hash(body.password)}
        return {"data": user_out(users[uid])}

    @app.post(
        "/login",
        response_model=UserEnvelope,
        tags=["auth"],
        operation_id="login",
        responses={
            200: {
                "headers": {"X-Auth-Token": {"description": "session token", "schema": {"type": "string"}}}
            },
            401: {"model": ErrorEnvelope},
        },
    )
    def login(body: LoginIn, response: Response) -> dict:
        for u in users.values():
            if u["email"] == body.email and u["pw"] == pw_hash(body.password):
                token = secrets.token_urlsafe(24)
                sessions[token] = u["id"]
                response.headers["X-Auth-Token"] = token
                return {"data": user_out(u)}
        raise err(401, "unauthorized", "bad credentials")

    @app.get("/me", response_model=UserEnvelope, tags=["auth"], operation_id="getMe", responses=errs)
    def me(me: Me) -> dict:
        return {"data": user_out(me)}

    # -- agents
    @app.post(
        "/agents",
        status_code=201,
        response_model=AgentEnvelope,
        tags=["agents"],
        operation_id="createAgent",
        responses=errs,
    )
    def create_agent(body: AgentIn, me: Me) -> dict:
        aid = next(ids)
        agents[aid] = {"id": aid, "org_id": me["org_id"], "name": body.name, "email": body.email}
        return {"data": {k: agents[aid][k] for k in ("id", "name", "email")}}

    @app.get(
        "/agents",
        response_model=AgentListEnvelope,
        tags=["agents"],
        operation_id="listAgents",
        responses=errs,
    )
    def list_agents(me: Me) -> dict:
        return {
            "data": [
                {k: a[k] for k in ("id", "name", "email")}
                for a in agents.values()
                if a["org_id"] == me["org_id"]
            ]
        }

    @app.get(
        "/agents/{agent_id}",
        response_model=AgentEnvelope,
        tags=["agents"],
        operation_id="getAgent",
        responses=errs,
    )
    def get_agent(agent_id: int, me: Me) -> dict:
        a = own_agent(me, agent_id)
        return {"data": {k: a[k] for k in ("id", "name", "email")}}

    # -- tickets
    @app.post(
        "/tickets",
        status_code=201,
        response_model=TicketEnvelope,
        tags=["tickets"],
        operation_id="createTicket",
        responses=errs,
    )
    def create_ticket(body: TicketIn, me: Me) -> dict:
        if body.assignee_id is not None:
            own_agent(me, body.assignee_id)
        tid = next(ids)
        tickets[tid] = {
            "id": tid,
            "org_id": me["org_id"],
            "subject": body.subject,
            "description": body.description,
            "priority": body.priority.value,
            "state": "open",
            "assignee_id": body.assignee_id,
            "created_at": time.time(),
        }
        return {"data": ticket_out(tickets[tid])}

    @app.get(
        "/tickets",
        response_model=TicketListEnvelope,
        tags=["tickets"],
        operation_id="listTickets",
        responses=errs,
    )
    def list_tickets(
        me: Me,
        assignee_id: Annotated[int | None, Query(description="only tickets assigned to this agent")] = None,
        state: TicketState | None = None,
    ) -> dict:
        out = []
        for t in tickets.values():
            if assignee_id is not None:
                if t["assignee_id"] != assignee_id:
                    continue
                if "assignee-filter" not in active and t["org_id"] != me["org_id"]:
                    continue
            elif t["org_id"] != me["org_id"]:
                continue
            if state is not None and t["state"] != state.value:
                continue
            out.append(ticket_out(t))
        return {"data": out}

    @app.get(
        "/tickets/{ticket_id}",
        response_model=TicketEnvelope,
        tags=["tickets"],
        operation_id="getTicket",
        responses=errs,
    )
    def get_ticket(ticket_id: int, me: Me) -> dict:
        if "ticket-read" in active:
            t = tickets.get(ticket_id)
            if t is None:
                raise err(404, "not_found", f"ticket {ticket_id} not found")
        else:
            t = own_ticket(me, ticket_id)
        return {"data": ticket_out(t)}

    @app.patch(
        "/tickets/{ticket_id}",
        response_model=TicketEnvelope,
        tags=["tickets"],
        operation_id="updateTicket",
        responses=errs,
    )
    def update_ticket(ticket_id: int, body: TicketPatch, me: Me) -> dict:
        t = own_ticket(me, ticket_id)
        for k, v in body.model_dump(exclude_none=True).items():
            t[k] = v.value if isinstance(v, Enum) else v
        return {"data": ticket_out(t)}

    @app.delete(
        "/tickets/{ticket_id}", status_code=204, tags=["tickets"], operation_id="deleteTicket", responses=errs
    )
    def delete_ticket(ticket_id: int, me: Me) -> Response:
        own_ticket(me, ticket_id)
        del tickets[ticket_id]
        for cid in [c for c, v in comments.items() if v["ticket_id"] == ticket_id]:
            del comments[cid]
        return Response(status_code=204)

    # -- comments (nested)
    @app.post(
        "/tickets/{ticket_id}/comments",
        status_code=201,
        response_model=CommentEnvelope,
        tags=["comments"],
        operation_id="createComment",
        responses=errs,
    )
    def create_comment(ticket_id: int, body: CommentIn, me: Me) -> dict:
        own_ticket(me, ticket_id)
        cid = next(ids)
        comments[cid] = {
            "id": cid,
            "ticket_id": ticket_id,
            "body": body.body,
            "internal": body.internal,
            "author_id": me["id"],
        }
        return {"data": comment_out(comments[cid])}

    @app.get(
        "/tickets/{ticket_id}/comments",
        response_model=CommentListEnvelope,
        tags=["comments"],
        operation_id="listComments",
        responses=errs,
    )
    def list_comments(ticket_id: int, me: Me) -> dict:
        own_ticket(me, ticket_id)
        return {"data": [comment_out(c) for c in comments.values() if c["ticket_id"] == ticket_id]}

    @app.get(
        "/tickets/{ticket_id}/comments/{comment_id}",
        response_model=CommentEnvelope,
        tags=["comments"],
        operation_id="getComment",
        responses=errs,
    )
    def get_comment(ticket_id: int, comment_id: int, me: Me) -> dict:
        own_ticket(me, ticket_id)
        c = comments.get(comment_id)
        if c is None or ("comment-unchecked" not in active and c["ticket_id"] != ticket_id):
            raise err(404, "not_found", f"comment {comment_id} not found")
        return {"data": comment_out(c)}

    @app.delete(
        "/tickets/{ticket_id}/comments/{comment_id}",
        status_code=204,
        tags=["comments"],
        operation_id="deleteComment",
        responses=errs,
    )
    def delete_comment(ticket_id: int, comment_id: int, me: Me) -> Response:
        own_ticket(me, ticket_id)
        c = comments.get(comment_id)
        if c is None or c["ticket_id"] != ticket_id:
            raise err(404, "not_found", f"comment {comment_id} not found")
        del comments[comment_id]
        return Response(status_code=204)

    return app


def _bugs_from_env() -> list[str]:
    raw = os.environ.get("HELPDESK_BUGS", "").strip()
    if not raw or raw == "none":
        return []
    if raw == "all":
        return list(BUGS)
    return [b.strip() for b in raw.split(",") if b.strip()]


app = create_app(_bugs_from_env())
