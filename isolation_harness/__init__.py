"""isolation-harness: find cross-tenant data leaks in multi-tenant HTTP APIs before they ship."""

from __future__ import annotations

__version__ = "0.1.0"

from .assertions import (
    IsolationViolation,
    assert_cannot_delete,
    assert_cannot_modify,
    assert_cannot_read,
    expect_isolated,
)
from .campaign import Campaign, CampaignListener, CampaignResult, CampaignSettings
from .config import HarnessConfig, load_config
from .errors import ConfigurationError, IsolationHarnessError, ProvisioningError, SchemaLoadError
from .model import Coverage, Finding, FindingKind, ProbeError, Verdict
from .openapi.loading import LoadedApi, load_api, load_app
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

__all__ = [
    "ASGITransport",
    "AuthScheme",
    "CallableProvisioner",
    "Campaign",
    "CampaignListener",
    "CampaignResult",
    "CampaignSettings",
    "ConfigurationError",
    "Coverage",
    "Credentials",
    "DeclarativeProvisioner",
    "Finding",
    "FindingKind",
    "HTTPTransport",
    "HarnessConfig",
    "Identity",
    "IsolationHarnessError",
    "IsolationViolation",
    "JsonReport",
    "LoadedApi",
    "OperationCall",
    "ProbeError",
    "ProvisionContext",
    "Provisioner",
    "ProvisioningError",
    "Redactor",
    "SchemaLoadError",
    "StaticAccount",
    "StaticProvisioner",
    "Tenant",
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
    "load_api",
    "load_app",
    "load_config",
    "report_dict",
]
