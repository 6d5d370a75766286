"""Real-time screening in admin: the checks' settings, and every decision given, read-only.

A check's row is made by ``ensure_checks()`` (a check is a module); staff with
``change_screeningcheck`` switch it on or off, put it in shadow, choose what it does when it fires
and set its thresholds, each change kept in its history. Decisions are evidence: listed with how
many were screened without Redis, never changed.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.common.admin import ReadOnlyAdmin, TrailAdmin, admin_link
from transactions.decisions.answers import reasons_read
from transactions.decisions.checks import REGISTRY
from transactions.decisions.forms import ScreeningCheckForm
from transactions.decisions.inputs import ensure_checks
from transactions.decisions.selectors import fallback_counts, report_held
from transactions.models import CHECK_NAMES, Decision, DecisionOutcome, ScreeningCheck


@admin.register(ScreeningCheck)
class ScreeningCheckAdmin(TrailAdmin):
    """Changes need ``change_screeningcheck``; every change is kept in the check's history."""

    form = ScreeningCheckForm
    list_display = ("label", "code", "enabled", "shadow", "action", "updated_at")
    list_filter = ("enabled", "shadow", "action")
    search_fields = ("code", "name")
    fields = (
        "code",
        "label",
        "description",
        "enabled",
        "shadow",
        "action",
        "parameters",
        "defaults",
        "updated_at",
    )
    readonly_fields = ("code", "label", "description", "defaults", "updated_at")

    @admin.display(description=gettext_lazy("name"), ordering="name")
    def label(self, check: ScreeningCheck) -> str:
        return check.label

    @admin.display(description=gettext_lazy("defaults"))
    def defaults(self, check: ScreeningCheck) -> str:
        spec = REGISTRY.get(check.code)
        if spec is None:
            return "—"
        return format_html("<code>{}</code>", json.dumps(spec.defaults, ensure_ascii=False))

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        ensure_checks()  # a check added since the last report shows up before it first runs
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a check is a module; its row is made by ensure_checks()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switch it off instead; decisions keep naming it


def _check_label(code: str) -> str:
    return _(CHECK_NAMES[code]) if code in CHECK_NAMES else code


def _outcome_label(value: str) -> str:
    # A check's action is review or hold: shown by the outcome's short name.
    return str(DecisionOutcome(value).label) if value in DecisionOutcome.values else value


def _figures(figures: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in figures.items()) or "—"


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    """Every answer given to a terminal, with what each check saw; nothing here can be changed."""

    change_list_template = "admin/transactions/decision/change_list.html"
    list_display = (
        "created_at",
        "outcome",
        "merchant",
        "terminal",
        "report_ref",
        "reason_codes",
        "state_source",
        "duration",
    )
    list_filter = ("outcome", "state_source", "created_at")
    search_fields = (
        "=report__report_id",
        "=decision_id",
        "merchant__legal_name",
        "merchant__short_name",
        "=merchant__mid",
    )
    list_select_related = ("merchant", "terminal", "report")
    show_full_result_count = False  # one row per report: counting them all on every page is slow
    fieldsets = (
        (
            gettext_lazy("Decision"),
            {"fields": ("decision_id", "outcome", "created_at", "state_source", "duration")},
        ),
        (gettext_lazy("Reasons"), {"fields": ("reasons_text",)}),
        (gettext_lazy("Checks run"), {"fields": ("checks_table",)}),
        (
            gettext_lazy("Involved"),
            {"fields": ("report_link", "alert_link", "held_now", "merchant_link", "terminal_link")},
        ),
    )
    readonly_fields = (
        "decision_id",
        "outcome",
        "created_at",
        "state_source",
        "duration",
        "reasons_text",
        "checks_table",
        "report_link",
        "alert_link",
        "held_now",
        "merchant_link",
        "terminal_link",
    )

    # -- list ---------------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("report id"))
    def report_ref(self, decision: Decision) -> str:
        return str(decision.report.report_id)

    @admin.display(description=gettext_lazy("reasons"))
    def reason_codes(self, decision: Decision) -> str:
        return ", ".join(reason["code"] for reason in decision.reasons) or "—"

    @admin.display(description=gettext_lazy("screening time"), ordering="duration_us")
    def duration(self, decision: Decision) -> str:
        return f"{decision.duration_us / 1000:.2f} ms"

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {"fallback": fallback_counts(), **(extra_context or {})}
        return super().changelist_view(request, extra)

    # -- the decision's page ------------------------------------------------------------------

    @admin.display(description=gettext_lazy("reasons"))
    def reasons_text(self, decision: Decision) -> str:
        reasons = reasons_read(decision.reasons)
        if not reasons:
            return _("None: every check passed.")
        items = format_html_join(
            "", "<li><code>{}</code> {}</li>", ((r["code"], r["message"]) for r in reasons)
        )
        return format_html('<ul class="decision-reasons">{}</ul>', items)

    @admin.display(description=gettext_lazy("what each check saw"))
    def checks_table(self, decision: Decision) -> str:
        if not decision.checks_run:
            return "—"
        head = format_html_join(
            "",
            "<th>{}</th>",
            (
                (title,)
                for title in (
                    _("Check"),
                    _("Fired"),
                    _("Shadow"),
                    _("When it fires"),
                    _("Figures"),
                    _("Error"),
                    _("Time"),
                )
            ),
        )
        rows = format_html_join(
            "",
            "<tr><td>{} <code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td><td>{}</td></tr>",
            (
                (
                    _check_label(run["code"]),
                    run["code"],
                    _("Yes") if run.get("hit") else _("No"),
                    _("Yes") if run.get("shadow") else _("No"),
                    _outcome_label(run["action"]),
                    _figures(run.get("figures") or {}),
                    run.get("error") or "—",
                    f"{run['us']} µs",
                )
                for run in decision.checks_run
            ),
        )
        return format_html(
            '<table class="decision-checks"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
            head,
            rows,
        )

    @admin.display(description=gettext_lazy("report"))
    def report_link(self, decision: Decision) -> str:
        return admin_link(decision.report, decision.report.report_id)

    @admin.display(description=gettext_lazy("alert"))
    def alert_link(self, decision: Decision) -> str:
        return admin_link(decision.alert)

    @admin.display(description=gettext_lazy("held now"), boolean=True)
    def held_now(self, decision: Decision) -> bool:
        return report_held(report=decision.report)

    @admin.display(description=gettext_lazy("merchant"))
    def merchant_link(self, decision: Decision) -> str:
        return admin_link(decision.merchant)

    @admin.display(description=gettext_lazy("terminal"))
    def terminal_link(self, decision: Decision) -> str:
        return admin_link(decision.terminal)
