"""Audit rules (thresholds, severity, on/off) and the record of audit runs, with a button to start one."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.admin import TrailAdmin
from transactions.audit.forms import AuditRuleForm
from transactions.audit.rules import REGISTRY
from transactions.audit.runner import audit_enqueue
from transactions.models import AuditRule, AuditRun

START_PERMISSION = "transactions.start_audit"


@admin.register(AuditRule)
class AuditRuleAdmin(TrailAdmin):
    """Changes need ``change_auditrule``; every change is kept in the rule's history."""

    form = AuditRuleForm
    list_display = ("label", "code", "severity", "enabled", "thresholds", "updated_at")
    list_filter = ("enabled", "severity")
    search_fields = ("code", "name")
    fields = (
        "code",
        "label",
        "description",
        "severity",
        "enabled",
        "parameters",
        "defaults",
        "updated_at",
    )
    readonly_fields = ("code", "label", "description", "defaults", "updated_at")

    @admin.display(description=gettext_lazy("name"), ordering="name")
    def label(self, rule: AuditRule) -> str:
        return rule.label

    @admin.display(description=gettext_lazy("thresholds"))
    def thresholds(self, rule: AuditRule) -> str:
        return (
            ", ".join(
                f"{key}={'/'.join(map(str, value)) if isinstance(value, list) else value}"
                for key, value in rule.parameters.items()
            )
            or "—"
        )

    @admin.display(description=gettext_lazy("defaults"))
    def defaults(self, rule: AuditRule) -> str:
        spec = REGISTRY.get(rule.code)
        if spec is None:
            return "—"
        return format_html("<code>{}</code>", json.dumps(spec.defaults, ensure_ascii=False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a rule is a module; its row is created with it

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switch it off instead; its alerts keep pointing at it


@admin.register(AuditRun)
class AuditRunAdmin(admin.ModelAdmin):
    change_list_template = "admin/transactions/auditrun/change_list.html"
    list_display = (
        "started_at",
        "trigger",
        "status",
        "window",
        "parts",
        "alerts_created",
        "alerts_updated",
        "duration",
        "findings",
    )
    list_filter = ("status",)
    search_fields = ("trigger",)
    date_hierarchy = "started_at"
    fields = readonly_fields = (
        "trigger",
        "status",
        "window_start",
        "window_end",
        "rules",
        "counts",
        "parts",
        "alerts_created",
        "alerts_updated",
        "started_at",
        "finished_at",
        "duration",
        "error",
    )

    @admin.display(description=gettext_lazy("window"))
    def window(self, run: AuditRun) -> str:
        return f"{run.window_start:%Y-%m-%d %H:%M} → {run.window_end:%Y-%m-%d %H:%M}"

    @admin.display(description=gettext_lazy("parts done"))
    def parts(self, run: AuditRun) -> str:
        return f"{run.parts_done}/{run.parts_total}"

    @admin.display(description=gettext_lazy("duration"), ordering="duration_ms")
    def duration(self, run: AuditRun) -> str:
        return "—" if run.duration_ms is None else f"{run.duration_ms / 1000:.1f} s"

    @admin.display(description=gettext_lazy("findings by rule"))
    def findings(self, run: AuditRun) -> str:
        found = {code: n for code, n in sorted(run.counts.items()) if n}
        return ", ".join(f"{code}: {n}" for code, n in found.items()) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # runs are started by beat, the button below or the shell

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record of what was audited when

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {
            "can_start_audit": request.user.has_perm(START_PERMISSION),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "start/",
                self.admin_site.admin_view(self.start_view),
                name="transactions_auditrun_start",
            ),
            *super().get_urls(),
        ]

    def start_view(self, request: HttpRequest) -> HttpResponse:
        """Queue an audit for the workers; the run shows up in this list once a worker starts it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm(START_PERMISSION):
            raise PermissionDenied
        trigger = f"admin:{request.user.get_username()}"[:100]
        audit_enqueue(trigger=trigger)
        self.message_user(
            request, _("An audit run was queued; it appears here when a worker starts it.")
        )
        return HttpResponseRedirect(reverse("admin:transactions_auditrun_changelist"))
