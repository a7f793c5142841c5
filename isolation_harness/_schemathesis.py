"""The one place the harness touches schemathesis.

Everything the harness takes from schemathesis — loading a description, reading its operations,
the dependency analysis that links ``GET /orders/{order_id}`` to the ``Order`` that ``POST /orders``
returns, and the in-process ASGI adapter — goes through the functions here, in the harness's own
terms. ``tests/unit/test_schemathesis_adapter.py`` pins the behaviour relied on, so a new
schemathesis release is adopted by making those tests pass.

schemathesis is imported inside the functions only: importing the harness (the pytest plugin
loads in every pytest run) must stay cheap.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from os import PathLike
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import requests.adapters

# A loaded API description: a schemathesis schema object, opaque outside this module.
Schema: TypeAlias = Any
# A body field location; integers mark array items (``("items", 0, "product_id")``).
BodyPath: TypeAlias = tuple[str | int, ...]


class LoaderFailure(Exception):
    """A description could not be loaded; ``kind`` says why (``connection_other``, ``syntax_error``, ...)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(kind, message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message


@contextmanager
def loader_failures() -> Iterator[None]:
    """Turn a schemathesis loader error raised inside the block into :class:`LoaderFailure`."""
    from schemathesis.core.errors import LoaderError

    try:
        yield
    except LoaderError as exc:
        raise LoaderFailure(str(exc.kind.value), exc.message) from exc


def load_url(url: str, *, timeout: float) -> Schema:
    """Fetch and load the description at ``url``.

    Raises :class:`LoaderFailure`; a ``requests.RequestException`` may also escape.
    """
    import schemathesis

    with loader_failures():
        return schemathesis.openapi.from_url(url, timeout=timeout)


def load_path(path: str | PathLike[str]) -> Schema:
    """Load the description in a JSON or YAML file. Raises :class:`LoaderFailure`."""
    import schemathesis

    with loader_failures():
        return schemathesis.openapi.from_path(path)


def load_app(path: str, app: Any, *, asgi: bool) -> Schema:
    """Load the description an ASGI (``asgi=True``) or WSGI app serves at ``path``, in-process.

    Raises :class:`LoaderFailure` when the app serves no usable description there; an exception the
    app itself raises escapes unchanged.
    """
    import schemathesis

    loader = schemathesis.openapi.from_asgi if asgi else schemathesis.openapi.from_wsgi
    with loader_failures():
        return loader(path, app)


def load_dict(document: dict[str, Any]) -> Schema:
    """Load a description held in memory. Raises :class:`LoaderFailure`."""
    import schemathesis

    with loader_failures():
        return schemathesis.openapi.from_dict(document)


def raw_document(schema: Schema) -> Any:
    """The description as loaded (unresolved ``$ref`` included); ``None`` when there is none."""
    return getattr(schema, "raw_schema", None)


def declared_base_url(schema: Schema) -> str | None:
    """The absolute base URL the description's ``servers`` (or ``host``) advertise, if any."""
    try:
        url = schema.declared_base_url
    except Exception:
        return None
    return str(url) if url else None


def asgi_adapter(app: Any) -> requests.adapters.BaseAdapter:
    """A ``requests`` transport adapter that serves each request with an ASGI app in this process.

    One adapter can serve many sessions (they share its event-loop thread).
    """
    from schemathesis.python.asgi import ASGIClient

    adapter: requests.adapters.BaseAdapter = ASGIClient(app).adapter
    return adapter


@dataclass(frozen=True)
class ParameterView:
    """A path, query, header or cookie parameter of an operation."""

    location: str
    """``path``, ``query``, ``header`` or ``cookie``."""
    name: str
    required: bool
    # With local `$ref` resolved (a reference into a bundled `x-bundled` part may remain).
    schema: Any


@dataclass(frozen=True)
class JsonBody:
    """An operation's request body: its media type, whether it is required, and its schema."""

    media_type: str
    required: bool
    schema: Any


@dataclass(frozen=True)
class OperationView:
    """One readable operation of a description."""

    method: str
    """Upper-case (``GET``)."""
    path: str
    """As declared, without the server's base path (``/orders/{order_id}``)."""
    key: str
    """The label :func:`dependency_nodes` files the operation under."""
    definition: Any
    """The operation object as written in the description."""
    _operation: Any = field(repr=False, compare=False)

    def parameters(self) -> Iterator[ParameterView]:
        """Its path, header, cookie and query parameters, in that order (never the body)."""
        for parameter in self._operation.iter_parameters():
            yield ParameterView(
                location=_location(parameter.location),
                name=parameter.name,
                required=bool(parameter.is_required),
                schema=parameter.optimized_schema,
            )

    def request_body(self) -> JsonBody | None:
        """The body the harness sends: JSON where declared (any ``json`` media type), else a
        urlencoded form, else ``multipart/form-data``; ``None`` when it declares none of these."""
        bodies = {(body.media_type or "").lower(): body for body in self._operation.body}
        ranked = sorted(
            (rank, media_type) for media_type in bodies if (rank := _body_rank(media_type)) is not None
        )
        if not ranked:
            return None
        media_type = ranked[0][1]
        body = bodies[media_type]
        return JsonBody(
            media_type=media_type.split(";")[0].strip(),
            required=bool(getattr(body, "is_required", False)),
            schema=body.optimized_schema,
        )


@dataclass(frozen=True)
class OperationError:
    """An operation that cannot be read (e.g. a ``$ref`` that points at nothing)."""

    method: str
    """Upper-case, or empty when unknown."""
    path: str
    """Empty when unknown."""
    message: str


def iter_operations(schema: Schema) -> Iterator[OperationView | OperationError]:
    """Every operation of the description, in document order; one that cannot be read is an error entry."""
    from schemathesis.core.result import Ok

    for result in schema.get_all_operations():
        if isinstance(result, Ok):
            operation = result.ok()
            yield OperationView(
                method=operation.method.upper(),
                path=operation.path,
                key=operation.label,
                definition=getattr(operation.definition, "raw", {}),
                _operation=operation,
            )
        else:
            error = result.err()
            yield OperationError(
                method=(getattr(error, "method", None) or "").upper(),
                path=getattr(error, "path", None) or "",
                message=str(error),
            )


@dataclass(frozen=True)
class NodeInput:
    """A value an operation takes that the analysis traced to a resource (``order_id`` <- ``Order.id``)."""

    location: str
    """``path``, ``query``, ``header``, ``cookie`` or ``body``."""
    name: str
    """The parameter, or the body field."""
    resource: str
    field: str | None
    """The resource's field it takes; ``None`` for the whole resource."""
    body_path: BodyPath
    """Where a nested body field lands; empty for a top-level one."""


@dataclass(frozen=True)
class NodeOutput:
    """A resource an operation's response carries."""

    resource: str
    pointer: str
    """JSON pointer to it in the body: ``""`` or ``/`` for the body itself, ``/items`` for a list in it."""
    many: bool
    """A list of the resource rather than one."""
    status: str
    fields: tuple[str, ...]
    """Every field known for the resource (sorted)."""


@dataclass(frozen=True)
class DependencyNode:
    """What the dependency analysis says one operation takes and returns."""

    inputs: tuple[NodeInput, ...]
    outputs: tuple[NodeOutput, ...]


def dependency_nodes(schema: Schema) -> dict[str, DependencyNode]:
    """The analysis of every operation, by :attr:`OperationView.key`; empty if the analysis fails."""
    try:
        nodes = schema.analysis.dependency_graph.operations
    except Exception:
        return {}
    return {key: _node(node) for key, node in nodes.items()}


def _body_rank(media_type: str) -> int | None:
    """How much the harness prefers sending a body of ``media_type`` (lower first); ``None``: never."""
    if "json" in media_type:
        return 0
    if media_type.startswith("application/x-www-form-urlencoded"):
        return 1
    if media_type.startswith("multipart/form-data"):
        return 2
    return None


def _location(location: Any) -> str:
    """``path``, ``query``, ``header``, ``cookie``, ``body``, or ``""`` when schemathesis does not know."""
    return str(location.value or "")


def _node(node: Any) -> DependencyNode:
    return DependencyNode(
        inputs=tuple(
            NodeInput(
                location=_location(item.parameter_location),
                name=str(item.parameter_name),
                resource=item.resource.name,
                field=item.resource_field,
                body_path=tuple(item.body_path),
            )
            for item in node.inputs
        ),
        outputs=tuple(
            NodeOutput(
                resource=output.resource.name,
                pointer=output.pointer,
                many=output.cardinality.name == "MANY",
                status=str(output.status_code),
                fields=tuple(output.resource.fields),
            )
            for output in node.outputs
        ),
    )
