"""Rule snoozes in Django admin: read-only pages, the alerts raised while one ran, and a lead's
"End this snooze…" (``snooze_end``). Snoozes are started from an alert's page (alerts/admin.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.admin import TrailAdmin, admin_link
from transactions.models import RuleSnooze
from transactions.rules.forms import EndSnoozeForm
from transactions.rules.snooze import snooze_end, snooze_state


@admin.register(RuleSnooze)
class RuleSnoozeAdmin(TrailAdmin):
    """Snoozes are started from an alert and ended early by a lead; never edited in place."""

    change_form_template = "admin/transactions/rulesnooze/change_form.html"
    list_display = ("rule", "target", "subject", "starts_at", "ends_at", "state", "created_by")
    list_filter = ("target", "rule")
    search_fields = ("merchant__legal_name", "=merchant__mid", "=terminal__tid", "reason")
    list_select_related = ("rule", "merchant", "terminal", "created_by")
    readonly_fields = (
        "rule",
        "alert_link",
        "target",
        "subject",
        "starts_at",
        "ends_at",
        "reason",
        "created_by",
        "created_at",
        "state",
        "ended_at",
        "ended_by",
        "end_reason",
        "findings",
    )
    fields = readonly_fields

    @admin.display(description=gettext_lazy("what"))
    def subject(self, snooze: RuleSnooze) -> str:
        return snooze.subject

    @admin.display(description=gettext_lazy("snoozed from alert"))
    def alert_link(self, snooze: RuleSnooze) -> str:
        return admin_link(snooze.alert, f"#{snooze.alert_id}")

    @admin.display(description=gettext_lazy("state"))
    def state(self, snooze: RuleSnooze) -> str:
        return snooze_state(snooze)

    @admin.display(description=gettext_lazy("findings while snoozed"))
    def findings(self, snooze: RuleSnooze) -> str:
        alerts = list(snooze.alerts.order_by("-created_at")[:20])
        if not alerts:
            return "—"
        return format_html_join(" ", "{}", ((admin_link(a, f"#{a.pk}"),) for a in alerts))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # snoozed from an alert's page

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/end/",
                self.admin_site.admin_view(self.end_view),
                name="transactions_rulesnooze_end",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        snooze = self.get_object(request, object_id)
        extra = {}
        if (
            snooze is not None
            and snooze.in_force(timezone.now())
            and request.user.has_perm("transactions.end_rulesnooze")
        ):
            extra["end_url"] = reverse("admin:transactions_rulesnooze_end", args=[snooze.pk])
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def end_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A compliance lead ends the snooze before its time, with a reason."""
        if not request.user.has_perm("transactions.end_rulesnooze"):
            raise PermissionDenied
        snooze = get_object_or_404(RuleSnooze.objects.select_related("rule"), pk=pk)
        form = EndSnoozeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                snooze_end(snooze=snooze, reason=form.cleaned_data["reason"], actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, _("The snooze is ended."), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:transactions_rulesnooze_change", args=[pk])
                )
        return TemplateResponse(
            request,
            "admin/transactions/rulesnooze/end.html",
            {
                **self.admin_site.each_context(request),
                "title": _("End the snooze"),
                "snooze": snooze,
                "form": form,
                "opts": self.model._meta,
            },
            status=400 if request.method == "POST" else 200,
        )
