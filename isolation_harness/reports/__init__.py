"""Every report a campaign writes, from the one stream of events: JSON, NDJSON, SARIF, JUnit, Markdown.

Each report is a :class:`~isolation_harness.events.CampaignListener`; :func:`open_reports` builds one
for each report setting that has a value. The last write happens on ``CampaignFinished``, which a
front end may emit again after it set ``result.gate`` (the last write wins).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from ..config import SETTINGS, ResolvedSetting
from ..errors import ConfigurationError
from ..events import CampaignListener
from ..redaction import Redactor
from .base import FileReport, ReportMeta
from .json_report import JsonReport, report_dict
from .junit import JunitReport
from .markdown import MarkdownReport, render_markdown
from .ndjson import NdjsonReport
from .sarif import SarifReport, sarif_dict
from .text import format_finding, summarize, terminal_summary

__all__ = [
    "FileReport",
    "JsonReport",
    "JunitReport",
    "MarkdownReport",
    "NdjsonReport",
    "ReportMeta",
    "SarifReport",
    "check_report_path",
    "format_finding",
    "open_reports",
    "render_markdown",
    "report_dict",
    "report_lines",
    "sarif_dict",
    "summarize",
    "terminal_summary",
]

_Writer = Callable[[Path, ReportMeta, Redactor], CampaignListener]

# Each report setting and the writer it opens, in the order they are written.
WRITERS: dict[str, _Writer] = {
    "report_json": JsonReport,
    "report_ndjson": NdjsonReport,
    "report_sarif": SarifReport,
    "report_junit": JunitReport,
    "report_markdown": MarkdownReport,
}


# How the summary names each report (a plugin's report: its setting's name, ``report_x`` -> ``X``).
_LABELS = {
    "report_json": "JSON",
    "report_ndjson": "NDJSON",
    "report_sarif": "SARIF",
    "report_junit": "JUnit",
    "report_markdown": "Markdown",
    "report_html": "HTML",
}


def report_lines(settings: Mapping[str, ResolvedSetting]) -> list[str]:
    """``JSON report: path``, one line for each report the settings ask for, as the summary ends."""
    return [
        f"{_LABELS.get(name, name.removeprefix('report_').upper())} report: {setting.value}"
        for name, setting in settings.items()
        if name.startswith("report_") and setting.value
    ]


def open_reports(
    settings: Mapping[str, ResolvedSetting], meta: ReportMeta, *, redactor: Redactor | None = None
) -> list[CampaignListener]:
    """A writer for each report setting that has a value; ConfigurationError for a path that cannot be written.

    ``redactor`` is the campaign's: every line a report writes goes through it.
    """
    redactor = redactor or Redactor()
    reports: list[CampaignListener] = []
    for name, writer in WRITERS.items():
        setting = settings.get(name)
        if setting is None or not setting.value:
            continue
        path = Path(setting.value)
        check_report_path(name, setting, path)
        reports.append(writer(path, meta, redactor))
    return reports


def check_report_path(name: str, setting: ResolvedSetting, path: Path) -> None:
    """Refuse, before the campaign starts, a report path the run could not write (a plugin's report
    too: ``name`` is its setting's name)."""
    option = next(
        (spec.option for spec in SETTINGS if spec.name == name), f"--isolation-{name.replace('_', '-')}"
    )
    problem = ""
    if path.is_dir():
        problem = "it is a directory"
    else:
        ancestor = path.parent
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            problem = f"{ancestor} is not a directory"
        elif not os.access(ancestor, os.W_OK | os.X_OK):
            problem = f"the directory {ancestor} is not writable"
        elif path.exists() and not os.access(path, os.W_OK):
            problem = "the file is not writable"
    if problem:
        raise ConfigurationError(
            lambda option: (
                f"{option}={setting.value!r} (from {setting.source}): cannot write the report there: "
                f"{problem}. Pass a file path in a directory you can write to."
            ),
            setting=name,
            value=setting.value,
            fix="Pass a file path in a directory you can write to.",
            option=option,
        )
