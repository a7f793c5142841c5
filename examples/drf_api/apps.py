"""The Django app of the Workouts example."""

from __future__ import annotations

from django.apps import AppConfig


class WorkoutsConfig(AppConfig):
    name = "examples.drf_api"
    label = "workouts"
    verbose_name = "Workouts"
