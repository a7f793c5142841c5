"""The HTML report as an isolation-harness plugin: ``--report-html`` (CLI), ``--isolation-report-html`` (pytest)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from isolation_harness import CampaignListener, ResolvedSetting, SettingSpec, hookimpl

if TYPE_CHECKING:
    from isolation_harness import Redactor

SETTING = SettingSpec(
    "report_html",
    "--isolation-report-html",
    "ISOLATION_REPORT_HTML",
    "Write the campaign as one self-contained HTML page here.",
)


@hookimpl
def isolation_harness_settings() -> Sequence[SettingSpec]:
    return [SETTING]


@hookimpl
def isolation_harness_listeners(
    settings: Mapping[str, ResolvedSetting], redactor: Redactor
) -> Sequence[CampaignListener]:
    """The report when ``report_html`` is set; a path it could not write is refused before the campaign starts."""
    target = settings.get(SETTING.name)
    if target is None or not target.value:
        return []
    # Imported here: this module loads in every pytest run, most of which write no report.
    from isolation_harness import ReportMeta, check_report_path

    from .report import HtmlReport

    path = Path(target.value)
    check_report_path(SETTING.name, target, path)
    return [HtmlReport(path, ReportMeta(), redactor)]
