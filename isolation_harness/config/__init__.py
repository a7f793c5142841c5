"""Settings (option, environment, pyproject.toml) and the isolation config, validated against its schema.

Every check of what a user configures happens here; the engine and the runner get values that
are known to be good. The isolation config's keys, types and documentation are listed once, in
``config.schema.json`` next to this file (:data:`CONFIG_SCHEMA_PATH`), which editors can use too.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .settings import (
    SETTING_NAMES,
    SETTINGS,
    ResolvedSetting,
    SettingSpec,
    parse_duration,
    parse_fraction,
    parse_int,
    parse_names,
    parse_shard,
    parse_switch,
    read_pyproject,
    resolve_settings,
)

if TYPE_CHECKING:
    from .isolation import PYPROJECT_TABLE, HarnessConfig, config_from_pyproject, load_config, parse_config
    from .schema import CONFIG_SCHEMA, CONFIG_SCHEMA_PATH

# The settings are imported now (the pytest plugin reads them in every run, so they stay light); the
# isolation config and its schema (jsonschema_rs) on first use, once an API is configured.
_LAZY = {
    **dict.fromkeys(
        ("PYPROJECT_TABLE", "HarnessConfig", "config_from_pyproject", "load_config", "parse_config"),
        ".isolation",
    ),
    **dict.fromkeys(("CONFIG_SCHEMA", "CONFIG_SCHEMA_PATH"), ".schema"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "CONFIG_SCHEMA",
    "CONFIG_SCHEMA_PATH",
    "PYPROJECT_TABLE",
    "SETTINGS",
    "SETTING_NAMES",
    "HarnessConfig",
    "ResolvedSetting",
    "SettingSpec",
    "config_from_pyproject",
    "load_config",
    "parse_config",
    "parse_duration",
    "parse_fraction",
    "parse_int",
    "parse_names",
    "parse_shard",
    "parse_switch",
    "read_pyproject",
    "resolve_settings",
]
