"""What the engine asks of an API style: requests built from what a tenant owns.

:class:`isolation_harness.openapi.requests.OpenApiRequests` is the OpenAPI implementation; a
GraphQL sibling implements the same protocol.
"""

from __future__ import annotations

from typing import Protocol

from ..knowledge import Instance, Knowledge, TenantKnowledge
from ..model import HttpRequest, Slot
from ..operations import ApiModel, Operation, Parameter


class RequestBuilder(Protocol):
    """Builds a tenant's own valid requests."""

    def build(
        self,
        state: TenantKnowledge,
        operation: Operation,
        *,
        required_only: bool = False,
        pinned: dict[str, Instance] | None = None,
    ) -> tuple[HttpRequest, dict[str, Instance]] | None:
        """The tenant's own request and the instances it uses; ``None`` when it lacks one it needs."""
        ...

    def choose(
        self, state: TenantKnowledge, operation: Operation, pinned: dict[str, Instance]
    ) -> dict[str, Instance] | None:
        """The tenant's instances for each resource the operation takes, consistent with ``pinned``."""
        ...

    def required_slots(self, operation: Operation) -> list[Slot]:
        """The slots a valid request must fill."""
        ...

    def search_parameters(self, operation: Operation, sample: str) -> list[Parameter]:
        """Parameters that take free text like ``sample``: search terms and filters."""
        ...


class ApiDescription(Protocol):
    """An API read into the engine's model, and the way to build its requests."""

    @property
    def model(self) -> ApiModel: ...

    def requests(self, knowledge: Knowledge) -> RequestBuilder:
        """The request builder for a campaign whose tenants' knowledge is ``knowledge``."""
        ...
