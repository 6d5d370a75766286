"""Compliance review queues in Django admin. Thin: every change goes through a service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from . import admin_beat  # noqa: F401  (Celery beat's task admin, its actions on record)
from .admin_actions import permitted_actions, run_for_each, transition_action
from .models import (
    ApplicationTransition,
    Membership,
    Merchant,
    MerchantDocument,
    ReportingSettings,
    Terminal,
    TerminalKey,
    TerminalStatus,
    TerminalTransition,
)
from .services.onboarding import application_transition
from .services.terminals import (
    terminal_assign_tid,
    terminal_key_issue,
    terminal_key_revoke,
    terminal_transition,
)
from .workflows import APPLICATION, TERMINAL


class TrailAdmin(SimpleHistoryAdmin):
    """History is shown, never reverted: a revert would rewrite a reviewed record behind the workflow."""

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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


def _terminal_action(name: str) -> Any:
    return transition_action(TERMINAL, name, service=terminal_transition, object_arg="terminal")


APPLICATION_DATA = (
    "legal_name",
    "short_name",
    "uscc",
    "mcc",
    "legal_rep_name",
    "legal_rep_id_masked",
    "registered_province",
    "registered_city",
    "registered_district",
    "registered_address",
    "business_province",
    "business_city",
    "business_district",
    "business_address",
    "contact_name",
    "contact_phone",
    "contact_email",
    "bank_name",
    "bank_account_holder",
    "bank_account_masked",
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
    list_filter = ("status", WaitingFilter, "business_province", "mcc")
    search_fields = ("legal_name", "short_name", "uscc", "mid")
    ordering = ("submitted_at",)
    list_select_related = ("reviewer",)
    fieldsets = (
        (
            gettext_lazy("Review"),
            {"fields": ("status", "mid", "reviewer", "submitted_at", "approved_at")},
        ),
        (gettext_lazy("Application"), {"fields": APPLICATION_DATA}),
    )
    readonly_fields = (
        "status",
        "mid",
        "reviewer",
        "submitted_at",
        "approved_at",
        *APPLICATION_DATA,
    )
    inlines = (ApplicationTransitionInline, DocumentInline, MembershipInline, TerminalInline)
    actions = [
        _application_action("start_review"),
        _application_action("approve"),
        _application_action("request_info"),
        _application_action("reject"),
    ]

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


class TerminalKeyInline(ReadOnlyInline):
    model = TerminalKey
    fields = readonly_fields = ("key_id", "created_at", "created_by", "revoked_at", "last_used_at")


class TerminalTransitionInline(ReadOnlyInline):
    model = TerminalTransition
    fields = readonly_fields = ("created_at", "from_status", "to_status", "actor", "reason")


@admin.register(Terminal)
class TerminalAdmin(TrailAdmin):
    list_display = (
        "serial_number",
        "tid",
        "merchant",
        "status",
        "province",
        "city",
        "last_seen_at",
    )
    list_filter = ("status", "province")
    search_fields = (
        "serial_number",
        "tid",
        "merchant__legal_name",
        "merchant__short_name",
        "merchant__mid",
    )
    list_select_related = ("merchant",)
    readonly_fields = (
        "merchant",
        "serial_number",
        "model_name",
        "status",
        "province",
        "city",
        "district",
        "address",
        "latitude",
        "longitude",
        "last_seen_at",
        "created_at",
    )
    fields = (*readonly_fields[:5], "tid", *readonly_fields[5:], "parameters")
    inlines = (TerminalTransitionInline, TerminalKeyInline)
    actions = [
        "assign_tid",
        _terminal_action("activate"),
        _terminal_action("suspend"),
        _terminal_action("retire"),
        "issue_key",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Terminal | None = None) -> Any:
        if obj is not None and obj.status != TerminalStatus.PENDING:
            return (*self.readonly_fields, "tid")
        return self.readonly_fields

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return permitted_actions(super().get_actions(request), request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # merchants register their terminals in the portal

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire instead

    @admin.action(description=gettext_lazy("Assign a TID"), permissions=["manage_terminal"])
    def assign_tid(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_for_each(
            self,
            request,
            queryset,
            lambda terminal: terminal_assign_tid(terminal=terminal, actor=request.user),
            done_message=_("%(action)s: %(count)d done."),
            label=_("Assign a TID"),
        )

    @admin.action(
        description=gettext_lazy("Issue / rotate API key"), permissions=["manage_terminal"]
    )
    def issue_key(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        issued = run_for_each(
            self,
            request,
            queryset,
            lambda terminal: (terminal, *terminal_key_issue(terminal=terminal, actor=request.user)),
            done_message=_("%(action)s: %(count)d done."),
            label=_("Issue / rotate API key"),
        )
        if not issued:
            return None
        return TemplateResponse(
            request,
            "admin/merchants/terminal_keys_issued.html",
            {
                **self.admin_site.each_context(request),
                "title": _("New terminal keys"),
                "issued": issued,
                "opts": self.model._meta,
            },
        )

    def has_manage_terminal_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("merchants.manage_terminal")


@admin.register(TerminalKey)
class TerminalKeyAdmin(admin.ModelAdmin):
    list_display = ("key_id", "terminal", "created_at", "revoked_at", "last_used_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("key_id", "terminal__serial_number", "terminal__tid")
    fields = readonly_fields = (
        "key_id",
        "terminal",
        "created_at",
        "created_by",
        "revoked_at",
        "last_used_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued from the terminal

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Revoke"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_for_each(
            self,
            request,
            queryset,
            lambda key: terminal_key_revoke(key=key, actor=request.user),
            done_message=_("%(action)s: %(count)d done."),
            label=_("Revoke"),
        )


@admin.register(ReportingSettings)
class ReportingSettingsAdmin(TrailAdmin):
    list_display = ("merchant", "enabled", "method", "frequency", "deadline_hours", "updated_at")
    list_filter = ("enabled", "method", "frequency")
    search_fields = ("merchant__legal_name", "merchant__mid")
    readonly_fields = ("merchant",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(TrailAdmin):
    list_display = ("user", "merchant", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "merchant__legal_name", "merchant__mid")
    raw_id_fields = ("user", "merchant")
