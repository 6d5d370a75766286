"""Reads of holds for the merchant's pages: which reports and terminals are held, and why.

Everything here is scoped by the caller's merchant (the views pass ``request.membership.merchant``)
and answered by the database: "on hold" is an ``EXISTS`` per row, not a Python loop.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from merchants.models import Merchant
from transactions.models import Alert, Hold, Report
from transactions.models.alert import HoldQuerySet


def active_holds() -> HoldQuerySet:
    return Hold.objects.active()


def report_held() -> Exists:
    """True for a report held itself or through its terminal (for ``Report`` querysets)."""
    return Exists(
        active_holds().filter(Q(report_id=OuterRef("pk")) | Q(terminal_id=OuterRef("terminal_id")))
    )


def held_ids(merchant: Merchant) -> tuple[set[int], set[int]]:
    """The merchant's reports held now themselves, and its terminals held now (few: ids)."""
    active = active_holds()
    reports = set(active.filter(report__merchant=merchant).values_list("report_id", flat=True))
    terminals = set(
        active.filter(terminal__merchant=merchant).values_list("terminal_id", flat=True)
    )
    return reports, terminals


def reports_with_hold(reports: QuerySet[Report]) -> QuerySet[Report]:
    return reports.annotate(on_hold=report_held())


def _merchant_holds(merchant_id: int) -> QuerySet[Hold]:
    return Hold.objects.of_merchant(merchant_id).select_related("report", "terminal", "alert__rule")


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
    return active_holds().on_report(report).select_related("alert").order_by("-placed_at")
