"""The risk rating's factors computed from what the merchant reported and what staff found:
volume against the declared scale, confirmed alerts, upheld complaints, reporting health.

``merchants`` never imports ``transactions``, so these are registered into the merchants-side
factor registry from ``TransactionsConfig.ready()``. Each is one or two grouped queries over every
merchant being rated (rollups, not reports: the nightly run rates every merchant).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_noop

from merchants.risk.rating.registry import Factor, Rating, Score, register
from portal.common.beijing import SHANGHAI
from transactions.analytics.dashboard import MISSING_REPORTS
from transactions.models import (
    Alert,
    AlertStatus,
    AlertTransition,
    Complaint,
    ComplaintStatus,
    MerchantDay,
    TerminalDay,
)

VOLUME_DAYS = 30
# Sales over the declared monthly scale → points, the highest ratio first.
VOLUME_POINTS = ((Decimal(3), 20), (Decimal("1.5"), 10))
HISTORY_DAYS = 90
POINTS_PER_ALERT, MAX_ALERT_POINTS = 10, 30
POINTS_PER_COMPLAINT, MAX_COMPLAINT_POINTS = 10, 30
REPORTING_DAYS = 30
# Share of late reports → points, the highest share first.
LATE_POINTS = ((Decimal("0.20"), 15), (Decimal("0.05"), 8))
POINTS_PER_MISSING, MAX_MISSING_POINTS = 5, 15


def _money(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def _since_day(rating: Rating, days: int) -> date:
    return rating.now.astimezone(SHANGHAI).date() - timedelta(days=days - 1)


def volume_scores(rating: Rating) -> Mapping[int, Score]:
    """Sales of the last 30 days against the monthly sales the merchant declared."""
    declared = dict(
        rating.merchants.filter(declared_monthly_sales__gt=0).values_list(
            "pk", "declared_monthly_sales"
        )
    )
    if not declared:
        return {}
    sold = dict(
        TerminalDay.objects.filter(
            merchant__in=rating.merchants.filter(declared_monthly_sales__gt=0),
            day__gte=_since_day(rating, VOLUME_DAYS),
        )
        .order_by()
        .values_list("merchant_id")
        .annotate(total=Sum("sales_amount"))
    )
    scores = {}
    for pk, scale in declared.items():
        total = Decimal(sold.get(pk) or 0)
        ratio = total / scale
        points = next((p for limit, p in VOLUME_POINTS if ratio >= limit), 0)
        scores[pk] = Score(
            f"{_money(total)} / {_money(scale)}",
            points,
            gettext_noop(
                "Sales of the last %(days)s days are %(ratio)s times the declared monthly "
                "sales (%(limit)s times adds points)."
            ),
            {
                "days": str(VOLUME_DAYS),
                "ratio": f"{ratio:.2f}",
                "limit": str(VOLUME_POINTS[-1][0]),
            },
        )
    return scores


def alert_scores(rating: Rating) -> Mapping[int, Score]:
    """Alerts confirmed in the last 90 days (the confirming step's time)."""
    rows = (
        AlertTransition.objects.filter(
            to_status=AlertStatus.CONFIRMED,
            created_at__gte=rating.now - timedelta(days=HISTORY_DAYS),
            alert__merchant__in=rating.merchants,
        )
        .order_by()
        .values_list("alert__merchant_id")
        .annotate(n=Count("alert_id", distinct=True))
    )
    return {
        pk: Score(
            str(n),
            min(n * POINTS_PER_ALERT, MAX_ALERT_POINTS),
            gettext_noop("%(count)s alert(s) confirmed in the last %(days)s days."),
            {"count": str(n), "days": str(HISTORY_DAYS)},
        )
        for pk, n in rows
    }


def complaint_scores(rating: Rating) -> Mapping[int, Score]:
    """Cardholder complaints upheld in the last 90 days."""
    rows = (
        Complaint.objects.filter(
            status=ComplaintStatus.UPHELD,
            resolved_at__gte=rating.now - timedelta(days=HISTORY_DAYS),
            merchant__in=rating.merchants,
        )
        .order_by()
        .values_list("merchant_id")
        .annotate(n=Count("pk"))
    )
    return {
        pk: Score(
            str(n),
            min(n * POINTS_PER_COMPLAINT, MAX_COMPLAINT_POINTS),
            gettext_noop("%(count)s complaint(s) upheld in the last %(days)s days."),
            {"count": str(n), "days": str(HISTORY_DAYS)},
        )
        for pk, n in rows
    }


def reporting_scores(rating: Rating) -> Mapping[int, Score]:
    """Late reports of the last 30 days (daily rollups) and open missing-report alerts."""
    days = {
        pk: (reports, late)
        for pk, reports, late in MerchantDay.objects.filter(
            merchant__in=rating.merchants, day__gte=_since_day(rating, REPORTING_DAYS)
        )
        .order_by()
        .values_list("merchant_id")
        .annotate(reports=Sum("reports"), late=Sum("late"))
    }
    missing = dict(
        Alert.objects.unresolved()
        .filter(MISSING_REPORTS, merchant__in=rating.merchants)
        .order_by()
        .values_list("merchant_id")
        .annotate(n=Count("pk"))
    )
    scores = {}
    for pk in days.keys() | missing.keys():
        reports, late = days.get(pk, (0, 0))
        share = Decimal(late) / reports if reports else Decimal(0)
        late_points = next((p for limit, p in LATE_POINTS if share >= limit), 0)
        gaps = missing.get(pk, 0)
        points = late_points + min(gaps * POINTS_PER_MISSING, MAX_MISSING_POINTS)
        scores[pk] = Score(
            f"{late}/{reports} · {gaps}",
            points,
            gettext_noop(
                "%(late)s of %(reports)s reports in the last %(days)s days were late; "
                "%(missing)s open alert(s) about missing reports."
            ),
            {
                "late": str(late),
                "reports": str(reports),
                "days": str(REPORTING_DAYS),
                "missing": str(gaps),
            },
        )
    return scores


def register_transaction_factors() -> None:
    register(
        Factor(
            "volume",
            gettext_noop("Volume against declared scale"),
            40,
            volume_scores,
            Score("—", 0, gettext_noop("No declared monthly sales to compare with.")),
        )
    )
    register(
        Factor(
            "alerts",
            gettext_noop("Alerts confirmed"),
            50,
            alert_scores,
            Score("0", 0, gettext_noop("No alert confirmed in the last 90 days.")),
        )
    )
    register(
        Factor(
            "complaints",
            gettext_noop("Complaints upheld"),
            60,
            complaint_scores,
            Score("0", 0, gettext_noop("No complaint upheld in the last 90 days.")),
        )
    )
    register(
        Factor(
            "reporting",
            gettext_noop("Reporting health"),
            70,
            reporting_scores,
            Score("0/0 · 0", 0, gettext_noop("No late or missing reports in the last 30 days.")),
        )
    )
