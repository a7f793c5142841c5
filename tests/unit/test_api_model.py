"""Unit tests for openapi.build_model on small OpenAPI documents loaded by schemathesis."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis

from isolation_harness.errors import ConfigurationError
from isolation_harness.model import Slot, SlotLocation
from isolation_harness.openapi.model import _rebind_role_named_slots, build_model
from isolation_harness.operations import (
    ApiModel,
    Operation,
    Output,
    Parameter,
    looks_like_identifier,
    normalize_label,
)


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def returns(ref: str, *, status: str = "200", many: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"$ref": f"#/components/schemas/{ref}"}
    if many:
        schema = {"type": "array", "items": schema}
    return {status: {"description": "ok", "content": json_content(schema)}}


def path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def document(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


DISPATCH = document(
    {
        "/orders": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": json_content({"$ref": "#/components/schemas/OrderIn"}),
                },
                "responses": returns("Order", status="201"),
            },
            "get": {
                "parameters": [
                    {"name": "status", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "customer_id", "in": "query", "required": False, "schema": {"type": "string"}},
                ],
                "responses": returns("Order", many=True),
            },
        },
        "/orders/{order_id}": {
            "parameters": [path_param("order_id")],
            "get": {"responses": returns("Order")},
            "delete": {"responses": {"204": {"description": "deleted"}}},
        },
        "/customers": {
            "post": {
                "requestBody": {"content": json_content({"$ref": "#/components/schemas/CustomerIn"})},
                "responses": returns("Customer", status="201"),
            }
        },
        "/labels": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": json_content({"$ref": "#/components/schemas/LabelIn"}),
                },
                "responses": returns("Label", status="201"),
            }
        },
        "/things/{thing_ref}": {
            "get": {"parameters": [path_param("thing_ref")], "responses": {"200": {"description": "ok"}}}
        },
        "/uploads": {
            "post": {
                "requestBody": {
                    "content": {
                        "multipart/form-data": {"schema": {"type": "object", "properties": {"f": {}}}}
                    }
                },
                "responses": {"204": {"description": "ok"}},
            }
        },
    },
    {
        "OrderIn": {
            "type": "object",
            "required": ["recipient"],
            "properties": {"recipient": {"type": "string"}, "customer_id": {"type": "string"}},
        },
        "Order": {
            "type": "object",
            "required": ["id", "recipient"],
            "properties": {
                "id": {"type": "string"},
                "recipient": {"type": "string"},
                "customer_id": {"type": "string"},
            },
        },
        "CustomerIn": {"type": "object", "properties": {"name": {"type": "string"}}},
        "Customer": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
        },
        "LabelIn": {
            "type": "object",
            "required": ["order_id"],
            "properties": {
                "order_id": {"type": "string"},
                "recipient": {"type": "string"},
                "options": {"type": "object", "properties": {"customer_id": {"type": "string"}}},
            },
        },
        "Label": {
            "type": "object",
            "required": ["id", "order_id"],
            "properties": {"id": {"type": "string"}, "order_id": {"type": "string"}},
        },
    },
)


@pytest.fixture(scope="module")
def model() -> ApiModel:
    return build_model(schemathesis.openapi.from_dict(DISPATCH))


def test_every_operation_is_read_with_its_label(model: ApiModel) -> None:
    assert [op.label for op in model.operations] == [
        "POST /orders",
        "GET /orders",
        "GET /orders/{order_id}",
        "DELETE /orders/{order_id}",
        "POST /customers",
        "POST /labels",
        "GET /things/{thing_ref}",
        "POST /uploads",
    ]
    get_order = model.by_label()["GET /orders/{order_id}"]
    assert (get_order.method, get_order.path, get_order.is_safe, get_order.is_delete) == (
        "GET",
        "/orders/{order_id}",
        True,
        False,
    )
    assert model.by_label()["DELETE /orders/{order_id}"].is_delete


def test_path_parameter_is_an_identifier_slot_bound_to_its_resource(model: ApiModel) -> None:
    operation = model.by_label()["GET /orders/{order_id}"]

    assert operation.parameters == [Parameter("order_id", SlotLocation.PATH, True, {"type": "string"})]
    assert operation.slots == [Slot(SlotLocation.PATH, "order_id", "Order", "id")]
    assert operation.path_slot_resources() == ["Order"]


def test_body_id_field_is_a_slot_and_other_body_fields_are_not(model: ApiModel) -> None:
    operation = model.by_label()["POST /labels"]

    assert Slot(SlotLocation.BODY, "order_id", "Order", "id", ("order_id",)) in operation.slots
    assert all(slot.name != "recipient" for slot in operation.slots)
    assert operation.slots[0].describe() == "body /order_id"


def test_query_id_parameter_is_a_slot_and_filters_are_not(model: ApiModel) -> None:
    operation = model.by_label()["GET /orders"]

    assert [(p.name, p.location, p.required) for p in operation.parameters] == [
        ("status", SlotLocation.QUERY, False),
        ("customer_id", SlotLocation.QUERY, False),
    ]
    assert [(s.location, s.name, s.resource) for s in operation.slots] == [
        (SlotLocation.QUERY, "customer_id", "Customer")
    ]


def test_unbound_path_parameter_becomes_its_own_resource(model: ApiModel) -> None:
    operation = model.by_label()["GET /things/{thing_ref}"]

    assert operation.slots == [Slot(SlotLocation.PATH, "thing_ref", "?thing_ref", "thing_ref")]


def test_json_body_schema_and_requiredness(model: ApiModel) -> None:
    labels = model.by_label()

    assert labels["POST /orders"].body_required
    assert not labels["POST /customers"].body_required
    assert labels["POST /orders"].body_schema is not None
    assert labels["GET /orders"].body_schema is None
    assert labels["POST /orders"].body_media_type == "application/json"
    # A body only declared as a form or multipart is read in that media type.
    assert labels["POST /uploads"].body_schema == {"type": "object", "properties": {"f": {}}}
    assert labels["POST /uploads"].body_media_type == "multipart/form-data"


def test_created_resource(model: ApiModel) -> None:
    assert {op.label: op.created_resource for op in model.operations} == {
        "POST /orders": "Order",
        "GET /orders": None,
        "GET /orders/{order_id}": None,
        "DELETE /orders/{order_id}": None,
        "POST /customers": "Customer",
        "POST /labels": "Label",
        "GET /things/{thing_ref}": None,
        "POST /uploads": None,
    }
    assert {name: [op.label for op in ops] for name, ops in model.creators().items()} == {
        "Order": ["POST /orders"],
        "Customer": ["POST /customers"],
        "Label": ["POST /labels"],
    }


def test_outputs_and_creates(model: ApiModel) -> None:
    labels = model.by_label()

    (created,) = labels["POST /orders"].creates
    assert (created.resource, created.many, created.status, created.pointer) == ("Order", False, "201", "/")
    assert "recipient" in created.fields
    # A list is not a create, nor is anything a safe method returns.
    assert [o.many for o in labels["GET /orders"].outputs] == [True]
    assert labels["GET /orders"].creates == []
    assert labels["GET /orders/{order_id}"].creates == []


def test_exclude_leaves_operations_out(model: ApiModel) -> None:
    excluded = build_model(
        schemathesis.openapi.from_dict(DISPATCH), exclude={"DELETE /orders/{order_id}", "POST /uploads"}
    )

    assert len(excluded.operations) == len(model.operations) - 2
    assert "DELETE /orders/{order_id}" not in excluded.by_label()


def test_created_resource_from_the_rest_convention() -> None:
    # POST /widgets says nothing of what it returns; GET /widgets/{widget_id} names the item.
    def item(name: str) -> Operation:
        return Operation(
            label=f"GET /widgets/{{{name}}}",
            method="GET",
            path=f"/widgets/{{{name}}}",
            slots=[Slot(SlotLocation.PATH, name, "Widget", "id")],
        )

    create = Operation(label="POST /widgets", method="POST", path="/widgets/")
    nested = Operation(
        label="GET /widgets/{widget_id}/parts/{part_id}",
        method="GET",
        path="/widgets/{widget_id}/parts/{part_id}",
        slots=[
            Slot(SlotLocation.PATH, "widget_id", "Widget", "id"),
            Slot(SlotLocation.PATH, "part_id", "Part", "id"),
        ],
    )

    assert create.infer_created_resource([nested, item("widget_id")]) == "Widget"
    assert create.infer_created_resource([nested]) is None
    assert (
        Operation(label="GET /widgets", method="GET", path="/widgets").infer_created_resource([item("w")])
        is None
    )


def test_created_resource_ignores_the_parent_named_in_the_path() -> None:
    parent = Slot(SlotLocation.PATH, "order_id", "Order", "id")
    create = Operation(
        label="POST /orders/{order_id}/parcels",
        method="POST",
        path="/orders/{order_id}/parcels",
        slots=[parent],
        outputs=[Output("Order", "/", False, "201", ("id",)), Output("Parcel", "/", False, "201", ("id",))],
    )

    assert create.infer_created_resource([]) == "Parcel"


def test_normalize_label() -> None:
    assert normalize_label("  get   /orders ") == "GET /orders"
    assert normalize_label("Delete /a/{id}") == "DELETE /a/{id}"


@pytest.mark.parametrize(
    "name",
    [
        "id",
        "ID",
        "uuid",
        "guid",
        "slug",
        "key",
        "handle",
        "order_id",
        "order-id",
        "orderId",
        "projectID",
        "order_uuid",
        "orderUuid",
        "api_key",
        "sortKey",
        "post_slug",
        "order_ids",
        "orderIds",
        "X-Project-Id",
    ],
)
def test_looks_like_identifier_catches_key_names(name: str) -> None:
    assert looks_like_identifier(name)


@pytest.mark.parametrize(
    "name",
    [
        "name",
        "address",
        "recipient",
        "status",
        "idle",
        "valid",
        "paid",
        "identity",
        "keywords",
        "ideas",
        "android",
    ],
)
def test_looks_like_identifier_leaves_other_names_alone(name: str) -> None:
    assert not looks_like_identifier(name)


@pytest.mark.parametrize("name", ["bids", "kids", "grids"])
def test_looks_like_identifier_leaves_plural_words_ending_in_ids_alone(name: str) -> None:
    assert not looks_like_identifier(name)


@pytest.mark.parametrize("name", ["uid", "owner_uid", "ownerUid"])
def test_looks_like_identifier_catches_uid(name: str) -> None:
    assert looks_like_identifier(name)


# -- role-named fields and declared references -------------------------------------------------------


def _role_schema() -> dict[str, Any]:
    item = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
    transfer_in = {
        "type": "object",
        "required": ["fromItemId", "toItemId"],
        "properties": {
            "fromItemId": {"type": "string"},
            "toItemId": {"type": "string"},
            "assignee_id": {"type": "string"},
        },
    }
    transfer = {"type": "object", "properties": {"id": {"type": "string"}, **transfer_in["properties"]}}
    agent = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}

    def ok(schema: dict[str, Any], status: str = "200") -> dict[str, Any]:
        return {status: {"description": "ok", "content": {"application/json": {"schema": schema}}}}

    def body(schema: dict[str, Any]) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": schema}}}

    path_id = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items": {
                "post": {
                    "requestBody": body({"type": "object", "properties": {"name": {"type": "string"}}}),
                    "responses": ok(item, "201"),
                }
            },
            "/items/{id}": {"get": {"parameters": path_id, "responses": ok(item)}},
            "/agents": {
                "post": {
                    "requestBody": body({"type": "object", "properties": {"name": {"type": "string"}}}),
                    "responses": ok(agent, "201"),
                }
            },
            "/agents/{id}": {"get": {"parameters": path_id, "responses": ok(agent)}},
            "/transfers": {"post": {"requestBody": body(transfer_in), "responses": ok(transfer, "201")}},
        },
    }


def test_role_named_fields_point_at_the_resource_their_name_ends_with() -> None:
    model = build_model(schemathesis.openapi.from_dict(_role_schema()))
    transfer = model.by_label()["POST /transfers"]
    bound = {slot.describe(): slot.resource for slot in transfer.slots}
    assert bound.get("body /fromItemId") == "Item"
    assert bound.get("body /toItemId") == "Item"
    assert transfer.created_resource == "Transfer"


def test_a_field_naming_no_resource_is_left_alone_without_a_reference() -> None:
    model = build_model(schemathesis.openapi.from_dict(_role_schema()))
    transfer = model.by_label()["POST /transfers"]
    assert "body /assignee_id" not in {slot.describe() for slot in transfer.slots}


def test_declared_references_bind_fields_by_name() -> None:
    model = build_model(schemathesis.openapi.from_dict(_role_schema()), references={"assignee_id": "Agent"})
    transfer = model.by_label()["POST /transfers"]
    slots = {slot.describe(): (slot.resource, slot.field) for slot in transfer.slots}
    assert slots["body /assignee_id"] == ("Agent", "id")


def test_a_declared_reference_can_name_a_field_other_than_id() -> None:
    model = build_model(
        schemathesis.openapi.from_dict(_role_schema()), references={"assignee_id": "Agent.name"}
    )
    transfer = model.by_label()["POST /transfers"]
    slots = {slot.describe(): (slot.resource, slot.field) for slot in transfer.slots}
    assert slots["body /assignee_id"] == ("Agent", "name")


def test_a_reference_to_an_unknown_resource_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as info:
        build_model(schemathesis.openapi.from_dict(_role_schema()), references={"assignee_id": "Agnet"})
    assert str(info.value) == (
        "api.references maps 'assignee_id' to 'Agnet', but 'Agnet' is no resource of the API. "
        "Did you mean 'Agent'? Known resources: Agent, Item, Transfer."
    )


def test_a_reference_to_an_unknown_field_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as info:
        build_model(schemathesis.openapi.from_dict(_role_schema()), references={"assignee_id": "Agent.nmae"})
    assert str(info.value) == (
        "api.references maps 'assignee_id' to 'Agent.nmae', but Agent has no field 'nmae'. "
        "Did you mean 'name'? Its fields: id, name."
    )


def test_a_reference_to_a_resource_without_id_asks_for_the_field() -> None:
    schema = _role_schema()
    agent = {"type": "object", "properties": {"handle": {"type": "string"}, "name": {"type": "string"}}}
    for path in ("/agents", "/agents/{id}"):
        for operation in schema["paths"][path].values():
            for response in operation["responses"].values():
                response["content"]["application/json"]["schema"] = agent
    with pytest.raises(ConfigurationError) as info:
        build_model(schemathesis.openapi.from_dict(schema), references={"assignee_id": "Agent"})
    assert str(info.value) == (
        "api.references maps 'assignee_id' to 'Agent', but Agent has no field 'id'. "
        'Name the field it holds, e.g. assignee_id = "Agent.handle". Its fields: handle, name.'
    )


# -- what makes something new, and references named the way frameworks name them ------------------


def test_only_a_post_to_a_collection_or_a_put_naming_the_new_object_creates() -> None:
    profile = Output("Profile", "/", False, "200", ("id", "language"))
    own_profile = [
        Operation(label="PUT /profile", method="PUT", path="/profile/", outputs=[profile]),
        Operation(label="POST /profile/avatar", method="POST", path="/profile/avatar", outputs=[profile]),
        Operation(label="POST /auth/login", method="POST", path="/auth/login", outputs=[profile]),
    ]
    for update in own_profile:
        assert update.infer_created_resource(own_profile) is None, update.label

    tag = Output("Tag", "/", False, "200", ("id",))
    listed = Operation(
        label="GET /tags", method="GET", path="/tags", outputs=[Output("Tag", "/", True, "200", ("id",))]
    )
    post_to_listed = Operation(label="POST /tags", method="POST", path="/tags", outputs=[tag])
    declared = Operation(
        label="POST /notes",
        method="POST",
        path="/notes",
        outputs=[Output("Note", "/", False, "201", ("id",))],
    )
    put_named = Operation(
        label="PUT /buckets/{name}",
        method="PUT",
        path="/buckets/{name}",
        slots=[Slot(SlotLocation.PATH, "name", "?name", "name")],
        outputs=[Output("Bucket", "/", False, "200", ("name",))],
    )

    assert post_to_listed.infer_created_resource([listed]) == "Tag"
    assert declared.infer_created_resource([]) == "Note"
    assert put_named.infer_created_resource([]) == "Bucket"


def _drf_style() -> ApiModel:
    def obj(**properties: Any) -> dict[str, Any]:
        return {"type": "object", "properties": properties}

    integer, url = {"type": "integer"}, {"type": "string", "format": "uri"}
    body = obj(
        routine=integer,
        exercises={"type": "array", "items": integer},
        category={"anyOf": [{"type": "integer"}, {"type": "null"}]},
        workout=url,
        sets=integer,
        language={"type": "string"},
        unit=integer,
    )
    schemas = {
        "Routine": obj(id=integer, url=url, name={"type": "string"}),
        "Exercise": obj(id=integer, name={"type": "string"}),
        "Category": obj(id=integer, name={"type": "string"}),
        "Workout": obj(id=integer, url=url),
        "Set": obj(id=integer, reps=integer),
        "Language": obj(id=integer, code={"type": "string"}),
        "WeightUnit": obj(id=integer, name={"type": "string"}),
    }
    paths: dict[str, Any] = {
        f"/{name.lower()}s/{{id}}": {
            "get": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": integer}],
                "responses": returns(name),
            }
        }
        for name in schemas
    }
    paths["/sets"] = {
        "post": {
            "requestBody": {"required": True, "content": json_content(body)},
            "responses": returns("Set", status="201"),
        },
        "get": {
            "parameters": [{"name": "routine", "in": "query", "required": False, "schema": integer}],
            "responses": returns("Set", many=True),
        },
    }
    return build_model(schemathesis.openapi.from_dict(document(paths, schemas)))


def test_fields_named_after_a_resource_are_references_to_it() -> None:
    by_label = _drf_style().by_label()

    create = {(slot.describe(), slot.resource, slot.field) for slot in by_label["POST /sets"].slots}
    listing = {(slot.describe(), slot.resource, slot.field) for slot in by_label["GET /sets"].slots}

    assert {
        ("body /routine", "Routine", "id"),
        ("body /exercises", "Exercise", "id"),
        ("body /category", "Category", "id"),
        ("body /workout", "Workout", "url"),
    } <= create
    assert ("query routine", "Routine", "id") in listing


def test_a_count_a_name_and_a_field_naming_no_resource_are_no_references() -> None:
    slots = {slot.describe() for slot in _drf_style().by_label()["POST /sets"].slots}

    # `sets` is an integer count (only a list takes a plural name), `language` a string code, and
    # `unit` names no resource of the API.
    assert not slots & {"body /sets", "body /language", "body /unit"}


def test_a_path_parameter_named_after_a_resource_names_it_where_no_link_says_so() -> None:
    # The dependency analysis links `flow_id` where it can; where it could not, the slot is unbound.
    flows = Operation(
        label="GET /flows",
        method="GET",
        path="/flows",
        outputs=[Output("Flow", "/", True, "200", ("id", "name"))],
    )

    def unbound(path: str, name: str) -> Operation:
        return Operation(
            label=f"GET {path}",
            method="GET",
            path=path,
            slots=[Slot(SlotLocation.PATH, name, f"?{name}", name)],
        )

    events, graph = unbound("/build/{flow_id}/events", "flow_id"), unbound("/graphs/{flow}", "flow")
    _rebind_role_named_slots([flows, events, graph])

    assert events.slots == [Slot(SlotLocation.PATH, "flow_id", "Flow", "id")]
    # A bare name may hold a slug or a name as well as a key: left to what the API returns under it.
    assert graph.slots == [Slot(SlotLocation.PATH, "flow", "?flow", "flow")]


def test_the_model_says_which_field_it_cannot_map_and_how_to_map_it() -> None:
    by_label = _drf_style().by_label()

    assert by_label["POST /sets"].unmapped == [
        "body field unit holds a key but names no resource (perhaps WeightUnit): if it points at one, "
        'map it in the config: [api] references = { unit = "WeightUnit" }'
    ]


def test_fields_name_a_resource_whose_model_carries_a_suffix_and_a_person_is_the_account() -> None:
    # FastAPI names models `RecipeRead`, `UserRead`; the analysis binds `recipe_id` to a `Recipe`
    # that nothing returns, and `owner_id` to an `Owner`.
    me = Operation(
        label="GET /users/me",
        method="GET",
        path="/users/me",
        outputs=[Output("UserRead", "/", False, "200", ("id",))],
    )
    recipes = Operation(
        label="GET /recipes",
        method="GET",
        path="/recipes",
        outputs=[Output("RecipeRead", "/items", True, "200", ("id", "title"))],
        slots=[
            Slot(SlotLocation.QUERY, "owner_id", "Owner", "id"),
            Slot(SlotLocation.QUERY, "tag_id", "?tag_id", "tag_id"),
        ],
    )
    steps = Operation(
        label="POST /steps",
        method="POST",
        path="/steps",
        slots=[Slot(SlotLocation.BODY, "recipe_id", "Recipe", "id", ("recipe_id",))],
    )

    _rebind_role_named_slots([me, recipes, steps])

    assert steps.slots == [Slot(SlotLocation.BODY, "recipe_id", "RecipeRead", "id", ("recipe_id",))]
    # A tag names no resource and no person: no slot.
    assert recipes.slots == [Slot(SlotLocation.QUERY, "owner_id", "UserRead", "id")]


def test_lists_of_references_take_plural_names_and_paging_parameters_are_never_references() -> None:
    integer = {"type": "integer"}
    schemas = {
        "Category": {"type": "object", "properties": {"id": integer, "name": {"type": "string"}}},
        "Page": {"type": "object", "properties": {"id": integer, "body": {"type": "string"}}},
    }
    body = {"type": "object", "properties": {"categories": {"type": "array", "items": integer}}}
    paths = {
        "/categories/{id}": {
            "get": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": integer}],
                "responses": returns("Category"),
            }
        },
        "/pages": {
            "get": {
                "parameters": [{"name": "page", "in": "query", "required": False, "schema": integer}],
                "responses": returns("Page", many=True),
            },
            "post": {
                "requestBody": {"required": True, "content": json_content(body)},
                "responses": returns("Page", status="201"),
            },
        },
    }
    by_label = build_model(schemathesis.openapi.from_dict(document(paths, schemas))).by_label()

    assert [(s.describe(), s.resource) for s in by_label["POST /pages"].slots] == [
        ("body /categories", "Category")
    ]
    assert by_label["GET /pages"].slots == []


def test_a_create_answering_in_an_envelope_creates_what_the_envelope_holds() -> None:
    task = Output("Task", "/data", False, "201", ("id", "title"))
    enveloped = Operation(
        label="POST /projects/{projectId}/tasks",
        method="POST",
        path="/projects/{projectId}/tasks",
        slots=[Slot(SlotLocation.PATH, "projectId", "Project", "id")],
        outputs=[task],
    )
    # A nested object beside a root object is a part of it, not what the operation makes.
    customer = Operation(
        label="PUT /customers/{customer_id}",
        method="PUT",
        path="/customers/{customer_id}",
        slots=[Slot(SlotLocation.PATH, "customer_id", "Customer", "id")],
        outputs=[
            Output("Customer", "/", False, "200", ("id",)),
            Output("Address", "/address", False, "200", ("id",)),
        ],
    )

    assert enveloped.infer_created_resource([]) == "Task"
    assert customer.infer_created_resource([]) is None
