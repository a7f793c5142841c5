"""Who owns what: objects a tenant made or that carry its canary are its own; what it only saw in lists is
nobody's. Creates that do not answer with the object are identified by what the tenant sent, by
``Location``, or by finding the object in the tenant's own list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine_support import (
    Engine,
    body_slot,
    caller_of,
    engine,
    many,
    one,
    operation,
    path_slot,
)

from isolation_harness.probes.foreign import foreign_probe

TITLE_BODY = {"type": "object", "required": ["title"], "properties": {"title": {"type": "string"}}}


@dataclass
class QuietApi:
    """Creates answer ``{"message", "status"}`` (or 201 with a body holding no key); things are listed and
    read by ``id``; a shared catalogue of genres is readable by everyone."""

    things: dict[int, dict[str, Any]] = field(default_factory=dict)
    genres: tuple[dict[str, Any], ...] = ({"id": 1, "name": "Folk music"}, {"id": 2, "name": "Chamber jazz"})
    answer: Any = None

    def __call__(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str], body: Any
    ) -> tuple[int, Any]:
        caller = caller_of(headers)
        if path == "/things" and method == "POST":
            identifier = len(self.things) + 7
            self.things[identifier] = {"id": identifier, "title": body["title"], "owner": caller}
            return 201, self.answer if self.answer is not None else {
                "message": "created",
                "status": "success",
            }
        if path == "/things":
            return 200, [thing for thing in self.things.values() if thing["owner"] == caller]
        if path == "/genres":
            return 200, list(self.genres)
        return 404, {"detail": "no such route"}


CREATE_THING = operation(
    "POST", "/things", body=TITLE_BODY, outputs=[one("Thing", "201", "id", "title")], creates="Thing"
)
LIST_THINGS = operation("GET", "/things", outputs=[many("Thing", "id", "title")])
READ_THING = operation("GET", "/things/{id}", slots=[path_slot("id", "Thing")])
LIST_GENRES = operation("GET", "/genres", outputs=[many("Genre", "id", "name")])
READ_GENRE = operation("GET", "/genres/{id}", slots=[path_slot("id", "Genre")])


def _setup(api: QuietApi) -> Engine:
    return engine([CREATE_THING, LIST_THINGS, READ_THING, LIST_GENRES, READ_GENRE], api)


def test_a_create_answering_a_message_is_found_in_the_tenants_own_list_by_its_canary() -> None:
    api = QuietApi()
    setup = _setup(api)
    tenant_a = setup.tenants[0]

    created = setup.ctx.seeder.create(tenant_a, CREATE_THING)

    assert created is not None
    assert created.owned
    assert created.value("id") == 7
    # The message itself is never an object of the tenant's.
    assert [item.values for item in tenant_a.alive("Thing")] == [created.values]


def test_a_create_that_answers_nothing_usable_and_cannot_be_found_registers_nothing() -> None:
    api = QuietApi(answer={"message": "queued"})
    setup = engine([CREATE_THING, READ_THING], api)
    tenant_a = setup.tenants[0]

    assert setup.ctx.seeder.create(tenant_a, CREATE_THING) is None
    assert tenant_a.alive("Thing") == []
    # No request is ever built with a missing value in its path.
    assert setup.ctx.builder.build(tenant_a, READ_THING) is None


def test_catalogue_objects_seen_in_lists_are_nobodys_and_never_a_victims_target() -> None:
    setup = _setup(QuietApi())
    tenant_a, tenant_b = setup.tenants
    for state in setup.tenants:
        setup.ctx.discovery.owner_view(state, LIST_GENRES)

    genres = tenant_b.alive("Genre")
    assert [genre.value("id") for genre in genres] == [1, 2]
    assert not any(genre.owned for genre in genres)
    assert tenant_b.objects == []

    probe = foreign_probe(setup.ctx, READ_GENRE, tenant_a, tenant_b, (READ_GENRE.slots[0],), kind="test")

    assert probe is None
    assert setup.ctx.result.coverage[READ_GENRE.label].skipped == [
        "tenant-b has no Genre of its own to target via path id (only ones it saw in lists, which are nobody's)"
    ]


def test_a_child_that_needs_a_catalogue_object_is_seeded_with_one_everybody_sees() -> None:
    body = {
        "type": "object",
        "required": ["title", "genre_id"],
        "properties": {"title": {"type": "string"}, "genre_id": {"type": "integer"}},
    }
    create = operation(
        "POST",
        "/things",
        body=body,
        slots=[body_slot(("genre_id",), "Genre")],
        outputs=[one("Thing", "201", "id", "title")],
        creates="Thing",
    )
    api = QuietApi()
    setup = engine([create, LIST_THINGS, LIST_GENRES], api)
    tenant_a = setup.tenants[0]

    setup.ctx.seeder.seed(tenant_a)

    assert [item.value("id") for item in tenant_a.alive("Thing")] == [7]
    assert [sent.body for sent in setup.sent if sent.method == "POST"] == [
        {"title": api.things[7]["title"], "genre_id": 1}
    ]


def test_a_parent_the_tenant_made_stays_its_own_with_a_child_another_tenant_planted_in_it() -> None:
    setup = _setup(QuietApi())
    tenant_a, tenant_b = setup.tenants
    knowledge = setup.ctx.knowledge
    setup.own(tenant_b, "Routine", {"id": 3, "name": "Legs"})
    planted = {"id": 9, "name": f"Day {tenant_a.tenant.canary}"}
    routine = {"id": 3, "name": "Legs", "days": [planted]}

    assert not knowledge.is_foreign(tenant_b, routine, resource="Routine")
    assert knowledge.is_foreign(tenant_b, planted)
    # An object the tenant did not make that holds another tenant's data is not its own: a ticket an
    # attacker's probe created around the victim's contact.
    poisoned = {
        "id": 12,
        "title": f"Help {tenant_a.tenant.canary}",
        "contact": {"name": f"X {tenant_b.tenant.canary}"},
    }
    assert knowledge.is_foreign(tenant_a, poisoned, resource="Ticket")


def test_a_request_id_beside_a_message_is_no_created_object() -> None:
    api = QuietApi(answer={"request_id": "req-31", "message": "created"})
    setup = _setup(api)
    tenant_a = setup.tenants[0]

    created = setup.ctx.seeder.create(tenant_a, CREATE_THING)

    # Found in the tenant's own list instead, by the title it sent.
    assert created is not None
    assert created.value("id") == 7
