"""URL configuration: a DRF router under ``/api/`` and the drf-spectacular schema at ``/api/schema/``."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("languages", views.LanguageViewSet, basename="language")
router.register("weight-units", views.WeightUnitViewSet, basename="weightunit")
router.register("exercise-categories", views.ExerciseCategoryViewSet, basename="exercisecategory")
router.register("exercises", views.ExerciseViewSet, basename="exercise")
router.register("routines", views.RoutineViewSet, basename="routine")
router.register("days", views.DayViewSet, basename="day")
router.register("sets", views.SetViewSet, basename="set")
router.register("sessions", views.WorkoutSessionViewSet, basename="workoutsession")

urlpatterns = [
    path("api/register/", views.RegisterView.as_view(), name="register"),
    path("api/login/", views.LoginView.as_view(), name="login"),
    path("api/userprofile/", views.UserProfileView.as_view(), name="userprofile"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/", include(router.urls)),
]
