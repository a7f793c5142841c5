"""Taskboard: a small multi-tenant project/task API (plain Starlette, no FastAPI).

Style: hand-written OpenAPI 3.1 YAML served at a non-standard path /docs/openapi.yaml, prefixed
string ids (prj_..., tsk_...), camelCase ids (projectId, taskId), login answers
{"auth": {"token": ..., "tokenType": "Bearer"}, "user": {...}} (token at JSON pointer /auth/token),
Bearer auth. Tasks are nested under projects for creation/listing and flat for read/update; a task
can be moved to another project with POST /tasks/{taskId}/move {targetProjectId}.

Correctly isolated by default. Bugs: create_app(bugs=[...]) or TASKBOARD_BUGS=project-delete,... ("all").
"""

import os
import secrets

import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BUGS: dict[str, list[str]] = {
    # DELETE /projects/{projectId} deletes any tenant's project
    "project-delete": ["DELETE /projects/{projectId}"],
    # GET /projects/{projectId}/tasks lists any project's tasks
    "task-list": ["GET /projects/{projectId}/tasks"],
    # POST /tasks/{taskId}/move checks the task but not the target project
    "move-target": ["POST /tasks/{taskId}/move"],
}

SPEC_YAML = r"""
openapi: 3.1.0
info:
  title: Taskboard
  version: 0.9.2
security:
  - bearer: []
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  responses:
    Problem:
      description: error
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
  schemas:
    Problem:
      type: object
      properties:
        title: {type: string}
        status: {type: integer}
        detail: {type: string}
    User:
      type: object
      required: [userId, displayName, email]
      properties:
        userId: {type: string}
        displayName: {type: string}
        email: {type: string, format: email}
    Register:
      type: object
      required: [displayName, email, password]
      additionalProperties: false
      properties:
        displayName: {type: string, minLength: 1, maxLength: 80}
        email: {type: string, format: email}
        password: {type: string, minLength: 10, maxLength: 72}
    Login:
      type: object
      required: [email, password]
      additionalProperties: false
      properties:
        email: {type: string, format: email}
        password: {type: string, minLength: 1}
    LoginResult:
      type: object
      required: [auth, user]
      properties:
        auth:
          type: object
          required: [token, tokenType]
          properties:
            token: {type: string}
            tokenType: {type: string, enum: [Bearer]}
            expiresIn: {type: integer}
        user: {$ref: '#/components/schemas/User'}
    ProjectInput:
      type: object
      required: [name]
      additionalProperties: false
      properties:
        name: {type: string, minLength: 1, maxLength: 100}
        description: {type: string, maxLength: 1000}
    Project:
      type: object
      required: [projectId, name, description, taskCount]
      properties:
        projectId: {type: string, pattern: '^prj_[0-9a-f]{12}$'}
        name: {type: string}
        description: {type: string}
        taskCount: {type: integer}
    ProjectList:
      type: object
      properties:
        projects:
          type: array
          items: {$ref: '#/components/schemas/Project'}
    TaskInput:
      type: object
      required: [title]
      additionalProperties: false
      properties:
        title: {type: string, minLength: 1, maxLength: 200}
        notes: {type: string, maxLength: 2000}
    TaskPatch:
      type: object
      additionalProperties: false
      properties:
        title: {type: string, minLength: 1, maxLength: 200}
        notes: {type: string, maxLength: 2000}
        done: {type: boolean}
    MoveInput:
      type: object
      required: [targetProjectId]
      additionalProperties: false
      properties:
        targetProjectId: {type: string}
    Task:
      type: object
      required: [taskId, projectId, title, notes, done]
      properties:
        taskId: {type: string, pattern: '^tsk_[0-9a-f]{12}$'}
        projectId: {type: string}
        title: {type: string}
        notes: {type: string}
        done: {type: boolean}
    TaskList:
      type: object
      properties:
        tasks:
          type: array
          items: {$ref: '#/components/schemas/Task'}
  parameters:
    projectId:
      name: projectId
      in: path
      required: true
      schema: {type: string}
    taskId:
      name: taskId
      in: path
      required: true
      schema: {type: string}
paths:
  /auth/register:
    post:
      operationId: register
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Register'}
      responses:
        '201':
          description: registered
          content:
            application/json:
              schema:
                type: object
                properties:
                  user: {$ref: '#/components/schemas/User'}
        '400': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
  /auth/login:
    post:
      operationId: login
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Login'}
      responses:
        '200':
          description: logged in
          content:
            application/json:
              schema: {$ref: '#/components/schemas/LoginResult'}
        '401': {$ref: '#/components/responses/Problem'}
  /projects:
    get:
      operationId: listProjects
      responses:
        '200':
          description: the caller's projects
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ProjectList'}
        '401': {$ref: '#/components/responses/Problem'}
    post:
      operationId: createProject
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ProjectInput'}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Project'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
  /projects/{projectId}:
    parameters:
      - $ref: '#/components/parameters/projectId'
    get:
      operationId: getProject
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Project'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
    delete:
      operationId: deleteProject
      responses:
        '204': {description: deleted}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
  /projects/{projectId}/tasks:
    parameters:
      - $ref: '#/components/parameters/projectId'
    get:
      operationId: listProjectTasks
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TaskList'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
    post:
      operationId: createTask
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/TaskInput'}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Task'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
  /tasks/{taskId}:
    parameters:
      - $ref: '#/components/parameters/taskId'
    get:
      operationId: getTask
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Task'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
    patch:
      operationId: updateTask
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/TaskPatch'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Task'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
  /tasks/{taskId}/move:
    parameters:
      - $ref: '#/components/parameters/taskId'
    post:
      operationId: moveTask
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/MoveInput'}
      responses:
        '200':
          description: moved
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Task'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
  /search:
    get:
      operationId: searchTasks
      parameters:
        - name: q
          in: query
          required: true
          schema: {type: string, minLength: 1, maxLength: 100}
      responses:
        '200':
          description: the caller's tasks whose title contains q
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TaskList'}
        '401': {$ref: '#/components/responses/Problem'}
"""


