"""Dispatch: an example multi-tenant shipping API with switchable tenant-isolation bugs."""

from .app import app, create_app
from .vulnerabilities import VULNERABILITIES, vulnerabilities_from_env

__all__ = ["VULNERABILITIES", "app", "create_app", "vulnerabilities_from_env"]
