"""The Celery app: configured from Django settings (``CELERY_*``), tasks discovered per app."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _tune_gc(**_kwargs: object) -> None:
    """A worker process ingests files and screens their reports as the web does."""
    from portal.common.gc_tuning import gc_tune_for_serving

    gc_tune_for_serving()
