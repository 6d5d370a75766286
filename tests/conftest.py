"""Test-wide setup: fast hashing, plain static files, uploads in a temporary folder."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used
# synchronously there, which is safe for these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    # Tasks run in-process unless a test starts a real worker (tests/.../test_celery_*).
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english(settings):
    # Assertions read English messages; the zh-hans UI is tested in the browser tests.
    settings.LANGUAGE_CODE = "en"
