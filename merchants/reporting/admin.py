"""Reporting settings in admin, on record."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from merchants.accounts import admin as admin_beat  # noqa: F401  (Celery beat's task admin, its actions on record)
from merchants.models import (
    ReportingSettings,
)
from portal.common.admin import TrailAdmin


@admin.register(ReportingSettings)
class ReportingSettingsAdmin(TrailAdmin):
    list_display = ("merchant", "enabled", "method", "frequency", "deadline_hours", "updated_at")
    list_filter = ("enabled", "method", "frequency")
    search_fields = ("merchant__legal_name", "merchant__mid")
    readonly_fields = ("merchant",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
