"""Update bodies that work: before an attacker replays an update on another tenant's object, the same
update of its own object must succeed.

An API may refuse, or fail on, every body generated from its schema (a PUT that needs the whole
object, fields the description forgot): the cross-tenant update would then never be tried with a
body that works. For each update of an object (a PUT or PATCH whose path ends with the object's
identifier) the first attacker updates its own object with, in turn, a generated body, its current
representation (with and without generated values over it), and the body that created it (likewise);
the first that succeeds is remembered and every attacker's probe is built the same way from its own
data. Its object is then put back as it was, so that a probe acting on the caller still shows there.
Where no body works, the coverage says so with the answers. The trials are the harness feeling its
way, not probes: their answers are never errors or findings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..knowledge import Instance, TenantKnowledge
from ..model import HttpRequest, SlotLocation
from ..operations import Operation, looks_like_identifier
from .index import is_list

if TYPE_CHECKING:
    from .context import EngineContext

GENERATED = "a generated body"
# Each way to make a body, tried in this order: (name, from the representation?, generated values over it?).
_WAYS = (
    ("its current representation with generated values", True, True),
    ("its current representation", True, False),
    ("its create body with generated values", False, True),
    ("its create body", False, False),
)
_AS_IT_WAS = _WAYS[1][0]
_EXCERPT = 80
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

Body = dict[str, Any]


def is_update(operation: Operation) -> bool:
    """A PUT or PATCH of an existing object whose identifier ends its path, with a body."""
    last = operation.path.rstrip("/").rsplit("/", 1)[-1]
    return (
        operation.method in ("PUT", "PATCH")
        and operation.created_resource is None
        and operation.body_schema is not None
        and any(
            slot.location is SlotLocation.PATH and last == "{" + slot.name + "}" for slot in operation.slots
        )
    )


class UpdateBodies:
    """Which way of making an update's body worked for an owner, per operation (``None``: none did)."""

    def __init__(self) -> None:
        self.chosen: dict[str, str | None] = {}

    def request(
        self,
        ctx: EngineContext,
        attacker: TenantKnowledge,
        operation: Operation,
        own: dict[str, Instance],
        generated: HttpRequest,
    ) -> HttpRequest:
        """The attacker's own request for ``operation``, with a body that worked for an owner's own update.

        ``generated`` is the request the builder made; it is returned unchanged where it is what works,
        where nothing did, or where the operation is no update.
        """
        if not is_update(operation) or not isinstance(generated.body, dict):
            return generated
        if operation.label not in self.chosen:
            self.chosen[operation.label] = self._search(ctx, attacker, operation, own)
        way = self.chosen[operation.label]
        if way is None or way == GENERATED:
            return generated
        current = _representation(ctx, attacker, operation, own) if _uses_representation(way) else None
        body = _make(ctx, operation, own, way, generated.body, current)
        if body is None:
            return generated
        request = generated.copy()
        request.body = body
        return request

    def _search(
        self, ctx: EngineContext, attacker: TenantKnowledge, operation: Operation, own: dict[str, Instance]
    ) -> str | None:
        answers: list[str] = []
        current = _representation(ctx, attacker, operation, own)
        worked = False
        for name in (GENERATED, *(way[0] for way in _WAYS)):
            built = ctx.builder.build(attacker, operation, pinned=own)
            body = built[0].body if built is not None else None
            if name != GENERATED:
                body = _make(ctx, operation, own, name, body, current)
            if built is None or body is None:
                continue
            trial = built[0].copy()
            trial.body = body
            if _try(ctx, attacker, trial, operation, answers, name):
                worked = True
                break
        if worked and current is not None:
            # Back as it was: a probe that acts on the caller must change something it can see.
            restore = built[0].copy() if built is not None else None
            body = _make(ctx, operation, own, _AS_IT_WAS, {}, current)
            if restore is not None and body is not None:
                restore.body = body
                ctx.sender.trial(attacker, restore, operation)
        _forget_views(ctx, attacker, operation)
        if worked:
            return answers[-1]
        resource = _object_slot_resource(operation)
        ctx.skip(
            operation,
            f"{attacker.name}'s own {operation.method} of its own {resource} failed with every body tried "
            f"({'; '.join(answers)}): its probes send a generated body",
        )
        return None


