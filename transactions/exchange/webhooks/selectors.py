"""Reading endpoints and their delivery log, always within one owner's reach."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from merchants.models import Merchant
from transactions.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

LOG_ROWS = 50


def endpoints_for_merchant(merchant: Merchant) -> QuerySet[WebhookEndpoint]:
    """The merchant's own endpoints (never the acquirer's, which receive every merchant's events)."""
    return WebhookEndpoint.objects.filter(merchant=merchant).order_by("-created_at")


def deliveries_of(endpoint: WebhookEndpoint, *, limit: int = LOG_ROWS) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first, each with its attempts (the delivery log)."""
    attempts = Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("-number"))
    return list(
        endpoint.deliveries.select_related("event")
        .prefetch_related(attempts)
        .order_by("-created_at", "-pk")[:limit]
    )
