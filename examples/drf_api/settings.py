"""Django settings for the Workouts example, configured in code (no ``DJANGO_SETTINGS_MODULE``).

Django's settings are global to the process, so they are configured once, by the first
:func:`configure` call. The database is one SQLite file in a temporary directory of this process,
removed at exit: threads of a server share it, and :func:`examples.drf_api.app.create_app` empties it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import django
from django.conf import settings


def configure() -> None:
    """Configure Django and set up its apps, once per process."""
    if settings.configured:
        return
    directory = Path(tempfile.mkdtemp(prefix="drf_api_"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    settings.configure(
        DEBUG=False,
        SECRET_KEY="workouts-example-not-a-secret",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF="examples.drf_api.urls",
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(directory / "db.sqlite3")}
        },
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "rest_framework",
            "rest_framework.authtoken",
            "drf_spectacular",
            "examples.drf_api.apps.WorkoutsConfig",
        ],
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
        # Deliberately cheap: an example whose tests register many users.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        LOGGING={
            "version": 1,
            "disable_existing_loggers": False,
            "loggers": {"django": {"level": "CRITICAL"}},
        },
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
            "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
            "PAGE_SIZE": 20,
            "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        },
        SPECTACULAR_SETTINGS={
            "TITLE": "Workouts API",
            "DESCRIPTION": "Plan workout routines, log training sessions, browse the shared exercise catalogue.",
            "VERSION": "1.0.0",
            "SERVE_INCLUDE_SCHEMA": False,
            "COMPONENT_SPLIT_REQUEST": True,
        },
    )
    django.setup()
