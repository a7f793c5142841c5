"""Seeding: each tenant creates its own data through the API's create operations, parents first."""

from __future__ import annotations

from ..events import CampaignResult
from ..knowledge import Instance, Knowledge, TenantKnowledge
from ..model import HttpRequest, iter_objects
from ..operations import Operation
from ..redaction import Redactor
from .builder import RequestBuilder
from .bursts import side_by_side
from .discovery import Discovery
from .harvest import Harvester
from .index import ApiIndex, is_list
from .sending import Sender


class Seeder:
    """Creates at least one of every resource a tenant can create, and makes fresh ones after probes."""

    def __init__(
        self,
        *,
        index: ApiIndex,
        sender: Sender,
        builder: RequestBuilder,
        harvester: Harvester,
        discovery: Discovery,
        knowledge: Knowledge,
        result: CampaignResult,
        redactor: Redactor,
    ) -> None:
        self.index = index
        self.sender = sender
        self.builder = builder
        self.harvester = harvester
        self.discovery = discovery
        self.knowledge = knowledge
        self.result = result
        self.redactor = redactor

    def seed(self, state: TenantKnowledge) -> None:
        """Create what the tenant lacks, parents before children; say what could not be created and why."""
        index = self.index
        # A tenant's own data is created with its credentials: an operation the description marks as
        # public (signup, login, a contact form) makes nothing the tenant owns.
        pending = [
            op
            for ops in index.creators.values()
            for op in ops
            if not index.is_excluded(op) and op.requires_auth is not False
        ]
        progress = True
        while pending and progress:
            progress = False
            for operation in list(pending):
                resource = operation.created_resource
                assert resource is not None
                # An object shared on purpose is no target: the tenant needs private ones too.
                if len(state.private(resource)) >= index.wanted(resource):
                    pending.remove(operation)
                    progress = True
                    continue
                if self.missing_inputs(state, operation):
                    continue
                pending.remove(operation)
                progress = True
                for _ in range(index.wanted(resource) - len(state.private(resource))):
                    if self.create(state, operation) is None:
                        break
        if pending and not state.seed_retried:
            # Discovery may find parents the API created as side effects.
            state.seed_retried = True
            self.discovery.discover(state)
            self.seed(state)
            return
        for operation in pending:
            missing = ", ".join(self.missing_inputs(state, operation))
            self.result.note(
                f"{state.tenant.name}: {operation.label} not called: no {missing} to create it under"
            )

    def missing_inputs(self, state: TenantKnowledge, operation: Operation) -> list[str]:
        required = self.builder.required_slots(operation)
        # A parent the tenant can make must be its own; one it cannot (a catalogue entry) may be anyone's.
        return sorted(
            {
                slot.resource
                for slot in required
                if not (
                    state.own(slot.resource)
                    if self.index.recreatable(slot.resource)
                    else state.alive(slot.resource)
                )
            }
        )

    def create(self, state: TenantKnowledge, operation: Operation) -> Instance | None:
        """Call a create operation as the tenant (again with only the required fields if refused)."""
        for required_only in (False, True):
            built = self.builder.build(state, operation, required_only=required_only)
            if built is None:
                return None
            request, used = built
            response = self.sender.send(state, request, operation)
            if response is None:
                return None
            if response.ok:
                created = self.harvester.harvest(state, operation, request, response, used)
                if created is None:
                    created = self.locate(state, operation, request, used)
                if created is None:
                    self.result.note(
                        f"{state.tenant.name}: {operation.label} answered {response.status} but its response "
                        "holds no identifier the harness could use"
                    )
                return created
            if required_only or response.status >= 500:
                self.result.note(
                    f"{state.tenant.name}: {operation.label} failed with HTTP {response.status}: "
                    f"{self.redactor(response.text[:200].strip())}"
                )
        return None

    def locate(
        self, state: TenantKnowledge, operation: Operation, request: HttpRequest, used: dict[str, Instance]
    ) -> Instance | None:
        """Find an object the create did not answer with in the tenant's own lists, by the canary-bearing
        values the create sent (a title, a name)."""
        resource = operation.created_resource
        assert resource is not None
        canary = state.tenant.canary
        sent = {value for value in request.sent_values() if canary in value}
        if not sent:
            return None
        for read in self.index.reads.get(f"returns {resource}", []):
            if not is_list(read):
                continue
            built = self.builder.build(state, read, pinned=dict(used))
            if built is None:
                continue
            response = self.sender.send(state, built[0], read)
            if response is None or not response.ok:
                continue
            for _, obj in iter_objects(response.json()):
                values = self.harvester.identifying(resource, obj)
                if values and any(isinstance(value, str) and value in sent for value in values.values()):
                    return self.knowledge.register(state, resource, values, used, request)
        return None

    def reseed(self, *states: TenantKnowledge, workers: int = 1) -> None:
        """After a probe retired some of the tenants' objects: fresh ones, and fresh views; the tenants
        side by side with ``workers`` (up to ``workers`` requests each)."""
        dirty = [state for state in states if state.dirty]
        for state in dirty:
            state.dirty = False
            state.views.clear()
        side_by_side(dirty, self.seed_and_discover, self.sender, workers=workers)

    def seed_and_discover(self, state: TenantKnowledge) -> None:
        """The tenant's own data made (what it lacks), then read back: its owner views."""
        self.seed(state)
        self.discovery.discover(state)
