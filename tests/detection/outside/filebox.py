"""Filebox: a small multi-user file locker (FastAPI).

Style: OAuth2 password login (`POST /token` takes a form, answers {"access_token", "token_type"}),
JSON signup, documents uploaded as multipart/form-data (a file plus a title, optionally public),
folders created with JSON (shared with every user unless told otherwise) and renamed with a
urlencoded form. Integer ids from one counter per table.

Correctly isolated by default. Bugs are switched on with create_app(bugs=[...]).
BUGS maps each bug to the operations it breaks.
"""

import hashlib
import itertools
import secrets
from typing import Annotated

from fastapi import Depends, FastAPI, File, Form, HTTPException, UploadFile
from fastapi.responses import PlainTextResponse, Response
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

BUGS: dict[str, list[str]] = {
    # the download looks the document up by id alone
    "content-read": ["GET /documents/{document_id}/content"],
    # the folder form update forgets to check the owner
    "folder-update": ["PUT /folders/{folder_id}"],
}


class UserIn(BaseModel):
    email: str = Field(min_length=3, max_length=200)
    password: str = Field(min_length=8, max_length=100)
    full_name: str = Field(default="", max_length=100)


class UserOut(BaseModel):
    id: int
    email: str
    full_name: str


class TokenOut(BaseModel):
    access_token: str
    token_type: str


class DocumentOut(BaseModel):
    id: int
    title: str
    filename: str
    size: int
    is_public: bool


class FolderIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    color: str = Field(default="grey", max_length=20)
    shared: bool = Field(default=True, description="Every user of the box can open a shared folder")


class FolderOut(BaseModel):
    id: int
    name: str
    color: str
    shared: bool


def create_app(bugs: list[str] | None = None) -> FastAPI:
    bugs = list(bugs or [])
    for b in bugs:
        if b not in BUGS:
            raise ValueError(f"unknown bug {b!r}; known: {sorted(BUGS)}")
    active = set(bugs)

    user_ids, document_ids, folder_ids = itertools.count(1), itertools.count(1), itertools.count(1)
    users: dict[int, dict] = {}
    tokens: dict[str, int] = {}
    documents: dict[int, dict] = {}
    folders: dict[int, dict] = {}

    app = FastAPI(title="Filebox", version="0.4.1")
    oauth2 = OAuth2PasswordBearer(tokenUrl="token")

    def current_user(token: Annotated[str, Depends(oauth2)]) -> dict:
        if token not in tokens:
            raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})
        return users[tokens[token]]

    Me = Annotated[dict, Depends(current_user)]

    def digest(password: str) -> str:
        return hashlib.sha256(password.encode()).hexdigest()

    def document_out(d: dict) -> dict:
        return {k: d[k] for k in DocumentOut.model_fields}

    def folder_out(f: dict) -> dict:
        return {k: f[k] for k in FolderOut.model_fields}

    def visible_document(me: dict, document_id: int) -> dict:
        d = documents.get(document_id)
        if d is None or (d["owner"] != me["id"] and not d["is_public"]):
            raise HTTPException(404, "Document not found")
        return d

    def own_folder(me: dict, folder_id: int) -> dict:
        f = folders.get(folder_id)
        if f is None or f["owner"] != me["id"]:
            raise HTTPException(404, "Folder not found")
        return f

    @app.post("/users", status_code=201, response_model=UserOut)
    def signup(body: UserIn) -> dict:
        if any(u["email"] == body.email for u in users.values()):
            raise HTTPException(409, "Email already registered")
        uid = next(user_ids)
        users[uid] = {
            "id": uid,
            "email": body.email,
            "full_name": body.full_name,
            "pw": digest(body.password),
        }
        return {"id": uid, "email": body.email, "full_name": body.full_name}

    @app.post("/token", response_model=TokenOut)
    def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict:
        for u in users.values():
            if u["email"] == form.username and u["pw"] == digest(form.password):
                token = secrets.token_urlsafe(24)
                tokens[token] = u["id"]
                return {"access_token": token, "token_type": "bearer"}
        raise HTTPException(400, "Incorrect username or password")

    @app.get("/users/me", response_model=UserOut)
    def me(me: Me) -> dict:
        return {"id": me["id"], "email": me["email"], "full_name": me["full_name"]}

    @app.post("/documents", status_code=201, response_model=DocumentOut)
    async def upload(
        me: Me,
        title: Annotated[str, Form(min_length=1, max_length=200)],
        file: Annotated[UploadFile, File(description="The document itself")],
        is_public: Annotated[
            bool, Form(description="Anyone with the link can read a public document")
        ] = False,
    ) -> dict:
        content = await file.read()
        did = next(document_ids)
        documents[did] = {
            "id": did,
            "owner": me["id"],
            "title": title,
            "filename": file.filename or "upload",
            "size": len(content),
            "is_public": is_public,
            "content": content,
        }
        return document_out(documents[did])

    @app.get("/documents", response_model=list[DocumentOut])
    def list_documents(me: Me) -> list[dict]:
        return [document_out(d) for d in documents.values() if d["owner"] == me["id"]]

    @app.get("/documents/{document_id}", response_model=DocumentOut)
    def get_document(document_id: int, me: Me) -> dict:
        return document_out(visible_document(me, document_id))

    @app.get("/documents/{document_id}/content", response_class=PlainTextResponse)
    def download(document_id: int, me: Me) -> PlainTextResponse:
        if "content-read" in active:
            d = documents.get(document_id)
            if d is None:
                raise HTTPException(404, "Document not found")
        else:
            d = visible_document(me, document_id)
        return PlainTextResponse(d["content"].decode("utf-8", "replace"))

    @app.delete("/documents/{document_id}", status_code=204)
    def delete_document(document_id: int, me: Me) -> Response:
        d = documents.get(document_id)
        if d is None or d["owner"] != me["id"]:
            raise HTTPException(404, "Document not found")
        del documents[document_id]
        return Response(status_code=204)

    @app.post("/folders", status_code=201, response_model=FolderOut)
    def create_folder(body: FolderIn, me: Me) -> dict:
        fid = next(folder_ids)
        folders[fid] = {
            "id": fid,
            "owner": me["id"],
            "name": body.name,
            "color": body.color,
            "shared": body.shared,
        }
        return folder_out(folders[fid])

    @app.get("/folders", response_model=list[FolderOut])
    def list_folders(me: Me) -> list[dict]:
        return [folder_out(f) for f in folders.values() if f["owner"] == me["id"]]

    @app.get("/folders/{folder_id}", response_model=FolderOut)
    def get_folder(folder_id: int, me: Me) -> dict:
        f = folders.get(folder_id)
        if f is None or (f["owner"] != me["id"] and not f["shared"]):
            raise HTTPException(404, "Folder not found")
        return folder_out(f)

    @app.put("/folders/{folder_id}", response_model=FolderOut)
    def rename_folder(
        folder_id: int,
        me: Me,
        name: Annotated[str, Form(min_length=1, max_length=100)],
        color: Annotated[str, Form(max_length=20)] = "grey",
    ) -> dict:
        if "folder-update" in active:
            f = folders.get(folder_id)
            if f is None:
                raise HTTPException(404, "Folder not found")
        else:
            f = own_folder(me, folder_id)
        f["name"], f["color"] = name, color
        return folder_out(f)

    return app


app = create_app()
