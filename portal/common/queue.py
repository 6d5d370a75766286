"""Queueing Celery tasks by name, so that no service imports ``tasks.py``.

The tasks import the services they wrap; a service that imported the tasks back to queue one
would close a circle. Services name the task instead (``"transactions.tasks.process_upload"``)
and this module looks it up in the Celery app's registry. The registered task object is used,
not ``send_task``, so the suite's eager mode (tests/conftest.py) runs it in-process as before.
"""

from __future__ import annotations

from typing import Any

from celery import Task, current_app
from celery.result import AsyncResult
from django.db import transaction


def task_named(name: str) -> Task:
    """The registered task ``name``; imports the apps' ``tasks`` modules on first use.

    A worker imports them when it starts; a web process has not, so Celery's own autodiscovery
    (``app.autodiscover_tasks()`` in portal/celery.py) is run here the same way.
    """
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def enqueue(name: str, *args: Any, **kwargs: Any) -> AsyncResult:
    """Queue the task ``name`` now."""
    return task_named(name).delay(*args, **kwargs)


def enqueue_on_commit(name: str, *args: Any, **kwargs: Any) -> None:
    """Queue the task ``name`` once the current transaction commits (at once outside one).

    A worker must find the rows the task is about: queued earlier, it could run before they exist.
    """
    transaction.on_commit(lambda: enqueue(name, *args, **kwargs))
