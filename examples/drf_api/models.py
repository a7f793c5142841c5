"""Models: shared catalogues (languages, units, categories, exercises) and each user's own data."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Language(models.Model):
    short_name = models.CharField(max_length=2, unique=True)
    full_name = models.CharField(max_length=40)


class WeightUnit(models.Model):
    name = models.CharField(max_length=20, unique=True)


class ExerciseCategory(models.Model):
    name = models.CharField(max_length=60, unique=True)


class Exercise(models.Model):
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    category = models.ForeignKey(ExerciseCategory, on_delete=models.PROTECT, related_name="exercises")
    language = models.ForeignKey(Language, on_delete=models.PROTECT)


class UserProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=100, blank=True)
    bio = models.TextField(blank=True)
    language = models.ForeignKey(Language, null=True, blank=True, on_delete=models.SET_NULL)
    weight_unit = models.ForeignKey(WeightUnit, null=True, blank=True, on_delete=models.SET_NULL)


class Routine(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routines")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Day(models.Model):
    """A training day of a routine ("Monday: legs")."""

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="days")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]


class Set(models.Model):
    """An exercise on a day, with its number of sets and repetitions."""

    day = models.ForeignKey(Day, on_delete=models.CASCADE, related_name="sets")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT)
    sets = models.PositiveSmallIntegerField(default=3)
    reps = models.PositiveSmallIntegerField(default=10)
    weight = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    unit = models.ForeignKey(WeightUnit, null=True, blank=True, on_delete=models.SET_NULL)
    comment = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]


class WorkoutSession(models.Model):
    """A training session the user logged, of one of its own routines or of a public one."""

    IMPRESSIONS = [("bad", "Bad"), ("neutral", "Neutral"), ("good", "Good")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions")
    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    notes = models.TextField(blank=True)
    impression = models.CharField(max_length=10, choices=IMPRESSIONS, default="neutral")

    class Meta:
        ordering = ["id"]
