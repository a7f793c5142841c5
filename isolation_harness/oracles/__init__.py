"""Oracles: small judges, each in its own module, that say whether data crossed tenants in one exchange.

The built-in ones, in the order they judge: canary, owner view, search hit, attacker data, write
effect, status only, public exposure (for reads sent without credentials), and shared cache (for
cache-warm probes). A plugin adds its own through the ``isolation_harness_oracles`` hook.
"""

from __future__ import annotations

from .attacker_data import AttackerDataOracle
from .base import Evidence, Exchange, Oracle
from .canary import CanaryOracle
from .owner_view import OwnerViewOracle
from .public_exposure import PublicExposureOracle
from .search_hit import SearchHitOracle
from .shared_cache import SharedCacheOracle
from .status_only import StatusOnlyOracle
from .write_effect import WriteEffectOracle


def builtin_oracles() -> list[Oracle]:
    """The oracles every campaign runs, in judging order."""
    return [
        CanaryOracle(),
        OwnerViewOracle(),
        SearchHitOracle(),
        AttackerDataOracle(),
        WriteEffectOracle(),
        StatusOnlyOracle(),
        PublicExposureOracle(),
        SharedCacheOracle(),
    ]


__all__ = [
    "AttackerDataOracle",
    "CanaryOracle",
    "Evidence",
    "Exchange",
    "Oracle",
    "OwnerViewOracle",
    "PublicExposureOracle",
    "SearchHitOracle",
    "SharedCacheOracle",
    "StatusOnlyOracle",
    "WriteEffectOracle",
    "builtin_oracles",
]
