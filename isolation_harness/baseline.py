"""Baselines: findings accepted once, by fingerprint, so that only new findings fail a later run.

The file is JSON, written sorted so that two runs that found the same things write the same bytes::

    {"version": 1, "findings": [{"fingerprint": "…", "operation": "GET /x", "kind": "…", ...}]}

Only ``fingerprint`` counts; the rest says, for a person reading the file, what was accepted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config.settings import SETTINGS
from .errors import ConfigurationError, Phrase
from .events import CampaignResult
from .model import Finding

BASELINE_VERSION = 1
_OPTION = next(spec.option for spec in SETTINGS if spec.name == "baseline")
_REWRITE = "Write it again with `isolation-harness baseline`."


@dataclass(frozen=True)
class BaselineEntry:
    """What one accepted fingerprint stands for: the operation, kind, slot and oracle of its finding."""

    operation: str
    kind: str
    slot: str
    oracle: str


class Baseline:
    """A set of accepted findings' fingerprints."""

    def __init__(self, entries: Mapping[str, BaselineEntry] | None = None) -> None:
        self.entries: dict[str, BaselineEntry] = dict(entries or {})

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def accepts(self, finding: Finding) -> bool:
        """Whether the finding is one the baseline accepted."""
        return finding.fingerprint in self.entries

    @classmethod
    def from_findings(cls, findings: Iterable[Finding]) -> Baseline:
        """A baseline accepting these findings (those allowed by a rule need none and are left out)."""
        entries: dict[str, BaselineEntry] = {}
        for finding in findings:
            if finding.allowed:
                continue
            entry = BaselineEntry(finding.operation, finding.kind.value, finding.generic_slot, finding.oracle)
            # One fingerprint, several findings (each direction between tenants): the same words each run.
            known = entries.get(finding.fingerprint)
            if known is None or _order(entry) < _order(known):
                entries[finding.fingerprint] = entry
        return cls(entries)

    @classmethod
    def from_result(cls, result: CampaignResult) -> Baseline:
        """A baseline accepting every finding of a campaign."""
        return cls.from_findings(result.findings)

    def to_dict(self) -> dict[str, Any]:
        ordered = sorted(self.entries.items(), key=lambda item: (*_order(item[1]), item[0]))
        return {
            "version": BASELINE_VERSION,
            "findings": [
                {
                    "fingerprint": fingerprint,
                    "operation": entry.operation,
                    "kind": entry.kind,
                    "oracle": entry.oracle,
                    "slot": entry.slot,
                }
                for fingerprint, entry in ordered
            ],
        }

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the baseline as JSON; the same findings give the same bytes."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        Path(path).write_text(text, encoding="utf-8")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Baseline:
        """The baseline in the file at ``path``; ConfigurationError saying what is wrong with it."""
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:

            def fix(option: str) -> str:
                return (
                    f"Check {option} (or ISOLATION_BASELINE), or write one with `isolation-harness baseline`."
                )

            raise _error(
                lambda option: (
                    f"Baseline file not found: {str(path)!r} (resolved to {file.absolute()}). {fix(option)}"
                ),
                path,
                fix=fix,
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise _error(f"{file}: cannot read the baseline file: {exc}.", path) from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise _error(f"{file}: not a baseline file: invalid JSON ({exc}). {_REWRITE}", path) from None
        return cls(_entries(data, file))


def _entries(data: Any, file: Path) -> dict[str, BaselineEntry]:
    if not isinstance(data, dict) or "version" not in data:
        raise _error(f'{file}: not a baseline file: no "version". {_REWRITE}', file)
    if data["version"] != BASELINE_VERSION:
        raise _error(
            f"{file}: baseline version {data['version']!r} is not supported (this isolation-harness reads "
            f"version {BASELINE_VERSION}). {_REWRITE}",
            file,
        )
    items = data.get("findings")
    if not isinstance(items, list):
        raise _error(f'{file}: "findings" must be a list, got {items!r}. {_REWRITE}', file)
    entries: dict[str, BaselineEntry] = {}
    for number, item in enumerate(items):
        fingerprint = item.get("fingerprint") if isinstance(item, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            raise _error(f"{file}: findings[{number}] has no fingerprint: {item!r}. {_REWRITE}", file)
        entries[fingerprint] = BaselineEntry(
            str(item.get("operation", "")),
            str(item.get("kind", "")),
            str(item.get("slot", "")),
            str(item.get("oracle", "")),
        )
    return entries


def _order(entry: BaselineEntry) -> tuple[str, str, str, str]:
    return (entry.operation, entry.kind, entry.oracle, entry.slot)


def _error(message: Phrase, path: str | os.PathLike[str], *, fix: Phrase = _REWRITE) -> ConfigurationError:
    return ConfigurationError(message, setting="baseline", value=str(path), fix=fix, option=_OPTION)
