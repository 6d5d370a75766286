"""The compliance overview in admin: charts and tables of open alerts, reporting health, risk.

Registered as a proxy of Alert so it is listed on the admin index; its "list" is the overview
page. Anyone who may view alerts may see it; nothing on it can be changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from portal.common.replicas import reads_from_replica
from transactions.analytics.overview import PERIODS, compliance_overview
from transactions.models import ComplianceOverview, Severity


@admin.register(ComplianceOverview)
class ComplianceOverviewAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("transactions.view_alert")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and request.user.has_perm("transactions.view_alert")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @method_decorator(reads_from_replica)
    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        try:
            days = int(request.GET.get("days", 30))
        except ValueError:
            days = 30
        days = days if days in PERIODS else 30
        overview = compliance_overview(today=timezone.localdate(), days=days)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Compliance overview"),
            "overview": overview,
            "days": days,
            "periods": PERIODS,
            "severities": Severity.choices,
            "charts": overview.chart_data(),
            "chart_labels": {
                "alerts": _("Open alerts"),
                "onTime": _("On time (%)"),
                "late": _("Late"),
                "missing": _("Missing"),
                "count": _("Reports"),
                "highAlerts": _("Open high-severity alerts"),
                "merchants": _("Merchants"),
            },
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/transactions/overview.html", context)
