"""The campaign: a short plan of phases run over one context (provision → seed → share → observe → probe → aftermath)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

from ..config.against_api import check_against_api
from ..coverage import Coverage
from ..errors import ConfigurationError, ProvisioningError, did_you_mean
from ..events import CampaignFinished, CampaignListener, CampaignResult, EventBus, PhaseFinished, PhaseStarted
from ..knowledge import Knowledge, TenantKnowledge
from ..oracles import Oracle, builtin_oracles
from ..probes import ProbeKind, builtin_probe_kinds
from ..provisioning import ProvisionContext, Provisioner
from ..redaction import Redactor
from ..tenant_factory import TenantFactory
from ..transport import Transport
from .budget import Budget
from .builder import ApiDescription
from .context import EngineContext
from .discovery import Discovery
from .findings import Findings
from .harvest import Harvester
from .index import ApiIndex
from .liveness import Liveness
from .phases import Phase
from .phases.observe import ObservePhase
from .phases.probe import ProbePhase
from .phases.provision import ProvisionPhase, teardown
from .phases.seed import SeedPhase
from .phases.share import SharePhase
from .seeding import Seeder
from .sending import Sender
from .settings import CampaignSettings
from .witnesses import Witnesses


class Campaign:
    """One run of the harness against one API; usable with or without pytest.

    ``probe_kinds`` and ``oracles`` default to the built-in ones; plugins add theirs through the
    front ends. ``factory`` is the tenant factory to share with the developers' fixtures.
    """

    def __init__(
        self,
        *,
        description: ApiDescription,
        transport: Transport,
        provisioner: Provisioner,
        settings: CampaignSettings | None = None,
        listeners: Sequence[CampaignListener] = (),
        redactor: Redactor | None = None,
        factory: TenantFactory | None = None,
        probe_kinds: Sequence[ProbeKind] | None = None,
        oracles: Sequence[Oracle] | None = None,
    ) -> None:
        self.settings = settings = settings or CampaignSettings()
        if factory is not None and redactor is not None and redactor is not factory.context.redactor:
            raise ValueError(
                "Campaign(redactor=..., factory=...): the factory's tenants register their secrets with "
                "factory.context.redactor; pass only the factory, or a factory made with this redactor."
            )
        if factory is not None and factory.seed != settings.seed:
            raise ValueError(
                f"Campaign(factory=..., settings=...): the factory seeds tenants with {factory.seed!r} but "
                f"settings.seed is {settings.seed!r}; make both the same."
            )
        self.transport = transport
        self.provisioner = provisioner
        self.redactor = redactor = factory.context.redactor if factory else (redactor or Redactor())
        api = description.model
        self.provision_context = (
            factory.context
            if factory
            else ProvisionContext(api=api, transport=transport, redactor=redactor, timeout=settings.timeout)
        )
        self.factory = factory or TenantFactory(
            context=self.provision_context, provisioner=provisioner, seed=settings.seed
        )
        # Reserved by `reserve_names` (or when the campaign starts): the developers' tenants never take them.
        self.tenant_names: list[str] = []
        excluded = {label: "used to provision tenants" for label in provisioner.used_operations}
        excluded.update((label, "excluded by configuration") for label in settings.exclude)
        index = ApiIndex(api, excluded=excluded)
        check_against_api(
            operations=index.by_label, exclude=settings.exclude, shares=settings.shares, allow=settings.allow
        )
        self.result = CampaignResult(operations=[op.label for op in api.operations])
        for operation in api.operations:
            self.result.coverage[operation.label] = Coverage(operation.label)
        self.bus = EventBus(self.result, list(listeners))
        self.probe_kinds = list(probe_kinds) if probe_kinds is not None else builtin_probe_kinds()
        kinds = [kind.name for kind in self.probe_kinds]
        unknown = sorted(settings.skip_probes - set(kinds))
        if unknown:
            raise ConfigurationError(
                f"skip_probes: {unknown[0]!r} is not a probe kind of this campaign."
                f"{did_you_mean(unknown[0], kinds)} Known: {', '.join(kinds)}."
            )
        self.oracles = list(oracles) if oracles is not None else builtin_oracles()
        self.context = self._context(description, index)

    def _context(self, description: ApiDescription, index: ApiIndex) -> EngineContext:
        knowledge = Knowledge(strict=True)
        builder = description.requests(knowledge)
        result, bus, redactor = self.result, self.bus, self.redactor
        sender = Sender(
            knowledge=knowledge,
            result=result,
            bus=bus,
            redactor=redactor,
            timeout=self.settings.timeout,
            retry=self.settings.retry,
            workers=self.settings.workers,
        )
        harvester = Harvester(index=index, knowledge=knowledge)
        discovery = Discovery(
            index=index, knowledge=knowledge, sender=sender, builder=builder, harvester=harvester
        )
        seeder = Seeder(
            index=index,
            sender=sender,
            builder=builder,
            harvester=harvester,
            discovery=discovery,
            knowledge=knowledge,
            result=result,
            redactor=redactor,
        )
        return EngineContext(
            settings=self.settings,
            index=index,
            knowledge=knowledge,
            builder=builder,
            sender=sender,
            harvester=harvester,
            discovery=discovery,
            seeder=seeder,
            witnesses=Witnesses(index=index, discovery=discovery, sender=sender),
            findings=Findings(
                result=result,
                bus=bus,
                redactor=redactor,
                knowledge=knowledge,
                base_url=self.transport.base_url,
                allow=self.settings.allow,
                baseline=self.settings.baseline,
            ),
            result=result,
            bus=bus,
            transport=self.transport,
            redactor=redactor,
            factory=self.factory,
            provisioner=self.provisioner,
            provision_context=self.provision_context,
            tenant_names=self.tenant_names,
            budget=Budget(self.settings, result),
        )

    def plan(self) -> list[Phase]:
        """The phases, in the order they run."""
        liveness = Liveness()
        return [
            ProvisionPhase(),
            SeedPhase(),
            SharePhase(),
            ObservePhase(),
            ProbePhase(self.probe_kinds, self.oracles, liveness=liveness),
            ProbePhase(self.probe_kinds, self.oracles, after_all=True, liveness=liveness),
        ]

    def reserve_names(self) -> list[str]:
        """Reserve the tenants' names now, before a developer's tenants are made beside the campaign."""
        if not self.tenant_names:
            self.tenant_names.extend(self.factory.reserve(self.settings.tenants, names=self.settings.names))
        return self.tenant_names

    def release_names(self) -> None:
        """The campaign will not run: its names are free for the developers' tenants."""
        self.factory.release(self.tenant_names)
        self.tenant_names.clear()

    @property
    def tenants(self) -> list[TenantKnowledge]:
        """The campaign's tenants and what each knows (empty until the campaign runs)."""
        return self.context.knowledge.tenants

    def narrow(self, operations: frozenset[str]) -> None:
        """Probe only these operations (a pytest selection); every one still seeds and reads."""
        self.settings = self.context.settings = dataclasses.replace(self.settings, operations=operations)

    def split(self, shard: tuple[int, int], *, user_shards: int = 0) -> None:
        """Probe only this shard (``index``, ``count``) of the operations; every one still seeds and reads.
        ``user_shards``: the shard count the user asked for, when ``count`` splits those again."""
        self.settings = self.context.settings = dataclasses.replace(
            self.settings, shard=shard, user_shards=user_shards
        )
        self.context.shards.clear()

    def add_listener(self, listener: CampaignListener) -> None:
        self.bus.add(listener)

    def run(self) -> CampaignResult:
        """Run the whole campaign; findings reach the listeners as they are made."""
        started = time.perf_counter()
        ctx = self.context
        ctx.budget.start()
        self.reserve_names()
        # Known before anything is sent: a run stopped early still counts only what it meant to probe.
        for operation in ctx.index.operations:
            why = ctx.index.excluded.get(operation.label) or ctx.deselected(operation)
            if why:
                ctx.coverage(operation).exclude(why)
        try:
            for phase in self.plan():
                began = time.perf_counter()
                self.bus.emit(PhaseStarted(phase.name))
                phase.run(ctx)
                self.bus.emit(PhaseFinished(phase.name, time.perf_counter() - began))
            self.result.complete = True
        except BaseException as exc:
            self.result.fatal = f"{type(exc).__name__}: {self.redactor(str(exc)) or 'interrupted'}"
            self.result.setup_failed = isinstance(exc, (ConfigurationError, ProvisioningError))
            self.result.misconfigured = isinstance(exc, ConfigurationError)
            self.result.interrupted = isinstance(exc, KeyboardInterrupt)
            raise
        finally:
            self.result.duration = time.perf_counter() - started
            teardown(ctx)
            self.bus.emit(CampaignFinished(self.result))
        return self.result
