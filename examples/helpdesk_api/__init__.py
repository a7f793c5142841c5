"""Helpdesk: a Flask (WSGI) multi-tenant example API with workspace slugs in the path, UUIDs and cookie sessions."""

from .app import app, create_app
from .vulnerabilities import ENV_VAR, VULNERABILITIES

__all__ = ["ENV_VAR", "VULNERABILITIES", "app", "create_app"]
