"""The HTML report as an isolation-harness plugin: ``--report-html`` (CLI), ``--isolation-report-html`` (pytest)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from isolation_harness import (
    CampaignListener,
    CampaignResult,
    ConfigurationError,
    ResolvedSetting,
    SettingSpec,
    hookimpl,
)

from .render import render_html

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
def isolation_harness_listeners(settings: Mapping[str, ResolvedSetting]) -> Sequence[CampaignListener]:
    """No listener: this hook runs before the campaign starts, the moment to refuse a path it cannot write."""
    target = settings.get(SETTING.name)
    if target is not None and target.value:
        problem = _unwritable(Path(target.value))
        if problem:
            raise _cannot_write(target, problem)
    return []


@hookimpl
def isolation_harness_campaign_finished(
    result: CampaignResult, settings: Mapping[str, ResolvedSetting]
) -> None:
    target = settings.get(SETTING.name)
    if target is None or not target.value:
        return
    try:
        write_atomically(Path(target.value), render_html(result))
    except OSError as exc:
        raise _cannot_write(target, exc.strerror or str(exc)) from None


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` at once: a reader sees the old page or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        # mkstemp makes the file private; a report is an ordinary file for CI to publish.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _unwritable(path: Path) -> str:
    """Why the page could not be written at ``path``, or ``""``."""
    if path.is_dir():
        return "it is a directory"
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{ancestor} is not a directory"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"the directory {ancestor} is not writable"
    return ""


def _cannot_write(target: ResolvedSetting, problem: str) -> ConfigurationError:
    return ConfigurationError(
        lambda option: (
            f"{option}={target.value!r} (from {target.source}): cannot write the report there: {problem}. "
            "Pass a file path in a directory you can write to."
        ),
        setting=SETTING.name,
        value=target.value,
        fix="Pass a file path in a directory you can write to.",
        option=SETTING.option,
    )
