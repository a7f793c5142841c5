"""Allow rules: data an API shares on purpose (a public catalogue), reported as allowed, never as a leak.

A rule names an operation and, optionally, a finding kind and where in the attacker's response the
other tenant's data may be: a field name (every place the data was seen is a field of that name) or
an RFC 6901 pointer whose ``*`` or ``-`` segments match any array index or key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import ConfigurationError
from .model import Finding, FindingKind

WILDCARDS = frozenset({"*", "-"})


def pointer_segments(pointer: str) -> list[str]:
    """An RFC 6901 pointer's reference tokens, unescaped (``/a~1b/0`` gives ``["a/b", "0"]``)."""
    if not pointer:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


@dataclass(frozen=True)
class AllowRule:
    """Data shared on purpose: findings at ``operation`` (of ``kind``, and only at ``field`` or
    ``pointer`` when given) are allowed for ``reason``."""

    operation: str
    reason: str
    field: str | None = None
    pointer: str | None = None
    kind: FindingKind | None = None

    def __post_init__(self) -> None:
        if not self.operation.strip():
            raise ConfigurationError(
                f"AllowRule(operation={self.operation!r}): name an operation, 'METHOD /path'."
            )
        if not self.reason.strip():
            raise ConfigurationError(
                f"AllowRule(operation={self.operation!r}, reason={self.reason!r}): say why this data is "
                "public on purpose."
            )
        if self.field is not None and self.pointer is not None:
            raise ConfigurationError(
                f"AllowRule(field={self.field!r}, pointer={self.pointer!r}): give a field or a pointer, "
                "not both."
            )
        if self.field is not None and not self.field:
            raise ConfigurationError("AllowRule(field=''): name a JSON field, such as 'name'.")
        if self.pointer is not None and not self.pointer.startswith("/"):
            raise ConfigurationError(
                f"AllowRule(pointer={self.pointer!r}): a JSON pointer starts with '/', such as '/items/*/name'."
            )
        if self.kind is not None and not isinstance(self.kind, FindingKind):
            raise ConfigurationError(
                f"AllowRule(kind={self.kind!r}) must be a FindingKind, such as FindingKind.PUBLIC."
            )

    def describe(self) -> str:
        """What the rule matches: ``operation GET /catalog, field name``."""
        parts = [f"operation {self.operation}"]
        if self.kind is not None:
            parts.append(f"kind {self.kind.value}")
        if self.field is not None:
            parts.append(f"field {self.field}")
        if self.pointer is not None:
            parts.append(f"pointer {self.pointer}")
        return ", ".join(parts)

    def matches(self, finding: Finding) -> bool:
        """Whether the finding is this data shared on purpose.

        With a field or a pointer, the finding must say where the data was (its pointers) and every
        place must match: one place outside the rule is a leak the rule does not cover.
        """
        if finding.operation != self.operation:
            return False
        if self.kind is not None and finding.kind is not self.kind:
            return False
        if self.field is None and self.pointer is None:
            return True
        return bool(finding.pointers) and all(self._matches_pointer(pointer) for pointer in finding.pointers)

    def _matches_pointer(self, pointer: str) -> bool:
        if not pointer.startswith("/"):
            # A header, or a body that is no JSON: no field or pointer of a rule covers it.
            return False
        segments = pointer_segments(pointer)
        if self.field is not None:
            return bool(segments) and segments[-1] == self.field
        assert self.pointer is not None
        pattern = pointer_segments(self.pointer)
        return len(pattern) == len(segments) and all(
            want in WILDCARDS or want == got for want, got in zip(pattern, segments, strict=True)
        )


def allowed_by(rules: Sequence[AllowRule], finding: Finding) -> str:
    """Why the first rule that matches allows the finding (``allow rule 1 (operation GET /x, field
    name): public catalogue``), or ``""`` when none does."""
    for number, rule in enumerate(rules, start=1):
        if rule.matches(finding):
            return f"allow rule {number} ({rule.describe()}): {rule.reason}"
    return ""
