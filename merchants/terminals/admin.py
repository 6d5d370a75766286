"""Terminals and their keys in admin: TIDs, activation and keys through the terminal services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from merchants.accounts import admin as admin_beat  # noqa: F401  (Celery beat's task admin, its actions on record)
from merchants.models import (
    Terminal,
    TerminalKey,
    TerminalStatus,
    TerminalTransition,
)
from merchants.terminals.services import (
    terminal_assign_tid,
    terminal_key_issue,
    terminal_key_revoke,
    terminal_transition,
)
from merchants.terminals.workflow import TERMINAL
from portal.common.admin import ReadOnlyInline, TrailAdmin
from portal.common.admin_actions import permitted_actions, run_for_each, transition_action


def _terminal_action(name: str) -> Any:
    return transition_action(TERMINAL, name, service=terminal_transition, object_arg="terminal")


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
        _terminal_action("approve"),
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
