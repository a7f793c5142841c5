"""Serializers: integer primary keys for references named after their model, one hyperlinked reference."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from rest_framework import serializers

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
from .vulnerabilities import PARENT_REFERENCE_UNCHECKED


def _caller(field: serializers.Field) -> User:
    user: User = field.context["request"].user
    return user


class LanguageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Language
        fields = ["id", "short_name", "full_name"]


class WeightUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = WeightUnit
        fields = ["id", "name"]


class ExerciseCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ExerciseCategory
        fields = ["id", "name"]


class ExerciseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exercise
        fields = ["id", "name", "description", "category", "language"]


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, min_length=8)

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username=value).exists():
            raise serializers.ValidationError("A user with that username already exists.")
        return value


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()
    status = serializers.CharField()


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(write_only=True)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class UserProfileSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = UserProfile
        fields = ["username", "email", "display_name", "bio", "language", "weight_unit"]


class RoutineSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="routine-detail")
    owner = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Routine
        fields = ["id", "url", "owner", "name", "description", "is_public", "created"]


class OwnRoutineField(serializers.PrimaryKeyRelatedField):
    """A routine of the caller's."""

    def get_queryset(self) -> QuerySet[Routine]:
        if switches.is_on(PARENT_REFERENCE_UNCHECKED):
            return Routine.objects.all()
        return Routine.objects.filter(user=_caller(self))


class DaySerializer(serializers.ModelSerializer):
    routine = OwnRoutineField(queryset=Routine.objects.all())

    class Meta:
        model = Day
        fields = ["id", "routine", "name", "description"]


class OwnDayField(serializers.PrimaryKeyRelatedField):
    """A day of one of the caller's routines."""

    def get_queryset(self) -> QuerySet[Day]:
        return Day.objects.filter(routine__user=_caller(self))


class SetSerializer(serializers.ModelSerializer):
    day = OwnDayField(queryset=Day.objects.all())

    class Meta:
        model = Set
        fields = ["id", "day", "exercise", "sets", "reps", "weight", "unit", "comment"]


class FollowableRoutineField(serializers.HyperlinkedRelatedField):
    """The URL of a routine the caller may train by: its own, or a public one."""

    def get_queryset(self) -> QuerySet[Routine]:
        return Routine.objects.filter(Q(user=_caller(self)) | Q(is_public=True))


class WorkoutSessionSerializer(serializers.ModelSerializer):
    routine = FollowableRoutineField(view_name="routine-detail", queryset=Routine.objects.all())

    class Meta:
        model = WorkoutSession
        fields = ["id", "routine", "date", "notes", "impression"]

    def create(self, validated_data: dict[str, Any]) -> WorkoutSession:
        session: WorkoutSession = WorkoutSession.objects.create(user=_caller(self), **validated_data)
        return session
