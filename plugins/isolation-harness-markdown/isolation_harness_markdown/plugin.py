"""The Markdown report as an isolation-harness plugin: ``--report-markdown`` (CLI), ``--isolation-report-markdown`` (pytest)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from isolation_harness import CampaignResult, ResolvedSetting, SettingSpec, hookimpl

from .render import render_markdown

SETTING = SettingSpec(
    "report_markdown",
    "--isolation-report-markdown",
    "ISOLATION_REPORT_MARKDOWN",
    "Write the campaign's findings as Markdown here (appends, for CI job summaries).",
)


@hookimpl
def isolation_harness_settings() -> Sequence[SettingSpec]:
    return [SETTING]


@hookimpl
def isolation_harness_campaign_finished(
    result: CampaignResult, settings: Mapping[str, ResolvedSetting]
) -> None:
    target = settings.get(SETTING.name)
    if target is None or not target.value:
        return
    path = Path(target.value)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(render_markdown(result) + "\n")
