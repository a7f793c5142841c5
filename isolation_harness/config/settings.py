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
        "report_ndjson",
        "--isolation-report-ndjson",
        "ISOLATION_REPORT_NDJSON",
        "Write the event log here: one JSON line per event, as the run goes.",
    ),
    SettingSpec(
        "report_sarif",
        "--isolation-report-sarif",
        "ISOLATION_REPORT_SARIF",
        "Write the findings as SARIF 2.1.0 here (for code-scanning pages).",
    ),
    SettingSpec(
        "report_junit",
        "--isolation-report-junit",
        "ISOLATION_REPORT_JUNIT",
        "Write JUnit XML here: one test case per operation, and one for the gate.",
    ),
    SettingSpec(
        "report_markdown",
        "--isolation-report-markdown",
        "ISOLATION_REPORT_MARKDOWN",
        "Append a Markdown summary here (e.g. $GITHUB_STEP_SUMMARY): operations x verdicts, then each finding.",
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
    SettingSpec(
        "baseline",
        "--isolation-baseline",
        "ISOLATION_BASELINE",
        "A baseline file of accepted findings (JSON, from `isolation-harness baseline`): findings in it are "
        "reported as baselined and never fail the run.",
    ),
    SettingSpec(
        "profile",
        "--isolation-profile",
        "ISOLATION_PROFILE",
        "quick (a CI gate: 2 tenants, no guessed identifiers), standard, or deep (a long campaign: "
        "3 tenants, identifier enumeration); explicit settings win.",
        "standard",
    ),
    SettingSpec(
        "min_coverage",
        "--isolation-min-coverage",
        "ISOLATION_MIN_COVERAGE",
        "Fail (exit 4) when fewer operations than this got a probe: a fraction or a percentage "
        "(default 50%).",
    ),
    SettingSpec(
        "max_error_rate",
        "--isolation-max-error-rate",
        "ISOLATION_MAX_ERROR_RATE",
        "Fail (exit 4) when more requests than this could not be judged (5xx, timeouts): a fraction or "
        "a percentage (default 20%).",
    ),
    SettingSpec(
        "max_requests",
        "--isolation-max-requests",
        "ISOLATION_MAX_REQUESTS",
        "Stop probing cleanly after this many requests; the coverage says what was not reached.",
    ),
    SettingSpec(
        "time_budget",
        "--isolation-time-budget",
        "ISOLATION_TIME_BUDGET",
        "Stop probing cleanly after this long (600, 90s, 10m, 1h); the coverage says what was not reached.",
    ),
    SettingSpec(
        "shard",
        "--isolation-shard",
        "ISOLATION_SHARD",
        "Probe only shard I of N (1/3) of the operations, for a CI matrix; merge the JSON reports after.",
    ),
    SettingSpec(
        "workers",
        "--isolation-workers",
        "ISOLATION_WORKERS",
        "Probe this many reads side by side, each on its own thread (over HTTP, a server that answers "
        "slowly); the findings are those of a run with 1.",
        "1",
    ),
    SettingSpec(
        "skip_probes",
        "--isolation-skip-probes",
        "ISOLATION_SKIP_PROBES",
        "Probe kinds to turn off, comma-separated (e.g. storm,cancellation: the concurrent ones, for an API "
        "that must not get many requests at once).",
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
            if not table:
                return table, candidate
            names = tuple(spec.name for spec in specs)
            known = names + tuple(key for key in _config_keys() if key not in names)
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
    config_keys = _config_keys() if pyproject else ()
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


def _config_keys() -> tuple[str, ...]:
    """The isolation config's top-level keys; its schema (and jsonschema_rs) is loaded on first use,
    so that the pytest plugin reads its settings cheaply in a project that does not use it."""
    from .schema import known_keys

    return known_keys()


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


def _not_a(
    setting: str, resolved: ResolvedSetting, specs: Sequence[SettingSpec], what: str, examples: str
) -> ConfigurationError:
    """A setting's value that is not ``what``, with ``examples`` of good values (``{option}`` in them)."""

    def fix(option: str) -> str:
        return "Pass e.g. " + examples.format(option=option) + "."

    return ConfigurationError(
        lambda option: f"{option}={resolved.value!r} (from {resolved.source}) is not {what}. {fix(option)}",
        setting=setting,
        value=resolved.value,
        fix=fix,
        option=_spec(setting, specs).option,
    )


def parse_fraction(
    setting: str, resolved: ResolvedSetting, *, specs: Sequence[SettingSpec] = SETTINGS
) -> float:
    """A share between 0 and 1, written as a fraction (0.8) or a percentage (80%)."""
    text = str(resolved.value).strip()
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise _not_a(
            setting,
            resolved,
            specs,
            "a fraction between 0 and 1 or a percentage",
            "{option}=0.8 or {option}=80%",
        )
    return value


_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


def parse_duration(
    setting: str, resolved: ResolvedSetting, *, specs: Sequence[SettingSpec] = SETTINGS
) -> float:
    """A positive number of seconds, or a number with a unit: 90s, 10m, 1h."""
    text = str(resolved.value).strip().lower()
    unit = text[-1:] if text[-1:] in ("s", "m", "h") else ""
    try:
        value = float(text[: len(text) - len(unit)]) * _UNITS[unit]
    except ValueError:
        value = 0.0
    if not value > 0:
        raise _not_a(
            setting,
            resolved,
            specs,
            "a duration",
            "{option}=600 (seconds), {option}=10m or {option}=1h",
        )
    return value


def parse_names(
    setting: str,
    resolved: ResolvedSetting,
    known: Sequence[str],
    *,
    what: str,
    specs: Sequence[SettingSpec] = SETTINGS,
) -> frozenset[str]:
    """Comma-separated names, each one of ``known`` (each ``what``: "a probe kind"); empty when the
    setting has no value."""
    spelled = {name.lower(): name for name in known}
    given = [name.strip() for name in str(resolved.value or "").split(",") if name.strip()]
    names = [spelled.get(name.lower(), name) for name in given]
    unknown = [name for name in names if name not in known]
    if unknown:
        wrong = unknown[0]
        hint = did_you_mean(wrong, known)
        raise ConfigurationError(
            lambda option: (
                f"{option}={resolved.value!r} (from {resolved.source}): {wrong!r} is not {what}."
                f"{hint} Known: {', '.join(known)}."
            ),
            setting=setting,
            value=resolved.value,
            fix=lambda option: f"Pass e.g. {option}={known[-1]}.",
            option=_spec(setting, specs).option,
        )
    return frozenset(names)


def parse_shard(
    setting: str, resolved: ResolvedSetting, *, specs: Sequence[SettingSpec] = SETTINGS
) -> tuple[int, int]:
    """``I/N``: shard I (from 1) of N."""
    index, _, count = str(resolved.value).strip().partition("/")
    if index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count):
        return int(index), int(count)
    raise _not_a(
        setting,
        resolved,
        specs,
        "a shard I/N with 1 <= I <= N",
        "{option}=1/2 and {option}=2/2 in two jobs",
    )
