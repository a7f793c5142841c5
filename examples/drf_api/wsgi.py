"""The WSGI application of Workouts, a Django REST framework API where people plan workout routines and log their sessions.

Every user has its own routines, with training days and, on each day, sets of exercises from a
shared catalogue (exercises, their categories, languages, weight units) that everyone, signed in or
not, reads alike. A routine marked ``is_public`` (off by default) can be read, with its days and
sets, by every user: the example data holds a coach's public routines. Users register at
``/api/register/`` (answered with a message, not with the account), get a token at ``/api/login/``,
send it as ``Authorization: Token <key>`` and edit their own profile at ``/api/userprofile/``. The
OpenAPI description is served by drf-spectacular at ``/api/schema/``.

The app can be built with deliberate isolation bugs (see ``VULNERABILITIES``). Django is configured
once per process, with one database: each :func:`create_app` call empties it and seeds the
catalogues again, so only the newest app's data exists, while each app keeps its own bugs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .settings import configure
from .switches import enabled
from .vulnerabilities import validate_vulnerabilities

_migrated = False

CATEGORIES = ["Arms", "Legs", "Chest", "Back", "Shoulders", "Abs", "Cardio"]
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
UNITS = ["kg", "lb"]
EXERCISES = [
    ("Biceps curl", "Arms"), ("Hammer curl", "Arms"), ("Triceps dip", "Arms"), ("Skull crusher", "Arms"),
    ("Squat", "Legs"), ("Front squat", "Legs"), ("Lunge", "Legs"), ("Leg press", "Legs"),
    ("Romanian deadlift", "Legs"), ("Bench press", "Chest"), ("Incline dumbbell press", "Chest"),
    ("Push-up", "Chest"), ("Cable fly", "Chest"), ("Deadlift", "Back"), ("Pull-up", "Back"),
    ("Barbell row", "Back"), ("Lat pulldown", "Back"), ("Overhead press", "Shoulders"),
    ("Lateral raise", "Shoulders"), ("Face pull", "Shoulders"), ("Plank", "Abs"), ("Crunch", "Abs"),
    ("Hanging leg raise", "Abs"), ("Rowing machine", "Cardio"), ("Jump rope", "Cardio"),
]  # fmt: skip
"""More than one page (20): catalogue lists come with a ``next`` link."""

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WorkoutsApp:
    """The WSGI application: Django's handler, with this app's bugs switched on for each request."""

    def __init__(self, handler: WsgiApp, vulnerabilities: frozenset[str]) -> None:
        self.handler = handler
        self.vulnerabilities = vulnerabilities

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        token = enabled().set(self.vulnerabilities)
        try:
            return self.handler(environ, start_response)
        finally:
            enabled().reset(token)


def create_app(vulnerabilities: Iterable[str] = ()) -> WorkoutsApp:
    """The Workouts API with a fresh database and the named bugs switched on (none by default)."""
    selected = validate_vulnerabilities(vulnerabilities)
    configure()
    from django.core.handlers.wsgi import WSGIHandler

    _fresh_database()
    _seed()
    return WorkoutsApp(WSGIHandler(), selected)


def _fresh_database() -> None:
    global _migrated
    from django.core.management import call_command

    if _migrated:
        call_command("flush", interactive=False, verbosity=0)
    else:
        call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
        _migrated = True


def _seed() -> None:
    """The shared catalogues, and a coach's routines: two public, one private."""
    from django.contrib.auth.models import User

    from .models import Day, Exercise, ExerciseCategory, Language, Routine, Set, UserProfile, WeightUnit

    languages = {
        short: Language.objects.create(short_name=short, full_name=full) for short, full in LANGUAGES
    }
    units = {name: WeightUnit.objects.create(name=name) for name in UNITS}
    categories = {name: ExerciseCategory.objects.create(name=name) for name in CATEGORIES}
    exercises = {
        name: Exercise.objects.create(
            name=name, description=f"How to do a {name.lower()}.", category=categories[category],
            language=languages["en"],
        )
        for name, category in EXERCISES
    }  # fmt: skip
    coach = User.objects.create_user("coach", "coach@workouts.example", password=None)
    UserProfile.objects.create(
        user=coach, display_name="Coach", language=languages["en"], weight_unit=units["kg"]
    )
    plans = [
        ("Starting Strength", True, {"Day A": ["Squat", "Bench press", "Deadlift"], "Day B": ["Squat", "Overhead press"]}),
        ("Beginner calisthenics", True, {"Full body": ["Push-up", "Pull-up", "Plank"]}),
        ("Coach's own experiments", False, {"Heavy day": ["Front squat", "Barbell row"]}),
    ]  # fmt: skip
    for name, public, days in plans:
        routine = Routine.objects.create(
            user=coach, name=name, description=f"{name}, by Coach", is_public=public
        )
        for day_name, moves in days.items():
            day = Day.objects.create(routine=routine, name=day_name)
            for move in moves:
                Set.objects.create(day=day, exercise=exercises[move], sets=5, reps=5, unit=units["kg"])
