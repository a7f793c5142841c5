"""The campaign's data model: operations, identifier slots, requests, findings.

Nothing here is REST-specific beyond :class:`SlotLocation`: an "operation" is anything with a
label and a set of inputs, so other API styles can map onto the same model.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

JSONPath = tuple[str | int, ...]

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


class SlotLocation(str, enum.Enum):
    """Where a request carries a value."""

    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"
    BODY = "body"


def format_pointer(path: JSONPath) -> str:
    """Format a JSON path as an RFC 6901 pointer (``/items/0/id``)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


@dataclass(frozen=True)
class Slot:
    """One place in a request that can carry a resource identifier.

    ``resource`` and ``field`` name what the slot takes (``Order`` / ``id``), as inferred from the
    API description; ``path`` is the location inside a JSON body.
    """

    location: SlotLocation
    name: str
    resource: str
    field: str
    path: JSONPath = ()

    def describe(self) -> str:
        if self.location is SlotLocation.BODY:
            return f"body {format_pointer(self.path) or '/'}"
        return f"{self.location.value} {self.name}"


@dataclass
class HttpRequest:
    """A request, independent of the transport that sends it."""

    method: str
    path_template: str
    path_params: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    body: Any = None
    has_body: bool = False
    # How the body is encoded (JSON, FORM or MULTIPART); in a multipart body, `files` names the
    # top-level fields sent as files, their text the file's content.
    media_type: str = JSON
    files: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        path = self.path_template
        for name, value in self.path_params.items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        return path

    def copy(self) -> HttpRequest:
        return HttpRequest(
            method=self.method,
            path_template=self.path_template,
            path_params=dict(self.path_params),
            query=dict(self.query),
            headers=dict(self.headers),
            cookies=dict(self.cookies),
            body=json.loads(json.dumps(self.body)) if self.has_body else None,
            has_body=self.has_body,
            media_type=self.media_type,
            files=self.files,
        )

    def sent_values(self) -> list[str]:
        """Every scalar the request carries, as text: values a response may echo back."""
        values = [str(v) for v in self.path_params.values()]
        values += [str(v) for v in self.query.values()]
        values += list(self.headers.values()) + list(self.cookies.values())
        if self.has_body:
            values += [str(v) for _, v in iter_leaves(self.body)]
        return values


@dataclass
class HttpResponse:
    """What came back: status, headers and the raw body text."""

    status: int
    headers: Mapping[str, str]
    text: str
    elapsed: float = 0.0

    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON."""
        if not self.text:
            return None
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def header_value(headers: Mapping[str, str], name: str, default: str = "") -> str:
    """A header's value, whatever the case of its name (``name`` in lower case); ``default`` when absent."""
    return next((value for key, value in headers.items() if key.lower() == name), default)


