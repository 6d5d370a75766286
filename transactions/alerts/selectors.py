"""Reads of alerts for the merchant's pages: lists, their reports, trail and question."""

from __future__ import annotations

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When

from merchants.models import Merchant
from transactions.models import OPEN_STATUSES, Alert, AlertStatus, AlertTransition, Report
from transactions.reports.selectors import active_holds, reports_with_hold

# Steps whose reason is addressed to the merchant: the question it must answer and the decision.
# Reviewers' notes to each other (taking, assigning, escalating) stay inside compliance.
MERCHANT_VISIBLE_REASONS = (
    AlertStatus.AWAITING_MERCHANT,
    AlertStatus.CLEARED,
    AlertStatus.CONFIRMED,
)


ALERT_STATES = {
    "open": Q(status__in=OPEN_STATUSES),
    "resolved": ~Q(status__in=OPEN_STATUSES),
}


def alerts_for_merchant(*, merchant: Merchant, state: str = "") -> QuerySet[Alert]:
    """The merchant's alerts, newest first; ``state`` is "open", "resolved" or "" for all.

    ``on_hold`` says whether anything the alert is about is held now: a hold it placed, or one
    on its terminal or on one of its reports placed because of another alert.
    """
    held = active_holds().filter(
        Q(alert_id=OuterRef("pk"))
        | Q(terminal_id=OuterRef("terminal_id"))
        | Q(report__alerts=OuterRef("pk"))
    )
    alerts = Alert.objects.for_merchant(merchant).select_related("rule", "terminal")
    if state in ALERT_STATES:
        alerts = alerts.filter(ALERT_STATES[state])
    return alerts.annotate(on_hold=Exists(held)).order_by("-created_at", "-pk")


def alert_reports(*, alert: Alert) -> QuerySet[Report]:
    return reports_with_hold(
        alert.reports.filter(merchant_id=alert.merchant_id).select_related("terminal")
    ).order_by("occurred_at", "pk")


def alert_trail_for_merchant(*, alert: Alert) -> QuerySet[AlertTransition]:
    """Every status change, with ``public_reason`` set only where the reason is meant for the merchant."""
    return alert.transitions.annotate(
        public_reason=Case(
            When(to_status__in=MERCHANT_VISIBLE_REASONS, then=F("reason")),
            default=Value(""),
            output_field=CharField(),
        )
    ).order_by("created_at", "pk")


def alert_question(*, alert: Alert) -> str:
    """What compliance asked, while the alert waits for the merchant's answer ("" otherwise)."""
    if alert.status != AlertStatus.AWAITING_MERCHANT:
        return ""
    asked = alert.transitions.filter(to_status=AlertStatus.AWAITING_MERCHANT)
    return asked.order_by("-created_at", "-pk").values_list("reason", flat=True).first() or ""
