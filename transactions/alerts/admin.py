"""The alert review queue in Django admin.

Queues (mine, unassigned, overdue), bulk assignment, one action per workflow transition and holds.
Thin: the services decide (``alert_transition``, ``alerts_assign``, ``hold_place``) and refuse; the
alert page itself is read-only, so nothing a reviewer decided can be edited behind the workflow.
It offers a button for each transition the user may take on that alert now, which goes through
the same service and the same reason page as the list's actions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.admin import ReadOnlyInline, TrailAdmin, admin_link
from portal.common.admin_actions import (
    permitted_actions,
    reason_page,
    run_for_each,
    transition_action,
)
from portal.common.downloads import private_download
from transactions.alerts.forms import AssignForm
from transactions.alerts.services import alert_transition, alerts_assign
from transactions.alerts.workflow import ALERT
from transactions.models import Alert, AlertResponse, AlertTransition, Hold
from transactions.reports.holds import hold_place
from transactions.rules.explain import explain_table
from transactions.rules.forms import SnoozeForm
from transactions.rules.snooze import snoozable, snooze_create, snooze_targets, snoozes_of
from transactions.rules.snooze_admin import snooze_state

# Every transition staff take; ``merchant_answer`` is the merchant's, taken in the portal.
STAFF_TRANSITIONS = (
    "take",
    "ask_merchant",
    "clear",
    "confirm",
    "escalate",
    "clear_escalated",
    "confirm_escalated",
)


class QueueFilter(admin.SimpleListFilter):
    """The reviewer's working lists; each one holds unresolved alerts only."""

    title = gettext_lazy("queue")
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("mine", gettext_lazy("My queue")),
            ("unassigned", gettext_lazy("Unassigned")),
            ("overdue", gettext_lazy("Overdue")),
            ("unresolved", gettext_lazy("All unresolved")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value is None:
            return queryset
        unresolved = queryset.unresolved()
        if value == "mine":
            return unresolved.filter(assignee=request.user)
        if value == "unassigned":
            return unresolved.filter(assignee__isnull=True)
        if value == "overdue":
            return unresolved.filter(due_at__lt=timezone.now())
        return unresolved


class ShadowFilter(admin.SimpleListFilter):
    """Shadow rule versions' alerts stay out of every list unless asked for."""

    title = gettext_lazy("shadow")
    parameter_name = "shadow"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("shadow", gettext_lazy("Shadow rule versions only"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(shadow=self.value() == "shadow")


class SnoozedFilter(admin.SimpleListFilter):
    """Alerts raised while their rule was snoozed stay out of every list unless asked for."""

    title = gettext_lazy("snoozed")
    parameter_name = "snoozed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("snoozed", gettext_lazy("Raised while the rule was snoozed"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(snooze__isnull=self.value() != "snoozed")


class AlertTransitionInline(ReadOnlyInline):
    model = AlertTransition
    fields = readonly_fields = ("created_at", "from_status", "to_status", "actor", "reason")
    verbose_name_plural = gettext_lazy("Review trail")


class AlertResponseInline(ReadOnlyInline):
    model = AlertResponse
    fields = readonly_fields = ("created_at", "author", "text", "attachment_link")

    @admin.display(description=gettext_lazy("attachment"))
    def attachment_link(self, response: AlertResponse) -> str:
        if not response.attachment:
            return "—"
        url = reverse("admin:transactions_alertresponse_attachment", args=[response.pk])
        return format_html('<a href="{}">{}</a>', url, response.attachment_name or _("evidence"))


class HoldInline(ReadOnlyInline):
    model = Hold
    fields = readonly_fields = (
        "held",
        "reason",
        "placed_by",
        "placed_at",
        "released_at",
        "released_by",
        "release_reason",
    )
    show_change_link = True

    @admin.display(description=gettext_lazy("held"))
    def held(self, hold: Hold) -> str:
        return admin_link(hold.report or hold.terminal)


def _transition(name: str) -> Any:
    return transition_action(ALERT, name, service=alert_transition, object_arg="alert")


@admin.register(Alert)
class AlertAdmin(TrailAdmin):
    list_display = (
        "id",
        "rule",
        "severity",
        "status",
        "merchant_link",
        "terminal",
        "report_count",
        "assignee",
        "created_at",
        "due",
    )
    list_display_links = ("id",)
    list_filter = (QueueFilter, ShadowFilter, SnoozedFilter, "severity", "rule", "status")
    search_fields = (
        "id__exact",
        "merchant__legal_name",
        "merchant__short_name",
        "=merchant__mid",
        "=terminal__tid",
    )
    list_select_related = ("rule", "merchant", "terminal", "assignee")
    fieldsets = (
        (
            gettext_lazy("Alert"),
            {"fields": ("rule", "severity", "status", "assignee", "created_at", "due_at")},
        ),
        (
            gettext_lazy("Finding"),
            {"fields": ("explanation_text", "reports_link", "rule_version", "shadow", "why")},
        ),
        (gettext_lazy("Involved"), {"fields": ("merchant_link", "terminal_link", "run")}),
        (gettext_lazy("Snoozes of this rule for this merchant"), {"fields": ("snoozes",)}),
    )
    readonly_fields = (
        "rule",
        "severity",
        "status",
        "assignee",
        "created_at",
        "due_at",
        "explanation_text",
        "reports_link",
        "merchant_link",
        "terminal_link",
        "run",
        "rule_version",
        "shadow",
        "why",
        "snoozes",
    )
    inlines = (AlertTransitionInline, AlertResponseInline, HoldInline)
    actions = [
        "assign_to_me",
        "assign_to_reviewer",
        *(_transition(name) for name in STAFF_TRANSITIONS),
        "hold_reports",
        "hold_terminal",
    ]

    class Media:
        # .overdue and .alert-explanation: the Content-Security-Policy refuses style= attributes.
        css = {"all": ("css/admin.css",)}

    # -- list and page -------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("merchant"), ordering="merchant__legal_name")
    def merchant_link(self, alert: Alert) -> str:
        return admin_link(alert.merchant)

    @admin.display(description=gettext_lazy("terminal"))
    def terminal_link(self, alert: Alert) -> str:
        return admin_link(alert.terminal)

    @admin.display(description=gettext_lazy("due"), ordering="due_at")
    def due(self, alert: Alert) -> str:
        if alert.due_at is None:
            return "—"
        when = date_format(timezone.localtime(alert.due_at), "SHORT_DATETIME_FORMAT")
        if not alert.is_resolved and alert.due_at < timezone.now():
            return format_html(
                '<strong class="overdue">{} ({})</strong>',
                when,
                _("overdue"),
            )
        return when

    @admin.display(description=gettext_lazy("explanation"))
    def explanation_text(self, alert: Alert) -> str:
        return format_html(
            '<div class="alert-explanation">{}</div>', alert.get_explanation_display()
        )

    @admin.display(description=gettext_lazy("why it fired"))
    def why(self, alert: Alert) -> str:
        """A data rule's explain data: per report, each condition with its value."""
        return explain_table(alert.explain)

    @admin.display(description=gettext_lazy("snoozes"))
    def snoozes(self, alert: Alert) -> str:
        """Whether this finding was raised while snoozed, and the rule's snoozes here, on record."""
        lines = [
            format_html(
                "<li>{} {}, {} – {}, {} {}: {} ({})</li>",
                admin_link(snooze, f"#{snooze.pk}"),
                snooze.subject,
                date_format(timezone.localtime(snooze.starts_at), "SHORT_DATETIME_FORMAT"),
                date_format(timezone.localtime(snooze.ends_at), "SHORT_DATETIME_FORMAT"),
                _("by"),
                snooze.created_by or "—",
                snooze.reason,
                snooze_state(snooze),
            )
            for snooze in snoozes_of(alert)
        ]
        head = ""
        if alert.snooze_id is not None:
            head = format_html(
                '<p class="snoozed">{}</p>',
                _("Raised while the rule was snoozed (#%(id)s): out of the queues.")
                % {"id": alert.snooze_id},
            )
        if not lines:
            return head or "—"
        return format_html(
            "{}<ul>{}</ul>", head, format_html_join("", "{}", ((li,) for li in lines))
        )

    @admin.display(description=gettext_lazy("reports"))
    def reports_link(self, alert: Alert) -> str:
        url = reverse("admin:transactions_report_changelist") + "?" + urlencode({"alert": alert.pk})
        return format_html(
            '<a href="{}">{}</a>', url, _("%(count)d report(s)") % {"count": alert.report_count}
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # People quote alerts as "#12": that is the alert, not every name with a 12 in it.
        quoted = search_term.strip()
        if quoted.startswith("#") and quoted[1:].isdigit():
            return queryset.filter(pk=int(quoted[1:])), False
        return super().get_search_results(request, queryset, search_term)

    # -- permissions: read-only, actions by permission ------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # alerts are raised by audits

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # moved only by the actions, through the workflow

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("transactions.review_alert")

    def has_hold_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("transactions.hold_reports")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return permitted_actions(super().get_actions(request), request)

    # -- actions -------------------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Assign to me"), permissions=["review"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._assign(request, list(queryset), request.user)

    @admin.action(description=gettext_lazy("Assign to a reviewer…"), permissions=["review"])
    def assign_to_reviewer(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        alerts = list(queryset)
        form = AssignForm(request.POST if request.POST.get("apply") else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/transactions/alert/assign.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Assign alerts"),
                    "objects": alerts,
                    "form": form,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                    "media": self.media,
                },
            )
        self._assign(request, alerts, form.cleaned_data["assignee"])
        return None

    def _assign(self, request: HttpRequest, alerts: list[Alert], assignee: Any) -> None:
        try:
            count = alerts_assign(alerts=alerts, assignee=assignee, actor=request.user)
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request,
            _("%(count)d alert(s) assigned to %(user)s.") % {"count": count, "user": assignee},
            messages.SUCCESS,
        )
        if count < len(alerts):
            self.message_user(
                request,
                _("%(count)d resolved alert(s) left as they are.") % {"count": len(alerts) - count},
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Hold the reports"), permissions=["hold"])
    def hold_reports(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._hold(request, queryset, "hold_reports", _("Hold the reports"), terminal=False)

    @admin.action(description=gettext_lazy("Hold the terminal"), permissions=["hold"])
    def hold_terminal(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._hold(request, queryset, "hold_terminal", _("Hold the terminal"), terminal=True)

    def _hold(
        self, request: HttpRequest, queryset: QuerySet, name: str, label: str, *, terminal: bool
    ) -> HttpResponse | None:
        reason = request.POST.get("reason", "").strip()
        asked = bool(request.POST.get("apply"))
        if not (asked and reason):
            return reason_page(self, request, queryset, label, name, asked=asked)
        run_for_each(
            self,
            request,
            queryset,
            lambda alert: hold_place(
                alert=alert, actor=request.user, reason=reason, terminal=terminal
            ),
            done_message=_("%(action)s: %(count)d done."),
            label=label,
        )
        return None

    # -- the alert page: a button for each step the user may take now -------------------------

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        alert = self.get_object(request, object_id)
        steps = []
        if alert is not None:
            steps = [
                {
                    "label": step.label,
                    "url": reverse("admin:transactions_alert_step", args=[alert.pk, step.name]),
                }
                for step in ALERT.available(alert, request.user)
                if step.name in STAFF_TRANSITIONS
            ]
        snooze_url = None
        if (
            alert is not None
            and snoozable(alert)
            and request.user.has_perm("transactions.add_rulesnooze")
        ):
            snooze_url = reverse("admin:transactions_alert_snooze", args=[alert.pk])
        return super().change_view(
            request,
            object_id,
            form_url,
            {"alert_steps": steps, "snooze_url": snooze_url, **(extra_context or {})},
        )

    def snooze_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Snooze the alert's rule for its merchant, terminal or card, until a time, with a reason."""
        if not request.user.has_perm("transactions.add_rulesnooze"):
            raise PermissionDenied
        alert = get_object_or_404(Alert.objects.select_related("rule", "merchant"), pk=pk)
        form = SnoozeForm(request.POST or None, targets=snooze_targets(alert))
        if request.method == "POST" and form.is_valid():
            try:
                snooze_create(alert=alert, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    _("The rule is snoozed until %(until)s.")
                    % {
                        "until": date_format(
                            timezone.localtime(form.cleaned_data["ends_at"]),
                            "SHORT_DATETIME_FORMAT",
                        )
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:transactions_alert_change", args=[pk]))
        return TemplateResponse(
            request,
            "admin/transactions/alert/snooze.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Snooze this rule"),
                "alert": alert,
                "form": form,
                "opts": self.model._meta,
                "media": self.media,
            },
            status=400 if request.method == "POST" else 200,
        )

    def step_view(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        """Take one step on one alert from its page: the list action's service and reason page."""
        if name not in STAFF_TRANSITIONS:
            raise Http404
        alert_page = reverse("admin:transactions_alert_change", args=[pk])
        if request.method != "POST":
            return HttpResponseRedirect(alert_page)  # e.g. "Cancel" on the reason page
        if not self.has_view_permission(request):
            raise PermissionDenied
        queryset = Alert.objects.filter(pk=pk)
        if not queryset.exists():
            raise Http404
        transition = ALERT[name]
        reason = request.POST.get("reason", "").strip()
        if transition.reason_required and not reason:
            asked = bool(request.POST.get("apply"))
            return reason_page(self, request, queryset, transition.label, name, asked=asked)
        run_for_each(
            self,
            request,
            queryset,
            lambda alert: alert_transition(
                alert=alert, name=name, actor=request.user, reason=reason
            ),
            done_message=_("%(action)s: %(count)d done."),
            label=transition.label,
        )
        return HttpResponseRedirect(alert_page)

    # -- the merchant's evidence, served to staff only -----------------------------------------

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "answers/<int:pk>/attachment/",
                self.admin_site.admin_view(self.attachment_view),
                name="transactions_alertresponse_attachment",
            ),
            path(
                "<int:pk>/snooze/",
                self.admin_site.admin_view(self.snooze_view),
                name="transactions_alert_snooze",
            ),
            path(
                "<int:pk>/step/<str:name>/",
                self.admin_site.admin_view(self.step_view),
                name="transactions_alert_step",
            ),
            *super().get_urls(),
        ]

    def attachment_view(self, request: HttpRequest, pk: int) -> FileResponse:
        if not request.user.has_perm("transactions.view_alertresponse"):
            raise PermissionDenied
        response = get_object_or_404(AlertResponse, pk=pk)
        name = response.attachment_name or response.attachment.name.rsplit("/", 1)[-1]
        return private_download(response.attachment, filename=name, as_attachment=True)
