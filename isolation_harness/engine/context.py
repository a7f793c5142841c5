"""The services a campaign's parts (phases, probe kinds, oracles) may use, in one object."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..events import CampaignResult, EventBus
from ..knowledge import Knowledge
from ..model import Coverage
from ..operations import Operation
from ..provisioning import ProvisionContext, Provisioner
from ..redaction import Redactor
from ..tenant_factory import TenantFactory
from ..transport import Transport
from .builder import RequestBuilder
from .discovery import Discovery
from .findings import Findings
from .harvest import Harvester
from .index import ApiIndex
from .seeding import Seeder
from .sending import Sender
from .settings import CampaignSettings
from .update_bodies import UpdateBodies
from .witnesses import Witnesses


@dataclass
class EngineContext:
    """What the engine passes to every part: the API, what tenants know, and how to act on both."""

    settings: CampaignSettings
    index: ApiIndex
    knowledge: Knowledge
    builder: RequestBuilder
    sender: Sender
    harvester: Harvester
    discovery: Discovery
    seeder: Seeder
    witnesses: Witnesses
    findings: Findings
    result: CampaignResult
    bus: EventBus
    transport: Transport
    redactor: Redactor
    factory: TenantFactory
    provisioner: Provisioner
    provision_context: ProvisionContext
    # The names the campaign's tenants take, reserved when the campaign was made.
    tenant_names: list[str]
    # Which body made each update work for an owner (see :mod:`.update_bodies`).
    update_bodies: UpdateBodies = field(default_factory=UpdateBodies)

    def coverage(self, operation: Operation) -> Coverage:
        return self.result.coverage[operation.label]

    def skip(self, operation: Operation, reason: str) -> None:
        """Say (once) why some probe of ``operation`` could not be made."""
        coverage = self.coverage(operation)
        if reason not in coverage.skipped:
            coverage.skipped.append(reason)

    def selected(self, operation: Operation) -> bool:
        """Whether the operation is to be probed (every one, unless a selection narrows the campaign)."""
        chosen = self.settings.operations
        return chosen is None or operation.label in chosen
