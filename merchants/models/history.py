"""Audit trail for settings kept in other apps' models: Celery beat's periodic tasks.

Their history tables live in this app (``simple_history.register(..., app="merchants")``): the
models are django-celery-beat's, so the trail of who changed a schedule, when and to what has to be
kept somewhere of ours.
"""

from __future__ import annotations

from typing import Any

from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
from simple_history import register
from simple_history.models import HistoricalRecords


class ChangesOnlyHistoricalRecords(HistoricalRecords):
    """Records a save only if a tracked field changed.

    Celery beat saves each periodic task after every run (its run counters): bookkeeping, not a
    change anyone made, and it would bury the real changes under a row per run.
    """

    def post_save(self, instance: Any, created: bool, using: Any = None, **kwargs: Any) -> None:
        if not created and not kwargs.get("raw", False) and self._unchanged(instance):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def _unchanged(self, instance: Any) -> bool:
        last = getattr(instance, self.manager_name).order_by("-history_date", "-history_id").first()
        if last is None:
            return False
        return all(
            getattr(last, field.attname) == getattr(instance, field.attname)
            for field in self.fields_included(instance)
        )


_BEAT_BOOKKEEPING = ["last_run_at", "total_run_count", "date_changed"]

if not hasattr(PeriodicTask, "history"):  # register once, however often this module is imported
    register(
        PeriodicTask,
        app="merchants",
        records_class=ChangesOnlyHistoricalRecords,
        excluded_fields=_BEAT_BOOKKEEPING,
    )
    register(CrontabSchedule, app="merchants")
    register(IntervalSchedule, app="merchants")
