"""Shards: a deterministic split of the operations, so a CI matrix probes each operation once."""

from __future__ import annotations

from collections.abc import Iterable


def shard_of(labels: Iterable[str], count: int) -> dict[str, int]:
    """Each operation's shard (1-based) of ``count``: round robin over the labels in sorted order,
    so the split depends only on the API description, never on the run."""
    return {label: position % count + 1 for position, label in enumerate(sorted(set(labels)))}
