"""Reports and uploads in admin: read-only evidence, searchable by the ids people quote."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from ..models import Report, ReportAmendment, ReportUpload, UploadRowResult


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AmendmentInline(admin.TabularInline):
    model = ReportAmendment
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "created_by", "changes", "reason")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AlertFilter(admin.SimpleListFilter):
    """The reports of one alert: the alert page links here with ``?alert=<id>``.

    Offered only while in use, so the sidebar says which alert the list is narrowed to.
    """

    title = gettext_lazy("alert")
    parameter_name = "alert"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = self.value()
        return [(value, f"#{value}")] if value and value.isdigit() else []

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(alerts__id=int(value))
        return queryset


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = (
        "occurred_at",
        "tid",
        "merchant",
        "type",
        "method",
        "amount",
        "rrn",
        "masked_pan",
        "source",
        "received_at",
    )
    list_filter = (AlertFilter, "type", "method", "source", "cvm")
    search_fields = (
        "=rrn",
        "=tid",
        "=acquirer_mid",
        "=report_id",
        "masked_pan",
        "merchant__legal_name",
    )
    date_hierarchy = "occurred_at"
    list_select_related = ("merchant",)
    show_full_result_count = False  # counting millions of rows on every page is slow
    inlines = (AmendmentInline,)
    exclude = ("content_hash",)


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
