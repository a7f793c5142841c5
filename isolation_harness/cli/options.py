"""Settings as command-line options: the pytest options without their ``--isolation-`` prefix."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from ..config import SETTINGS, ResolvedSetting, SettingSpec, read_pyproject, resolve_settings
from ..errors import ConfigurationError

_F = TypeVar("_F", bound=Callable[..., Any])

# Settings that only mean something under pytest.
_PYTEST_ONLY = ("campaign",)


def cli_option(spec: SettingSpec) -> str:
    """How the command line spells a setting's option."""
    return spec.option.replace("--isolation-", "--")


def cli_words(message: str) -> str:
    """Messages name pytest's options; on the command line the same settings drop the prefix."""
    return message.replace("--isolation-", "--")


def all_specs(extra: Sequence[SettingSpec]) -> list[SettingSpec]:
    return [spec for spec in (*SETTINGS, *extra) if spec.name not in _PYTEST_ONLY]


def setting_options(specs: Sequence[SettingSpec]) -> Callable[[_F], _F]:
    """Decorate a command with one option per setting."""

    def decorate(function: _F) -> _F:
        for spec in reversed(specs):
            function = click.option(
                cli_option(spec),
                spec.name,
                default=None,
                metavar=spec.name.upper(),
                help=cli_words(f"{spec.help} Env: {spec.env}."),
            )(function)
        return function

    return decorate


def resolve(
    options: Mapping[str, Any], specs: Sequence[SettingSpec]
) -> tuple[dict[str, ResolvedSetting], dict[str, Any], Path | None]:
    """The settings (option, environment, pyproject.toml, default) and the pyproject table."""
    values = {spec.name: options.get(spec.name) for spec in specs}
    pyproject, pyproject_path = read_pyproject(Path.cwd(), specs=specs)
    settings = resolve_settings(values, os.environ, pyproject, specs=specs)
    settings.setdefault("campaign", ResolvedSetting("on", "default"))
    return settings, pyproject, pyproject_path


def usage_error(exc: ConfigurationError, specs: Sequence[SettingSpec]) -> str:
    """A configuration error as the command line says it."""
    spelled = {spec.name: cli_option(spec) for spec in specs}
    return f"isolation-harness: error: {cli_words(str(exc.reworded(spelled)))}"
