"""The record of report partition changes in admin: read-only, for everyone who runs operations."""

from __future__ import annotations

from django.contrib import admin

from portal.common.admin import ReadOnlyAdmin
from transactions.models import ReportPartitionEvent


@admin.register(ReportPartitionEvent)
class ReportPartitionEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "table", "month", "rows", "actor")
    list_filter = ("action",)
    search_fields = ("table", "actor")
    date_hierarchy = "created_at"
