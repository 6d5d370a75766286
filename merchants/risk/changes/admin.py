"""Staff review change requests in Django admin: read-only, one action per step, through the service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from merchants.models import ChangeRequest, ChangeRequestDocument, ChangeRequestTransition
from merchants.risk.changes.selectors import change_rows, change_summary
from merchants.risk.changes.services import change_request_transition
from merchants.risk.changes.workflow import CHANGE
from portal.common.admin import ReadOnlyInline, TrailAdmin, admin_link
from portal.common.admin_actions import permitted_actions, transition_action


class StepInline(ReadOnlyInline):
    model = ChangeRequestTransition
    fields = readonly_fields = ("created_at", "from_status", "to_status", "actor", "reason")
    verbose_name_plural = gettext_lazy("Trail")


class SupportingDocumentInline(ReadOnlyInline):
    model = ChangeRequestDocument
    fields = readonly_fields = ("link", "content_type", "size", "uploaded_by", "uploaded_at")

    @admin.display(description=gettext_lazy("file"))
    def link(self, document: ChangeRequestDocument) -> str:
        url = reverse("merchants:change_document_download", args=[document.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, document.original_name)


def _action(name: str) -> Any:
    return transition_action(CHANGE, name, service=change_request_transition, object_arg="change")


@admin.register(ChangeRequest)
class ChangeRequestAdmin(TrailAdmin):
    list_display = (
        "__str__",
        "merchant_link",
        "kind",
        "proposed",
        "status",
        "submitted_at",
        "waiting",
        "requested_by",
        "reviewer",
    )
    list_filter = ("status", "kind")
    search_fields = ("=id", "merchant__legal_name", "merchant__short_name", "=merchant__mid")
    ordering = ("submitted_at",)
    list_select_related = ("merchant", "requested_by", "reviewer")
    fields = readonly_fields = (
        "merchant_link",
        "kind",
        "status",
        "values",
        "reason",
        "phone",
        "requested_by",
        "submitted_at",
        "reviewer",
        "decided_by",
        "decided_at",
    )
    inlines = (SupportingDocumentInline, StepInline)
    actions = [
        _action("start_review"),
        _action("approve"),
        _action("request_info"),
        _action("reject"),
    ]

    @admin.display(description=gettext_lazy("merchant"), ordering="merchant__legal_name")
    def merchant_link(self, change: ChangeRequest) -> str:
        return admin_link(change.merchant)

    @admin.display(description=gettext_lazy("proposed"))
    def proposed(self, change: ChangeRequest) -> str:
        return change_summary(change)

    @admin.display(description=gettext_lazy("old → new"))
    def values(self, change: ChangeRequest) -> str:
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            ((row.label, row.old, row.new) for row in change_rows(change)),
        )
        return format_html(
            "<table><thead><tr><th></th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("old"),
            _("new"),
            rows,
        )

    @admin.display(description=gettext_lazy("phone to confirm the change"))
    def phone(self, change: ChangeRequest) -> str:
        # In full on the request's own page only: the reviewer calls it; lists never show it.
        return change.contact_phone or "—"

    @admin.display(description=gettext_lazy("waiting"))
    def waiting(self, change: ChangeRequest) -> str:
        if not change.submitted_at or not change.is_open:
            return "—"
        return _("%(days)d d") % {"days": (timezone.now() - change.submitted_at).days}

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return permitted_actions(super().get_actions(request), request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the merchant's owner asks in the portal

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a request is decided by the actions, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record is kept
