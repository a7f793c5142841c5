"""Request bodies in the media type an operation declares: JSON, a urlencoded form, multipart/form-data.

Built from the description, sent over real loopback HTTP and in-process (ASGI, WSGI), written as curl
reproductions that real curl sends the same way, and used by the declarative login (OAuth2 password
form) with config only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
import schemathesis
from fastapi import Depends, FastAPI, File, Form, UploadFile
from fastapi.security import OAuth2PasswordRequestForm
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from isolation_harness.config import load_config
from isolation_harness.errors import ConfigurationError
from isolation_harness.knowledge import Knowledge
from isolation_harness.model import FORM, MULTIPART, HttpRequest, Slot, SlotLocation, form_fields
from isolation_harness.openapi.description import OpenApiDescription
from isolation_harness.provisioning import DeclarativeProvisioner, OperationCall, ProvisionContext
from isolation_harness.redaction import REDACTED, Redactor
from isolation_harness.reproduction import curl, request_from_prepared
from isolation_harness.tenants import Credentials, Tenant
from isolation_harness.transport import ASGITransport, HTTPTransport, WSGITransport, send

# -- the media type an operation is sent with -----------------------------------------------------


def _body(*media_types: str) -> dict[str, Any]:
    schema = {"type": "object", "required": ["title"], "properties": {"title": {"type": "string"}}}
    return {"content": {media_type: {"schema": schema} for media_type in media_types}, "required": True}


def description(paths: dict[str, Any]) -> OpenApiDescription:
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}
    return OpenApiDescription(schemathesis.openapi.from_dict(document))


def test_json_is_preferred_then_a_form_then_multipart_and_other_bodies_are_not_sent() -> None:
    ok = {"200": {"description": "ok"}}
    model = description(
        {
            "/a": {
                "post": {"requestBody": _body(MULTIPART, FORM, "application/vnd.api+json"), "responses": ok}
            },
            "/b": {"post": {"requestBody": _body(MULTIPART, FORM), "responses": ok}},
            "/c": {"post": {"requestBody": _body(MULTIPART), "responses": ok}},
            "/d": {"post": {"requestBody": _body("text/plain"), "responses": ok}},
        }
    ).model
    operations = model.by_label()
    assert [(label, operations[label].body_media_type) for label in ("POST /a", "POST /b", "POST /c")] == [
        ("POST /a", "application/vnd.api+json"),
        ("POST /b", FORM),
        ("POST /c", MULTIPART),
    ]
    assert operations["POST /b"].body_schema["required"] == ["title"]
    assert operations["POST /b"].body_required is True
    assert operations["POST /d"].body_schema is None


# -- a real app that echoes what it parsed ---------------------------------------------------------


def echo_fastapi() -> FastAPI:
    app = FastAPI()

    @app.post("/form")
    def form(
        name: Annotated[str, Form()],
        done: Annotated[bool, Form()],
        tags: Annotated[list[str], Form()],
        count: Annotated[int, Form()],
    ) -> dict[str, Any]:
        return {"name": name, "done": done, "tags": tags, "count": count}

    @app.post("/upload")
    async def upload(
        title: Annotated[str, Form()],
        file: Annotated[UploadFile, File()],
        folder_id: Annotated[int | None, Form()] = None,
    ) -> dict[str, Any]:
        content = (await file.read()).decode()
        return {"title": title, "folder_id": folder_id, "filename": file.filename, "content": content}

    @app.post("/token")
    def token(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
        return {"access_token": f"tok-{form.username}-{form.password}", "token_type": "bearer"}

    return app


def echo_flask() -> Flask:
    app = Flask(__name__)

    @app.post("/form")
    def form() -> Any:
        return jsonify(
            content_type=request.mimetype,
            fields={key: request.form.getlist(key) for key in request.form},
        )

    @app.post("/upload")
    def upload() -> Any:
        return jsonify(
            content_type=request.mimetype,
            fields={key: request.form.getlist(key) for key in request.form},
            files={key: [f.filename, f.read().decode()] for key, f in request.files.items()},
        )

    return app


@pytest.fixture(scope="module")
def loopback() -> Iterator[str]:
    """The Flask echo app served over real HTTP on 127.0.0.1."""
    server = make_server("127.0.0.1", 0, echo_flask(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


FORM_REQUEST = HttpRequest(
    method="POST",
    path_template="/form",
    body={"name": "Ada ihcanary 1", "done": True, "tags": ["a", "b"], "count": 3, "gone": None},
    has_body=True,
    media_type=FORM,
)
UPLOAD_REQUEST = HttpRequest(
    method="POST",
    path_template="/upload",
    body={"title": "Report ihcanary", "file": "Word ihcanary file 2\n", "folder_id": 7},
    has_body=True,
    media_type=MULTIPART,
    files=("file",),
)

TWO_FILES = HttpRequest(
    method="POST",
    path_template="/upload",
    body={"cover": "it's a cover ihcanary", "file": "ihcanary body", "note": "@/etc/passwd"},
    has_body=True,
    media_type=MULTIPART,
    files=("cover", "file"),
)


def test_form_fields_are_text_one_per_list_item_and_none_is_left_out() -> None:
    assert form_fields(FORM_REQUEST.body) == [
        ("name", "Ada ihcanary 1"),
        ("done", "true"),
        ("tags", "a"),
        ("tags", "b"),
        ("count", "3"),
    ]
    assert form_fields({"meta": {"k": 1}}) == [("meta", '{"k": 1}')]


def test_a_form_and_a_multipart_body_reach_an_asgi_app_as_it_parses_them() -> None:
    session = ASGITransport(echo_fastapi()).session()

    form = send(session, FORM_REQUEST.copy())
    upload = send(session, UPLOAD_REQUEST.copy())

    assert (form.status, form.json()) == (
        200,
        {"name": "Ada ihcanary 1", "done": True, "tags": ["a", "b"], "count": 3},
    )
    assert (upload.status, upload.json()) == (
        200,
        {
            "title": "Report ihcanary",
            "folder_id": 7,
            "filename": "file.txt",
            "content": "Word ihcanary file 2\n",
        },
    )


@pytest.mark.parametrize("over", ["wsgi", "http"])
def test_a_form_and_a_multipart_body_reach_a_wsgi_app_in_process_and_over_loopback_http(
    over: str, loopback: str
) -> None:
    transport = WSGITransport(echo_flask()) if over == "wsgi" else HTTPTransport(loopback)
    session = transport.session()

    form = send(session, FORM_REQUEST.copy())
    upload = send(session, UPLOAD_REQUEST.copy())

    assert form.json() == {
        "content_type": FORM,
        "fields": {"name": ["Ada ihcanary 1"], "done": ["true"], "tags": ["a", "b"], "count": ["3"]},
    }
    assert upload.json() == {
        "content_type": MULTIPART,
        "fields": {"title": ["Report ihcanary"], "folder_id": ["7"]},
        "files": {"file": ["file.txt", "Word ihcanary file 2\n"]},
    }


# -- built from the description, slots included -------------------------------------------------------


def test_a_multipart_create_gets_a_file_with_the_canary_and_its_slot_takes_the_tenants_object() -> None:
    app = echo_fastapi()
    api = OpenApiDescription(schemathesis.openapi.from_asgi("/openapi.json", app))
    operation = api.model.by_label()["POST /upload"]
    slot = Slot(SlotLocation.BODY, "folder_id", "Folder", "id", ("folder_id",))
    operation.slots = [slot]
    knowledge = Knowledge()
    tenant = Tenant(name="tenant-a", seed=0, client=ASGITransport(app).session())
    state = knowledge.add(tenant)
    knowledge.register(state, "Folder", {"id": 41}, {}, HttpRequest("POST", "/folders"))

    built = api.requests(knowledge).build(state, operation)

    assert built is not None
    request, _ = built
    assert (request.media_type, request.files, request.body["folder_id"]) == (MULTIPART, ("file",), 41)
    assert tenant.canary in request.body["file"]
    answer = send(tenant.client, request).json()
    assert (answer["folder_id"], answer["content"]) == (41, request.body["file"])


# -- reproductions -----------------------------------------------------------------------------------


def test_reproductions_write_a_form_with_data_urlencode_and_multipart_with_form_fields() -> None:
    form = curl(FORM_REQUEST, base_url="http://api.test", tenant="tenant-a", auth_headers=["Authorization"])
    upload = curl(UPLOAD_REQUEST, base_url="http://api.test", tenant="tenant-a")

    assert form == (
        'curl -sS -X POST http://api.test/form -H "Authorization: $TENANT_A_TOKEN" '
        "--data-urlencode 'name=Ada ihcanary 1' --data-urlencode done=true --data-urlencode tags=a "
        "--data-urlencode tags=b --data-urlencode count=3"
    )
    assert upload == (
        "printf %s 'Word ihcanary file 2\n' | curl -sS -X POST http://api.test/upload "
        "--form-string 'title=Report ihcanary' -F 'file=@-;filename=file.txt;type=text/plain' "
        "--form-string folder_id=7"
    )


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("bash")), reason="needs curl and bash")
@pytest.mark.parametrize(
    "sent", [FORM_REQUEST, UPLOAD_REQUEST, TWO_FILES], ids=["form", "multipart", "multipart-two-files"]
)
def test_curl_sends_a_reproduction_as_the_harness_sent_the_request(sent: HttpRequest, loopback: str) -> None:
    expected = send(HTTPTransport(loopback).session(), sent.copy()).json()
    command = curl(
        sent, base_url=loopback, tenant="tenant-a", auth_headers=["Authorization"], prefix="Bearer "
    )

    output = subprocess.run(
        ["bash", "-c", command],
        env={"PATH": "/usr/bin:/bin", "TENANT_A_TOKEN": "t", "HOME": "/nonexistent"},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout

    assert json.loads(output) == expected


def test_a_secret_in_a_form_body_is_redacted_in_the_reproduction() -> None:
    redactor = Redactor(["s3cret-pass word"])
    login = HttpRequest(
        "POST",
        "/token",
        body={"username": "ada", "password": "s3cret-pass word"},
        has_body=True,
        media_type=FORM,
    )

    text = redactor(curl(login, base_url="http://api.test", tenant="tenant-a"))

    assert text == (
        f"curl -sS -X POST http://api.test/token --data-urlencode username=ada "
        f"--data-urlencode 'password={REDACTED}'"
    )


def test_a_sent_form_or_multipart_request_is_read_back_for_a_reproduction() -> None:
    tenant = Tenant(name="tenant-a", seed=0, client=WSGITransport(echo_flask()).session())
    form = tenant.client.post("/form", data={"name": "Ada", "tags": "a"})
    upload = tenant.client.post("/upload", data={"title": "T"}, files={"file": ("f.txt", b"ih body")})

    form_request, _ = request_from_prepared(form.request, tenant)
    upload_request, _ = request_from_prepared(upload.request, tenant)

    assert (form_request.media_type, form_request.body) == (FORM, {"name": "Ada", "tags": "a"})
    assert (upload_request.media_type, upload_request.body, upload_request.files) == (
        MULTIPART,
        {"title": "T", "file": "ih body"},
        ("file",),
    )


# -- the declarative login -----------------------------------------------------------------------------


def provision_context(app: FastAPI) -> ProvisionContext:
    transport = ASGITransport(app)
    api = OpenApiDescription(schemathesis.openapi.from_asgi("/openapi.json", app))
    return ProvisionContext(api=api.model, transport=transport, redactor=Redactor())


def test_an_oauth2_password_login_is_sent_as_the_form_its_description_declares() -> None:
    ctx = provision_context(echo_fastapi())
    tenant = Tenant(name="tenant-a", seed=0, client=ctx.transport.session())
    login = OperationCall("POST /token", {"username": "{email}", "password": "{password}"})

    credentials = DeclarativeProvisioner(login=login).provision(tenant, ctx)

    token = f"tok-{tenant.identity.email}-{tenant.identity.password}"
    assert credentials == Credentials(headers={"Authorization": f"Bearer {token}"}, token=token)
    assert ctx.redactor(tenant.identity.password) == REDACTED


def test_media_type_in_the_config_overrides_the_description() -> None:
    app = FastAPI()

    @app.post("/login")
    def login(body: dict[str, str]) -> dict[str, str]:
        return {"access_token": "json"}

    flask = echo_flask()
    ctx = provision_context(app)
    ctx.transport = WSGITransport(flask)
    tenant = Tenant(name="tenant-a", seed=0, client=ctx.transport.session())
    seen: list[str] = []

    @flask.post("/login")
    def flask_login() -> Any:
        seen.append(request.mimetype)
        return jsonify(access_token=f"tok-{request.form['user']}")

    call = OperationCall("POST /login", {"user": "ada"}, media_type=FORM)
    credentials = DeclarativeProvisioner(login=call).provision(tenant, ctx)

    assert (seen, credentials.token) == ([FORM], "tok-ada")


def test_a_nested_table_in_a_form_body_is_a_configuration_error() -> None:
    ctx = provision_context(echo_fastapi())
    tenant = Tenant(name="tenant-a", seed=0, client=ctx.transport.session())
    login = OperationCall("POST /token", {"username": "{email}", "extra": {"a": 1}})

    with pytest.raises(ConfigurationError) as caught:
        DeclarativeProvisioner(login=login).provision(tenant, ctx)

    assert str(caught.value) == (
        f"tenants.login.body.extra is a table, but the body is sent as {FORM}, whose fields hold text, "
        'numbers or true/false. Write the body as one table of such values, e.g. body = { username = "{email}", '
        'password = "{password}" }.'
    )


# -- the config key ------------------------------------------------------------------------------------


def write_config(tmp_path: Path, login_extra: str) -> Path:
    path = tmp_path / "isolation.toml"
    path.write_text(
        '[tenants.login]\noperation = "POST /token"\nbody = { username = "{email}" }\n' + login_extra,
        encoding="utf-8",
    )
    return path


def test_media_type_is_read_from_the_login_table(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, f'media_type = "{FORM}"\n'))

    assert isinstance(config.provisioner, DeclarativeProvisioner)
    assert config.provisioner.login == OperationCall("POST /token", {"username": "{email}"}, media_type=FORM)


def test_a_media_type_left_out_follows_the_description(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, ""))

    assert isinstance(config.provisioner, DeclarativeProvisioner)
    assert config.provisioner.login.media_type is None


def test_an_unknown_media_type_says_which_are_known(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_config(write_config(tmp_path, 'media_type = "form"\n'))

    assert str(caught.value) == (
        f'{tmp_path / "isolation.toml"}: tenants.login.media_type must be one of "application/json", '
        '"application/x-www-form-urlencoded" or "multipart/form-data", got \'form\'. Leave media_type out to '
        "send the body as the operation's description declares it."
    )
