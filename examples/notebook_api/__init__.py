"""Notebook: a Flask (WSGI) multi-tenant example API with cookie sessions and UUID identifiers."""

from .app import VULNERABILITIES, app, create_app

__all__ = ["VULNERABILITIES", "app", "create_app"]
