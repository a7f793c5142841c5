"""isolation-harness: find cross-tenant data leaks in multi-tenant HTTP APIs before they ship."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .allowing import AllowRule
    from .assertions import (
        assert_cache_private,
        assert_cannot_delete,
        assert_cannot_modify,
        assert_cannot_read,
        expect_isolated,
    )
    from .baseline import Baseline
    from .config import HarnessConfig, ResolvedSetting, SettingSpec, load_config
    from .coverage import Coverage
    from .engine.campaign import Campaign
    from .engine.settings import CampaignSettings
    from .errors import (
        ConfigurationError,
        IsolationHarnessError,
        ProvisioningError,
        SchemaLoadError,
        TargetLostError,
        TargetUnreachableError,
    )
    from .events import (
        CampaignFinished,
        CampaignListener,
        CampaignResult,
        Event,
        FindingMade,
        OperationFinished,
        PhaseFinished,
        PhaseStarted,
        ProbeFailed,
        ProbeSent,
        format_percent,
    )
    from .exit_codes import ExitCode
    from .extensions import hookimpl
    from .gate import GateSettings, check_gate
    from .knowledge import Instance, TenantKnowledge
    from .model import Finding, FindingKind, ProbeError, Verdict
    from .openapi import LoadedApi, OpenApiDescription, load_api, load_app
    from .oracles import Evidence, Exchange, Oracle
    from .probes import Burst, Probe, ProbeKind
    from .provisioning import (
        CallableProvisioner,
        DeclarativeProvisioner,
        OperationCall,
        ProvisionContext,
        Provisioner,
        StaticAccount,
        StaticProvisioner,
        TokenSource,
    )
    from .redaction import Redactor
    from .registry import TenantRegistry
    from .reports import (
        FileReport,
        JsonReport,
        ReportMeta,
        check_report_path,
        format_finding,
        open_reports,
        report_dict,
    )
    from .tenants import AuthScheme, Credentials, Identity, Tenant
    from .transport import ASGITransport, HTTPTransport, Transport, WSGITransport
    from .watching import IsolationViolation

# Each name is imported from its module on first use, not here: Python imports this package for
# the pytest plugin in every pytest run, and an unrelated test suite must not pay for the engine.
# A name added to __all__ goes in the TYPE_CHECKING imports above and here.
_EXPORTS: dict[str, tuple[str, ...]] = {
    ".allowing": ("AllowRule",),
    ".assertions": (
        "assert_cache_private",
        "assert_cannot_delete",
        "assert_cannot_modify",
        "assert_cannot_read",
        "expect_isolated",
    ),
    ".baseline": ("Baseline",),
    ".config": ("HarnessConfig", "ResolvedSetting", "SettingSpec", "load_config"),
    ".coverage": ("Coverage",),
    ".engine.campaign": ("Campaign",),
    ".engine.settings": ("CampaignSettings",),
    ".errors": (
        "ConfigurationError",
        "IsolationHarnessError",
        "ProvisioningError",
        "SchemaLoadError",
        "TargetLostError",
        "TargetUnreachableError",
    ),
    ".exit_codes": ("ExitCode",),
    ".gate": ("GateSettings", "check_gate"),
    ".events": (
        "CampaignFinished",
        "CampaignListener",
        "CampaignResult",
        "Event",
        "FindingMade",
        "OperationFinished",
        "PhaseFinished",
        "PhaseStarted",
        "ProbeFailed",
        "ProbeSent",
        "format_percent",
    ),
    ".extensions": ("hookimpl",),
    ".knowledge": ("Instance", "TenantKnowledge"),
    ".model": ("Finding", "FindingKind", "ProbeError", "Verdict"),
    ".openapi": ("LoadedApi", "OpenApiDescription", "load_api", "load_app"),
    ".oracles": ("Evidence", "Exchange", "Oracle"),
    ".probes": ("Burst", "Probe", "ProbeKind"),
    ".provisioning": (
        "CallableProvisioner",
        "DeclarativeProvisioner",
        "OperationCall",
        "ProvisionContext",
        "Provisioner",
        "StaticAccount",
        "StaticProvisioner",
        "TokenSource",
    ),
    ".redaction": ("Redactor",),
    ".registry": ("TenantRegistry",),
    ".reports": (
        "FileReport",
        "JsonReport",
        "ReportMeta",
        "check_report_path",
        "format_finding",
        "open_reports",
        "report_dict",
    ),
    ".tenants": ("AuthScheme", "Credentials", "Identity", "Tenant"),
    ".transport": ("ASGITransport", "HTTPTransport", "Transport", "WSGITransport"),
    ".watching": ("IsolationViolation",),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "ASGITransport",
    "AllowRule",
    "AuthScheme",
    "Baseline",
    "Burst",
    "CallableProvisioner",
    "Campaign",
    "CampaignFinished",
    "CampaignListener",
    "CampaignResult",
    "CampaignSettings",
    "ConfigurationError",
    "Coverage",
    "Credentials",
    "DeclarativeProvisioner",
    "Event",
    "Evidence",
    "Exchange",
    "ExitCode",
    "FileReport",
    "Finding",
    "FindingKind",
    "FindingMade",
    "GateSettings",
    "HTTPTransport",
    "HarnessConfig",
    "Identity",
    "Instance",
    "IsolationHarnessError",
    "IsolationViolation",
    "JsonReport",
    "LoadedApi",
    "OpenApiDescription",
    "OperationCall",
    "OperationFinished",
    "Oracle",
    "PhaseFinished",
    "PhaseStarted",
    "Probe",
    "ProbeError",
    "ProbeFailed",
    "ProbeKind",
    "ProbeSent",
    "ProvisionContext",
    "Provisioner",
    "ProvisioningError",
    "Redactor",
    "ReportMeta",
    "ResolvedSetting",
    "SchemaLoadError",
    "SettingSpec",
    "StaticAccount",
    "StaticProvisioner",
    "TargetLostError",
    "TargetUnreachableError",
    "Tenant",
    "TenantKnowledge",
    "TenantRegistry",
    "TokenSource",
    "Transport",
    "Verdict",
    "WSGITransport",
    "__version__",
    "assert_cache_private",
    "assert_cannot_delete",
    "assert_cannot_modify",
    "assert_cannot_read",
    "check_gate",
    "check_report_path",
    "expect_isolated",
    "format_finding",
    "format_percent",
    "hookimpl",
    "load_api",
    "load_app",
    "load_config",
    "open_reports",
    "report_dict",
]
