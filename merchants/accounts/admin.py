"""Celery beat's periodic tasks in admin, with every change on record.

django-celery-beat's enable / disable / toggle actions change the tasks with ``queryset.update()``,
which sends no signal: the change would miss the audit trail (merchants/models/history.py). Here
they save task by task, so each change is recorded with who made it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from portal.common.admin_actions import run_for_each


def _set_enabled(task: PeriodicTask, enabled: bool) -> PeriodicTask:
    task.enabled = enabled
    task.save()  # PeriodicTask.save() also tells beat its schedule changed
    return task


class RecordedPeriodicTaskAdmin(PeriodicTaskAdmin):
    def _each(
        self, request: HttpRequest, queryset: QuerySet, label: str, enabled: Callable
    ) -> None:
        run_for_each(
            self,
            request,
            queryset,
            lambda task: _set_enabled(task, enabled(task)),
            done_message=_("%(action)s: %(count)d done."),
            label=label,
        )

    @admin.action(description=PeriodicTaskAdmin.enable_tasks.short_description)
    def enable_tasks(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, self.enable_tasks.short_description, lambda task: True)

    @admin.action(description=PeriodicTaskAdmin.disable_tasks.short_description)
    def disable_tasks(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, self.disable_tasks.short_description, lambda task: False)

    @admin.action(description=PeriodicTaskAdmin.toggle_tasks.short_description)
    def toggle_tasks(self, request: HttpRequest, queryset: QuerySet) -> None:
        label = self.toggle_tasks.short_description
        self._each(request, queryset, label, lambda task: not task.enabled)


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, RecordedPeriodicTaskAdmin)
