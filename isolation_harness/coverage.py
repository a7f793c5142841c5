"""What a campaign did for each operation: probes per kind, the slots they went through, and why some
could not be made or judged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Coverage:
    """What the campaign did for one operation."""

    operation: str
    probes: int = 0
    slots: list[str] = field(default_factory=list)
    # Every reason some probe could not be made, flat: the operation's own and each probe kind's.
    skipped: list[str] = field(default_factory=list)
    # Probes sent per probe kind, and why a kind made none (or not every one).
    kinds: dict[str, int] = field(default_factory=dict)
    gaps: dict[str, list[str]] = field(default_factory=dict)
    # Why the operation is out of this run on purpose (configuration, a selection, another shard).
    excluded: str = ""
    # Probes per probe kind that got no answer that could be judged (none, a 5xx, a 429).
    unjudged: dict[str, int] = field(default_factory=dict)

    @property
    def covered(self) -> bool:
        """Whether any probe reached the operation."""
        return self.probes > 0

    def probed(self, slot: str, *, kind: str = "") -> None:
        """Count one probe of ``kind`` sent through ``slot``."""
        self.probes += 1
        if kind:
            self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if slot not in self.slots:
            self.slots.append(slot)

    def skip(self, reason: str, *, kind: str = "") -> None:
        """Say (once) why some probe (of ``kind``, when given) could not be made."""
        if reason not in self.skipped:
            self.skipped.append(reason)
        if kind:
            reasons = self.gaps.setdefault(kind, [])
            if reason not in reasons:
                reasons.append(reason)

    def unanswered(self, *, kind: str) -> None:
        """Count one probe of ``kind`` that got no answer that could be judged (the errors say why)."""
        self.unjudged[kind] = self.unjudged.get(kind, 0) + 1
        self.skip("no answer that could be judged (see the probe errors)", kind=kind)

    def exclude(self, reason: str) -> None:
        """The operation is out of this run on purpose."""
        self.excluded = self.excluded or reason
        self.skip(reason)

    def to_dict(self) -> dict[str, Any]:
        return {
            "probes": self.probes,
            "slots": list(self.slots),
            "skipped": list(self.skipped),
            "kinds": dict(self.kinds),
            "gaps": {kind: list(reasons) for kind, reasons in self.gaps.items()},
            "excluded": self.excluded,
            "unjudged": dict(self.unjudged),
        }

    @classmethod
    def from_dict(cls, operation: str, data: Mapping[str, Any]) -> Coverage:
        """The coverage :meth:`to_dict` gave."""
        return cls(
            operation,
            int(data["probes"]),
            list(data["slots"]),
            list(data["skipped"]),
            {str(kind): int(count) for kind, count in data.get("kinds", {}).items()},
            {str(kind): list(reasons) for kind, reasons in data.get("gaps", {}).items()},
            str(data.get("excluded", "")),
            {str(kind): int(count) for kind, count in data.get("unjudged", {}).items()},
        )
