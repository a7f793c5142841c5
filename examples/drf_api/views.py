"""Views: registration, login and the caller's profile; shared catalogues; each user's routines,
their days and sets, and logged sessions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.generics import RetrieveUpdateAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import switches
from .models import (
    Day,
    Exercise,
    ExerciseCategory,
    Language,
    Routine,
    Set,
    UserProfile,
    WeightUnit,
    WorkoutSession,
)
from .serializers import (
    DaySerializer,
    ExerciseCategorySerializer,
    ExerciseSerializer,
    LanguageSerializer,
    LoginSerializer,
    MessageSerializer,
    RegisterSerializer,
    RoutineSerializer,
    SetSerializer,
    TokenSerializer,
    UserProfileSerializer,
    WeightUnitSerializer,
    WorkoutSessionSerializer,
)
from .vulnerabilities import DELETE_BY_ID, LIST_FILTER_UNSCOPED, READ_BY_ID, WRITE_BY_ID

_READS = ("list", "retrieve")


class RegisterView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=RegisterSerializer, responses={201: MessageSerializer}, summary="Create an account"
    )
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = User.objects.create_user(data["username"], data["email"], data["password"])
        UserProfile.objects.create(user=user)
        return Response(
            {"message": "User registered successfully", "status": "success"}, status=status.HTTP_201_CREATED
        )


class LoginView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=LoginSerializer, responses={200: TokenSerializer}, summary="Get an API token")
    def post(self, request: Request) -> Response:
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            username=serializer.validated_data["username"], password=serializer.validated_data["password"]
        )
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with provided credentials."]}
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class UserProfileView(RetrieveUpdateAPIView):
    """The caller's own profile."""

    serializer_class = UserProfileSerializer

    def get_object(self) -> UserProfile:
        profile: UserProfile = UserProfile.objects.get_or_create(user=self.request.user)[0]
        return profile


class LanguageViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Language.objects.order_by("id")
    serializer_class = LanguageSerializer
    permission_classes = [permissions.AllowAny]


class WeightUnitViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = WeightUnit.objects.order_by("id")
    serializer_class = WeightUnitSerializer
    permission_classes = [permissions.AllowAny]


class ExerciseCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ExerciseCategory.objects.order_by("id")
    serializer_class = ExerciseCategorySerializer
    permission_classes = [permissions.AllowAny]


class ExerciseViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Exercise.objects.order_by("id")
    serializer_class = ExerciseSerializer
    permission_classes = [permissions.AllowAny]


class RoutineViewSet(viewsets.ModelViewSet):
    """The caller's routines, and every user's public ones (read-only to others)."""

    serializer_class = RoutineSerializer

    def get_queryset(self) -> QuerySet[Routine]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return Routine.objects.none()
        user = self.request.user
        if (self.action == "retrieve" and switches.is_on(READ_BY_ID)) or (
            self.action in ("update", "partial_update") and switches.is_on(WRITE_BY_ID)
        ):
            return Routine.objects.all()
        if self.action in _READS:
            return Routine.objects.filter(Q(user=user) | Q(is_public=True))
        return Routine.objects.filter(user=user)

    def perform_create(self, serializer: RoutineSerializer) -> None:
        serializer.save(user=self.request.user)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("routine", OpenApiTypes.INT, description="Only the days of this routine")
        ]
    )
)
class DayViewSet(viewsets.ModelViewSet):
    """Days of the caller's routines, and of public routines (read-only to others)."""

    serializer_class = DaySerializer

    def get_queryset(self) -> QuerySet[Day]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return Day.objects.none()
        user = self.request.user
        routine = self.request.query_params.get("routine")
        if self.action == "list" and routine is not None:
            if not routine.isdigit():
                return Day.objects.none()
            if switches.is_on(LIST_FILTER_UNSCOPED):
                return Day.objects.filter(routine_id=int(routine))
            return Day.objects.filter(
                Q(routine__user=user) | Q(routine__is_public=True), routine_id=int(routine)
            )
        if self.action in _READS:
            return Day.objects.filter(Q(routine__user=user) | Q(routine__is_public=True))
        return Day.objects.filter(routine__user=user)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("day", OpenApiTypes.INT, description="Only the sets of this day")]
    )
)
class SetViewSet(viewsets.ModelViewSet):
    """Sets of the caller's days, and of public routines' days (read-only to others)."""

    serializer_class = SetSerializer

    def get_queryset(self) -> QuerySet[Set]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return Set.objects.none()
        user = self.request.user
        if self.action == "destroy" and switches.is_on(DELETE_BY_ID):
            return Set.objects.all()
        if self.action in _READS:
            sets = Set.objects.filter(Q(day__routine__user=user) | Q(day__routine__is_public=True))
            day = self.request.query_params.get("day")
            if self.action == "list" and day is not None:
                return sets.filter(day_id=int(day)) if day.isdigit() else Set.objects.none()
            return sets
        return Set.objects.filter(day__routine__user=user)


class WorkoutSessionViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The training sessions the caller logged."""

    serializer_class = WorkoutSessionSerializer

    def get_queryset(self) -> QuerySet[WorkoutSession]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return WorkoutSession.objects.none()
        return WorkoutSession.objects.filter(user=self.request.user)
