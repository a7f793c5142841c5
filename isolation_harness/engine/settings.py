"""How a campaign runs: the engine's own settings, validated when made."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..allowing import AllowRule
from ..baseline import Baseline
from ..errors import ConfigurationError
from ..model import SharingRule
from ..retrying import RetryPolicy


@dataclass(frozen=True)
class CampaignSettings:
    """How a campaign runs. Every argument is keyword-only and validated.

    ``operations`` narrows probing to those labels (a pytest ``-k`` selection); every operation
    is still used to seed and read the tenants' own data.
    """

    tenants: int = 2
    seed: int = 0
    exclude: tuple[str, ...] = ()
    timeout: float = 10.0
    names: tuple[str, ...] = ()
    references: dict[str, str] = field(default_factory=dict)
    shares: tuple[SharingRule, ...] = ()
    operations: frozenset[str] | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Data shared on purpose (reported as allowed), and the findings accepted before (baselined).
    allow: tuple[AllowRule, ...] = ()
    baseline: Baseline | None = None
    # Budgets: probing stops cleanly once this many requests were sent or seconds passed.
    max_requests: int | None = None
    time_budget: float | None = None
    # This run probes only shard ``index`` of ``count`` (1-based), for a CI matrix. Split again over
    # pytest-xdist workers, ``count`` is the user's shard count times the workers', and ``user_shards``
    # the user's (operations of the user's other shards are said to be in those).
    shard: tuple[int, int] | None = None
    user_shards: int = 0
    # Identifiers guessed next to each attacker's own, per slot (0: no guessing).
    guesses: int = 4
    # Requests generated per foreign-identifier probe of an operation with a body: more examples,
    # more chances that a field the API trusts carries the victim's identifier past a check.
    examples: int = 1
    # Reads probed side by side, one thread each (see :mod:`.side_by_side`); 1: one at a time.
    workers: int = 1
    # Probe kinds turned off, by name (``storm``, ``cancellation``, ...).
    skip_probes: frozenset[str] = frozenset()
    # Storms: rounds per operation, and the most requests in flight in one burst; rounds of
    # abandoned requests per operation (each tenant abandons one per round).
    storm_rounds: int = 2
    storm_burst: int = 6
    cancellation_rounds: int = 1

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
        if self.max_requests is not None and self.max_requests < 1:
            raise ConfigurationError(
                f"max_requests={self.max_requests!r} must be at least 1, e.g. --isolation-max-requests=5000."
            )
        if self.time_budget is not None and not self.time_budget > 0:
            raise ConfigurationError(
                f"time_budget={self.time_budget!r} must be a positive number of seconds, e.g. "
                "--isolation-time-budget=600."
            )
        if self.shard is not None and not 1 <= self.shard[0] <= self.shard[1]:
            index, count = self.shard
            raise ConfigurationError(
                f"shard={index}/{count}: the shard must be between 1 and {count}, e.g. "
                f"--isolation-shard=1/{count}."
            )
        if self.guesses < 0:
            raise ConfigurationError(f"guesses={self.guesses!r} must be 0 or more.")
        if self.examples < 1:
            raise ConfigurationError(f"examples={self.examples!r} must be at least 1.")
        if not isinstance(self.skip_probes, frozenset):
            raise ConfigurationError(
                f"skip_probes={self.skip_probes!r} must be a frozenset of probe kind names, e.g. "
                'frozenset({"storm"}).'
            )
        if not isinstance(self.workers, int) or isinstance(self.workers, bool) or self.workers < 1:
            raise ConfigurationError(
                f"workers={self.workers!r} must be a whole number of at least 1, e.g. --isolation-workers=4."
            )
        counts = (self.storm_rounds, self.storm_burst, self.cancellation_rounds)
        if any(not isinstance(count, int) or isinstance(count, bool) for count in counts) or (
            self.storm_rounds < 1 or self.storm_burst < 2 or self.cancellation_rounds < 1
        ):
            raise ConfigurationError(
                f"storm_rounds={self.storm_rounds!r}, storm_burst={self.storm_burst!r}, cancellation_rounds="
                f"{self.cancellation_rounds!r}: storms and cancellations need at least 1 round, and bursts at "
                "least 2 requests."
            )
