"""Holds in admin: which reports and terminals are intercepted, and releasing them with a reason."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from merchants.admin import TrailAdmin
from merchants.admin_actions import reason_page, run_for_each

from ..models import Hold
from ..services.holds import hold_release
from .alerts import admin_link


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
