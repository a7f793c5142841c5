"""Settings: where each value comes from (option, environment, pyproject.toml).

Precedence, highest first: command-line option, environment variable, ``[tool.isolation_harness]``
in ``pyproject.toml``, default. The report header says which source each value came from.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError, did_you_mean
from .schema import known_keys


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its option, environment variable and pyproject key."""

    name: str
    option: str
    env: str
    help: str
    default: str | None = None


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "schema",
        "--isolation-schema",
        "ISOLATION_SCHEMA",
        "API description: an OpenAPI URL, a file (with --isolation-base-url), or module:attr naming an "
        "ASGI/WSGI app tested in-process.",
    ),
    SettingSpec(
        "base_url",
        "--isolation-base-url",
        "ISOLATION_BASE_URL",
        "Where the API runs, when the description is a file or should be reached over HTTP.",
    ),
    SettingSpec(
        "config",
        "--isolation-config",
        "ISOLATION_CONFIG",
        "Isolation config file (TOML): how tenants sign up and log in, what to exclude.",
    ),
    SettingSpec(
        "tenants", "--isolation-tenants", "ISOLATION_TENANTS", "Number of tenants (at least 2).", "2"
    ),
    SettingSpec("seed", "--isolation-seed", "ISOLATION_SEED", "Seed for tenants' data and canaries.", "0"),
    SettingSpec(
        "report_json",
        "--isolation-report-json",
        "ISOLATION_REPORT_JSON",
        "Write the JSON report here; findings are written as they are found.",
    ),
    SettingSpec(
        "campaign",
        "--isolation-campaign",
        "ISOLATION_CAMPAIGN",
        "on: add one test item per API operation; off: only provide the tenant fixtures.",
        "on",
    ),
    SettingSpec(
        "hooks",
        "--isolation-hooks",
        "ISOLATION_HOOKS",
        "A Python module (package.module) or file (hooks.py) with hook functions, loaded by the CLI and "
        "pytest alike.",
    ),
)
SETTING_NAMES = tuple(spec.name for spec in SETTINGS)

# Why a whole-number setting has its minimum, said after "must be at least N".
_WHY_AT_LEAST = {"tenants": "a campaign needs one tenant to attack and another to be attacked"}


@dataclass(frozen=True)
class ResolvedSetting:
    """A setting's value and where it came from: option, env, pyproject.toml or default."""

    value: str | None
    source: str


def read_pyproject(
    rootdir: Path, *, specs: Sequence[SettingSpec] = SETTINGS
) -> tuple[dict[str, Any], Path | None]:
    """The ``[tool.isolation_harness]`` table of the nearest pyproject.toml at or above ``rootdir``.

    The table holds settings (``specs``) and may hold the isolation config itself: its tables
    ``api``, ``tenants`` and ``campaign`` (see :func:`isolation_harness.config.config_from_pyproject`).
    """
    for directory in (rootdir, *rootdir.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigurationError(
                    f"Cannot read {candidate}: {exc}. Fix the TOML syntax.", fix="Fix the TOML syntax."
                ) from None
            table = data.get("tool", {}).get("isolation_harness", {})
            if not isinstance(table, dict):
                raise ConfigurationError(
                    f"[tool.isolation_harness] in {candidate} must be a table.",
                    value=table,
                    fix="Write it as a [tool.isolation_harness] table.",
                )
            names = tuple(spec.name for spec in specs)
            known = names + tuple(key for key in known_keys() if key not in names)
            unknown = [key for key in table if key not in known]
            if unknown:
                key = unknown[0]
                fix = f"{did_you_mean(key, known)} Known keys: {', '.join(known)}.".lstrip()
                raise ConfigurationError(
                    f"Unknown key {key!r} in [tool.isolation_harness] of {candidate}. {fix}",
                    setting=key,
                    value=table[key],
                    fix=fix,
                )
            return table, candidate
    return {}, None


def resolve_settings(
    options: Mapping[str, str | None],
    environ: Mapping[str, str],
    pyproject: Mapping[str, Any],
    *,
    specs: Sequence[SettingSpec] = SETTINGS,
) -> dict[str, ResolvedSetting]:
    """Resolve each setting from option, environment, pyproject and default, in that order.

    In ``pyproject``, a table under a name the isolation config uses (``[tool.isolation_harness.tenants]``)
    is the isolation config's, not the setting's.
    """
    config_keys = known_keys()
    out: dict[str, ResolvedSetting] = {}
    for spec in specs:
        in_pyproject = spec.name in pyproject and not (
            spec.name in config_keys and isinstance(pyproject[spec.name], dict)
        )
        if options.get(spec.name) not in (None, ""):
            out[spec.name] = ResolvedSetting(str(options[spec.name]), "option")
        elif environ.get(spec.env):
            out[spec.name] = ResolvedSetting(environ[spec.env], "env")
        elif in_pyproject:
            out[spec.name] = ResolvedSetting(_pyproject_value(spec, pyproject[spec.name]), "pyproject.toml")
        else:
            out[spec.name] = ResolvedSetting(spec.default, "default")
    return out


def _pyproject_value(spec: SettingSpec, value: Any) -> str:
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ConfigurationError(
        lambda option: (
            f"{spec.name} in [tool.isolation_harness] must be a string or a number, as {option} takes, "
            f"got {value!r}."
        ),
        setting=spec.name,
        value=value,
        fix=lambda option: f"Set {spec.name} to the value you would pass to {option}.",
        option=spec.option,
    )


def parse_switch(setting: str, resolved: ResolvedSetting, *, specs: Sequence[SettingSpec] = SETTINGS) -> bool:
    """An on/off setting."""
    spec = _spec(setting, specs)
    value = str(resolved.value).strip().lower()
    if value in ("on", "true", "yes", "1"):
        return True
    if value in ("off", "false", "no", "0"):
        return False
    raise ConfigurationError(
        lambda option: f"{option}={resolved.value!r} (from {resolved.source}) must be 'on' or 'off'.",
        setting=setting,
        value=resolved.value,
        fix=lambda option: f"Pass {option}=on or {option}=off.",
        option=spec.option,
    )


def parse_int(
    setting: str,
    resolved: ResolvedSetting,
    *,
    minimum: int | None = None,
    specs: Sequence[SettingSpec] = SETTINGS,
) -> int:
    """A whole-number setting, at least ``minimum`` when given."""
    spec = _spec(setting, specs)
    try:
        value = int(str(resolved.value))
    except ValueError:
        example = spec.default if spec.default is not None else str(minimum or 0)

        def fix(option: str) -> str:
            return f"Pass e.g. {option}={example}."

        raise ConfigurationError(
            lambda option: (
                f"{option}={resolved.value!r} (from {resolved.source}) is not a whole number. {fix(option)}"
            ),
            setting=setting,
            value=resolved.value,
            fix=fix,
            option=spec.option,
        ) from None
    if minimum is not None and value < minimum:
        why = f": {_WHY_AT_LEAST[setting]}" if setting in _WHY_AT_LEAST else ""
        raise ConfigurationError(
            lambda option: f"{option}={value} (from {resolved.source}) must be at least {minimum}{why}.",
            setting=setting,
            value=value,
            fix=lambda option: f"Pass {option}={minimum} or more.",
            option=spec.option,
        )
    return value


def _spec(setting: str, specs: Sequence[SettingSpec]) -> SettingSpec:
    return next(spec for spec in specs if spec.name == setting)
