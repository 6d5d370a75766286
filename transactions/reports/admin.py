"""Reports and holds in admin: read-only evidence, searchable by the ids people quote; holds released on record."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.admin import ReadOnlyAdmin, TrailAdmin, admin_link
from portal.common.admin_actions import reason_page, run_for_each
from transactions.models import Hold, Report, ReportAmendment
from transactions.reports.holds import hold_release


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


class HoldStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("active", gettext_lazy("Active")), ("released", gettext_lazy("Released"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "active":
            return queryset.filter(released_at__isnull=True)
        if self.value() == "released":
            return queryset.filter(released_at__isnull=False)
        return queryset


@admin.register(Hold)
class HoldAdmin(TrailAdmin):
    list_display = (
        "id",
        "held",
        "alert_link",
        "placed_at",
        "placed_by",
        "active",
        "released_at",
        "released_by",
    )
    list_filter = (HoldStateFilter,)
    search_fields = (
        "alert__id__exact",
        "=terminal__tid",
        "=report__rrn",
        "=report__tid",
        "alert__merchant__legal_name",
        "=alert__merchant__mid",
    )
    list_select_related = ("alert", "report", "terminal", "placed_by", "released_by")
    fields = readonly_fields = (
        "alert_link",
        "held",
        "reason",
        "placed_by",
        "placed_at",
        "released_at",
        "released_by",
        "release_reason",
    )
    actions = ["release"]

    @admin.display(description=gettext_lazy("held"))
    def held(self, hold: Hold) -> str:
        return admin_link(hold.report or hold.terminal)

    @admin.display(description=gettext_lazy("alert"), ordering="alert")
    def alert_link(self, hold: Hold) -> str:
        return admin_link(hold.alert, f"#{hold.alert_id}")

    @admin.display(description=gettext_lazy("active"), boolean=True)
    def active(self, hold: Hold) -> bool:
        return hold.is_active

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # placed from the alert

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # released by the action, with a reason

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_hold_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("transactions.hold_reports")

    @admin.action(description=gettext_lazy("Release"), permissions=["hold"])
    def release(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        reason = request.POST.get("reason", "").strip()
        asked = bool(request.POST.get("apply"))
        if not (asked and reason):
            return reason_page(self, request, queryset, _("Release"), "release", asked=asked)
        run_for_each(
            self,
            request,
            queryset,
            lambda hold: hold_release(hold=hold, actor=request.user, reason=reason),
            done_message=_("%(action)s: %(count)d done."),
            label=_("Release"),
        )
        return None
