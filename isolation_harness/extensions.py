"""The plugin manager both front ends use: installed plugins, a hooks module, and what they contribute.

Plugins are found through the ``isolation_harness`` entry-point group; a hooks module is a dotted
module name (``myproject.isolation_hooks``) or a file (``hooks.py``), as schemathesis loads its hooks.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import importlib.util
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from . import hookspecs
from .errors import ConfigurationError, ProvisioningError, did_you_mean

if TYPE_CHECKING:
    # Types only: the pytest plugin imports this module in every pytest run, engine or not.
    from .config import ResolvedSetting, SettingSpec
    from .events import CampaignListener, CampaignResult
    from .oracles import Oracle
    from .probes import ProbeKind
    from .provisioning import CallableProvisioner, ProvisionContext
    from .redaction import Redactor
    from .tenants import Tenant

ENTRY_POINT_GROUP = "isolation_harness"
hookimpl = pluggy.HookimplMarker(hookspecs.PROJECT)
_PREFIX = f"{hookspecs.PROJECT}_"


class PluginManager(pluggy.PluginManager):
    """A pluggy manager that also takes plain functions named after a hook (no decorator needed)."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith(_PREFIX) and callable(getattr(plugin, name, None)):
            return {
                "wrapper": False,
                "hookwrapper": False,
                "optionalhook": False,
                "tryfirst": False,
                "trylast": False,
                "specname": None,
            }
        return opts


@functools.cache
def _installed() -> tuple[tuple[str, Any], ...]:
    """The installed plugins (looked up once per process: pytest loads this module in every run)."""
    found: list[tuple[str, Any]] = []
    for distribution in importlib.metadata.distributions():
        for entry_point in distribution.entry_points:
            if entry_point.group == ENTRY_POINT_GROUP and all(name != entry_point.name for name, _ in found):
                found.append((entry_point.name, entry_point.load()))
    return tuple(found)


def plugin_manager(*, entry_points: bool = True) -> PluginManager:
    """A new manager with every installed plugin registered."""
    manager = PluginManager()
    if entry_points:
        for name, plugin in _installed():
            manager.register(plugin, name=name)
    return manager


def load_hooks(spec: str, *, setting: str = "hooks", base: Path | None = None) -> ModuleType:
    """Import a hooks module: a dotted name, or a ``.py`` file (relative to ``base``)."""
    spec = spec.strip()
    path = Path(spec)
    if spec.endswith(".py") or path.suffix == ".py":
        if not path.is_absolute() and base is not None and not path.is_file():
            path = base / path
        if not path.is_file():
            raise ConfigurationError(
                f"{setting}={spec!r}: no such file (resolved to {path.absolute()}). Name a Python file with "
                "hook functions, or a module as package.module."
            )
        name = f"isolation_harness_hooks_{abs(hash(str(path.resolve())))}"
        loader_spec = importlib.util.spec_from_file_location(name, path)
        assert loader_spec is not None and loader_spec.loader is not None
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[name] = module
        loader_spec.loader.exec_module(module)
        return module
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(spec)
    except ModuleNotFoundError as exc:
        raise ConfigurationError(
            f"{setting}={spec!r}: cannot import it ({exc}). Name an importable module (package.module, from "
            "the directory you run in) or a .py file."
        ) from None


def register_hooks(manager: PluginManager, module: ModuleType, *, label: str | None = None) -> None:
    """Register a hooks module, naming any function that looks like a hook but is none.

    ``label`` is how messages name the module (what the user wrote: ``hooks.py``).
    """
    known = {name for name in dir(hookspecs) if name.startswith(_PREFIX)}
    for name in dir(module):
        if name.startswith(_PREFIX) and name not in known:
            raise ConfigurationError(
                f"The hooks module {label or module.__name__!r} defines {name}, which is no hook.{did_you_mean(name, known)} "
                f"Hooks: {', '.join(sorted(known))}."
            )
    if hasattr(module, "isolation_harness_settings"):
        raise ConfigurationError(
            f"The hooks module {label or module.__name__!r} defines isolation_harness_settings, but options are "
            "made before a hooks module is loaded. Add settings from an installed plugin (an entry point in "
            "the isolation_harness group; see plugins/README.md), or read an environment variable yourself."
        )
    if not manager.is_registered(module):
        manager.register(module, name=f"hooks:{module.__name__}")


def extra_settings(manager: PluginManager) -> list[SettingSpec]:
    return [spec for specs in manager.hook.isolation_harness_settings() for spec in specs]


def extra_oracles(manager: PluginManager, settings: Mapping[str, ResolvedSetting]) -> list[Oracle]:
    return [
        oracle
        for oracles in reversed(manager.hook.isolation_harness_oracles(settings=settings))
        for oracle in oracles
    ]


def extra_probe_kinds(manager: PluginManager, settings: Mapping[str, ResolvedSetting]) -> list[ProbeKind]:
    found = manager.hook.isolation_harness_probe_kinds(settings=settings)
    return [kind for kinds in reversed(found) for kind in kinds]


def extra_listeners(
    manager: PluginManager, settings: Mapping[str, ResolvedSetting], redactor: Redactor
) -> list[CampaignListener]:
    found = manager.hook.isolation_harness_listeners(settings=settings, redactor=redactor)
    return [listener for listeners in reversed(found) for listener in listeners]


def finished(manager: PluginManager, result: CampaignResult, settings: Mapping[str, ResolvedSetting]) -> None:
    manager.hook.isolation_harness_campaign_finished(result=result, settings=settings)


def hook_provisioner(manager: PluginManager) -> CallableProvisioner | None:
    """A provisioner from ``isolation_harness_provision``, when a plugin or hooks module implements it."""
    hook = manager.hook
    if not hook.isolation_harness_provision.get_hookimpls():
        return None
    return provisioner_from_hooks(
        hook.isolation_harness_provision, hook.isolation_harness_teardown, name="isolation_harness_provision"
    )


def provisioner_from_hooks(
    provision_hook: Callable[..., Any], teardown_hook: Callable[..., Any], *, name: str
) -> CallableProvisioner:
    """A provisioner that calls a provision hook and a teardown hook (pluggy's or pytest's), by keyword."""
    from .provisioning import CallableProvisioner

    def provision(tenant: Tenant, context: ProvisionContext) -> Any:
        result = provision_hook(tenant=tenant, context=context)
        if result is None:
            raise ProvisioningError(
                f"The {name} hook returned None for tenant {tenant.name!r}; "
                "return Credentials, a token string, or a mapping of headers."
            )
        return result

    def teardown(tenant: Tenant, context: ProvisionContext) -> None:
        teardown_hook(tenant=tenant, context=context)

    # `prepare` gives it the config's [tenants.auth], wherever the config comes from.
    return CallableProvisioner(function=provision, teardown_function=teardown)