def iter_leaves(value: Any, path: JSONPath = ()) -> list[tuple[JSONPath, Any]]:
    """Every scalar in a JSON value with its path."""
    out: list[tuple[JSONPath, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(iter_leaves(item, (*path, str(key))))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(iter_leaves(item, (*path, index)))
    else:
        out.append((path, value))
    return out


def scalar_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """An object's own fields, without the objects and lists nested in it."""
    return {key: value for key, value in obj.items() if not isinstance(value, (dict, list))}


def iter_objects(value: Any, path: JSONPath = ()) -> list[tuple[JSONPath, dict[str, Any]]]:
    """Every JSON object inside a value, outermost first."""
    out: list[tuple[JSONPath, dict[str, Any]]] = []
    if isinstance(value, dict):
        out.append((path, value))
        for key, item in value.items():
            out.extend(iter_objects(item, (*path, str(key))))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(iter_objects(item, (*path, index)))
    return out


class Verdict(str, enum.Enum):
    """How sure a finding is: confirmed findings fail the run, suspected ones are reported."""

    CONFIRMED = "confirmed"
    SUSPECTED = "suspected"


class FindingKind(str, enum.Enum):
    """What crossed the tenant boundary."""

    READ = "cross-tenant-read"
    WRITE = "cross-tenant-write"
    DELETE = "cross-tenant-delete"
    WRITE_ACCEPTED = "cross-tenant-write-accepted"
    # A tenant's data sent to a caller without credentials: public, not another tenant's read.
    PUBLIC = "public-exposure"
    # A tenant's data in a response any shared cache (a CDN, a reverse proxy) may store and serve to others.
    SHARED_CACHE = "shared-cache"


@dataclass(frozen=True)
class SharingRule:
    """An operation that shares a tenant's object with another tenant on purpose (``[[api.shares]]``).

    ``body`` and ``query`` are templates whose placeholders are filled from the tenant the object is
    shared with (``{email}``, ``{company}``, ...).
    """

    operation: str
    body: Any = None
    query: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """One leak: who read or changed what, where, the evidence and how to reproduce it."""

    operation: str
    kind: FindingKind
    verdict: Verdict
    oracle: str
    attacker: str
    victim: str
    slot: str
    status: int
    evidence: str
    reproduction: str
    # Where in the attacker's response the victim's data was seen: RFC 6901 pointers into a JSON body,
    # or `header <name>` / `body` (a body that is no JSON).
    pointers: tuple[str, ...] = ()
    # The attacker's response and the owner's own view of the same data, as a person reads them.
    response: str = ""
    owner_response: str = ""
    # Why this is data shared on purpose (an allow rule), and whether the baseline accepted it.
    allowed: str = ""
    baselined: bool = False

    @property
    def generic_slot(self) -> str:
        """The slot with the attacker's and the victim's names (``guessed next to tenant-a's own``)
        written ``<attacker>`` and ``<victim>``: the same whatever the tenants are called."""
        slot = self.slot
        for name, role in ((self.attacker, "<attacker>"), (self.victim, "<victim>")):
            if name:
                slot = re.sub(rf"(?<![\w-]){re.escape(name)}(?='s\b)", role, slot)
        return slot

    @property
    def fingerprint(self) -> str:
        """The same for the same leak in every run: no tenant name, seed, identifier or canary in it."""
        anonymous = self.kind is FindingKind.PUBLIC
        text = "\x1f".join((self.operation, self.kind.value, self.oracle, self.generic_slot, str(anonymous)))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def fails(self, *, fail_on_suspected: bool = False) -> bool:
        """Whether the finding fails a gate: confirmed (or suspected, when asked), not allowed, not baselined."""
        if self.allowed or self.baselined:
            return False
        return self.verdict is Verdict.CONFIRMED or (fail_on_suspected and self.verdict is Verdict.SUSPECTED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "kind": self.kind.value,
            "verdict": self.verdict.value,
            "oracle": self.oracle,
            "attacker": self.attacker,
            "victim": self.victim,
            "slot": self.slot,
            "status": self.status,
            "evidence": self.evidence,
            "reproduction": self.reproduction,
            "pointers": list(self.pointers),
            "response": self.response,
            "owner_response": self.owner_response,
            "allowed": self.allowed,
            "baselined": self.baselined,
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """The finding :meth:`to_dict` gave."""
        return cls(
            operation=data["operation"],
            kind=FindingKind(data["kind"]),
            verdict=Verdict(data["verdict"]),
            oracle=data["oracle"],
            attacker=data["attacker"],
            victim=data["victim"],
            slot=data["slot"],
            status=int(data["status"]),
            evidence=data["evidence"],
            reproduction=data["reproduction"],
            pointers=tuple(data.get("pointers", ())),
            response=data.get("response", ""),
            owner_response=data.get("owner_response", ""),
            allowed=data.get("allowed", ""),
            baselined=bool(data.get("baselined", False)),
        )

    @property
    def key(self) -> tuple[str, str, str, str, str, str]:
        return (self.operation, self.kind.value, self.oracle, self.attacker, self.victim, self.slot)


@dataclass(frozen=True)
class ProbeError:
    """A request whose answer could not be judged: a 5xx, a 429, a timeout, a reset, a malformed body.
    Never a leak.

    ``kind`` names the trouble: ``connection``, ``timeout``, ``server-error``, ``rate-limited``,
    ``malformed-body``, ``application-error`` (an in-process app raised), ``unjudged`` (a re-read
    that a verdict needed failed).
    """

    operation: str
    attacker: str
    slot: str
    message: str
    kind: str = "server-error"
    # A probe's request (what the error-rate gate counts), not a request that set up the campaign.
    probe: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "attacker": self.attacker,
            "slot": self.slot,
            "message": self.message,
            "kind": self.kind,
            "probe": self.probe,
        }


# A value is distinctive when seeing it twice is no coincidence.
_MIN_DISTINCTIVE_TEXT = 4


def is_distinctive(value: Any) -> bool:
    """A value specific enough that seeing it twice is no coincidence."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, str):
        return len(value.strip()) >= _MIN_DISTINCTIVE_TEXT
    if isinstance(value, float) and not value.is_integer():
        return True
    if isinstance(value, (int, float)):
        return abs(value) >= 1000
    return False


def view_pairs(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """The (field, value) pairs of an object that can count towards an owner-view match."""
    return [
        (key, json.dumps(value))
        for key, value in obj.items()
        if not isinstance(value, (dict, list)) and is_distinctive(value)
    ]


def set_parameter(request: HttpRequest, location: SlotLocation, name: str, value: Any) -> None:
    if location is SlotLocation.PATH:
        request.path_params[name] = value
    elif location is SlotLocation.QUERY:
        request.query[name] = value
    elif location is SlotLocation.HEADER:
        request.headers[name] = str(value)
    elif location is SlotLocation.COOKIE:
        request.cookies[name] = str(value)


def place(request: HttpRequest, slot: Slot, value: Any, *, first: Any = None) -> bool:
    """Put `value` in the slot; where the slot holds a list, `[first, value]` (or `[value]`).

    Returns whether `first` went into a list with it.
    """
    if slot.location is SlotLocation.BODY:
        if not request.has_body or not isinstance(request.body, dict):
            request.body = {}
            request.has_body = True
        return set_path(request.body, slot.path, value, first=first)
    set_parameter(request, slot.location, slot.name, value)
    return False


def set_path(body: Any, path: JSONPath, value: Any, *, first: Any = None) -> bool:
    node = body
    for index, part in enumerate(path):
        last = index == len(path) - 1
        if isinstance(node, list):
            node = node[0] if node else None
            if node is None:
                return False
        if not isinstance(node, dict):
            return False
        if last:
            current = node.get(str(part))
            if not isinstance(current, list):
                node[str(part)] = value
                return False
            with_first = first is not None and first != value
            node[str(part)] = [first, value] if with_first else [value]
            return with_first
        node = node.setdefault(str(part), {})
    return False


def delete_path(body: Any, path: JSONPath) -> None:
    node = body
    for part in path[:-1]:
        node = node.get(str(part)) if isinstance(node, dict) else None
    if isinstance(node, dict) and path:
        node.pop(str(path[-1]), None)


def short_repr(value: Any, width: int = 24) -> str:
    """``repr(value)``, cut to ``width`` characters with an ellipsis."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def form_fields(body: Any) -> list[tuple[str, str]]:
    """A body's top-level fields as form fields: true/false for booleans, one field per list item,
    a nested object as JSON text, and no field for ``None``."""
    if not isinstance(body, dict):
        return []
    out: list[tuple[str, str]] = []
    for name, value in body.items():
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            if isinstance(item, bool):
                text = "true" if item else "false"
            elif isinstance(item, (dict, list)):
                text = json.dumps(item)
            else:
                text = str(item)
            out.append((str(name), text))
    return out