def _try(
    ctx: EngineContext,
    state: TenantKnowledge,
    request: HttpRequest,
    operation: Operation,
    answers: list[str],
    name: str,
) -> bool:
    """Send one trial; record how it went in ``answers`` (the way's name alone when it worked)."""
    response = ctx.sender.trial(state, request, operation)
    if response is not None and response.ok:
        answers.append(name)
        return True
    if response is None:
        answers.append(f"{name}: no answer")
    else:
        excerpt = ctx.redactor(" ".join(response.text[:_EXCERPT].split()))
        answers.append(f"{name}: HTTP {response.status} {excerpt!r}")
    return False


def _make(
    ctx: EngineContext,
    operation: Operation,
    own: dict[str, Instance],
    way: str,
    generated: Any,
    current: Body | None,
) -> Body | None:
    """The body ``way`` makes from the attacker's own object (``current``: its representation), or
    ``None`` where it cannot."""
    spec = next(((rep, over) for name, rep, over in _WAYS if name == way), None)
    if spec is None or not isinstance(generated, dict):
        return None
    from_representation, overlay = spec
    base: Body | None
    if from_representation:
        base = None
        if current is not None:
            volatile = ctx.knowledge.volatile_keys
            writable = _writable(current, operation.body_schema, drop_undeclared_ids=True)
            base = {key: value for key, value in writable.items() if key not in volatile}
    else:
        base = _create_body(own.get(_object_slot_resource(operation)))
        base = _writable(base, operation.body_schema, drop_undeclared_ids=False) if base is not None else None
    if not base:
        return None
    return {**base, **generated} if overlay else base


def _uses_representation(way: str) -> bool:
    return any(name == way and from_representation for name, from_representation, _ in _WAYS)


def _object_slot_resource(operation: Operation) -> str:
    """The resource of the object the path names: its last path slot."""
    return [slot.resource for slot in operation.slots if slot.location is SlotLocation.PATH][-1]


def _representation(
    ctx: EngineContext, attacker: TenantKnowledge, operation: Operation, own: dict[str, Instance]
) -> Body | None:
    """The attacker's own object as its read of it answers now."""
    read = _object_read(ctx, operation)
    built = ctx.builder.build(attacker, read, pinned=own) if read is not None else None
    if read is None or built is None:
        return None
    response = ctx.sender.send(attacker, built[0], read)
    if response is None or not response.ok:
        return None
    body = response.json()
    single = next((output for output in read.outputs if not output.many), None)
    if single is not None and single.pointer not in ("", "/"):
        for part in single.pointer.strip("/").split("/"):
            body = body.get(part) if isinstance(body, dict) else None
    return body if isinstance(body, dict) else None


def _object_read(ctx: EngineContext, operation: Operation) -> Operation | None:
    """The read of the object an update names: a GET of the same path, or one that takes the same path slots."""
    same = ctx.index.by_label.get(f"GET {operation.path}")
    if same is not None and not ctx.index.is_excluded(same):
        return same
    resources = set(operation.path_slot_resources())
    return next(
        (
            read
            for read in ctx.index.readers(_object_slot_resource(operation))
            if set(read.path_slot_resources()) == resources and not is_list(read)
        ),
        None,
    )


def _create_body(instance: Instance | None) -> Body | None:
    """The body of the request that created ``instance`` (the last step of its recipe)."""
    if instance is None or not instance.recipe:
        return None
    created = instance.recipe[-1]
    return dict(created.body) if created.has_body and isinstance(created.body, dict) else None


def _writable(body: Body, schema: Any, *, drop_undeclared_ids: bool) -> Body:
    """``body`` without what an update cannot set: read-only fields, and, where the schema allows
    more than it declares, server-made values it does not declare (identifiers, timestamps, nested
    objects); only declared fields where it allows nothing more."""
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    closed = isinstance(schema, dict) and schema.get("additionalProperties") is False
    out: Body = {}
    for key, value in body.items():
        declared = properties.get(key)
        if isinstance(declared, dict) and declared.get("readOnly"):
            continue
        if declared is None:
            server_made = (
                (drop_undeclared_ids and looks_like_identifier(key))
                or isinstance(value, dict)
                or (isinstance(value, list) and any(isinstance(item, dict) for item in value))
                or (isinstance(value, str) and _TIMESTAMP.match(value) is not None)
            )
            if closed or server_made:
                continue
        out[key] = value
    return out


def _forget_views(ctx: EngineContext, attacker: TenantKnowledge, operation: Operation) -> None:
    """The attacker's views of what its trials wrote are stale."""
    labels = set(ctx.index.related_reads(operation))
    for resource in operation.path_slot_resources():
        labels.update(read.label for read in ctx.index.readers(resource))
    labels.update(read.label for read in ctx.index.reads.get("unslotted", []))
    for label in labels:
        attacker.views.pop(label, None)