def create_app(bugs: list[str] | None = None) -> Starlette:
    bugs = list(bugs or [])
    for b in bugs:
        if b not in BUGS:
            raise ValueError(f"unknown bug {b!r}; known: {sorted(BUGS)}")
    active = set(bugs)

    users: dict[str, dict] = {}
    tokens: dict[str, str] = {}
    projects: dict[str, dict] = {}
    tasks: dict[str, dict] = {}

    def problem(status: int, title: str, detail: str = "") -> JSONResponse:
        return JSONResponse(
            {"title": title, "status": status, "detail": detail},
            status_code=status,
            media_type="application/problem+json",
        )

    def caller(request: Request) -> dict | None:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return None
        uid = tokens.get(auth[7:])
        return users.get(uid) if uid else None

    async def json_body(request: Request) -> dict | None:
        try:
            data = await request.json()
        except Exception:
            return None
        return data if isinstance(data, dict) else None

    def fields_ok(data: dict, required: set[str], allowed: set[str]) -> bool:
        return required <= data.keys() <= allowed

    def user_out(u: dict) -> dict:
        return {k: u[k] for k in ("userId", "displayName", "email")}

    def project_out(p: dict) -> dict:
        n = sum(1 for t in tasks.values() if t["projectId"] == p["projectId"])
        return {
            "projectId": p["projectId"],
            "name": p["name"],
            "description": p["description"],
            "taskCount": n,
        }

    def task_out(t: dict) -> dict:
        return {k: t[k] for k in ("taskId", "projectId", "title", "notes", "done")}

    def own_project(me: dict, pid: str) -> dict | None:
        p = projects.get(pid)
        return p if p is not None and p["owner"] == me["userId"] else None

    def own_task(me: dict, tid: str) -> dict | None:
        t = tasks.get(tid)
        return t if t is not None and t["owner"] == me["userId"] else None

    def authed(handler):
        async def wrapper(request: Request):
            me = caller(request)
            if me is None:
                return problem(401, "Unauthorized", "missing or invalid bearer token")
            return await handler(request, me)

        return wrapper

    async def spec(_: Request) -> Response:
        return Response(SPEC_YAML, media_type="application/yaml")

    async def register(request: Request) -> Response:
        d = await json_body(request)
        if d is None or not fields_ok(
            d, {"displayName", "email", "password"}, {"displayName", "email", "password"}
        ):
            return problem(400, "Bad Request", "displayName, email and password are required")
        if not all(isinstance(d[k], str) for k in d) or "@" not in d["email"] or len(d["password"]) < 10:
            return problem(400, "Bad Request", "invalid field")
        if any(u["email"] == d["email"] for u in users.values()):
            return problem(409, "Conflict", "email taken")
        uid = "usr_" + secrets.token_hex(6)
        users[uid] = {
            "userId": uid,
            "displayName": d["displayName"],
            "email": d["email"],
            "password": d["password"],
        }
        return JSONResponse({"user": user_out(users[uid])}, status_code=201)

    async def login(request: Request) -> Response:
        d = await json_body(request) or {}
        for u in users.values():
            if u["email"] == d.get("email") and u["password"] == d.get("password"):
                tok = secrets.token_urlsafe(32)
                tokens[tok] = u["userId"]
                return JSONResponse(
                    {"auth": {"token": tok, "tokenType": "Bearer", "expiresIn": 3600}, "user": user_out(u)}
                )
        return problem(401, "Unauthorized", "bad credentials")

    @authed
    async def projects_collection(request: Request, me: dict) -> Response:
        if request.method == "GET":
            return JSONResponse(
                {"projects": [project_out(p) for p in projects.values() if p["owner"] == me["userId"]]}
            )
        d = await json_body(request)
        if (
            d is None
            or not fields_ok(d, {"name"}, {"name", "description"})
            or not isinstance(d["name"], str)
            or not d["name"]
            or not isinstance(d.get("description", ""), str)
        ):
            return problem(400, "Bad Request", "name is required")
        pid = "prj_" + secrets.token_hex(6)
        projects[pid] = {
            "projectId": pid,
            "name": d["name"],
            "description": d.get("description", ""),
            "owner": me["userId"],
        }
        return JSONResponse(project_out(projects[pid]), status_code=201)

    @authed
    async def project_item(request: Request, me: dict) -> Response:
        pid = request.path_params["projectId"]
        if request.method == "DELETE" and "project-delete" in active:
            p = projects.get(pid)
        else:
            p = own_project(me, pid)
        if p is None:
            return problem(404, "Not Found", "no such project")
        if request.method == "GET":
            return JSONResponse(project_out(p))
        del projects[pid]
        for tid in [t for t, v in tasks.items() if v["projectId"] == pid]:
            del tasks[tid]
        return Response(status_code=204)

    @authed
    async def project_tasks(request: Request, me: dict) -> Response:
        pid = request.path_params["projectId"]
        p = projects.get(pid) if request.method == "GET" and "task-list" in active else own_project(me, pid)
        if p is None:
            return problem(404, "Not Found", "no such project")
        if request.method == "GET":
            return JSONResponse({"tasks": [task_out(t) for t in tasks.values() if t["projectId"] == pid]})
        d = await json_body(request)
        if (
            d is None
            or not fields_ok(d, {"title"}, {"title", "notes"})
            or not isinstance(d["title"], str)
            or not d["title"]
            or not isinstance(d.get("notes", ""), str)
        ):
            return problem(400, "Bad Request", "title is required")
        tid = "tsk_" + secrets.token_hex(6)
        tasks[tid] = {
            "taskId": tid,
            "projectId": pid,
            "title": d["title"],
            "notes": d.get("notes", ""),
            "done": False,
            "owner": me["userId"],
        }
        return JSONResponse(task_out(tasks[tid]), status_code=201)

    @authed
    async def task_item(request: Request, me: dict) -> Response:
        t = own_task(me, request.path_params["taskId"])
        if t is None:
            return problem(404, "Not Found", "no such task")
        if request.method == "GET":
            return JSONResponse(task_out(t))
        d = await json_body(request)
        if d is None or not fields_ok(d, set(), {"title", "notes", "done"}):
            return problem(400, "Bad Request", "unknown field")
        if (
            ("title" in d and (not isinstance(d["title"], str) or not d["title"]))
            or ("notes" in d and not isinstance(d["notes"], str))
            or ("done" in d and not isinstance(d["done"], bool))
        ):
            return problem(400, "Bad Request", "invalid field")
        t.update(d)
        return JSONResponse(task_out(t))

    @authed
    async def move_task(request: Request, me: dict) -> Response:
        t = own_task(me, request.path_params["taskId"])
        if t is None:
            return problem(404, "Not Found", "no such task")
        d = await json_body(request)
        if (
            d is None
            or not fields_ok(d, {"targetProjectId"}, {"targetProjectId"})
            or not isinstance(d["targetProjectId"], str)
        ):
            return problem(400, "Bad Request", "targetProjectId is required")
        target = (
            projects.get(d["targetProjectId"])
            if "move-target" in active
            else own_project(me, d["targetProjectId"])
        )
        if target is None:
            return problem(404, "Not Found", "no such project")
        t["projectId"] = target["projectId"]
        return JSONResponse(task_out(t))

    @authed
    async def search(request: Request, me: dict) -> Response:
        q = request.query_params.get("q", "")
        if not q:
            return problem(400, "Bad Request", "q is required")
        return JSONResponse(
            {
                "tasks": [
                    task_out(t)
                    for t in tasks.values()
                    if t["owner"] == me["userId"] and q.lower() in t["title"].lower()
                ]
            }
        )

    routes = [
        Route("/docs/openapi.yaml", spec),
        Route("/auth/register", register, methods=["POST"]),
        Route("/auth/login", login, methods=["POST"]),
        Route("/projects", projects_collection, methods=["GET", "POST"]),
        Route("/projects/{projectId}", project_item, methods=["GET", "DELETE"]),
        Route("/projects/{projectId}/tasks", project_tasks, methods=["GET", "POST"]),
        Route("/tasks/{taskId}", task_item, methods=["GET", "PATCH"]),
        Route("/tasks/{taskId}/move", move_task, methods=["POST"]),
        Route("/search", search, methods=["GET"]),
    ]
    return Starlette(routes=routes)


def _bugs_from_env() -> list[str]:
    raw = os.environ.get("TASKBOARD_BUGS", "").strip()
    if not raw or raw == "none":
        return []
    if raw == "all":
        return list(BUGS)
    return [b.strip() for b in raw.split(",") if b.strip()]


app = create_app(_bugs_from_env())
SPEC = yaml.safe_load(SPEC_YAML)
