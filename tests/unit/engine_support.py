"""Shared pieces for the engine's unit tests: a fake transport, hand-made operations and a real context.

The fake transport answers every request from a Python callable and records it; no socket is opened.
Operations are built by hand (no OpenAPI document); the context is the one a :class:`Campaign`
assembles, with tenants added to its knowledge by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import requests.adapters
from requests.structures import CaseInsensitiveDict

from isolation_harness.engine.campaign import Campaign
from isolation_harness.engine.context import EngineContext
from isolation_harness.engine.settings import CampaignSettings
from isolation_harness.knowledge import Instance, Knowledge, TenantKnowledge
from isolation_harness.model import HttpRequest, HttpResponse, JSONPath, Slot, SlotLocation
from isolation_harness.openapi.requests import OpenApiRequests
from isolation_harness.operations import ApiModel, Operation, Output, Parameter
from isolation_harness.provisioning import ProvisionContext
from isolation_harness.tenants import Credentials, Tenant
from isolation_harness.transport import BoundSession

BASE_URL = "http://api.test"

# (method, path, query, headers, json body) -> (status, JSON body; None for an empty body)
Handler = Callable[[str, str, dict[str, str], Mapping[str, str], Any], tuple[int, Any]]


@dataclass(frozen=True)
class Sent:
    """One request the fake transport received."""

    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: Any

    @property
    def caller(self) -> str | None:
        return caller_of(self.headers)


def caller_of(headers: Mapping[str, str]) -> str | None:
    """The tenant a request comes from, by the ``Authorization: Bearer <name>-token`` its client sends."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    return value.removeprefix("Bearer ").removesuffix("-token") or None


class FakeAdapter(requests.adapters.BaseAdapter):
    """Answers from ``handler`` and records every request in ``log``."""

    def __init__(self, handler: Handler, log: list[Sent]) -> None:
        super().__init__()
        self.handler = handler
        self.log = log

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        parts = urlsplit(str(request.url))
        raw = request.body.decode() if isinstance(request.body, bytes) else request.body
        body = json.loads(raw) if raw else None
        sent = Sent(
            method=str(request.method),
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=dict(request.headers),
            body=body,
        )
        self.log.append(sent)
        status, payload = self.handler(sent.method, sent.path, sent.query, sent.headers, sent.body)
        response = requests.Response()
        response.status_code = status
        response._content = b"" if payload is None else json.dumps(payload).encode()
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        response.encoding = "utf-8"
        response.url = str(request.url)
        response.request = request
        return response

    def close(self) -> None:
        pass


class FakeTransport:
    """A :class:`isolation_harness.transport.Transport` whose sessions reach ``handler``, never the network."""

    kind = "fake"

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.log: list[Sent] = []

    @property
    def base_url(self) -> str:
        return BASE_URL

    def session(self) -> BoundSession:
        session = BoundSession(BASE_URL)
        session.trust_env = False
        adapter = FakeAdapter(lambda *args: self.handler(*args), self.log)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session


def never_called(
    method: str, path: str, query: dict[str, str], headers: Mapping[str, str], body: Any
) -> tuple[int, Any]:
    raise AssertionError(f"no request was expected, got {method} {path}")


# -- hand-made operations ---------------------------------------------------------------------------


def path_slot(name: str, resource: str, field_name: str = "id") -> Slot:
    return Slot(SlotLocation.PATH, name, resource, field_name)


def body_slot(path: JSONPath, resource: str, field_name: str = "id") -> Slot:
    return Slot(SlotLocation.BODY, str(path[-1]), resource, field_name, path)


def parameter(
    name: str, location: SlotLocation = SlotLocation.QUERY, schema: Any = None, *, required: bool = False
) -> Parameter:
    return Parameter(
        name=name,
        location=location,
        required=required or location is SlotLocation.PATH,
        schema=schema if schema is not None else {"type": "string"},
    )


def operation(
    method: str,
    path: str,
    *,
    slots: Sequence[Slot] = (),
    parameters: Sequence[Parameter] = (),
    body: Any = None,
    outputs: Sequence[Output] = (),
    creates: str | None = None,
) -> Operation:
    """An operation; every path slot also gets its path parameter."""
    params = [parameter(s.name, SlotLocation.PATH) for s in slots if s.location is SlotLocation.PATH]
    return Operation(
        label=f"{method} {path}",
        method=method,
        path=path,
        parameters=[*params, *parameters],
        body_schema=body,
        body_required=body is not None,
        slots=list(slots),
        outputs=list(outputs),
        created_resource=creates,
        requires_auth=True,
    )


def one(resource: str, status: str = "200", *fields: str) -> Output:
    return Output(resource=resource, pointer="/", many=False, status=status, fields=fields or ("id",))


def many(resource: str, *fields: str) -> Output:
    return Output(resource=resource, pointer="/", many=True, status="200", fields=fields or ("id",))


# -- a real context over the fake transport ---------------------------------------------------------


