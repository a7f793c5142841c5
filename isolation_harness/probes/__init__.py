"""Probe kinds: small units, each in its own module, that plan probes for an operation.

The built-in ones, in the order they run for each operation: reads without credentials, search
terms, guessed identifiers, own reads, foreign identifiers, then the cross-talk kinds (cache warm,
storm, cancellation); once every operation was probed, tombstones. A plugin adds its own through the ``isolation_harness_probe_kinds`` hook.
"""

from __future__ import annotations

from ..exchange import Burst, Probe
from .anonymous import AnonymousProbes
from .base import ProbeKind
from .cache_warm import CacheWarmProbes
from .cancellation import CancellationProbes
from .foreign import ForeignIdentifierProbes
from .guessed import GuessedIdentifierProbes
from .own_reads import OwnReadProbes
from .search import SearchProbes
from .storm import StormProbes
from .tombstones import TombstoneProbes


def builtin_probe_kinds() -> list[ProbeKind]:
    """The probe kinds every campaign runs, in order."""
    return [
        AnonymousProbes(),
        SearchProbes(),
        GuessedIdentifierProbes(),
        OwnReadProbes(),
        ForeignIdentifierProbes(),
        CacheWarmProbes(),
        StormProbes(),
        CancellationProbes(),
        TombstoneProbes(),
    ]


__all__ = [
    "AnonymousProbes",
    "Burst",
    "CacheWarmProbes",
    "CancellationProbes",
    "ForeignIdentifierProbes",
    "GuessedIdentifierProbes",
    "OwnReadProbes",
    "Probe",
    "ProbeKind",
    "SearchProbes",
    "StormProbes",
    "TombstoneProbes",
    "builtin_probe_kinds",
]
