"""The SDK against a live server: on PostgreSQL only.

On the embedded SQLite default the test database lives in memory, and Django's live server hands
every request thread the test thread's one connection (pytest-django's ``live_server``, as
Django's ``LiveServerThread``). Requests of the session-wide server then share a transaction state:
under load one of them waited a minute and was answered 401, while the same tests pass on
PostgreSQL, where each server thread has its own connection. They run there (``.ci/run``'s first
leg, and ``test_on_gunicorn_*`` runs gunicorn itself); the SDK's own tests (signing, queue,
vectors) run on both.
"""

from __future__ import annotations

import pytest
from django.conf import settings


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return
    skip = pytest.mark.skip(reason="the live server shares the in-memory SQLite connection")
    for item in items:
        if "tests/sdk/" in str(item.fspath) and "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)
