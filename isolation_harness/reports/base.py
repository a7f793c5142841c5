"""What every report shares: the run's description, atomic writes, and the words for coverage."""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from .._version import __version__
from ..coverage import Coverage
from ..events import CampaignResult, format_percent
from ..model import Finding, Verdict
from ..redaction import Redactor


@dataclass(frozen=True)
class ReportMeta:
    """What a report says about the run besides its result.

    ``source`` is the API description's file path, URL or ``module:app``; ``base_url`` where it was
    tested and ``base_url_reason`` why there; ``config_path`` the isolation config file the run read
    (``""`` when none). Whether suspected findings fail is the result's (``fail_on_suspected``).
    """

    source: str = ""
    base_url: str = ""
    base_url_reason: str = ""
    tool_version: str = __version__
    config_path: str = ""


class FileReport:
    """A report file rewritten whole and atomically each time the report is written."""

    def __init__(self, path: Path, meta: ReportMeta, redactor: Redactor) -> None:
        self.path = path
        self.meta = meta
        self.redactor = redactor
        self._lock = threading.Lock()

    def write_text(self, text: str) -> None:
        """Replace the file with ``text`` (redacted) at once: a reader never sees half a report."""
        text = self.redactor(text)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                # mkstemp makes the file private; a report is an ordinary file for CI to publish.
                os.chmod(temp, 0o644)
                os.replace(temp, self.path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise


def accepted(finding: Finding) -> bool:
    """Allowed (data shared on purpose) or in the baseline: reported, never failing."""
    return bool(finding.allowed) or finding.baselined


def operation_verdict(result: CampaignResult, label: str) -> str:
    """One operation's verdict: confirmed, suspected, baselined, allowed, clean, not probed or excluded."""
    findings = result.findings_for(label)
    live = [f for f in findings if not accepted(f)]
    if any(f.verdict is Verdict.CONFIRMED for f in live):
        return "confirmed"
    if live:
        return "suspected"
    if any(f.baselined for f in findings):
        return "baselined"
    if findings:
        return "allowed"
    coverage = result.coverage.get(label) or Coverage(label)
    if coverage.excluded:
        return f"excluded: {coverage.excluded}"
    if not coverage.covered:
        return f"not probed: {result.why_not_probed(label)}"
    errors = len(result.errors_for(label))
    # An operation whose requests went unanswered is not shown clean.
    return f"unjudged: {errors} probe error{'' if errors == 1 else 's'}" if errors else "clean"


def coverage_line(result: CampaignResult) -> str:
    """``isolation coverage: X of Y operations probed (Z %)``, excluded operations left out of Y."""
    probed, eligible = result.coverage_counts()
    excluded = len(result.coverage) - eligible
    percent = format_percent(result.coverage_ratio())
    return f"isolation coverage: {probed} of {eligible} operations probed ({percent})" + (
        f", {excluded} excluded" if excluded else ""
    )


def gaps(result: CampaignResult) -> dict[str, str]:
    """Each operation, not excluded, that got no probe, with why."""
    out: dict[str, str] = {}
    for label in result.operations:
        coverage = result.coverage.get(label)
        if coverage is not None and not coverage.excluded and not coverage.covered:
            out[label] = result.why_not_probed(label)
    return out


def kind_gaps(coverage: Coverage) -> list[str]:
    """A probed operation's probe kinds that made no (or not every) probe, with why: ``kind: why; why``."""
    return [f"{kind}: {'; '.join(reasons)}" for kind, reasons in coverage.gaps.items() if reasons]
