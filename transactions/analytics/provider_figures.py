"""What the provider roll-up (``merchants/risk/providers/rollup.py``) cannot read itself: alerts
confirmed and complaints upheld over each provider's merchants in the last 90 days, counted like
the rating's factors. Registered from ``TransactionsConfig.ready()``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db.models import Count

from transactions.analytics.risk_factors import HISTORY_DAYS
from transactions.models import AlertStatus, AlertTransition, Complaint, ComplaintStatus


def provider_figures(provider_ids: list[int], now: datetime) -> Mapping[int, Mapping[str, int]]:
    since = now - timedelta(days=HISTORY_DAYS)
    found: dict[int, dict[str, int]] = {pk: {"alerts": 0, "complaints": 0} for pk in provider_ids}
    alerts = (
        AlertTransition.objects.filter(
            to_status=AlertStatus.CONFIRMED,
            created_at__gte=since,
            alert__merchant__service_provider__in=provider_ids,
        )
        .order_by()
        .values_list("alert__merchant__service_provider")
        .annotate(n=Count("alert_id", distinct=True))
    )
    for pk, n in alerts:
        found[pk]["alerts"] = n
    complaints = (
        Complaint.objects.filter(
            status=ComplaintStatus.UPHELD,
            resolved_at__gte=since,
            merchant__service_provider__in=provider_ids,
        )
        .order_by()
        .values_list("merchant__service_provider")
        .annotate(n=Count("pk"))
    )
    for pk, n in complaints:
        found[pk]["complaints"] = n
    return found