class HandMadeDescription:
    """An :class:`isolation_harness.engine.builder.ApiDescription` of hand-made operations."""

    def __init__(self, operations: Sequence[Operation]) -> None:
        self._model = ApiModel(operations=list(operations))

    @property
    def model(self) -> ApiModel:
        return self._model

    def requests(self, knowledge: Knowledge) -> OpenApiRequests:
        return OpenApiRequests(knowledge)


class NoProvisioner:
    """Tenants are added to the knowledge by hand: nothing to provision or tear down."""

    used_operations: tuple[str, ...] = ()

    def provision(self, tenant: Tenant, context: ProvisionContext) -> Credentials:
        raise AssertionError("tenants are made by hand in these tests")

    def teardown(self, tenant: Tenant, context: ProvisionContext) -> None:
        pass


@dataclass
class Engine:
    """A context as a campaign assembles it, its fake transport, and its tenants (``tenant-a`` first)."""

    ctx: EngineContext
    transport: FakeTransport
    tenants: list[TenantKnowledge] = field(default_factory=list)

    @property
    def sent(self) -> list[Sent]:
        return self.transport.log

    def own(
        self, state: TenantKnowledge, resource: str, values: dict[str, Any], **parents: Instance
    ) -> Instance:
        """Register an instance the tenant made itself (with a recipe: a ``POST`` that created it)."""
        recipe = HttpRequest(method="POST", path_template=f"/{resource.lower()}s", body=values, has_body=True)
        return self.ctx.knowledge.register(state, resource, values, dict(parents), recipe)


def engine(operations: Sequence[Operation], handler: Handler = never_called, *, tenants: int = 2) -> Engine:
    """A real :class:`EngineContext` (the one ``Campaign._context`` assembles) with ``tenants`` tenants."""
    transport = FakeTransport(handler)
    campaign = Campaign(
        description=HandMadeDescription(operations),
        transport=transport,
        provisioner=NoProvisioner(),
        settings=CampaignSettings(tenants=tenants),
    )
    ctx = campaign.context
    states = [add_tenant(ctx, transport, name) for name in campaign.reserve_names()]
    return Engine(ctx=ctx, transport=transport, tenants=states)


def add_tenant(ctx: EngineContext, transport: FakeTransport, name: str) -> TenantKnowledge:
    tenant = Tenant(name=name, seed=0, client=transport.session())
    token = f"{name}-token"
    tenant.apply(Credentials(headers={"Authorization": f"Bearer {token}"}, token=token))
    ctx.redactor.add(token)
    return ctx.knowledge.add(tenant)


def json_response(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(status=status, headers={"Content-Type": "application/json"}, text=json.dumps(body))


# -- a tiny in-memory API of orders, each owned by the tenant that made it ---------------------------


@dataclass
class OrdersApi:
    """``/orders`` with create, list, read, patch and delete; ``checks`` says whether it checks the owner.

    Every read answers a ``reads`` counter (a field that changes by itself, like a request id).
    """

    checks: bool = True
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    reads: int = 0
    made: int = 0

    def add(self, owner: str, identifier: str, title: str) -> dict[str, Any]:
        self.orders[identifier] = {"id": identifier, "title": title, "owner": owner}
        return self.orders[identifier]

    def __call__(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str], body: Any
    ) -> tuple[int, Any]:
        caller = caller_of(headers)
        parts = path.strip("/").split("/")
        if parts == ["orders"]:
            if method == "POST":
                self.made += 1
                created = self.add(str(caller), f"ord-{self.made}", str(body["title"]))
                return 201, dict(created)
            self.reads += 1
            mine = [order for order in self.orders.values() if order["owner"] == caller]
            return 200, {"items": mine, "read": self.reads}
        if len(parts) == 2 and parts[0] == "orders":
            order = self.orders.get(parts[1])
            if order is None or (self.checks and order["owner"] != caller):
                return 404, {"detail": "not found"}
            if method == "GET":
                self.reads += 1
                return 200, {**order, "read": self.reads}
            if method == "PATCH":
                order.update(body or {})
                return 200, dict(order)
            if method == "DELETE":
                del self.orders[parts[1]]
                return 204, None
        return 404, {"detail": "no such route"}


ORDER_BODY = {"type": "object", "required": ["title"], "properties": {"title": {"type": "string"}}}
ORDER_FIELDS = ("id", "title", "owner")
CREATE_ORDER = operation(
    "POST", "/orders", body=ORDER_BODY, outputs=[one("Order", "201", *ORDER_FIELDS)], creates="Order"
)
LIST_ORDERS = Operation(
    label="GET /orders",
    method="GET",
    path="/orders",
    outputs=[Output("Order", "/items", True, "200", ORDER_FIELDS)],
    requires_auth=True,
)
READ_ORDER = operation("GET", "/orders/{order_id}", slots=[path_slot("order_id", "Order")])
PATCH_ORDER = operation(
    "PATCH",
    "/orders/{order_id}",
    slots=[path_slot("order_id", "Order")],
    body={"type": "object", "properties": {"title": {"type": "string"}}},
)
DELETE_ORDER = operation("DELETE", "/orders/{order_id}", slots=[path_slot("order_id", "Order")])
