"""How a campaign runs: the engine's own settings, validated when made."""

from __future__ import annotations

from dataclasses import dataclass, field

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
