"""isolation-harness: find cross-tenant data leaks in multi-tenant HTTP APIs before they ship."""

from __future__ import annotations

from ._version import __version__
from .assertions import (
    assert_cannot_delete,
    assert_cannot_modify,
    assert_cannot_read,
    expect_isolated,
)
from .config import HarnessConfig, ResolvedSetting, SettingSpec, load_config
from .engine.campaign import Campaign
from .engine.settings import CampaignSettings
from .errors import ConfigurationError, IsolationHarnessError, ProvisioningError, SchemaLoadError
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
)
from .extensions import hookimpl
from .knowledge import Instance, TenantKnowledge
from .model import Coverage, Finding, FindingKind, ProbeError, Verdict
from .openapi import LoadedApi, OpenApiDescription, load_api, load_app
from .oracles import Evidence, Exchange, Oracle
from .probes import Probe, ProbeKind
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
from .reporting import JsonReport, format_finding, report_dict
from .tenants import AuthScheme, Credentials, Identity, Tenant
from .transport import ASGITransport, HTTPTransport, Transport, WSGITransport
from .watching import IsolationViolation

__all__ = [
    "ASGITransport",
    "AuthScheme",
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
    "Finding",
    "FindingKind",
    "FindingMade",
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
    "ResolvedSetting",
    "SchemaLoadError",
    "SettingSpec",
    "StaticAccount",
    "StaticProvisioner",
    "Tenant",
    "TenantKnowledge",
    "TenantRegistry",
    "TokenSource",
    "Transport",
    "Verdict",
    "WSGITransport",
    "__version__",
    "assert_cannot_delete",
    "assert_cannot_modify",
    "assert_cannot_read",
    "expect_isolated",
    "format_finding",
    "hookimpl",
    "load_api",
    "load_app",
    "load_config",
    "report_dict",
]
