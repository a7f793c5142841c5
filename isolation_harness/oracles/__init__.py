"""Oracles: small judges, each in its own module, that say whether data crossed tenants in one exchange.

The built-in ones, in the order they judge: canary, owner view, search hit, write effect, status
only. A plugin adds its own through the ``isolation_harness_oracles`` hook.
"""

from __future__ import annotations

from .base import Evidence, Exchange, Oracle
from .canary import CanaryOracle
from .owner_view import OwnerViewOracle
from .search_hit import SearchHitOracle
from .status_only import StatusOnlyOracle
from .write_effect import WriteEffectOracle


def builtin_oracles() -> list[Oracle]:
    """The oracles every campaign runs, in judging order."""
    return [CanaryOracle(), OwnerViewOracle(), SearchHitOracle(), WriteEffectOracle(), StatusOnlyOracle()]


__all__ = [
    "CanaryOracle",
    "Evidence",
    "Exchange",
    "Oracle",
    "OwnerViewOracle",
    "SearchHitOracle",
    "StatusOnlyOracle",
    "WriteEffectOracle",
    "builtin_oracles",
]
