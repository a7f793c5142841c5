"""Scratchpad: a small multi-tenant notes API (FastAPI) that reads notes through a cache on ONE connection.

Style: integer ids from one counter, bearer tokens from `POST /signup` or `POST /login`
(`{"token": ...}`), notes as a bare list. Modelled on the 2023 chat-service incident (redis-py asyncio,
CVE-2023-28858): every request shares one connection to the cache server, writes its query on it, then
reads the next reply off it, in order. A request whose client goes away while it waits (cancelled in
the server, or seen gone through `request.is_disconnected()`) stops waiting, but its reply still
arrives on the connection.

Correctly isolated by default: a cancelled wait throws the connection away, as the redis-py fix did.
Bugs are switched on with create_app(bugs=[...]); BUGS maps each bug to the operations it breaks.
"""

import asyncio
import itertools
import secrets
from collections.abc import Coroutine
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

BUGS: dict[str, list[str]] = {
    # a cancelled read leaves its reply on the shared connection: the next reader gets it
    "cancelled-reply": ["GET /notes"],
}

# How long the cache server takes to answer a query; how often a waiting request looks for its client.
REPLY_AFTER = 0.02
POLL_EVERY = 0.002


class Credentials(BaseModel):
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=8, max_length=128)


class TokenOut(BaseModel):
    token: str


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class Note(BaseModel):
    id: int
    text: str


class Account(BaseModel):
    id: int
    username: str


class CacheServer:
    """The far end: answers each query with a snapshot of the notes it names, ``REPLY_AFTER`` later."""

    def __init__(self, notes: dict[int, list[dict[str, Any]]]) -> None:
        self.notes = notes

    def query(self, key: int, deliver: asyncio.Queue[list[dict[str, Any]]]) -> None:
        reply = [dict(note) for note in self.notes.get(key, [])]
        asyncio.get_running_loop().call_later(REPLY_AFTER, deliver.put_nowait, reply)


class Connection:
    """The app's one connection to the cache server, shared by every request: queries go out in turn,
    replies come back in the same order."""

    def __init__(self, server: CacheServer, *, reset_when_cancelled: bool) -> None:
        self.server = server
        self.reset_when_cancelled = reset_when_cancelled
        self.replies: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue()
        self.lock = asyncio.Lock()
        # Reads given up while waiting for their reply.
        self.cancelled = 0

    async def fetch(self, key: int) -> list[dict[str, Any]]:
        async with self.lock:
            self.server.query(key, self.replies)
            try:
                return await self.replies.get()
            except asyncio.CancelledError:
                self.cancelled += 1
                if self.reset_when_cancelled:
                    # Its reply may still come: reconnect, so that nobody reads it.
                    self.replies = asyncio.Queue()
                raise


async def unless_gone(request: Request, work: Coroutine[Any, Any, Any]) -> Any:
    """``work``'s result; ``None`` when the client went away first (``work`` is then cancelled)."""
    task = asyncio.ensure_future(work)
    try:
        while not task.done():
            if await request.is_disconnected():
                task.cancel()
                await asyncio.wait({task})
                return None
            await asyncio.wait({task}, timeout=POLL_EVERY)
        return task.result()
    finally:
        # Cancelled ourselves (the server gave up on the request): so is the work.
        task.cancel()


def create_app(bugs: list[str] | None = None) -> FastAPI:
    bugs = list(bugs or [])
    for bug in bugs:
        if bug not in BUGS:
            raise ValueError(f"unknown bug {bug!r}; known: {sorted(BUGS)}")
    active = set(bugs)

    user_ids, note_ids = itertools.count(1), itertools.count(1)
    users: dict[int, dict[str, Any]] = {}
    tokens: dict[str, int] = {}
    notes: dict[int, list[dict[str, Any]]] = {}
    cache = Connection(CacheServer(notes), reset_when_cancelled="cancelled-reply" not in active)

    app = FastAPI(title="Scratchpad", version="0.3.0")
    app.state.cache = cache
    bearer = HTTPBearer(auto_error=False)

    async def current_user(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> dict[str, Any]:
        if credentials is None or credentials.credentials not in tokens:
            raise HTTPException(401, "sign in first")
        return users[tokens[credentials.credentials]]

    Me = Annotated[dict[str, Any], Depends(current_user)]

    def issue(uid: int) -> dict[str, str]:
        token = secrets.token_urlsafe(24)
        tokens[token] = uid
        return {"token": token}

    @app.post("/signup", status_code=201, response_model=TokenOut)
    def signup(body: Credentials) -> dict[str, str]:
        if any(user["username"] == body.username for user in users.values()):
            raise HTTPException(409, "username taken")
        uid = next(user_ids)
        users[uid] = {"id": uid, "username": body.username, "password": body.password}
        notes[uid] = []
        return issue(uid)

    @app.post("/login", response_model=TokenOut)
    def login(body: Credentials) -> dict[str, str]:
        for user in users.values():
            if user["username"] == body.username and secrets.compare_digest(user["password"], body.password):
                return issue(user["id"])
        raise HTTPException(401, "wrong username or password")

    @app.get("/me", response_model=Account)
    def whoami(me: Me) -> dict[str, Any]:
        return {"id": me["id"], "username": me["username"]}

    @app.post("/notes", status_code=201, response_model=Note)
    def add_note(body: NoteIn, me: Me) -> dict[str, Any]:
        note = {"id": next(note_ids), "text": body.text}
        notes[me["id"]].append(note)
        return note

    @app.get("/notes", response_model=list[Note])
    async def list_notes(request: Request, me: Me) -> Any:
        found = await unless_gone(request, cache.fetch(me["id"]))
        if found is None:
            return Response(status_code=499)
        return found

    return app


app = create_app()
