"""An OpenAPI description as the engine takes it: the API model and its request builder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..knowledge import Knowledge
from ..operations import ApiModel
from .model import build_model
from .requests import OpenApiRequests


class OpenApiDescription:
    """A schemathesis-loaded OpenAPI schema, read once into the engine's model."""

    def __init__(self, schema: Any, *, references: Mapping[str, str] | None = None) -> None:
        self.schema = schema
        self._model = build_model(schema, references=references)

    @property
    def model(self) -> ApiModel:
        return self._model

    def requests(self, knowledge: Knowledge) -> OpenApiRequests:
        return OpenApiRequests(knowledge)
