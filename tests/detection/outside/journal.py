"""Journal: a small private diary service (FastAPI).

Style: usernames restricted to ^[a-z][a-z0-9_]{2,23}$ and unique, like email; login sets a session
cookie (`journal_session`); entries have integer ids from one counter, and another user's entry is
refused with 403 (not hidden behind a 404). `POST /sessions/revoke-all` is a maintenance action any
logged-in user may call: it signs every user out, everywhere.

Correctly isolated by default. Bugs are switched on with create_app(bugs=[...]).
BUGS maps each bug to the operations it breaks.
"""

import hashlib
import itertools
import os
import secrets
from typing import Annotated, Literal

from fastapi import Cookie, Depends, FastAPI, HTTPException, Response
from pydantic import BaseModel, Field

BUGS: dict[str, list[str]] = {
    # reading one entry forgets the author check
    "entry-read": ["GET /entries/{entry_id}"],
}

COOKIE = "journal_session"


class SignupIn(BaseModel):
    username: str = Field(pattern=r"^[a-z][a-z0-9_]{2,23}$")
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", max_length=120)
    password: str = Field(min_length=10, max_length=64)


class LoginIn(BaseModel):
    username: str
    password: str


class UserOut(BaseModel):
    id: int
    username: str
    email: str


class EntryIn(BaseModel):
    title: str = Field(min_length=1, max_length=80)
    text: str = Field(default="", max_length=2000)
    mood: Literal["good", "meh", "bad"] = "meh"


class EntryOut(BaseModel):
    id: int
    title: str
    text: str
    mood: str
    author: str


def create_app(bugs: list[str] | None = None) -> FastAPI:
    bugs = list(bugs or [])
    for b in bugs:
        if b not in BUGS:
            raise ValueError(f"unknown bug {b!r}; known: {sorted(BUGS)}")
    active = set(bugs)

    user_ids, entry_ids = itertools.count(1), itertools.count(1)
    users: dict[int, dict] = {}
    sessions: dict[str, int] = {}
    entries: dict[int, dict] = {}

    app = FastAPI(title="Journal", version="1.2.0")

    def current_user(journal_session: Annotated[str | None, Cookie()] = None) -> dict:
        if journal_session is None or journal_session not in sessions:
            raise HTTPException(401, "please log in")
        return users[sessions[journal_session]]

    Me = Annotated[dict, Depends(current_user)]

    def digest(password: str) -> str:
        return hashlib.sha256(password.encode()).hexdigest()

    def entry_out(e: dict) -> dict:
        return {k: e[k] for k in EntryOut.model_fields}

    def own_entry(me: dict, entry_id: int, *, checked: bool = True) -> dict:
        e = entries.get(entry_id)
        if e is None:
            raise HTTPException(404, "no such entry")
        if checked and e["author"] != me["username"]:
            raise HTTPException(403, "this entry belongs to someone else")
        return e

    @app.post("/users", status_code=201, response_model=UserOut)
    def signup(body: SignupIn) -> dict:
        if any(u["username"] == body.username or u["email"] == body.email for u in users.values()):
            raise HTTPException(409, "username or email taken")
        uid = next(user_ids)
        users[uid] = {"id": uid, "username": body.username, "email": body.email, "pw": digest(body.password)}
        return {k: users[uid][k] for k in UserOut.model_fields}

    @app.post("/sessions", status_code=204)
    def login(body: LoginIn, response: Response) -> None:
        user = next((u for u in users.values() if u["username"] == body.username), None)
        if user is None or user["pw"] != digest(body.password):
            raise HTTPException(401, "wrong username or password")
        sid = secrets.token_urlsafe(24)
        sessions[sid] = user["id"]
        response.set_cookie(COOKIE, sid, httponly=True)

    @app.post("/sessions/revoke-all", status_code=204)
    def revoke_all(me: Me) -> None:
        sessions.clear()

    @app.get("/me", response_model=UserOut)
    def whoami(me: Me) -> dict:
        return {k: me[k] for k in UserOut.model_fields}

    @app.get("/entries", response_model=list[EntryOut])
    def list_entries(me: Me) -> list[dict]:
        return [entry_out(e) for e in entries.values() if e["author"] == me["username"]]

    @app.post("/entries", status_code=201, response_model=EntryOut)
    def add_entry(body: EntryIn, me: Me) -> dict:
        eid = next(entry_ids)
        entries[eid] = {"id": eid, **body.model_dump(), "author": me["username"]}
        return entry_out(entries[eid])

    @app.get("/entries/{entry_id}", response_model=EntryOut)
    def get_entry(entry_id: int, me: Me) -> dict:
        return entry_out(own_entry(me, entry_id, checked="entry-read" not in active))

    @app.put("/entries/{entry_id}", response_model=EntryOut)
    def edit_entry(entry_id: int, body: EntryIn, me: Me) -> dict:
        e = own_entry(me, entry_id)
        e.update(body.model_dump())
        return entry_out(e)

    @app.delete("/entries/{entry_id}", status_code=204)
    def delete_entry(entry_id: int, me: Me) -> None:
        own_entry(me, entry_id)
        del entries[entry_id]

    return app


def _bugs_from_env() -> list[str]:
    raw = os.environ.get("JOURNAL_BUGS", "").strip()
    if not raw or raw == "none":
        return []
    if raw == "all":
        return list(BUGS)
    return [b.strip() for b in raw.split(",") if b.strip()]


app = create_app(_bugs_from_env())
