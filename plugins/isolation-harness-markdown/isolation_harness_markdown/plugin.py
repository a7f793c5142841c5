"""pytest plugin: ``--isolation-report-markdown=PATH``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from isolation_harness import CampaignResult

from .render import render_markdown

ENV = "ISOLATION_REPORT_MARKDOWN"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("isolation-harness")
    group.addoption(
        "--isolation-report-markdown",
        dest="isolation_report_markdown",
        default=None,
        metavar="PATH",
        help=f"Write the campaign's findings as Markdown here (appends, for CI job summaries). Env: {ENV}.",
    )


def _target(config: pytest.Config) -> str | None:
    value = config.getoption("isolation_report_markdown") or os.environ.get(ENV)
    return str(value) if value else None


@pytest.hookimpl(optionalhook=True)
def pytest_isolation_campaign_finished(result: CampaignResult, config: pytest.Config) -> None:
    target = _target(config)
    if not target:
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(render_markdown(result) + "\n")
