"""Settings (option, environment, pyproject.toml) and the isolation config, validated against its schema.

Every check of what a user configures happens here; the engine and the runner get values that
are known to be good. The isolation config's keys, types and documentation are listed once, in
``config.schema.json`` next to this file (:data:`CONFIG_SCHEMA_PATH`), which editors can use too.
"""

from __future__ import annotations

from .isolation import PYPROJECT_TABLE, HarnessConfig, config_from_pyproject, load_config, parse_config
from .schema import CONFIG_SCHEMA, CONFIG_SCHEMA_PATH
from .settings import (
    SETTING_NAMES,
    SETTINGS,
    ResolvedSetting,
    SettingSpec,
    parse_int,
    parse_switch,
    read_pyproject,
    resolve_settings,
)

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
    "parse_int",
    "parse_switch",
    "read_pyproject",
    "resolve_settings",
]
