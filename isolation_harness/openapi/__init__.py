"""Everything specific to OpenAPI: loading a description, reading it into the API model, building requests.

The engine never imports schemathesis or reads an OpenAPI document itself; a sibling package for
another API style (GraphQL) provides the same parts.
"""

from __future__ import annotations

from .description import OpenApiDescription
from .loading import LoadedApi, load_api, load_app
from .model import build_model

__all__ = ["LoadedApi", "OpenApiDescription", "build_model", "load_api", "load_app"]
