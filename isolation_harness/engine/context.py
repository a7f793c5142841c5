"""The services a campaign's parts (phases, probe kinds, oracles) may use, in one object."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ..coverage import Coverage
from ..events import CampaignResult, EventBus
from ..knowledge import Knowledge
from ..operations import Operation
from ..provisioning import ProvisionContext, Provisioner
from ..redaction import Redactor
from ..tenant_factory import TenantFactory
from ..transport import Transport
from .budget import Budget
from .builder import RequestBuilder
from .discovery import Discovery
from .findings import Findings
from .harvest import Harvester
from .index import ApiIndex
from .seeding import Seeder
from .sending import Sender
from .settings import CampaignSettings
from .sharding import shard_of, shard_reason
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
    budget: Budget
    # Which body made each update work for an owner (see :mod:`.update_bodies`).
    update_bodies: UpdateBodies = field(default_factory=UpdateBodies)
    # Each operation's shard, when the settings name one.
    shards: dict[str, int] = field(default_factory=dict)
    _local: threading.local = field(default_factory=threading.local, init=False, repr=False, compare=False)

    @property
    def planning(self) -> str:
        """The probe kind planning probes now (in this thread): the coverage names it beside each reason."""
        return str(getattr(self._local, "planning", ""))

    @planning.setter
    def planning(self, kind: str) -> None:
        self._local.planning = kind

    def coverage(self, operation: Operation) -> Coverage:
        return self.result.coverage[operation.label]

    def skip(self, operation: Operation, reason: str) -> None:
        """Say (once) why some probe of ``operation`` could not be made (by the probe kind planning now)."""
        self.coverage(operation).skip(reason, kind=self.planning)

    def selected(self, operation: Operation) -> bool:
        """Whether the operation is to be probed (every one, unless a selection or a shard narrows the campaign)."""
        return not self.deselected(operation)

    def deselected(self, operation: Operation) -> str:
        """Why this run does not probe ``operation`` (a selection, another shard), or ``""``."""
        chosen = self.settings.operations
        if chosen is not None and operation.label not in chosen:
            return "not selected in this run"
        if self.settings.shard is not None:
            index, count = self.settings.shard
            if not self.shards:
                self.shards.update(shard_of((op.label for op in self.index.operations), count))
            shard = self.shards[operation.label]
            users = self.settings.user_shards or count
            if (shard - 1) % users != (index - 1) % users:
                return shard_reason((shard - 1) % users + 1, users)
            if shard != index:
                return shard_reason(shard, count)
        return ""
