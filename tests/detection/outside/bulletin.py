"""Bulletin: a small multi-tenant notes API (FastAPI) with public and signed-in-only shared data.

Style: integer ids from one counter, bearer tokens (`Authorization: Bearer ...`), lists paginated the
way Django REST framework pages them ({"count", "next", "previous", "results"}), a language catalogue
every signed-in caller sees alike ({"data": [...]}), and announcements anyone may read, signed in or
not (a bare list).

Correctly isolated by default. Bugs are switched on with create_app(bugs=[...]); BUGS maps each bug
to the operations it breaks.
"""

import itertools
import secrets
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

BUGS: dict[str, list[str]] = {
    # GET /notes lost its authentication: it answers every caller, signed in or not, with every
    # account's notes (public exposure, not a cross-tenant read)
    "notes-list-public": ["GET /notes"],
}

LANGUAGES = {
    "en": {"code": "en", "name": "English", "native_name": "English", "direction": "left-to-right"},
    "fr": {"code": "fr", "name": "French", "native_name": "Français", "direction": "left-to-right"},
    "ar": {"code": "ar", "name": "Arabic", "native_name": "العربية", "direction": "right-to-left"},
}
ANNOUNCEMENTS = [
    {"id": 1, "title": "Scheduled maintenance on Sunday night", "published": "2026-11-02"},
    {"id": 2, "title": "Notes can now be written in Arabic", "published": "2026-11-20"},
]


class SignupIn(BaseModel):
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=8, max_length=128)


class TokenOut(BaseModel):
    token: str


class Language(BaseModel):
    code: str
    name: str
    native_name: str
    direction: str


class Languages(BaseModel):
    data: list[Language]


class NoteIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=2000)
    language: Literal["en", "fr", "ar"] = "en"


class Note(BaseModel):
    id: int
    title: str
    body: str
    language: Language
    author: str


class NotePage(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[Note]


class Announcement(BaseModel):
    id: int
    title: str
    published: str


def create_app(bugs: list[str] | None = None) -> FastAPI:
    enabled = set(bugs or [])
    unknown = enabled - set(BUGS)
    if unknown:
        raise ValueError(f"unknown bugs {sorted(unknown)}; known: {sorted(BUGS)}")
    app = FastAPI(title="Bulletin", version="1.0.0")
    ids = itertools.count(1)
    passwords: dict[str, str] = {}
    tokens: dict[str, str] = {}
    notes: dict[int, dict[str, object]] = {}
    bearer = HTTPBearer(auto_error=False)

    def caller(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
        user = tokens.get(credentials.credentials) if credentials else None
        if user is None:
            raise HTTPException(401, "Authentication credentials were not provided.")
        return user

    def view(note: dict[str, object]) -> Note:
        return Note.model_validate({**note, "language": LANGUAGES[str(note["language"])]})

    @app.post("/signup", status_code=201)
    def signup(body: SignupIn) -> TokenOut:
        if body.username in passwords:
            raise HTTPException(409, "username taken")
        passwords[body.username] = body.password
        token = secrets.token_hex(16)
        tokens[token] = body.username
        return TokenOut(token=token)

    @app.get("/announcements")
    def announcements() -> list[Announcement]:
        return [Announcement.model_validate(item) for item in ANNOUNCEMENTS]

    @app.get("/languages")
    def languages(user: Annotated[str, Depends(caller)]) -> Languages:
        return Languages.model_validate({"data": list(LANGUAGES.values())})

    @app.get("/languages/{code}")
    def language(code: str, user: Annotated[str, Depends(caller)]) -> Language:
        if code not in LANGUAGES:
            raise HTTPException(404, "Not found.")
        return Language.model_validate(LANGUAGES[code])

    @app.post("/notes", status_code=201)
    def create_note(body: NoteIn, user: Annotated[str, Depends(caller)]) -> Note:
        note = {"id": next(ids), **body.model_dump(), "author": user}
        notes[int(str(note["id"]))] = note
        return view(note)

    def list_notes(search: str | None, user: str | None) -> NotePage:
        found = [
            view(note)
            for note in notes.values()
            if (user is None or note["author"] == user) and (not search or search in str(note["title"]))
        ]
        return NotePage(count=len(found), next=None, previous=None, results=found)

    if "notes-list-public" in enabled:

        @app.get("/notes")
        def notes_public(search: Annotated[str | None, Query()] = None) -> NotePage:
            return list_notes(search, None)

    else:

        @app.get("/notes")
        def notes_own(
            user: Annotated[str, Depends(caller)],
            search: Annotated[str | None, Query()] = None,
        ) -> NotePage:
            return list_notes(search, user)

    @app.get("/notes/{note_id}")
    def get_note(note_id: int, user: Annotated[str, Depends(caller)]) -> Note:
        note = notes.get(note_id)
        if note is None or note["author"] != user:
            raise HTTPException(404, "Not found.")
        return view(note)

    return app


app = create_app()
