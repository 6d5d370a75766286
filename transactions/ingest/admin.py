"""Batch-file uploads in admin, read only, with each row's outcome."""

from __future__ import annotations

from django.contrib import admin

from portal.common.admin import ReadOnlyAdmin
from transactions.models import ReportUpload, UploadRowResult


class RowResultInline(admin.TabularInline):
    model = UploadRowResult
    extra = 0
    can_delete = False
    fields = readonly_fields = ("line", "report_id", "outcome", "errors")
    max_num = 0


@admin.register(ReportUpload)
class ReportUploadAdmin(ReadOnlyAdmin):
    list_display = (
        "original_name",
        "merchant",
        "status",
        "total_rows",
        "accepted",
        "duplicates",
        "rejected",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("original_name", "merchant__legal_name", "merchant__mid")
    inlines = (RowResultInline,)
