"""The campaign engine: provision, seed, plan, probe, judge. Usable with or without pytest.

The flow (see the README): tenants are provisioned, each seeds its own data through the API's
create operations (parents first, bodies carrying its canary), identifiers and owner views are
harvested, then every operation is called by every tenant with every other tenant's identifiers
in each identifier slot, and oracles judge each response.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from .errors import ConfigurationError, ProvisioningError, did_you_mean
from .model import (
    Coverage,
    Finding,
    FindingKind,
    HttpRequest,
    HttpResponse,
    JSONPath,
    ProbeError,
    SharingRule,
    Slot,
    SlotLocation,
    Verdict,
    format_pointer,
    iter_leaves,
    iter_objects,
)
from .openapi.model import build_model
from .openapi.values import ValueGenerator
from .operations import ApiModel, Operation, looks_like_identifier
from .oracles import (
    Change,
    Snapshot,
    compare_snapshots,
    find_canaries,
    match_owner_views,
    view_pairs,
    volatile_between,
    without_shared,
)
from .provisioning import ProvisionContext, Provisioner, render_template
from .redaction import Redactor, is_sensitive_name
from .reproduction import curl_as
from .tenants import Tenant
from .transport import Transport, send

MAX_WITNESSES = 6
MAX_LISTS = 4
# Identifiers guessed next to the attacker's own, per slot and attacker, where they are numbers.
GUESSES_PER_SLOT = 4
# A number, or a number after a fixed prefix ("INV-000123"): the shapes a sequence counts in.
_SEQUENTIAL = re.compile(r"([^0-9]*)([0-9]{1,15})")
_DISCOVERY_ROUNDS = 3
# Longer than the tick of a millisecond clock.
_CLOCK_TICK = 0.005


@dataclass(frozen=True)
class CampaignSettings:
    """How a campaign runs. Every argument is keyword-only and validated."""

    tenants: int = 2
    seed: int = 0
    exclude: tuple[str, ...] = ()
    timeout: float = 10.0
    names: tuple[str, ...] = ()
    references: dict[str, str] = field(default_factory=dict)
    shares: tuple[SharingRule, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.tenants, int) or isinstance(self.tenants, bool) or self.tenants < 2:
            raise ConfigurationError(
                f"tenants={self.tenants!r}: a campaign needs at least 2 tenants (one to attack, one to be "
                "attacked). Set --isolation-tenants=2 or more."
            )
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise ConfigurationError(f"seed={self.seed!r} must be an integer, e.g. --isolation-seed=0.")
        if self.names and len(self.names) < self.tenants:
            raise ConfigurationError(
                f"tenants={self.tenants} but only {len(self.names)} tenant names are available "
                f"({', '.join(self.names)}). Configure more accounts or lower the tenant count."
            )
        if not self.timeout > 0:
            raise ConfigurationError(f"timeout={self.timeout!r} must be a positive number of seconds.")


class CampaignListener(Protocol):
    """Receives results as they happen, so nothing found is lost to a later crash."""

    def on_finding(self, finding: Finding) -> None: ...

    def on_error(self, error: ProbeError) -> None: ...

    def on_progress(self, result: CampaignResult) -> None: ...


@dataclass
class CampaignResult:
    """Everything a campaign found and did; every reporter reads this one model."""

    operations: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ProbeError] = field(default_factory=list)
    coverage: dict[str, Coverage] = field(default_factory=dict)
    seeding: list[str] = field(default_factory=list)
    tenants: list[str] = field(default_factory=list)
    requests: int = 0
    started: float = field(default_factory=time.time)
    duration: float = 0.0
    complete: bool = False
    fatal: str | None = None

    def findings_for(self, operation: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.operation == operation]

    def errors_for(self, operation: str) -> list[ProbeError]:
        return [error for error in self.errors if error.operation == operation]


@dataclass
class Instance:
    """One resource a tenant owns: its identifying fields and the instances it was created under."""

    resource: str
    values: dict[str, Any]
    owner: str
    parents: dict[str, Instance] = field(default_factory=dict)
    recipe: list[HttpRequest] = field(default_factory=list)
    alive: bool = True
    shared: bool = False

    def value(self, field_name: str) -> Any:
        return self.values.get(field_name)


@dataclass
class _View:
    request: HttpRequest
    status: int
    body: Any
    volatile: set[JSONPath]
    leaves: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.leaves = {str(value) for _, value in iter_leaves(self.body)}


@dataclass
class _TenantState:
    tenant: Tenant
    generator: ValueGenerator
    instances: dict[str, list[Instance]] = field(default_factory=dict)
    views: dict[str, _View] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)
    objects: list[dict[str, Any]] = field(default_factory=list)
    object_keys: set[str] = field(default_factory=set)
    # Where each distinctive (field, value) occurs in ``objects``.
    object_pairs: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    # The objects the tenant made itself, by each of their key fields and its value.
    made: dict[tuple[str, str], list[Instance]] = field(default_factory=dict)
    # Identifiers of objects shared on purpose between this tenant and another, either way: what
    # the other shared with it, and its own object whose share names the other.
    shared: set[str] = field(default_factory=set)
    dirty: bool = False

    def alive(self, resource: str) -> list[Instance]:
        return [item for item in self.instances.get(resource, []) if item.alive]


class Campaign:
    """One run of the harness against one API."""

    def __init__(
        self,
        *,
        schema: Any,
        transport: Transport,
        provisioner: Provisioner,
        settings: CampaignSettings | None = None,
        listeners: Sequence[CampaignListener] = (),
        redactor: Redactor | None = None,
    ) -> None:
        self.settings = settings or CampaignSettings()
        self.transport = transport
        self.provisioner = provisioner
        self.listeners = list(listeners)
        self.redactor = redactor or Redactor()
        self.api: ApiModel = build_model(schema, references=self.settings.references)
        self.provision_context = ProvisionContext(
            api=self.api, transport=transport, redactor=self.redactor, timeout=self.settings.timeout
        )
        used = {label for label in provisioner.used_operations}
        self.excluded = {label: "used to provision tenants" for label in used}
        for label in self.settings.exclude:
            self.excluded[label] = "excluded by configuration"
        # The API model does not change during a campaign: look-ups made once.
        self._by_label = self.api.by_label()
        self._creators = self.api.creators()
        operations = self._by_label
        for rule in self.settings.shares:
            if rule.operation not in operations:
                raise ConfigurationError(
                    f"api.shares: the API has no operation {rule.operation!r}."
                    f"{did_you_mean(rule.operation, operations)} Use its label as 'METHOD /path'."
                )
            if not operations[rule.operation].slots:
                raise ConfigurationError(
                    f"api.shares: {rule.operation} takes no identifier, so it names no object to share. "
                    "List the operation that shares one object, such as 'POST /orders/{order_id}/shares'."
                )
        self.result = CampaignResult(operations=[op.label for op in self.api.operations])
        for operation in self.api.operations:
            self.result.coverage[operation.label] = Coverage(operation.label)
        self._unbound = {
            slot.resource for op in self.api.operations for slot in op.slots if slot.resource.startswith("?")
        }
        # The reads, indexed by what they take and return, so that finding the reads related to a
        # write does not grow with the size of the API.
        self._reads: dict[str, list[Operation]] = {}
        for operation in self.api.operations:
            if operation.is_safe and operation.label not in self.excluded:
                keys = {f"takes {slot.resource}" for slot in operation.slots}
                keys |= {f"returns {output.resource}" for output in operation.outputs}
                keys |= {f"returns {word}" for word in _last_word(operation)}
                if not operation.slots:
                    keys.add("unslotted")
                for key in keys:
                    self._reads.setdefault(key, []).append(operation)
        self._taken_twice = {
            slot.resource
            for op in self.api.operations
            for slot in op.slots
            if sum(1 for other in op.slots if other.resource == slot.resource) > 1
        }
        self._shared_cache: tuple[tuple[int, ...], set[str]] = ((), set())
        self._order = {operation.label: index for index, operation in enumerate(self.api.operations)}
        self.states: list[_TenantState] = []
        self._seen: set[tuple[str, ...]] = set()
        self._volatile_keys: set[str] = set()

    # -- public ---------------------------------------------------------------------------------

    def run(self) -> CampaignResult:
        """Run the whole campaign; findings reach the listener as they are made."""
        started = time.perf_counter()
        try:
            self.provision()
            for state in self.states:
                self.seed(state)
                self.discover(state)
                self._check_credentials(state)
            self.share()
            for operation in self.ordered_operations():
                self.probe_operation(operation)
                self._progress()
            self.probe_tombstones()
            self.result.complete = True
        except BaseException as exc:
            self.result.fatal = f"{type(exc).__name__}: {self.redactor(str(exc))}"
            raise
        finally:
            self.result.duration = time.perf_counter() - started
            self.teardown()
            self._progress()
        return self.result

    def ordered_operations(self) -> list[Operation]:
        """Reads first, then writes, deletes last."""

        def rank(operation: Operation) -> int:
            return 0 if operation.is_safe else 2 if operation.is_delete else 1

        return sorted(self.api.operations, key=rank)

    # -- provisioning ---------------------------------------------------------------------------

    def provision(self) -> None:
        names = list(self.settings.names[: self.settings.tenants]) or [
            f"tenant-{chr(ord('a') + index)}" if index < 26 else f"tenant-{index}"
            for index in range(self.settings.tenants)
        ]
        for name in names:
            tenant = Tenant(name=name, seed=self.settings.seed, client=self.transport.session())
            seen: list[requests.Response] = []
            tenant.client.observers.append(seen.append)
            try:
                credentials = self.provisioner.provision(tenant, self.provision_context)
            except requests.RequestException as exc:
                raise ProvisioningError(f"Provisioning tenant {name!r} failed: {exc}") from None
            finally:
                tenant.client.observers.remove(seen.append)
            for secret in credentials.secrets():
                self.redactor.add(secret)
            tenant.apply(credentials)
            state = _TenantState(tenant=tenant, generator=ValueGenerator(tenant.fake, tenant.canary))
            self.states.append(state)
            self.result.tenants.append(name)
            self._harvest_provisioning(state, seen, credentials.secrets())

    def _harvest_provisioning(
        self, state: _TenantState, responses: list[requests.Response], secrets: list[str]
    ) -> None:
        """The signup's answer is the tenant's own account: its id is an identifier like any other."""
        base = urlsplit(self.transport.base_url).path.rstrip("/")
        by_label = self._by_label
        for response in responses:
            if not 200 <= response.status_code < 300 or any(secret in response.text for secret in secrets):
                continue
            path = urlsplit(str(response.request.url)).path
            path = path[len(base) :] if base and path.startswith(base) else path
            operation = by_label.get(f"{response.request.method} {path}")
            if operation is None:
                continue
            request = HttpRequest(method=operation.method, path_template=operation.path)
            captured = HttpResponse(
                status=response.status_code, headers=dict(response.headers), text=response.text
            )
            self._harvest(state, operation, request, captured, {})
            # The tenant exists before any reproduction runs: its signup is no step to repeat.
            for instances in state.instances.values():
                for instance in instances:
                    instance.recipe = [step for step in instance.recipe if step is not request]

    def teardown(self) -> None:
        for state in self.states:
            try:
                self.provisioner.teardown(state.tenant, self.provision_context)
            except Exception as exc:
                self.result.seeding.append(
                    f"teardown of {state.tenant.name} failed: {self.redactor(str(exc))}"
                )

    # -- seeding --------------------------------------------------------------------------------

    def seed(self, state: _TenantState) -> None:
        """Create at least one of every resource the tenant can create, parents before children."""
        creators = self._creators
        # A tenant's own data is created with its credentials: an operation the description marks as
        # public (signup, login, a contact form) makes nothing the tenant owns.
        pending = [
            op
            for ops in creators.values()
            for op in ops
            if op.label not in self.excluded and op.requires_auth is not False
        ]
        progress = True
        while pending and progress:
            progress = False
            for operation in list(pending):
                resource = operation.created_resource
                assert resource is not None
                if len(state.alive(resource)) >= self._wanted(resource):
                    pending.remove(operation)
                    progress = True
                    continue
                if self._missing_inputs(state, operation):
                    continue
                pending.remove(operation)
                progress = True
                for _ in range(self._wanted(resource) - len(state.alive(resource))):
                    if self._create(state, operation) is None:
                        break
        if pending and self._seed_blocked_once(state):
            self.discover(state)
            self.seed(state)
            return
        for operation in pending:
            missing = ", ".join(self._missing_inputs(state, operation))
            self._note_seeding(
                f"{state.tenant.name}: {operation.label} not called: no {missing} to create it under"
            )

    def share(self) -> None:
        """Through each sharing operation in the config, each tenant shares a fresh object with the next.

        The objects the next tenant then sees are shared on purpose: the oracles leave them alone, and
        probes target the victim's other objects.
        """
        for rule in self.settings.shares:
            operation = self._by_label[rule.operation]
            slot = next((s for s in operation.slots if s.location is SlotLocation.PATH), operation.slots[0])
            makers = [op for op in self._creators.get(slot.resource, []) if op.label not in self.excluded]
            for index, owner in enumerate(self.states):
                peer = self.states[(index + 1) % len(self.states)]
                instance = self._create(owner, makers[0]) if makers else None
                built = (
                    self.build_request(owner, operation, pinned={slot.resource: instance})
                    if instance
                    else None
                )
                if instance is None or built is None:
                    self._note_seeding(
                        f"{owner.tenant.name}: no {slot.resource} to share via {operation.label}"
                    )
                    continue
                request = built[0]
                setting = f"api.shares ({operation.label})"
                if rule.body is not None:
                    body = render_template(rule.body, peer.tenant, setting=f"{setting}.body")
                    if isinstance(body, dict) and isinstance(request.body, dict):
                        request.body.update(body)
                    else:
                        request.body = body
                    request.has_body = True
                for name, value in rule.query.items():
                    request.query[name] = str(render_template(value, peer.tenant, setting=f"{setting}.query"))
                response = self._send(owner, request, operation)
                if response is None or not response.ok:
                    status = "no answer" if response is None else f"HTTP {response.status}"
                    self._note_seeding(
                        f"{owner.tenant.name}: sharing a {slot.resource} with {peer.tenant.name} via "
                        f"{operation.label} failed ({status})"
                    )
                    continue
                instance.shared = True
                peer.shared.add(str(instance.value(slot.field)))
                owner.shared.add(str(instance.value(slot.field)))

    def _wanted(self, resource: str) -> int:
        """How many of a resource each tenant needs: two where one request takes two of them."""
        return 2 if resource in self._taken_twice else 1

    def _seed_blocked_once(self, state: _TenantState) -> bool:
        """Whether to retry seeding after discovery (which may find parents created as side effects)."""
        if state.tenant.state.get("seed-retried"):
            return False
        state.tenant.state["seed-retried"] = True
        return True

    def _check_credentials(self, state: _TenantState) -> None:
        """Stop when the API refused every request the tenant made: its credentials do not work.

        Otherwise every probe would be refused too and the run would pass without testing anything.
        """
        total, refused = state.tenant.state.get("answered", 0), state.tenant.state.get("refused", 0)
        if total >= 3 and refused == total:
            raise ProvisioningError(
                f"The API refused all {total} requests of tenant {state.tenant.name!r} with 401/403: its "
                "credentials are not accepted. Check [tenants.login] (where the token is) and "
                "[tenants.auth] (how it is sent: header and prefix, cookie, or query parameter)."
            )

    def _missing_inputs(self, state: _TenantState, operation: Operation) -> list[str]:
        required = self._required_slots(operation)
        return sorted({slot.resource for slot in required if not state.alive(slot.resource)})

    def _required_slots(self, operation: Operation) -> list[Slot]:
        out = []
        for slot in operation.slots:
            if slot.location is SlotLocation.PATH:
                out.append(slot)
            elif slot.location is SlotLocation.BODY:
                if self._body_field_required(operation, slot.path):
                    out.append(slot)
            elif any(
                p.name == slot.name and p.location is slot.location and p.required
                for p in operation.parameters
            ):
                out.append(slot)
        return out

    def _body_field_required(self, operation: Operation, path: JSONPath) -> bool:
        from .openapi.values import resolve

        schema = operation.body_schema
        root = schema
        for part in path:
            schema = resolve(schema, root)
            if not isinstance(schema, dict):
                return False
            if isinstance(part, int) or part not in schema.get("properties", {}):
                return False
            if part not in schema.get("required", []):
                return False
            schema = schema["properties"][part]
        return True

    def _create(self, state: _TenantState, operation: Operation) -> Instance | None:
        for required_only in (False, True):
            built = self.build_request(state, operation, required_only=required_only)
            if built is None:
                return None
            request, used = built
            response = self._send(state, request, operation)
            if response is None:
                return None
            if response.ok:
                created = self._harvest(state, operation, request, response, used)
                if created is None:
                    self._note_seeding(
                        f"{state.tenant.name}: {operation.label} answered {response.status} but its response "
                        "holds no identifier the harness could use"
                    )
                return created
            if required_only or response.status >= 500:
                self._note_seeding(
                    f"{state.tenant.name}: {operation.label} failed with HTTP {response.status}: "
                    f"{self.redactor(response.text[:200].strip())}"
                )
        return None

    def _note_seeding(self, message: str) -> None:
        if message not in self.result.seeding:
            self.result.seeding.append(message)

    def _harvest(
        self,
        state: _TenantState,
        operation: Operation,
        request: HttpRequest,
        response: HttpResponse,
        used: dict[str, Instance],
    ) -> Instance | None:
        """Record every identifier in a response the tenant received for its own data."""
        body = response.json()
        self._remember(state, body)
        created: Instance | None = None
        created_resource = operation.created_resource
        for output in operation.outputs:
            if not output.status.startswith(str(response.status)[0]) and output.status != str(
                response.status
            ):
                continue
            for obj in _objects_at(body, output.pointer):
                if self._is_foreign(state, obj):
                    continue
                values = {key: value for key, value in obj.items() if not isinstance(value, (dict, list))}
                if not values:
                    continue
                instance = self._register(state, output.resource, values, used, request)
                if output.resource == created_resource and output.pointer in ("", "/"):
                    created = instance
        if created_resource and created is None:
            # The created object is the outermost one with a key (``{"data": {"id": ...}}`` included).
            for _, obj in iter_objects(body):
                values = {key: value for key, value in obj.items() if not isinstance(value, (dict, list))}
                if any(looks_like_identifier(key) for key in values):
                    created = self._register(state, created_resource, values, used, request)
                    break
        if created_resource and created is None:
            location = response.headers.get("Location") or response.headers.get("location")
            if location:
                identifier = location.rstrip("/").rsplit("/", 1)[-1]
                created = self._register(state, created_resource, {"id": identifier}, used, request)
        self._harvest_unbound(state, body, used, request)
        return created

    def _harvest_unbound(
        self, state: _TenantState, body: Any, used: dict[str, Instance], request: HttpRequest
    ) -> None:
        unbound = self._unbound
        if not unbound:
            return
        for _, obj in iter_objects(body):
            for key, value in obj.items():
                resource = f"?{key}"
                if resource in unbound and isinstance(value, (str, int)) and not isinstance(value, bool):
                    self._register(state, resource, {key: value}, used, request)

    def _register(
        self,
        state: _TenantState,
        resource: str,
        values: dict[str, Any],
        used: dict[str, Instance],
        request: HttpRequest,
    ) -> Instance:
        existing = state.instances.setdefault(resource, [])
        for instance in existing:
            if _same_identity(instance.values, values):
                # A retired instance (changed or deleted by a probe) stays retired when seen again.
                if instance.alive:
                    instance.values.update(values)
                return instance
        recipe: list[HttpRequest] = []
        for parent in used.values():
            recipe.extend(item for item in parent.recipe if item not in recipe)
        if request.method not in ("GET", "HEAD"):
            recipe.append(request)
        instance = Instance(
            resource=resource, values=dict(values), owner=state.tenant.name, parents=dict(used), recipe=recipe
        )
        existing.append(instance)
        if recipe:
            for key, value in values.items():
                if looks_like_identifier(key) and value is not None:
                    state.made.setdefault((key, str(value)), []).append(instance)
        return instance

    def _is_foreign(self, state: _TenantState, obj: Any) -> bool:
        """Whether an object belongs to another tenant: it carries another canary, or the identity of
        an object the other tenant made itself.

        A leaky list hands the caller other tenants' objects; they must never become the caller's own.
        Objects a tenant only read (a catalogue every tenant sees alike) belong to nobody.
        """
        text = json.dumps(obj).lower()
        for other in self.states:
            if other is state:
                continue
            if other.tenant.canary in text:
                return True
            if isinstance(obj, dict):
                scalars = {k: v for k, v in obj.items() if not isinstance(v, (dict, list))}
                if not any(looks_like_identifier(key) for key in scalars):
                    continue
                for key, value in scalars.items():
                    for instance in other.made.get((key, str(value)), []):
                        if _same_identity(instance.values, scalars):
                            return True
        return False

    def _remember(self, state: _TenantState, body: Any) -> None:
        for _, obj in iter_objects(body):
            if self._is_foreign(state, obj):
                return
        for _, value in iter_leaves(body):
            if value is not None and not isinstance(value, bool):
                state.known.add(str(value))
        for _, obj in iter_objects(body):
            key = json.dumps(obj, sort_keys=True, default=str)
            if key not in state.object_keys:
                state.object_keys.add(key)
                for pair in view_pairs(obj):
                    state.object_pairs.setdefault(pair, []).append(len(state.objects))
                state.objects.append(obj)

    # -- discovery: owner views -----------------------------------------------------------------

    def discover(self, state: _TenantState) -> None:
        """Read every safe operation with the tenant's own identifiers: owner views, and more ids."""
        for _ in range(_DISCOVERY_ROUNDS):
            before = sum(len(items) for items in state.instances.values())
            for operation in self.api.operations:
                if operation.is_safe and operation.label not in self.excluded:
                    self._owner_view(state, operation, refresh=True)
            if sum(len(items) for items in state.instances.values()) == before:
                break

    def _owner_view(
        self, state: _TenantState, operation: Operation, *, refresh: bool = False
    ) -> _View | None:
        if not refresh and operation.label in state.views:
            return state.views[operation.label]
        built = self.build_request(state, operation)
        if built is None:
            return None
        request, used = built
        first = self._send(state, request, operation)
        second = self._send(state, request, operation)
        if first is None or second is None:
            return None
        volatile = volatile_between(first.json(), second.json()) if first.status == second.status else set()
        for path in volatile:
            if path and isinstance(path[-1], str):
                self._volatile_keys.add(path[-1])
        view = _View(request=request, status=second.status, body=second.json(), volatile=volatile)
        state.views[operation.label] = view
        if second.ok:
            self._harvest(state, operation, request, second, used)
        return view

    # -- building requests ----------------------------------------------------------------------

    def build_request(
        self,
        state: _TenantState,
        operation: Operation,
        *,
        required_only: bool = False,
        pinned: dict[str, Instance] | None = None,
    ) -> tuple[HttpRequest, dict[str, Instance]] | None:
        """The tenant's own valid request for an operation, its own identifiers in every slot.

        Returns the request and the instances it uses, per resource; ``None`` when the tenant has
        none of something the request needs.
        """
        used = self._choose_instances(state, operation, pinned or {})
        if used is None:
            return None
        request = HttpRequest(method=operation.method, path_template=operation.path)
        generator = state.generator
        slot_names = {
            (slot.location, slot.name) for slot in operation.slots if slot.location is not SlotLocation.BODY
        }
        carriers = _credential_carriers(state.tenant)
        for parameter in operation.parameters:
            if (parameter.location, parameter.name) in slot_names:
                continue
            # Security schemes surface as parameters; the tenant's client already sends its credentials.
            if parameter.name.lower() in carriers or is_sensitive_name(parameter.name):
                continue
            if parameter.location is SlotLocation.PATH or parameter.required:
                value = generator.generate(parameter.schema, name=parameter.name)
                _set_parameter(request, parameter.location, parameter.name, value)
        if operation.body_schema is not None:
            request.body = generator.generate(operation.body_schema, required_only=required_only)
            request.has_body = True
        placed: set[str] = set()
        for slot in operation.slots:
            instance = used.get(slot.resource)
            optional = slot.location is SlotLocation.BODY and not self._body_field_required(
                operation, slot.path
            )
            if instance is None or (required_only and optional):
                if slot.location is SlotLocation.BODY:
                    _delete_path(request.body, slot.path)
                continue
            if slot.resource in placed:
                # A second slot of the same resource (`fromItemId`, `toItemId`) takes another object.
                others = [item for item in state.alive(slot.resource) if item is not instance]
                instance = others[0] if others else instance
            placed.add(slot.resource)
            _place(request, slot, instance.value(slot.field))
        return request, used

    def _choose_instances(
        self, state: _TenantState, operation: Operation, pinned: dict[str, Instance]
    ) -> dict[str, Instance] | None:
        used: dict[str, Instance] = dict(pinned)
        required = {slot.resource for slot in self._required_slots(operation)}
        # Deepest slot first, so that its parents can be taken from how it was created.
        for slot in reversed(operation.slots):
            if slot.resource in used:
                continue
            parent_choice = next(
                (
                    inst.parents[slot.resource]
                    for inst in used.values()
                    if slot.resource in inst.parents and inst.parents[slot.resource].alive
                ),
                None,
            )
            # Instances whose creation is known make reproductions complete.
            # Objects shared on purpose are targeted last; the tenant's private ones first.
            candidates = sorted(state.alive(slot.resource), key=lambda item: (item.shared, not item.recipe))
            choice = parent_choice or (candidates[0] if candidates else None)
            if choice is None:
                if slot.resource in required:
                    return None
                continue
            used[slot.resource] = choice
        return used

    # -- probing --------------------------------------------------------------------------------

    def probe_operation(self, operation: Operation) -> None:
        coverage = self.result.coverage[operation.label]
        if operation.label in self.excluded:
            coverage.skipped.append(self.excluded[operation.label])
            return
        if operation.is_safe:
            self._probe_search(operation, coverage)
        if not operation.slots:
            for attacker in self.states:
                self._probe_unslotted(operation, attacker, coverage)
            return
        if operation.is_safe:
            self._probe_guessed(operation, coverage)
            # A tenant's own read can hold others' data too (a list under `/t/{workspace}/` that is not
            # filtered): each tenant reads with its own identifiers, judged like any probe.
            for attacker in self.states:
                self._probe_unslotted(operation, attacker, coverage, slot_text="(its own identifiers)")
        variants: list[tuple[Slot, ...]] = [(slot,) for slot in operation.slots]
        if len(operation.slots) > 1:
            variants.append(tuple(operation.slots))
        for attacker in self.states:
            for victim in self.states:
                if victim is attacker:
                    continue
                for variant in variants:
                    self._probe(operation, attacker, victim, variant, coverage)

    def _probe_search(self, operation: Operation, coverage: Coverage) -> None:
        """Free-text query parameters searched with another tenant's canary.

        A search that matches across tenants hands back the victim's records. The search term is the
        canary itself, so a record counts only where a field holds more than the term (an echo of the
        term, ``{"q": "ih..."}``, is not a record of the victim's).
        """
        slot_names = {slot.name for slot in operation.slots if slot.location is SlotLocation.QUERY}
        parameters = [
            parameter
            for parameter in operation.parameters
            if parameter.location is SlotLocation.QUERY
            and parameter.name not in slot_names
            and not looks_like_identifier(parameter.name)
            and _is_free_text(parameter.schema, self.states[0].tenant.canary)
        ]
        for parameter in parameters:
            slot_text = f"query {parameter.name} (searched for the victim's canary)"
            for attacker in self.states:
                built = self.build_request(attacker, operation)
                if built is None:
                    continue
                for victim in self.states:
                    if victim is attacker:
                        continue
                    request = built[0].copy()
                    canary = victim.tenant.canary
                    request.query[parameter.name] = canary
                    response = self._send(attacker, request, operation, probe=True, slot=slot_text)
                    coverage.probed(slot_text)
                    if response is None or not response.ok:
                        continue
                    for path, obj in iter_objects(self._visible(attacker, response).json()):
                        if not any(looks_like_identifier(key) for key in obj):
                            continue
                        field_name = next(
                            (
                                key
                                for key, value in obj.items()
                                if isinstance(value, str)
                                and canary in value.lower()
                                and value.lower() != canary
                            ),
                            None,
                        )
                        if field_name is None:
                            continue
                        where = format_pointer((*path, field_name))
                        self._report(
                            operation,
                            FindingKind.READ,
                            Verdict.CONFIRMED,
                            "canary",
                            attacker,
                            victim.tenant.name,
                            slot_text,
                            response.status,
                            f"HTTP {response.status}: a search for {victim.tenant.name}'s canary {canary} returned "
                            f"its record, body {where}: {str(obj[field_name])[:80]}",
                            request,
                            [],
                        )
                        break

    def _probe_guessed(self, operation: Operation, coverage: Coverage) -> None:
        """Sequential identifiers: the numbers next to the attacker's own, which nobody gave it.

        Where a tenant's identifiers are numbers (``17``, ``"INV-000017"``), another tenant's are
        likely next to them. Each guess is judged like any read: only another tenant's canary or
        owner view in the response is a finding, so a guess that lands on shared data, or on nothing,
        is not.
        """
        for slot in operation.slots:
            if slot.location not in (SlotLocation.PATH, SlotLocation.QUERY):
                continue
            for attacker in self.states:
                own = [instance.value(slot.field) for instance in attacker.alive(slot.resource)]
                guesses = _neighbours(own, exclude={str(value) for value in own}, limit=GUESSES_PER_SLOT)
                built = self.build_request(attacker, operation) if guesses else None
                if built is None:
                    continue
                slot_text = f"{slot.describe()} (guessed next to {attacker.tenant.name}'s own)"
                for guess in guesses:
                    request = built[0].copy()
                    _place(request, slot, guess)
                    response = self._send(attacker, request, operation, probe=True, slot=slot_text)
                    coverage.probed(slot_text)
                    if response is not None:
                        self._judge_read(operation, attacker, None, request, response, slot_text, setup=[])

    def probe_tombstones(self) -> None:
        """Objects their owner deleted must not stay readable by another tenant.

        For every delete operation, the victim creates a fresh object and deletes it itself; every
        other tenant then reads it through each read operation that takes it.
        """
        creators = self._creators
        for delete in self.api.operations:
            if not delete.is_delete or delete.label in self.excluded:
                continue
            path_slots = [slot for slot in delete.slots if slot.location is SlotLocation.PATH]
            if not path_slots:
                continue
            # What the URL ends with is what goes: `/t/{workspace}/contacts/{contactId}` deletes a contact.
            path_slots.sort(key=lambda slot: delete.path.find("{" + slot.name + "}"))
            resource = path_slots[-1].resource
            readers = [
                op
                for op in self.api.operations
                if op.is_safe
                and op.label not in self.excluded
                and any(s.resource == resource for s in op.slots)
            ]
            makers = [op for op in creators.get(resource, []) if op.label not in self.excluded]
            if not readers or not makers:
                continue
            for victim in self.states:
                instance = self._create(victim, makers[0])
                if instance is None:
                    continue
                built = self.build_request(victim, delete, pinned={resource: instance})
                if built is None:
                    continue
                response = self._send(victim, built[0], delete)
                if response is None or not response.ok:
                    continue
                self._retire(victim, instance)
                for reader in readers:
                    slot = next(s for s in reader.slots if s.resource == resource)
                    for attacker in self.states:
                        if attacker is not victim:
                            self._probe(
                                reader,
                                attacker,
                                victim,
                                (slot,),
                                self.result.coverage[reader.label],
                                targeted={resource: instance},
                                note=" (deleted by its owner)",
                            )
                victim.dirty = False

    def _probe_unslotted(
        self,
        operation: Operation,
        attacker: _TenantState,
        coverage: Coverage,
        *,
        slot_text: str = "(no identifier)",
    ) -> None:
        built = self.build_request(attacker, operation)
        if built is None:
            reason = f"{attacker.tenant.name} could not build a request"
            if reason not in coverage.skipped:
                coverage.skipped.append(reason)
            return
        request, _ = built
        response = self._send(attacker, request, operation, probe=True, slot="-")
        coverage.probed(slot_text)
        if response is not None:
            self._judge_read(operation, attacker, None, request, response, slot_text, setup=[])
        if not operation.is_safe:
            # The attacker changed its own data: its views of what the write touched are stale.
            for label in self._related_reads(operation):
                attacker.views.pop(label, None)

    def _probe(
        self,
        operation: Operation,
        attacker: _TenantState,
        victim: _TenantState,
        variant: tuple[Slot, ...],
        coverage: Coverage,
        *,
        targeted: dict[str, Instance] | None = None,
        note: str = "",
    ) -> None:
        slot_text = " + ".join(slot.describe() for slot in variant) + note
        # The victim's consistent identifiers for the variant's slots.
        victim_used = self._choose_instances(victim, operation, dict(targeted or {}))
        if victim_used is None or any(slot.resource not in victim_used for slot in variant):
            missing = sorted(
                {slot.resource for slot in variant if not victim_used or slot.resource not in victim_used}
            )
            reason = f"{victim.tenant.name} has no {', '.join(missing)} to target via {slot_text}"
            if reason not in coverage.skipped:
                coverage.skipped.append(reason)
            return
        pinned = {slot.resource: victim_used[slot.resource] for slot in variant}
        own = self._choose_instances(attacker, operation, {})
        built = self.build_request(attacker, operation)
        if built is None or own is None:
            reason = (
                f"{attacker.tenant.name} cannot build its own request (seeding found none of what it needs)"
            )
            if reason not in coverage.skipped:
                coverage.skipped.append(reason)
            return
        request, _ = built
        values = {slot: pinned[slot.resource].value(slot.field) for slot in variant}
        empty = [slot.describe() for slot, value in values.items() if value is None]
        if empty:
            reason = f"{victim.tenant.name}'s {', '.join(sorted({s.resource for s in variant}))} has no value for {', '.join(empty)}"
            if reason not in coverage.skipped:
                coverage.skipped.append(reason)
            return
        own_values = {slot: own[slot.resource].value(slot.field) for slot in variant if slot.resource in own}
        if all(own_values.get(slot) == value for slot, value in values.items()):
            # Identifiers numbered per tenant (both have order 1): the "foreign" request is the
            # attacker's own, and proves nothing either way.
            reason = (
                f"{victim.tenant.name}'s identifiers via {slot_text} are the same as {attacker.tenant.name}'s"
            )
            if reason not in coverage.skipped:
                coverage.skipped.append(reason)
            return
        mixed: set[str] = set()

        def place_all(into: HttpRequest) -> None:
            for slot, value in values.items():
                # A list of ids carries the attacker's own first: a bulk operation that checks only
                # the first id, or filters out foreign ones, shows itself; one that refuses it is fine.
                if _place(into, slot, value, first=own_values.get(slot)):
                    mixed.add(slot.resource)

        place_all(request)
        targets = list(pinned.values())
        setup = [step for instance in targets for step in instance.recipe]
        witnesses: list[tuple[_View, Operation]] = []
        before: list[Snapshot] = []
        if not operation.is_safe:
            witnesses = self._witnesses(victim, targets, operation)
            before = self._read_all(victim, witnesses)
            # Where acting on the caller shows (``/me``, its lists).
            own_views = self._unslotted_reads(attacker, operation, fresh=False)
            own_before = self._read_all(attacker, own_views)
        response = self._send(attacker, request, operation, probe=True, slot=slot_text)
        coverage.probed(slot_text)
        if response is None:
            return
        victim_name = victim.tenant.name
        self._judge_read(operation, attacker, victim, request, response, slot_text, setup=setup)
        if response.status in (400, 422) and any(slot.location is SlotLocation.BODY for slot in variant):
            # The optional fields the attacker filled with its own references may be what the API
            # refused (an assignee of the attacker's account, moved along into the victim's): the
            # body again with only the required fields and the slot.
            minimal = self.build_request(attacker, operation, required_only=True)
            if minimal is not None:
                request = minimal[0]
                place_all(request)
                retried = self._send(attacker, request, operation, probe=True, slot=slot_text)
                if retried is None:
                    return
                response = retried
                self._judge_read(operation, attacker, victim, request, response, slot_text, setup=setup)
        if operation.is_safe:
            return
        after = self._read_all(victim, witnesses)
        changes = self._changes(victim, witnesses, before, after)
        if changes:
            gone = any(change.gone for change in changes)
            kind = FindingKind.DELETE if gone else FindingKind.WRITE
            evidence = "; ".join(change.description for change in changes[:3])
            self._report(
                operation,
                kind,
                Verdict.CONFIRMED,
                "write-effect",
                attacker,
                victim_name,
                slot_text,
                response.status,
                f"after {attacker.tenant.name}'s request (HTTP {response.status}), {victim_name} re-read its data: "
                f"{evidence}",
                request,
                setup,
            )
        elif response.ok:
            own_after = self._read_all(attacker, own_views)
            acted_on_caller = self._changes(attacker, own_views, own_before, own_after)
            if not acted_on_caller and not self._body_is_callers_own(attacker, response):
                self._report(
                    operation,
                    FindingKind.WRITE_ACCEPTED,
                    Verdict.SUSPECTED,
                    "status-only",
                    attacker,
                    victim_name,
                    slot_text,
                    response.status,
                    f"{operation.method} with {victim_name}'s identifier was accepted (HTTP {response.status}) "
                    f"but no change was visible to {victim_name}"
                    + ("" if witnesses else " (it has no read operation to check)"),
                    request,
                    setup,
                )
        if response.ok or changes:
            # Changed objects are not used again, where the tenant can make fresh ones (an account
            # made at signup cannot be, so it stays in use). The attacker's own objects in the request
            # may have changed too (moved into the victim's account, say).
            for instance in targets:
                if self._recreatable(instance.resource):
                    self._retire(victim, instance)
            self._reseed(victim)
            for resource, instance in own.items():
                if (resource not in pinned or resource in mixed) and self._recreatable(resource):
                    self._retire(attacker, instance)
            self._reseed(attacker)

    def _recreatable(self, resource: str) -> bool:
        return any(
            op.requires_auth is not False and op.label not in self.excluded
            for op in self._creators.get(resource, [])
        )

    def _body_is_callers_own(self, attacker: _TenantState, response: HttpResponse) -> bool:
        return attacker.tenant.canary.lower() in response.text.lower()

    def _judge_read(
        self,
        operation: Operation,
        attacker: _TenantState,
        victim: _TenantState | None,
        request: HttpRequest,
        response: HttpResponse,
        slot_text: str,
        *,
        setup: list[HttpRequest],
    ) -> None:
        response = self._visible(attacker, response)
        others = {state.tenant.name: state.tenant.markers() for state in self.states if state is not attacker}
        sightings = find_canaries(response, others, ignore=request.sent_values())
        reported: set[str] = set()
        for sighting in sightings:
            if sighting.owner in reported:
                continue
            reported.add(sighting.owner)
            count = sum(1 for s in sightings if s.owner == sighting.owner)
            more = f" (and {count - 1} more places)" if count > 1 else ""
            self._report(
                operation,
                FindingKind.READ,
                Verdict.CONFIRMED,
                "canary",
                attacker,
                sighting.owner,
                slot_text,
                response.status,
                f"HTTP {response.status}: {sighting.owner}'s canary {sighting.marker} in {sighting.describe()}{more}",
                request,
                setup if victim is not None and sighting.owner == victim.tenant.name else [],
            )
        if not response.ok:
            return
        victims = [
            state for state in self.states if state is not attacker and state.tenant.name not in reported
        ]
        body = response.json()
        if body is None or not victims:
            return
        known = set(attacker.known) | set(request.sent_values()) | self._shared_values()
        owned = {state.tenant.name: state.objects for state in victims}
        index = {state.tenant.name: state.object_pairs for state in victims}
        for match in match_owner_views(
            body, owned, known_to_caller=known, volatile_keys=self._volatile_keys, index=index
        ):
            self._report(
                operation,
                FindingKind.READ,
                Verdict.CONFIRMED,
                "owner-view",
                attacker,
                match.owner,
                slot_text,
                response.status,
                f"HTTP {response.status}: {match.describe()}",
                request,
                setup if victim is not None and match.owner == victim.tenant.name else [],
            )

    @staticmethod
    def _visible(attacker: _TenantState, response: HttpResponse) -> HttpResponse:
        """The response without the objects shared with the attacker on purpose (see :meth:`share`)."""
        body = response.json() if attacker.shared else None
        if body is None:
            return response
        text = json.dumps(without_shared(body, attacker.shared))
        return HttpResponse(
            status=response.status, headers=response.headers, text=text, elapsed=response.elapsed
        )

    def _shared_values(self) -> set[str]:
        """Values more than one tenant has seen in its own data (recounted only when one saw more)."""
        sizes = tuple(len(state.known) for state in self.states)
        if sizes != self._shared_cache[0]:
            counts: dict[str, int] = {}
            for state in self.states:
                for value in state.known:
                    counts[value] = counts.get(value, 0) + 1
            self._shared_cache = (sizes, {value for value, count in counts.items() if count > 1})
        return self._shared_cache[1]

    # -- write effects --------------------------------------------------------------------------

    def _witnesses(
        self, victim: _TenantState, targets: Sequence[Instance], write: Operation
    ) -> list[tuple[_View, Operation]]:
        """The victim's own reads that show the targeted objects.

        Reads of what the write makes or returns come first, lists before single objects: where the
        target is a whole account (a workspace in the path), every read shows it, and the list of
        the written resource is where a change shows.
        """
        ids = {
            str(value)
            for instance in targets
            for key, value in instance.values.items()
            if value is not None and looks_like_identifier(key)
        }
        related = self._related_reads(write)
        resources = {instance.resource for instance in targets}
        ranked: list[tuple[tuple[bool, bool, int], _View, Operation]] = []
        # Only reads that take or return what was targeted, or what the write touches, can show it.
        keys = [f"{verb} {name}" for name in resources for verb in ("takes", "returns")]
        candidates = {op.label: op for key in keys for op in self._reads.get(key, [])}
        candidates.update((label, self._by_label[label]) for label in related)
        for operation in sorted(candidates.values(), key=lambda op: self._order[op.label]):
            index = self._order[operation.label]
            view = self._owner_view(victim, operation)
            if view is None or not (200 <= view.status < 300):
                continue
            sent = set(view.request.sent_values())
            shows = bool(sent & ids) or bool(ids & view.leaves)
            if shows:
                rank = (operation.label not in related, not _is_list(operation), index)
                ranked.append((rank, view, operation))
        out = [(view, operation) for _, view, operation in sorted(ranked, key=lambda item: item[0])]
        out = out[:MAX_WITNESSES]
        # Its lists and `/me`: where an object the attacker put into the victim's account appears.
        for view, operation in self._unslotted_reads(victim, write, fresh=True):
            if all(view is not v for v, _ in out):
                out.append((view, operation))
        return out

    def _changes(
        self,
        victim: _TenantState,
        witnesses: Sequence[tuple[_View, Operation]],
        before: Sequence[Snapshot],
        after: Sequence[Snapshot],
    ) -> list[Change]:
        """What changed in the victim's reads; a value that changes again with no write is volatile.

        Two reads within one tick of a millisecond clock look alike, so learning volatile fields from
        the owner's two reads misses such clocks: where something changed, the victim reads once more.
        """
        changes = compare_snapshots(before, after, volatile_paths=self._volatile_paths(witnesses))
        if not changes:
            return changes
        time.sleep(_CLOCK_TICK)
        again = self._read_all(victim, witnesses)
        for (view, _), first, second in zip(witnesses, after, again, strict=True):
            if first.status == second.status:
                view.volatile |= volatile_between(first.body, second.body)
        return compare_snapshots(before, after, volatile_paths=self._volatile_paths(witnesses))

    @staticmethod
    def _volatile_paths(witnesses: Sequence[tuple[_View, Operation]]) -> dict[str, set[JSONPath]]:
        return {f"{view.request.method} {view.request.path}": view.volatile for view, _ in witnesses}

    def _related_reads(self, write: Operation) -> set[str]:
        """The reads that return what a write makes or returns, or end with the same word as its path."""
        made = {output.resource for output in write.outputs} | {write.created_resource or ""}
        names = (made - {""}) | _last_word(write)
        return {op.label for name in names for op in self._reads.get(f"returns {name}", [])}

    def _unslotted_reads(
        self, state: _TenantState, write: Operation, *, fresh: bool
    ) -> list[tuple[_View, Operation]]:
        """The tenant's reads that take no identifier (``/me``, lists), at most ``MAX_LISTS``: those of
        what ``write`` touches first, so that the number of reads per probe does not grow with the API."""
        related = self._related_reads(write)
        reads = sorted(self._reads.get("unslotted", []), key=lambda op: op.label not in related)
        out: list[tuple[_View, Operation]] = []
        for operation in reads:
            view = self._owner_view(state, operation) if fresh else state.views.get(operation.label)
            if view is not None and (not fresh or 200 <= view.status < 300):
                out.append((view, operation))
            if len(out) >= MAX_LISTS:
                break
        return out

    def _read_all(self, state: _TenantState, witnesses: Sequence[tuple[_View, Operation]]) -> list[Snapshot]:
        out = []
        for view, operation in witnesses:
            response = self._send(state, view.request, operation)
            label = f"{view.request.method} {view.request.path}"
            if response is None:
                out.append(Snapshot(label, 0, None))
            else:
                out.append(Snapshot(label, response.status, response.json()))
        return out

    def _retire(self, state: _TenantState, instance: Instance) -> None:
        instance.alive = False
        for items in state.instances.values():
            for item in items:
                if item.alive and any(parent is instance for parent in item.parents.values()):
                    self._retire(state, item)
        state.dirty = True

    def _reseed(self, state: _TenantState) -> None:
        if not state.dirty:
            return
        state.dirty = False
        state.views.clear()
        self.seed(state)
        self.discover(state)

    # -- plumbing -------------------------------------------------------------------------------

    def _send(
        self,
        state: _TenantState,
        request: HttpRequest,
        operation: Operation,
        *,
        probe: bool = False,
        slot: str = "",
    ) -> HttpResponse | None:
        self.result.requests += 1
        try:
            response = send(state.tenant.client, request, timeout=self.settings.timeout)
        except requests.RequestException as exc:
            self._error(operation, state, slot, f"{type(exc).__name__}: {self.redactor(str(exc))[:200]}")
            return None
        except Exception as exc:
            # An in-process app that raises is what a server answers with a 500: an error, not a crash.
            self._error(
                operation,
                state,
                slot,
                f"the application raised {type(exc).__name__}: {self.redactor(str(exc))[:200]}",
            )
            return None
        if operation.requires_auth is not False:
            tenant_state = state.tenant.state
            tenant_state["answered"] = tenant_state.get("answered", 0) + 1
            if response.status in (401, 403):
                tenant_state["refused"] = tenant_state.get("refused", 0) + 1
        if response.status >= 500:
            self._error(
                operation,
                state,
                slot,
                f"HTTP {response.status} from {request.method} {request.path}: {self.redactor(response.text[:200])}",
            )
            return None if not probe else response
        if not probe:
            self._remember(state, response.json())
        return response

    def _error(self, operation: Operation, state: _TenantState, slot: str, message: str) -> None:
        error = ProbeError(
            operation=operation.label, attacker=state.tenant.name, slot=slot or "-", message=message
        )
        self.result.errors.append(error)
        for listener in self.listeners:
            listener.on_error(error)

    def _report(
        self,
        operation: Operation,
        kind: FindingKind,
        verdict: Verdict,
        oracle: str,
        attacker: _TenantState,
        victim: str,
        slot: str,
        status: int,
        evidence: str,
        request: HttpRequest,
        setup: Iterable[HttpRequest],
    ) -> None:
        if status >= 500:
            return
        key = (operation.label, kind.value, oracle, attacker.tenant.name, victim, slot)
        if key in self._seen:
            return
        self._seen.add(key)
        finding = Finding(
            operation=operation.label,
            kind=kind,
            verdict=verdict,
            oracle=oracle,
            attacker=attacker.tenant.name,
            victim=victim,
            slot=slot,
            status=status,
            evidence=self.redactor(evidence),
            reproduction=self._reproduction(attacker, victim, request, setup),
        )
        self.result.findings.append(finding)
        for listener in self.listeners:
            listener.on_finding(finding)

    def _reproduction(
        self, attacker: _TenantState, victim: str, request: HttpRequest, setup: Iterable[HttpRequest]
    ) -> str:
        lines = []
        steps = list(setup)
        if steps:
            lines.append(f"# as {victim}: create the data the attack targets")
            lines += [self._curl(victim, step) for step in steps]
        lines.append(f"# as {attacker.tenant.name}: the attack")
        lines.append(self._curl(attacker.tenant.name, request))
        return self.redactor("\n".join(lines))

    def _curl(self, tenant_name: str, request: HttpRequest) -> str:
        state = next(state for state in self.states if state.tenant.name == tenant_name)
        return curl_as(state.tenant, request, base_url=self.transport.base_url)

    def _progress(self) -> None:
        for listener in self.listeners:
            listener.on_progress(self.result)


