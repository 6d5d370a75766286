"""The merchant application's review queue in Django admin. Thin: every change goes through a service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from merchants.accounts import admin as admin_beat  # noqa: F401  (Celery beat's task admin, its actions on record)
from merchants.models import (
    ApplicationTransition,
    ChangeRequest,
    Membership,
    Merchant,
    MerchantDocument,
    Terminal,
)
from merchants.onboarding.fields import application_fields
from merchants.onboarding.services import application_transition
from merchants.onboarding.workflow import APPLICATION
from merchants.risk.rating.panel import rating_panel
from merchants.risk.risklist.panel import risk_list_panel
from portal.common.admin import ReadOnlyInline, TrailAdmin
from portal.common.admin_actions import permitted_actions, transition_action


class ApplicationTransitionInline(ReadOnlyInline):
    model = ApplicationTransition
    fields = readonly_fields = ("created_at", "from_status", "to_status", "actor", "reason")
    verbose_name_plural = gettext_lazy("Application trail")


class DocumentInline(ReadOnlyInline):
    model = MerchantDocument
    fields = readonly_fields = ("kind", "link", "content_type", "size", "uploaded_at")

    @admin.display(description=gettext_lazy("file"))
    def link(self, document: MerchantDocument) -> str:
        url = reverse("merchants:document_download", args=[document.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, document.original_name)


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = readonly_fields = ("user", "role", "created_at")


class TerminalInline(ReadOnlyInline):
    model = Terminal
    fields = readonly_fields = ("serial_number", "tid", "status", "city", "last_seen_at")
    show_change_link = True


class ChangeRequestInline(ReadOnlyInline):
    """Its re-verifications: each change of key information asked for since approval."""

    model = ChangeRequest
    fields = readonly_fields = ("kind", "status", "submitted_at", "decided_at")
    show_change_link = True


class WaitingFilter(admin.SimpleListFilter):
    """How long an application has waited since it was (re)submitted."""

    title = gettext_lazy("waiting")
    parameter_name = "waiting"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("lt1", gettext_lazy("less than a day")),
            ("1to3", gettext_lazy("1 to 3 days")),
            ("gt3", gettext_lazy("more than 3 days")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        pending = queryset.awaiting_review()
        if self.value() == "lt1":
            return pending.filter(submitted_at__gt=now - timedelta(days=1))
        if self.value() == "1to3":
            return pending.filter(
                submitted_at__lte=now - timedelta(days=1), submitted_at__gt=now - timedelta(days=3)
            )
        if self.value() == "gt3":
            return pending.filter(submitted_at__lte=now - timedelta(days=3))
        return queryset


def _application_action(name: str) -> Any:
    return transition_action(
        APPLICATION, name, service=application_transition, object_arg="merchant"
    )


APPLICATION_DATA = application_fields(
    id_number="legal_rep_id_masked", bank_account="bank_account_masked"
)


@admin.register(Merchant)
class MerchantAdmin(TrailAdmin):
    list_display = (
        "__str__",
        "uscc",
        "mid",
        "status",
        "business_province",
        "submitted_at",
        "waiting",
        "reviewer",
    )
    list_filter = ("status", WaitingFilter, "business_province", "mcc", "service_provider")
    search_fields = ("legal_name", "short_name", "uscc", "mid")
    ordering = ("submitted_at",)
    list_select_related = ("reviewer", "service_provider")
    fieldsets = (
        (
            gettext_lazy("Review"),
            {
                "fields": (
                    "status",
                    "mid",
                    "reviewer",
                    "submitted_at",
                    "approved_at",
                    "service_provider",
                )
            },
        ),
        (gettext_lazy("Risk rating"), {"fields": ("risk_rating", "declared_monthly_sales")}),
        (gettext_lazy("External risk list"), {"fields": ("risk_list",)}),
        # Staff set these (a lead with the change permission); the first inspection's check-in
        # locates premises left without coordinates.
        (
            gettext_lazy("Premises (inspections)"),
            {"fields": ("fixed_premises", "premises_latitude", "premises_longitude")},
        ),
        (gettext_lazy("Application"), {"fields": APPLICATION_DATA}),
    )
    readonly_fields = (
        "risk_rating",
        "risk_list",
        "declared_monthly_sales",
        "status",
        "mid",
        "reviewer",
        "submitted_at",
        "approved_at",
        "service_provider",
        *APPLICATION_DATA,
    )
    inlines = (
        ApplicationTransitionInline,
        DocumentInline,
        MembershipInline,
        TerminalInline,
        ChangeRequestInline,
    )
    actions = [
        _application_action("start_review"),
        _application_action("approve"),
        _application_action("request_info"),
        _application_action("reject"),
    ]

    @admin.display(description=gettext_lazy("risk rating"))
    def risk_rating(self, merchant: Merchant) -> str:
        return rating_panel(merchant)

    @admin.display(description=gettext_lazy("risk-list checks"))
    def risk_list(self, merchant: Merchant) -> str:
        return risk_list_panel(merchant)

    @admin.display(description=gettext_lazy("settlement account"))
    def bank_account_masked(self, merchant: Merchant) -> str:
        return merchant.bank_account_masked

    @admin.display(description=gettext_lazy("waiting"))
    def waiting(self, merchant: Merchant) -> str:
        if not merchant.submitted_at or merchant.status not in (
            "submitted",
            "resubmitted",
            "under_review",
        ):
            return "—"
        days = (timezone.now() - merchant.submitted_at).days
        return _("%(days)d d") % {"days": days}

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return permitted_actions(super().get_actions(request), request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # merchants sign up in the portal

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record is kept; reject instead
