"""Reads for the merchant's pages: its alerts, what it may see of their trail, and its holds.

Everything here is scoped by the caller's merchant (the views pass ``request.membership.merchant``)
and answered by the database: "on hold" is an ``EXISTS`` per row, not a Python loop.
"""

from __future__ import annotations

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When

from merchants.models import Merchant

from .models import OPEN_STATUSES, Alert, AlertStatus, AlertTransition, Hold, Report

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


def _active_holds() -> QuerySet[Hold]:
    return Hold.objects.filter(released_at__isnull=True)


def report_held() -> Exists:
    """True for a report held itself or through its terminal (for ``Report`` querysets)."""
    return Exists(
        _active_holds().filter(Q(report_id=OuterRef("pk")) | Q(terminal_id=OuterRef("terminal_id")))
    )


def held_ids(merchant: Merchant) -> tuple[set[int], set[int]]:
    """The merchant's reports held now themselves, and its terminals held now (few: ids)."""
    active = _active_holds()
    reports = set(active.filter(report__merchant=merchant).values_list("report_id", flat=True))
    terminals = set(
        active.filter(terminal__merchant=merchant).values_list("terminal_id", flat=True)
    )
    return reports, terminals


def reports_with_hold(reports: QuerySet[Report]) -> QuerySet[Report]:
    return reports.annotate(on_hold=report_held())


def alerts_for_merchant(*, merchant: Merchant, state: str = "") -> QuerySet[Alert]:
    """The merchant's alerts, newest first; ``state`` is "open", "resolved" or "" for all.

    ``on_hold`` says whether anything the alert is about is held now: a hold it placed, or one
    on its terminal or on one of its reports placed because of another alert.
    """
    held = _active_holds().filter(
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


def _merchant_holds(merchant_id: int) -> QuerySet[Hold]:
    return Hold.objects.filter(
        Q(report__merchant_id=merchant_id) | Q(terminal__merchant_id=merchant_id)
    ).select_related("report", "terminal", "alert__rule")


def holds_for_alert(*, alert: Alert) -> QuerySet[Hold]:
    """Holds, active and released, on the alert's reports or terminal, or placed by it."""
    about = Q(alert=alert) | Q(report__alerts=alert)
    if alert.terminal_id is not None:
        about |= Q(terminal_id=alert.terminal_id)
    return _merchant_holds(alert.merchant_id).filter(about).distinct().order_by("-placed_at")


def active_holds_for_merchant(*, merchant: Merchant) -> QuerySet[Hold]:
    return _merchant_holds(merchant.pk).filter(released_at__isnull=True).order_by("-placed_at")


def active_holds_for_report(*, report: Report) -> QuerySet[Hold]:
    """What holds this report now: a hold on it, or on its terminal."""
    return (
        _active_holds()
        .filter(Q(report=report) | Q(terminal_id=report.terminal_id))
        .select_related("alert")
        .order_by("-placed_at")
    )


def alert_question(*, alert: Alert) -> str:
    """What compliance asked, while the alert waits for the merchant's answer ("" otherwise)."""
    if alert.status != AlertStatus.AWAITING_MERCHANT:
        return ""
    asked = alert.transitions.filter(to_status=AlertStatus.AWAITING_MERCHANT)
    return asked.order_by("-created_at", "-pk").values_list("reason", flat=True).first() or ""