def _objects_at(body: Any, pointer: str) -> list[dict[str, Any]]:
    """Objects at a schemathesis output pointer (``/``, ``/items``, ``/*/addr``)."""
    nodes: list[Any] = [body]
    for part in [p for p in pointer.split("/") if p]:
        following: list[Any] = []
        for node in nodes:
            if part == "*" and isinstance(node, list):
                following.extend(node)
            elif isinstance(node, dict) and part in node:
                following.append(node[part])
        nodes = following
    out: list[dict[str, Any]] = []
    for node in nodes:
        if isinstance(node, dict):
            out.append(node)
        elif isinstance(node, list):
            out.extend(item for item in node if isinstance(item, dict))
    return out


def _same_identity(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """Whether two views are of the same object: equal on every key they share (``id``, ``projectId``)."""
    for key in ("id", "uuid"):
        if key in left and key in right:
            return bool(left[key] == right[key])
    keys = [k for k in left.keys() & right.keys() if looks_like_identifier(k) and left[k] is not None]
    if keys:
        return all(left[key] == right[key] for key in keys)
    shared = [key for key in left.keys() & right.keys() if left[key] is not None]
    return bool(shared) and all(left[key] == right[key] for key in shared)


def _is_free_text(schema: Any, sample: str) -> bool:
    """Whether a parameter takes free text that a tenant's canary fits (a search term, a filter)."""
    if not isinstance(schema, dict):
        return False
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            options = [
                option
                for option in schema[keyword]
                if not (isinstance(option, dict) and option.get("type") == "null")
            ]
            merged = {key: value for key, value in schema.items() if key != keyword}
            return (
                len(options) == 1
                and isinstance(options[0], dict)
                and _is_free_text({**merged, **options[0]}, sample)
            )
    kind = schema.get("type")
    if kind != "string" and not (isinstance(kind, list) and "string" in kind):
        return False
    if "enum" in schema or "format" in schema or "$ref" in schema or "const" in schema:
        return False
    if int(schema.get("maxLength", len(sample))) < len(sample) or int(schema.get("minLength", 0)) > len(
        sample
    ):
        return False
    pattern = schema.get("pattern")
    if pattern:
        import re

        try:
            return re.search(pattern, sample) is not None
        except re.error:
            return False
    return True


def _last_word(operation: Operation) -> set[str]:
    """The last fixed word of an operation's path (``preferences`` in ``/users/{name}/preferences``)."""
    words = [part for part in operation.path.split("/") if part and not part.startswith("{")]
    return set(words[-1:])


def _is_list(read: Operation) -> bool:
    return any(output.many for output in read.outputs)


def _neighbours(values: Iterable[Any], *, exclude: set[str], limit: int) -> list[Any]:
    """Up to `limit` numbers next to the numeric `values` (+1, -1, +2, -2, ...), in their own form.

    Values that are not numbers in a sequence (UUIDs, random tokens) give none.
    """
    guesses: list[Any] = []
    for distance in (1, -1, 2, -2):
        for value in values:
            guess = _shift(value, distance)
            if guess is not None and str(guess) not in exclude and guess not in guesses:
                guesses.append(guess)
                if len(guesses) >= limit:
                    return guesses
    return guesses


def _shift(value: Any, distance: int) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value + distance if value + distance >= 0 else None
    if not isinstance(value, str):
        return None
    match = _SEQUENTIAL.fullmatch(value)
    if match is None:
        return None
    prefix, digits = match.groups()
    number = int(digits) + distance
    return f"{prefix}{number:0{len(digits)}d}" if number >= 0 else None


def _credential_carriers(tenant: Tenant) -> set[str]:
    credentials = tenant.credentials
    if credentials is None:
        return set()
    return {name.lower() for name in [*credentials.headers, *credentials.cookies, *credentials.query]}


def _set_parameter(request: HttpRequest, location: SlotLocation, name: str, value: Any) -> None:
    if location is SlotLocation.PATH:
        request.path_params[name] = value
    elif location is SlotLocation.QUERY:
        request.query[name] = value
    elif location is SlotLocation.HEADER:
        request.headers[name] = str(value)
    elif location is SlotLocation.COOKIE:
        request.cookies[name] = str(value)


def _place(request: HttpRequest, slot: Slot, value: Any, *, first: Any = None) -> bool:
    """Put `value` in the slot; where the slot holds a list, `[first, value]` (or `[value]`).

    Returns whether `first` went into a list with it.
    """
    if slot.location is SlotLocation.BODY:
        if not request.has_body or not isinstance(request.body, dict):
            request.body = {}
            request.has_body = True
        return _set_path(request.body, slot.path, value, first=first)
    _set_parameter(request, slot.location, slot.name, value)
    return False


def _set_path(body: Any, path: JSONPath, value: Any, *, first: Any = None) -> bool:
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


def _delete_path(body: Any, path: JSONPath) -> None:
    node = body
    for part in path[:-1]:
        node = node.get(str(part)) if isinstance(node, dict) else None
    if isinstance(node, dict) and path:
        node.pop(str(path[-1]), None)
